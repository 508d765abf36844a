import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Load-balancing branch points, checked against the kernel (issue 13): a `numgen random mod 2
/// vmap` composed onto Docker 29's ruleset, and iptables' `-m statistic --mode random|nth` onto
/// Docker 28's iptables-save. The kernel picks a branch at random; `verify` accepts its path when
/// it is the trace of any branch the simulator lists, and says which.
final class VerifyBranchesTests: XCTestCase {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: try LabFixtures.path("semantics/" + name), encoding: .utf8)
    }

    /// docker-d with `branches-numgen.nft` after Docker's tables.
    static func numgenSnapshot() throws -> DerivedSnapshot {
        let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
        return try DerivedSnapshot(base: "docker-d", files: ["nft-ruleset.nft": docker + (try fixture("branches-numgen.nft"))])
    }

    /// docker-c's iptables-save with `branches-statistic.iptables-save` first.
    static func statisticSnapshot() throws -> DerivedSnapshot {
        let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/iptables-save/c.iptables-save"), encoding: .utf8)
        return try DerivedSnapshot(base: "docker-c", files: ["iptables-save.txt": try fixture("branches-statistic.iptables-save") + "\n" + docker])
    }

    /// Every published-port scenario to 8080 meets the branch point: each agrees with one of its
    /// branches, the report names it, and the not-modelled notes are gone from the path.
    func check(_ results: [Verifier.Verified], branches: Int, _ label: String) {
        let spread = results.filter { $0.item.scenario.port == 8080 && $0.item.scenario.proto == .tcp }
        XCTAssertFalse(spread.isEmpty, "\(label): no scenario to 8080/tcp")
        for r in spread {
            XCTAssertEqual(r.comparison.branches, branches, "\(label) \(r.item.lab.name)")
            XCTAssertNotNil(r.comparison.branch, "\(label) \(r.item.lab.name)")
            let events = r.trace.request.events
            XCTAssertTrue(events.contains { if case .note(.branchPoint) = $0.kind { true } else { false } }, "\(label): no branch note")
            XCTAssertFalse(events.contains { if case .notModelled = $0.kind { true } else { false } }, "\(label): not-modelled step")
            let report = VerifyReport(scenarios: [r.comparison]).text
            XCTAssertTrue(report.contains("branch \(r.comparison.branch ?? -1) of \(branches)"), report)
            print("\(label): " + (report.split(separator: "\n").first.map(String.init) ?? ""))
        }
    }

    func testNumgenVmap() throws {
        try LabFixtures.skipUnlessLabPossible()
        let snap = try LabCases.build("numgen vmap")
        defer { snap.remove() }
        let results = try LabFixtures.verifyAgreeing(snap, Verifier.Options(kinds: ["published-port"]), "numgen vmap on docker-d")
        check(results, branches: 2, "numgen vmap")
    }

    func testIptablesStatistic() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        let snap = try LabCases.build("iptables statistic")
        defer { snap.remove() }
        let results = try LabFixtures.verifyAgreeing(snap, Verifier.Options(kinds: ["published-port"]), "iptables statistic on docker-c")
        check(results, branches: 6, "iptables statistic")
    }
}
