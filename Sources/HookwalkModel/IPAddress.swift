import Foundation

/// IPv4 and IPv6 addresses and prefixes, parsed and printed without Foundation's sockets so the
/// simulator stays a pure function.
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt64, UInt64)

    /// Parses an address exactly as glibc's `inet_pton` does (AF_INET for a text without `:`,
    /// AF_INET6 otherwise): dotted quads of decimal octets without sign or leading zero, IPv6 groups
    /// of one to four hex digits, one `::`, an embedded IPv4 tail. A zone (`fe80::1%eth0`) is not
    /// part of an address: callers that accept one split it off first and keep it.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let v = IPAddress.parse6(Substring(text)) else { return nil }
            self = v
        } else {
            guard let v = IPAddress.parse4(Substring(text)) else { return nil }
            self = .v4(v)
        }
    }

    static func parse4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  p.count == 1 || p.first != "0", let b = UInt32(p), b <= 255 else { return nil }
            v = v << 8 | b
        }
        return v
    }

    public var isV4: Bool { if case .v4 = self { return true } else { return false } }
    public var bitWidth: Int { isV4 ? 32 : 128 }
    /// An IPv6 unicast link-local address (`fe80::/10`): valid on one link only, so a socket or
    /// route lookup for it needs the interface as well.
    public var isLinkLocal: Bool { if case .v6(let hi, _) = self { return hi >> 54 == 0x3fa } else { return false } }

    public var description: String {
        switch self {
        case .v4(let v):
            return "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)"
        case .v6(let hi, let lo):
            var groups: [UInt16] = []
            for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: hi >> (48 - 16 * UInt64(i)))) }
            for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: lo >> (48 - 16 * UInt64(i)))) }
            // As glibc's inet_ntop: the first longest run (>= 2) of zero groups becomes `::`
            // (RFC 5952), and an IPv4-mapped (::ffff:0:0/96) or IPv4-compatible address ends in
            // dotted-quad form.
            var bestStart = -1, bestLen = 0, i = 0
            while i < 8 {
                if groups[i] == 0 {
                    var j = i
                    while j < 8 && groups[j] == 0 { j += 1 }
                    if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                    i = j
                } else { i += 1 }
            }
            var out = ""
            for i in 0..<8 {
                if bestStart >= 0 && i >= bestStart && i < bestStart + bestLen {
                    if i == bestStart { out += ":" }
                    continue
                }
                if i != 0 { out += ":" }
                if i == 6 && bestStart == 0 && (bestLen == 6 || (bestLen == 7 && groups[7] != 1) || (bestLen == 5 && groups[5] == 0xffff)) {
                    out += IPAddress.v4(UInt32(truncatingIfNeeded: lo)).description
                    return out
                }
                out += String(groups[i], radix: 16)
            }
            if bestStart >= 0 && bestStart + bestLen == 8 { out += ":" }
            return out
        }
    }

    /// The address with all bits after `length` cleared.
    public func masked(_ length: Int) -> IPAddress {
        switch self {
        case .v4(let v):
            let m: UInt32 = length <= 0 ? 0 : (length >= 32 ? .max : ~(UInt32.max >> UInt32(length)))
            return .v4(v & m)
        case .v6(let hi, let lo):
            let mh: UInt64 = length <= 0 ? 0 : (length >= 64 ? .max : ~(UInt64.max >> UInt64(length)))
            let l2 = length - 64
            let ml: UInt64 = l2 <= 0 ? 0 : (l2 >= 64 ? .max : ~(UInt64.max >> UInt64(l2)))
            return .v6(hi & mh, lo & ml)
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let ah, let al), .v6(let bh, let bl)): return ah < bh || (ah == bh && al < bl)
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }

    static func parse6(_ s: Substring) -> IPAddress? {
        guard !s.contains("%") else { return nil }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func isHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) }
        func parseHalf(_ h: String, last: Bool) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = h.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if p.contains(".") {
                    guard last, i == parts.count - 1, let v = parse4(p) else { return nil }
                    out.append(UInt16(v >> 16)); out.append(UInt16(v & 0xffff))
                } else {
                    guard !p.isEmpty, p.count <= 4, p.utf8.allSatisfy(isHex), let g = UInt16(p, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        var groups: [UInt16]
        guard let head = parseHalf(halves[0], last: halves.count == 1) else { return nil }
        if halves.count == 2 {
            guard let tail = parseHalf(halves[1], last: true), head.count + tail.count <= 7 else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            groups = head
        }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(groups[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(groups[i]) }
        return .v6(hi, lo)
    }
}

/// An address with a prefix length: `172.20.0.0/24`, `fe80::/10`, an interface's `172.20.0.1/24`.
public struct IPPrefix: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var length: Int

    public init(_ address: IPAddress, _ length: Int) {
        self.address = address
        self.length = length
    }

    /// Parses `a.b.c.d/n` or a bare address (a host prefix).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let a = IPAddress(String(first)) else { return nil }
        if parts.count == 2 {
            let len = parts[1]
            guard !len.isEmpty, len.count <= 3, len.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let n = Int(len), n <= a.bitWidth else { return nil }
            self.init(a, n)
        } else {
            self.init(a, a.bitWidth)
        }
    }

    public var network: IPAddress { address.masked(length) }

    public func contains(_ a: IPAddress) -> Bool {
        a.isV4 == address.isV4 && a.masked(length) == address.masked(length)
    }

    public var description: String { "\(address)/\(length)" }
}
