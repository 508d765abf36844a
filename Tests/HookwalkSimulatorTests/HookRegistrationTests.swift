import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// A chain of exactly conntrack's priority (-200) or the NAT hook's (-100) runs before or after
/// them depending on which was registered later (it runs first). Each case below was run on a lab
/// kernel (6.18) in a scratch namespace pair, loading the tables in the order of the listing with
/// `nft -f` and sending one packet; the counters showed the same as the assertions.
final class HookRegistrationTests: XCTestCase {
    /// Counts the destination it sees at -100: before the NAT hook the host's address, after it the
    /// container's.
    static let filterAtDstnat = """
        table ip f { chain c { type filter hook prerouting priority -100; policy accept;
            ip daddr 10.254.10.252 accept
            ip daddr 172.20.0.2 accept
        } }

        """

    /// Before conntrack a packet has no connection: `ct state` reads invalid.
    static let filterAtConntrack = """
        table ip t { chain c { type filter hook prerouting priority -200; policy accept;
            ct state new accept
            ct state invalid accept
        } }

        """

    /// The first rule of `chain` that the request hit (handles: the chain is 1, its rules 2 and 3).
    func firstRule(_ text: String, chain: String) throws -> String? {
        let t = KernelFactsTests.inbound(try KernelFactsTests.sim(text))
        return KernelFactsTests.steps(t.request).first { $0.hasPrefix("\(chain)#") }
    }

    func testChainRegisteredAfterTheNatHookRunsBeforeIt() throws {
        // Docker's nat table first: the NAT hook is registered before `f c`, which runs first.
        XCTAssertEqual(try firstRule(KernelFactsTests.docker + "\n" + Self.filterAtDstnat, chain: "c"), "c#2 accept")
        // `f c` first: the NAT hook comes later and runs first; `f c` sees the DNATed address.
        XCTAssertEqual(try firstRule(Self.filterAtDstnat + KernelFactsTests.docker, chain: "c"), "c#3 accept")
    }

    func testChainRegisteredAfterConntrackRunsWithoutAConnection() throws {
        // Docker's tables first: their ct and nat rules registered conntrack before `t c`.
        XCTAssertEqual(try firstRule(KernelFactsTests.docker + "\n" + Self.filterAtConntrack, chain: "c"), "c#3 accept")
        // `t c` first: its own `ct state` rules register conntrack after the chain.
        XCTAssertEqual(try firstRule(Self.filterAtConntrack + KernelFactsTests.docker, chain: "c"), "c#2 accept")
    }

    /// A nat table with only an empty chain registers the NAT hook but not conntrack.
    func testEmptyNatChainDoesNotRegisterConntrack() throws {
        let emptyNat = "table ip n { chain p { type nat hook prerouting priority -100; policy accept; } }\n"
        XCTAssertEqual(try firstRule(emptyNat + Self.filterAtConntrack, chain: "c"), "c#2 accept")
        let ctUser = "table ip n { chain p { type filter hook input priority 0; policy accept; ct state new accept } }\n"
        XCTAssertEqual(try firstRule(ctUser + Self.filterAtConntrack, chain: "c"), "c#3 accept")
    }
}

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
