import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// The simulator's facts are typed values (issue 11, "facts as values"): these tests read them
/// for real scenarios of the docker-d snapshot, and check that their JSON reads back the same.
final class TraceEventsTests: XCTestCase {
    static let client = IPAddress("10.254.10.105")!
    static let host = IPAddress("10.254.10.252")!

    func simulator(adding extra: String = "", empty: Bool = false) throws -> Simulator {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-d")
        if empty { snap.ruleset.tables = [] }
        if !extra.isEmpty { snap.ruleset.tables += try NftText.parse(extra, file: "extra.nft").tables }
        return Simulator(snapshot: snap)
    }

    func scenario(_ port: UInt16, _ proto: L4Proto) -> Scenario {
        Scenario(from: .external(address: Self.client, interface: nil), to: Self.host, port: port, proto: proto)
    }

    func conntrack(_ t: PacketTrace?) -> [ConntrackFact] {
        (t?.events ?? []).compactMap { if case .conntrack(let f) = $0.kind { f } else { nil } }
    }

    func nats(_ t: PacketTrace?) -> [(NatRewrite, PacketState, Bool)] {
        (t?.events ?? []).compactMap { if case .nat(let k, _, let after, let implicit) = $0.kind { (k, after, implicit) } else { nil } }
    }

    func notModelled(_ t: PacketTrace?) -> [NotModelledWhat] {
        (t?.events ?? []).compactMap { if case .notModelled(_, _, let w, _) = $0.kind { w } else { nil } }
    }

    func roundTrip(_ t: Trace) throws {
        let data = try JSONEncoder().encode(t)
        XCTAssertEqual(try JSONDecoder().decode(Trace.self, from: data), t)
    }

    func testPublishedPortDNATAndTheConntrackReply() throws {
        let t = try simulator().simulate(scenario(8080, .tcp))
        let original = FlowTuple(proto: .tcp, saddr: Self.client, sport: 41000, daddr: Self.host, dport: 8080)
        XCTAssertEqual(conntrack(t.request), [.new(original)])
        let dnat = nats(t.request)
        XCTAssertEqual(dnat.count, 1)
        XCTAssertEqual(dnat.first?.0, .dnat)
        XCTAssertEqual(dnat.first?.1.daddr, IPAddress("172.20.0.2"))
        XCTAssertEqual(dnat.first?.1.dport, 8080)
        XCTAssertEqual(dnat.first?.2, false, "made by the DOCKER chain's rule")
        let routes = t.request.events.compactMap { if case .route(let r) = $0.kind { r.kind } else { nil } }
        XCTAssertEqual(routes.first, .forward)
        let reply = try XCTUnwrap(t.reply)
        XCTAssertEqual(conntrack(reply), [.reply(original: original)])
        let undo = nats(reply)
        XCTAssertEqual(undo.map(\.0), [.undoDNAT(icmpError: false)])
        XCTAssertEqual(undo.first?.1.saddr, Self.host)
        XCTAssertEqual(undo.first?.2, true, "conntrack rewrites the reply, no rule")
        try roundTrip(t)
    }

    func testRejectAnswersAreTypedKinds() throws {
        let nft = try String(contentsOfFile: try Fixtures.path("semantics/reject-answers.nft"), encoding: .utf8)
        let sim = try simulator(adding: nft)
        let reset = try XCTUnwrap(sim.simulate(scenario(5432, .tcp)).answer)
        XCTAssertEqual(reset.kind, .tcpReset)
        XCTAssertTrue(reset.trace.events.contains { $0.kind == .note(.rejectAnswerSent(.tcpReset, from: Self.host, to: Self.client)) })
        let t = sim.simulate(scenario(514, .udp))
        XCTAssertEqual(t.answer?.kind, .icmpUnreachable(v6: false, code: "admin-prohibited"))
        XCTAssertEqual(t.answer.map { conntrack($0.trace) }, [], "the answer is attached to the connection when built")
        try roundTrip(t)
    }

    func testNotModelledCarriesTheConstructsText() throws {
        let sim = try simulator(adding: """
            table inet t {
                chain c {
                    type filter hook forward priority -10; policy accept;
                    meta skuid 1000 counter drop
                }
            }
            """)
        let t = sim.simulate(scenario(8080, .tcp))
        XCTAssertEqual(notModelled(t.request), [.construct("meta skuid")])
        XCTAssertTrue(t.request.outcome.isDelivered, "assumed the rule does not match")
        try roundTrip(t)
    }

