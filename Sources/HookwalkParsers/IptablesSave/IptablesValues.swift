import HookwalkModel

/// Conversions of iptables' value syntax into the constants nft lists for the same rule.
enum IptValues {
    enum Address { case invalid, any, value(Value) }

    /// `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `172.20.0.2/32`, `fe80::/10`. nft lists a full-length
    /// prefix as a plain address and omits `/0` (iptables leaves it out), so those do the same.
    static func address(_ s: String, family: Family) -> Address {
        let parts = s.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let addr = IPAddress(parts[0]), addr.isV4 == (family == .ip) else { return .invalid }
        var length = addr.bitWidth
        if parts.count == 2 {
            if let n = Int(parts[1]), n >= 0, n <= addr.bitWidth {
                length = n
            } else if family == .ip, let n = netmaskLength(parts[1]) {
                length = n
            } else {
                return .invalid
            }
        }
        if length == 0 { return .any }
        let net = addr.masked(length)
        return length == addr.bitWidth ? .value(.string(net.description)) : .value(.prefix(net.description, length))
    }

    /// `255.255.0.0` -> 16; nil when the mask is not contiguous.
    static func netmaskLength(_ s: String) -> Int? {
        let octets = s.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4, s.split(separator: ".").count == 4 else { return nil }
        let bits = octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let length = bits.leadingZeroBitCount == 0 ? (~bits).leadingZeroBitCount : 0
        guard length == 32 || bits << length == 0 else { return nil }
        return bits == 0 ? 0 : length
    }

    /// The name nft prints for a `-p` protocol (numbers of the common ones become names, as
    /// /etc/protocols does for nft); nil for something that is neither a number nor a name.
    static func protocolName(_ s: String, family: Family) -> String? {
        let names: [UInt64: String] = [1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 33: "dccp", 41: "ipv6", 47: "gre",
                                       50: "esp", 51: "ah", 58: "ipv6-icmp", 132: "sctp", 136: "udplite"]
        if let n = UInt64(s) { return n == 0 ? "all" : names[n] ?? String(n) }
        if s == "icmpv6" { return "ipv6-icmp" }
        guard !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
        return s
    }

    /// `80`, `1000:2000`, `:1024`, `1024:`; nil for the full range (no match at all).
    static func ports(_ s: String) -> Value?? {
        func port(_ p: Substring, _ dflt: UInt64) -> UInt64? {
            p.isEmpty ? dflt : UInt64(p).flatMap { $0 <= 65535 ? $0 : nil }
        }
        guard let colon = s.firstIndex(of: ":") else {
            guard let n = port(Substring(s), UInt64.max), n != UInt64.max else { return nil }
            return .some(.number(n))
        }
        guard let lo = port(s[..<colon], 0), let hi = port(s[s.index(after: colon)...], 65535), lo <= hi else { return nil }
        if lo == 0 && hi == 65535 { return .some(nil) }
        return lo == hi ? .some(.number(lo)) : .some(.range(.number(lo), .number(hi)))
    }
}
