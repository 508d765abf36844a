import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// A not-modelled step names the construct as nft prints it, whichever syntax the ruleset was
/// read from: never Swift's description of the model (`binop(op: "|", left: ...)`) nor JSON.
final class NotModelledTextTests: XCTestCase {
    static let text = """
        table ip raw {
            chain PREROUTING {
                type filter hook prerouting priority raw; policy accept;
                symhash mod 2 0 counter
                jhash ip saddr mod 4 seed 0xa 1
                tcp option maxseg size 1460 counter
                quota over 10 mbytes
                ct count over 3
                add @seen { ip saddr timeout 30s }
                xt match foo
            }
            set seen { type ipv4_addr; flags dynamic,timeout; }
        }
        """

    /// What each not-modelled step says, in nft syntax (`add @seen` is modelled: DynamicSetsTests).
    static let expected = [
        "symhash mod 2 0", "jhash ip saddr mod 4 seed 0xa 1", "tcp option maxseg size 1460", "quota over 10 mbytes",
        "ct count over 3", "xt match \"foo\"",
    ]

    func steps(_ ruleset: Ruleset) throws -> [String] {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        snap.ruleset = ruleset
        let t = Simulator(snapshot: snap)
            .simulate(Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil),
                               to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp))
        return t.request.events.compactMap { e in
            if case .notModelled(let chain, _, let text, _) = e.kind, chain?.chain == "PREROUTING" { return text.description }
            return nil
        }
    }

    func testStepsFromTextAndJSONAreNftText() throws {
        let fromText = try NftText.parse(Self.text, file: "t.nft")
        let fromJSON = try NftJSON.parse(NftJSONWriter.write(fromText), file: "t.json")
        for (name, ruleset) in [("text", fromText), ("json", fromJSON)] {
            let said = try steps(ruleset)
            XCTAssertEqual(said, Self.expected, "read from \(name)")
            for s in said {
                XCTAssertFalse(s.contains("HookwalkModel") || s.contains("{\"") || s.contains("(op:"), "\(name): \(s)")
            }
        }
    }

    /// A `set` statement the simulator cannot apply is shown as nft prints it, not as the model's
    /// description of its expressions.
    func testMangleStepIsNftText() throws {
        let rs = try NftText.parse("""
            table ip raw {
                chain PREROUTING {
                    type filter hook prerouting priority raw; policy accept;
                    ip dscp set jhash ip saddr mod 4
                }
            }
            """, file: "m.nft")
        let said = try steps(rs)
        XCTAssertEqual(said, ["ip dscp set jhash ip saddr mod 4"])
    }
}
