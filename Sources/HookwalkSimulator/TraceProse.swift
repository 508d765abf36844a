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

    /// A mapping was made, so the other nat chains of the hook are not evaluated.
    static func natChainsSkipped(_ k: NatKind, _ chains: [ChainRef]) -> TraceNote {
        .text("a \(k.rawValue) mapping was made, so the remaining nat chains of this hook are not evaluated: "
            + chains.map(\.description).joined(separator: ", "))
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
        case .text(let s): return s
        }
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
        return .text(s)
    }
}
