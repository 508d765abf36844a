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

    public init(templatesDirectory: String, ruleText: @escaping RulePrinter) throws {
        templates = try TemplateSet(directory: templatesDirectory)
        self.ruleText = ruleText
    }

    public func generate(snapshot: Snapshot, scenarios: [ScenarioDoc], outDir: String, png: Bool) throws {
        let files = try render(snapshot: snapshot, scenarios: scenarios, png: png)
        try OutputTree.replace(outDir, with: files, marker: Self.markerFile)
    }

    /// The output tree as relative path -> bytes.
    public func render(snapshot: Snapshot, scenarios: [ScenarioDoc], png: Bool) throws -> [String: [UInt8]] {
        let context = RenderContext(ruleset: snapshot.ruleset, host: snapshot.host, ruleText: ruleText)
        let builder = WalkthroughBuilder(context: context)
        var files: [String: [UInt8]] = [:]
        var rows: [IndexPage.Row] = []
        var crossings: [OverviewDiagram.Crossing] = []
        let ids = Self.fileIDs(scenarios.map(\.id))

        func addDiagram(_ base: String, dot: String) throws {
            files["diagrams/\(base).dot"] = Array(dot.utf8)
            files["diagrams/\(base).svg"] = try GraphvizRenderer.render(dot: dot, format: "svg")
            if png { files["diagrams/\(base).png"] = try GraphvizRenderer.render(dot: dot, format: "png") }
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
            var directions = [ScenarioPage.direction(request, request: nil, diagram: "../diagrams/\(id)-request.svg",
                                                     host: snapshot.host)]
            if let reply {
                directions.append(ScenarioPage.direction(reply, request: request, diagram: "../diagrams/\(id)-reply.svg",
                                                         host: snapshot.host))
            }
            let page = ScenarioPage(id: id, title: Markdown.escape(doc.title), kind: Markdown.escape(doc.kind),
                                    verdict: Phrases.verdict(trace),
                                    requestDiagram: "../diagrams/\(id)-request.svg",
                                    replyDiagram: reply == nil ? nil : "../diagrams/\(id)-reply.svg",
                                    directions: directions)
            files["scenarios/\(id).md"] = Array(try templates.render(page, template: "scenario").utf8)
            rows.append(IndexPage.Row(title: Markdown.escape(doc.title), kind: Markdown.escape(doc.kind),
                                      verdict: Phrases.shortVerdict(trace), page: "scenarios/\(id).md",
                                      requestDiagram: "diagrams/\(id)-request.svg",
                                      replyDiagram: reply == nil ? nil : "diagrams/\(id)-reply.svg"))
            crossings.append(OverviewDiagram.Crossing(scenario: id, trace: trace))
        }
        try addDiagram("overview", dot: OverviewDiagram.dot(ruleset: snapshot.ruleset,
                                                            hostname: snapshot.host.info.hostname ?? "host",
                                                            crossings: crossings))
        files["index.md"] = Array(try templates.render(IndexPage.make(snapshot: snapshot, rows: rows), template: "index").utf8)
        return files
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
            let n = seen[id, default: 0] + 1
            seen[id] = n
            return n == 1 ? id : "\(id)-\(n)"
        }
    }
}
