import HookwalkModel

/// The one place the simulator's typed facts become sentences: the text of `hookwalk trace`, the
/// pages and the trace JSON (each fact encodes as its sentence, so the JSON reads as before).
public enum TraceProse {
    /// `tcp 10.0.0.1:41000 -> [fd00::2]:80`.
    public static func text(_ t: FlowTuple) -> String {
        func ep(_ a: IPAddress, _ p: UInt16?) -> String {
            let s = a.isV4 ? a.description : "[\(a)]"
            return p.map { "\(s):\($0)" } ?? s
        }
        return "\(t.proto.rawValue) \(ep(t.saddr, t.sport)) -> \(ep(t.daddr, t.dport))"
    }

    public static func text(_ f: ConntrackFact) -> String {
        switch f {
        case .new(let t): return "new connection \(text(t))"
        case .reply(let o):
            return "reply of the connection \(text(o)): state established, no nat chain is consulted (only the first packet of a connection is)"
        case .unexpectedReply(let t, let expected):
            return "\(text(t)) does not match the expected reply \(text(expected)): conntrack treats it as a new connection"
        case .untracked: return "the packet is not tracked (notrack): no connection, no NAT"
        case .off(let v4):
            let ip = v4 ? "IPv4" : "IPv6"
            return "no rule of the ruleset uses conntrack for \(ip) (no ct match, no NAT statement), "
                + "so the kernel does not track \(ip) connections in this namespace: "
                + "the packet has no connection, and the NAT hook does not consult the nat chains"
        }
    }

    public static func text(_ n: NatRewrite) -> String {
        switch n {
        case .dnat: return "dnat"
        case .snat: return "snat"
        case .undoDNAT(false): return "reverse of the destination NAT"
        case .undoSNAT(false): return "reverse of the source NAT"
        case .undoDNAT(true): return "reverse of the destination NAT (the ICMP error's source, and the packet it quotes)"
        case .undoSNAT(true): return "reverse of the source NAT (the ICMP error's destination, and the packet it quotes)"
        }
    }

    /// `tcp reset`, `icmp destination-unreachable port-unreachable`.
    public static func text(_ k: RejectKind) -> String {
        switch k {
        case .tcpReset: return "tcp reset"
        case .icmpUnreachable(let v6, let code): return "\(v6 ? "icmpv6" : "icmp") destination-unreachable \(code)"
        }
    }

    public static func text(_ c: NotModelledWhat) -> String {
        switch c {
        case .construct(let s): return s
        case .ingressChains: return "netdev/inet ingress chains"
        case .routingRule(let r): return "routing rule \(r)"
        case .placeholderListener(let port):
            return "Docker's placeholder listener on host port \(port)/tcp (userland-proxy false: bound and listening, never accepting)"
        case .rejectAnswer(.hook(let family, let hook)): return "reject's answer from the \(family.rawValue) \(hook.rawValue) hook"
        case .rejectAnswer(.untracked): return "reject's answer for an untracked packet"
        case .rejectAnswer(.noSourceAddress(let a)): return "reject's answer (no source address towards \(a))"
        }
    }

    /// A NAT statement with `random`/`fully-random`: the kernel picks a random source port.
    static func randomSourcePort(_ k: NatKind, flags: [String]) -> NotModelledWhat {
        .construct("\(k.rawValue) with \(flags.joined(separator: ",")): the kernel picks a random source port")
    }

    /// A source port outside a NAT port range: the kernel picks a random port of the range.
    static func sourcePortOutsideRange(_ k: NatKind, _ range: ClosedRange<UInt16>, port: UInt16) -> NotModelledWhat {
        .construct("\(k.rawValue) to the port range \(range.lowerBound)-\(range.upperBound): source port \(port) lies outside it, "
            + "so the kernel picks a random port of the range")
    }

    /// A destination port range with `random`/`fully-random`.
    static func randomPortRange(_ k: NatKind, _ range: ClosedRange<UInt16>, flags: [String]) -> NotModelledWhat {
        .construct("\(k.rawValue) to the port range \(range.lowerBound)-\(range.upperBound) with \(flags.joined(separator: ",")): "
            + "the kernel picks a random port of the range")
    }

