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
