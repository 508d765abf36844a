import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// A broadcast sent by the host, as a lab kernel (6.18) traced it for `sendto(10.9.0.255)` from a
/// namespace whose only uplink is `va` 10.9.0.1/24:
///
///     ip t o  packet: oif "va" ip saddr 10.9.0.1 ip daddr 10.9.0.255 ...   (output)
///     ip t po packet: oif "va" ...                                        (the looped-back copy)
///     ip t pr packet: iif "va" ...                                        (the copy comes back in)
///     ip t i  packet: iif "va" ...
///     ip t po packet: oif "va" ...                                        (the original leaves)
///
/// and `sendto(255.255.255.255)` without a default route failed with ENETUNREACH. The simulation
/// follows output with the real device and stops there, saying why.
final class HostBroadcastTests: XCTestCase {
    static let outputChain = "table ip t { chain o { type filter hook output priority 0; policy accept; udp dport 6767 counter } }\n"

    func testSubnetBroadcastRunsOutputWithTheDevice() throws {
        let t = try KernelFactsTests.sim(Self.outputChain).simulate(
            Scenario(from: .host, to: IPAddress("10.254.10.255")!, port: 6767, proto: .udp, sport: 40000))
        let states = KernelFactsTests.chainStates(t.request)
        XCTAssertEqual(states.map(\.0), ["ip t o"])
        XCTAssertEqual(states.first?.1.oif, "ens192")
        guard case .notModelled(let why) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(why.contains("copy"), why)
    }

    func testLimitedBroadcastNeedsADefaultRoute() throws {
        let t = try KernelFactsTests.sim(Self.outputChain).simulate(
            Scenario(from: .host, to: IPAddress("255.255.255.255")!, port: 6767, proto: .udp, sport: 40000))
        guard case .unroutable(let why) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(why.contains("no default route"), why)
        var host = KernelFactsTests.host()
        host.routes = [Route(table: "main", destination: IPPrefix("0.0.0.0/0")!, device: "ens192", gateway: IPAddress("10.254.10.1"))]
        let routed = try KernelFactsTests.sim(Self.outputChain, host: host).simulate(
            Scenario(from: .host, to: IPAddress("255.255.255.255")!, port: 6767, proto: .udp, sport: 40000))
        XCTAssertEqual(KernelFactsTests.chainStates(routed.request).first?.1.oif, "ens192")
    }
}

/// Without docker-proxy, Docker still holds each published TCP port with a socket that listens and
/// never accepts (moby `listenBoundPorts`). A SYN that reaches that port without being DNATed would be answered
/// by the kernel on a real host; hookwalk does not model the placeholder and says so.
final class PlaceholderListenerTests: XCTestCase {
    func testUndnattedSynToAPublishedPortSaysNotModelled() throws {
        let sim = try KernelFactsTests.sim("table ip filter { chain INPUT { type filter hook input priority 0; policy accept; } }\n")
        let t = KernelFactsTests.inbound(sim, port: 8080)
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertNil(t.reply)
        let said = t.request.events.contains { e in
            if case .notModelled(_, _, let text, _) = e.kind { return text.description.contains("placeholder listener on host port 8080/tcp") }
            return false
        }
        XCTAssertTrue(said, "\(t.request.events)")
        // A port nobody publishes has no placeholder: nothing to say.
        let closed = KernelFactsTests.inbound(sim, port: 8081)
        XCTAssertFalse(closed.request.events.contains { if case .notModelled = $0.kind { true } else { false } })
    }
}