    public static func text(_ n: TraceNote) -> String {
        switch n {
        case .natChainNotConsulted(let chain, let v4):
            return "\(chain.description) is attached to this hook but not consulted: the NAT hook calls nat chains only for "
                + "a packet conntrack tracks, and \(v4 ? "IPv4" : "IPv6") is not tracked here"
        case .rejectAnswerSent(let k, let from, let to):
            return "reject's answer: the kernel sends \(k == .tcpReset ? "a TCP reset" : "an " + text(k)) "
                + "from \(from) to \(to) through the output and postrouting hooks; conntrack attaches it to "
                + "the rejected connection (ct state related)"
        case .resetNotTCP: return "reject with tcp reset: the packet is not TCP, so the kernel sends no reset; it is only dropped"
        case .natChainsSkipped(let k, let chains):
            return "a \(k.rawValue) mapping was made, so the remaining nat chains of this hook are not evaluated: "
                + chains.map(\.description).joined(separator: ", ")
        case .answerMappingNotApplied(let chain, let k):
            return "\(chain): the \(k.rawValue) makes the connection's mapping; the reset travels "
                + "in the reply direction, which this mapping does not rewrite"
        case .portRange(let k, let range, let port, let inside):
            let head = "The \(k.rawValue) maps to the port range \(range.lowerBound)-\(range.upperBound): destination port \(port) "
            return head + (inside ? "lies inside it, so the kernel keeps it"
                : "lies outside it, so the kernel maps it to the first port of the range, \(range.lowerBound) (ports are not shifted)")
        case .branchPoint(let b): return text(b)
        case .setChanged(let c):
            return "\(c.removed ? "removes" : "adds") \(c.key) \(c.removed ? "from" : "to") @\(c.set) (\(c.statement))"
        case .userlandProxy(let hostIP, let proto, let port, let container, let backend, let backendPort):
            let listener = hostIP.isEmpty ? "all addresses" : IPAddress(hostIP).map { !$0.isV4 } == true ? "[\(hostIP)]" : hostIP
            return "docker-proxy (userland-proxy) listens on the host on \(listener) \(proto.rawValue) port \(port) "
                + "and answers; it opens its own connection to \(container) \(backend):\(backendPort) (the second leg)"
        case .proxySixToFour(let container, let hostIP):
            return "docker-proxy bridges IPv6 to IPv4: \(container) has no IPv6 address, so Docker maps the [\(hostIP)] "
                + "binding to its IPv4 address and writes no netfilter rule for it (no ip6 DNAT); the second leg is IPv4, "
                + "from the address the host's routing picks towards the container (the bridge's)"
        case .brNetfilterPrerouting(let bridge, let v4):
            return "br_netfilter (bridge-nf-call-\(v4 ? "iptables" : "ip6tables")=1) runs the IP prerouting hook from the bridge prerouting hook, with iif \(bridge)"
        case .brNetfilterForward(let bridge): return "br_netfilter runs the IP forward hook for the bridged frame, with iif and oif \(bridge)"
        case .brNetfilterPostrouting(let bridge): return "br_netfilter runs the IP postrouting hook for the bridged frame, with oif \(bridge) and no iif"
        case .bridgeWithoutIPHooks(let v4):
            return "bridge-nf-call-\(v4 ? "iptables" : "ip6tables")=0: the bridge hooks run without the IP hooks in between"
        case .preroutingAlreadyRun: return "the IP prerouting hook is not run again for this frame: br_netfilter already ran it"
        case .hairpin(let daddr, let bridge):
            return "the destination was changed to \(daddr), which is on \(bridge) itself: br_netfilter hands the frame back to the bridge (hairpin)"
        case .sameSubnet(let daddr, let peer):
            return "\(daddr) is on the container's own subnet: the frame goes straight to \(peer)'s MAC address and is bridged"
        case .loopback: return "the packet loops back through lo and enters the host again"
        case .legacyTables(let family, let table):
            return "\(family.rawValue) \(table) and the other (legacy) tables are iptables-legacy tables (x_tables): "
                + "the kernel runs them on the same hooks as nftables, by priority, but nft monitor trace does not show them"
        }
    }

