import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Docker's default `userland-proxy: true`: traffic that is not DNATed (loopback, same bridge with
/// the "SKIP DNAT" rules of Docker 20.10-28) reaches docker-proxy on the host, which opens its own
/// connection to the container (NOTES-userland-proxy-and-ipv6.md in the fixtures).
final class UserlandProxyTests: XCTestCase {
    func proxySimulator() throws -> Simulator {
        var snap = try Fixtures.snapshot("fixtures/docker-eras/snapshots/docker-c")
        let text = try String(contentsOfFile: try Fixtures.path("fixtures/docker-eras/variants/c-proxy-true.nft"), encoding: .utf8)
        snap.ruleset = try NftText.parse(text, file: "c-proxy-true.nft")
        snap.host.docker.userlandProxy = true
        return Simulator(snapshot: snap, ruleText: NftTextWriter.ruleText)
    }

    func testLoopbackGoesThroughTheProxy() throws {
        let t = try proxySimulator().simulate(Scenario(from: .host, to: IPAddress("127.0.0.1")!, port: 8080, proto: .tcp, sport: 40100))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(t.proxyLeg.count, 1)
        let leg = try XCTUnwrap(t.proxyLeg.first)
        guard case .delivered(.container("proxy"), let seen) = leg.request.outcome else { return XCTFail("\(leg.request.outcome)") }
        XCTAssertEqual(seen.saddr, IPAddress("172.20.0.1"), "the proxy connects from the bridge's address")
        XCTAssertEqual(seen.dport, 8080)
        XCTAssertTrue(leg.reply?.outcome.isDelivered ?? false)
        XCTAssertTrue(t.reply?.outcome.isDelivered ?? false, "the proxy answers the client itself")
    }

    /// The proxy's leg never uses the request's own source port: the host calling 127.0.0.1 from
    /// port P would otherwise have both connections on P (the lab's stand-in proxy binds this port).
    func testProxyLegSourcePortDiffersFromTheRequests() throws {
        for sport: UInt16 in [1, 40100, 45000, 50000, 52506, 59999, 65535] {
            XCTAssertNotEqual(Simulator.proxyLegSourcePort(sport), sport, "\(sport)")
        }
        let t = try proxySimulator().simulate(Scenario(from: .host, to: IPAddress("127.0.0.1")!, port: 8080, proto: .tcp, sport: 52506))
        XCTAssertEqual(t.proxyLeg.first?.scenario.sport, Simulator.proxyLegSourcePort(52506))
    }

    func testSameBridgeSkipsDnatAndUsesTheProxy() throws {
        let t = try proxySimulator().simulate(Scenario(from: .container("syslog"), to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(t.proxyLeg.count, 1)
    }

    func testExternalClientsAreStillDnated() throws {
        let t = try proxySimulator().simulate(Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil),
                                                       to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp))
        guard case .delivered(.container("proxy"), _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(t.proxyLeg.isEmpty)
    }

    func testProxyOffHasNoSecondLeg() throws {
        let t = try Fixtures.simulator("fixtures/docker-eras/snapshots/docker-c")
            .simulate(Scenario(from: .host, to: IPAddress("127.0.0.1")!, port: 8080, proto: .tcp))
        XCTAssertTrue(t.proxyLeg.isEmpty)
    }
}
