import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// Hand-written nftables host firewalls next to Docker 29's nftables backend (docker-d), checked
/// against the kernel: an `inet filter` input chain with policy drop guards the host's own
/// services but not the published ports (they are forwarded), and a `ip filter FORWARD` policy
/// drop left over from the iptables era still drops what `ip docker-bridges` accepted (accept ends
/// only one base chain).
final class VerifyNftablesHostFirewallTests: XCTestCase {
    static let inputPolicyDrop = """
        table inet filter {
        \tchain input {
        \t\ttype filter hook input priority filter; policy drop;
        \t\tct state established,related accept
        \t\tiif "lo" accept
        \t\ttcp dport 22 accept
        \t}
        }

        """

    static let leftoverForwardDrop = """
        table ip filter {
        \tchain FORWARD {
        \t\ttype filter hook forward priority filter; policy drop;
        \t}
        }

        """

    static let hostServices: [Scenario] = {
        let host = IPAddress("10.254.10.252")!, outside = Endpoint.external(address: IPAddress("0.0.0.0")!, interface: nil)
        return [Scenario(from: outside, to: host, port: 22, proto: .tcp, sport: 0),
                Scenario(from: outside, to: host, port: 5432, proto: .tcp, sport: 0)]
    }()

    /// docker-d with `extra` loaded before (`first`) or after Docker's tables.
    static func derivedSnapshot(adding extra: String, first: Bool = false) throws -> DerivedSnapshot {
        let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
        return try DerivedSnapshot(base: "docker-d", files: ["nft-ruleset.nft": first ? extra + docker : docker + extra])
    }

    /// Verifies the registered lab case `name` (a host firewall added to docker-d).
    func run(_ name: String, kinds: Set<String>) throws -> [Verifier.Verified] {
        try LabFixtures.skipUnlessLabPossible()
        let snap = try LabCases.build(name)
        defer { snap.remove() }
        let options = Verifier.Options(kinds: kinds, extraScenarios: Self.hostServices)
        let results = try LabFixtures.verifyAgreeing(snap, options)
        return results
    }

    func testInputPolicyDrop() throws {
        let results = try run("inet filter input drop", kinds: ["published-port", "host-local", "egress", "extra"])
        let ssh = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.port == 22 })
        XCTAssertEqual(ssh.capture.observation.serverGotRequest, true)
        let postgres = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.port == 5432 })
        XCTAssertEqual(postgres.capture.observation.serverGotRequest, false)
        guard case .dropped(let chain, nil, _, _) = postgres.trace.request.outcome else {
            return XCTFail("\(postgres.trace.request.outcome)")
        }
        XCTAssertEqual(chain.description, "inet filter input", "the docs name the table that decided")
        XCTAssertTrue(results.filter { $0.item.kind == "published-port" }.allSatisfy { $0.capture.observation.serverGotRequest })
    }

    /// Both FORWARD chains have priority 0, so which runs first depends on which was registered
    /// last (it runs first); the verdict is the same either way, the path is not.
    func testLeftoverIptablesForwardDrop() throws {
        try leftover(first: false)
        try leftover(first: true)
    }

    func leftover(first: Bool) throws {
        let results = try run("leftover ip filter FORWARD drop, \(first ? "first" : "last")", kinds: ["published-port", "egress"])
        for r in results where r.item.kind == "published-port" || r.item.kind == "egress" {
            XCTAssertFalse(r.capture.observation.serverGotRequest, r.item.lab.name)
            guard case .dropped(let chain, nil, _, _) = r.trace.request.outcome else { return XCTFail("\(r.trace.request.outcome)") }
            XCTAssertEqual(chain.description, "ip filter FORWARD")
        }
    }
}
