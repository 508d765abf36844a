/// The datatypes of nft expressions: the name `nft -j` prints for a `typeof` key, how the
/// simulator reads a constant compared with it, its symbols, and how nft prints its constants.
/// nft lists `udp dport 514`, `meta l4proto udp` and `ct state established` with untyped
/// constants and types them by the left side (its evaluation step); both hookwalk's writers and
/// its simulator do the same through these values. One table for every family: the families
/// (Meta.swift, Ct.swift, Payload.swift...) name the datatype of each key.
public struct Datatype: Sendable, Hashable {
    /// How a constant of the type is read.
    public enum Base: Sendable, Hashable {
        case ipv4, ipv6
        /// Interface names (`iifname`, and `iif`/`oif`, which nft lists by name too).
        case ifname
        /// An integer, by number or by one of `symbols`.
        case integer
        /// Something the simulator does not read (MAC addresses, strings).
        case other
    }

    /// How nft prints a constant of the type on a match's right side or in a `set` statement.
    public enum Style: Sendable, Hashable {
        case plain
        /// Interface names, times, days: quoted (`iifname "eth0"`, `meta hour "08:00"`).
        case quoted
        /// Marks: `0x%08x`.
        case mark
        /// Seconds as `1h2m3s` (`ct expiration`).
        case duration
        /// Hexadecimal with at least `digits` digits (`@nh,8,8 0xff`, `ip6 dscp 0x04`): nft's
        /// `xinteger`, bitmask and dscp types print numbers so.
        case hex(digits: Int)
    }

    /// nft's name for it: `ipv4_addr`, `inet_service`.
    public let name: String
    public let base: Base
    public let symbols: SymbolTable
    /// A bit mask: a bare flag compared with it is a flag test (`ct state established`, which
    /// `nft -j` prints as `"op": "in"`).
    public let bitmask: Bool
    public let style: Style

    public init(_ name: String, _ base: Base, symbols: SymbolTable = .none, bitmask: Bool = false, style: Style = .plain) {
        self.name = name
        self.base = base
        self.symbols = symbols
        self.bitmask = bitmask
        self.style = style
    }

    public static func == (a: Datatype, b: Datatype) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }

    public static let integer = Datatype("integer", .integer)
    /// nft's string type prints quoted (`ct helper "ftp"`).
    public static let string = Datatype("string", .other, style: .quoted)
    public static let ipv4Addr = Datatype("ipv4_addr", .ipv4)
    public static let ipv6Addr = Datatype("ipv6_addr", .ipv6)
    public static let etherAddr = Datatype("ether_addr", .other)
    public static let inetService = Datatype("inet_service", .integer, symbols: .services)
    public static let inetProto = Datatype("inet_proto", .integer, symbols: .protocols)
    public static let etherType = Datatype("ether_type", .integer, symbols: .etherTypes)
    public static let nfProto = Datatype("nf_proto", .integer, symbols: .nfProtos)
    public static let tcpFlag = Datatype("tcp_flag", .integer, symbols: .tcpFlags, bitmask: true)
    public static let icmpType = Datatype("icmp_type", .integer, symbols: .icmpTypes)
    public static let icmpv6Type = Datatype("icmpv6_type", .integer, symbols: .icmpv6Types)
    public static let icmpCode = Datatype("icmp_code", .integer, symbols: .icmpCodes)
    public static let icmpv6Code = Datatype("icmpv6_code", .integer, symbols: .icmpv6Codes)
    public static let arpOp = Datatype("arp_op", .integer, symbols: .arpOps)
    /// A DSCP value without a name prints as `0x%02x` (`ip6 dscp set 0x3f`).
    public static let dscp = Datatype("dscp", .integer, style: .hex(digits: 2))
    public static let ecn = Datatype("ecn", .integer)
    public static let ifname = Datatype("ifname", .ifname, style: .quoted)
    public static let ifaceIndex = Datatype("iface_index", .ifname, style: .quoted)
    public static let ifaceType = Datatype("iface_type", .integer)
    public static let mark = Datatype("mark", .integer, style: .mark)
    public static let pktType = Datatype("pkt_type", .integer, symbols: .pktTypes)
    public static let uid = Datatype("uid", .integer)
    public static let gid = Datatype("gid", .integer)
    /// Device groups and realms have names in iproute2's files (`/etc/iproute2/group`,
    /// `rt_realms`); nft lists a named one quoted (`iifgroup "default"`, `meta rtclassid "cosmos"`)
    /// and a number bare (`iifgroup { "default", 11 }`).
    public static let devgroup = Datatype("devgroup", .integer, style: .quoted)
    public static let day = Datatype("day", .integer, style: .quoted)
    public static let hour = Datatype("hour", .integer, style: .quoted)
    public static let time = Datatype("time", .integer, style: .quoted)
    public static let cgroupv2 = Datatype("cgroupv2", .integer)
    public static let realm = Datatype("realm", .integer, style: .quoted)
    public static let ctState = Datatype("ct_state", .integer, symbols: .ctStates, bitmask: true)
    public static let ctStatus = Datatype("ct_status", .integer, symbols: .ctStatuses, bitmask: true)
    public static let ctDir = Datatype("ct_dir", .integer, symbols: .ctDirs)
    public static let ctLabel = Datatype("ct_label", .integer, bitmask: true)
    /// A bit mask of events; a number (no event's name) prints in hex, `ct event set 0x0`.
    public static let ctEvent = Datatype("ct_event", .integer, style: .hex(digits: 0))
    public static let fibAddrType = Datatype("fib_addrtype", .integer, symbols: .fibAddrTypes)
    /// An integer nft prints in hex (its `xinteger` and `bitmask` types): a raw payload
    /// (`@nh,8,8 0xff`), `comp flags 0x0`.
    public static let xinteger = Datatype("integer", .integer, style: .hex(digits: 0))
    /// `ct expiration`: an integer nft prints as a duration.
    public static let expiration = Datatype("integer", .integer, style: .duration)

    /// The datatype of an expression, or nil when it has none hookwalk knows (a constant, a set,
    /// a raw payload, a construct it does not model). `a . b` is the concatenation of the parts'
    /// types, `a & b` the left side's.
    public static func of(_ e: Expr) -> Datatype? {
        ExprFamilies.datatype(of: e)
    }
}

