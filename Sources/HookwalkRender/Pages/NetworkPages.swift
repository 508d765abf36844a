import HookwalkModel
import HookwalkSimulator
import Mustache

/// A big host's index groups its scenarios by Docker network: one page per network (split every
/// `containersPerPage` containers) lists the network's containers, each with its scenarios, and
/// the host index lists the networks. Below `threshold` scenarios the index keeps its one table
/// of containers and one of scenarios (the article host's pages stay as they are).
public enum NetworkPages {
    /// More scenarios or containers than this and the index groups them by network.
    static let threshold = 100
    /// A network page holds at most this many container rows (pages stay under 400 lines).
    public static let containersPerPage = 300
    /// The not-modelled table lists at most this many scenarios per construct on a big host.
    static let listedPerConstruct = 20

    /// One rendered scenario, as the index and the network pages link it.
    struct Entry {
        var doc: ScenarioDoc
        var page: String
        var requestDiagram: String
        var replyDiagram: String?
        /// Markdown, with the not-modelled note.
        var verdict: String
        var works: Bool
    }

    struct Page: Sendable {
        struct Row: Sendable {
            var name: String
            var addresses: String
            var ports: String
            var scenarios: String
        }

        struct ScenarioRow: Sendable {
            var title: String
            var kind: String
            var verdict: String
            var page: String
        }

        var hostname: String
        var hostPage: String
        var name: String
        var driver: String
        var bridge: String
        var subnets: String
        var gateways: String
        /// `Part 2 of 3: containers 301 to 600.` and links to the other parts; nil on a one-page network.
        var part: String?
        var containers: [Row]
        var scenarios: [ScenarioRow]
        /// Stored: Mustache sees stored properties only.
        var hasScenarios: Bool
    }

    /// What `index.mustache` shows instead of the container and scenario tables.
    struct Index: Sendable {
        struct Network: Sendable {
            var name: String
            var driver: String
            var bridge: String
            var subnets: String
            var containers: String
            var scenarios: String
            var works: String
            var pages: String
        }

        var summary: String
        var networks: [Network]
        /// Scenarios of no Docker network (host network, the host itself), as the small index's rows.
        var others: [IndexPage.Row]
        var hasOthers: Bool
        /// Containers on no listed network (host network, none).
        var otherContainers: [IndexPage.Container]
        var hasOtherContainers: Bool
        /// The network pages for the site's navigation (MkDocs nav, wiki sidebar), in page order:
        /// the raw network name (each navigation escapes it its own way) and the page's path.
        var navigation: [HostSummary.NavPage] = []
        /// Indexes into the entries of the scenarios no network page lists (host network, the
        /// host itself): the navigation lists them one by one.
        var unplaced: [Int] = []
    }

