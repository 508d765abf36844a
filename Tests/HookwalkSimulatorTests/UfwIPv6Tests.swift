import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// ufw's IPv6 half (`Tests/HookwalkLabTests/Fixtures/c-ipv6-ufw.ip6tables-save`, composed by
/// scripts/compose-ufw-docker-ipv6.sh). Every packet entering ufw6-before-input meets
/// `-m rt --rt-type 0 -j DROP` first: a routing-header test the kernel answers "no" for a packet
/// without one (nft_exthdr breaks the rule), so the simulator must walk on past it knowing that,
/// not by assuming it (a not-modelled step on every IPv6 page of a ufw host).
final class UfwIPv6Tests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HookwalkLabTests/Fixtures/c-ipv6-ufw.ip6tables-save").path
    static let client = Endpoint.external(address: IPAddress("2001:db8:1::105")!, interface: nil)
    static let host = IPAddress("2001:db8:1::252")!

    func simulator() throws -> Simulator {
        let ruleset = try SnapshotLoader.loadRuleset(path: Self.fixture).ruleset
        return Simulator(snapshot: Snapshot(ruleset: ruleset, host: IPv6Tests.host(), rulesetFile: Self.fixture, path: "."))
    }

    static func notModelled(_ t: PacketTrace) -> [String] {
        t.events.compactMap { if case .notModelled(_, _, let text, _) = $0.kind { text.description } else { nil } }
    }

    /// 22/tcp over IPv6: past the routing-header drop, accepted by ufw6-user-input.
    func testAllowedHostPortOverIPv6() throws {
        let t = try simulator().simulate(Scenario(from: Self.client, to: Self.host, port: 22, proto: .tcp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(t.request.events.contains {
            if case .rule(let c, _, _, .accept) = $0.kind { c.description == "ip6 filter ufw6-user-input" } else { false }
        })
        XCTAssertEqual(Self.notModelled(t.request), [])
        XCTAssertTrue(t.reply?.outcome.isDelivered ?? false)
    }

    /// 5432/tcp over IPv6: no ufw rule, so ip6 filter INPUT's policy drops it, with every rule on
    /// the way evaluated.
    func testUnallowedHostPortOverIPv6DroppedByPolicy() throws {
        let t = try simulator().simulate(Scenario(from: Self.client, to: Self.host, port: 5432, proto: .tcp))
        guard case .dropped(let chain, nil, _, false) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(chain.description, "ip6 filter INPUT")
        XCTAssertEqual(Self.notModelled(t.request), [])
    }

    /// The same rule read from nft's listing (the lab simulates from it) and from JSON: an IPv6
    /// extension header field is an expression of its own, absent from the simulated packets.
    func testRoutingHeaderMatchFromNftTextAndJSON() throws {
        let text = try NftText.parse("table ip6 t { chain c { type filter hook input priority 0; policy accept; rt type 0 drop; frag id 3 drop } }",
                                     file: "t.nft")
        let rules = try XCTUnwrap(text.table(.ip6, "t")?.chain("c")?.rules)
        XCTAssertEqual(rules.map { $0.stmts.first }, [.match(left: .exthdr(name: "rt", field: "type"), op: .eq, right: .value(.number(0))),
                                                     .match(left: .exthdr(name: "frag", field: "id"), op: .eq, right: .value(.number(3)))])
        XCTAssertEqual(NftTextWriter.ruleText(rules[0]), "rt type 0 drop")
        let json = try NftJSON.parse(#"{"nftables": [{"table": {"family": "ip6", "name": "t"}}, {"chain": {"family": "ip6", "table": "t", "name": "c"}}, "#
            + #"{"rule": {"family": "ip6", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"exthdr": {"name": "rt", "field": "type"}}, "right": 0}}, {"drop": null}]}}, "#
            + #"{"rule": {"family": "ip6", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"exthdr": {"name": "rt"}}, "right": true}}, {"drop": null}]}}]}"#,
            file: "t.json")
        let jrules = try XCTUnwrap(json.table(.ip6, "t")?.chain("c")?.rules)
        XCTAssertEqual(jrules[0].stmts.first, rules[0].stmts.first)
        // `exthdr rt exists` is a presence test, which the model does not express.
        guard case .match(.notModelled, _, _)? = jrules[1].stmts.first else { return XCTFail("\(jrules[1].stmts)") }

        let sim = Simulator(snapshot: Snapshot(ruleset: text, host: IPv6Tests.host(), rulesetFile: "t.nft", path: "."))
        let t = sim.simulate(Scenario(from: Self.client, to: Self.host, port: 22, proto: .tcp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(Self.notModelled(t.request), [])
    }
}
