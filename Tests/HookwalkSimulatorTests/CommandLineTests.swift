import Foundation
import HookwalkTestSupport
import XCTest

/// The `hookwalk` binary on bad input: one line on stderr naming the file and the place, exit
/// code 2, nothing on stdout, no crash.
final class CommandLineTests: XCTestCase {
    /// `swift test` builds the executable next to the test bundle.
    static var binary: URL? { TestProcess.hookwalk }

    typealias Run = ProcessResult

    func run(_ args: [String]) throws -> Run { try TestProcess.runHookwalk(args) }

    /// A snapshot folder with the example's host files and the given ruleset file.
    func snapshot(ruleset name: String, _ content: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hw-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/seed-centos8")
        for f in ["ip-addr.json", "ip-route.json", "sysctl.txt"] {
            try FileManager.default.copyItem(at: example.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        try content.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return dir.path
    }

    func assertCleanFailure(_ r: Run, mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stdout, "", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("hookwalk: "), r.stderr, file: file, line: line)
        for m in mentions { XCTAssertTrue(r.stderr.contains(m), "\(r.stderr) should mention \(m)", file: file, line: line) }
    }

    func testMissingSnapshot() throws {
        assertCleanFailure(try run(["trace", "/nonexistent/snap", "--from", "host", "--to", "10.0.0.1:80/tcp"]), mentions: ["/nonexistent/snap"])
    }

    func testTruncatedJSON() throws {
        let s = try snapshot(ruleset: "nft-ruleset.json", "{\"nftables\": [{\"table\": {\"family\": \"ip\", \"name\": \"nat\"")
        assertCleanFailure(try run(["ruleset", s]), mentions: ["nft-ruleset.json:1:"])
    }

    func testUnknownStatement() throws {
        let s = try snapshot(ruleset: "nft-ruleset.nft", "table ip t {\n\tchain c {\n\t\tfrobnicate 3\n\t}\n}\n")
        assertCleanFailure(try run(["trace", s, "--from", "host", "--to", "10.254.10.252:80/tcp"]), mentions: ["nft-ruleset.nft:3:"])
    }

    func testUnknownHook() throws {
        let s = try snapshot(ruleset: "nft-ruleset.nft", "table ip t {\n\tchain c {\n\t\ttype filter hook prerouteing priority 0; policy accept;\n\t}\n}\n")
        assertCleanFailure(try run(["ruleset", s]), mentions: ["nft-ruleset.nft:3:", "prerouteing"])
    }

    func testDanglingJump() throws {
        let s = try snapshot(ruleset: "nft-ruleset.nft", "table ip t {\n\tchain c {\n\t\tjump nowhere\n\t}\n}\n")
        assertCleanFailure(try run(["ruleset", s]), mentions: ["nft-ruleset.nft:3:", "nowhere"])
    }

    func testBadDestination() throws {
        let s = try snapshot(ruleset: "nft-ruleset.nft", "table ip t {\n}\n")
        assertCleanFailure(try run(["trace", s, "--from", "host", "--to", "10.254.10.252/tcp"]), mentions: ["--to"])
    }

    /// Names nft text cannot even express (nft 1.0.6 refuses a quoted chain name in a declaration
    /// and has no escape for `"`), as a JSON listing can carry them.
    func testHostileNamesDoNotCrashTrace() throws {
        let s = try snapshot(ruleset: "nft-ruleset.json", #"""
            {"nftables": [{"metainfo": {"json_schema_version": 1}},
             {"table": {"family": "inet", "name": "t", "handle": 1}},
             {"chain": {"family": "inet", "table": "t", "name": "<script>|*`x`", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
             {"rule": {"family": "inet", "table": "t", "chain": "<script>|*`x`", "handle": 2,
                       "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "a\"b"}}, {"accept": null}]}}]}
            """#)
        let r = try run(["trace", s, "--from", "10.254.10.105", "--to", "10.254.10.252:80/tcp", "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("<script>|*`x`"), "JSON keeps names verbatim (escaped as JSON)")
    }

    /// `verify --client` takes one client per family; a second one of a family is refused before
    /// anything is built (so this needs no root).
    func testVerifyTakesOneClientPerFamily() throws {
        let r = try run(["verify", "Examples/seed-centos8", "--client", "10.254.10.105", "--client", "10.254.10.106"])
        assertCleanFailure(r, mentions: ["--client \"10.254.10.106\"", "one IPv4 client"])
        let bad = try run(["verify", "Examples/seed-centos8", "--client", "nope"])
        assertCleanFailure(bad, mentions: ["--client \"nope\": not an IP address"])
    }

    /// `trace --branch K` follows another branch of a load-balancing rule; a K the path does not
    /// have is a one-line error.
    func testTraceBranch() throws {
        let s = try snapshot(ruleset: "nft-ruleset.nft", """
            table ip lb {
            	chain pre {
            		type filter hook prerouting priority -150; policy accept;
            		numgen random mod 2 vmap { 0 : jump a, 1 : jump b }
            	}
            	chain a {
            		counter
            	}
            	chain b {
            		drop
            	}
            }

            """)
        let args = ["trace", s, "--from", "10.254.10.105", "--to", "10.254.10.252:80/tcp"]
        let zero = try run(args)
        XCTAssertEqual(zero.status, 0, zero.stderr)
        XCTAssertTrue(zero.stdout.contains("one of 2: 0 -> jump a, 1 -> jump b"), zero.stdout)
        XCTAssertTrue(zero.stdout.contains("this walk follows branch 0"), zero.stdout)
        let one = try run(args + ["--branch", "1"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("this walk follows branch 1"), one.stdout)
        XCTAssertNotEqual(zero.stdout, one.stdout)
        assertCleanFailure(try run(args + ["--branch", "2"]), mentions: ["--branch 2", "2 branches, 0-1"])
        let plain = try snapshot(ruleset: "nft-ruleset.nft", "table ip t {\n\tchain c {\n\t\tcounter\n\t}\n}\n")
        assertCleanFailure(try run(["trace", plain, "--from", "host", "--to", "10.254.10.252:80/tcp", "--branch", "1"]),
                           mentions: ["--branch 1", "no branches"])
    }
}
