import HookwalkModel
import HookwalkParsers
import XCTest

/// What people paste of `nft list ...`: shell prompts, CRLF line ends, trailing blanks, one table
/// (`nft list table ip nat`), with `nft -a` handles or none, `nft -s` without counter values. Each
/// is read as the clean listing, or refused with one located line.
final class PastedTextTests: XCTestCase {
    static let listing = """
        table ip nat {
        \tchain POSTROUTING {
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t\tip saddr 172.17.0.0/16 oifname != "docker0" counter packets 12 bytes 720 masquerade
        \t\tquota over 10 mbytes used 0 bytes
        \t}
        }

        """

    func testPromptsCRLFAndTrailingBlanksReadAsTheListing() throws {
        let clean = try NftText.parse(Self.listing, file: "clean.nft")
        let pasted = "root@host:~# nft list table ip nat\r\n"
            + Self.listing.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "   \r" }.joined(separator: "\n")
            + "\nroot@host:~# \n$ \n"
        XCTAssertEqual(try NftText.parse(pasted, file: "pasted.nft").normalized(), clean.normalized())
        XCTAssertEqual(try NftText.parse("[root@h ~]$ sudo nft list table ip nat\n" + Self.listing, file: "p.nft").normalized(), clean.normalized())
    }

    func testStatelessAndHandleListingsGiveTheSameModel() throws {
        let clean = try NftText.parse(Self.listing, file: "clean.nft")
        // nft -s: no counter values, no quota usage.
        let stateless = Self.listing.replacingOccurrences(of: "counter packets 12 bytes 720", with: "counter")
            .replacingOccurrences(of: " used 0 bytes", with: "")
        XCTAssertEqual(try NftText.parse(stateless, file: "s.nft").normalized(), clean.normalized())
        // nft -a: handles as comments.
        let handles = Self.listing.replacingOccurrences(of: "table ip nat {", with: "table ip nat { # handle 3")
            .replacingOccurrences(of: "masquerade\n", with: "masquerade # handle 7\n")
        let withHandles = try NftText.parse(handles, file: "a.nft")
        XCTAssertEqual(withHandles.normalized(), clean.normalized())
        XCTAssertEqual(withHandles.tables[0].chains[0].rules[0].handle, 7)
    }

    func testWhatCannotBeReadIsOneLocatedLine() throws {
        // `nft list tables` instead of a listing; a listing cut off in the middle.
        for (text, place) in [("table ip nat\ntable ip filter\n", "p.nft:1:13"), (String(Self.listing.prefix(120)), "p.nft:")] {
            XCTAssertThrowsError(try NftText.parse(text, file: "p.nft")) { e in
                let d = "\(e)"
                XCTAssertTrue(d.hasPrefix(place), d)
                XCTAssertFalse(d.contains("\n"), d)
            }
        }
    }

    /// `nft -a` puts `# handle N` after every declaration, not only rules; a listing pasted from a
    /// forum has spaces for tabs; an editor may save it with a byte order mark; nft prints the
    /// iptables-nft warning above a table it manages (on stderr, pasted with the rest).
    func testHandlesOnEveryDeclarationSpacesBOMAndWarningLines() throws {
        let listing = """
            table ip filter {
            \tset s {
            \t\ttype ipv4_addr
            \t\telements = { 10.0.0.1 }
            \t}

            \tcounter c {
            \t\tpackets 3 bytes 180
            \t}

            \tchain INPUT {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tip saddr @s counter name "c" accept
            \t}
            }

            """
        let clean = try NftText.parse(listing, file: "clean.nft")
        let handles = listing.replacingOccurrences(of: "table ip filter {", with: "table ip filter { # handle 4")
            .replacingOccurrences(of: "set s {", with: "set s { # handle 2")
            .replacingOccurrences(of: "counter c {", with: "counter c { # handle 3")
            .replacingOccurrences(of: "chain INPUT {", with: "chain INPUT { # handle 1")
            .replacingOccurrences(of: "\"c\" accept", with: "\"c\" accept # handle 5")
        let a = try NftText.parse(handles, file: "a.nft")
        XCTAssertEqual(a.normalized(), clean.normalized())
        XCTAssertEqual(a.tables[0].sets[0].handle, 2)
        XCTAssertEqual(a.tables[0].objects[0].handle, 3)
        XCTAssertEqual(a.tables[0].chains[0].rules[0].handle, 5)
        let spaces = listing.replacingOccurrences(of: "\t", with: "    ")
        XCTAssertEqual(try NftText.parse(spaces, file: "spaces.nft").normalized(), clean.normalized())
        XCTAssertEqual(try NftText.parse("\u{FEFF}" + listing, file: "bom.nft").normalized(), clean.normalized())
        let warned = "# Warning: table ip filter is managed by iptables-nft, do not touch!\n" + listing
        XCTAssertEqual(try NftText.parse(warned, file: "w.nft").normalized(), clean.normalized())
    }

    /// `nft list chain ip filter INPUT` and `nft list set ip filter s` print their table around
    /// the one declaration; `nft -s` prints a counter object without its values and a quota
    /// without what it used. Each reads as that part of the ruleset, and writes back as nft lists it.
    func testChainSetAndStatelessObjectFragments() throws {
        let chain = try NftText.parse("""
            # nft list chain ip filter INPUT
            table ip filter {
            \tchain INPUT {
            \t\ttype filter hook input priority filter; policy drop;
            \t\ttcp dport 22 accept
            \t}
            }
            """, file: "chain.nft")
        XCTAssertEqual(chain.tables.map(\.name), ["filter"])
        XCTAssertEqual(chain.tables[0].chains.map(\.name), ["INPUT"])
        XCTAssertEqual(chain.tables[0].chains[0].base?.policy, .drop)
        let set = try NftText.parse("""
            $ sudo nft list set inet f blocked\r
            table inet f {\r
            \tset blocked {\r
            \t\ttype ipv4_addr\r
            \t\tflags interval\r
            \t\telements = { 10.0.0.0/8, 192.0.2.1 }\r
            \t}\r
            }\r
            """, file: "set.nft")
        XCTAssertEqual(set.tables[0].sets.map(\.name), ["blocked"])
        XCTAssertEqual(set.tables[0].sets[0].elements.count, 2)
        let stateless = """
            table ip filter {
            \tcounter c {
            \t}

            \tquota q {
            \t\tover 25 mbytes
            \t}
            }

            """
        let parsed = try NftText.parse(stateless, file: "s.nft")
        XCTAssertEqual(parsed.tables[0].objects.map(\.kind), ["counter", "quota"])
        XCTAssertEqual(NftTextWriter.write(parsed), stateless.replacingOccurrences(of: "counter c {\n", with: "counter c {\n\t\tpackets 0 bytes 0\n"))
    }

    /// `nft -j list ruleset` pasted with its prompt and CRLF line ends reads as the JSON; a
    /// shell's or nft's error message pasted instead of a listing is refused, in one located line.
    func testPastedJSONAndErrorMessages() throws {
        let json = #"{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"table": {"family": "ip", "name": "nat", "handle": 1}}]}"#
        let clean = try NftJSON.parse(json, file: "clean.json")
        XCTAssertEqual(try NftJSON.parse("root@host:~# nft -j list ruleset\r\n" + json + "\r\nroot@host:~# \r\n", file: "p.json").normalized(), clean.normalized())
        for (text, place) in [("-bash: nft: command not found\n", "e.nft:1:1"),
                              ("Error: Could not process rule: Operation not permitted\nlist ruleset\n^^^^^^^^^^^^\n", "e.nft:1:1"),
                              ("root@host:~# nft list ruleset\nnft: command not found\n", "e.nft:2:1")] {
            XCTAssertThrowsError(try NftText.parse(text, file: "e.nft")) { e in
                let d = "\(e)"
                XCTAssertTrue(d.hasPrefix(place), d)
                XCTAssertFalse(d.contains("\n"), d)
            }
        }
        XCTAssertThrowsError(try NftJSON.parse("$ nft -j list ruleset\n" + json.prefix(60), file: "t.json")) { e in
            let d = "\(e)"
            XCTAssertTrue(d.hasPrefix("t.json:2:"), d)
            XCTAssertFalse(d.contains("\n"), d)
        }
    }
}
