import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// Policy routing, checked against the kernel (issue 13): Docker 29's host with a second uplink
/// (`ens224`) and an fwmark rule in front of the main table (`100: from all fwmark 0x1/0xff lookup
/// 100`, table 100 routing 192.168.77.0/24 out of ens224, while main routes 192.168.77.254 over
/// the LAN). A container's connection marked in prerouting, and the host's own connection marked
/// in a `type route` output chain (re-routed as ip_route_me_harder does), leave by ens224 and are
/// masqueraded to its address. Files: `Tests/Fixtures/semantics/policy-routing/`.
final class VerifyPolicyRoutingTests: XCTestCase {
    static func fixture(_ name: String) throws -> String {
        try LabFixtures.path("semantics/policy-routing/" + name)
    }

    static func derivedSnapshot() throws -> DerivedSnapshot {
        let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
        let extra = try String(contentsOfFile: try fixture("ruleset-additions.nft"), encoding: .utf8)
        var files = ["nft-ruleset.nft": docker + extra]
        for name in ["ip-addr.json", "ip-route.json", "ip-rule.json"] {
            files[name] = try String(contentsOfFile: try fixture(name), encoding: .utf8)
        }
        return try DerivedSnapshot(base: "docker-d", files: files)
    }

    static let peer = IPAddress("192.168.77.254")!
    static let marked: [Scenario] = [
        Scenario(from: .container("client1"), to: peer, port: 9100, proto: .tcp, sport: 0),
        Scenario(from: .host, to: peer, port: 9101, proto: .tcp, sport: 0),
    ]

    func testFwmarkTableInFrontOfTheMainTable() throws {
        try LabFixtures.skipUnlessLabPossible()
        let snap = try LabCases.build("fwmark policy routing")
        defer { snap.remove() }
        let options = Verifier.Options(kinds: ["published-port", "egress", "extra"], extraScenarios: Self.marked)
        let results = try LabFixtures.verifyAgreeing(snap, options, "fwmark policy routing on docker-d")
        let extra = results.filter { $0.item.kind == "extra" }
        XCTAssertEqual(extra.count, 2)
        for r in extra {
            XCTAssertEqual(r.capture.observation.serverSawFrom, "192.168.77.2", "\(r.item.lab.name): masqueraded to ens224's address")
            let routes = r.trace.request.events.compactMap { e -> RouteDecision? in if case .route(let d) = e.kind { d } else { nil } }
            let last = try XCTUnwrap(routes.last)
            XCTAssertEqual(last.oif, "ens224", r.item.lab.name)
            XCTAssertEqual(last.rule, "100: from all fwmark 0x1/0xff lookup 100", r.item.lab.name)
        }
    }
}
