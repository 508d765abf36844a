import HookwalkModel

/// What the simulator produces: for one scenario, the request's and the reply's path through the
/// kernel, as a list of events in the order the kernel would meet them. Renderers only present
/// traces; they never re-derive semantics, so every fact a page states must be an event here.

/// A chain of a table: `ip nat DOCKER`.
public struct ChainRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var family: Family
    public var table: String
    public var chain: String

    public init(family: Family, table: String, chain: String) {
        self.family = family
        self.table = table
        self.chain = chain
    }

    public var description: String { "\(family.rawValue) \(table) \(chain)" }
}

/// A base chain as it was met at a hook.
public struct BaseChainRef: Sendable, Hashable, Codable {
    public var chain: ChainRef
    public var type: ChainType
    public var hook: Hook
    public var priority: Int

    public init(chain: ChainRef, type: ChainType, hook: Hook, priority: Int) {
        self.chain = chain
        self.type = type
        self.hook = hook
        self.priority = priority
    }
}

/// The layer-4 protocol of a simulated packet.
public enum L4Proto: String, Sendable, Hashable, Codable {
    case tcp, udp, icmp
    case icmpv6 = "ipv6-icmp"

    public var number: UInt8 {
        switch self {
        case .tcp: return 6
        case .udp: return 17
        case .icmp: return 1
        case .icmpv6: return 58
        }
    }
}

/// The packet as a chain sees it: what `nft monitor trace` prints on a `packet:` line.
public struct PacketState: Sendable, Hashable, Codable {
    /// Input and output interface as the chain sees them (bridge family: the bridge ports).
    public var iif: String?
    public var oif: String?
    public var saddr: IPAddress
    public var daddr: IPAddress
    public var proto: L4Proto
    public var sport: UInt16?
    public var dport: UInt16?
    /// TCP flags of the packet (`syn`, `syn,ack`), nil for other protocols.
    public var tcpFlags: String?
    public var mark: UInt32
    /// Set by `meta nftrace set 1`: the kernel prints trace events only for such packets.
    public var nftrace: Bool

    public init(iif: String? = nil, oif: String? = nil, saddr: IPAddress, daddr: IPAddress, proto: L4Proto,
                sport: UInt16? = nil, dport: UInt16? = nil, tcpFlags: String? = nil, mark: UInt32 = 0, nftrace: Bool = false) {
        self.iif = iif
        self.oif = oif
        self.saddr = saddr
        self.daddr = daddr
        self.proto = proto
        self.sport = sport
        self.dport = dport
        self.tcpFlags = tcpFlags
        self.mark = mark
        self.nftrace = nftrace
    }

    /// `10.254.10.105:41003 -> 172.20.0.4:1812` (IPv6 addresses in brackets).
    public var flowText: String {
        func ep(_ a: IPAddress, _ p: UInt16?) -> String {
            let s = a.isV4 ? a.description : "[\(a)]"
            return p.map { "\(s):\($0)" } ?? s
        }
        return "\(ep(saddr, sport)) -> \(ep(daddr, dport))"
    }
}

/// Where a packet ends up, or the party that sends it.
public enum Endpoint: Sendable, Hashable, Codable {
    /// A client outside the host, reached through `interface`.
    case external(address: IPAddress, interface: String?)
    /// A container, by name.
    case container(String)
    /// The host itself (a local process).
    case host

    public var label: String {
        switch self {
        case .external(let a, _): return "external \(a)"
        case .container(let n): return "container \(n)"
        case .host: return "host"
        }
    }
}

/// The routing decision after prerouting (or for a locally generated packet).
public struct RouteDecision: Sendable, Hashable, Codable {
    public var kind: RouteKind
    public var oif: String?
    public var gateway: IPAddress?
    /// The route that matched, as `ip route` prints it.
    public var route: String?
    /// The policy routing rule whose table gave the route (or that failed the lookup), as `ip rule`
    /// prints it; nil on a host with the kernel's default rules only.
    public var rule: String?

    public init(kind: RouteKind, oif: String? = nil, gateway: IPAddress? = nil, route: String? = nil, rule: String? = nil) {
        self.kind = kind
        self.oif = oif
        self.gateway = gateway
        self.route = route
        self.rule = rule
    }
}