    func testConntrackOffAndRejectAnswerNotSimulated() throws {
        let off = try simulator(empty: true).simulate(scenario(22, .tcp))
        XCTAssertEqual(conntrack(off.request), [.off(v4: true)])
        XCTAssertEqual(conntrack(off.reply), [.off(v4: true)], "the reply's own walk says it too")
        try roundTrip(off)
        let bridge = try simulator(adding: """
            table bridge b {
                chain f {
                    type filter hook output priority 0; policy accept;
                    tcp dport 8080 reject with tcp reset
                }
            }
            """).simulate(scenario(8080, .tcp))
        XCTAssertTrue(notModelled(bridge.request).contains(.rejectAnswer(.hook(.bridge, .output))), "\(notModelled(bridge.request))")
        XCTAssertTrue(bridge.rejectAnswerNotSimulated)
        try roundTrip(bridge)
    }

    /// Every kind of note the simulator emits is a typed case whose JSON (its words) reads back to
    /// the same value, also when a name carries the words of a note (`hostile`).
    func testEveryNoteReadsBackFromItsWords() throws {
        let a = IPAddress("10.0.0.1")!, v6 = IPAddress("fd00::2")!
        let chain = ChainRef(family: .ip, table: "nat", chain: "PREROUTING")
        let hostile = "x (the second leg) to @y (z), 0 -> jump a"
        let targets = [BranchTarget(key: "0", target: "jump lb_a"), BranchTarget(key: "1", target: "jump lb, b")]
        let notes: [TraceNote] = [
            .natChainNotConsulted(chain, v4: false),
            .natChainsSkipped(.dnat, [chain, ChainRef(family: .inet, table: "t", chain: "n")]),
            .answerMappingNotApplied(chain, .snat),
            .portRange(.dnat, 8000...8002, port: 8001, inside: true),
            .portRange(.redirect, 5000...5001, port: 9001, inside: false),
            .rejectAnswerSent(.icmpUnreachable(v6: true, code: "admin-prohibited"), from: v6, to: v6),
            .resetNotTCP,
            .branchPoint(BranchPoint(ways: 3, expression: "meta random & 2147483647", branch: 2, kind: .draw(threshold: 715827882, matches: false))),
            .branchPoint(BranchPoint(ways: 2, expression: "numgen inc mod 2", branch: 1, kind: .match(value: 1, matches: true))),
            .branchPoint(BranchPoint(ways: 2, expression: "numgen random mod 2", branch: 0, kind: .map(nat: nil, targets: targets, value: 0, chosen: 0))),
            .branchPoint(BranchPoint(ways: 2, expression: "numgen inc mod 2", branch: 1, kind: .map(nat: .dnat, targets: targets, value: nil, chosen: nil))),
            .setChanged(SetChange(removed: false, key: "10.254.10.105 . 8080", set: "m2", statement: "meter m2 size 128 { ip saddr . tcp dport }")),
            .setChanged(SetChange(removed: true, key: hostile, set: hostile, statement: "delete @seen { ip daddr }")),
            .userlandProxy(hostIP: "", proto: .tcp, port: 8080, container: hostile, backend: a, backendPort: 80),
            .userlandProxy(hostIP: "::", proto: .udp, port: 53, container: "dns", backend: v6, backendPort: 53),
            .proxySixToFour(container: hostile, hostIP: "::1"),
            .brNetfilterPrerouting(bridge: "docker0", v4: false),
            .brNetfilterForward(bridge: hostile),
            .brNetfilterPostrouting(bridge: "br-1"),
            .bridgeWithoutIPHooks(v4: true),
            .preroutingAlreadyRun,
            .hairpin(daddr: a, bridge: "docker0"),
            .sameSubnet(daddr: a, peer: hostile),
            .loopback,
            .legacyTables(.ip6, table: "filter"),
        ]
        for n in notes {
            let data = try JSONEncoder().encode([n])
            XCTAssertEqual(String(decoding: data, as: UTF8.self), "[\(String(decoding: try JSONEncoder().encode(n.description), as: UTF8.self))]",
                           "a note's JSON is its words")
            XCTAssertEqual(try JSONDecoder().decode([TraceNote].self, from: data), [n], n.description)
        }
        XCTAssertThrowsError(try JSONDecoder().decode([TraceNote].self, from: Data(#"["a sentence hookwalk does not write"]"#.utf8)))
    }
}
