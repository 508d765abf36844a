import HookwalkRender
/// The Markdown form of a `DiffReport`: a header naming both hosts, a one-line summary, the host
/// settings that differ, then the scenarios most important first. Everything from a host is
/// escaped (`Markdown.escape`, `Markdown.tableCode`); the output depends on the report only, so it is byte-stable.
public enum MarkdownDiff {
    /// `diagrams`: per scenario, the overlay diagram's path relative to the report, embedded
    /// under the scenario's details (`hookwalk diff --out` writes them; stdout has none).
    public static func render(_ r: DiffReport, diagrams: [ScenarioKey: String] = [:]) -> String {
        var out: [String] = ["# hookwalk diff", ""]
        out += ["| | A | B |", "|---|---|---|"]
        out.append("| snapshot | \(t(r.a.snapshot)) | \(t(r.b.snapshot)) |")
        out.append("| host | \(t(r.a.hostname ?? "unknown")) | \(t(r.b.hostname ?? "unknown")) |")
        out.append("| clients | \(t(r.a.clients.joined(separator: ", "))) | \(t(r.b.clients.joined(separator: ", "))) |")
        out.append("")
        out.append(summary(r))
        if !r.settings.isEmpty {
            out += ["", "## Settings that differ", "", "| setting | A | B |", "|---|---|---|"]
            out += r.settings.map { "| \(t($0.name)) | \(t($0.a)) | \(t($0.b)) |" }
        }
        for (status, heading) in [(ScenarioDiff.Status.verdictChange, "Verdict changes"), (.differentPath, "Different paths")] {
            let items = r.scenarios.filter { $0.status == status }
            guard !items.isEmpty else { continue }
            out += ["", "## \(heading)"]
            for s in items {
                out += detail(s)
                if let d = diagrams[s.key] {
                    out += ["", "![overlay of A and B: \(t(s.key.label))](\(d))",
                            "", "Orange (solid): only on A; blue (dashed): only on B; white: on both."]
                }
            }
        }
        for (status, heading, side) in [(ScenarioDiff.Status.onlyOnA, "Only on A", "A"), (.onlyOnB, "Only on B", "B")] {
            let items = r.scenarios.filter { $0.status == status }
            guard !items.isEmpty else { continue }
            out += ["", "## \(heading)", ""]
            out += items.map { s in
                "- \(t(s.key.label)): \(t((side == "A" ? s.titleA : s.titleB) ?? "")), \(t((side == "A" ? s.outcomeA : s.outcomeB) ?? ""))"
            }
        }
        let same = r.scenarios.filter { $0.status == .same }
        if !same.isEmpty {
            out += ["", "## Same path", "", "| scenario | outcome on both |", "|---|---|"]
            out += same.map { "| \(t($0.key.label)) | \(t($0.outcomeA ?? "")) |" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func summary(_ r: DiffReport) -> String {
        if r.equivalent { return "**Equivalent**: all \(r.scenarios.count) scenarios take the same path on both hosts." }
        let parts = [(ScenarioDiff.Status.verdictChange, "verdict change", "verdict changes"),
                     (.differentPath, "different path", "different paths"), (.onlyOnA, "only on A", "only on A"),
                     (.onlyOnB, "only on B", "only on B"), (.same, "same path", "same path")]
            .map { (status, one, many) -> String in let n = r.count(status); return "\(n) \(n == 1 ? one : many)" }
        return "**Different**: " + parts.joined(separator: ", ") + " (of \(r.scenarios.count) scenarios)."
    }

    static func detail(_ s: ScenarioDiff) -> [String] {
        var out = ["", "### \(t(s.key.label))", ""]
        func works(_ w: Bool?) -> String { w == true ? "**works**" : "**fails**" }
        out.append("- A: \(t(s.titleA ?? "")): \(works(s.worksA)), \(t(s.outcomeA ?? ""))")
        out.append("- B: \(t(s.titleB ?? "")): \(works(s.worksB)), \(t(s.outcomeB ?? ""))")
        if let d = s.firstDivergence {
            out.append("- First divergent step: \(d.packet) step \(d.step)")
            out.append("  - A: \(step(d.a ?? "none"))")
            out.append("  - B: \(step(d.b ?? "none"))")
        }
        for (side, steps) in [("A", s.onlyOnA), ("B", s.onlyOnB)] where !steps.isEmpty {
            out.append("- Steps only on \(side):")
            out += steps.prefix(maxSteps).map { "  - \(step($0))" }
            if steps.count > maxSteps { out.append("  - … and \(steps.count - maxSteps) more (all of them in `--format json`)") }
        }
        return out
    }

    /// After a drop, the rest of the other side's path is all "only there": the first steps say
    /// enough for a person; JSON has the full list.
    static let maxSteps = 12

    /// A step reads `ip filter FORWARD: <rule> (verdict)`; the whole line is shown as code.
    static func step(_ s: String) -> String { Markdown.tableCode(s) }

    static func t(_ s: String) -> String { Markdown.escape(s) }
}
