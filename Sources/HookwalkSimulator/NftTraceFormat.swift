import HookwalkModel

/// The `nft monitor trace` format, both ways: `NftTraceFormat` writes a simulated trace as the
/// kernel prints it; `KernelTraceParser` (below) reads what the kernel printed (`hookwalk verify`
/// and the lab compare the two). One file, so a change to the format is made once.
///
/// Writes a trace as `nft -a monitor trace` prints the same packets (without the `trace id`
/// prefix): a `packet:` line when a base chain first prints something for the packet, one `rule`
/// line per matching rule, `policy` lines (docs/kernel-facts.md, fact 20). This is the form `hookwalk verify` compares
/// with the kernel, so it stays in the simulator's module, next to the events it prints.
public enum NftTraceFormat {
    /// - Parameter onlyTraced: print only events of packets that had nftrace set, as the kernel
    ///   does; pass `Simulator.rulesetSetsNftrace` (a ruleset without `meta nftrace set` would
    ///   otherwise print nothing).
    public static func lines(_ packet: PacketTrace, onlyTraced: Bool) -> [String] {
        var out: [String] = []
        var pending: (BaseChainRef, PacketState)?
        var printedPacketLine = false
        for e in packet.events {
            switch e.kind {
            case .chain(let ref, let state):
                pending = (ref, state)
                printedPacketLine = false
            case .rule(let chain, let handle, let text, let verdict):
                guard !onlyTraced || e.traced, let p = pending else { continue }
                if !printedPacketLine { out.append(packetLine(p.0, p.1)); printedPacketLine = true }
                let h = handle.map { " # handle \($0)" } ?? ""
                out.append("\(chain.family.rawValue) \(chain.table) \(chain.chain) rule \(text)\(h) (verdict \(verdict.traceText))")
            case .policy(let chain, let policy):
                guard !onlyTraced || e.traced, let p = pending else { continue }
                if !printedPacketLine { out.append(packetLine(p.0, p.1)); printedPacketLine = true }
                out.append("\(chain.family.rawValue) \(chain.table) \(chain.chain) policy \(policy.rawValue)")
            default:
                continue
            }
        }
        return out
    }

    /// The request's lines, then the reply's.
    public static func lines(_ trace: Trace, onlyTraced: Bool) -> [String] {
        lines(trace.request, onlyTraced: onlyTraced) + (trace.back.map { lines($0, onlyTraced: onlyTraced) } ?? [])
    }

    static func packetLine(_ ref: BaseChainRef, _ s: PacketState) -> String {
        var parts = ["\(ref.chain.family.rawValue) \(ref.chain.table) \(ref.chain.chain) packet:"]
        if let i = s.iif { parts.append("iif \"\(i)\"") }
        if let o = s.oif { parts.append("oif \"\(o)\"") }
        let l3 = s.saddr.isV4 ? "ip" : "ip6"
        parts.append("\(l3) saddr \(s.saddr) \(l3) daddr \(s.daddr)")
        if ref.chain.family != .ip && ref.chain.family != .ip6 {
            parts.append(s.saddr.isV4 ? "ip protocol \(s.proto.rawValue)" : "ip6 nexthdr \(s.proto.rawValue)")
        }
        switch s.proto {
        case .tcp, .udp:
            let p = s.proto.rawValue
            if let sp = s.sport { parts.append("\(p) sport \(sp)") }
            if let dp = s.dport { parts.append("\(p) dport \(dp)") }
            if s.proto == .tcp, let f = s.tcpFlags { parts.append("tcp flags == \(f)") }
        default:
            break
        }
        if s.mark != 0 { parts.append("meta mark 0x\(String(s.mark, radix: 16, uppercase: false))") }
        return parts.joined(separator: " ")
    }
}

// MARK: - Reading what the kernel printed

/// One line of `nft -a monitor trace`, or of hookwalk's own `trace --format nft` (which prints the
/// same lines without `trace id`). Both sides of `verify` are read through this one type, so a
/// difference the comparison reports is a difference in the path, never in the parsing.
public struct TraceLine: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kernel's trace id (`2a038b00`); nil for simulated lines. It identifies an skb, not a
    /// packet: it can change after NAT and is reused by later packets (see `FlowGrouping`).
    public var traceID: String?
    public var family: Family
    public var table: String
    public var chain: String
    public var kind: TraceLineKind
    /// The line as read, for divergence reports.
    public var raw: String

    public init(traceID: String? = nil, family: Family, table: String, chain: String, kind: TraceLineKind, raw: String = "") {
        self.traceID = traceID
        self.family = family
        self.table = table
        self.chain = chain
        self.kind = kind
        self.raw = raw
    }

    public var description: String { raw.isEmpty ? "\(family.rawValue) \(table) \(chain) \(kind)" : raw }
}

