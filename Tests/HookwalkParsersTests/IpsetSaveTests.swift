import Foundation
import XCTest
import HookwalkModel
@testable import HookwalkParsers

/// `ipset-save.txt` and the `-m set` matches of iptables-save files that use it.
final class IpsetSaveTests: XCTestCase {
    /// The form `ipset save` prints (ipset 7.x): Docker 28.0.0's bridge-subnet set and a
    /// fail2ban-style hash:ip set with timeouts and a comment.
    static let save = """
        create docker-ext-bridges-v4 hash:net family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x5b1c0a43
        add docker-ext-bridges-v4 172.17.0.0/16
        add docker-ext-bridges-v4 172.20.0.0/24
        create f2b-sshd hash:ip family inet hashsize 1024 maxelem 65536 timeout 600 comment
        add f2b-sshd 203.0.113.7 timeout 412 comment "banned \\"twice\\""
        create docker-ext-bridges-v6 hash:net family inet6 hashsize 1024 maxelem 65536
        add docker-ext-bridges-v6 fd00:1::/64
        create ports hash:ip,port family inet hashsize 1024 maxelem 65536
        add ports 10.0.0.1,tcp:80
        create masked hash:ip family inet netmask 24
        create holes hash:net family inet
        add holes 10.0.0.0/8
        add holes 10.1.0.0/16 nomatch

        """

    func testParsesTheSetsAndTheirMembers() throws {
        let s = try IpsetSave.parse(Self.save, file: "snap/ipset-save.txt")
        XCTAssertEqual(s.sets.keys.sorted(), ["docker-ext-bridges-v4", "docker-ext-bridges-v6", "f2b-sshd", "holes", "masked", "ports"])
        let bridges = try XCTUnwrap(s.sets["docker-ext-bridges-v4"])
        XCTAssertEqual(bridges.type, "hash:net")
        XCTAssertEqual(bridges.family, .ip)
        XCTAssertEqual(bridges.members, [.prefix("172.17.0.0", 16), .prefix("172.20.0.0", 24)])
        XCTAssertNil(bridges.unsupported)
        XCTAssertEqual(bridges.namedSet?.flags, ["interval"])
        XCTAssertEqual(bridges.namedSet?.keyType, ["ipv4_addr"])
        XCTAssertEqual(s.sets["f2b-sshd"]?.members, [.string("203.0.113.7")])
        XCTAssertNil(s.sets["f2b-sshd"]?.unsupported)
        XCTAssertEqual(s.sets["f2b-sshd"]?.namedSet?.flags, [])
        XCTAssertEqual(s.sets["docker-ext-bridges-v6"]?.family, .ip6)
        XCTAssertEqual(s.sets["docker-ext-bridges-v6"]?.namedSet?.keyType, ["ipv6_addr"])
        XCTAssertEqual(s.sets["ports"]?.unsupported, "its type hash:ip,port is not modelled (only hash:ip and hash:net are)")
        XCTAssertNil(s.sets["ports"]?.namedSet)
        XCTAssertEqual(s.sets["masked"]?.unsupported, "its option 'netmask' is not modelled")
        XCTAssertEqual(s.sets["holes"]?.unsupported, "it has nomatch (exception) members, which are not modelled")
    }

    func testHostileNamesAreKeptVerbatim() throws {
        let s = try IpsetSave.parse("create a{b}\"'$x hash:ip\nadd a{b}\"'$x 192.0.2.1\n", file: "f")
        XCTAssertEqual(s.sets["a{b}\"'$x"]?.members, [.string("192.0.2.1")])
    }

    func testMalformedLinesNameTheFileAndPlace() {
        let cases: [(String, String)] = [
            ("create s hash:net\nadd s 300.0.0.0/8\n", "snap/ipset-save.txt:2:7: '300.0.0.0/8' is not an IPv4 address or network for hash:net set 's'"),
            ("create s hash:ip family inet6\nadd s 10.0.0.1\n", "snap/ipset-save.txt:2:7: '10.0.0.1' is not an IPv6 address for hash:ip set 's'"),
            ("add s 10.0.0.1\n", "snap/ipset-save.txt:1:5: set 's' is not created before this line: expected a 'create s TYPE' line first"),
            ("create s hash:ip\ncreate s hash:net\n", "snap/ipset-save.txt:2:8: set 's' is created twice"),
            ("create s hash:ip family ipx\n", "snap/ipset-save.txt:1:25: unknown family 'ipx': expected inet or inet6"),
            ("  flush s\n", "snap/ipset-save.txt:1:3: unknown command 'flush': expected create or add (the output of ipset save)"),
            ("create s\n", "snap/ipset-save.txt:1:8: missing a set type such as hash:net after 's'"),
            ("create s hash:ip comment\nadd s 10.0.0.1 comment \"open\n", "snap/ipset-save.txt:2:24: unterminated quoted string"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try IpsetSave.parse(text, file: "snap/ipset-save.txt"), message) { e in
                XCTAssertEqual("\(e)", message)
            }
        }
    }

    // MARK: -m set in iptables-save

