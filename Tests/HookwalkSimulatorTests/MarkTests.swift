import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Mark arithmetic and connmark save/restore (issue 13; lab: VerifyMarksTests): the packet's mark
/// is computed by `meta mark set` expressions and carried across hooks, the ct mark is kept in the
/// conntrack entry and read back by the reply.
final class MarkTests: XCTestCase {
    func simulator(adding extra: String) throws -> Simulator {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-d")
        snap.ruleset.tables += try NftText.parse(extra, file: "extra.nft").tables
        return Simulator(snapshot: snap)
    }

    static let hairpin = Scenario(from: .container("client1"), to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp)

    /// The mark each base chain of `hook` saw, from the trace's `packet:` states.
    func marks(_ t: PacketTrace, table: String, hook: Hook) -> [UInt32] {
        t.events.compactMap { e in
            if case .chain(let r, let state) = e.kind, r.chain.table == table, r.hook == hook { return state.mark }
            return nil
        }
    }

    func matchedHandles(_ t: PacketTrace, chain: String) -> [Int] {
        t.events.compactMap { e in
            if case .rule(let c, let h?, _, _) = e.kind, c.chain == chain { return h }
            return nil
        }
    }

    func testNetavarkStyleHairpinIsMasqueradedByMark() throws {
        let extra = try String(contentsOfFile: try Fixtures.path("semantics/marks-netavark.nft"), encoding: .utf8)
        let t = try simulator(adding: extra).simulate(Self.hairpin)
        // | 3, << 4, ^ 0x11, >> 1, | 0x2000: every rule of the chain matched on the value before it.
        XCTAssertEqual(matchedHandles(t.request, chain: "prerouting_marks").count, 5)
        XCTAssertEqual(marks(t.request, table: "netavark-like", hook: .forward), [0x2010])
        XCTAssertEqual(marks(t.request, table: "netavark-like", hook: .postrouting), [0x2010])
        XCTAssertEqual(matchedHandles(t.request, chain: "postrouting_marks").count, 1, "the mark's masquerade")
        guard case .delivered(.container("proxy"), let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(seen.saddr, IPAddress("172.20.0.1"), "masqueraded to the bridge's address")
        // The reply starts with mark 0; `meta mark set ct mark` restores 0x2010 & 0xffff saved by the masquerade rule.
        let reply = try XCTUnwrap(t.reply)
        XCTAssertEqual(marks(reply, table: "netavark-like", hook: .prerouting), [0])
        XCTAssertEqual(marks(reply, table: "netavark-like", hook: .forward), [0x2010])
        XCTAssertEqual(matchedHandles(reply, chain: "forward_marks").count, 2)
        XCTAssertFalse((t.request.events + reply.events).contains { if case .notModelled = $0.kind { return true } else { return false } })

        // Without the mark statements the masquerade does not apply: the server sees client1.
        let plain = try simulator(adding: extra.replacingOccurrences(of: "meta mark set meta mark | 0x00002000", with: "counter"))
            .simulate(Self.hairpin)
        guard case .delivered(_, let seen2) = plain.request.outcome else { return XCTFail("\(plain.request.outcome)") }
        XCTAssertEqual(seen2.saddr, IPAddress("172.20.0.6"))
    }

    func testShiftsStayWithin32Bits() throws {
        let t = try simulator(adding: """
            table ip m {
              chain pre {
                type filter hook prerouting priority mangle; policy accept;
                meta mark set 0x80000001
                meta mark set meta mark << 1
                meta mark 0x00000002 meta mark set meta mark ^ 0xffffffff
                meta mark 0xfffffffd meta mark set meta mark >> 4
              }
              chain fwd { type filter hook forward priority 0; policy accept; }
            }
            """).simulate(Self.hairpin)
        XCTAssertEqual(marks(t.request, table: "m", hook: .forward), [(0x2 ^ 0xffff_ffff) >> 4])
    }

    /// `meta mark set ct mark` on an untracked packet: the ct expression breaks the rule
    /// (NFT_BREAK), so the verdict after it is not reached.
    func testCtMarkOfAnUntrackedPacketBreaksTheRule() throws {
        let t = try simulator(adding: """
            table ip m {
              chain raw { type filter hook prerouting priority raw - 10; policy accept; notrack; meta mark set ct mark drop; }
            }
            """).simulate(Self.hairpin)
        XCTAssertFalse({ if case .dropped = t.request.outcome { return true } else { return false } }(), "\(t.request.outcome)")
    }
}
