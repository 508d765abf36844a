import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// `userland-proxy: true` in the lab: the Docker-era snapshots with the proxy-mode rulesets of
/// `variants/` and a daemon.json that says so. The lab runs its stand-in docker-proxy per published
/// port, and verify compares the proxy's own connection to the container too. A lean,
/// representative set (six exchanges per era, the whole test about 40 s): a published port from
/// outside (DNATed: the proxy never sees it), a container of the same bridge calling the host's
/// address (tcp and the catalog's udp hairpin; not DNATed in any era: "SKIP DNAT" in 20.10-28,
/// `iifname != "docker1"` on the DNAT itself in 29), the host calling its own address (DNATed by
/// nat OUTPUT) and 127.0.0.1 (excluded from the OUTPUT jump: the proxy).
final class VerifyProxyTests: XCTestCase {
    static let cases: [(era: String, base: String, ruleset: String)] = [
        ("a", "docker-a", "a-proxy-true.nft"), ("b", "docker-b", "b-proxy-true.nft"), ("c", "docker-c", "c-proxy-true.nft"),
        ("29-iptables", "docker-c", "c2-docker29-iptables-backend-proxy-true.nft"), ("d", "docker-d", "d-proxy-true.nft"),
    ]

    func testProxyTrueAcrossEras() throws {
        try LabFixtures.skipUnlessLabPossible()
        let host = IPAddress("10.254.10.252")!, loopback = IPAddress("127.0.0.1")!
        let extra = [
            Scenario(from: .external(address: IPAddress("0.0.0.0")!, interface: nil), to: host, port: 8080, proto: .tcp, sport: 0),
            Scenario(from: .host, to: loopback, port: 8080, proto: .tcp, sport: 0),
            Scenario(from: .host, to: loopback, port: 1812, proto: .udp, sport: 0),
            Scenario(from: .container("client1"), to: host, port: 8080, proto: .tcp, sport: 0),
        ]
        for c in Self.cases {
            let snap = try LabCases.build("proxy-true \(c.era)")
            defer { snap.remove() }
            let options = Verifier.Options(kinds: ["hairpin", "host-local", "extra"], extraScenarios: extra)
            let results = try LabFixtures.verifyAgreeing(snap, options, "proxy-true \(c.era)")

            // 127.0.0.1 is never DNATed: both legs in the kernel, the proxy's from the bridge's address.
            for r in results where r.item.lab.destination == loopback {
                let leg = try XCTUnwrap(r.capture.proxyLeg, "\(c.era) \(r.item.lab.name)")
                XCTAssertFalse(leg.request.isEmpty, "\(c.era) \(r.item.lab.name): no proxy leg in the kernel")
                XCTAssertEqual(r.capture.observation.serverSawFrom, "172.20.0.1", "\(c.era) \(r.item.lab.name)")
                XCTAssertEqual(r.trace.proxyLeg.count, 1)
            }
            // Same bridge to the host's address: through the proxy in every era.
            let hairpin = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.client == .container("client1") })
            XCTAssertEqual(hairpin.capture.proxyLeg?.request.isEmpty, false, "\(c.era) hairpin")
            XCTAssertEqual(hairpin.trace.proxyLeg.count, 1, "\(c.era) hairpin")
            // From outside: DNATed, the proxy sees nothing.
            let outside = try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.client != .host && $0.item.lab.client != .container("client1") })
            XCTAssertEqual(outside.capture.proxyLeg?.request, [], "\(c.era) from outside")
            XCTAssertEqual(outside.capture.observation.serverGotRequest, true, "\(c.era) from outside")
        }
    }
}
