import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkSimulator

/// Writes the documentation of a host: `index.md`, `scenarios/<id>.md`,
/// `diagrams/<id>-{request,reply}.{dot,svg[,png]}` (plus `<id>-proxy-{request,reply}` when
/// docker-proxy opens a second connection), `diagrams/overview.{dot,svg[,png]}`, and the traces as
/// JSON (`scenarios.json`, `traces/<id>.json`) so the folder can be diffed later.
///
/// Everything is produced in memory, written to a sibling folder, and renamed into place at the
/// end, so a failure never leaves a half-written tree and a reader never sees one. Output depends
/// only on the inputs (no dates, no pointer ids, stable orders), so two runs give identical bytes.
public struct DocGenerator: Sendable {
    public let templates: TemplateSet
    /// Threads that render scenario pages (`generate --jobs`); the output does not depend on it.
    public var threads = 1
    /// Containers per network page of a big host (`NetworkPages`).
    public var networkPageSize = NetworkPages.containersPerPage

    /// Marks a folder as hookwalk's output, which is what allows `generate` to replace it.
    public static let markerFile = ".hookwalk-output"
    /// The marker's text: fixed, with nothing of the machine or the time, so a committed output
    /// tree (`Output/`) stays byte-identical wherever it is regenerated.
    public static let markerContents = "Written by `hookwalk generate`; the whole folder is replaced on the next run.\n"

    public init(templatesDirectory: String) throws {
        templates = try TemplateSet(directory: templatesDirectory)
    }

    public func generate(snapshot: Snapshot, scenarios: [ScenarioDoc], outDir: String, png: Bool) throws {
        let files = try render(snapshot: snapshot, scenarios: scenarios, png: png)
        try OutputTree.replace(outDir, with: files, marker: Self.markerFile, contents: Self.markerContents)
    }