/// One step of a packet's path.
public enum TraceEventKind: Sendable, Hashable, Codable {
    /// The packet reaches a hook of a family (whether or not any chain is attached).
    case hook(family: Family, hook: Hook)
    /// A base chain starts evaluating the packet: nft's `packet:` line.
    case chain(BaseChainRef, PacketState)
    /// A rule matched. `verdict` is `.continue` for a rule without a verdict statement. `chain` is
    /// the chain the rule is in (a regular chain after a jump).
    case rule(chain: ChainRef, handle: Int?, text: String, verdict: Verdict)
    /// A base chain ended without a verdict and applied its policy.
    case policy(chain: ChainRef, policy: Policy)
    case route(RouteDecision)
    /// Conntrack: a new connection, a reply matched to its connection, a mapping made.
    case conntrack(ConntrackFact)
    /// Addresses or ports rewritten: by a NAT rule (`rule` set) or implicitly by conntrack.
    case nat(kind: NatRewrite, before: PacketState, after: PacketState, implicit: Bool)
    /// A construct hookwalk does not evaluate, and the way the simulation went on.
    case notModelled(chain: ChainRef?, handle: Int?, text: NotModelledWhat, assumption: String)
    /// Plain explanation that belongs to this point of the path (br_netfilter, hairpin...).
    case note(TraceNote)
}

public struct TraceEvent: Sendable, Hashable, Codable {
    public var kind: TraceEventKind
    /// Whether the kernel would print this event (the packet had nftrace set). Events that are not
    /// kernel trace lines (routing, notes) carry the packet's flag too.
    public var traced: Bool

    public init(_ kind: TraceEventKind, traced: Bool) {
        self.kind = kind
        self.traced = traced
    }
}

/// The end of a packet's path.
public enum Outcome: Sendable, Hashable, Codable {
    /// Delivered to `endpoint`, which sees the packet as `state` (its source is who it thinks
    /// sent it).
    case delivered(endpoint: Endpoint, state: PacketState)
    /// Dropped or rejected by a rule (`handle` set) or a policy (`handle` nil).
    case dropped(chain: ChainRef, handle: Int?, text: String, rejected: Bool)
    /// Dropped by the routing code (no route, blackhole...).
    case unroutable(String)
    /// The simulation stopped at something it does not model.
    case notModelled(String)

    public var isDelivered: Bool { if case .delivered = self { return true } else { return false } }
}

/// The path of one packet.
public struct PacketTrace: Sendable, Hashable, Codable {
    public var initial: PacketState
    public var events: [TraceEvent]
    public var outcome: Outcome

    public init(initial: PacketState, events: [TraceEvent], outcome: Outcome) {
        self.initial = initial
        self.events = events
        self.outcome = outcome
    }
}

/// What to simulate: a request from `from` to `to`:`port`, and its reply.
public struct Scenario: Sendable, Hashable, Codable {
    public var from: Endpoint
    public var to: IPAddress
    public var port: UInt16
    public var proto: L4Proto
    public var sport: UInt16

    public init(from: Endpoint, to: IPAddress, port: UInt16, proto: L4Proto, sport: UInt16 = 41000) {
        self.from = from
        self.to = to
        self.port = port
        self.proto = proto
        self.sport = sport
    }
}

/// A request and the reply the receiver sends back (nil when the request was not delivered).
public struct Trace: Sendable, Hashable, Codable {
    public var scenario: Scenario
    public var request: PacketTrace
    public var reply: PacketTrace?
    /// When the request ends at docker-proxy (userland-proxy) on the host: the proxy's own
    /// connection to the container, a second trace. Empty otherwise.
    public var proxyLeg: [Trace]
    /// When a `reject` ended the request: the answer the kernel sends back to the client (ICMP
    /// error or TCP reset), its own leg. Nil otherwise.
    public var answer: RejectAnswer?

    public init(scenario: Scenario, request: PacketTrace, reply: PacketTrace?, proxyLeg: [Trace] = [], answer: RejectAnswer? = nil) {
        self.scenario = scenario
        self.request = request
        self.reply = reply
        self.proxyLeg = proxyLeg
        self.answer = answer
    }

    /// Whether the request was rejected in a way whose answer hookwalk does not simulate (a
    /// `reject` in the bridge family or another hook, of an untracked packet).
    public var rejectAnswerNotSimulated: Bool {
        request.events.contains { if case .notModelled(_, _, .rejectAnswer, _) = $0.kind { true } else { false } }
    }

    /// The packet that comes back to the client: the receiver's reply, or reject's answer.
    public var back: PacketTrace? { reply ?? answer?.trace }
}
