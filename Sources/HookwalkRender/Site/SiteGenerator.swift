import HookwalkModel
import HookwalkSimulator

/// One host of a site: its snapshot, the scenarios to document, and a name for its files (the
/// hostname, else the snapshot folder's name; made file-name safe and unique by the generator).
public struct SiteHost: Sendable {
    public var name: String
    public var snapshot: Snapshot
    public var scenarios: [ScenarioDoc]
    /// The external clients the scenarios were made for, in the order given (recorded in
    /// `scenarios.json`, where `hookwalk diff` pairs scenarios by client position). Empty: read
    /// from the scenarios.
    public var clients: [IPAddress]

    public init(name: String, snapshot: Snapshot, scenarios: [ScenarioDoc], clients: [IPAddress] = []) {
        self.name = name
        self.snapshot = snapshot
        self.scenarios = scenarios
        self.clients = clients
    }
}

extension DocGenerator {
    /// The whole site of one or more hosts in `layout`, as relative path -> bytes. Hosts keep the
    /// order given; file names depend only on host names and scenario ids, so the same input
    /// gives the same tree, and a wiki's history shows only real changes.
    public func render(hosts: [SiteHost], layout: SiteLayout, png: Bool) throws -> [String: [UInt8]] {
        var files = try renderPages(hosts: hosts, layout: layout, png: png)
        try layOut(&files, png: png)
        return files
    }

    /// The site without its laid-out images: every page, `.dot` and data file; `layOut` adds the
    /// `.svg`/`.png` beside each `.dot`.
    public func renderPages(hosts: [SiteHost], layout: SiteLayout, png: Bool,
                            progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> [String: [UInt8]] {
        let paths = SitePaths(layout: layout, hostCount: hosts.count)
        let slugs = Self.hostSlugs(hosts.map(\.name), layout: layout)
        var files: [String: [UInt8]] = [:]
        var summaries: [HostSummary] = []
        let total = hosts.map(\.scenarios.count).reduce(0, +)
        var done = 0
        for (host, slug) in zip(hosts, slugs) {
            summaries.append(try renderHost(snapshot: host.snapshot, scenarios: host.scenarios, clients: host.clients, png: png,
                                            host: slug, paths: paths, into: &files,
                                            progress: { progress?(done + $0, total) }))
            done += host.scenarios.count
        }
        if let hostsIndex = paths.hostsIndex {
            let page = HostsPage.make(summaries, paths: paths, from: hostsIndex)
            files[hostsIndex] = Array(try templates.render(page, template: "hosts").utf8)
        }
        switch layout {
        case .plain: break
        case .githubWiki: files["_Sidebar.md"] = Array(Sidebar.markdown(summaries, paths: paths).utf8)
        case .mkdocs: files["mkdocs.yml"] = Array(MkDocsConfig.yaml(summaries, paths: paths).utf8)
        }
        return files
    }

    public func generate(hosts: [SiteHost], layout: SiteLayout, outDir: String, png: Bool) throws {
        let files = try render(hosts: hosts, layout: layout, png: png)
        try write(files, to: outDir)
    }

    /// Replaces `outDir` with `files` (and the marker), as a whole.
    public func write(_ files: [String: [UInt8]], to outDir: String) throws {
        try OutputTree.replace(outDir, with: files, marker: Self.markerFile, contents: Self.markerContents)
    }

    /// File-name-safe, unique host names that cannot collide with the site's own pages (`Home`,
    /// `_Sidebar`, `index`, `docs`) nor, in a wiki, with scenario pages (`<host>--<id>`).
    static func hostSlugs(_ names: [String], layout: SiteLayout) -> [String] {
        let reserved: Set<String> = ["home", "_sidebar", "_footer", "index", "docs", "mkdocs.yml", "assets"]
        let cleaned = names.map { raw -> String in
            var s = layout == .githubWiki ? SitePaths.wikiSafe(raw) : raw
            s = fileIDs([s])[0]
            while s.contains("--") { s = s.replacingOccurrences(of: "--", with: "-") }
            if reserved.contains(s.lowercased()) || s.hasPrefix("_") { s = "host-" + s }
            return s
        }
        return fileIDs(cleaned)
    }
}
