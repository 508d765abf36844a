import XCTest
import HookwalkModel
import HookwalkParsers

/// nft's binary operator precedence: `<<`/`>>` bind tighter than `&`, `&` than `^`, `^` than `|`
/// (its grammar's shift_expr < and_expr < exclusive_or_expr < inclusive_or_expr), and an operation
/// on two constants is folded. The JSON is what nft 1.0.6 listed (`nft -j list ruleset`) for each
/// text rule loaded with `nft -f` in a scratch network namespace.
final class NftTextPrecedenceTests: XCTestCase {
    static let cases: [(text: String, nftJSON: String)] = [
        ("meta mark set meta mark | 0x10 & 0xff",
         #"{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"meta": {"key": "mark"}}, 16]}}}"#),
        ("meta mark set meta mark | 0x1 ^ 0x2",
         #"{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"meta": {"key": "mark"}}, 3]}}}"#),
        ("meta mark set meta mark ^ 0x1 | 0x2",
         #"{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"^": [{"meta": {"key": "mark"}}, 1]}, 2]}}}"#),
        ("meta mark set meta mark >> 8 & 0x000001ff | 0x00000100",
         #"{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{">>": [{"meta": {"key": "mark"}}, 8]}, 511]}, 256]}}}"#),
    ]

    func stmts(text: String) throws -> [Stmt] {
        let rs = try NftText.parse("table ip t {\n\tchain c {\n\t\t\(text)\n\t}\n}\n", file: "t.nft")
        return try XCTUnwrap(rs.tables.first?.chains.first?.rules.first).stmts
    }

    func stmts(json: String) throws -> [Stmt] {
        let doc = #"{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c"}}, "#
            + #"{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": ["# + json + "]}}]}"
        let rs = try NftJSON.parse(doc, file: "t.json")
        return try XCTUnwrap(rs.tables.first?.chains.first?.rules.first).stmts
    }

    func testTextReadsOperatorsWithNftsPrecedence() throws {
        for c in Self.cases {
            XCTAssertEqual(try stmts(text: c.text), try stmts(json: c.nftJSON), c.text)
        }
    }

    /// Without folding (operands that are not both numbers) the tree still nests by precedence.
    func testTighterOperatorNestsOnTheRight() throws {
        let s = try stmts(text: "meta mark set meta mark | ct mark & 0xff")
        XCTAssertEqual(s, [.mangle(key: .meta("mark"),
                                   value: .binop(op: "|", left: .meta("mark"),
                                                 right: .binop(op: "&", left: .ct(key: "mark", dir: nil, family: nil), right: .value(.number(0xff)))))])
    }
}
