import Foundation
import HookwalkTestSupport
import XCTest

/// `hookwalk findings` as a user runs it: the exit status of a linter, the three formats, errors.
final class FindingsCommandTests: XCTestCase {
    typealias Run = ProcessResult

    func run(_ args: [String]) throws -> Run { try runCommand(["findings"] + args) }

    func runCommand(_ args: [String]) throws -> Run { try TestProcess.runHookwalk(args) }

    func ufwHost() throws -> String {
        let dir = try FindingsFixtures.derived("docker-c", copies: ["iptables-save.txt": FindingsFixtures.ufwRuleset])
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testExitStatusFollowsFailOn() throws {
        let example = [TestPaths.example, "--client", "10.254.10.105"]
        XCTAssertEqual(try run(example).status, 1, "the article host has a warning (direct access); --fail-on warning is the default")
        XCTAssertEqual(try run(example + ["--fail-on", "critical"]).status, 0)
        XCTAssertEqual(try run(example + ["--fail-on", "info"]).status, 1)
        let ufw = try ufwHost()
        let r = try run([ufw, "--fail-on", "critical"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("[critical] published-port-bypasses-input-"), r.stdout)
        XCTAssertTrue(r.stdout.contains("remedy (docker-user-drop): iptables -I DOCKER-USER"), r.stdout)
        // Two hosts: the worst of both decides.
        XCTAssertEqual(try run([TestPaths.example, ufw, "--fail-on", "critical"]).status, 1)
    }

    func testJSONIsStableAndHasEveryField() throws {
        let ufw = try ufwHost()
        let a = try run([ufw, "--format", "json"]), b = try run([ufw, "--format", "json"])
        XCTAssertEqual(a.stdout, b.stdout)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])
        let host = try XCTUnwrap((doc["hosts"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(host.keys), ["host", "findings", "notes"])
        let findings = try XCTUnwrap(host["findings"] as? [[String: Any]])
        let critical = try XCTUnwrap(findings.first { $0["severity"] as? String == "critical" })
        XCTAssertEqual(Set(critical.keys), ["id", "kind", "severity", "statement", "scenarios", "rules", "remedies"])
        let scenario = try XCTUnwrap((critical["scenarios"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(scenario.keys), ["id", "title", "outcome"])
        let rule = try XCTUnwrap((critical["rules"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(rule.keys), ["role", "family", "table", "chain", "handle", "text", "owner"])
        XCTAssertEqual(Set(try XCTUnwrap(rule["owner"] as? [String: Any]).keys), ["tool", "detail", "badge"])
        let policy = try XCTUnwrap((critical["rules"] as? [[String: Any]])?.first { $0["text"] as? String == "policy drop" })
        XCTAssertTrue(policy["handle"] is NSNull, "a policy has no handle: null")
        let remedy = try XCTUnwrap((critical["remedies"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(remedy.keys), ["kind", "command", "explanation"])
    }

    func testMarkdownLinksTheWalkthroughs() throws {
        let r = try run([TestPaths.example, "--client", "10.254.10.105", "--format", "markdown"])
        XCTAssertTrue(r.stdout.contains("## Findings"), r.stdout)
        XCTAssertTrue(r.stdout.contains("](scenarios/dhcp-direct-udp-67-from-10.254.10.105.md)"), r.stdout)
    }

    /// `trace --format text` names each rule's owner; `ruleset --owners` lists them all.
    func testTraceAndRulesetShowOwners() throws {
        var args = ["trace", TestPaths.example, "--from", "10.254.10.105", "--to", "10.254.10.252:1812/udp"]
        let trace = try runCommand(args)
        XCTAssertEqual(trace.status, 0, trace.stderr)
        XCTAssertTrue(trace.stdout.contains("dnat to 172.20.0.4:1812  -> accept  [Docker: container radius]"), trace.stdout)
        XCTAssertTrue(trace.stdout.contains("ct status dnat accept  -> accept  [firewalld]"), trace.stdout)
        args = ["ruleset", TestPaths.example, "--owners"]
        let owners = try runCommand(args)
        XCTAssertEqual(owners.status, 0, owners.stderr)
        let lines = owners.stdout.split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("# owner"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("firewalld: zone public") && $0.contains("nat_POST_public_allow") }, owners.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Docker: container dhcp ") && $0.contains("dnat to 172.20.0.5:67") }, owners.stdout)
    }

    func testErrorsAreOneLineAndExit2() throws {
        let bad = try FindingsFixtures.derived("docker-b", files: ["ss-listen.txt": "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\nbogus line\n"],
                                               copies: ["nft-ruleset.nft": try FindingsFixtures.era("docker-b") + "/nft-ruleset.nft"])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let r = try run([bad])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "hookwalk: \(bad)/ss-listen.txt:2:1: expected `tcp` or `udp` (the output of `ss -H -ltnup`), found `bogus`\n")
        XCTAssertEqual(r.stdout, "")
        let option = try run([TestPaths.example, "--fail-on", "severe"])
        XCTAssertEqual(option.status, 2)
        XCTAssertEqual(option.stderr, "hookwalk: --fail-on severe: use one of info, warning, critical\n")
        XCTAssertEqual(try run(["/nonexistent-snapshot"]).status, 2)
    }
}