    /// The output tree of one host in the plain layout (`index.md`, `scenarios/`, `diagrams/`),
    /// as relative path -> bytes.
    public func render(snapshot: Snapshot, scenarios: [ScenarioDoc], png: Bool) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        _ = try renderHost(snapshot: snapshot, scenarios: scenarios, png: png, host: "",
                           paths: SitePaths(layout: .plain, hostCount: 1), into: &files)
        try layOut(&files, png: png)
        return files
    }

    /// Renders one host's pages and diagrams into `files`, at the places `paths` gives, and
    /// returns what a hosts index, a sidebar or a nav needs to know about them.
    func renderHost(snapshot: Snapshot, scenarios: [ScenarioDoc], clients: [IPAddress] = [], png: Bool, host: String,
                    paths: SitePaths, into files: inout [String: [UInt8]],
                    progress: (@Sendable (Int) -> Void)? = nil) throws -> HostSummary {
        let context = RenderContext(ruleset: snapshot.ruleset, host: snapshot.host)
        let builder = WalkthroughBuilder(context: context)
        var rows: [IndexPage.Row] = []
        var entries: [HostSummary.Entry] = []
        var crossings: [OverviewDiagram.Crossing] = []
        let rawIDs = scenarios.map { paths.layout == .githubWiki ? SitePaths.wikiSafe($0.id) : $0.id }
        let ids = Self.fileIDs(rawIDs)
        let hostPage = paths.hostIndex(host)

        var notModelled: [(construct: NotModelledConstruct, scenarios: [String])] = []
        var rendered: [NetworkPages.Entry] = []
        // A filtered run (`--container`) of a big host still lists thousands of containers.
        let big = scenarios.count > NetworkPages.threshold || snapshot.host.docker.containers.count > NetworkPages.threshold
        // The scenarios' pages and .dot files are pure functions of their inputs, so they are
        // rendered on `threads` threads and merged in scenario order: the same bytes whatever
        // the number of threads.
        let pieces = try Self.concurrently(Array(zip(scenarios, ids)), threads: threads, progress: progress) { pair in
            var own: [String: [UInt8]] = [:]
            let r = try renderScenario(pair.0, id: pair.1, host: host, snapshot: snapshot, context: context, builder: builder,
                                       paths: paths, png: png, into: &own)
            try writeTrace(pair.0, id: pair.1, host: host, paths: paths, into: &own)
            return (r, own)
        }
        for ((doc, id), piece) in zip(zip(scenarios, ids), pieces) {
            let r = piece.0
            files.merge(piece.1) { _, new in new }
            let fromIndex = { (to: String) in paths.link(from: hostPage, to: to) }
            var verdict = r.shortVerdict
            if !r.notModelled.isEmpty {
                let n = r.notModelled.count
                verdict += " (assumes \(n) not-modelled construct\(n == 1 ? "" : "s"))"
            }
            rows.append(IndexPage.Row(title: Markdown.escape(doc.title), kind: Markdown.escape(doc.kind.rawValue),
                                      verdict: verdict, page: fromIndex(r.page),
                                      requestDiagram: fromIndex(r.requestDiagram),
                                      replyDiagram: r.replyDiagram.map(fromIndex)))
            entries.append(HostSummary.Entry(doc: doc, page: r.page, verdict: r.shortVerdict, works: Phrases.works(doc.trace)))
            crossings.append(OverviewDiagram.Crossing(scenario: id, trace: doc.trace, kind: doc.kind.rawValue))
            rendered.append(NetworkPages.Entry(doc: doc, page: r.page, requestDiagram: r.requestDiagram,
                                               replyDiagram: r.replyDiagram, verdict: verdict, works: Phrases.works(doc.trace)))
            let link = "[\(Markdown.escape(doc.title))](\(fromIndex(r.page)))"
            for c in r.notModelled {
                if let i = notModelled.firstIndex(where: { $0.construct == c }) {
                    notModelled[i].scenarios.append(link)
                } else {
                    notModelled.append((c, [link]))
                }
            }
        }
        try addDiagram(files: &files, paths: paths, host: host, base: "overview", png: png,
                       dot: OverviewDiagram.dot(ruleset: snapshot.ruleset, hostname: snapshot.host.info.hostname ?? "host",
                                                crossings: crossings))
        var index = IndexPage.make(snapshot: snapshot, rows: rows,
                                   containerLinks: Self.containerLinks(scenarios, ids: ids, paths: paths, host: host))
        if big {
            index.byNetwork = try NetworkPages.render(snapshot: snapshot, entries: rendered, host: host, paths: paths,
                                                      perPage: max(1, networkPageSize),
                                                      templates: templates, indexRows: rows, containerRows: index.containers,
                                                      into: &files)
            let most = NetworkPages.listedPerConstruct
            notModelled = notModelled.map { c, list in
                (c, list.count <= most ? list : Array(list.prefix(most)) + ["and \((list.count - most).grouped) more"])
            }
        }
        index.notModelled = IndexPage.notModelledSection(notModelled)
        // Findings, from the same traces: each scenario links to its page in this layout.
        let findings = Self.findings(snapshot: snapshot, scenarios: scenarios, host: host)
        let pageOf = Dictionary(zip(scenarios.map(\.id), ids), uniquingKeysWith: { a, _ in a })
        var findingsPages: [String] = []
        let networkPages = index.byNetwork?.navigation ?? []
        let navEntries = index.byNetwork.map { $0.unplaced.map { entries[$0] } }
        if findings.findings.count <= FindingsSection.inlineLimit {
            index.findings = FindingsSection.markdown(findings) { id in
                pageOf[id].map { paths.link(from: hostPage, to: paths.scenario(host, $0)) }
            }
        } else {
            // Many findings (a big host): a summary on the index, and one line per finding on
            // findings pages of at most `pageSize` findings each.
            let chunks = stride(from: 0, to: findings.findings.count, by: FindingsSection.pageSize).map {
                Array(findings.findings[$0..<min($0 + FindingsSection.pageSize, findings.findings.count)])
            }
            findingsPages = chunks.indices.map { paths.findingsPage(host, part: $0 + 1) }
            for (i, chunk) in chunks.enumerated() {
                let page = findingsPages[i]
                let text = FindingsSection.page(findings, part: chunk, number: i + 1, of: chunks.count,
                                                hostPage: paths.link(from: page, to: hostPage)) { id in
                    pageOf[id].map { paths.link(from: page, to: paths.scenario(host, $0)) }
                }
                files[page] = Array(text.utf8)
            }
            index.findings = FindingsSection.summary(findings, pages: findingsPages.map { paths.link(from: hostPage, to: $0) })
        }
        try writeData(snapshot: snapshot, scenarios: scenarios, ids: ids, clients: clients, host: host, paths: paths, into: &files)
        index.overview = paths.link(from: hostPage, to: paths.diagram(host, "overview", "svg"))
        index.hostsPage = paths.hostsIndex.map { paths.link(from: hostPage, to: $0) }
        files[hostPage] = Array(try templates.render(index, template: "index").utf8)
        return HostSummary(slug: host, snapshot: snapshot, page: hostPage, entries: entries, findings: findings, findingsPages: findingsPages,
                           networkPages: networkPages, navEntries: navEntries)
    }

    /// `body` of every item, on `threads` threads (interleaved shares), results in item order;
    /// the first error in item order is thrown.
    static func concurrently<T: Sendable, R: Sendable>(_ items: [T], threads: Int, progress: (@Sendable (Int) -> Void)?,
                                                       _ body: @Sendable (T) throws -> R) throws -> [R] {
        let n = max(1, min(threads, items.count))
        guard n > 1 else {
            var out: [R] = []
            out.reserveCapacity(items.count)
            for item in items {
                out.append(try body(item))
                progress?(out.count)
            }
            return out
        }
        let box = ConcurrentResults<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: n) { share in
            for i in stride(from: share, to: items.count, by: n) {
                let result = Result { try body(items[i]) }
                progress?(box.set(i, result))
            }
        }
        return try box.collect()
    }

    /// File-name-safe, unique ids: a scenario id from a snapshot could hold `/` or `..`.
    static func fileIDs(_ ids: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return ids.map { raw in
            var id = String(raw.unicodeScalars.map { u -> Character in
                switch u {
                case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return Character(u)
                default: return "-"
                }
            })
            while id.hasPrefix(".") { id = "_" + id.dropFirst() }
            if id.isEmpty { id = "scenario" }
            if id.count > 120 { id = String(id.prefix(120)) }
            // Case-insensitively: macOS file systems and GitHub wikis do not tell `A` from `a`.
            let n = seen[id.lowercased(), default: 0] + 1
            seen[id.lowercased()] = n
            return n == 1 ? id : "\(id)-\(n)"
        }
    }
}

/// Results by index, filled from several threads.
final class ConcurrentResults<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<R, Error>?]
    private var done = 0

    init(count: Int) { results = Array(repeating: nil, count: count) }

    /// Stores a result; returns how many are done.
    func set(_ i: Int, _ r: Result<R, Error>) -> Int {
        lock.lock()
        defer { lock.unlock() }
        results[i] = r
        done += 1
        return done
    }

    func collect() throws -> [R] {
        lock.lock()
        defer { lock.unlock() }
        return try results.map { try $0!.get() }
    }
}

extension DocGenerator {
    /// A host's findings, computed from its documented scenarios' traces.
    public static func findings(snapshot: Snapshot, scenarios: [ScenarioDoc], host: String) -> FindingsReport {
        let name = snapshot.host.info.hostname ?? (host.isEmpty ? snapshot.path.lastComponent : host)
        return FindingsEngine(snapshot: snapshot).report(scenarios, host: name)
    }

    /// The file id `generate` gives one scenario id in the plain layout (alone on its host).
    public static func fileID(_ id: String) -> String { fileIDs([id])[0] }
}
