import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// `meta random`: a 32-bit random number per packet (nft_meta's NFT_META_PRANDOM). The walk
/// follows branch 0, where it is 0. The JSON is what nft 1.0.6 lists (`nft -j list ruleset`) for
/// the text, loaded with `nft -f` in a scratch network namespace.
final class MetaRandomTests: XCTestCase {
    static let text = """
        table ip raw {
            chain PREROUTING {
                type filter hook prerouting priority raw; policy accept;
                meta random 5 counter packets 0 bytes 0 drop
                meta random < 2147483648 meta mark set 0x00000007
            }
        }
        """
    static let nftJSON = [
        #"[{"match": {"op": "==", "left": {"meta": {"key": "random"}}, "right": 5}}, {"counter": {"packets": 0, "bytes": 0}}, {"drop": null}]"#,
        #"[{"match": {"op": "<", "left": {"meta": {"key": "random"}}, "right": 2147483648}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 7}}]"#,
    ]

    func testTextAndNftsJSONReadTheSame() throws {
        let rs = try NftText.parse(Self.text, file: "t.nft")
        let rules = try XCTUnwrap(rs.tables.first?.chains.first?.rules)
        let rulesJSON = Self.nftJSON.map { #"{"rule": {"family": "ip", "table": "raw", "chain": "PREROUTING", "expr": \#($0)}}"# }
        let doc = #"{"nftables": [{"table": {"family": "ip", "name": "raw"}}, {"chain": {"family": "ip", "table": "raw", "name": "PREROUTING", "type": "filter", "hook": "prerouting", "prio": -300, "policy": "accept"}}, "#
            + rulesJSON.joined(separator: ", ") + "]}"
        XCTAssertEqual(try NftJSON.parse(doc, file: "t.json").tables.first?.chains.first?.rules.map(\.stmts), rules.map(\.stmts))
        XCTAssertEqual(NftTextWriter.ruleText(rules[1]), "meta random < 2147483648 meta mark set 0x00000007")
    }

    func testTheWalkFollowsBranchZero() throws {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        snap.ruleset = try NftText.parse(Self.text, file: "t.nft")
        let t = Simulator(snapshot: snap)
            .simulate(Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil),
                               to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp))
        var matched: [String] = []
        for e in t.request.events {
            switch e.kind {
            case .rule(let chain, _, let text, _) where chain.table == "raw": matched.append(text)
            case .notModelled(_, _, let text, _): XCTAssertFalse(text.description.contains("random"), text.description)
            default: break
            }
        }
        XCTAssertEqual(matched, ["meta random < 2147483648 meta mark set 0x00000007"])
        guard case .subject(let s, .branch?)? = ExprFamilies.phrase(.meta("random")) else { return XCTFail("no phrase") }
        XCTAssertTrue(s.contains("random"), s)
    }
}
