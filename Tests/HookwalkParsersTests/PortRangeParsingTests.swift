import HookwalkModel
@testable import HookwalkParsers
import XCTest

/// Port ranges in matches and NAT targets, in the three syntaxes, against what a lab kernel
/// listed (nft 1.0.6, iptables-nft 1.8.9, in a scratch network namespace): the same rules loaded
/// with `nft -f` and with `iptables-restore`, then listed with `nft list` and `nft -j list`.
/// Docker writes none of these (one rule per port, see VerifyPortRangeTests), but hand-written
/// port forwards do.
final class PortRangeParsingTests: XCTestCase {
    /// `nft -f`, listed back by `nft list table ip t`.
    static let nftListing = """
        table ip t {
        	chain pre {
        		type nat hook prerouting priority dstnat; policy accept;
        		tcp dport 8000-8002 dnat to 10.99.2.2:8000-8002
        		udp dport 9000-9001 dnat to 10.99.2.2:5000-5001
        		tcp dport 9100-9101 dnat to 10.99.2.2:7000-7001
        	}
        }
        """

    /// The same table as `nft -j list table ip t` printed it (chain `pre` only).
    static let nftJSON = """
        {"nftables":[{"metainfo":{"version":"1.0.6","release_name":"Lester Gooch #5","json_schema_version":1}},\
        {"table":{"family":"ip","name":"t","handle":1}},\
        {"chain":{"family":"ip","table":"t","name":"pre","handle":3,"type":"nat","hook":"prerouting","prio":-100,"policy":"accept"}},\
        {"rule":{"family":"ip","table":"t","chain":"pre","handle":5,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":{"range":[8000,8002]}}},{"dnat":{"addr":"10.99.2.2","port":{"range":[8000,8002]}}}]}},\
        {"rule":{"family":"ip","table":"t","chain":"pre","handle":6,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"udp","field":"dport"}},"right":{"range":[9000,9001]}}},{"dnat":{"addr":"10.99.2.2","port":{"range":[5000,5001]}}}]}},\
        {"rule":{"family":"ip","table":"t","chain":"pre","handle":7,"expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":{"range":[9100,9101]}}},{"dnat":{"addr":"10.99.2.2","port":{"range":[7000,7001]}}}]}}]}
        """

    /// `iptables-restore` input; `iptables-save` wrote it back unchanged.
    static let iptablesSave = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -p tcp -m multiport --dports 8000:8002 -j DNAT --to-destination 10.99.2.2:8000-8002
        -A PREROUTING -p udp -m udp --dport 9000:9001 -j DNAT --to-destination 10.99.2.2:5000-5001
        -A PREROUTING -p tcp -m tcp --dport 9100:9101 -j DNAT --to-destination 10.99.2.2:7000-7001/9100
        COMMIT

