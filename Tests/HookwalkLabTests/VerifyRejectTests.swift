import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// reject's answer, checked against the kernel (issue 13): `reject` in input and in forward, for
/// TCP and UDP, composed onto Docker 29's ruleset (`Tests/Fixtures/semantics/reject-answers.nft`).
/// The kernel answers with a TCP reset or an ICMP error from the host, through output and
/// postrouting, `ct state related`; the client's socket is refused at once. With a chain that
/// drops those answers in output (`reject-answers-dropped.nft`) the client times out instead.
final class VerifyRejectTests: XCTestCase {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: try LabFixtures.path("semantics/" + name), encoding: .utf8)
    }

    static func caseName(droppingAnswers: Bool) -> String { "reject's answers\(droppingAnswers ? ", dropped in output" : "")" }

    static func derivedSnapshot(droppingAnswers: Bool) throws -> DerivedSnapshot {
        let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
        let extra = try fixture("reject-answers.nft") + (droppingAnswers ? try fixture("reject-answers-dropped.nft") : "")
        return try DerivedSnapshot(base: "docker-d", files: ["nft-ruleset.nft": docker + extra])
    }

    /// The host's own ports the input chain rejects: 5432/tcp with a reset, 5433/udp and 5434/tcp
    /// with a bare `reject` (ICMP port-unreachable, to a TCP SYN too).
    static let hostPorts: [Scenario] = {
        let host = IPAddress("10.254.10.252")!, outside = Endpoint.external(address: IPAddress("0.0.0.0")!, interface: nil)
        return [Scenario(from: outside, to: host, port: 5432, proto: .tcp, sport: 0),
                Scenario(from: outside, to: host, port: 5433, proto: .udp, sport: 0),
                Scenario(from: outside, to: host, port: 5434, proto: .tcp, sport: 0)]
    }()

    /// What the client's socket saw per port: the forward chain rejects the published 8080/tcp
    /// (DNATed to 172.20.0.2) with a reset and 514/udp with `icmpx admin-prohibited`.
    static let refusals: [UInt16: String] = [
        5432: "tcp reset", 5433: "icmp destination-unreachable port-unreachable", 5434: "icmp destination-unreachable port-unreachable",
        8080: "tcp reset", 514: "icmp destination-unreachable admin-prohibited",
    ]

    func run(droppingAnswers: Bool) throws -> [Verifier.Verified] {
        try LabFixtures.skipUnlessLabPossible()
        let snap = try LabCases.build(Self.caseName(droppingAnswers: droppingAnswers))
        defer { snap.remove() }
        let options = Verifier.Options(kinds: ["published-port", "extra"], extraScenarios: Self.hostPorts)
        return try LabFixtures.verifyAgreeing(snap, options)
    }

    func testRejectAnswersInInputAndForward() throws {
        let results = try run(droppingAnswers: false)
        for (port, refusal) in Self.refusals {
            let r = try XCTUnwrap(results.first { $0.item.lab.port == port }, "port \(port)")
            XCTAssertEqual(r.capture.observation.clientRefused, refusal, "port \(port): the kernel's client")
            let answer = try XCTUnwrap(r.trace.answer, "port \(port): the simulated answer")
            XCTAssertEqual(answer.kind.description, refusal)
            XCTAssertFalse(r.capture.selection.answer.isEmpty, "port \(port): the kernel traced the answer")
            // Both sides saw the answer go through output and postrouting as `ct state related`.
            XCTAssertTrue(r.capture.selection.answer.contains { if case .rule(_, _, let t) = $0.kind { t.contains("ct state related") } else { false } })
        }
        // ICMP errors come from the host's address: the published one for the DNATed 514/udp.
        let syslog = try XCTUnwrap(results.first { $0.item.lab.port == 514 })
        XCTAssertEqual(syslog.capture.observation.clientRefusedFrom, "10.254.10.252")
    }

    func testDroppedAnswersLeaveTheClientWaiting() throws {
        let results = try run(droppingAnswers: true)
        for port in Self.refusals.keys {
            let r = try XCTUnwrap(results.first { $0.item.lab.port == port }, "port \(port)")
            XCTAssertNil(r.capture.observation.clientRefused, "port \(port)")
            let answer = try XCTUnwrap(r.trace.answer)
            guard case .dropped(let chain, _, _, _) = answer.trace.outcome else { return XCTFail("\(port): \(answer.trace.outcome)") }
            XCTAssertEqual(chain.description, "ip answers_dropped output")
        }
    }
}