/// The symbolic constants of an integer datatype, as nft's symbol tables (`ct_state_tbl`,
/// `icmp_type_tbl`...) name them. Each table exists once, here.
public struct SymbolTable: Sendable, Hashable {
    public let name: String
    public let names: [String: UInt64]

    public init(_ name: String, _ names: [String: UInt64]) {
        self.name = name
        self.names = names
    }

    public static func == (a: SymbolTable, b: SymbolTable) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }

    /// The name of `value`; with aliases (`host`/`unicast`), the alphabetically first.
    public func name(of value: UInt64) -> String? {
        names.filter { $0.value == value }.map(\.key).min()
    }

    public static let none = SymbolTable("none", [:])
    public static let protocols = SymbolTable("inet_proto", [
        "icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6, "egp": 8, "udp": 17, "ipv6": 41, "gre": 47, "esp": 50, "ah": 51,
        "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "udplite": 136, "comp": 108, "dccp": 33, "pim": 103, "vrrp": 112,
    ])
    /// The services nft may print by name with `-S`, or a person may write by hand.
    public static let services = SymbolTable("inet_service", [
        "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "bootps": 67, "bootpc": 68,
        "tftp": 69, "http": 80, "pop3": 110, "ntp": 123, "imap": 143, "snmp": 161, "ldap": 389, "https": 443,
        "syslog": 514, "submission": 587, "imaps": 993, "pop3s": 995, "mysql": 3306, "radius": 1812,
        "radius-acct": 1813, "http-alt": 8080, "postgresql": 5432,
    ])
    public static let ctStates = SymbolTable("ct_state", ["invalid": 1, "established": 2, "related": 4, "new": 8, "untracked": 64])
    public static let ctStatuses = SymbolTable("ct_status", [
        "expected": 1, "seen-reply": 2, "assured": 4, "confirmed": 8, "snat": 16, "dnat": 32, "dying": 512,
    ])
    public static let ctDirs = SymbolTable("ct_dir", ["original": 0, "reply": 1])
    /// The route types (`RouteType`, the kernel's `RTN_*`).
    public static let fibAddrTypes = SymbolTable("fib_addrtype",
                                                 Dictionary(uniqueKeysWithValues: RouteType.allCases.map { ($0.rawValue, $0.number) }))
    public static let nfProtos = SymbolTable("nf_proto", ["ipv4": 2, "ipv6": 10, "inet": 1, "bridge": 7, "arp": 3, "netdev": 5])
    public static let pktTypes = SymbolTable("pkt_type", ["host": 0, "unicast": 0, "broadcast": 1, "multicast": 2, "other": 3])
    public static let tcpFlags = SymbolTable("tcp_flag", [
        "fin": 1, "syn": 2, "rst": 4, "psh": 8, "ack": 16, "urg": 32, "ecn": 64, "cwr": 128,
    ])
    public static let icmpTypes = SymbolTable("icmp_type", [
        "echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5, "echo-request": 8,
        "router-advertisement": 9, "router-solicitation": 10, "time-exceeded": 11, "parameter-problem": 12,
        "timestamp-request": 13, "timestamp-reply": 14, "info-request": 15, "info-reply": 16,
        "address-mask-request": 17, "address-mask-reply": 18,
    ])
    public static let icmpv6Types = SymbolTable("icmpv6_type", [
        "destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "parameter-problem": 4,
        "echo-request": 128, "echo-reply": 129, "mld-listener-query": 130, "mld-listener-report": 131,
        "mld-listener-done": 132, "nd-router-solicit": 133, "nd-router-advert": 134, "nd-neighbor-solicit": 135,
        "nd-neighbor-advert": 136, "nd-redirect": 137, "router-renumbering": 138, "ind-neighbor-solicit": 141,
        "ind-neighbor-advert": 142, "mld2-listener-report": 143,
    ])
    public static let icmpCodes = SymbolTable("icmp_code", [
        "net-unreachable": 0, "host-unreachable": 1, "prot-unreachable": 2, "port-unreachable": 3, "frag-needed": 4,
        "net-prohibited": 9, "host-prohibited": 10, "admin-prohibited": 13,
    ])
    public static let icmpv6Codes = SymbolTable("icmpv6_code", [
        "no-route": 0, "admin-prohibited": 1, "addr-unreachable": 3, "port-unreachable": 4, "policy-fail": 5,
        "reject-route": 6,
    ])
    public static let arpOps = SymbolTable("arp_op", [
        "request": 1, "reply": 2, "rrequest": 3, "rreply": 4, "inrequest": 8, "inreply": 9, "nak": 10,
    ])
    public static let etherTypes = SymbolTable("ether_type", ["ip": 0x0800, "ip6": 0x86dd, "arp": 0x0806, "vlan": 0x8100])
}
