import Foundation
import HookwalkFindings
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// The findings' remedies, tried: each lab case takes a fixture host with a finding, runs the
/// remedy's command exactly as the finding prints it on the host's ruleset (in a scratch network
/// namespace, loaded from the snapshot and listed back), and shows that the finding is gone, that
/// no other finding went away or got worse, and with `hookwalk verify` that the kernel agrees with
/// the simulation of the remedied host: the closed path is closed, the others still work.
final class VerifyRemedyTests: XCTestCase {
    enum Format { case iptablesSave, nft }

    /// Loads `ruleset` into a scratch namespace, runs `command` there, and lists the ruleset back
    /// in the snapshot's format. The namespace is removed whatever happens.
    static func apply(_ command: String, to ruleset: String, format: Format) throws -> String {
        let ns = "hwremedy\(UInt32.random(in: 0...0xFFFFFF))"
        guard LabFixtures.run(["ip", "netns", "add", ns]) == 0 else { throw XCTSkip("cannot create a network namespace") }
        defer { LabFixtures.run(["ip", "netns", "del", ns]) }
        let file = NSTemporaryDirectory() + "\(ns).rules"
        try ruleset.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let load = format == .nft ? "nft -f \(file)" : "iptables-nft-restore < \(file)"
        let list = format == .nft ? "nft list ruleset" : "iptables-save"
        let (status, out, err) = shell(["ip", "netns", "exec", ns, "sh", "-ec", "\(load)\n\(command)\n\(list)"])
        guard status == 0 else { throw HookwalkError("the remedy `\(command)` failed in the scratch namespace: \(err)") }
        return out
    }

    static func shell(_ argv: [String]) -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        guard (try? p.run()) != nil else { return (-1, "", "cannot run \(argv[0])") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func report(_ path: String) throws -> FindingsReport {
        let snap = try SnapshotLoader.load(path: path)
        return FindingsEngine.run(snapshot: snap, clients: ScenarioCatalog.defaultClients(for: snap), host: "h", ruleText: NftTextWriter.ruleText)
    }

    /// The whole case: the finding `pick` chooses on `base` with `rulesetFile` = `ruleset`, its
    /// remedy of `remedyKind` applied, the findings compared, the lab verified. Returns the
    /// remedied host's verified scenarios and the finding that was closed.
    func tryRemedy(base: String, rulesetFile: String, ruleset: String, format: Format, remedyKind: String,
                   pick: (Finding) -> Bool) throws -> (results: [Verifier.Verified], closed: Finding) {
        try LabFixtures.skipUnlessLabPossible()
        if format == .iptablesSave { try LabFixtures.skipUnless(tool: "iptables-nft-restore") }
        let before = try DerivedSnapshot(base: base, files: [rulesetFile: ruleset])
        defer { before.remove() }
        let reportBefore = try Self.report(before.path)
        let finding = try XCTUnwrap(reportBefore.findings.first(where: pick), "no such finding: \(reportBefore.findings.map(\.id))")
        let remedy = try XCTUnwrap(finding.remedies.first { $0.kind == remedyKind }, "\(finding.remedies)")

        let remedied = try Self.apply(remedy.command, to: ruleset, format: format)
        let after = try DerivedSnapshot(base: base, files: [rulesetFile: remedied])
        defer { after.remove() }
        let reportAfter = try Self.report(after.path)
        let idsAfter = Set(reportAfter.findings.map(\.id))
        XCTAssertFalse(idsAfter.contains(finding.id), "`\(remedy.command)` leaves \(finding.id)")
        // Nothing else went away, and nothing new is worse than info.
        for f in reportBefore.findings where f.id != finding.id && f.kind != "unmatched-rules" {
            XCTAssertTrue(idsAfter.contains(f.id), "`\(remedy.command)` also removed \(f.id): \(f.statement)")
        }
        let idsBefore = Set(reportBefore.findings.map(\.id))
        for f in reportAfter.findings where !idsBefore.contains(f.id) {
            XCTAssertEqual(f.severity, .info, "`\(remedy.command)` brings \(f.id): \(f.statement)")
        }
        let options = Verifier.Options(kinds: ["published-port", "direct", "host-local", "egress"])
        let results = try LabFixtures.verifyAgreeing(after.path, options, "remedy \(remedy.kind) on \(base)")
        print("remedy \(remedy.kind) `\(remedy.command)` on \(base): \(results.count)/\(results.count) MATCH")
        return (results, finding)
    }

    /// ufw host, published radius reachable despite `deny incoming`: a DOCKER-USER drop closes
    /// it; the other published ports stay reachable.
    func testDockerUserDropClosesAPublishedPortOnTheUfwHost() throws {
        let ruleset = try String(contentsOfFile: VerifyUfwTests.fixture, encoding: .utf8)
        let (results, closed) = try tryRemedy(base: "docker-c", rulesetFile: "iptables-save.txt", ruleset: ruleset, format: .iptablesSave,
                                              remedyKind: "docker-user-drop") {
            $0.kind == "published-port-bypasses-input" && $0.scenarios.first?.id?.hasPrefix("radius-") == true
        }
        XCTAssertEqual(closed.severity, .critical)
        let published = results.filter { $0.item.kind == "published-port" }
        XCTAssertEqual(published.count, 4)
        for r in published {
            XCTAssertEqual(r.capture.observation.serverGotRequest, r.item.scenario.port != 1812, "port \(r.item.scenario.port)")
        }
    }

    /// Docker 25-27: a raw PREROUTING drop of the network's addresses from elsewhere than its
    /// bridge closes direct access; published ports still work.
    func testRawPreroutingDropClosesDirectAccessOnDocker25To27() throws {
        let ruleset = try String(contentsOfFile: try LabFixtures.path("fixtures/docker-eras/iptables-save/b.iptables-save"), encoding: .utf8)
        let (results, _) = try tryRemedy(base: "docker-b", rulesetFile: "iptables-save.txt", ruleset: ruleset, format: .iptablesSave,
                                         remedyKind: "raw-prerouting-drop") { $0.kind == "direct-container-access" }
        let direct = try XCTUnwrap(results.first { $0.item.kind == "direct" })
        XCTAssertEqual(direct.capture.observation.serverGotRequest, false)
        let published = results.filter { $0.item.kind == "published-port" }
        XCTAssertFalse(published.isEmpty)
        XCTAssertTrue(published.allSatisfy { $0.capture.observation.serverGotRequest == true })
    }

    /// Docker 29 (nftables, no DOCKER-USER) behind a hand-written `inet filter` input policy
    /// drop: a forward chain of one's own before Docker's closes the published port.
    func testOwnForwardChainClosesAPublishedPortOnDocker29() throws {
        let docker = try String(contentsOfFile: try LabFixtures.path("fixtures/docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
        let (results, closed) = try tryRemedy(base: "docker-d", rulesetFile: "nft-ruleset.nft",
                                              ruleset: docker + VerifyNftablesHostFirewallTests.inputPolicyDrop, format: .nft,
                                              remedyKind: "nft-forward-drop") {
            $0.kind == "published-port-bypasses-input" && $0.scenarios.first?.id?.hasPrefix("proxy-") == true
        }
        XCTAssertEqual(closed.rules.last?.owner.tool, .handWritten, "the input policy drop is the user's")
        for r in results where r.item.kind == "published-port" {
            XCTAssertEqual(r.capture.observation.serverGotRequest, r.item.scenario.port != 8080, "port \(r.item.scenario.port)")
        }
    }
}