public enum TraceLineKind: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `packet: iif ... ` at the start of a base chain.
    case packet(PacketFields)
    /// A matching rule: `rule <text> # handle N (verdict V)`; V is `continue`, `accept`, `drop`,
    /// `jump X`, `goto X`, `return`.
    case rule(handle: Int, verdict: String, text: String)
    /// `policy accept|drop` at the end of a base chain.
    case policy(String)

    public var description: String {
        switch self {
        case .packet(let p): return "packet: \(p)"
        case .rule(let h, let v, let t): return "rule \(t) # handle \(h) (verdict \(v))"
        case .policy(let p): return "policy \(p)"
        }
    }
}

/// The fields of a `packet:` line that the comparison and the flow grouping use. Everything else
/// nft prints (ether addresses, ttl, window, dscp...) is skipped.
public struct PacketFields: Sendable, Hashable, Codable, CustomStringConvertible {
    public var iif: String?
    public var oif: String?
    public var saddr: IPAddress?
    public var daddr: IPAddress?
    /// `tcp`, `udp`, `icmp`, `ipv6-icmp`... From `ip protocol`/`ip6 nexthdr` when printed, else
    /// from the transport header's fields (nft leaves `ip protocol` out on some lines).
    public var proto: String?
    public var sport: UInt16?
    public var dport: UInt16?
    /// TCP flags as a bit mask (fin 0x01, syn 0x02, rst 0x04, psh 0x08, ack 0x10...): nft prints
    /// `syn` for one flag and `0x12` for several, so only the number compares reliably.
    public var tcpFlags: UInt8?
    /// The IPv4 identification; nil for IPv6. Part of a packet's identity across NAT.
    public var ipID: Int?

    public init(iif: String? = nil, oif: String? = nil, saddr: IPAddress? = nil, daddr: IPAddress? = nil, proto: String? = nil,
                sport: UInt16? = nil, dport: UInt16? = nil, tcpFlags: UInt8? = nil, ipID: Int? = nil) {
        self.iif = iif
        self.oif = oif
        self.saddr = saddr
        self.daddr = daddr
        self.proto = proto
        self.sport = sport
        self.dport = dport
        self.tcpFlags = tcpFlags
        self.ipID = ipID
    }

    /// `iif=ens192 oif=docker1 10.254.10.105:41001 -> 172.20.0.2:8080 tcp flags=0x02`, the shape of
    /// the lab's summary files.
    public var description: String {
        var parts: [String] = []
        if let iif { parts.append("iif=\(iif)") }
        if let oif { parts.append("oif=\(oif)") }
        func ep(_ a: IPAddress?, _ p: UInt16?) -> String {
            let s = a.map { $0.isV4 ? $0.description : "[\($0)]" } ?? "?"
            return p.map { "\(s):\($0)" } ?? s
        }
        parts.append("\(ep(saddr, sport)) -> \(ep(daddr, dport))")
        if let proto { parts.append(proto) }
        if let tcpFlags { parts.append("flags=" + TCPFlags.hex(tcpFlags)) }
        return parts.joined(separator: " ")
    }
}

/// TCP flag names as nft spells them.
public enum TCPFlags {
    public static let syn: UInt8 = 0x02
    public static let synAck: UInt8 = 0x12
    static let names: [(String, UInt8)] = [
        ("fin", 0x01), ("syn", 0x02), ("rst", 0x04), ("psh", 0x08), ("ack", 0x10), ("urg", 0x20), ("ecn", 0x40), ("cwr", 0x80),
    ]

    /// Parses `syn`, `0x12`, `syn,ack`, `syn | ack`, `18`.
    public static func parse(_ text: String) -> UInt8? {
        var mask: UInt8 = 0
        let parts = text.split(whereSeparator: { $0 == "," || $0 == "|" || $0 == " " })
        guard !parts.isEmpty else { return nil }
        for p in parts {
            let s = String(p)
            if let (_, bit) = names.first(where: { $0.0 == s }) {
                mask |= bit
            } else if s.hasPrefix("0x"), let n = UInt8(s.dropFirst(2), radix: 16) {
                mask |= n
            } else if let n = UInt8(s) {
                mask |= n
            } else {
                return nil
            }
        }
        return mask
    }

    /// `0x02`.
    public static func hex(_ v: UInt8) -> String {
        let h = String(v, radix: 16)
        return "0x" + (h.count < 2 ? "0" + h : h)
    }
}

/// Reads `nft monitor trace` output. Lines it cannot read (other monitor events, a rule line
/// without `# handle` because `-a` was missing, a `return` event) are kept in `skipped` instead of
/// failing: the capture of a whole scenario must not be lost to one odd line.
public enum KernelTraceParser {
    public struct Result: Sendable, Hashable {
        public var lines: [TraceLine]
        public var skipped: [String]
    }