    /// `one of 2: 0 -> jump lb_a, 1 -> jump lb_b (numgen inc mod 2 picks one per packet); this walk
    /// follows branch 1, where it gives 1: it leads to jump lb_b (...)`.
    public static func text(_ b: BranchPoint) -> String {
        let another = "`hookwalk trace --branch K` follows another"
        let targets: String, followed: String, value: UInt64?
        switch b.kind {
        case .draw(let threshold, let matches):
            return "one of \(b.ways): \(b.expression) < \(threshold) draws at random per packet, "
                + "so the rule matches about 1 time in \(b.ways); this walk follows branch \(b.branch): the rule "
                + (matches ? "matches" : "does not match") + " (it matches on the branches that are a multiple of \(b.ways); \(another))"
        case .match(let v, let matches):
            (targets, followed, value) = ("the rule matches for some of them", "the rule \(matches ? "matches" : "does not match")", v)
        case .map(let nat, let elements, let v, let chosen):
            let prefix = nat.map { "\($0.rawValue) to " } ?? ""
            targets = elements.map { "\($0.key) -> \(prefix)\($0.target)" }.joined(separator: ", ")
            followed = chosen.map { "it leads to \(prefix)\(elements[$0].target)" } ?? "no element matches"
            value = v
        }
        return "one of \(b.ways): \(targets) (\(b.expression) picks one per packet); this walk follows branch \(b.branch), "
            + "where it gives \(value.map(String.init) ?? "?"): \(followed) (\(another))"
    }
}

extension ConntrackFact: CustomStringConvertible, Codable {
    public var description: String { TraceProse.text(self) }
    public init(from decoder: any Decoder) throws { self = try TraceProse.read(decoder, TraceProse.conntrack) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}

extension NatRewrite: CustomStringConvertible, Codable {
    public var description: String { TraceProse.text(self) }
    public init(from decoder: any Decoder) throws { self = try TraceProse.read(decoder, TraceProse.nat) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}

extension RejectKind: CustomStringConvertible, Codable {
    public var description: String { TraceProse.text(self) }
    public init(from decoder: any Decoder) throws { self = try TraceProse.read(decoder, TraceProse.reject) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}

extension NotModelledWhat: CustomStringConvertible, Codable {
    public var description: String { TraceProse.text(self) }
    public init(from decoder: any Decoder) throws { self = try TraceProse.read(decoder, TraceProse.notModelled) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}

extension BranchPoint: CustomStringConvertible {
    public var description: String { TraceProse.text(self) }
}

extension TraceNote: CustomStringConvertible, Codable {
    public var description: String { TraceProse.text(self) }
    public init(from decoder: any Decoder) throws { self = try TraceProse.read(decoder, TraceProse.note) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(description) }
}

/// Reading a trace JSON back (`OutputManifest.load`): each fact's sentence is turned into the
/// value that makes it, so a reloaded trace reads the same as the simulated one.
extension TraceProse {
    static func read<T>(_ decoder: any Decoder, _ parse: (String) -> T?) throws -> T {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = parse(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a \(T.self) hookwalk writes: \(s)")
        }
        return v
    }

    /// `tcp 10.0.0.1:41000 -> [fd00::2]:80`.
    static func flow(_ s: Substring) -> FlowTuple? {
        let parts = s.split(separator: " ")
        guard parts.count == 4, parts[2] == "->", let proto = L4Proto(rawValue: String(parts[0])),
              let src = endpoint(parts[1]), let dst = endpoint(parts[3]) else { return nil }
        return FlowTuple(proto: proto, saddr: src.0, sport: src.1, daddr: dst.0, dport: dst.1)
    }

    private static func endpoint(_ s: Substring) -> (IPAddress, UInt16?)? {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), let a = IPAddress(String(s[s.index(after: s.startIndex)..<close])) else { return nil }
            let rest = s[s.index(after: close)...]
            if rest.isEmpty { return (a, nil) }
            guard rest.hasPrefix(":"), let p = UInt16(rest.dropFirst()) else { return nil }
            return (a, p)
        }
        if let colon = s.firstIndex(of: ":") {
            guard let a = IPAddress(String(s[..<colon])), let p = UInt16(s[s.index(after: colon)...]) else { return nil }
            return (a, p)
        }
        return IPAddress(String(s)).map { ($0, nil) }
    }

