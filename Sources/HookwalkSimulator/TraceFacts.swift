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

/// A branch point: a rule that spreads connections (`numgen ... mod N` in a match, a verdict map
/// or a NAT map; a `meta random & M < T` draw), with the branch this walk follows (docs/trace.md,
/// "Branches").
public struct BranchPoint: Sendable, Hashable {
    /// How many ways the packet can go there (N; a draw's D).
    public var ways: UInt64
    /// The expression that picks, as nft prints it (`numgen inc mod 2`, `meta random & 2147483647`).
    public var expression: String
    /// The branch this walk follows (`Packet.branch`).
    public var branch: UInt64
    public var kind: Kind

    public enum Kind: Sendable, Hashable {
        /// `expression < threshold` draws at random per packet: the rule matches on the branches
        /// that are a multiple of `ways`; `matches` is this branch's outcome.
        case draw(threshold: UInt64, matches: Bool)
        /// numgen in a match: it gives `value` on this branch (nil: not a number), and the rule
        /// `matches` or not.
        case match(value: UInt64?, matches: Bool)
        /// numgen keys a verdict map or (`nat` set) a NAT map: its elements, and the one this
        /// branch's `value` takes (an index of `targets`; nil: no element matches).
        case map(nat: NatKind?, targets: [BranchTarget], value: UInt64?, chosen: Int?)
    }

    public init(ways: UInt64, expression: String, branch: UInt64, kind: Kind) {
        self.ways = ways
        self.expression = expression
        self.branch = branch
        self.kind = kind
    }
}

/// One element of a branch point's map, as nft prints its key and what it gives
/// (`0` -> `jump lb_a`; `1` -> `172.20.0.2`).
public struct BranchTarget: Sendable, Hashable {
    public var key: String
    public var target: String

    public init(key: String, target: String) {
        self.key = key
        self.target = target
    }
}

/// A rule's `add`/`update`/`delete @set { ... }` (or meter) changed a named set.
public struct SetChange: Sendable, Hashable {
    /// The element was added (`add`, `update`, a meter) or removed (`delete`).
    public var removed: Bool
    /// The element's key as nft prints it (`10.0.0.1 . 8080`). Words, not a `FieldValue`: the
    /// trace JSON keeps only the words, and a name and a number print alike.
    public var key: String
    public var set: String
    /// The statement that changed it, as nft text.
    public var statement: String

    public init(removed: Bool, key: String, set: String, statement: String) {
        self.removed = removed
        self.key = key
        self.set = set
        self.statement = statement
    }
}

/// Explanation that belongs to a point of the path. Every case carries its facts; `TraceProse`
/// words them (there is no free-text case: a note the simulator emits is one of these).
public enum TraceNote: Sendable, Hashable {
    /// A nat chain attached to a hook is not consulted: IPv4 or IPv6 is not tracked.
    case natChainNotConsulted(ChainRef, v4: Bool)
    /// A mapping was made, so the other nat chains of the hook are not evaluated.
    case natChainsSkipped(NatKind, [ChainRef])
    /// The nat chain of reject's answer asked for a mapping: it goes on the connection, and the
    /// reset (reply direction) is not rewritten by it.
    case answerMappingNotApplied(ChainRef, NatKind)
    /// A `dnat` to a port range: the destination port lies inside it (kept) or not (the range's
    /// first port).
    case portRange(NatKind, ClosedRange<UInt16>, port: UInt16, inside: Bool)
    /// reject's answer starts: the kernel sends it from `from` to `to`.
    case rejectAnswerSent(RejectKind, from: IPAddress, to: IPAddress)
    /// `reject with tcp reset` of a packet that is not TCP: dropped, no answer.
    case resetNotTCP
    case branchPoint(BranchPoint)
    case setChanged(SetChange)
    /// docker-proxy (userland-proxy) listens on `hostIP` (empty: all addresses) and opens its own
    /// connection to the container's `backend`:`backendPort` (the second leg).
    case userlandProxy(hostIP: String, proto: L4Proto, port: UInt16, container: String, backend: IPAddress, backendPort: UInt16)
    /// docker-proxy maps an IPv6 binding (`hostIP`) to a container without IPv6.
    case proxySixToFour(container: String, hostIP: String)
    /// br_netfilter (bridge-nf-call-ip(6)tables=1) runs the IP prerouting hook from the bridge's,
    /// with iif the bridge.
    case brNetfilterPrerouting(bridge: String, v4: Bool)
    /// br_netfilter runs the IP forward hook for a bridged frame, with iif and oif the bridge.
    case brNetfilterForward(bridge: String)
    /// br_netfilter runs the IP postrouting hook for a bridged frame, with oif the bridge.
    case brNetfilterPostrouting(bridge: String)
    /// bridge-nf-call-ip(6)tables=0: no IP hooks between the bridge hooks.
    case bridgeWithoutIPHooks(v4: Bool)
    /// br_netfilter already ran the IP prerouting hook.
    case preroutingAlreadyRun
    /// The destination was changed to an address on the bridge itself: br_netfilter hands the
    /// frame back to the bridge (hairpin).
    case hairpin(daddr: IPAddress, bridge: String)
    /// A container sends to a peer on its own subnet: the frame is bridged.
    case sameSubnet(daddr: IPAddress, peer: String)
    /// The packet leaves through lo and enters the host again.
    case loopback
    /// The first iptables-legacy table met (its family and name).
    case legacyTables(Family, table: String)
}
