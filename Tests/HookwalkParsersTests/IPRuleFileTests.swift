import Foundation
import HookwalkModel
@testable import HookwalkParsers
import XCTest

/// `ip-rule.json` / `ip6-rule.json` (`ip -j rule show`, `ip -6 -j rule show`), against the listing
/// iproute2 printed for these rules in a scratch namespace.
final class IPRuleFileTests: XCTestCase {
    /// `ip -j rule show` after `ip rule add fwmark 0x2000/0xff00 table 100 priority 100`, `... fwmark
    /// 0x1 lookup 200 priority 101`, `from 10.9.0.0/24 to 192.168.0.0/16 iif d0 table 300 priority
    /// 102`, `not from all fwmark 0x5 table main suppress_prefixlength 0 priority 103`, `priority 104
    /// goto 106`, `priority 105 unreachable`, `priority 106 oif d0 prohibit`, `priority 107 blackhole
    /// to 1.2.3.4` (iproute2 6.1; d0 did not exist, hence the `_detached` keys).
    static let listing = #"""
    [{"priority":0,"src":"all","table":"local"},{"priority":100,"src":"all","fwmark":"0x2000","fwmask":"0xff00","table":"100"},{"priority":101,"src":"all","fwmark":"0x1","table":"200"},{"priority":102,"src":"10.9.0.0","srclen":24,"dst":"192.168.0.0","dstlen":16,"iif":"d0","iif_detached":null,"table":"300"},{"priority":103,"not":null,"src":"all","fwmark":"0x5","table":"main","suppress_prefixlen":0},{"priority":104,"src":"all","goto":106},{"priority":105,"src":"all","action":"unreachable"},{"priority":106,"src":"all","oif":"d0","oif_detached":null,"action":"prohibit"},{"priority":107,"src":"all","dst":"1.2.3.4","action":"blackhole"},{"priority":32766,"src":"all","table":"main"},{"priority":32767,"src":"all","table":"default"}]
    """#

    func testTheListing() throws {
        let rules = try IPRuleFile.parse(Array(Self.listing.utf8), file: "ip-rule.json", ipv6: false)
        XCTAssertEqual(rules.map(\.text), [
            "0: from all lookup local",
            "100: from all fwmark 0x2000/0xff00 lookup 100",
            "101: from all fwmark 0x1 lookup 200",
            "102: from 10.9.0.0/24 to 192.168.0.0/16 iif d0 lookup 300",
            "103: not from all fwmark 0x5 lookup main suppress_prefixlength 0",
            "104: from all goto 106",
            "105: from all unreachable",
            "106: from all oif d0 prohibit",
            "107: from all to 1.2.3.4 blackhole",
            "32766: from all lookup main",
            "32767: from all lookup default",
        ])
        XCTAssertTrue(rules.allSatisfy { $0.notModelled.isEmpty && $0.v4 })
        XCTAssertFalse(RoutingRule.areDefaults(rules))
        XCTAssertTrue(RoutingRule.areDefaults(try IPRuleFile.parse(Array(#"[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"}]"#.utf8),
                                                                 file: "ip6-rule.json", ipv6: true)))
    }

    func testUnmodelledSelectorsAreKept() throws {
        let rules = try IPRuleFile.parse(Array(#"[{"priority":50,"src":"all","uidrange":"1000-1000","table":"100"}]"#.utf8), file: "f", ipv6: false)
        XCTAssertEqual(rules.first?.notModelled, ["uidrange 1000-1000"])
    }

    func testMalformedFilesAreLocated() {
        func message(_ json: String, v6: Bool = false) -> String {
            do {
                _ = try IPRuleFile.parse(Array(json.utf8), file: "snap/ip-rule.json", ipv6: v6)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message(#"[{"priority":1,"src":"all","fwmark":"0xzz","table":"1"}]"#),
                       "snap/ip-rule.json: at $[0].fwmark: not a 32-bit mark: 0xzz")
        XCTAssertEqual(message(#"[{"priority":1,"src":"10.0.0.0","srclen":40,"table":"1"}]"#),
                       "snap/ip-rule.json: at $[0].srclen: prefix length 40 out of range")
        XCTAssertEqual(message(#"[{"priority":1,"src":"all"}]"#), "snap/ip-rule.json: at $[0]: a rule without a table, goto or action")
        XCTAssertEqual(message(#"[{"priority":1,"src":"10.0.0.1","table":"1"}]"#, v6: true),
                       "snap/ip-rule.json: at $[0].src: 10.0.0.1 is not an IPv6 address")
        XCTAssertEqual(message(#"[{"priority":"x","src":"all","table":"1"}]"#), "snap/ip-rule.json: at $[0].priority: expected an integer, found a string")
        XCTAssertTrue(message("[{\"priority\":1,").hasPrefix("snap/ip-rule.json:1:"), message("[{\"priority\":1,"))
    }
}