    public static func parse(_ text: String) -> Result {
        var lines: [TraceLine] = []
        var skipped: [String] = []
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let s = String(raw)
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            if let line = parseLine(s) { lines.append(line) } else { skipped.append(s) }
        }
        return Result(lines: lines, skipped: skipped)
    }

    /// One line, or nil when it is not a packet, rule or policy trace line.
    public static func parseLine(_ line: String) -> TraceLine? {
        let raw = line.trimmingCharacters(in: .whitespacesAndNewlines)
        var rest = Substring(raw)
        var traceID: String?
        if rest.hasPrefix("trace id ") {
            rest = rest.dropFirst("trace id ".count)
            guard let sp = rest.firstIndex(of: " ") else { return nil }
            traceID = String(rest[..<sp])
            rest = rest[rest.index(after: sp)...]
        }
        // family table chain <event>
        var head: [String] = []
        for _ in 0..<3 {
            rest = rest.drop(while: { $0 == " " })
            guard let sp = rest.firstIndex(of: " ") else { return nil }
            head.append(String(rest[..<sp]))
            rest = rest[sp...]
        }
        rest = rest.drop(while: { $0 == " " })
        guard let family = Family(rawValue: head[0]) else { return nil }
        let kind: TraceLineKind
        if rest.hasPrefix("packet:") {
            kind = .packet(parsePacket(String(rest.dropFirst("packet:".count))))
        } else if rest.hasPrefix("rule ") {
            guard let k = parseRule(String(rest.dropFirst("rule ".count))) else { return nil }
            kind = k
        } else if rest.hasPrefix("policy ") || rest == "policy" {
            let words = rest.split(separator: " ")
            guard words.count >= 2 else { return nil }
            kind = .policy(String(words[1]))
        } else {
            return nil
        }
        return TraceLine(traceID: traceID, family: family, table: head[1], chain: head[2], kind: kind, raw: raw)
    }

    static func parseRule(_ s: String) -> TraceLineKind? {
        guard let h = s.range(of: " # handle ", options: .backwards) ?? (s.hasPrefix("# handle ") ? s.range(of: "# handle ") : nil) else {
            return nil
        }
        let text = String(s[..<h.lowerBound]).trimmingCharacters(in: .whitespaces)
        let tail = s[h.upperBound...]
        let digits = tail.prefix(while: \.isNumber)
        guard let handle = Int(digits) else { return nil }
        var verdict = ""
        if let v = tail.range(of: "(verdict ") {
            let after = tail[v.upperBound...]
            verdict = String(after.prefix(while: { $0 != ")" })).trimmingCharacters(in: .whitespaces)
        }
        return .rule(handle: handle, verdict: verdict, text: text)
    }

    /// Splits on blanks, keeping `"quoted names"` whole (without the quotes).
    static func tokens(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        for ch in s {
            if ch == "\"" {
                quoted.toggle()
                continue
            }
            if ch == " " && !quoted {
                if !cur.isEmpty { out.append(cur); cur = "" }
            } else {
                cur.append(ch)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    static let transportHeaders: Set<String> = ["tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6"]

    static func parsePacket(_ s: String) -> PacketFields {
        let t = tokens(s)
        var p = PacketFields()
        var headerProto: String?
        var i = 0
        func at(_ k: Int) -> String? { k < t.count ? t[k] : nil }
        while i < t.count {
            let w = t[i]
            switch w {
            case "iif", "oif", "iifname", "oifname":
                if let v = at(i + 1) {
                    if w.hasPrefix("i") { p.iif = v } else { p.oif = v }
                    i += 2
                    continue
                }
            case "ip", "ip6":
                guard let field = at(i + 1), let v = at(i + 2) else { break }
                switch field {
                case "saddr": p.saddr = IPAddress(v)
                case "daddr": p.daddr = IPAddress(v)
                case "id": p.ipID = Int(v)
                case "protocol", "nexthdr":
                    // `ip6 nexthdr` may be an extension header; a transport header seen later wins.
                    p.proto = normalizeProto(v)
                default:
                    i += 2
                    continue
                }
                i += 3
                continue
            default:
                if transportHeaders.contains(w), let field = at(i + 1) {
                    if headerProto == nil { headerProto = normalizeProto(w) }
                    switch field {
                    case "sport": p.sport = at(i + 2).flatMap { UInt16($0) }; i += 3; continue
                    case "dport": p.dport = at(i + 2).flatMap { UInt16($0) }; i += 3; continue
                    case "flags" where w == "tcp":
                        var k = i + 2
                        if at(k) == "==" { k += 1 }
                        if let v = at(k) { p.tcpFlags = TCPFlags.parse(v) }
                        i = k + 1
                        continue
                    default:
                        i += 2
                        continue
                    }
                }
            }
            i += 1
        }
        if let hp = headerProto, p.proto == nil || !["tcp", "udp", "icmp", "ipv6-icmp"].contains(p.proto!) {
            p.proto = hp
        }
        return p
    }

    static func normalizeProto(_ s: String) -> String {
        switch s {
        case "6": return "tcp"
        case "17": return "udp"
        case "1": return "icmp"
        case "58", "icmpv6", "ipv6-icmp": return "ipv6-icmp"
        default: return s
        }
    }
}
