import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Policy routing (issue 13; lab: VerifyPolicyRoutingTests): the route lookup follows the rules of
/// `ip-rule.json` in priority order over every table, with fwmark/mask, from, to, iif, oif, not,
/// suppress_prefixlength, goto and unreachable/prohibit/blackhole; a mark set in a `type route`
/// output chain re-routes the packet.
final class PolicyRoutingTests: XCTestCase {
    /// docker-d with the policy-routing fixture: a second uplink ens224 (192.168.77.2/24), table 100
    /// for 192.168.77.0/24 on it, main routing 192.168.77.254 over ens192, `fwmark 0x1/0xff lookup 100`.
    func snapshot() throws -> Snapshot {
        let fm = FileManager.default
        let dir = NSTemporaryDirectory() + "hookwalk-policy-\(UInt32.random(in: 0...0xFFFFFF))"
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        let base = try Fixtures.path("docker-eras/snapshots/docker-d")
        for f in try fm.contentsOfDirectory(atPath: base) where f != "nft-ruleset.json" {
            try fm.copyItem(atPath: base + "/" + f, toPath: dir + "/" + f)
        }
        let fixtures = try Fixtures.path("semantics/policy-routing/")
        for f in ["ip-addr.json", "ip-route.json", "ip-rule.json"] {
            try? fm.removeItem(atPath: dir + "/" + f)
            try fm.copyItem(atPath: fixtures + f, toPath: dir + "/" + f)
        }
        let ruleset = try String(contentsOfFile: dir + "/nft-ruleset.nft", encoding: .utf8)
            + (try String(contentsOfFile: fixtures + "ruleset-additions.nft", encoding: .utf8))
        try ruleset.write(toFile: dir + "/nft-ruleset.nft", atomically: true, encoding: .utf8)
        return try SnapshotLoader.load(path: dir)
    }

    static let peer = IPAddress("192.168.77.254")!

    func routes(_ t: PacketTrace) -> [RouteDecision] {
        t.events.compactMap { if case .route(let d) = $0.kind { d } else { nil } }
    }

    func seen(_ t: Trace) -> PacketState? {
        if case .delivered(_, let s) = t.request.outcome { return s }
        return nil
    }

    func testFwmarkChoosesTable100() throws {
        let sim = Simulator(snapshot: try snapshot())
        // Marked in prerouting: table 100, out of ens224, masqueraded to its address.
        let marked = sim.simulate(Scenario(from: .container("client1"), to: Self.peer, port: 9100, proto: .tcp))
        XCTAssertEqual(routes(marked.request).last?.oif, "ens224")
        XCTAssertEqual(routes(marked.request).last?.rule, "100: from all fwmark 0x1/0xff lookup 100")
        XCTAssertEqual(seen(marked)?.saddr, IPAddress("192.168.77.2"))
        // Not marked: main's /32 over the LAN, Docker's masquerade to ens192's address.
        let plain = sim.simulate(Scenario(from: .container("client1"), to: Self.peer, port: 9102, proto: .tcp))
        XCTAssertEqual(routes(plain.request).last?.oif, "ens192")
        XCTAssertEqual(routes(plain.request).last?.rule, "32766: from all lookup main")
        XCTAssertEqual(seen(plain)?.saddr, IPAddress("10.254.10.252"))
        // The host's own packet: routed by main first, marked (0x101, matching 0x1/0xff) in a route
        // chain, routed again into table 100.
        let host = sim.simulate(Scenario(from: .host, to: Self.peer, port: 9101, proto: .tcp))
        XCTAssertEqual(routes(host.request).map(\.oif), ["ens192", "ens224"])
        XCTAssertEqual(seen(host)?.saddr, IPAddress("192.168.77.2"))
    }

    /// A filter chain that sets the mark in output does not re-route (only `type route` chains do).
    func testFilterChainMarkDoesNotReroute() throws {
        var snap = try snapshot()
        snap.ruleset.tables += try NftText.parse("""
            table ip f { chain o { type filter hook output priority 0; policy accept; tcp dport 9103 meta mark set 0x1; } }
            """, file: "f.nft").tables
        let t = Simulator(snapshot: snap).simulate(Scenario(from: .host, to: Self.peer, port: 9103, proto: .tcp))
        XCTAssertEqual(routes(t.request).map(\.oif), ["ens192"])
    }