    static func conntrack(_ s: String) -> ConntrackFact? {
        let candidates: [ConntrackFact] = [.untracked, .off(v4: true), .off(v4: false)]
        if let c = candidates.first(where: { text($0) == s }) { return c }
        if s.hasPrefix("new connection "), let t = flow(s.dropFirst("new connection ".count)) { return .new(t) }
        if s.hasPrefix("reply of the connection "), let colon = s.range(of: ": state established"),
           let t = flow(s[s.index(s.startIndex, offsetBy: "reply of the connection ".count)..<colon.lowerBound]) {
            return .reply(original: t)
        }
        if let mid = s.range(of: " does not match the expected reply "), let end = s.range(of: ": conntrack treats"),
           let t = flow(s[..<mid.lowerBound]), let e = flow(s[mid.upperBound..<end.lowerBound]) {
            return .unexpectedReply(t, expected: e)
        }
        return nil
    }

    static func nat(_ s: String) -> NatRewrite? {
        let all: [NatRewrite] = [.dnat, .snat, .undoDNAT(icmpError: false), .undoSNAT(icmpError: false),
                                 .undoDNAT(icmpError: true), .undoSNAT(icmpError: true)]
        return all.first { text($0) == s }
    }

    static func reject(_ s: String) -> RejectKind? {
        if s == "tcp reset" { return .tcpReset }
        for (prefix, v6) in [("icmp destination-unreachable ", false), ("icmpv6 destination-unreachable ", true)] where s.hasPrefix(prefix) {
            return .icmpUnreachable(v6: v6, code: String(s.dropFirst(prefix.count)))
        }
        return nil
    }

    /// The typed cases readers switch on come back typed; the rest keep their words.
    static func notModelled(_ s: String) -> NotModelledWhat? {
        var finite: [NotModelledWhat] = [.ingressChains, .rejectAnswer(.untracked)]
        for f in Family.allCases { for h in Hook.allCases { finite.append(.rejectAnswer(.hook(f, h))) } }
        if let c = finite.first(where: { text($0) == s }) { return c }
        let noSource = "reject's answer (no source address towards "
        if s.hasPrefix(noSource), s.hasSuffix(")"), let a = IPAddress(String(s.dropFirst(noSource.count).dropLast())) {
            return .rejectAnswer(.noSourceAddress(towards: a))
        }
        if s.hasPrefix("routing rule ") { return .routingRule(String(s.dropFirst("routing rule ".count))) }
        return .construct(s)
    }

    static func note(_ s: String) -> TraceNote? {
        if s == text(TraceNote.resetNotTCP) { return .resetNotTCP }
        let sends = "reject's answer: the kernel sends "
        if s.hasPrefix(sends), let from = s.range(of: " from "), let to = s.range(of: " to ", range: from.upperBound..<s.endIndex),
           let through = s.range(of: " through the output", range: to.upperBound..<s.endIndex),
           let a = IPAddress(String(s[from.upperBound..<to.lowerBound])), let b = IPAddress(String(s[to.upperBound..<through.lowerBound])) {
            let k = s[s.index(s.startIndex, offsetBy: sends.count)..<from.lowerBound]
            let kind = k == "a TCP reset" ? RejectKind.tcpReset : k.hasPrefix("an ") ? reject(String(k.dropFirst(3))) : nil
            if let kind, text(TraceNote.rejectAnswerSent(kind, from: a, to: b)) == s { return .rejectAnswerSent(kind, from: a, to: b) }
        }
        if let r = s.range(of: " is attached to this hook but not consulted: ") {
            let words = s[..<r.lowerBound].split(separator: " ", maxSplits: 2)
            if words.count == 3, let f = Family(rawValue: String(words[0])) {
                let note = TraceNote.natChainNotConsulted(ChainRef(family: f, table: String(words[1]), chain: String(words[2])),
                                                          v4: s.hasSuffix("IPv4 is not tracked here"))
                if text(note) == s { return note }
            }
        }
        return typedNote(s)
    }

