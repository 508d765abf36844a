/// How the generated files are laid out, for where the documentation is published.
public enum SiteLayout: String, Sendable, CaseIterable {
    /// Folders: `index.md`, `scenarios/`, `diagrams/`; with several hosts, one such folder per
    /// host below a hosts index.
    case plain
    /// A GitHub wiki repository: flat page names (the wiki ignores folders for page names),
    /// `Home.md`, `_Sidebar.md`, images beside the pages, links by page name without `.md`.
    case githubWiki = "github-wiki"
    /// An MkDocs project: `mkdocs.yml` with a nav, the pages under `docs/`.
    case mkdocs
}

/// Where each file of a site goes and how one page links to another. Every path is relative to
/// the output folder and built only from ids that `DocGenerator.fileIDs` made file-name safe.
public struct SitePaths: Sendable {
    public let layout: SiteLayout
    /// Whether a hosts index sits above the hosts. Plain output of one host keeps the historical
    /// single-host tree; the wiki layouts always have one, so adding a host later renames nothing.
    public let hasHostsIndex: Bool

    public init(layout: SiteLayout, hostCount: Int) {
        self.layout = layout
        hasHostsIndex = layout != .plain || hostCount > 1
    }

    /// The hosts index (nil for a plain single-host tree).
    public var hostsIndex: String? {
        guard hasHostsIndex else { return nil }
        switch layout {
        case .plain: return "index.md"
        case .githubWiki: return "Home.md"
        case .mkdocs: return "docs/index.md"
        }
    }

    /// The folder of a host's files ("" for the plain single-host tree).
    func folder(_ host: String) -> String {
        switch layout {
        case .plain: return hasHostsIndex ? host + "/" : ""
        case .githubWiki: return ""
        case .mkdocs: return "docs/" + host + "/"
        }
    }

    public func hostIndex(_ host: String) -> String {
        layout == .githubWiki ? host + ".md" : folder(host) + "index.md"
    }

    public func scenario(_ host: String, _ id: String) -> String {
        layout == .githubWiki ? "\(host)--\(id).md" : folder(host) + "scenarios/\(id).md"
    }

    /// A diagram file: `base` is `<id>-request`, `<id>-reply` or `overview`, `ext` its format.
    public func diagram(_ host: String, _ base: String, _ ext: String) -> String {
        layout == .githubWiki ? "\(host)--\(base).\(ext)" : folder(host) + "diagrams/\(base).\(ext)"
    }

    /// A machine-readable file of a host (`scenarios.json`, `traces/<id>.json`): beside the
    /// host's pages, except in a wiki, whose flat page namespace gets them under `data/<host>/`.
    /// `hookwalk diff` reads the folder that holds `scenarios.json`.
    public func data(_ host: String, _ file: String) -> String {
        layout == .githubWiki ? "data/\(host)/\(file)" : folder(host) + file
    }

    /// The link written in page `from` to the file `to`. A GitHub wiki addresses pages by name,
    /// so `.md` is dropped there; elsewhere links are relative file paths (MkDocs rewrites `.md`
    /// links itself and checks them).
    public func link(from: String, to: String) -> String {
        var target = Self.relative(from: from, to: to)
        if layout == .githubWiki, target.hasSuffix(".md") { target.removeLast(3) }
        return Markdown.linkTarget(target)
    }

    /// `a/b/c.md` -> `a/d/e.svg` is `../d/e.svg`.
    static func relative(from: String, to: String) -> String {
        var fromDirs = from.split(separator: "/").map(String.init).dropLast()
        var toParts = to.split(separator: "/").map(String.init)
        while let f = fromDirs.first, toParts.count > 1, f == toParts.first {
            fromDirs.removeFirst()
            toParts.removeFirst()
        }
        return (Array(repeating: "..", count: fromDirs.count) + toParts).joined(separator: "/")
    }
}

extension SitePaths {
    /// A GitHub wiki routes `/wiki/<name>`, and a dot in the name can be read as a format
    /// suffix; page names there use `-` instead.
    static func wikiSafe(_ id: String) -> String {
        id.replacingOccurrences(of: ".", with: "-")
    }
}

extension SitePaths {
    /// A host's findings page when it has too many findings for its index: `findings.md`, then
    /// `findings-2.md`...; in a wiki `<host>--findings.md`. No scenario id is `findings`: every id
    /// names a container or network and what the scenario does.
    public func findingsPage(_ host: String, part: Int) -> String {
        let name = part == 1 ? "findings" : "findings-\(part)"
        return layout == .githubWiki ? "\(host)--\(name).md" : folder(host) + "\(name).md"
    }
}
