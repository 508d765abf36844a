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
        XCTAssertEqual(try NftText.parse(pasted, file: "pasted.nft"), clean)
        XCTAssertEqual(try NftText.parse("[root@h ~]$ sudo nft list table ip nat\n" + Self.listing, file: "p.nft"), clean)
    }

    func testStatelessAndHandleListingsGiveTheSameModel() throws {
        let clean = try NftText.parse(Self.listing, file: "clean.nft")
        // nft -s: no counter values, no quota usage.
        let stateless = Self.listing.replacingOccurrences(of: "counter packets 12 bytes 720", with: "counter")
            .replacingOccurrences(of: " used 0 bytes", with: "")
        XCTAssertEqual(try NftText.parse(stateless, file: "s.nft"), clean)
        // nft -a: handles as comments.
        let handles = Self.listing.replacingOccurrences(of: "table ip nat {", with: "table ip nat { # handle 3")
            .replacingOccurrences(of: "masquerade\n", with: "masquerade # handle 7\n")
        let withHandles = try NftText.parse(handles, file: "a.nft")
        XCTAssertEqual(withHandles, clean)
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
}
