import Foundation
import HookwalkModel

/// The `text` and `json` forms of `hookwalk findings`. (The Markdown form, with links, is in
/// HookwalkRender, beside the escapers it uses.)
public enum FindingsOutput {
    /// For a terminal: one block per finding; control and bidi characters of host-given names are
    /// escaped (`TerminalText`), so a name cannot move the cursor or clear the screen.
    public static func text(_ reports: [FindingsReport]) -> String {
        var lines: [String] = []
        for r in reports {
            if !lines.isEmpty { lines.append("") }
            lines.append("\(clean(r.host)): \(summary(r))")
            for n in r.notes { lines.append("  note: \(clean(n))") }
            for f in r.findings {
                lines.append("")
                lines.append("  [\(f.severity.rawValue)] \(f.id) (\(f.kind))")
                lines.append("    \(clean(f.statement))")
                for s in f.scenarios {
                    lines.append("    scenario: \(clean(s.id.map { "\($0): " } ?? ""))\(clean(s.title)) -> \(s.outcome)")
                }
                for rule in f.rules {
                    let handle = rule.handle.map { " handle \($0)" } ?? ""
                    lines.append("    rule (\(rule.role)): \(clean(rule.family)) \(clean(rule.table)) \(clean(rule.chain))\(handle): \(clean(rule.text)) [\(clean(rule.owner.badge))]")
                }
                for m in f.remedies {
                    lines.append("    remedy (\(m.kind)): \(clean(m.command))")
                    lines.append("      \(clean(m.explanation))")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `3 findings: 1 critical, 1 warning, 1 info` or `no findings`.
    public static func summary(_ r: FindingsReport) -> String {
        guard !r.findings.isEmpty else { return "no findings" }
        let parts = Severity.allCases.reversed().compactMap { s -> String? in
            let n = r.count(s)
            return n == 0 ? nil : "\(n) \(s.rawValue)"
        }
        return "\(r.findings.count) finding\(r.findings.count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }

    /// `{"hosts": [report...]}`, keys sorted, so reruns give the same bytes.
    public static func json(_ reports: [FindingsReport]) -> String {
        struct Document: Encodable { var hosts: [FindingsReport] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Document(hosts: reports))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    public static func clean(_ s: String) -> String { TerminalText.escaped(s, keepLines: false) }
}
