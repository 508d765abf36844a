import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Docker on iptables-legacy next to an nftables host firewall: Docker 28's rules as x_tables
/// (`iptables-legacy-save.txt`, restored with iptables-legacy-restore) and a hand-written
/// `inet filter` input chain with policy drop in nftables. The kernel runs both on the same hooks;
/// `nft monitor trace` shows only the nftables half, so the comparison covers that half event by
/// event and both halves by outcome: published ports are DNATed and forwarded by the legacy rules,
/// the host's 22/tcp is let in by nftables and its 5432/tcp dropped by the nftables policy.
final class VerifyLegacyBesideNftTests: XCTestCase {
    static func derivedSnapshot() throws -> DerivedSnapshot {
        let save = try LabFixtures.path("docker-eras/iptables-save/c.iptables-save")
        return try DerivedSnapshot(base: "docker-c", files: ["nft-ruleset.nft": VerifyNftablesHostFirewallTests.inputPolicyDrop],
                                   copies: ["iptables-legacy-save.txt": save])
    }

    func testDockerOnLegacyBesideNftablesFirewall() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-legacy-restore")
        let snap = try LabCases.build("Docker on iptables-legacy beside nftables")
        defer { snap.remove() }
        let loaded = try SnapshotLoader.load(path: snap.path)
        XCTAssertTrue(loaded.ruleset.tables.contains { $0.legacy && $0.name == "nat (legacy)" })
        let options = Verifier.Options(kinds: ["published-port", "direct", "egress", "extra"],
                                       extraScenarios: VerifyNftablesHostFirewallTests.hostServices)
        let results = try LabFixtures.verifyAgreeing(snap, options, "Docker on iptables-legacy beside nftables")

        let published = results.filter { $0.item.kind == "published-port" }
        XCTAssertFalse(published.isEmpty)
        for r in published {
            XCTAssertTrue(r.capture.observation.serverGotRequest, r.item.lab.name)
            // The DNAT that got it there is a legacy rule: in the simulation, not in nft's trace.
            let dnat = r.trace.request.events.contains { e in
                if case .rule(let c, _, let text, _) = e.kind { return c.table == "nat (legacy)" && text.contains("dnat") && !e.traced }
                return false
            }
            XCTAssertTrue(dnat, "\(r.item.lab.name): no untraced legacy DNAT in \(NftTraceFormat.lines(r.trace.request, onlyTraced: false))")
        }
        let ssh = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.port == 22 })
        XCTAssertTrue(ssh.capture.observation.serverGotRequest)
        let postgres = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.port == 5432 })
        XCTAssertFalse(postgres.capture.observation.serverGotRequest)
        guard case .dropped(let chain, nil, _, _) = postgres.trace.request.outcome else { return XCTFail("\(postgres.trace.request.outcome)") }
        XCTAssertEqual(chain.description, "inet filter input")
    }
}
