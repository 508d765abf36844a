import HookwalkFindings
import HookwalkModel
import HookwalkSimulator

/// What `hosts.mustache` is rendered with: one row per host, and the cross-host table of
/// published ports (which container port is delivered on which host). Strings are final
/// Markdown; the port table is built here because its columns are the hosts.
struct HostsPage: Sendable {
    struct Host: Sendable {
        var name: String
        var page: String
        var kernel: String
        var docker: String
        var scenarios: Int
        var delivered: Int
        /// `2 critical, 1 warning` linked to the host page's Findings section, or `none`.
        var findings: String
    }

    var hostCount: Int
    var hosts: [Host]
    /// The port table's lines (header, rule, rows), or empty when no host publishes a port.
    var portTable: [String]
}

extension HostsPage {
    static func make(_ summaries: [HostSummary], paths: SitePaths, from page: String) -> HostsPage {
        let e = Markdown.escape
        let hosts = summaries.map { s in
            Host(name: e(s.hostname), page: paths.link(from: page, to: s.page),
                 kernel: e(s.snapshot.host.info.kernel ?? "unknown"),
                 docker: e(s.snapshot.host.info.dockerVersion ?? "unknown"),
                 scenarios: s.entries.count,
                 delivered: s.entries.filter { $0.works || $0.verdict == "delivered" }.count,
                 findings: s.findings.findings.isEmpty ? "none"
                    : "[\(FindingsOutput.summary(s.findings))](\(paths.link(from: page, to: s.page))#findings)")
        }
        var keys = Set<HostSummary.PortKey>()
        for s in summaries { for entry in s.entries { if let k = entry.portKey { keys.insert(k) } } }
        var table: [String] = []
        if !keys.isEmpty {
            table.append("| Container | Port | " + summaries.map { e($0.hostname) }.joined(separator: " | ") + " |")
            table.append("|---|---|" + String(repeating: "---|", count: summaries.count))
            for key in keys.sorted() {
                let cells = summaries.map { s -> String in
                    // One cell per host: every client's scenario of this port, linked.
                    let matching = s.entries.filter { $0.portKey == key }
                    if matching.isEmpty { return "-" }
                    return matching.map { "[\($0.verdict)](\(paths.link(from: page, to: $0.page)))" }.joined(separator: "<br>")
                }
                table.append("| \(e(key.container)) | \(key.port)/\(e(key.proto)) | " + cells.joined(separator: " | ") + " |")
            }
        }
        return HostsPage(hostCount: summaries.count, hosts: hosts, portTable: table)
    }
}

/// `_Sidebar.md` of a GitHub wiki: every host and its scenario pages, by page name.
enum Sidebar {
    static func markdown(_ summaries: [HostSummary], paths: SitePaths) -> String {
        var lines = ["**[All hosts](\(paths.link(from: "_Sidebar.md", to: paths.hostsIndex ?? "Home.md")))**", ""]
        for s in summaries {
            lines.append("- [\(Markdown.escape(s.hostname))](\(paths.link(from: "_Sidebar.md", to: s.page)))")
            for (i, page) in s.findingsPages.enumerated() {
                lines.append("  - [Findings\(i == 0 ? "" : " (\(i + 1))")](\(paths.link(from: "_Sidebar.md", to: page)))")
            }
            for network in s.networkPages {
                lines.append("  - [\(Markdown.escape(network.title))](\(paths.link(from: "_Sidebar.md", to: network.page)))")
            }
            for entry in s.navEntries ?? s.entries {
                lines.append("  - [\(Markdown.escape(entry.doc.title))](\(paths.link(from: "_Sidebar.md", to: entry.page)))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `mkdocs.yml`: the site name and a nav of hosts and their scenario pages. Titles are untrusted
/// names, so they are written as double-quoted YAML strings with `\` and `"` escaped and no
/// control characters; `<` and `>` are replaced because themes may print nav titles unescaped.
enum MkDocsConfig {
    static func yaml(_ summaries: [HostSummary], paths: SitePaths) -> String {
        func docsPath(_ p: String) -> String { p.hasPrefix("docs/") ? String(p.dropFirst(5)) : p }
        var lines = ["# Written by hookwalk generate --layout mkdocs; replaced on the next run.",
                     "site_name: \(quoted(summaries.count == 1 ? "hookwalk: " + summaries[0].hostname : "hookwalk: \(summaries.count) hosts"))",
                     "docs_dir: docs",
                     "nav:",
                     "  - \(quoted("Hosts")): \(quoted(docsPath(paths.hostsIndex ?? "docs/index.md")))"]
        for s in summaries {
            lines.append("  - \(key(s.hostname)):")
            lines.append("      - \(quoted("Overview")): \(quoted(docsPath(s.page)))")
            for (i, page) in s.findingsPages.enumerated() {
                lines.append("      - \(quoted(i == 0 ? "Findings" : "Findings (\(i + 1))")): \(quoted(docsPath(page)))")
            }
            for network in s.networkPages {
                lines.append("      - \(key(network.title)): \(quoted(docsPath(network.page)))")
            }
            for entry in s.navEntries ?? s.entries {
                lines.append("      - \(key(entry.doc.title)): \(quoted(docsPath(entry.page)))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A nav title, which YAML reads as a mapping key: an implicit key may be at most 1024
    /// characters long (YAML 1.2, 7.4.2), so a longer title is cut, ending in `…`.
    static func key(_ text: String) -> String {
        let q = quoted(text)
        guard q.count > 1000 else { return q }
        var cut = String(q.dropLast().prefix(990))
        // Never end inside an escape (`\\` or `\"`).
        while cut.hasSuffix("\\") { cut.removeLast() }
        return cut + "…\""
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for u in text.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "<": out += "‹"
            case ">": out += "›"
            default:
                if u.value < 0x20 || u.value == 0x7f || (0x80...0x9f).contains(u.value) { out += " " } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
