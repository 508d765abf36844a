import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// reject's answer (issue 13; lab: VerifyRejectTests): the kernel's ICMP error or TCP reset, sent
/// by the host through output and postrouting as `ct state related`, back to the client.
final class RejectAnswerTests: XCTestCase {
    func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: try Fixtures.path("semantics/" + name), encoding: .utf8)
    }

    func simulator(adding extra: String) throws -> Simulator {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-d")
        snap.ruleset.tables += try NftText.parse(extra, file: "extra.nft").tables
        return Simulator(snapshot: snap)
    }

    static let client = Endpoint.external(address: IPAddress("10.254.10.105")!, interface: nil)
    static let host = IPAddress("10.254.10.252")!

    func scenario(_ port: UInt16, _ proto: L4Proto) -> Scenario { Scenario(from: Self.client, to: Self.host, port: port, proto: proto) }

    func relatedRules(_ t: PacketTrace) -> Int {
        t.events.filter { if case .rule(_, _, let text, _) = $0.kind { text.hasPrefix("ct state related") } else { false } }.count
    }

    func testAnswersOfRejectInInputAndForward() throws {
        let sim = try simulator(adding: fixture("reject-answers.nft"))
        let cases: [(UInt16, L4Proto, String, String)] = [
            (5432, .tcp, "tcp reset", "10.254.10.252:5432 -> 10.254.10.105:41000"),
            (5433, .udp, "icmp destination-unreachable port-unreachable", "10.254.10.252 -> 10.254.10.105"),
            (5434, .tcp, "icmp destination-unreachable port-unreachable", "10.254.10.252 -> 10.254.10.105"),
            // forward, after the dnat to 172.20.0.2: the reset is built from the container's address and
            // conntrack undoes the dnat at postrouting; the ICMP error comes from the host's address.
            (8080, .tcp, "tcp reset", "10.254.10.252:8080 -> 10.254.10.105:41000"),
            (514, .udp, "icmp destination-unreachable admin-prohibited", "10.254.10.252 -> 10.254.10.105"),
        ]
        for (port, proto, kind, seen) in cases {
            let t = sim.simulate(scenario(port, proto))
            guard case .dropped(_, _, _, true) = t.request.outcome else { XCTFail("\(port): \(t.request.outcome)"); continue }
            XCTAssertNil(t.reply)
            let a = try XCTUnwrap(t.answer, "\(port)")
            XCTAssertEqual(a.kind, kind, "\(port)")
            guard case .delivered(.external(let to, "ens192"), let state) = a.trace.outcome else { XCTFail("\(port): \(a.trace.outcome)"); continue }
            XCTAssertEqual(to, IPAddress("10.254.10.105"))
            XCTAssertEqual(state.flowText, seen, "\(port)")
            XCTAssertEqual(relatedRules(a.trace), 2, "\(port): output and postrouting see ct state related")
            XCTAssertTrue(a.reachedClient)
        }
        // The 8080 reset starts from the container's address (the rejected packet's destination).
        let proxy = try XCTUnwrap(sim.simulate(scenario(8080, .tcp)).answer)
        XCTAssertEqual(proxy.trace.initial.saddr, IPAddress("172.20.0.2"))
        XCTAssertEqual(proxy.refusal, "refused (TCP RST)")
    }

    func testAnAnswerDroppedInOutputLeavesTheClientWaiting() throws {
        let sim = try simulator(adding: fixture("reject-answers.nft") + fixture("reject-answers-dropped.nft"))
        for (port, proto) in [(5432, L4Proto.tcp), (514, .udp)] as [(UInt16, L4Proto)] {
            let a = try XCTUnwrap(sim.simulate(scenario(port, proto)).answer)
            guard case .dropped(let chain, _, _, _) = a.trace.outcome else { XCTFail("\(port): \(a.trace.outcome)"); continue }
            XCTAssertEqual(chain.description, "ip answers_dropped output")
            XCTAssertFalse(a.reachedClient)
        }
    }

    /// A rule can read the answer's ICMP header: dropping only admin-prohibited errors in output
    /// drops 514/udp's answer and lets 5433/udp's port-unreachable through; `icmp type` does not
    /// match the TCP reset, nor `icmpv6 type` an ICMP error (each needs its own protocol).
    func testRulesReadTheAnswersICMPTypeAndCode() throws {
        let watch = """
            table inet icmp_watch {
            \tchain output {
            \t\ttype filter hook output priority filter - 5; policy accept;
            \t\ticmpv6 type destination-unreachable counter
            \t\ticmp type destination-unreachable icmp code admin-prohibited drop
            \t}
            }

            """
        let sim = try simulator(adding: fixture("reject-answers.nft") + watch)
        let refused = try XCTUnwrap(sim.simulate(scenario(5433, .udp)).answer)
        XCTAssertTrue(refused.reachedClient, "\(refused.trace.outcome)")
        let dropped = try XCTUnwrap(sim.simulate(scenario(514, .udp)).answer)
        guard case .dropped(let chain, _, _, _) = dropped.trace.outcome else { return XCTFail("\(dropped.trace.outcome)") }
        XCTAssertEqual(chain.description, "inet icmp_watch output")
        let reset = try XCTUnwrap(sim.simulate(scenario(5432, .tcp)).answer)
        XCTAssertTrue(reset.reachedClient)
        for a in [refused, reset] {
            XCTAssertFalse(a.trace.events.contains { if case .rule(_, _, let text, _) = $0.kind { text.hasPrefix("icmpv6") } else { false } },
                           "icmpv6 type matched an IPv4 answer")
            XCTAssertFalse(a.trace.events.contains { if case .notModelled = $0.kind { true } else { false } }, "\(a.trace.events)")
        }
    }

    /// A plain drop has no answer; `reject with tcp reset` on UDP sends nothing (nf_send_reset is
    /// for TCP only); `icmpx` maps per family.
    func testNoAnswerAndMappedCodes() throws {
        let sim = try simulator(adding: """
            table inet t {
              chain input {
                type filter hook input priority filter - 1; policy accept;
                udp dport 6000 reject with tcp reset
                tcp dport 6001 drop
                tcp dport 6002 reject with icmpx no-route
                tcp dport 6003 reject with icmp host-prohibited
              }
            }
            """)
        XCTAssertNil(sim.simulate(scenario(6000, .udp)).answer)
        XCTAssertNil(sim.simulate(scenario(6001, .tcp)).answer)
        XCTAssertEqual(sim.simulate(scenario(6002, .tcp)).answer?.kind, "icmp destination-unreachable net-unreachable")
        XCTAssertEqual(sim.simulate(scenario(6003, .tcp)).answer?.kind, "icmp destination-unreachable host-prohibited")
    }

    /// iptables' REJECT without `--reject-with` answers with ICMP port-unreachable.
    func testIptablesRejectDefault() throws {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-d")
        snap.ruleset.tables += try IptablesSave.parse("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 6100 -j REJECT\nCOMMIT\n",
                                                      file: "t", family: .ip).tables
        let t = Simulator(snapshot: snap).simulate(scenario(6100, .tcp))
        XCTAssertEqual(t.answer?.kind, "icmp destination-unreachable port-unreachable")
    }
}
