import HookwalkModel

/// The datatype of an expression, which decides how constants compared with it are read: nft
/// lists `udp dport 514`, `meta l4proto udp` and `ct state established` with untyped constants, and
/// its evaluation step types them by the left-hand side. The simulator does the same here.
enum FieldKind: Hashable, Sendable {
    case ipv4
    case ipv6
    /// Interface names (`iifname`, and `iif`/`oif`, which nft lists by name too).
    case ifname
    /// An integer with the symbols nft prints for it (ports, protocols, ct state bits...).
    case integer(SymbolTable)
    case concat([FieldKind])

    var symbols: SymbolTable? {
        if case .integer(let t) = self { return t }
        return nil
    }
}

/// The symbolic constants of an integer datatype.
enum SymbolTable: String, Hashable, Sendable {
    case none, service, inetProto, ctState, ctStatus, ctDir, fibAddrType, nfproto, pkttype, tcpFlag, icmpType, etherType

    var names: [String: UInt64] {
        switch self {
        case .none: return [:]
        case .service: return Symbols.services
        case .inetProto: return Symbols.protocols
        case .ctState: return ["invalid": 1, "established": 2, "related": 4, "new": 8, "untracked": 64]
        case .ctStatus:
            return ["expected": 1, "seen-reply": 2, "assured": 4, "confirmed": 8, "snat": 16, "dnat": 32, "dying": 512]
        case .ctDir: return ["original": 0, "reply": 1]
        case .fibAddrType:
            return ["unspec": 0, "unicast": 1, "local": 2, "broadcast": 3, "anycast": 4, "multicast": 5,
                    "blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10, "xresolve": 11]
        case .nfproto: return ["ipv4": 2, "ipv6": 10, "inet": 1, "bridge": 7, "arp": 3, "netdev": 5]
        case .pkttype: return ["host": 0, "unicast": 0, "broadcast": 1, "multicast": 2, "other": 3]
        case .tcpFlag: return ["fin": 1, "syn": 2, "rst": 4, "psh": 8, "ack": 16, "urg": 32, "ecn": 64, "cwr": 128]
        case .icmpType:
            return ["echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5, "echo-request": 8,
                    "router-advertisement": 9, "router-solicitation": 10, "time-exceeded": 11, "parameter-problem": 12,
                    "timestamp-request": 13, "timestamp-reply": 14, "info-request": 15, "info-reply": 16,
                    "address-mask-request": 17, "address-mask-reply": 18]
        case .etherType: return ["ip": 0x0800, "ip6": 0x86dd, "arp": 0x0806, "vlan": 0x8100]
        }
    }
}

enum Symbols {
    static let protocols: [String: UInt64] = [
        "icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6, "egp": 8, "udp": 17, "ipv6": 41, "gre": 47, "esp": 50, "ah": 51,
        "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "udplite": 136, "comp": 108, "dccp": 33, "pim": 103, "vrrp": 112,
    ]
    /// The services nft may print by name with `-S`, or a person may write by hand.
    static let services: [String: UInt64] = [
        "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "bootps": 67, "bootpc": 68,
        "tftp": 69, "http": 80, "pop3": 110, "ntp": 123, "imap": 143, "snmp": 161, "ldap": 389, "https": 443,
        "syslog": 514, "submission": 587, "imaps": 993, "pop3s": 995, "mysql": 3306, "radius": 1812,
        "radius-acct": 1813, "http-alt": 8080, "postgresql": 5432,
    ]
}

extension FieldKind {
    /// The datatype of an expression in a table of `family`, or nil when hookwalk cannot type it.
    static func of(_ expr: Expr) -> FieldKind? {
        switch expr {
        case .payload(let proto, let field):
            switch (proto, field) {
            case ("ip", "saddr"), ("ip", "daddr"), ("arp", "saddr ip"), ("arp", "daddr ip"): return .ipv4
            case ("ip6", "saddr"), ("ip6", "daddr"): return .ipv6
            case ("ip", "protocol"), ("ip6", "nexthdr"): return .integer(.inetProto)
            case (_, "sport"), (_, "dport"): return .integer(.service)
            case ("tcp", "flags"): return .integer(.tcpFlag)
            case ("icmp", "type"): return .integer(.icmpType)
            case ("ether", "type"): return .integer(.etherType)
            default: return .integer(.none)
            }
        case .exthdr(_, let field):
            return field == "nexthdr" ? .integer(.inetProto) : .integer(.none)
        case .meta(let key):
            switch key {
            case "iifname", "oifname", "iif", "oif", "ibrname", "obrname", "ibridgename", "obridgename": return .ifname
            case "l4proto": return .integer(.inetProto)
            case "protocol": return .integer(.etherType)
            case "nfproto": return .integer(.nfproto)
            case "pkttype": return .integer(.pkttype)
            default: return .integer(.none)
            }
        case .ct(let key, _, let family):
            switch key {
            case "state": return .integer(.ctState)
            case "status": return .integer(.ctStatus)
            case "direction": return .integer(.ctDir)
            case "saddr", "daddr", "ip saddr", "ip daddr": return family == "ip6" ? .ipv6 : .ipv4
            case "ip6 saddr", "ip6 daddr": return .ipv6
            case "proto-src", "proto-dst": return .integer(.service)
            case "protocol": return .integer(.inetProto)
            case "l3proto": return .integer(.nfproto)
            default: return .integer(.none)
            }
        case .fib(let result, _):
            switch result {
            case "type": return .integer(.fibAddrType)
            case "oif", "oifname": return .ifname
            default: return nil
            }
        case .concat(let parts):
            var kinds: [FieldKind] = []
            for p in parts {
                guard let k = of(p) else { return nil }
                kinds.append(k)
            }
            return .concat(kinds)
        case .binop(_, let left, _):
            return of(left)
        default:
            return nil
        }
    }
}
