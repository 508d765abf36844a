import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// A scenario whose path meets a load-balancing rule: the page follows branch 0 and, since the
/// branches end in different places, has a "Branches" section listing each (docs/trace.md).
final class BranchesPageTests: XCTestCase {
    static let spread = """
        table ip lb {
        \tchain pre {
        \t\ttype filter hook prerouting priority -150; policy accept;
        \t\tudp dport 1812 numgen random mod 2 vmap { 0 : jump backend_a, 1 : jump backend_b }
        \t}
        \tchain backend_a {
        \t\tcounter
        \t}
        \tchain backend_b {
        \t\tdrop
        \t}
        }

        """

    func page(_ text: String) throws -> String {
        let snap = try Seed.snapshot(ruleset: try NftText.parse(text, file: "t.nft"))
        let docs = HostDocuments.scenarios(snapshot: snap, clients: [], where: { $0.id.hasPrefix("radius-udp-1812") })
        XCTAssertEqual(docs.count, 1)
        let files = try DocGenerator(templatesDirectory: Seed.templatesDirectory).render(snapshot: snap, scenarios: docs, png: false)
        let name = try XCTUnwrap(files.keys.first { $0.hasPrefix("scenarios/radius-udp-1812") && $0.hasSuffix(".md") })
        return String(decoding: try XCTUnwrap(files[name]), as: UTF8.self)
    }

    func testBranchesSectionListsEachBranch() throws {
        let p = try page(Seed.rulesetText + Self.spread)
        let section = try XCTUnwrap(p.range(of: "\n## Branches\n\n"), p)
        let rest = String(p[section.upperBound...])
        XCTAssertTrue(rest.contains("This page follows branch 0"), rest)
        XCTAssertTrue(rest.contains("- Branch 0 (this page): the request reaches"), rest)
        XCTAssertTrue(rest.contains("It parts from the others at `ip lb backend_a`."), rest)
        XCTAssertTrue(rest.contains("- Branch 1: the request is **dropped** by the rule `drop` in table `ip lb`, chain `backend_b`."), rest)
        XCTAssertTrue(rest.contains("It parts from the others at `ip lb backend_b`."), rest)
        XCTAssertTrue(rest.contains("`hookwalk trace SNAPSHOT --from 10.254.10.254 --to 10.254.10.252:1812/udp --branch 1`"), rest)
        // The walkthrough's step at the rule says it too.
        XCTAssertTrue(p.contains("One of 2: 0 -> jump backend\\_a, 1 -> jump backend\\_b (numgen random mod 2 picks one per packet); this walk follows branch 0"), p)
    }

    /// Branches that end in the same place need no section.
    func testSamePlaceNoSection() throws {
        let p = try page(Seed.rulesetText + Self.spread.replacingOccurrences(of: "\t\tdrop\n", with: "\t\tcounter\n"))
        XCTAssertFalse(p.contains("## Branches"), p)
        XCTAssertTrue(p.contains("One of 2: 0 -> jump backend\\_a"), p)
    }
}
