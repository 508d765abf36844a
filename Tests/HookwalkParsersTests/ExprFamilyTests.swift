import XCTest
import HookwalkModel
@testable import HookwalkParsers

/// The expression families (Sources/HookwalkModel/Expressions/): one descriptor per family serves
/// the text parser, the JSON reader, both writers and the datatypes.
final class ExprFamilyTests: XCTestCase {
    static func rule(_ text: String) throws -> Rule {
        let rs = try NftText.parse("table inet t {\n\tchain c {\n\t\t\(text)\n\t}\n}\n", file: "t.nft")
        return try XCTUnwrap(rs.tables.first?.chains.first?.rules.first)
    }

    /// Flag tests print as nft 1.0.6 lists them (these lines are its listing of them): a mask of
    /// one flag, or a set on the right, as the operation; several flags as `value / mask`; a
    /// combination with no name in hex. `tcp flags syn / syn`, printed before, does not parse in nft.
    func testFlagTestsPrintAsNftListsThem() throws {
        let listed = [
            "tcp flags & syn == syn", "tcp flags & rst != rst", "tcp flags fin / fin,syn",
            "tcp flags fin,syn / fin,syn", "tcp flags & (syn | ack) == { syn, ack }", "tcp flags == 0xff",
            "ct state & established == established", "ct state established,new / established,new",
            "ct status & dnat == dnat", "tcp flags syn,ack", "tcp flags == syn",
        ]
        for text in listed { XCTAssertEqual(NftTextWriter.ruleText(try Self.rule(text)), text) }
    }

    /// Nested operations print with the parentheses nft 1.0.6 lists (these lines are its listing):
    /// none around a left operand that binds tighter.
    func testOperationsPrintWithNftsParentheses() throws {
        let listed = [
            "@ih,48,16 set @ih,48,16 & 0xffc1 | 0x1", "meta mark set meta mark ^ 0x00000010 | 0x00000020",
            "meta mark set (meta mark & 0x000000f0) >> 4", "meta mark set meta mark >> 4 & 0x0000000f",
        ]
        for text in listed { XCTAssertEqual(NftTextWriter.ruleText(try Self.rule(text)), text) }
    }

    /// Each family's text prints back as written, and its JSON reads back to the same model.
    func testEveryFamilyRoundTripsThroughTextAndJSON() throws {
        let samples = [
            "ip saddr 10.0.0.0/8 tcp dport 22 accept", "arp saddr ip 1.2.3.4", "@nh,32,32 0x1", "comp flags 0x0",
            "meta l4proto udp", "iifname \"eth0\" oifname != \"lo\"", "meta mark 0x00000010", "meta sdif \"lo\"",
            "ct state established,related accept", "ct original ip saddr 1.2.3.4", "ct expiration 30s", "ct expiration 60s-3600s", "ct helper \"ftp\"",
            "fib daddr type local", "fib saddr . iif oif \"lo\"", "fib daddr oif exists",
            "frag id 1", "rt type 0", "rt classid 5", "rt classid \"cosmos\"", "iifgroup \"default\"", "socket mark 0x00000005", "exthdr hbh exists",
            "socket transparent 1", "ipsec in ip saddr 1.2.3.4", "osf ttl loose name Linux",
            "jhash ip saddr . tcp dport mod 2 seed 0xdead 1", "symhash mod 2 offset 100 101",
        ]
        for text in samples {
            let r = try Self.rule(text)
            XCTAssertEqual(NftTextWriter.ruleText(r), text)
            let rs = try NftText.parse("table inet t {\n\tchain c {\n\t\t\(text)\n\t}\n}\n", file: "t.nft")
            let back = try NftJSON.parse(NftJSONWriter.write(rs), file: "t.json")
            XCTAssertEqual(back.tables.first?.chains.first?.rules.first?.stmts, r.stmts, text)
        }
    }

    /// `typeof` names and the simulator's reading come from one datatype table.
    func testDatatypesAreOneTable() throws {
        let cases: [(String, String)] = [
            ("ip saddr", "ipv4_addr"), ("ip6 daddr", "ipv6_addr"), ("tcp dport", "inet_service"),
            ("meta l4proto", "inet_proto"), ("iif", "iface_index"), ("meta mark", "mark"),
            ("ct state", "ct_state"), ("fib daddr type", "fib_addrtype"), ("icmpv6 type", "icmpv6_type"),
            ("hbh nexthdr", "inet_proto"),
        ]
        for (expr, name) in cases {
            guard case .match(let left, _, _) = try Self.rule("\(expr) 1").stmts[0] else { return XCTFail(expr) }
            XCTAssertEqual(Datatype.of(left)?.name, name, expr)
            XCTAssertEqual(TypeofTypes.datatype(of: left), name, expr)
        }
        XCTAssertTrue(NftTextWriter.isBitmask(.ct(key: "status", dir: nil, family: nil)))
        XCTAssertFalse(NftTextWriter.isBitmask(.meta("mark")))
    }

    /// Both parsers look names up in one registry: every text keyword belongs to a family, and
    /// an unknown word is refused with a located error.
    func testRegistryOwnsTheKeywords() throws {
        for w in ["meta", "ct", "fib", "tcp", "iifname", "frag", "rt", "exthdr", "socket", "numgen", "jhash"] {
            XCTAssertNotNil(ExprFamilies.family(keyword: w), w)
        }
        XCTAssertTrue(ExprFamilies.family(keyword: "ipsec") == Ipsec.self)
        XCTAssertThrowsError(try Self.rule("frobnicate 1")) { e in
            XCTAssertTrue("\(e)".contains("t.nft:3:"), "\(e)")
        }
        XCTAssertThrowsError(try NftJSON.parse(#"{"nftables":[{"table":{"family":"inet","name":"t"}},{"chain":{"family":"inet","table":"t","name":"c"}},{"rule":{"family":"inet","table":"t","chain":"c","expr":[{"match":{"op":"==","left":{"meta":{}},"right":1}}]}}]}"#, file: "r.json")) { e in
            XCTAssertTrue("\(e)".contains("\"meta\" needs \"key\""), "\(e)")
        }
    }
}
