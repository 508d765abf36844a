import Foundation
import HookwalkModel
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `IPAddress` reads and prints addresses exactly as the C library does (`inet_pton`,
/// `inet_ntop`), checked on chosen edge cases and on many generated strings and addresses.
final class IPAddressTests: XCTestCase {
    /// inet_pton's reading: nil when it refuses, else the 4 or 16 bytes.
    func pton(_ s: String) -> [UInt8]? {
        let family = s.contains(":") ? AF_INET6 : AF_INET
        var buf = [UInt8](repeating: 0, count: 16)
        guard inet_pton(family, s, &buf) == 1 else { return nil }
        return family == AF_INET ? Array(buf.prefix(4)) : buf
    }

    func ntop(_ bytes: [UInt8]) -> String {
        var out = [CChar](repeating: 0, count: 64)
        _ = inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, bytes, &out, 64)
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func bytes(_ a: IPAddress) -> [UInt8] {
        switch a {
        case .v4(let v): return (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) }
        case .v6(let hi, let lo):
            return (0..<8).map { UInt8(truncatingIfNeeded: hi >> (56 - 8 * UInt64($0))) }
                + (0..<8).map { UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64($0))) }
        }
    }

    func testEdgeCasesAsTheCLibrary() {
        for s in ["+4.1.2.3", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.", "256.1.1.1", " 1.2.3.4", "0.0.0.0",
                  "fe80::1%eth0", "::", "::1", "1::", ":1::", "1:::2", "::ffff:1.2.3.4", "::1.2.3.4", "1.2.3.4::",
                  "::ffff:01.2.3.4", "+f::1", "00001::", "0001::", "g::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
                  "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "FE80::A"] {
            XCTAssertEqual(IPAddress(s).map(bytes), pton(s), s)
        }
        XCTAssertEqual(IPAddress("::ffff:1.2.3.4")?.description, "::ffff:1.2.3.4")
        XCTAssertEqual(IPPrefix("10.0.0.0/+8"), nil)
        XCTAssertEqual(IPPrefix("10.0.0.0/33"), nil)
        XCTAssertEqual(IPPrefix("10.0.0.0/8")?.length, 8)
    }

    /// A deterministic generator (SplitMix64), so a failure reproduces.
    struct Mix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testGeneratedStringsParseAsInetPton() {
        var g = Mix(state: 42)
        let alphabet = Array("0123456789abcdefABF:.:.:+%")
        var valid = 0
        for _ in 0..<20_000 {
            let n = Int.random(in: 1...22, using: &g)
            let s = String((0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
            let ours = IPAddress(s).map(bytes)
            XCTAssertEqual(ours, pton(s), s)
            if ours != nil { valid += 1 }
        }
        // And strings built to be near-valid, so the accepting paths are exercised too.
        for _ in 0..<20_000 {
            let groups = (0..<Int.random(in: 1...8, using: &g)).map { _ in
                String(UInt16.random(in: 0...UInt16.max, using: &g) >> UInt16.random(in: 0...15, using: &g), radix: 16)
            }
            var s = groups.joined(separator: ":")
            if Bool.random(using: &g), let i = s.indices.filter({ s[$0] == ":" }).randomElement(using: &g) { s.insert(":", at: i) }
            if Int.random(in: 0..<4, using: &g) == 0 { s += ":" + (0..<4).map { _ in String(UInt8.random(in: 0...255, using: &g)) }.joined(separator: ".") }
            let ours = IPAddress(s).map(bytes)
            XCTAssertEqual(ours, pton(s), s)
            if ours != nil { valid += 1 }
        }
        XCTAssertGreaterThan(valid, 2_000, "the generator must reach the accepting paths")
    }

    func testGeneratedAddressesPrintAsInetNtop() {
        var g = Mix(state: 7)
        for _ in 0..<20_000 {
            // Mostly zero groups, so runs of zeros, ties and the IPv4 forms all occur.
            var words = (0..<8).map { _ in Int.random(in: 0..<3, using: &g) == 0 ? UInt16.random(in: 0...UInt16.max, using: &g) : 0 }
            if Int.random(in: 0..<8, using: &g) == 0 { words[5] = 0xffff }
            let hi = words[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let lo = words[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
            let a = IPAddress.v6(hi, lo)
            XCTAssertEqual(a.description, ntop(bytes(a)), "\(words)")
            XCTAssertEqual(IPAddress(a.description), a, a.description)
            let v4 = IPAddress.v4(UInt32.random(in: 0...UInt32.max, using: &g))
            XCTAssertEqual(v4.description, ntop(bytes(v4)))
        }
    }
}
