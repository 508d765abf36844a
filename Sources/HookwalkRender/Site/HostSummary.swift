import HookwalkFindings
import HookwalkModel
import HookwalkSimulator

/// What the site-wide pages (hosts index, sidebar, MkDocs nav) need to know about one host after
/// its pages are rendered: where its pages went and each scenario's verdict.
struct HostSummary: Sendable {
    struct Entry: Sendable {
        var doc: ScenarioDoc
        /// The scenario page's path in the output tree.
        var page: String
        /// `delivered both ways`, `request dropped in ...` (Markdown, escaped).
        var verdict: String
        /// Every packet of the scenario arrives (docker-proxy's connection included).
        var works: Bool

        /// `radius 1812/udp`: what pairs a published port across hosts. Addresses differ from host
        /// to host, the container name and the published port do not.
        var portKey: PortKey? {
            guard doc.kind == .publishedPort, let container = doc.container else { return nil }
            return PortKey(container: container, port: doc.trace.scenario.port, proto: doc.trace.scenario.proto.rawValue)
        }
    }

    struct PortKey: Hashable, Comparable, Sendable {
        var container: String
        var port: UInt16
        var proto: String

        static func < (a: PortKey, b: PortKey) -> Bool {
            (a.container, a.port, a.proto) < (b.container, b.port, b.proto)
        }
    }

    var slug: String
    var snapshot: Snapshot
    /// The host's index page.
    var page: String
    var entries: [Entry]
    var findings: FindingsReport
    /// The host's findings pages, when it has too many findings for its index.
    var findingsPages: [String] = []
    /// A big host's network pages. When there are some, the site's navigation lists them and
    /// only the scenarios no network page lists (`navEntries`), not thousands of scenarios.
    var networkPages: [NavPage] = []
    var navEntries: [Entry]? = nil

    /// A page of the navigation: its title as the host named it (unescaped) and its path.
    struct NavPage: Sendable {
        var title: String
        var page: String
    }

    var hostname: String { snapshot.host.info.hostname ?? slug }
}