    static let rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :DOCKER - [0:0]
        -A INPUT -m set --match-set f2b-sshd src -j DROP
        -A INPUT -m set ! --match-set f2b-sshd src -j ACCEPT
        -A FORWARD -m set --match-set docker-ext-bridges-v4 dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -m set --match-set docker-ext-bridges-v4 dst -j DOCKER
        -A FORWARD -m set --match-set ports dst,dst -j ACCEPT
        -A FORWARD -m set --match-set nosuch src -j ACCEPT
        COMMIT

        """

    func stmts(_ rs: Ruleset, _ chain: String) -> [[Stmt]] {
        rs.tables[0].chain(chain)!.rules.map(\.stmts)
    }

    func notModelledTexts(_ rs: Ruleset) -> [String] {
        rs.tables.flatMap(\.chains).flatMap(\.rules).flatMap(\.stmts).compactMap {
            if case .notModelled(let n) = $0 { return n.text } else { return nil }
        }
    }

    func testKnownSetsBecomeLookupsInNamedSets() throws {
        let ipsets = try IpsetSave.parse(Self.save, file: "ipset-save.txt")
        let rs = try IptablesSave.parse(Self.rules, file: "iptables-save.txt", family: .ip, ipsets: ipsets)
        let input = stmts(rs, "INPUT")
        XCTAssertEqual(input[0].first, .match(left: .payload(proto: "ip", field: "saddr"), op: .eq, right: .setRef("f2b-sshd")))
        XCTAssertEqual(input[1].first, .match(left: .payload(proto: "ip", field: "saddr"), op: .ne, right: .setRef("f2b-sshd")))
        let forward = stmts(rs, "FORWARD")
        XCTAssertEqual(forward[0].prefix(2), [
            .match(left: .payload(proto: "ip", field: "daddr"), op: .eq, right: .setRef("docker-ext-bridges-v4")),
            .match(left: .ct(key: "state", dir: nil, family: nil), op: .flags, right: .value(.list([.string("related"), .string("established")]))),
        ])
        // Each set used once in the table, in order of first use, with its members.
        XCTAssertEqual(rs.tables[0].sets.map(\.name), ["f2b-sshd", "docker-ext-bridges-v4"])
        XCTAssertEqual(rs.tables[0].set("docker-ext-bridges-v4")?.elements.map(\.key), [.prefix("172.17.0.0", 16), .prefix("172.20.0.0", 24)])
        XCTAssertEqual(notModelledTexts(rs), [
            "-m set --match-set ports dst,dst (not modelled: set 'ports' in ipset-save.txt: its type hash:ip,port is not modelled (only hash:ip and hash:net are))",
            "-m set --match-set nosuch src (not modelled: ipset-save.txt has no set 'nosuch')",
        ])
    }

    func testWithoutTheFileTheMatchSaysSo() throws {
        let rs = try IptablesSave.parse(Self.rules, file: "iptables-save.txt", family: .ip)
        XCTAssertTrue(rs.tables[0].sets.isEmpty)
        XCTAssertEqual(notModelledTexts(rs).first,
                       "-m set --match-set f2b-sshd src (not modelled: ipset-save.txt is missing, so the members of set 'f2b-sshd' are unknown)")
        XCTAssertEqual(notModelledTexts(rs).count, 6)
    }

    func testAnInetSetInIp6tablesStaysNotModelled() throws {
        let ipsets = try IpsetSave.parse(Self.save, file: "ipset-save.txt")
        let rules = "*filter\n-A INPUT -m set --match-set f2b-sshd src -j DROP\n-A INPUT -m set --match-set docker-ext-bridges-v6 dst -j DROP\nCOMMIT\n"
        let rs = try IptablesSave.parse(rules, file: "ip6tables-save.txt", family: .ip6, ipsets: ipsets)
        XCTAssertEqual(notModelledTexts(rs), ["-m set --match-set f2b-sshd src (not modelled: set 'f2b-sshd' is family inet but the rule is ip6tables)"])
        XCTAssertEqual(stmts(rs, "INPUT")[1].first, .match(left: .payload(proto: "ip6", field: "daddr"), op: .eq, right: .setRef("docker-ext-bridges-v6")))
        XCTAssertEqual(rs.tables[0].sets.map(\.name), ["docker-ext-bridges-v6"])
    }

    /// The snapshot loader reads `ipset-save.txt` beside `iptables-save.txt`, and names it in errors.
    func testTheLoaderReadsTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ipset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.rules.write(to: dir.appendingPathComponent("iptables-save.txt"), atomically: true, encoding: .utf8)
        try Self.save.write(to: dir.appendingPathComponent("ipset-save.txt"), atomically: true, encoding: .utf8)
        let loaded = try SnapshotLoader.loadRuleset(path: dir.path)
        XCTAssertEqual(loaded.ruleset.tables[0].sets.map(\.name), ["f2b-sshd", "docker-ext-bridges-v4"])
        try "create s hash:net\nadd s nonsense\n".write(to: dir.appendingPathComponent("ipset-save.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SnapshotLoader.loadRuleset(path: dir.path)) { e in
            XCTAssertEqual("\(e)", "\(dir.path)/ipset-save.txt:2:7: 'nonsense' is not an IPv4 address or network for hash:net set 's'")
        }
    }
}
