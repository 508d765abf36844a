import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// ufw's IPv6 half next to Docker: the dual-stack docker-c of `VerifyIPv6Tests` (Docker 28 with an
/// IPv6-enabled network) with ufw enabled and IPV6=yes (`deny incoming`, `deny routed`,
/// `allow 22/tcp`), both halves composed by `scripts/compose-ufw-docker-ipv6.sh` (see the
/// fixtures' headers). Over IPv6 as over IPv4, Docker's FORWARD jumps come before ufw's, so
/// published ports stay reachable, while ufw6's INPUT policy drop closes the host itself except
/// for 22/tcp and the ICMPv6 its before6.rules accept: neighbour discovery among them, which every
/// IPv6 exchange of the lab needs (the lab's namespaces learn their IPv6 neighbours dynamically).
final class VerifyUfwIPv6Tests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let iptablesSave = fixtures.appendingPathComponent("c-ipv6-ufw.iptables-save").path
    static let ip6tablesSave = fixtures.appendingPathComponent("c-ipv6-ufw.ip6tables-save").path

    /// The dual-stack docker-c with the ufw rulesets, built as `VerifyIPv6Tests` builds its host.
    static func derivedSnapshot() throws -> DerivedSnapshot {
        try VerifyIPv6Tests.derivedSnapshot(rulesets: (iptablesSave, ip6tablesSave))
    }

    /// The host's services ufw decides on, over IPv6 from the lab's client (`::` stands for it, as
    /// `hookwalk verify --scenario 'client>[2001:db8:1::252]:22/tcp'` says it) to the uplink's
    /// IPv6 address: 22/tcp (ufw6-user-input accepts) and 5432/tcp (no ufw rule: ufw6's INPUT
    /// policy drop); and the same over IPv4, since both halves belong to the same host.
    static let hostServices: [Scenario] = {
        let host6 = IPAddress("2001:db8:1::252")!, outside6 = Endpoint.external(address: IPAddress("::")!, interface: nil)
        return VerifyUfwTests.hostServices + [Scenario(from: outside6, to: host6, port: 22, proto: .tcp, sport: 0),
                                              Scenario(from: outside6, to: host6, port: 5432, proto: .tcp, sport: 0)]
    }()

    func testDockerDualStackWithUfw() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ip6tables-nft-restore")
        let snap = try LabCases.build("ufw dual-stack c")
        defer { snap.remove() }
        let options = Verifier.Options(client6: VerifyIPv6Tests.client6,
                                       kinds: ["published-port", "direct", "host-local", "egress", "unpublished-port", "extra"],
                                       extraScenarios: Self.hostServices)
        let results = try LabFixtures.verify(snap, options)
        let prefix = try XCTUnwrap(results.first?.labPrefix)
        XCTAssertEqual(LabFixtures.namespaces().filter { $0.hasPrefix(prefix) }, [], "namespaces left behind")
        let report = VerifyReport(scenarios: results.map(\.comparison))
        XCTAssertTrue(report.allMatch, "ufw (IPv6) next to Docker:\n\(report.text)")
        print("ufw (IPv6) next to Docker: \(report.agreeing)/\(results.count) MATCH")

        let v6 = results.filter { $0.item.lab.destination.isV4 == false }
        XCTAssertFalse(v6.isEmpty, "no IPv6 exchanges")
        func v6Result(_ name: String) throws -> Verifier.Verified {
            try XCTUnwrap(v6.first { $0.item.lab.name == name }, "no scenario \(name) in \(v6.map(\.item.lab.name))")
        }
        let c = "2001_db8_1__105"
        // Published ports over IPv6: Docker's DOCKER-FORWARD accepts before ufw6-before-forward.
        XCTAssertTrue(try v6Result("proxy-tcp-8080-from-\(c)").capture.observation.clientGotReply, "published tcp 8080 over IPv6")
        XCTAssertTrue(try v6Result("radius-udp-1812-from-\(c)").capture.observation.clientGotReply, "published udp 1812 over IPv6")

        // The host itself over IPv6: 22 allowed by ufw6-user-input, 5432 left to ufw6's INPUT policy.
        let ssh = try XCTUnwrap(v6.first { $0.item.kind == "extra" && $0.item.lab.port == 22 })
        XCTAssertTrue(ssh.capture.observation.serverGotRequest && ssh.capture.observation.clientGotReply, "22/tcp over IPv6 is allowed by ufw")
        let postgres = try XCTUnwrap(v6.first { $0.item.kind == "extra" && $0.item.lab.port == 5432 })
        XCTAssertFalse(postgres.capture.observation.serverGotRequest, "5432/tcp over IPv6 is dropped by ufw")
        guard case .dropped(let chain, nil, _, _) = postgres.trace.request.outcome else {
            return XCTFail("5432/tcp over IPv6: expected a policy drop, got \(postgres.trace.request.outcome)")
        }
        XCTAssertEqual(chain, ChainRef(family: .ip6, table: "filter", chain: "INPUT"), "5432/tcp is dropped by ip6 filter INPUT's policy")

        // Direct access to a container's IPv6 address: Docker 28's ip6 raw PREROUTING drop, before ufw.
        let direct = try v6Result("dhcp-direct-udp-67-from-\(c)")
        XCTAssertFalse(direct.capture.observation.serverGotRequest, "direct access over IPv6 dropped")
        guard case .dropped(let rawChain, _?, _, _) = direct.trace.request.outcome else {
            return XCTFail("direct access over IPv6: expected a rule's drop, got \(direct.trace.request.outcome)")
        }
        XCTAssertEqual(rawChain, ChainRef(family: .ip6, table: "raw", chain: "PREROUTING"))

        // IPv6 egress: ufw6-before-forward does not see it (DOCKER-FORWARD accepts from docker1),
        // and Docker's ip6 nat masquerades it to the uplink's address.
        let egress = try v6Result("infranet-egress-dhcp-to-\(c)").capture.observation
        XCTAssertTrue(egress.clientGotReply, "IPv6 egress")
        XCTAssertEqual(egress.serverSawFrom, "2001:db8:1::252", "IPv6 egress is masqueraded to the uplink's address")

        // Every rule on these paths is modelled, ufw6's `-m rt --rt-type 0` drops included.
        let notModelled = results.flatMap { r in ([r.trace.request] + (r.trace.reply.map { [$0] } ?? [])).flatMap(\.events) }
            .compactMap { e -> String? in if case .notModelled(_, _, let text, _) = e.kind { return text.description } else { return nil } }
        XCTAssertEqual(Set(notModelled), [], "not-modelled steps on the verified paths")
    }
}
