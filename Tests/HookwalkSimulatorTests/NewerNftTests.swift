import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Rulesets from other nft versions: newer nft prints `priority dstnat` for a nat output chain
/// (nft 1.0.6 only accepts it on prerouting), and an nft without xtables support lists
/// iptables-nft's untranslatable matches and targets as `xt` placeholders. The first is read, the
/// second is shown as not modelled, never guessed.
final class NewerNftTests: XCTestCase {
    func testDstnatOnOutput() throws {
        let rs = try NftText.parse("""
            table ip nat {
                chain OUTPUT { type nat hook output priority dstnat; policy accept; }
            }
            """, file: "newer.nft")
        XCTAssertEqual(rs.tables.first?.chains.first?.base?.priority, -100)
    }

    func testXtTargetIsNotModelledOnThePath() throws {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        let json = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
            {"table": {"family": "ip", "name": "nat", "handle": 1}},
            {"chain": {"family": "ip", "table": "nat", "name": "PREROUTING", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
            {"rule": {"family": "ip", "table": "nat", "chain": "PREROUTING", "handle": 2, "expr": [
              {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}},
              {"counter": {"packets": 0, "bytes": 0}},
              {"xt": {"type": "target", "name": "DNAT"}}]}}]}
            """
        snap.ruleset = try NftJSON.parse(json, file: "xt.json")
        let t = Simulator(snapshot: snap)
            .simulate(Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil),
                               to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp))
        let said = t.request.events.contains { e in
            if case .notModelled(let chain, let handle, _, let assumption) = e.kind {
                return chain?.chain == "PREROUTING" && handle == 2 && !assumption.isEmpty
            }
            return false
        }
        XCTAssertTrue(said, "the xt target is reported as not modelled, with the assumption taken")
    }
}