    /// Renders the network pages into `files` and returns the index's part.
    static func render(snapshot: Snapshot, entries: [Entry], host: String, paths: SitePaths, perPage: Int,
                       templates: TemplateSet,
                       indexRows: [IndexPage.Row],
                       containerRows: [IndexPage.Container],
                       into files: inout [String: [UInt8]]) throws -> Index {
        let e = Markdown.escape
        let hostPage = paths.hostIndex(host)
        let networks = snapshot.host.docker.networks.sorted { $0.name < $1.name }
        let slugs = DocGenerator.fileIDs(networks.map { paths.layout == .githubWiki ? SitePaths.wikiSafe($0.name) : $0.name })
        let known = Set(networks.map(\.name))
        var byNetwork: [String: [Int]] = [:]
        var others: [IndexPage.Row] = []
        var unplaced: [Int] = []
        var navigation: [HostSummary.NavPage] = []
        for (i, entry) in entries.enumerated() {
            if let n = entry.doc.network, known.contains(n) {
                byNetwork[n, default: []].append(i)
            } else {
                others.append(indexRows[i])
                unplaced.append(i)
            }
        }
        let containers = snapshot.host.docker.containers.sorted { $0.name < $1.name }
        var rows: [Index.Network] = []
        var placed: Set<String> = []
        for (network, slug) in zip(networks, slugs) {
            let members = containers.filter { c in c.endpoints.contains { $0.network == network.name } }
            placed.formUnion(members.map(\.name))
            let mine = byNetwork[network.name] ?? []
            var ofContainer: [String: [Int]] = [:]
            var own: [Int] = []
            let memberNames = Set(members.map(\.name))
            for i in mine {
                if let c = entries[i].doc.container, memberNames.contains(c) { ofContainer[c, default: []].append(i) } else { own.append(i) }
            }
            let chunks = stride(from: 0, to: max(members.count, 1), by: perPage).map {
                Array(members[min($0, members.count)..<min($0 + perPage, members.count)])
            }
            let pagePaths = chunks.indices.map { paths.network(host, $0 == 0 ? slug : "\(slug)-\($0 + 1)") }
            for (i, path) in pagePaths.enumerated() {
                navigation.append(HostSummary.NavPage(
                    title: "Network " + network.name + (pagePaths.count > 1 ? " (\(i + 1) of \(pagePaths.count))" : ""), page: path))
            }
            for (part, chunk) in chunks.enumerated() {
                let pagePath = pagePaths[part]
                let link = { (to: String) in paths.link(from: pagePath, to: to) }
                var partText: String?
                if chunks.count > 1 {
                    let first = part * perPage + 1
                    let others = pagePaths.indices.map { $0 == part ? "\($0 + 1)" : "[\($0 + 1)](\(link(pagePaths[$0])))" }
                    partText = "Part \(part + 1) of \(chunks.count): containers \(first.grouped) to \((first + chunk.count - 1).grouped). "
                        + "Parts: " + others.joined(separator: " · ")
                }
                let containerRows: [Page.Row] = chunk.map { c in
                    let ep = c.endpoints.first { $0.network == network.name }
                    let addresses = [ep?.ipv4?.description, ep?.ipv6?.description].compactMap { $0 }
                    let ports = c.ports.map { p in
                        e("\(p.hostIP.isEmpty ? "0.0.0.0" : p.hostIP):\(p.hostPort)") + "->" + e("\(p.containerPort)/\(p.proto)")
                    }
                    let scenarios = (ofContainer[c.name] ?? []).map { i in
                        "[\(e(entries[i].doc.title))](\(link(entries[i].page))): \(entries[i].verdict)"
                    }
                    return Page.Row(name: e(c.name) + (c.running ? "" : " (stopped)"),
                                    addresses: addresses.isEmpty ? "-" : addresses.map(e).joined(separator: ", "),
                                    ports: ports.isEmpty ? "-" : ports.joined(separator: ", "),
                                    scenarios: scenarios.isEmpty ? "-" : scenarios.joined(separator: "<br>"))
                }
                let scenarioRows: [Page.ScenarioRow] = part == 0 ? own.map { i in
                    Page.ScenarioRow(title: e(entries[i].doc.title), kind: e(entries[i].doc.kind.rawValue), verdict: entries[i].verdict,
                                     page: link(entries[i].page))
                } : []
                let page = Page(hostname: e(snapshot.host.info.hostname ?? "unnamed host"), hostPage: link(hostPage),
                                name: e(network.name), driver: e(network.driver), bridge: e(network.bridge ?? "-"),
                                subnets: network.subnets.isEmpty ? "-" : network.subnets.map { e($0.description) }.joined(separator: ", "),
                                gateways: network.gateways.isEmpty ? "-" : network.gateways.map { e($0.description) }.joined(separator: ", "),
                                part: partText, containers: containerRows, scenarios: scenarioRows,
                                hasScenarios: !scenarioRows.isEmpty)
                files[pagePath] = Array(try templates.render(page, template: "network").utf8)
            }
            let works = mine.filter { entries[$0].works }.count
            let fromIndex = { (to: String) in paths.link(from: hostPage, to: to) }
            rows.append(Index.Network(
                name: e(network.name), driver: e(network.driver) + (network.isInternal ? ", internal" : ""),
                bridge: e(network.bridge ?? "-"),
                subnets: network.subnets.isEmpty ? "-" : network.subnets.map { e($0.description) }.joined(separator: ", "),
                containers: members.count.grouped, scenarios: mine.count.grouped,
                works: mine.isEmpty ? "-" : "\(works.grouped) of \(mine.count.grouped)",
                pages: pagePaths.indices.map { "[\(pagePaths.count == 1 ? "page" : "\($0 + 1)")](\(fromIndex(pagePaths[$0])))" }
                    .joined(separator: " · ")))
        }
        // `containerRows` are the index's rows of the same containers in the same (name) order.
        let otherContainers = zip(containers, containerRows).filter { !placed.contains($0.0.name) }.map(\.1)
        let summary = "\(containers.count.grouped) container\(containers.count == 1 ? "" : "s") on \(networks.count.grouped) "
            + "Docker network\(networks.count == 1 ? "" : "s"), \(entries.count.grouped) scenarios. Each network's page lists its "
            + "containers, each with its scenarios and their verdicts."
        return Index(summary: summary, networks: rows, others: others, hasOthers: !others.isEmpty,
                     otherContainers: otherContainers, hasOtherContainers: !otherContainers.isEmpty,
                     navigation: navigation, unplaced: unplaced)
    }
}

extension SitePaths {
    /// A big host's network page: `networks/<network>.md`, in a wiki `<host>--network--<network>.md`.
    func network(_ host: String, _ slug: String) -> String {
        layout == .githubWiki ? "\(host)--network--\(slug).md" : folder(host) + "networks/\(slug).md"
    }
}

// A network page has a row per container (thousands on a big host): rows answer the template's
// names themselves instead of being reflected for each cell (see `ScenarioPage`'s conformance).
extension NetworkPages.Page.Row: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "name": return name
        case "addresses": return addresses
        case "ports": return ports
        case "scenarios": return scenarios
        default: return nil
        }
    }
}

extension NetworkPages.Page.ScenarioRow: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "title": return title
        case "kind": return kind
        case "verdict": return verdict
        case "page": return page
        default: return nil
        }
    }
}
