/// How nft text spells constants: the words that are prefixes, ranges or numbers.
extension Value {
    /// Splits prefixes (`10.0.0.0/8`) and ranges (`1024-65535`, `1.1.1.1-1.1.1.2`) out of a word.
    public static func atom(_ s: String) -> Value {
        if s == "*" { return .wildcard }
        let u = Array(s.utf8)
        if let slash = u.lastIndex(of: UInt8(ascii: "/")), slash > 0, slash < u.count - 1 {
            let left = String(decoding: u[..<slash], as: UTF8.self)
            if let len = Int(String(decoding: u[(slash + 1)...], as: UTF8.self)), numberish(left) {
                return .prefix(left, len)
            }
        }
        var i = 1
        while i < u.count - 1 {
            if u[i] == UInt8(ascii: "-") {
                let left = String(decoding: u[..<i], as: UTF8.self)
                let right = String(decoding: u[(i + 1)...], as: UTF8.self)
                if numberish(left) && numberish(right) {
                    return .range(Value.token(left), Value.token(right))
                }
            }
            i += 1
        }
        return Value.token(s)
    }

    /// Numbers, hexadecimal numbers and IPv4/IPv6/MAC addresses: the words that can be the ends
    /// of a range or the address of a prefix (unlike `ipv6-icmp` or `admin-prohibited`).
    public static func numberish(_ s: String) -> Bool {
        guard let f = s.utf8.first else { return false }
        if s.utf8.contains(UInt8(ascii: ":")) {
            return s.utf8.allSatisfy { isHex($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        }
        guard f >= UInt8(ascii: "0") && f <= UInt8(ascii: "9") else { return false }
        if s.hasPrefix("0x") { return s.utf8.dropFirst(2).allSatisfy(isHex) }
        return s.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }
    }

    public static func isHex(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }

}

extension NftTextWriter {
    /// Expressions of a bitmask type: a bare flag compared with them is a flag test (`nft -j`
    /// prints `"op": "in"`), as for a comma list.
    public static func isBitmask(_ e: Expr) -> Bool {
        if case .binop = e { return false }
        return Datatype.of(e)?.bitmask ?? false
    }
}
