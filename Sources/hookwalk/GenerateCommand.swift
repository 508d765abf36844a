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
            One snapshot, --layout plain (the default): DIR/index.md, DIR/scenarios/<id>.md, \
            DIR/diagrams/<id>-{request,reply}.{dot,svg} (and <id>-proxy-{request,reply} for docker-proxy's own \
            connection), DIR/diagrams/overview.{dot,svg}, and the traces as JSON (DIR/scenarios.json, \
            DIR/traces/<id>.json), so that `hookwalk diff` can compare two generated folders. Several snapshots: \
            DIR/index.md lists the hosts and which published ports are delivered where, and each host gets \
            DIR/<host>/ laid out as above. --layout github-wiki writes flat pages (Home.md, _Sidebar.md, \
            <host>.md, <host>--<id>.md) with the images beside them, for a wiki repository; --layout mkdocs \
            writes mkdocs.yml and the pages under DIR/docs/. DIR is replaced as a whole, and only if it is \
            empty or was written by hookwalk. \
            Example: hookwalk generate Examples/seed-centos8 --out Output --client 10.254.10.105
            """
    )

    @Argument(help: "Snapshot folders, one per host.")
    var snapshots: [String]

    @Option(help: "The output folder.")
    var out: String

    @Option(name: .customLong("client"),
            help: "An external client address (repeatable). Default: 203.0.113.10 when the host has a default route.")
    var clients: [String] = []

    @Option(help: "plain, github-wiki or mkdocs.")
    var layout: String = SiteLayout.plain.rawValue

    @Option(help: "The Mustache templates folder (default: ./Templates, or Templates beside the executable's package).")
    var templates: String?

    @Flag(help: "Also render PNG diagrams.")
    var png = false

    func validate() throws {
        if snapshots.isEmpty { throw ValidationError("give at least one snapshot folder") }
        if SiteLayout(rawValue: layout) == nil {
            throw ValidationError("--layout \(layout): use one of \(SiteLayout.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try runReportingErrors {
            let addresses = try clients.map { text -> IPAddress in
                guard let a = IPAddress(text) else {
                    throw HookwalkError(.none, "--client \"\(text)\": not an IP address")
                }
                return a
            }
            // The output must not be read as input: a folder inside a snapshot (docker-netns/ is
            // read as a folder of files) or one holding a snapshot would be replaced under it.
            for path in snapshots where OutputTree.isWithin(out, path) || OutputTree.isWithin(path, out) {
                throw HookwalkError(file: out, .none, "--out is inside the snapshot folder \(path) or holds it; write the documents outside the snapshot")
            }
            let hosts = try snapshots.map { path -> SiteHost in
                let snap = try SnapshotLoader.load(path: path)
                return SiteHost(name: HostDocuments.name(snapshot: snap, path: path), snapshot: snap,
                                scenarios: HostDocuments.scenarios(snapshot: snap, clients: addresses,
                                                                   ruleText: NftTextWriter.ruleText),
                                clients: HostDocuments.clients(snapshot: snap, given: addresses))
            }
            let generator = try DocGenerator(templatesDirectory: try templatesDirectory(), ruleText: NftTextWriter.ruleText)
            try generator.generate(hosts: hosts, layout: SiteLayout(rawValue: layout) ?? .plain, outDir: out, png: png)
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
