import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import XCTest

/// The walkthrough says "rejected" from the rule's `reject` statement, not from its text.
final class RejectSentenceTests: XCTestCase {
    func testRejectRuleIsRejectedAndDropRuleIsDropped() throws {
        var snap = try SnapshotLoader.load(path: ExampleSite.repository + "/Tests/Fixtures/docker-eras/snapshots/docker-d")
        snap.ruleset.tables += try NftText.parse("""
            table inet t {
                chain c {
                    type filter hook input priority -10; policy accept;
                    tcp dport 5432 reject with tcp reset
                    tcp dport 5433 counter drop comment "reject later"
                }
            }
            """, file: "extra.nft").tables
        let sim = Simulator(snapshot: snap)
        let context = RenderContext(ruleset: snap.ruleset, host: snap.host)
        func sentences(_ port: UInt16) -> String {
            let client = Endpoint.external(address: IPAddress("10.254.10.105")!, interface: nil)
            let t = sim.simulate(Scenario(from: client, to: IPAddress("10.254.10.252")!, port: port, proto: .tcp))
            let walk = WalkthroughBuilder(context: context).build(t.request, direction: .request, from: client)
            return walk.sections.flatMap { $0.steps }.map { $0.sentence }.joined(separator: "\n")
        }
        XCTAssertTrue(sentences(5432).contains("so the packet is **rejected**"))
        let dropped = sentences(5433)
        XCTAssertTrue(dropped.contains("so the packet is **dropped**."), dropped)
        XCTAssertFalse(dropped.contains("**rejected**"), "a comment naming reject is no reject statement")
    }
}
