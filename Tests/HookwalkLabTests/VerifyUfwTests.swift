import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// ufw next to Docker: the Docker 28 host (docker-c) whose iptables-save is Docker's rules plus an
/// enabled ufw (`deny incoming`, `deny routed`, `allow 22/tcp`), composed from ufw's own files by
/// `scripts/compose-ufw-docker.sh` (see the fixture's header). Docker's FORWARD jumps come before
/// ufw's, so published ports stay reachable while ufw's INPUT policy drop closes the host itself:
/// the case checks both, and the host's own services (22 allowed by ufw, 5432 dropped).
final class VerifyUfwTests: XCTestCase {
    /// The composed ruleset, committed beside this file.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/c-ufw.iptables-save").path

    /// The host's services ufw decides on: 22/tcp (ufw-user-input accepts) and 5432/tcp (no ufw
    /// rule: the INPUT policy drop), from the lab's external client to the uplink address.
    static let hostServices: [Scenario] = {
        let host = IPAddress("10.254.10.252")!, outside = Endpoint.external(address: IPAddress("0.0.0.0")!, interface: nil)
        return [Scenario(from: outside, to: host, port: 22, proto: .tcp, sport: 0),
                Scenario(from: outside, to: host, port: 5432, proto: .tcp, sport: 0)]
    }()

    func testDockerWithUfw() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        let snap = try LabCases.build("ufw")
        defer { snap.remove() }
        let options = Verifier.Options(kinds: ["published-port", "direct", "host-local", "egress", "extra"],
                                       extraScenarios: Self.hostServices)
        let results = try LabFixtures.verify(snap, options)
        let prefix = try XCTUnwrap(results.first?.labPrefix)
        XCTAssertEqual(LabFixtures.namespaces().filter { $0.hasPrefix(prefix) }, [], "namespaces left behind")
        let report = VerifyReport(scenarios: results.map(\.comparison))
        XCTAssertTrue(report.allMatch, "ufw next to Docker:\n\(report.text)")
        print("ufw next to Docker: \(report.agreeing)/\(results.count) MATCH")

        // The host's services: the kernel lets 22 in and drops 5432.
        let ssh = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.port == 22 })
        XCTAssertEqual(ssh.capture.observation.serverGotRequest, true, "22/tcp is allowed by ufw")
        let postgres = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.port == 5432 })
        XCTAssertEqual(postgres.capture.observation.serverGotRequest, false, "5432/tcp is dropped by ufw's INPUT policy")
    }
}