    /// The other notes: each case's words, with holes where its facts go (`holes`); a candidate is
    /// kept only when it words `s` again, so a hostile name that contains a note's words still
    /// reads back right.
    private static func typedNote(_ s: String) -> TraceNote? {
        func uint<T: FixedWidthInteger>(_ h: Substring) -> T? { T(h) }
        func chain(_ h: Substring) -> ChainRef? {
            let w = h.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard w.count == 3, let f = Family(rawValue: String(w[0])) else { return nil }
            return ChainRef(family: f, table: String(w[1]), chain: String(w[2]))
        }
        let nats: [NatKind] = [.snat, .dnat, .masquerade, .redirect]
        func nat(_ h: Substring) -> NatKind? { NatKind(rawValue: String(h)) }
        func ipt(_ h: Substring) -> Bool? { h == "iptables" ? true : h == "ip6tables" ? false : nil }
        let fixed: [TraceNote] = [.preroutingAlreadyRun, .loopback]
        if let n = fixed.first(where: { text($0) == s }) { return n }
        let readers: [([String], ([Substring]) -> TraceNote?)] = [
            (["a ", " mapping was made, so the remaining nat chains of this hook are not evaluated: ", ""], { h in
                let chains = h[1].isEmpty ? [] : h[1].split(separator: ", ", omittingEmptySubsequences: false).map { chain($0) }
                guard let k = nat(h[0]), chains.allSatisfy({ $0 != nil }) else { return nil }
                return .natChainsSkipped(k, chains.compactMap { $0 })
            }),
            (["", ": the ", " makes the connection's mapping; the reset travels in the reply direction, which this mapping does not rewrite"], { h in
                guard let c = chain(h[0]), let k = nat(h[1]) else { return nil }
                return .answerMappingNotApplied(c, k)
            }),
            (["The ", " maps to the port range ", "-", ": destination port ", " lies ", ""], { h in
                guard let k = nat(h[0]), let lo: UInt16 = uint(h[1]), let hi: UInt16 = uint(h[2]), lo <= hi, let p: UInt16 = uint(h[3]) else { return nil }
                return .portRange(k, lo...hi, port: p, inside: h[4].hasPrefix("inside"))
            }),
            (["", " ", " from @", " (", ")"], { h in
                guard h[0] == "removes" else { return nil }
                return .setChanged(SetChange(removed: true, key: String(h[1]), set: String(h[2]), statement: String(h[3])))
            }),
            (["", " ", " to @", " (", ")"], { h in
                guard h[0] == "adds" else { return nil }
                return .setChanged(SetChange(removed: false, key: String(h[1]), set: String(h[2]), statement: String(h[3])))
            }),
            (["docker-proxy (userland-proxy) listens on the host on ", " ", " port ", " and answers; it opens its own connection to ", " ",
              " (the second leg)"], { h in
                guard let proto = L4Proto(rawValue: String(h[1])), let port: UInt16 = uint(h[2]), let colon = h[4].lastIndex(of: ":"),
                      let backend = IPAddress(String(h[4][..<colon])), let bport: UInt16 = uint(h[4][h[4].index(after: colon)...]) else { return nil }
                var hostIP = String(h[0])
                if hostIP == "all addresses" { hostIP = "" } else if hostIP.hasPrefix("["), hostIP.hasSuffix("]") { hostIP = String(hostIP.dropFirst().dropLast()) }
                return .userlandProxy(hostIP: hostIP, proto: proto, port: port, container: String(h[3]), backend: backend, backendPort: bport)
            }),
            (["docker-proxy bridges IPv6 to IPv4: ", " has no IPv6 address, so Docker maps the [", "] binding to its IPv4 address and writes no "
              + "netfilter rule for it (no ip6 DNAT); the second leg is IPv4, from the address the host's routing picks towards the container (the bridge's)"], { h in
                .proxySixToFour(container: String(h[0]), hostIP: String(h[1]))
            }),
            (["br_netfilter (bridge-nf-call-", "=1) runs the IP prerouting hook from the bridge prerouting hook, with iif ", ""], { h in
                ipt(h[0]).map { .brNetfilterPrerouting(bridge: String(h[1]), v4: $0) }
            }),
            (["br_netfilter runs the IP forward hook for the bridged frame, with iif and oif ", ""], { h in .brNetfilterForward(bridge: String(h[0])) }),
            (["br_netfilter runs the IP postrouting hook for the bridged frame, with oif ", " and no iif"], { h in .brNetfilterPostrouting(bridge: String(h[0])) }),
            (["bridge-nf-call-", "=0: the bridge hooks run without the IP hooks in between"], { h in ipt(h[0]).map { .bridgeWithoutIPHooks(v4: $0) } }),
            (["the destination was changed to ", ", which is on ", " itself: br_netfilter hands the frame back to the bridge (hairpin)"], { h in
                IPAddress(String(h[0])).map { .hairpin(daddr: $0, bridge: String(h[1])) }
            }),
            (["", " is on the container's own subnet: the frame goes straight to ", "'s MAC address and is bridged"], { h in
                IPAddress(String(h[0])).map { .sameSubnet(daddr: $0, peer: String(h[1])) }
            }),
            (["", " ", " and the other (legacy) tables are iptables-legacy tables (x_tables): the kernel runs them on the same hooks "
              + "as nftables, by priority, but nft monitor trace does not show them"], { h in
                Family(rawValue: String(h[0])).map { .legacyTables($0, table: String(h[1])) }
            }),
            (["one of ", ": ", " < ", " draws at random per packet, so the rule matches about 1 time in ", "; this walk follows branch ",
              ": the rule ", " (it matches on the branches that are a multiple of ", "; `hookwalk trace --branch K` follows another)"], { h in
                guard let d: UInt64 = uint(h[0]), let t: UInt64 = uint(h[2]), let b: UInt64 = uint(h[4]) else { return nil }
                return .branchPoint(BranchPoint(ways: d, expression: String(h[1]), branch: b, kind: .draw(threshold: t, matches: h[5] == "matches")))
            }),
            (["one of ", ": ", " (", " picks one per packet); this walk follows branch ", ", where it gives ", ": ",
              " (`hookwalk trace --branch K` follows another)"], { h in
                guard let n: UInt64 = uint(h[0]), let b: UInt64 = uint(h[3]) else { return nil }
                let value: UInt64? = uint(h[4])
                func point(_ k: BranchPoint.Kind) -> TraceNote { .branchPoint(BranchPoint(ways: n, expression: String(h[2]), branch: b, kind: k)) }
                if h[1] == "the rule matches for some of them" { return point(.match(value: value, matches: h[5] == "the rule matches")) }
                // `k -> t, k -> t`: a piece without an arrow belongs to the target before it.
                var pairs: [(key: String, target: String)] = []
                for piece in h[1].isEmpty ? [] : h[1].split(separator: ", ", omittingEmptySubsequences: false) {
                    if let arrow = piece.firstRange(of: " -> ") {
                        pairs.append((String(piece[..<arrow.lowerBound]), String(piece[arrow.upperBound...])))
                    } else if !pairs.isEmpty {
                        pairs[pairs.count - 1].target += ", " + String(piece)
                    } else { return nil }
                }
                // A verdict never starts with `dnat to `: a NAT map's reading goes first.
                for k in nats.map(Optional.some) + [nil] {
                    let prefix = k.map { "\($0.rawValue) to " } ?? ""
                    guard pairs.allSatisfy({ $0.target.hasPrefix(prefix) }) else { continue }
                    let targets = pairs.map { BranchTarget(key: $0.key, target: String($0.target.dropFirst(prefix.count))) }
                    let chosen = targets.firstIndex { "it leads to \(prefix)\($0.target)" == h[5] }
                    let note = point(.map(nat: k, targets: targets, value: value, chosen: chosen))
                    if text(note) == s { return note }
                }
                return nil
            }),
        ]
        for (words, read) in readers {
            for h in holes(s[...], words) { if let n = read(h), text(n) == s { return n } }
        }
        return nil
    }

