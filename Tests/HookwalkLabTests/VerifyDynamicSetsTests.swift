import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Dynamic sets checked against the kernel (issue 13): an `add @seen { ip saddr }` guard in
/// prerouting composed onto Docker 29's ruleset. The request adds the client; the same hook's
/// later rules, forward and postrouting see it (`ip saddr @seen`), the reply's prerouting sees it
/// (`ip daddr @seen`) until forward deletes it (`delete @seen { ip daddr }`), and postrouting then
/// no longer does. A per-element `limit rate over 1/minute burst 1 packets` lets the request
/// through (it is not over) and counts the reply as the element's second packet (over). A meter
/// keyed by the client's port gets a fresh element in every scenario: the lab empties the named
/// dynamic sets before each scenario, but a meter's set cannot be flushed.
final class VerifyDynamicSetsTests: XCTestCase {
    static func derivedSnapshot() throws -> DerivedSnapshot {
        let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
        let guardRules = try String(contentsOfFile: try LabFixtures.path("semantics/dynamic-sets-guard.nft"), encoding: .utf8)
        return try DerivedSnapshot(base: "docker-d", files: ["nft-ruleset.nft": docker + guardRules])
    }

    func testAddSetGuardAgreesWithKernel() throws {
        try LabFixtures.skipUnlessLabPossible()
        let snap = try LabCases.build("dynamic set guard")
        defer { snap.remove() }
        let options = Verifier.Options(kinds: ["published-port"])
        let results = try LabFixtures.verifyAgreeing(snap, options, "add @set guard on docker-d")
        let tcp = results.filter { $0.item.scenario.proto == .tcp && $0.trace.reply != nil }
        XCTAssertFalse(tcp.isEmpty, "no TCP scenario with a reply")
        for r in tcp {
            let all = r.trace.request.events + (r.trace.reply?.events ?? [])
            let notModelled = all.filter { if case .notModelled = $0.kind { return true } else { return false } }
            XCTAssertEqual(notModelled, [], "\(r.item.lab.name): no not-modelled step on a path of dynamic sets")
            let notes = r.trace.request.events.compactMap { if case .note(let n) = $0.kind { n.description } else { nil } }
            XCTAssertTrue(notes.contains { $0.hasPrefix("adds ") && $0.contains(" to @seen") },
                          "\(r.item.lab.name): the trace says the request adds the client to @seen: \(notes)")
            // The reply's prerouting matched `ip daddr @seen` (added by the request).
            let replyRules = (r.trace.reply?.events ?? []).compactMap { e -> String? in
                if case .rule(let c, _, let text, _) = e.kind, c.table == "guard" { return c.chain + ": " + text } else { return nil }
            }
            XCTAssertTrue(replyRules.contains { $0.hasPrefix("raw_guard: ip daddr @seen") }, "\(r.item.lab.name): \(replyRules)")
            XCTAssertFalse(replyRules.contains { $0.hasPrefix("post_guard:") }, "\(r.item.lab.name): deleted before postrouting: \(replyRules)")
        }
    }
}
