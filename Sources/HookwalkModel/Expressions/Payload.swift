/// `PROTO FIELD` (nftables' payload.c and proto.c): a header field, `ip saddr`, `tcp dport`,
/// `th dport`, `icmp type`, `arp saddr ip`; and the raw `@base,offset,length`. JSON
/// `{"payload": {"protocol": P, "field": F}}` or `{"payload": {"base": B, "offset": O, "len": L}}`.
public enum Payload: ExprFamily {
    /// Protocols whose fields are payload expressions.
    public static let protocols: Set<String> = [
        "ip", "ip6", "tcp", "udp", "udplite", "sctp", "dccp", "th", "icmp", "icmpv6", "igmp", "ah", "esp",
        "comp", "arp", "ether", "vlan", "gre", "geneve", "vxlan", "gretap", "ipcomp",
    ]
    /// The layer-4 protocols whose header has ports.
    static let portProtocols: Set<String> = ["tcp", "udp", "udplite", "sctp", "dccp"]

    public static var keywords: Set<String> { protocols }
    public static let jsonKeys: Set<String> = ["payload"]

    public static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr {
        let proto = try r.name("a protocol")
        guard var field = r.word(0) else { throw r.failure(expected: "a header field after '\(proto)' (such as saddr, dport)") }
        r.advance()
        // `arp saddr ip`, `arp daddr ether`: the ARP header's address fields.
        if proto == "arp", field == "saddr" || field == "daddr", let sub = r.word(0), sub == "ip" || sub == "ether" {
            field += " " + sub
            r.advance()
        }
        return .payload(proto: proto, field: field)
    }

    public static func expr(json key: String, _ m: [String: Part]) throws(FamilyError) -> Expr? {
        if m["protocol"] != nil {
            return .payload(proto: try m.word("protocol", of: key), field: try m.word("field", of: key))
        }
        return .rawPayload(base: try m.word("base", of: key), offset: try m.int("offset", of: key), length: try m.int("len", of: key))
    }

    public static func text(_ e: Expr) -> String? {
        switch e {
        case .payload(let proto, let field): return "\(proto) \(field)"
        case .rawPayload(let base, let off, let len): return "@\(base),\(off),\(len)"
        default: return nil
        }
    }

    public static func json(_ e: Expr) -> JSONShape? {
        switch e {
        case .payload(let proto, let field):
            return JSONShape("payload", [.init("protocol", .word(proto)), .init("field", .word(field))])
        case .rawPayload(let base, let off, let len):
            return JSONShape("payload", [.init("base", .word(base)), .init("offset", .atom(.number(UInt64(off)))),
                                         .init("len", .atom(.number(UInt64(len))))])
        default: return nil
        }
    }

    public static func datatype(_ e: Expr) -> Datatype? {
        guard case .payload(let proto, let field) = e else { return nil }
        switch (proto, field) {
        case ("ip", "saddr"), ("ip", "daddr"), ("arp", "saddr ip"), ("arp", "daddr ip"): return .ipv4Addr
        case ("ip6", "saddr"), ("ip6", "daddr"): return .ipv6Addr
        case (_, "sport"), (_, "dport"): return .inetService
        case ("ip", "protocol"), ("ip6", "nexthdr"): return .inetProto
        case ("ether", "saddr"), ("ether", "daddr"), ("arp", "saddr ether"), ("arp", "daddr ether"): return .etherAddr
        case ("ether", "type"), ("vlan", "type"): return .etherType
        case ("tcp", "flags"): return .tcpFlag
        case ("icmp", "type"): return .icmpType
        case ("icmpv6", "type"): return .icmpv6Type
        case ("icmp", "code"): return .icmpCode
        case ("icmpv6", "code"): return .icmpv6Code
        case ("arp", "operation"): return .arpOp
        case ("ip", "dscp"), ("ip6", "dscp"): return .dscp
        case ("ip", "ecn"), ("ip6", "ecn"): return .ecn
        case ("comp", "flags"): return .xinteger
        default: return .integer
        }
    }

    public static func reading(_ e: Expr) -> Reading {
        guard case .payload(let proto, let field) = e else { return .notModelled() }
        switch proto {
        case "ip", "ip6":
            let l3: Requirement = proto == "ip" ? .ipv4 : .ipv6
            switch field {
            case "saddr": return .field(.saddr, requires: l3)
            case "daddr": return .field(.daddr, requires: l3)
            case "protocol", "nexthdr": return .field(.l4proto, requires: l3)
            default: return .notModelled(requires: l3)
            }
        case _ where proto == "th" || portProtocols.contains(proto):
            let l4: Requirement = .l4(proto == "th" ? ["tcp", "udp"] : [proto])
            switch field {
            case "sport": return .field(.sport, requires: l4)
            case "dport": return .field(.dport, requires: l4)
            case "flags" where proto == "tcp": return .field(.tcpFlags, requires: l4)
            default: return .notModelled(requires: l4)
            }
        case "icmp", "icmpv6":
            // nft's dependency is the protocol of its own header: `icmp type` needs ICMP,
            // `icmpv6 type` ICMPv6 (an ICMPv6 packet does not match `icmp type`).
            let l4: Requirement = .l4([proto == "icmp" ? "icmp" : "ipv6-icmp"])
            switch field {
            case "type": return .field(.icmpType, requires: l4)
            case "code": return .field(.icmpCode, requires: l4)
            default: return .notModelled(requires: l4)
            }
        default:
            return .notModelled()
        }
    }

    public static func phrase(_ e: Expr) -> Phrase? {
        guard case .payload(let proto, let field) = e else { return nil }
        switch field {
        case "saddr" where proto == "ip" || proto == "ip6": return .subject("the source address", shows: .saddr)
        case "daddr" where proto == "ip" || proto == "ip6": return .subject("the destination address", shows: .daddr)
        case "sport": return .subject("the source port", shows: .sport)
        case "dport": return .subject("the destination port", shows: .dport)
        case "protocol", "nexthdr": return .subject("the protocol", shows: .l4proto)
        default: return nil
        }
    }
}
