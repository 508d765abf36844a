import HookwalkModel

/// The typed facts a trace event carries. Readers (Render, Findings, Diff, the lab's Verifier)
/// switch on these values; the sentences a page or the JSON shows are made from them in one
/// place, `TraceProse`.

/// One direction of a connection as conntrack keys it: `tcp 10.0.0.1:41000 -> 172.17.0.2:80`.
public struct FlowTuple: Sendable, Hashable {
    public var proto: L4Proto
    public var saddr: IPAddress
    public var sport: UInt16?
    public var daddr: IPAddress
    public var dport: UInt16?

    public init(proto: L4Proto, saddr: IPAddress, sport: UInt16?, daddr: IPAddress, dport: UInt16?) {
        self.proto = proto
        self.saddr = saddr
        self.sport = sport
        self.daddr = daddr
        self.dport = dport
    }
}

/// What conntrack did with a packet (nf_conntrack_in).
public enum ConntrackFact: Sendable, Hashable {
    /// The packet starts a connection (ct state new).
    case new(FlowTuple)
    /// The packet is the reply of the connection whose original direction is given (ct state
    /// established, reply direction).
    case reply(original: FlowTuple)
    /// A reply that does not match the expected reply tuple: conntrack starts a new connection.
    case unexpectedReply(FlowTuple, expected: FlowTuple)
    /// `notrack` was applied: the packet has no connection.
    case untracked
    /// No rule of the ruleset uses conntrack for this IP version: the kernel tracks nothing.
    case off(v4: Bool)
}

/// Which rewrite a `nat` event is.
public enum NatRewrite: Sendable, Hashable {
    /// A destination mapping (dnat, redirect): by a rule, or by conntrack for later packets.
    case dnat
    /// A source mapping (snat, masquerade).
    case snat
    /// The reply undoes the request's destination mapping (its source is rewritten back); in an
    /// ICMP error, the error's source and the packet it quotes.
    case undoDNAT(icmpError: Bool)
    /// The reply undoes the request's source mapping.
    case undoSNAT(icmpError: Bool)

    /// Whether the rewrite changes the destination.
    public var isDestination: Bool {
        switch self {
        case .dnat, .undoSNAT: return true
        case .snat, .undoDNAT: return false
        }
    }
}

/// What the kernel answers a `reject` with.
public enum RejectKind: Sendable, Hashable {
    case tcpReset
    /// An ICMP (or ICMPv6) destination-unreachable error with this code
    /// (`port-unreachable`, `admin-prohibited`...).
    case icmpUnreachable(v6: Bool, code: String)
}

/// The kind of a routing decision.
public enum RouteKind: String, Sendable, Hashable, Codable {
    /// Local delivery.
    case input
    case forward
    /// A locally generated packet.
    case output
    /// The frame stays on the bridge.
    case bridge
    case unreachable
}

/// Why reject's answer is not simulated.
public enum RejectNotSimulated: Sendable, Hashable {
    /// The reject is in a family or hook whose answer hookwalk does not build.
    case hook(Family, Hook)
    case untracked
    case noSourceAddress(towards: IPAddress)
}

/// What a not-modelled step is about.
public enum NotModelledWhat: Sendable, Hashable {
    /// A construct of the ruleset, as nft text (an expression, a statement, a set lookup), or
    /// what the simulation does not follow about it (a loop, a queue, a random NAT port).
    case construct(String)
    case ingressChains
    /// A policy routing rule, as `ip rule` prints it, whose selectors are not evaluated.
    case routingRule(String)
    /// Docker's listener on a host port when userland-proxy is off.
    case placeholderListener(port: UInt16)
    case rejectAnswer(RejectNotSimulated)
}

/// Explanation that belongs to a point of the path.
public enum TraceNote: Sendable, Hashable {
    /// A nat chain attached to a hook is not consulted: IPv4 or IPv6 is not tracked.
    case natChainNotConsulted(ChainRef, v4: Bool)
    /// reject's answer starts: the kernel sends it from `from` to `to`.
    case rejectAnswerSent(RejectKind, from: IPAddress, to: IPAddress)
    /// `reject with tcp reset` of a packet that is not TCP: dropped, no answer.
    case resetNotTCP
    /// Any other explanation (br_netfilter, hairpin, docker-proxy...).
    case text(String)
}

/// An explanation written where it is emitted becomes `.text`.
extension TraceNote: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(stringInterpolation: DefaultStringInterpolation) { self = .text(String(stringInterpolation: stringInterpolation)) }
}
