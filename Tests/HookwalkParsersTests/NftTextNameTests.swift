import HookwalkModel
import HookwalkParsers
import XCTest

/// Names from a JSON listing, converted to nft text (issue 14): every name nft text can hold comes
/// back from hookwalk's text parser as the same ruleset, and a name it cannot hold (a double
/// quote, a line break, a control character) is refused instead of becoming new syntax.
final class NftTextNameTests: XCTestCase {
    func ruleset(chain name: String, comment: String = "c", ifname: String = "eth0") -> String {
        func q(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                default:
                    if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
                }
            }
            return out + "\""
        }
        return """
        {"nftables": [{"table": {"family": "ip", "name": "t", "handle": 1}},
         {"chain": {"family": "ip", "table": "t", "name": "c", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
         {"chain": {"family": "ip", "table": "t", "name": \(q(name)), "handle": 2}},
         {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 3, "comment": \(q(comment)),
                   "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": \(q(ifname))}}, {"jump": {"target": \(q(name))}}]}}]}
        """
    }

    func testExpressibleNamesRoundTrip() throws {
        for name in ["a b", "accept", "input", "semi;colon", "brace{", "dollar$x", "hash#x", "é-ü", "123", "-x", "a.b", "a/b",
                     "back\\slash", "ends\\", "x@y", String(repeating: "n", count: 255)] {
            let fromJSON = try NftJSON.parse(ruleset(chain: name, comment: name, ifname: name), file: "x.json")
            XCTAssertNil(NftTextWriter.unexpressible(in: fromJSON), name)
            let text = NftTextWriter.write(fromJSON)
            let back = try NftText.parse(text, file: "x.nft")
            XCTAssertEqual(back, fromJSON, "\(name): \(text)")
            XCTAssertEqual(back.tables[0].chains.map(\.name), ["c", name])
        }
    }

    func testUnexpressibleNamesAreRefused() throws {
        let injected = "x\" {\n\t}\n\tchain input2 {\n\t\ttype filter hook input priority -500; policy drop;\n\t}\n\tchain \"y"
        for (json, what) in [(ruleset(chain: injected), "jump target"), (ruleset(chain: "q\"uote"), "double quote"),
                             (ruleset(chain: "esc\u{1B}[31m"), "control character"), (ruleset(chain: "c2", comment: "a \"b\""), "rule comment"),
                             (ruleset(chain: "c2", ifname: "new\nline"), "interface name")] {
            let model = try NftJSON.parse(json, file: "x.json")
            let why = try XCTUnwrap(NftTextWriter.unexpressible(in: model), what)
            XCTAssertTrue(why.contains(what), why)
            XCTAssertFalse(why.contains("\n") || why.contains("\u{1B}"), why)
        }
    }
}
