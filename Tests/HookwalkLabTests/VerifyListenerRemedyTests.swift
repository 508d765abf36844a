import Foundation
import HookwalkFindings
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// The `listen-on-loopback` remedy of `host-listener-reachable`, tried: Docker 25-27 (docker-b, no
/// host firewall) with postgres listening on 0.0.0.0:5432 (`ss-listen.txt`). The remedy as printed
/// is "bind postgres to 127.0.0.1": the remedied host is the same host whose `ss-listen.txt` lists
/// postgres on 127.0.0.1:5432. It changes a socket, not a rule: `hookwalk verify` shows the kernel
/// agrees with the simulation on every scenario before and after, the uplink client's packet to
/// 5432/tcp included (the input path still lets it in: the lab's servers listen on all addresses),
/// and a scratch namespace pair shows what the bind itself changes: a socket on 127.0.0.1 is not
/// reached from the uplink, one on 0.0.0.0 is.
final class VerifyListenerRemedyTests: XCTestCase {
    static let beforeCase = "remedy listen-on-loopback, before"
    static let afterCase = "remedy listen-on-loopback"
    static let inputDropCase = "remedy listen-on-loopback, input rule"
    /// The remedy's other half, "add an input rule that drops 5432/tcp from ens192", as the nft
    /// command this test runs for it (by `scripts/compose-remedy.sh`, giving
    /// `Fixtures/remedy-listen-input-drop.nft`).
    static let inputDrop = "nft 'add table inet hookwalk_close; add chain inet hookwalk_close input { type filter hook input priority filter; policy accept; }; "
        + "add rule inet hookwalk_close input iifname \"ens192\" tcp dport 5432 drop'"
    static let inputDropFile = VerifyRemedyTests.Remedy.fixtures + "/remedy-listen-input-drop.nft"

    static func listening(_ address: String) -> String {
        """
        tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))
        tcp LISTEN 0 128 \(address):5432 0.0.0.0:* users:(("postgres",pid=2,fd=3))

        """
    }

    static func derivedSnapshot(postgresOn address: String) throws -> DerivedSnapshot {
        try DerivedSnapshot(base: "docker-b", files: ["ss-listen.txt": listening(address)],
                            copies: ["nft-ruleset.nft": try LabFixtures.path("docker-eras/snapshots/docker-b/nft-ruleset.nft")])
    }

    static func inputDropSnapshot() throws -> DerivedSnapshot {
        try DerivedSnapshot(base: "docker-b", files: ["ss-listen.txt": listening("0.0.0.0"),
                                                      "nft-ruleset.nft": try String(contentsOfFile: inputDropFile, encoding: .utf8)])
    }

