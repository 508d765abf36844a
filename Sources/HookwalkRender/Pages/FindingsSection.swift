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

    /// The anchor GitHub and MkDocs give the `### <id>` heading: ids are `[a-z0-9-]` already.
    static func anchor(_ id: String) -> String {
        String(id.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }.map(Character.init))
    }
}