    /// Every way `s` is `words[0] + h[0] + words[1] + ... + h[n-1] + words[n]`: the holes between
    /// a sentence's fixed words, tried in every place the words occur (words that occur inside a
    /// hole make several ways; the reader keeps the first that words `s` again).
    static func holes(_ s: Substring, _ words: [String]) -> [[Substring]] {
        guard let first = words.first, s.hasPrefix(first) else { return [] }
        if words.count == 1 { return s.count == first.count ? [[]] : [] }
        var out: [[Substring]] = []
        func go(_ rest: Substring, _ i: Int, _ found: [Substring]) {
            let w = words[i]
            if i == words.count - 1 {
                if rest.hasSuffix(w) { out.append(found + [rest.dropLast(w.count)]) }
                return
            }
            // Last place first: the hole before a word is the longest, as a free name (a container,
            // a chain, a set's key) comes before the fixed words and the numbers that follow it.
            var places: [Range<Substring.Index>] = []
            var from = rest.startIndex
            while let r = rest[from...].firstRange(of: w) {
                places.append(r)
                if r.lowerBound == rest.endIndex { break }
                from = rest.index(after: r.lowerBound)
            }
            for r in places.reversed() { go(rest[r.upperBound...], i + 1, found + [rest[..<r.lowerBound]]) }
        }
        go(s.dropFirst(first.count), 1, [])
        return out
    }
}
