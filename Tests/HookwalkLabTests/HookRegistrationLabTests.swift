import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// Chains of exactly conntrack's (-200) and the NAT hook's (-100) priority next to Docker 29
/// (docker-d), loaded before and after Docker's tables: the kernel runs whichever was registered
/// later first, and conntrack is registered by Docker's first `ct`/NAT rule, the NAT hook by its
/// first nat chain (`HookRegistration`). The simulation must follow both orders.
final class HookRegistrationLabTests: XCTestCase {
    static let samePriorityChains = """
        table ip samepriority {
        \tchain at_conntrack {
        \t\ttype filter hook prerouting priority -200; policy accept;
        \t\tct state new counter
        \t\tct state invalid counter
        \t}
        \tchain at_dstnat {
        \t\ttype filter hook prerouting priority -100; policy accept;
        \t\tip daddr 10.254.10.252 counter
        \t\tip daddr 172.20.0.0/24 counter
        \t}
        }

        """

    func testSamePriorityAsConntrackAndNat() throws {
        try LabFixtures.skipUnlessLabPossible()
        var paths: [Bool: [String]] = [:]
        for first in [true, false] {
            let snap = try LabCases.build("chains at conntrack's and NAT's priority, \(first ? "first" : "last")")
            defer { snap.remove() }
            let results = try LabFixtures.verifyAgreeing(snap, Verifier.Options(kinds: ["published-port"]), "same-priority table \(first ? "first" : "last")")
            let request = try XCTUnwrap(results.first).trace.request
            paths[first] = request.events.compactMap { e in
                if case .rule(let c, _, let text, _) = e.kind, c.table == "samepriority" { return "\(c.chain): \(text)" }
                return nil
            }
        }
        // Loaded last, both chains run before conntrack and NAT (no connection, the host's
        // address); loaded first, after them (a new connection, the container's address).
        XCTAssertEqual(paths[false], ["at_conntrack: ct state invalid counter packets 0 bytes 0", "at_dstnat: ip daddr 10.254.10.252 counter packets 0 bytes 0"])
        XCTAssertEqual(paths[true], ["at_conntrack: ct state new counter packets 0 bytes 0", "at_dstnat: ip daddr 172.20.0.0/24 counter packets 0 bytes 0"])
    }
}