        """

    /// nft's listing of that state: the shifted range (`/9100`, DNAT revision 2) has no native
    /// form, so nft shows `xt target DNAT`.
    static let iptablesListing = """
        table ip nat {
        	chain PREROUTING {
        		type nat hook prerouting priority dstnat; policy accept;
        		meta l4proto tcp tcp dport 8000-8002 counter packets 0 bytes 0 dnat to 10.99.2.2:8000-8002
        		udp dport 9000-9001 counter packets 0 bytes 0 dnat to 10.99.2.2:5000-5001
        		tcp dport 9100-9101 counter packets 0 bytes 0 xt target DNAT
        	}

        	chain INPUT {
        		type nat hook input priority 100; policy accept;
        	}

        	chain OUTPUT {
        		type nat hook output priority -100; policy accept;
        	}

        	chain POSTROUTING {
        		type nat hook postrouting priority srcnat; policy accept;
        	}
        }
        """

    static func range(_ lo: UInt64, _ hi: UInt64) -> Expr { .value(.range(.number(lo), .number(hi))) }

    static func dport(_ proto: String, _ lo: UInt64, _ hi: UInt64) -> Stmt {
        .match(left: .payload(proto: proto, field: "dport"), op: .eq, right: range(lo, hi))
    }

    static func dnat(_ lo: UInt64, _ hi: UInt64) -> Stmt {
        .nat(NatStmt(kind: .dnat, addr: .value(.string("10.99.2.2")), port: range(lo, hi)))
    }

    func testNftTextRanges() throws {
        let rules = try XCTUnwrap(NftText.parse(Self.nftListing, file: "t.nft").table(.ip, "t")?.chain("pre")?.rules)
        XCTAssertEqual(rules.map(\.stmts), [
            [Self.dport("tcp", 8000, 8002), Self.dnat(8000, 8002)],
            [Self.dport("udp", 9000, 9001), Self.dnat(5000, 5001)],
            [Self.dport("tcp", 9100, 9101), Self.dnat(7000, 7001)],
        ])
    }

    func testNftJSONRangesEqualTheText() throws {
        let json = try XCTUnwrap(NftJSON.parse(Self.nftJSON, file: "t.json").table(.ip, "t")?.chain("pre")?.rules)
        let text = try XCTUnwrap(NftText.parse(Self.nftListing, file: "t.nft").table(.ip, "t")?.chain("pre")?.rules)
        XCTAssertEqual(json.map(\.stmts), text.map(\.stmts))
        XCTAssertEqual(json.map(\.handle), [5, 6, 7])
    }

    /// `--dport A:B` and `-m multiport --dports A:B` are nft ranges; `--to-destination X:P-Q` is
    /// `dnat to X:P-Q`; `X:P-Q/BASE` stays not modelled, as nft lists it.
    func testIptablesSaveRangesEqualNftsListing() throws {
        let ours = try IptablesSave.parse(Self.iptablesSave, file: "r.iptables-save", family: .ip)
        let listed = try NftText.parse(Self.iptablesListing, file: "listing")
        XCTAssertEqual(IptablesSaveCompare.differences(ours, listed), [])
        let rules = try XCTUnwrap(ours.table(.ip, "nat")?.chain("PREROUTING")?.rules)
        XCTAssertEqual(rules.count, 3)
        XCTAssertTrue(rules[0].stmts.contains(Self.dnat(8000, 8002)), "\(rules[0].stmts)")
        XCTAssertEqual(rules[1].stmts, [Self.dport("udp", 9000, 9001), .counter(name: nil), Self.dnat(5000, 5001)])
        guard case .notModelled(let nm)? = rules[2].stmts.last else { return XCTFail("\(rules[2].stmts)") }
        XCTAssertEqual(nm.kind, "xt")
        XCTAssertEqual(nm.text, "-j DNAT --to-destination 10.99.2.2:7000-7001/9100")
    }

    /// Docker's own form (one rule per port, `--dport N`, `--to-destination IP:N`), for the
    /// ports of `-p 9000-9001:5000-5001/udp`: what docker-c's derived snapshot adds.
    func testDockerPerPortRules() throws {
        let text = """
            *nat
            :DOCKER - [0:0]
            -A DOCKER -p udp -m udp --dport 9000 -j DNAT --to-destination 172.20.0.3:5000
            -A DOCKER -p udp -m udp --dport 9001 -j DNAT --to-destination 172.20.0.3:5001
            COMMIT

            """
        let rules = try XCTUnwrap(IptablesSave.parse(text, file: "d", family: .ip).table(.ip, "nat")?.chain("DOCKER")?.rules)
        XCTAssertEqual(rules.map(\.stmts), [9000, 9001].map { (p: UInt64) in [
            .match(left: .payload(proto: "udp", field: "dport"), op: .eq, right: .value(.number(p))), .counter(name: nil),
            .nat(NatStmt(kind: .dnat, addr: .value(.string("172.20.0.3")), port: .value(.number(p - 4000)))),
        ] })
    }
}
