import HookwalkSimulator

/// The result of comparing two hosts, scenario by scenario: what `--format json` prints and the
/// Markdown report renders. Scenarios come most important first.
public struct DiffReport: Sendable, Hashable, Codable {
    public var a: Side
    public var b: Side
    /// Host settings that differ (sysctls hookwalk reads, userland-proxy, versions). They explain
    /// differences; they are not differences of their own.
    public var settings: [Setting]
    public var scenarios: [ScenarioDiff]

    public init(a: Side, b: Side, settings: [Setting], scenarios: [ScenarioDiff]) {
        self.a = a
        self.b = b
        self.settings = settings
        self.scenarios = scenarios
    }

    /// True when no scenario differs: `hookwalk diff` exits 0.
    public var equivalent: Bool { scenarios.allSatisfy { $0.status == .same } }

    public func count(_ status: ScenarioDiff.Status) -> Int { scenarios.filter { $0.status == status }.count }

    public struct Side: Sendable, Hashable, Codable {
        public var snapshot: String
        public var hostname: String?
        public var dockerVersion: String?
        public var clients: [String]

        public init(snapshot: String, hostname: String? = nil, dockerVersion: String? = nil, clients: [String]) {
            self.snapshot = snapshot
            self.hostname = hostname
            self.dockerVersion = dockerVersion
            self.clients = clients
        }
    }

    public struct Setting: Sendable, Hashable, Codable {
        public var name: String
        public var a: String
        public var b: String

        public init(name: String, a: String, b: String) {
            self.name = name
            self.a = a
            self.b = b
        }
    }
}

/// One pair of scenarios (or a scenario one host has and the other lacks).
public struct ScenarioDiff: Sendable, Hashable, Codable {
    /// In report order: a verdict change matters most.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case verdictChange = "verdict-change"
        case differentPath = "different-path"
        case onlyOnA = "only-on-a"
        case onlyOnB = "only-on-b"
        case same

        public static func < (l: Status, r: Status) -> Bool {
            allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
        }
    }

    public var status: Status
    /// What pairs the scenarios: kind, network, container, port and protocol, client number.
    public var key: ScenarioKey
    /// Each side's scenario as its catalog titles it (with that host's addresses); nil when absent.
    public var titleA: String?
    public var titleB: String?
    /// Whether the connection works (request and reply delivered) on each side.
    public var worksA: Bool?
    public var worksB: Bool?
    public var outcomeA: String?
    public var outcomeB: String?
    /// Where the paths part: nil when they do not (or a side is missing).
    public var firstDivergence: Divergence?
    /// Steps of one path that the other lacks, as `request: ip filter DOCKER-USER: ... (drop)`.
    public var onlyOnA: [String]
    public var onlyOnB: [String]
    /// The union of both paths per packet, for the overlay diagrams; empty when the paths are
    /// the same or a side is missing. Not encoded: `onlyOnA`/`onlyOnB` carry the same facts.
    public var paths: [PacketOverlay] = []

    enum CodingKeys: String, CodingKey {
        case status, key, titleA, titleB, worksA, worksB, outcomeA, outcomeB, firstDivergence, onlyOnA, onlyOnB
    }

    public init(status: Status, key: ScenarioKey, titleA: String?, titleB: String?, worksA: Bool?, worksB: Bool?,
                outcomeA: String?, outcomeB: String?, firstDivergence: Divergence?, onlyOnA: [String], onlyOnB: [String]) {
        self.status = status
        self.key = key
        self.titleA = titleA
        self.titleB = titleB
        self.worksA = worksA
        self.worksB = worksB
        self.outcomeA = outcomeA
        self.outcomeB = outcomeB
        self.firstDivergence = firstDivergence
        self.onlyOnA = onlyOnA
        self.onlyOnB = onlyOnB
    }
}

/// How scenarios are paired: by the names a person uses, never by address.
public struct ScenarioKey: Sendable, Hashable, Codable, Comparable {
    public var kind: ScenarioKind
    public var network: String
    public var container: String
    public var port: Int
    public var proto: String
    /// 1-based position of the external client in the side's client list; 0 when no client takes part.
    public var client: Int
    /// Tells apart scenarios that agree on everything else (a port bound on two host addresses).
    public var occurrence: Int

    public init(kind: ScenarioKind, network: String, container: String, port: Int, proto: String, client: Int, occurrence: Int) {
        self.kind = kind
        self.network = network
        self.container = container
        self.port = port
        self.proto = proto
        self.client = client
        self.occurrence = occurrence
    }

    static let kindOrder: [ScenarioKind] = [.publishedPort, .hostNetwork, .direct, .hairpin, .hostLocal, .egress]

    public static func < (l: ScenarioKey, r: ScenarioKey) -> Bool {
        let lk = kindOrder.firstIndex(of: l.kind) ?? kindOrder.count, rk = kindOrder.firstIndex(of: r.kind) ?? kindOrder.count
        // Tuples compare up to six elements.
        if (lk, l.kind, l.network, l.container) != (rk, r.kind, r.network, r.container) {
            return (lk, l.kind, l.network, l.container) < (rk, r.kind, r.network, r.container)
        }
        return (l.port, l.proto, l.client, l.occurrence) < (r.port, r.proto, r.client, r.occurrence)
    }

    /// `published port 8080/tcp of proxy (network infranet), client 1`.
    public var label: String {
        let what: String
        switch kind {
        case .publishedPort: what = "published port \(port)/\(proto) of \(container)"
        case .hostNetwork: what = "\(container) \(port)/\(proto) on the host network"
        case .direct: what = "direct access to \(container) \(port)/\(proto)"
        case .hairpin: what = "hairpin: \(container) calls published port \(port)/\(proto)"
        case .hostLocal: what = "host-local: the host calls published port \(port)/\(proto) of \(container)"
        case .egress: what = "egress: \(container) calls \(port)/\(proto) outside"
        case .icc, .crossNetwork: what = "\(kind) \(container) \(port)/\(proto)"
        }
        var s = what + (network.isEmpty ? "" : " (network \(network))")
        if client > 0 { s += ", client \(client)" }
        if occurrence > 1 { s += " #\(occurrence)" }
        return s
    }
}

/// The first step where two paths part.
public struct Divergence: Sendable, Hashable, Codable {
    /// `request` or `reply`.
    public var packet: String
    /// 1-based step number in that packet's path.
    public var step: Int
    /// The step on each side; nil when that path has already ended.
    public var a: String?
    public var b: String?

    public init(packet: String, step: Int, a: String?, b: String?) {
        self.packet = packet
        self.step = step
        self.a = a
        self.b = b
    }
}
