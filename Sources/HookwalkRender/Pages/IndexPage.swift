import HookwalkModel
import HookwalkSimulator

/// What `index.mustache` is rendered with: the host, its Docker networks and containers, and one
/// row per scenario. Strings are final Markdown, safe in table cells.
struct IndexPage: Sendable {
    struct Network: Sendable {
        var name: String
        var driver: String
        var bridge: String
        var subnets: String
        var gateways: String
    }

    struct Container: Sendable {
        var name: String
        var network: String
        var addresses: String
        var ports: String
    }

    struct Row: Sendable {
        var title: String
        var kind: String
        var verdict: String
        var page: String
        var requestDiagram: String
        var replyDiagram: String?
    }

    var hostname: String
    var kernel: String
    var nftVersion: String
    var dockerVersion: String
    var rulesetFile: String
    var userlandProxy: String
    var brNetfilter: String
    var networks: [Network]
    var containers: [Container]
    var scenarios: [Row]
    var overview: String
    var hasDocker: Bool
    /// The link to the hosts index, when there is one.
    var hostsPage: String? = nil
    /// The "Findings" section (Markdown, escaped), at the top of the page.
    var findings: String = ""
    /// The constructs hookwalk could not evaluate on any documented path; nil when there are none.
    var notModelled: NotModelledSection? = nil
    /// What the ruleset file could not tell (an `iptables -L` dump, a dump of some tables only);
    /// nil for a complete listing.
    var rulesetGaps: GapsSection? = nil

    struct GapsSection: Sendable {
        var file: String
        var rows: [String]
    }
    /// A big host (more than `NetworkPages.threshold` scenarios): the networks with links to their
    /// pages, instead of the container and scenario tables.
    var byNetwork: NetworkPages.Index? = nil

    struct NotModelledSection: Sendable {
        struct Row: Sendable {
            var construct: String
            var place: String
            var assumption: String
            var scenarios: String
        }

        /// `2 constructs`.
        var count: String
        var rows: [Row]
    }
}

extension IndexPage {
    /// `containerLinks`: Markdown links to the scenarios of containers without published ports
    /// (host network), shown in the container table's ports column.
    static func make(snapshot: Snapshot, rows: [Row], containerLinks: [String: [String]] = [:]) -> IndexPage {
        let host = snapshot.host
        let e = Markdown.escape
        let networks = host.docker.networks.sorted { $0.name < $1.name }.map { n in
            // `--internal`: Docker gives its containers no gateway, so no way out and no published port.
            Network(name: e(n.name), driver: e(n.driver) + (n.isInternal ? ", internal (no gateway: no way out, no published port)" : ""),
                    bridge: e(n.bridge ?? "-"),
                    subnets: n.subnets.isEmpty ? "-" : n.subnets.map { e($0.description) }.joined(separator: ", "),
                    gateways: n.gateways.isEmpty ? "-" : n.gateways.map { e($0.description) }.joined(separator: ", "))
        }
        let containers = host.docker.containers.sorted { $0.name < $1.name }.map { c in
            let network = c.usesHostNetwork ? "host" : (c.endpoints.isEmpty ? e(c.networkMode) : c.endpoints.map { e($0.network) }.joined(separator: ", "))
            let addresses = c.endpoints.flatMap { ep in [ep.ipv4?.description, ep.ipv6?.description].compactMap { $0 } }
            let ports = c.ports.map { p in
                // Host address and protocol are escaped; the arrow is hookwalk's own and stays `->`.
                let bind = p.hostIP.isEmpty ? "0.0.0.0" : p.hostIP
                return e("\(bind):\(p.hostPort)") + "->" + e("\(p.containerPort)/\(p.proto)")
            }
            var portsCell = ports.isEmpty ? "-" : ports.joined(separator: ", ")
            if let links = containerLinks[c.name], !links.isEmpty {
                portsCell = (ports.isEmpty ? "" : portsCell + "; ") + "served on the host's own addresses: " + links.joined(separator: ", ")
            }
            return Container(name: e(c.name) + (c.running ? "" : " (stopped)"), network: network,
                             addresses: addresses.isEmpty ? "-" : addresses.map(e).joined(separator: ", "),
                             ports: portsCell)
        }
        let info = host.info
        return IndexPage(
            hostname: e(info.hostname ?? "unnamed host"),
            kernel: e(info.kernel ?? "unknown"),
            nftVersion: e(info.nftVersion ?? "unknown"),
            dockerVersion: e(info.dockerVersion ?? "unknown"),
            rulesetFile: e(snapshot.rulesetFile.lastComponent),
            userlandProxy: host.docker.userlandProxy.map { $0 ? "on" : "off" } ?? "not set (Docker's default: on)",
            brNetfilter: "\(host.sysctl("net.bridge.bridge-nf-call-iptables"))",
            networks: networks, containers: containers, scenarios: rows, overview: "diagrams/overview.svg",
            hasDocker: !(host.docker.networks.isEmpty && host.docker.containers.isEmpty),
            rulesetGaps: snapshot.ruleset.gaps.isEmpty ? nil
                // hookwalk's own sentences (their backticks are code spans); no host text in them.
                : GapsSection(file: e(snapshot.rulesetFile.lastComponent), rows: snapshot.ruleset.gaps))
    }
}

extension IndexPage {
    /// The index's "Not modelled" table: each construct once, with every scenario that met it.
    static func notModelledSection(_ found: [(construct: NotModelledConstruct, scenarios: [String])]) -> NotModelledSection? {
        guard !found.isEmpty else { return nil }
        return NotModelledSection(count: "\(found.count) construct\(found.count == 1 ? "" : "s")", rows: found.map { c, scenarios in
            NotModelledSection.Row(construct: Markdown.escape(c.text), place: c.place(inTable: true),
                                   assumption: c.assumptionPhrase, scenarios: scenarios.joined(separator: "<br>"))
        })
    }
}

/// The file name of a path without Foundation's path APIs (whose output differs across platforms
/// for odd inputs).
extension String {
    var lastComponent: String {
        split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? self
    }
}
