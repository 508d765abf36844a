import XCTest
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
@testable import HookwalkRender

/// A match the walkthrough has no words for is quoted as nft lists it: through the model's one
/// printer, so it reads exactly like the rule in the excerpt above it (a private joiner used to
/// drop the `==` of a masked comparison).
final class MatchExplainerTests: XCTestCase {
    func testAMatchWithoutWordsIsQuotedAsNftListsIt() throws {
        let text = """
        table ip t {
        \tchain c {
        \t\tmeta mark & 0x000000ff == 0x00000001 accept
        \t}
        }
        """
        let ruleset = try NftText.parse(text, file: "mask.nft")
        let rule = try XCTUnwrap(ruleset.tables.first?.chains.first?.rules.first)
        let packet = PacketState(saddr: IPAddress("10.0.0.1")!, daddr: IPAddress("10.0.0.2")!, proto: .tcp, sport: 1, dport: 2, mark: 1)
        let clauses = MatchExplainer.clauses(rule, packet: packet, localInterface: [:])
        XCTAssertEqual(clauses, ["`meta mark & 0x000000ff == 0x00000001` holds"])
        XCTAssertTrue(NftTextWriter.ruleText(rule).hasPrefix("meta mark & 0x000000ff == 0x00000001"), NftTextWriter.ruleText(rule))
    }
}
