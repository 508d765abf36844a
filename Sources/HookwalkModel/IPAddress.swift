import Foundation

/// IPv4 and IPv6 addresses and prefixes, parsed and printed without Foundation's sockets so the
/// simulator stays a pure function.
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt64, UInt64)

    public init?(_ text: String) {
        if text.contains(":") {
            guard let v = IPAddress.parse6(text) else { return nil }
            self = v
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var v: UInt32 = 0
            for p in parts {
                guard !p.isEmpty, p.count <= 3, let b = UInt32(p), b <= 255 else { return nil }
                v = v << 8 | b
            }
            self = .v4(v)
        }
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
            // RFC 5952: compress the longest run (>= 2) of zero groups.
            var bestStart = -1, bestLen = 0, i = 0
            while i < 8 {
                if groups[i] == 0 {
                    var j = i
                    while j < 8 && groups[j] == 0 { j += 1 }
                    if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                    i = j
                } else { i += 1 }
            }
            func hex(_ g: UInt16) -> String { String(g, radix: 16) }
            if bestStart < 0 { return groups.map(hex).joined(separator: ":") }
            let head = groups[0..<bestStart].map(hex).joined(separator: ":")
            let tail = groups[(bestStart + bestLen)...].map(hex).joined(separator: ":")
            return head + "::" + tail
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

    static func parse6(_ text: String) -> IPAddress? {
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }
        var groups: [UInt16] = []
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func parseHalf(_ h: String) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = h.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if p.contains("."), i == parts.count - 1, let v4 = IPAddress(String(p)), case .v4(let v) = v4 {
                    out.append(UInt16(v >> 16)); out.append(UInt16(v & 0xffff))
                } else {
                    guard !p.isEmpty, p.count <= 4, let g = UInt16(p, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        guard let head = parseHalf(halves[0]) else { return nil }
        if halves.count == 2 {
            guard let tail = parseHalf(halves[1]), head.count + tail.count <= 7 else { return nil }
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
            guard let n = Int(parts[1]), n >= 0, n <= a.bitWidth else { return nil }
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
