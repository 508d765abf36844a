import Foundation
import HookwalkModel
import HookwalkSimulator

/// Writes the documentation of a host: `index.md`, `scenarios/<id>.md`,
/// `diagrams/<id>-{request,reply}.{dot,svg[,png]}` and `diagrams/overview.{dot,svg[,png]}`.
///
/// Everything is produced in memory, written to a sibling folder, and renamed into place at the
/// end, so a failure never leaves a half-written tree and a reader never sees one. Output depends
/// only on the inputs (no dates, no pointer ids, stable orders), so two runs give identical bytes.
public struct DocGenerator: Sendable {
    public let templates: TemplateSet
    public let ruleText: RulePrinter

    /// Marks a folder as hookwalk's output, which is what allows `generate` to replace it.
    public static let markerFile = ".hookwalk-output"
    /// The marker's text: fixed, with nothing of the machine or the time, so a committed output
    /// tree (`Output/`) stays byte-identical wherever it is regenerated.
    public static let markerContents = "Written by `hookwalk generate`; the whole folder is replaced on the next run.\n"

    public init(templatesDirectory: String, ruleText: @escaping RulePrinter) throws {
        templates = try TemplateSet(directory: templatesDirectory)
        self.ruleText = ruleText
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
        return files
    }

    /// Renders one host's pages and diagrams into `files`, at the places `paths` gives, and
    /// returns what a hosts index, a sidebar or a nav needs to know about them.
    func renderHost(snapshot: Snapshot, scenarios: [ScenarioDoc], png: Bool, host: String, paths: SitePaths,
                    into files: inout [String: [UInt8]]) throws -> HostSummary {
        let context = RenderContext(ruleset: snapshot.ruleset, host: snapshot.host, ruleText: ruleText)
        let builder = WalkthroughBuilder(context: context)
        var rows: [IndexPage.Row] = []
        var entries: [HostSummary.Entry] = []
        var crossings: [OverviewDiagram.Crossing] = []
        let rawIDs = scenarios.map { paths.layout == .githubWiki ? SitePaths.wikiSafe($0.id) : $0.id }
        let ids = Self.fileIDs(rawIDs)
        let hostPage = paths.hostIndex(host)

        func addDiagram(_ base: String, dot: String) throws {
            files[paths.diagram(host, base, "dot")] = Array(dot.utf8)
            files[paths.diagram(host, base, "svg")] = try GraphvizRenderer.render(dot: dot, format: "svg")
            if png { files[paths.diagram(host, base, "png")] = try GraphvizRenderer.render(dot: dot, format: "png") }
        }

        for (doc, id) in zip(scenarios, ids) {
            let trace = doc.trace
            let request = builder.build(trace.request, direction: .request, from: trace.scenario.from)
            var reply: Walkthrough?
            if let r = trace.reply, case .delivered(let endpoint, _) = trace.request.outcome {
                reply = builder.build(r, direction: .reply, from: endpoint)
            }
            try addDiagram("\(id)-request", dot: ScenarioDiagram.dot(request, title: doc.title, context: context))
            if let reply {
                try addDiagram("\(id)-reply", dot: ScenarioDiagram.dot(reply, title: doc.title, context: context))
            }
            let pagePath = paths.scenario(host, id)
            let link = { (to: String) in paths.link(from: pagePath, to: to) }
            let requestSVG = paths.diagram(host, "\(id)-request", "svg"), replySVG = paths.diagram(host, "\(id)-reply", "svg")
            var directions = [ScenarioPage.direction(request, request: nil, diagram: link(requestSVG), host: snapshot.host)]
            if let reply {
                directions.append(ScenarioPage.direction(reply, request: request, diagram: link(replySVG), host: snapshot.host))
            }
            let page = ScenarioPage(id: id, title: Markdown.escape(doc.title), kind: Markdown.escape(doc.kind),
                                    verdict: Phrases.verdict(trace), hostPage: link(hostPage),
                                    requestDiagram: link(requestSVG),
                                    replyDiagram: reply == nil ? nil : link(replySVG),
                                    directions: directions)
            files[pagePath] = Array(try templates.render(page, template: "scenario").utf8)
            let fromIndex = { (to: String) in paths.link(from: hostPage, to: to) }
            rows.append(IndexPage.Row(title: Markdown.escape(doc.title), kind: Markdown.escape(doc.kind),
                                      verdict: Phrases.shortVerdict(trace), page: fromIndex(pagePath),
                                      requestDiagram: fromIndex(requestSVG),
                                      replyDiagram: reply == nil ? nil : fromIndex(replySVG)))
            entries.append(HostSummary.Entry(doc: doc, page: pagePath, verdict: Phrases.shortVerdict(trace)))
            crossings.append(OverviewDiagram.Crossing(scenario: id, trace: trace))
        }
        try addDiagram("overview", dot: OverviewDiagram.dot(ruleset: snapshot.ruleset,
                                                            hostname: snapshot.host.info.hostname ?? "host",
                                                            crossings: crossings))
        var index = IndexPage.make(snapshot: snapshot, rows: rows)
        index.overview = paths.link(from: hostPage, to: paths.diagram(host, "overview", "svg"))
        index.hostsPage = paths.hostsIndex.map { paths.link(from: hostPage, to: $0) }
        files[hostPage] = Array(try templates.render(index, template: "index").utf8)
        return HostSummary(slug: host, snapshot: snapshot, page: hostPage, entries: entries)
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
