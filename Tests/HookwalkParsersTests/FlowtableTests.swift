import HookwalkModel
import HookwalkParsers
import XCTest

/// Flowtables by their parts: hook and priority, devices, `flags offload`, `counter`, in both
/// front ends and both writers. The listing is as nft 1.0.6 prints it (`flowtable_print_declaration`
/// in its src/rule.c; the JSON as `flowtable_print_json` in src/json.c, which leaves the flags
/// out). The real nft cannot judge these here: the lab kernel has no flowtables
/// (`CONFIG_NF_FLOW_TABLE` is not set, `nft -f` answers "No such file or directory").
final class FlowtableTests: XCTestCase {
    static let listing = """
        table inet f {
        \tflowtable ft {
        \t\thook ingress priority filter
        \t\tdevices = { eth0, eth1 }
        \t\tflags offload
        \t\tcounter
        \t}

        \tflowtable ft2 {
        \t\thook ingress priority filter - 5
        \t\tdevices = { eth0 }
        \t}

        \tchain forward {
        \t\ttype filter hook forward priority filter; policy accept;
        \t\tip protocol tcp flow add @ft
        \t}
        }

        """

    static let json = #"""
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "inet", "name": "f", "handle": 1}},
        {"flowtable": {"family": "inet", "name": "ft", "table": "f", "handle": 2, "hook": "ingress", "prio": 0, "dev": ["eth0", "eth1"]}},
        {"flowtable": {"family": "inet", "name": "ft2", "table": "f", "handle": 3, "hook": "ingress", "prio": -5, "dev": "eth0"}},
        {"chain": {"family": "inet", "table": "f", "name": "forward", "handle": 4, "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}},
        {"rule": {"family": "inet", "table": "f", "chain": "forward", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "protocol"}}, "right": "tcp"}}, {"flow": {"op": "add", "flowtable": "@ft"}}]}}]}
        """#

    func testTextReadsThePartsAndWritesTheListingBack() throws {
        let r = try NftText.parse(Self.listing, file: "ft.nft")
        let ft = try XCTUnwrap(r.tables[0].objects.first { $0.name == "ft" })
        XCTAssertEqual(ft.kind, "flowtable")
        XCTAssertEqual(ft.parts?["dev"], .flags(["eth0", "eth1"]))
        XCTAssertEqual(ft.parts?["flags"], .flags(["offload"]))
        XCTAssertEqual(ft.parts?["counter"], .bool(true))
        XCTAssertEqual(r.tables[0].objects.first { $0.name == "ft2" }?.parts?["prio"], .expr(.value(.string("-5"))))
        XCTAssertEqual(NftTextWriter.write(r), Self.listing)
    }

    func testJSONGivesTheSameModelBarTheFlagsItLeavesOut() throws {
        var text = try NftText.parse(Self.listing, file: "ft.nft")
        let json = try NftJSON.parse(Self.json, file: "ft.json")
        text.tables[0].objects[0].parts?["flags"] = nil
        text.tables[0].objects[0].parts?["counter"] = nil
        XCTAssertEqual(json.normalized(), text.normalized())
        // The JSON writer's output reads back as the same model.
        XCTAssertEqual(try NftJSON.parse(NftJSONWriter.write(json), file: "w.json").normalized(), json.normalized())
    }

    func testAFlowtableWithoutAHookIsRefusedInOneLocatedLine() throws {
        let bad = #"{"nftables": [{"table": {"family": "inet", "name": "f"}}, {"flowtable": {"family": "inet", "name": "ft", "table": "f", "hook": "egress-ish", "prio": 0, "dev": "eth0"}}]}"#
        XCTAssertThrowsError(try NftJSON.parse(bad, file: "b.json")) { e in
            let d = "\(e)"
            XCTAssertTrue(d.hasPrefix("b.json"), d)
            XCTAssertTrue(d.contains("flowtable hook"), d)
            XCTAssertFalse(d.contains("\n"), d)
        }
    }
}

/// nft's JSON prints a range's ends by their symbols (`["request", "reply"]`,
/// `["addr-unreachable", 66]`), its text by number (`1-2`, `3-66`), the only form nft reads back.
final class SymbolRangeTests: XCTestCase {
    func testJSONRangeOfSymbolsIsTheTextsNumbers() throws {
        func rule(_ family: String, _ left: String, _ range: String) -> String {
            #"{"nftables": [{"table": {"family": "\#(family)", "name": "t"}}, {"chain": {"family": "\#(family)", "table": "t", "name": "c"}}, {"rule": {"family": "\#(family)", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": \#(left), "right": {"range": \#(range)}}}]}}]}"#
        }
        for (family, left, range, text) in [
            ("arp", #"{"payload": {"protocol": "arp", "field": "operation"}}"#, #"["request", "reply"]"#, "arp operation 1-2"),
            ("ip6", #"{"payload": {"protocol": "icmpv6", "field": "code"}}"#, #"["addr-unreachable", 66]"#, "icmpv6 code 3-66"),
            ("ip", #"{"payload": {"protocol": "icmp", "field": "code"}}"#, #"["net-unreachable", "port-unreachable"]"#, "icmp code 0-3"),
        ] {
            let json = try NftJSON.parse(rule(family, left, range), file: "r.json")
            let listing = "table \(family) t {\n\tchain c {\n\t\t\(text)\n\t}\n}\n"
            XCTAssertEqual(json.normalized(), try NftText.parse(listing, file: "r.nft").normalized())
            XCTAssertEqual(NftTextWriter.write(json), listing)
        }
    }
}
