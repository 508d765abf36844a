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
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        let text = try String(contentsOfFile: try Fixtures.path("docker-eras/variants/c-proxy-true.nft"), encoding: .utf8)
        snap.ruleset = try NftText.parse(text, file: "c-proxy-true.nft")
        snap.host.docker.userlandProxy = true
        return Simulator(snapshot: snap)
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

    /// Without docker-proxy the host's call to 127.0.0.1:8080 is DNATed in `ip nat OUTPUT` and
    /// goes straight to the container, with no second leg, when docker1 allows loopback sources
    /// (Docker sets route_localnet=1 on its bridges when userland-proxy is false); with
    /// route_localnet=0 (the lab snapshot's sysctl.txt) the kernel refuses to route it, and there
    /// is no leg either.
    func testProxyOffHasNoSecondLeg() throws {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        let scenario = Scenario(from: .host, to: IPAddress("127.0.0.1")!, port: 8080, proto: .tcp)
        let refused = Simulator(snapshot: snap).simulate(scenario)
        XCTAssertTrue(refused.proxyLeg.isEmpty)
        if case .delivered = refused.request.outcome { XCTFail("route_localnet=0 delivers: \(refused.request.outcome)") }
        snap.host.sysctls["net.ipv4.conf.docker1.route_localnet"] = "1"
        let t = Simulator(snapshot: snap).simulate(scenario)
        XCTAssertTrue(t.proxyLeg.isEmpty)
        guard case .delivered(.container("proxy"), let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(seen.flowText.hasSuffix("-> 172.20.0.2:8080"), seen.flowText)
    }
}