    func simulate(_ rules: [RoutingRule], to dst: IPAddress = peer, from: Endpoint = .container("client1"), port: UInt16 = 9102) throws -> Trace {
        var snap = try snapshot()
        snap.host.rules = rules + RoutingRule.defaults(v4: true)
        return Simulator(snapshot: snap).simulate(Scenario(from: from, to: dst, port: port, proto: .tcp))
    }

    func testSelectorsAndActions() throws {
        let net77 = IPPrefix(IPAddress("192.168.77.0")!, 24)
        // from: the container's source address selects table 100.
        var t = try simulate([RoutingRule(v4: true, priority: 10, source: IPPrefix(IPAddress("172.20.0.6")!, 32), action: .table("100"))])
        XCTAssertEqual(routes(t.request).last?.oif, "ens224")
        // iif: forwarded packets come in on docker1; the host's own packets have iif lo.
        t = try simulate([RoutingRule(v4: true, priority: 10, iif: "docker1", action: .table("100"))])
        XCTAssertEqual(routes(t.request).last?.oif, "ens224")
        t = try simulate([RoutingRule(v4: true, priority: 10, iif: "docker1", action: .table("100"))], from: .host)
        XCTAssertEqual(routes(t.request).last?.oif, "ens192")
        // to + prohibit: the lookup fails, the packet is not routed.
        t = try simulate([RoutingRule(v4: true, priority: 10, destination: net77, action: .fail("prohibit"))])
        guard case .unroutable(let why) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(why.contains("prohibit"), why)
        // goto jumps over the prohibit to the rule that looks table 100 up.
        t = try simulate([RoutingRule(v4: true, priority: 10, action: .goto(30)),
                          RoutingRule(v4: true, priority: 20, action: .fail("prohibit")),
                          RoutingRule(v4: true, priority: 30, action: .table("100"))])
        XCTAssertEqual(routes(t.request).last?.oif, "ens224")
        // suppress_prefixlength 32 ignores main's /32, so the next rule (table 100) decides; with 24 main's /32 stands.
        t = try simulate([RoutingRule(v4: true, priority: 10, action: .table("main"), suppressPrefixLength: 32),
                          RoutingRule(v4: true, priority: 20, action: .table("100"))])
        XCTAssertEqual(routes(t.request).last?.oif, "ens224")
        t = try simulate([RoutingRule(v4: true, priority: 10, action: .table("main"), suppressPrefixLength: 24),
                          RoutingRule(v4: true, priority: 20, action: .table("100"))])
        XCTAssertEqual(routes(t.request).last?.oif, "ens192")
        // not fwmark 0x1: unmarked packets match (wg-quick's rule).
        t = try simulate([RoutingRule(v4: true, priority: 10, inverted: true, fwmark: 0x1, action: .table("100"))])
        XCTAssertEqual(routes(t.request).last?.oif, "ens224")
        // A rule with a selector hookwalk does not evaluate is passed over, and the trace says so.
        t = try simulate([RoutingRule(v4: true, priority: 10, action: .table("100"), notModelled: ["uidrange 1000-1000"])])
        XCTAssertEqual(routes(t.request).last?.oif, "ens192")
        XCTAssertTrue(t.request.events.contains { if case .notModelled(_, _, let text, _) = $0.kind { text.description.contains("uidrange") } else { false } })
    }

    /// `fib daddr . mark oif` looks up with the packet's mark, through the same rules.
    func testFibWithMark() throws {
        var snap = try snapshot()
        snap.ruleset.tables += try NftText.parse("""
            table ip f {
              chain p {
                type filter hook prerouting priority 10; policy accept;
                ip daddr 192.168.77.254 tcp dport 9100 fib daddr . mark oif "ens224" counter
                ip daddr 192.168.77.254 tcp dport 9102 fib daddr . mark oif "ens192" counter
              }
            }
            """, file: "f.nft").tables
        let sim = Simulator(snapshot: snap)
        for port: UInt16 in [9100, 9102] {
            let t = sim.simulate(Scenario(from: .container("client1"), to: Self.peer, port: port, proto: .tcp))
            let matched = t.request.events.contains { if case .rule(let c, _, _, _) = $0.kind { c.chain == "p" } else { false } }
            XCTAssertTrue(matched, "\(port)")
        }
    }
}
