import HookwalkFindings
import HookwalkModel

/// The "Findings" section at the top of a host's index page (and `hookwalk findings --format
/// markdown`): a table of the findings, then each one with its scenarios linked to their
/// walkthroughs, its deciding rules with their owners, and its remedies. Every host-given string
/// is escaped; `link` maps a catalog scenario id to the page's link target (nil: no page).
public enum FindingsSection {
    public static func markdown(_ report: FindingsReport, heading: String = "##", link: (String) -> String?) -> String {
        let e = Markdown.escape
        var lines = ["\(heading) Findings", ""]
        for n in report.notes { lines.append("- " + Markdown.prose(n)) }
        if !report.notes.isEmpty { lines.append("") }
        guard !report.findings.isEmpty else {
            lines.append("No findings: every documented path does what its rules say, and nothing is reachable that the host's input path closes.")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append(FindingsOutput.summary(report) + ".")
        lines.append("")
        lines.append("| Severity | Finding | Id |")
        lines.append("|---|---|---|")
        for f in report.findings {
            lines.append("| \(f.severity.rawValue) | \(Markdown.prose(f.statement)) | [\(e(f.id))](#\(anchor(f.id))) |")
        }
        for f in report.findings {
            lines.append("")
            lines.append("\(heading)# \(e(f.id))")
            lines.append("")
            lines.append("**\(f.severity.rawValue)**, \(e(f.kind)). \(Markdown.prose(f.statement))")
            lines.append("")
            for s in f.scenarios {
                let title = Markdown.prose(s.title)
                if let id = s.id, let target = link(id) {
                    lines.append("- Scenario: [\(title)](\(target)): \(e(s.outcome))")
                } else {
                    lines.append("- Scenario: \(title): \(e(s.outcome))")
                }
            }
            // A chain's unmatched rules can be thousands on a big host: the first ones, and a count.
            for r in f.rules.prefix(maxRules) {
                let handle = r.handle.map { ", handle \($0)" } ?? ""
                lines.append("- Rule (\(e(r.role))): \(Markdown.codeSpan(r.text)) in \(e("\(r.family) \(r.table) \(r.chain)"))\(handle), written by \(e(r.owner.badge))")
            }
            if f.rules.count > maxRules {
                lines.append("- and \(f.rules.count - maxRules) more rules (`hookwalk findings --format json` lists every one)")
            }
            for m in f.remedies {
                lines.append("- Remedy (\(e(m.kind))): \(Markdown.prose(m.explanation)):")
                lines.append("")
                lines.append("  " + Markdown.codeBlock([m.command], info: "sh").replacingOccurrences(of: "\n", with: "\n  "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rules listed per finding on a page.
    static let maxRules = 20
    /// Up to this many findings are written in full on the index; more (a big host) get a
    /// summary there and findings pages with one line per finding.
    public static let inlineLimit = 25
    /// Findings per findings page.
    public static let pageSize = 300

    /// The index's section for a host with many findings: how many of each kind, and the pages.
    public static func summary(_ report: FindingsReport, pages: [String]) -> String {
        var lines = ["## Findings", ""]
        for n in report.notes { lines.append("- " + Markdown.prose(n)) }
        if !report.notes.isEmpty { lines.append("") }
        lines.append(FindingsOutput.summary(report) + ".")
        lines.append("")
        lines.append("| Severity | Kind | Findings |")
        lines.append("|---|---|---|")
        var counts: [String: (Severity, Int)] = [:]
        var order: [String] = []
        for f in report.findings {
            let key = "\(f.severity.rawValue) \(f.kind)"
            if counts[key] == nil { order.append(key); counts[key] = (f.severity, 0) }
            counts[key]!.1 += 1
        }
        for key in order {
            let (severity, n) = counts[key]!
            lines.append("| \(severity.rawValue) | \(Markdown.escape(String(key.dropFirst(severity.rawValue.count + 1)))) | \(n.grouped) |")
        }
        lines.append("")
        let links = pages.enumerated().map { "[\($0.offset == 0 ? "findings" : "part \($0.offset + 1)")](\($0.element))" }
        lines.append("Every finding, with the scenario that shows it, the rule that decides and the remedy: " + links.joined(separator: ", ")
                     + " (`hookwalk findings --format json` has every rule and remedy of each).")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A findings page: one table line per finding of `part`.
    public static func page(_ report: FindingsReport, part: [Finding], number: Int, of total: Int, hostPage: String,
                            link: (String) -> String?) -> String {
        let e = Markdown.escape
        var lines = ["# Findings of \(e(report.host))" + (total > 1 ? " (\(number) of \(total))" : ""), "",
                     "[Back to the host](\(hostPage))", "",
                     "| Severity | Id | Finding | Scenario | Deciding rules | Remedy |", "|---|---|---|---|---|---|"]
        for f in part {
            let scenarios = f.scenarios.prefix(2).map { s -> String in
                if let id = s.id, let target = link(id) { return "[\(Markdown.prose(s.title))](\(target))" }
                return Markdown.prose(s.title)
            }.joined(separator: "<br>")
            let rules = f.rules.prefix(3).map { r in
                "\(e(r.role)): \(e("\(r.family) \(r.table) \(r.chain)"))\(r.handle.map { " #\($0)" } ?? "") (\(e(r.owner.badge)))"
            }.joined(separator: "<br>") + (f.rules.count > 3 ? "<br>and \(f.rules.count - 3) more" : "")
            let remedy = f.remedies.first.map { Markdown.tableCode($0.command) } ?? "-"
            lines.append("| \(f.severity.rawValue) | \(e(f.id)) | \(Markdown.prose(f.statement)) | \(scenarios.isEmpty ? "-" : scenarios) | \(rules.isEmpty ? "-" : rules) | \(remedy) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The anchor GitHub and MkDocs give the `### <id>` heading: ids are `[a-z0-9-]` already.
    static func anchor(_ id: String) -> String {
        String(id.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }.map(Character.init))
    }
}
