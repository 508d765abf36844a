import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// `numgen` end to end: both parsers, both writers, and its deterministic evaluation (the walk
/// follows branch 0: numgen gives its offset). The JSON is what nft 1.0.6 lists
/// (`nft -j list ruleset`) for the text, loaded with `nft -f` in a scratch network namespace.
final class NumgenTests: XCTestCase {
    static let text = """
        table ip raw {
            chain PREROUTING {
                type filter hook prerouting priority raw; policy accept;
                numgen inc mod 2 1 counter packets 0 bytes 0 drop
                numgen random mod 2 offset 5 5 meta mark set 0x00000007
                numgen inc mod 3 != 0 drop
            }
        }
        """
    static let nftJSON: [String] = [
        #"[{"match": {"op": "==", "left": {"numgen": {"mode": "inc", "mod": 2, "offset": 0}}, "right": 1}}, {"counter": {"packets": 0, "bytes": 0}}, {"drop": null}]"#,
        #"[{"match": {"op": "==", "left": {"numgen": {"mode": "random", "mod": 2, "offset": 5}}, "right": 5}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 7}}]"#,
        #"[{"match": {"op": "!=", "left": {"numgen": {"mode": "inc", "mod": 3, "offset": 0}}, "right": 0}}, {"drop": null}]"#,
    ]

    func testTextAndNftsJSONReadTheSameAndPrintBack() throws {
        let rs = try NftText.parse(Self.text, file: "t.nft")
        let rules = try XCTUnwrap(rs.tables.first?.chains.first?.rules)
        let rulesJSON = Self.nftJSON.map { #"{"rule": {"family": "ip", "table": "raw", "chain": "PREROUTING", "expr": \#($0)}}"# }
        let doc = #"{"nftables": [{"table": {"family": "ip", "name": "raw"}}, {"chain": {"family": "ip", "table": "raw", "name": "PREROUTING", "type": "filter", "hook": "prerouting", "prio": -300, "policy": "accept"}}, "#
            + rulesJSON.joined(separator: ", ") + "]}"
        let fromJSON = try XCTUnwrap(try NftJSON.parse(doc, file: "t.json").tables.first?.chains.first?.rules)
        XCTAssertEqual(fromJSON.map(\.stmts), rules.map(\.stmts))
        guard case .match(.keyed(let k), _, _) = rules[1].stmts[0] else { return XCTFail("numgen is modelled: \(rules[1].stmts[0])") }
        XCTAssertEqual(k.family, "numgen")
        XCTAssertEqual(NftTextWriter.ruleText(rules[0]), "numgen inc mod 2 1 counter packets 0 bytes 0 drop")
        XCTAssertEqual(NftTextWriter.ruleText(rules[1]), "numgen random mod 2 offset 5 5 meta mark set 0x00000007")
        // The JSON writer writes what nft lists.
        let written = try NftJSON.parse(NftJSONWriter.write(rs), file: "w.json")
        XCTAssertEqual(written.tables.first?.chains.first?.rules.map(\.stmts), rules.map(\.stmts))
        XCTAssertTrue(NftJSONWriter.write(rs).contains(#""numgen":{"mod":2,"mode":"random","offset":5}"#)
                      || NftJSONWriter.write(rs).contains(#""numgen": {"mod": 2, "mode": "random", "offset": 5}"#))
    }

    /// Branch 0: `numgen inc mod 2` gives 0 (the first rule does not match), `numgen random mod 2
    /// offset 5` gives 5 (the mark is set), `numgen inc mod 3 != 0` is false (no drop).
    func testTheWalkFollowsBranchZero() throws {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        snap.ruleset = try NftText.parse(Self.text, file: "t.nft")
        let t = Simulator(snapshot: snap)
            .simulate(Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil),
                               to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp))
        var matched: [String] = []
        for e in t.request.events {
            switch e.kind {
            case .rule(let chain, _, let text, _) where chain.chain == "PREROUTING" && chain.table == "raw": matched.append(text)
            case .notModelled(_, _, let text, _): XCTAssertFalse(text.description.contains("numgen"), text.description)
            default: break
            }
        }
        XCTAssertEqual(matched, ["numgen random mod 2 offset 5 5 meta mark set 0x00000007"])
    }

    /// The walkthrough says what numgen gave instead of quoting the condition.
    func testPhrase() throws {
        let e = try XCTUnwrap({ () -> Expr? in
            guard case .match(let l, _, _)? = try NftText.parse(Self.text, file: "t.nft").tables.first?.chains.first?.rules[1].stmts.first else { return nil }
            return l
        }())
        guard case .sentence(let eq, _)? = ExprFamilies.phrase(e) else { return XCTFail("no phrase") }
        XCTAssertTrue(eq.contains("numgen random mod 2 offset 5") && eq.contains("drawn at random") && eq.contains("{}"), eq)
    }
}
