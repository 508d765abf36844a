import ArgumentParser
import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator

/// `hookwalk generate`: the documentation of a host, from a snapshot.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write Markdown walkthroughs and Graphviz diagrams of every documented scenario.",
        discussion: """
            Writes DIR/index.md, DIR/scenarios/<id>.md and DIR/diagrams/<id>-{request,reply}.{dot,svg} plus \
            DIR/diagrams/overview.{dot,svg}. DIR is replaced as a whole, and only if it is empty or was written \
            by hookwalk. Example: hookwalk generate Examples/seed-centos8 --out Output --client 10.254.10.105
            """
    )

    @Argument(help: "A snapshot folder.")
    var snapshot: String

    @Option(help: "The output folder.")
    var out: String

    @Option(name: .customLong("client"),
            help: "An external client address (repeatable). Default: 203.0.113.10 when the host has a default route.")
    var clients: [String] = []

    @Option(help: "The Mustache templates folder (default: ./Templates, or Templates beside the executable's package).")
    var templates: String?

    @Flag(help: "Also render PNG diagrams.")
    var png = false

    func run() throws {
        try runReportingErrors {
            let snap = try SnapshotLoader.load(path: snapshot)
            let addresses = try clients.map { text -> IPAddress in
                guard let a = IPAddress(text) else {
                    throw HookwalkError(.none, "--client \"\(text)\": not an IP address")
                }
                return a
            }
            let catalog = ScenarioCatalog.scenarios(
                for: snap, clients: addresses.isEmpty ? ScenarioCatalog.defaultClients(for: snap) : addresses)
            let simulator = Simulator(snapshot: snap, ruleText: NftTextWriter.ruleText)
            let docs = catalog.map { d in
                ScenarioDoc(id: d.id, title: d.title, kind: d.kind, network: d.network, container: d.container,
                            trace: simulator.simulate(d.scenario))
            }
            let generator = try DocGenerator(templatesDirectory: try templatesDirectory(), ruleText: NftTextWriter.ruleText)
            try generator.generate(snapshot: snap, scenarios: docs, outDir: out, png: png)
        }
    }

    /// `--templates`, else `Templates/` in the working directory, else in a parent of the
    /// executable (a `.build/<config>/hookwalk` inside the package).
    func templatesDirectory() throws -> String {
        if let templates { return templates }
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath + "/Templates"]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("Templates").path)
            dir = dir.deletingLastPathComponent()
        }
        var isDir: ObjCBool = false
        for c in candidates where fm.fileExists(atPath: c + "/scenario.mustache", isDirectory: &isDir) { return c }
        throw HookwalkError(.none, "no Templates folder found in the working directory or beside hookwalk: give one with --templates DIR")
    }
}
