import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// reject's answer over IPv6, checked against the kernel (issue 13): docker-c made dual-stack
/// (`VerifyIPv6Tests`), with ip6tables `REJECT` rules added to its filter table: in INPUT for the
/// host's own ports and in DOCKER-USER (forward) for two published ports. The kernel answers a
/// TCP SYN with a reset (nf_send_reset6) and a UDP datagram with an ICMPv6 destination-unreachable
/// error of the code given (nf_send_unreach6), from the host, through output and postrouting.
final class VerifyRejectIPv6Tests: XCTestCase {
    static let caseName = "reject's answers, IPv6"
    static let host6 = IPAddress("2001:db8:1::252")!

    /// The rules added to docker-c's ip6tables-save filter table (after its chain declarations).
    static let rejectRules = """
        -A INPUT -p tcp -m tcp --dport 5432 -j REJECT --reject-with tcp-reset
        -A INPUT -p udp -m udp --dport 5433 -j REJECT --reject-with icmp6-port-unreachable
        -A INPUT -p udp -m udp --dport 5434 -j REJECT --reject-with icmp6-adm-prohibited
        -A DOCKER-USER -p tcp -m tcp --dport 8080 -j REJECT --reject-with tcp-reset
        -A DOCKER-USER -p udp -m udp --dport 514 -j REJECT --reject-with icmp6-adm-prohibited

        """

    static func derivedSnapshot() throws -> DerivedSnapshot {
        let saves = try LabFixtures.path("docker-eras/iptables-save")
        var v6 = try String(contentsOfFile: saves + "/c-ipv6-infranet.ip6tables-save", encoding: .utf8)
        let anchor = "-A FORWARD -j DOCKER-USER\n"
        let at = try XCTUnwrap(v6.range(of: anchor), "docker-c's ip6tables-save changed: no \(anchor)")
        v6.insert(contentsOf: rejectRules, at: at.lowerBound)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hookwalk-reject6-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("ip6tables-save.txt").path
        try v6.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try VerifyIPv6Tests.derivedSnapshot(rulesets: (saves + "/c-ipv6-infranet.iptables-save", file))
    }

    /// What the IPv6 client's socket saw per port.
    static let refusals: [UInt16: String] = [
        5432: "tcp reset", 5433: "icmpv6 destination-unreachable port-unreachable",
        5434: "icmpv6 destination-unreachable admin-prohibited",
        8080: "tcp reset", 514: "icmpv6 destination-unreachable admin-prohibited",
    ]

    func testRejectAnswersOverIPv6() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ip6tables-nft-restore")
        let snap = try LabCases.build(Self.caseName)
        defer { snap.remove() }
        let outside = Endpoint.external(address: IPAddress("::")!, interface: nil)
        let hostPorts = [Scenario(from: outside, to: Self.host6, port: 5432, proto: .tcp, sport: 0),
                         Scenario(from: outside, to: Self.host6, port: 5433, proto: .udp, sport: 0),
                         Scenario(from: outside, to: Self.host6, port: 5434, proto: .udp, sport: 0)]
        let options = Verifier.Options(client6: VerifyIPv6Tests.client6, kinds: ["published-port", "extra"], extraScenarios: hostPorts)
        let results = try LabFixtures.verifyAgreeing(snap, options, "IPv6 rejects")
        let v6 = results.filter { $0.item.lab.destination.isV4 == false }
        for (port, refusal) in Self.refusals {
            let r = try XCTUnwrap(v6.first { $0.item.lab.port == port }, "port \(port) in \(v6.map(\.item.lab.name))")
            XCTAssertEqual(r.capture.observation.clientRefused, refusal, "port \(port): the kernel's client")
            let answer = try XCTUnwrap(r.trace.answer, "port \(port): the simulated answer")
            XCTAssertEqual(answer.kind, refusal, "port \(port): the simulated answer")
            XCTAssertFalse(r.capture.selection.answer.isEmpty, "port \(port): the kernel traced the answer")
        }
        // The ICMPv6 errors come from the host's global address on the client's link.
        for port: UInt16 in [5433, 514] {
            let r = try XCTUnwrap(v6.first { $0.item.lab.port == port })
            XCTAssertEqual(r.capture.observation.clientRefusedFrom, Self.host6.description, "port \(port)")
        }
    }
}
