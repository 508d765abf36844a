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

    @Option(name: .customLong("container"),
            help: "Document only the scenarios of this container (repeatable; with --network or --port, those of any of them that also pass the others).")
    var containerFilter: [String] = []

    @Option(name: .customLong("network"), help: "Document only the scenarios of this Docker network (repeatable).")
    var networkFilter: [String] = []

    @Option(name: .customLong("port"), help: "Document only the scenarios to this destination port, e.g. a published host port (repeatable).")
    var portFilter: [Int] = []

    @Option(help: "Pages on this many threads and Graphviz layouts in this many worker processes (default: the number of cores; 1: all in process, one at a time). The output is the same bytes whatever N.")
    var jobs: Int?

    func validate() throws {
        if snapshots.isEmpty { throw ValidationError("give at least one snapshot folder") }
        if SiteLayout(rawValue: layout) == nil {
            throw ValidationError("--layout \(layout): use one of \(SiteLayout.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try runReportingErrors { try generate() }
    }

    func generate() throws {
        do {
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
            var clock = PhaseClock()
            let filter = ScenarioFilter(containers: containerFilter, networks: networkFilter, ports: portFilter)
            let loaded: [(path: String, snapshot: Snapshot)] = try clock.measure("load") {
                try snapshots.map { path in (path, try SnapshotLoader.load(path: path)) }
            }
            if !filter.isEmpty { try filter.check(loaded) }
            let progress = ProgressLine()
            let admits: ((DocScenario) -> Bool)? = filter.isEmpty ? nil : { filter.admits($0) }
            let hosts: [SiteHost] = clock.measure("simulate") {
                loaded.map { entry -> SiteHost in
                    SiteHost(name: HostDocuments.name(snapshot: entry.snapshot, path: entry.path), snapshot: entry.snapshot,
                             scenarios: HostDocuments.scenarios(snapshot: entry.snapshot, clients: addresses, where: admits),
                             clients: HostDocuments.clients(snapshot: entry.snapshot, given: addresses))
                }
            }
            if !filter.isEmpty && hosts.allSatisfy(\.scenarios.isEmpty) {
                throw HookwalkError(.none, "\(filter.description): no documented scenario passes the filters")
            }
            let workers = try jobCount()
            var generator = try DocGenerator(templatesDirectory: try templatesDirectory())
            generator.threads = workers
            var files: [String: [UInt8]] = try clock.measure("pages") {
                try generator.renderPages(hosts: hosts, layout: SiteLayout(rawValue: layout) ?? .plain, png: png,
                                          progress: { done, total in progress.update("pages \(done)/\(total)") })
            }
            let diagrams = files.keys.filter { $0.hasSuffix(".dot") }.count
            try clock.measure("layout") {
                try generator.layOut(&files, png: png, jobs: workers, worker: workers > 1 ? LayoutWorkerCommand.worker() : nil,
                                     progress: { done, total in progress.update("layout \(done)/\(total)") })
            }
            try clock.measure("write") { try generator.write(files, to: out) }
            progress.clear()
            let pages = files.keys.filter { $0.hasSuffix(".md") }.count
            writeToStandardError("hookwalk: \(pages) pages, \(diagrams) diagrams, \(files.count + 1) files in \(out) "
                                 + "in \(clock.summary)\n")
        }
    }

    /// `--jobs`, else the number of cores.
    func jobCount() throws -> Int {
        guard let jobs else { return max(1, ProcessInfo.processInfo.activeProcessorCount) }
        guard jobs >= 1, jobs <= 256 else { throw HookwalkError(.none, "--jobs \(jobs): give 1 to 256") }
        return jobs
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