    /// Server in one scratch namespace bound to `bind`:5432, client in another through a veth pair
    /// connecting to the server's veth address. Prints `connected` or `refused`.
    static func socketReached(bind: String) throws -> String {
        let script = """
            set -eu
            a=hwlsnA$$ b=hwlsnB$$
            trap 'ip netns del $a 2>/dev/null || true; ip netns del $b 2>/dev/null || true' EXIT INT TERM
            ip netns add $a; ip netns add $b
            ip link add hwlsa$$ netns $a type veth peer name hwlsb$$ netns $b
            ip -n $a addr add 192.0.2.1/24 dev hwlsa$$; ip -n $a link set hwlsa$$ up; ip -n $a link set lo up
            ip -n $b addr add 192.0.2.2/24 dev hwlsb$$; ip -n $b link set hwlsb$$ up
            ip netns exec $a python3 -c 'import socket,sys,time
            s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], 5432)); s.listen(1); time.sleep(5)' \(bind) &
            sleep 0.5
            ip netns exec $b python3 -c 'import socket
            try:
                socket.create_connection(("192.0.2.1", 5432), timeout=2); print("connected")
            except OSError: print("refused")'
            kill $! 2>/dev/null || true
            """
        let r = try TestProcess.run(["/bin/sh", "-c", script])
        guard r.status == 0 else { throw HookwalkTestErrorLab("socket check for \(bind) exited \(r.status): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testBindToLoopbackOnAHostWithoutFirewall() throws {
        try LabFixtures.skipUnlessLabPossible()
        let before = try LabCases.build(Self.beforeCase)
        defer { before.remove() }
        let reportBefore = try VerifyRemedyTests.report(before.path)
        let finding = try XCTUnwrap(reportBefore.findings.first { $0.kind == "host-listener-reachable" && $0.statement.contains("postgres") },
                                    "no such finding: \(reportBefore.findings.map(\.id))")
        XCTAssertEqual(finding.severity, .warning)
        let remedy = try XCTUnwrap(finding.remedies.first { $0.kind == "listen-on-loopback" }, "\(finding.remedies)")
        XCTAssertEqual(remedy.command, "bind postgres to 127.0.0.1 (or add an input rule that drops 5432/tcp from ens192)")

        let after = try LabCases.build(Self.afterCase)
        defer { after.remove() }
        let reportAfter = try VerifyRemedyTests.report(after.path)
        let idsAfter = Set(reportAfter.findings.map(\.id)), idsBefore = Set(reportBefore.findings.map(\.id))
        XCTAssertFalse(idsAfter.contains(finding.id), "`\(remedy.command)` leaves \(finding.id)")
        // Nothing else changed: the same findings but that one, with the same statements.
        XCTAssertEqual(idsAfter, idsBefore.subtracting([finding.id]))
        for f in reportAfter.findings {
            XCTAssertEqual(f, reportBefore.findings.first { $0.id == f.id }, "\(f.id) changed")
        }

        // The kernel agrees on every scenario before and after; the uplink's packet to 5432/tcp
        // takes the same path (the remedy is the socket's address, not a rule).
        let outside = Endpoint.external(address: IPAddress("0.0.0.0")!, interface: nil)
        let extra = [Scenario(from: outside, to: IPAddress("10.254.10.252")!, port: 5432, proto: .tcp, sport: 0)]
        let options = Verifier.Options(kinds: ["published-port", "direct", "host-local", "egress", "extra"], extraScenarios: extra)
        var outcomes: [[String]] = []
        for snap in [before, after] {
            let results = try LabFixtures.verifyAgreeing(snap, options)
            let x = try XCTUnwrap(results.first { $0.item.kind == "extra" })
            XCTAssertEqual(x.capture.observation.serverGotRequest, true, "\(snap.labCase ?? ""): 5432 from the uplink at the host")
            outcomes.append(results.map { "\($0.item.kind) \($0.item.scenario.port) \($0.capture.observation.serverGotRequest)" }.sorted())
            print("\(snap.labCase ?? "") `\(remedy.command)`: \(results.count)/\(results.count) MATCH")
        }
        XCTAssertEqual(outcomes[0], outcomes[1], "the remedy changed a path")

        // What the bind changes, by the kernel: 127.0.0.1 is not reached from a neighbour, 0.0.0.0 is.
        XCTAssertEqual(try Self.socketReached(bind: "127.0.0.1"), "refused")
        XCTAssertEqual(try Self.socketReached(bind: "0.0.0.0"), "connected")
    }

    /// The other half of the remedy: an input rule of one's own dropping 5432/tcp from the uplink.
    /// The finding goes, sshd's stays (nothing closes port 22), and the kernel drops 5432 from the
    /// uplink as the simulation does.
    func testInputRuleDroppingThePortOnAHostWithoutFirewall() throws {
        try LabFixtures.skipUnlessLabPossible()
        let before = try LabCases.build(Self.beforeCase)
        defer { before.remove() }
        let reportBefore = try VerifyRemedyTests.report(before.path)
        let finding = try XCTUnwrap(reportBefore.findings.first { $0.kind == "host-listener-reachable" && $0.statement.contains("postgres") })
        let remedy = try XCTUnwrap(finding.remedies.first { $0.kind == "listen-on-loopback" })
        XCTAssertTrue(remedy.command.hasSuffix("(or add an input rule that drops 5432/tcp from ens192)"), remedy.command)
        let ruleset = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-b/nft-ruleset.nft"), encoding: .utf8)
        let composed = try VerifyRemedyTests.compose("nft", ruleset, Self.inputDrop)
        XCTAssertEqual(composed, try String(contentsOfFile: Self.inputDropFile, encoding: .utf8),
                       "`\(Self.inputDrop)` no longer gives \(Self.inputDropFile): rerun scripts/compose-remedy.sh")

        let after = try LabCases.build(Self.inputDropCase)
        defer { after.remove() }
        let reportAfter = try VerifyRemedyTests.report(after.path)
        let idsAfter = Set(reportAfter.findings.map(\.id)), idsBefore = Set(reportBefore.findings.map(\.id))
        XCTAssertFalse(idsAfter.contains(finding.id), "`\(Self.inputDrop)` leaves \(finding.id)")
        for f in reportBefore.findings where f.id != finding.id && f.kind != "unmatched-rules" {
            XCTAssertTrue(idsAfter.contains(f.id), "`\(Self.inputDrop)` also removed \(f.id): \(f.statement)")
        }
        for f in reportAfter.findings where !idsBefore.contains(f.id) {
            XCTAssertEqual(f.severity, .info, "`\(Self.inputDrop)` brings \(f.id): \(f.statement)")
        }
        XCTAssertTrue(reportAfter.findings.contains { $0.kind == "host-listener-reachable" && $0.statement.contains("sshd") && $0.severity == .warning })

        let outside = Endpoint.external(address: IPAddress("0.0.0.0")!, interface: nil)
        let extra = [Scenario(from: outside, to: IPAddress("10.254.10.252")!, port: 5432, proto: .tcp, sport: 0)]
        let options = Verifier.Options(kinds: ["published-port", "direct", "host-local", "egress", "extra"], extraScenarios: extra)
        var outcomes: [String: [String]] = [:]
        for snap in [before, after] {
            let results = try LabFixtures.verifyAgreeing(snap, options)
            let x = try XCTUnwrap(results.first { $0.item.kind == "extra" })
            XCTAssertEqual(x.capture.observation.serverGotRequest, snap.path == before.path, "\(snap.labCase ?? ""): 5432 from the uplink")
            outcomes[snap.path] = results.filter { $0.item.kind != "extra" }.map { "\($0.item.kind) \($0.item.scenario.port) \($0.capture.observation.serverGotRequest)" }.sorted()
            print("\(snap.labCase ?? "") `\(Self.inputDrop)`: \(results.count)/\(results.count) MATCH")
        }
        XCTAssertEqual(outcomes[before.path], outcomes[after.path], "the input rule changed another path")
    }
}
