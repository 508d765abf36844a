import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkTestSupport
import XCTest

/// The iptables dumps people paste (`iptables -S`, `iptables -L -n -v`...), recorded from the
/// kernel for era c's Docker rules (`Tests/Fixtures/iptables-dumps`), read into the same model as
/// the iptables-save file they were listed from; what a dump cannot tell is in the ruleset's gaps.
final class IptablesDumpTests: XCTestCase {
    static func dump(_ name: String) -> String { TestPaths.fixture("iptables-dumps/\(name)") }

    func save(_ family: Family) throws -> Ruleset {
        let name = family == .ip ? "c.iptables-save" : "c.ip6tables-save"
        let text = try String(contentsOfFile: TestPaths.fixture("docker-eras/iptables-save/\(name)"), encoding: .utf8)
        return try IptablesSave.parse(text, file: name, family: family)
    }

    /// Loads `files` (fixture name -> name in the snapshot) as a snapshot folder's ruleset.
    func folder(_ files: [String: String]) throws -> Ruleset {
        let dir = NSTemporaryDirectory() + "hw-dumps-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (from, to) in files { try FileManager.default.copyItem(atPath: Self.dump(from), toPath: dir + "/" + to) }
        return try SnapshotLoader.loadRuleset(path: dir).ruleset
    }

    func file(_ name: String) throws -> Ruleset {
        try SnapshotLoader.loadRuleset(path: Self.dump(name)).ruleset
    }

    /// Every table of `expected` is in `got` with the same chains and rules (handles aside).
    func assertSameTables(_ got: Ruleset, _ expected: Ruleset, only: [String]? = nil, file: StaticString = #filePath, line: UInt = #line) {
        for t in expected.tables where only?.contains(t.name) ?? true {
            guard let g = got.table(t.family, t.name) else { XCTFail("no table \(t.name)", file: file, line: line); continue }
            XCTAssertEqual(g.chains.map(\.name).sorted(), t.chains.map(\.name).sorted(), t.name, file: file, line: line)
            for c in t.chains { XCTAssertEqual(g.chain(c.name), c, "\(t.name) \(c.name)", file: file, line: line) }
        }
    }

    func testSDumpOfAllTablesIsTheSaveForm() throws {
        for family in [Family.ip, .ip6] {
            let name = family == .ip ? "iptables-S.txt" : "ip6tables-S.txt"
            let r = try file(name)
            assertSameTables(r, try save(family))
            // iptables -t mangle -S lists the builtin chains of a table that has no rules.
            XCTAssertEqual(r.table(family, "mangle")?.chains.allSatisfy(\.rules.isEmpty), true)
            XCTAssertEqual(r.gaps, [], "all four tables are in the dump")
        }
    }

    func testSDumpPerTableFilesMakeOneRulesetAndNameTheAbsentTables() throws {
        let r = try folder(["iptables-S-filter.txt": "iptables-S-filter.txt", "iptables-S-nat.txt": "iptables-S-nat.txt"])
        assertSameTables(r, try save(.ip), only: ["filter", "nat"])
        XCTAssertEqual(r.tables.map(\.name), ["filter", "nat"])
        XCTAssertEqual(r.gaps.count, 2, "\(r.gaps)")
        XCTAssertTrue(r.gaps[0].hasPrefix("table mangle is absent"))
        XCTAssertTrue(r.gaps[1].hasPrefix("table raw is absent") && r.gaps[1].contains("Docker 28's drops"))
        // A file without -P lines is the table its name gives.
        let nat = try folder(["iptables-S-nat.txt": "iptables-S-nat.txt"])
        XCTAssertEqual(nat.tables.map(\.name), ["nat"])
        XCTAssertTrue(nat.gaps.contains { $0.hasPrefix("table filter is absent") })
    }

    func testLListingIsTheSaveFormOfItsTables() throws {
        let save4 = try save(.ip)
        let l = try file("iptables-L.txt")
        XCTAssertEqual(l.tables.map(\.name), ["filter", "nat"])
        assertSameTables(l, save4, only: ["filter", "nat"])
        XCTAssertFalse(l.gaps.contains { $0.contains("no in/out columns") })
        XCTAssertTrue(l.gaps.contains { $0.hasPrefix("table raw is absent") })
        XCTAssertFalse(l.gaps.contains { $0.contains("cannot translate") })
        // --line-numbers and -x change nothing; -t nat alone is the nat table.
        XCTAssertEqual(try file("iptables-L-n-v-line-numbers-x.txt").tables, try file("iptables-L-n-v.txt").tables)
        assertSameTables(try folder(["iptables-t-nat-L-n-v.txt": "iptables-L-nat.txt"]), save4, only: ["nat"])
        assertSameTables(try file("ip6tables-L.txt"), try save(.ip6), only: ["filter", "nat"])
    }

    func testLWithoutVerboseSaysInterfacesAreUnknown() throws {
        let l = try file("iptables-L-n.txt")
        XCTAssertTrue(l.gaps.contains { $0.contains("no in/out columns") && $0.contains("uncertain") }, "\(l.gaps)")
        let stmts = l.tables.flatMap(\.chains).flatMap(\.rules).flatMap(\.stmts)
        XCTAssertFalse(stmts.contains { if case .match(.meta("iifname"), _, _) = $0 { return true } else { return false } })
        // hookwalk ruleset prints the gaps as comments, and the text still parses.
        let text = NftTextWriter.write(l)
        XCTAssertTrue(text.hasPrefix("# not in the listing: "))
        XCTAssertEqual(try NftText.parse(text, file: "t").tables, l.tables)
    }

    func testLOptionTextItCannotTranslateIsNotModelled() throws {
        let text = """
            Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
             pkts bytes target     prot opt in     out     source               destination
                0     0 ACCEPT     6    --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22 recent: CHECK seconds: 60
            """
        let r = try IptablesSave.parse(text, file: "l", family: .ip)
        let stmts = try XCTUnwrap(r.table(.ip, "filter")?.chain("INPUT")?.rules.first?.stmts)
        XCTAssertTrue(stmts.contains { if case .notModelled(let n) = $0 { return n.text == "iptables -L: recent: CHECK seconds: 60" } else { return false } })
        XCTAssertTrue(r.gaps.contains { $0.contains("1 rule(s) carry option text") })
    }

    /// A pasted dump with its shell prompts, CRLF line ends and trailing blanks reads the same.
    func testPastedDumpWithPromptsAndCRLF() throws {
        let clean = try String(contentsOfFile: Self.dump("iptables-S-nat.txt"), encoding: .utf8)
        let pasted = "root@host:~# iptables -t nat -S\r\n" + clean.split(separator: "\n").map { $0 + "  \r\n" }.joined() + "root@host:~# \r\n"
        let r = try IptablesSave.parse(pasted, file: "p", family: .ip)
        XCTAssertEqual(r.tables.map(\.name), ["nat"])
        assertSameTables(r, try save(.ip), only: ["nat"])
    }
}
