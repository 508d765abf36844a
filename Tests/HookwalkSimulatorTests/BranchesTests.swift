import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Load-balancing branch points (issue 13): the walk follows branch 0 (each `numgen ... mod N
/// [offset O]` gives `O + K % N` on branch K), says "one of N" with every target, and
/// `Simulator.branches` lists every branch.
final class BranchesTests: XCTestCase {
    static let client = Endpoint.external(address: IPAddress("10.254.10.105")!, interface: nil)
    static let scenario = Scenario(from: client, to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp)

    func simulator(nft text: String) throws -> Simulator {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        snap.ruleset = try NftText.parse(text, file: "t.nft")
        return Simulator(snapshot: snap)
    }

    func notes(_ t: Trace) -> [String] {
        points(t).map(\.description)
    }

    /// The branch points the request met, as their typed facts.
    func points(_ t: Trace) -> [BranchPoint] {
        t.request.events.compactMap { if case .note(.branchPoint(let p)) = $0.kind { p } else { nil } }
    }

    func rulesMatched(_ t: Trace) -> [String] {
        t.request.events.compactMap { if case .rule(let c, _, _, _) = $0.kind { c.chain } else { nil } }
    }

    static let vmap = """
        table ip lb {
            chain pre {
                type filter hook prerouting priority -150; policy accept;
                numgen random mod 2 vmap { 0 : jump backend_a, 1 : jump backend_b }
            }
            chain backend_a {
                meta mark set 0x00000001
            }
            chain backend_b {
                drop
            }
        }
        """

    func testVmapFollowsBranchZeroAndListsTheOther() throws {
        let sim = try simulator(nft: Self.vmap)
        let b = sim.branches(Self.scenario)
        XCTAssertEqual(b.count, 2)
        XCTAssertEqual(b.traces[0], sim.simulate(Self.scenario))
        XCTAssertEqual(b.traces[1], sim.simulate(Self.scenario, branch: 1))
        let n0 = try XCTUnwrap(notes(b.traces[0]).first)
        XCTAssertTrue(n0.hasPrefix("one of 2: 0 -> jump backend_a, 1 -> jump backend_b (numgen random mod 2 picks one per packet)"), n0)
        XCTAssertTrue(n0.contains("this walk follows branch 0, where it gives 0: it leads to jump backend_a"), n0)
        XCTAssertTrue(notes(b.traces[1]).first?.contains("follows branch 1, where it gives 1: it leads to jump backend_b") == true)
        let targets = [BranchTarget(key: "0", target: "jump backend_a"), BranchTarget(key: "1", target: "jump backend_b")]
        XCTAssertEqual(points(b.traces[1]), [BranchPoint(ways: 2, expression: "numgen random mod 2", branch: 1,
                                                         kind: .map(nat: nil, targets: targets, value: 1, chosen: 1))])
        XCTAssertEqual(rulesMatched(b.traces[0]), ["pre", "backend_a"])
        XCTAssertTrue(b.traces[0].request.outcome.isDelivered, "\(b.traces[0].request.outcome)")
        guard case .dropped(let chain, _, let text, false) = b.traces[1].request.outcome else { return XCTFail("\(b.traces[1].request.outcome)") }
        XCTAssertEqual(chain.chain, "backend_b")
        XCTAssertEqual(text, "drop")
        XCTAssertTrue(b.leadToDifferentPlaces)
        XCTAssertNotEqual(b.traces[0].destination, b.traces[1].destination)
    }

    func testDnatMapSpreadsOverBackends() throws {
        let sim = try simulator(nft: """
            table ip nat {
                chain PREROUTING {
                    type nat hook prerouting priority dstnat; policy accept;
                    tcp dport 8080 dnat to numgen inc mod 3 offset 1 map { 1 : 172.20.0.2, 2 : 172.20.0.3, 3 : 172.20.0.4 }
                }
            }
            """)
        let b = sim.branches(Self.scenario)
        XCTAssertEqual(b.count, 3)
        let targets = b.traces.map { t -> String? in
            guard case .delivered(_, let s) = t.request.outcome else { return nil }
            return s.daddr.description
        }
        XCTAssertEqual(targets, ["172.20.0.2", "172.20.0.3", "172.20.0.4"])
        XCTAssertTrue(notes(b.traces[2]).first?.hasPrefix("one of 3: 1 -> dnat to 172.20.0.2, 2 -> dnat to 172.20.0.3, 3 -> dnat to 172.20.0.4") == true,
                      "\(notes(b.traces[2]))")
        XCTAssertTrue(notes(b.traces[2]).first?.contains("where it gives 3: it leads to dnat to 172.20.0.4") == true, "\(notes(b.traces[2]))")
        guard case .map(.dnat, let elements, 3, 2)? = points(b.traces[2]).first?.kind else { return XCTFail("\(points(b.traces[2]))") }
        XCTAssertEqual(elements.map(\.target), ["172.20.0.2", "172.20.0.3", "172.20.0.4"])
        XCTAssertTrue(b.leadToDifferentPlaces)
    }

    /// kube-proxy's iptables shape: 1/3, then 1/2, then the rest; iptables' nth mode.
    static let kubeProxy = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :SVC - [0:0]
        :SEP1 - [0:0]
        :SEP2 - [0:0]
        :SEP3 - [0:0]
        -A PREROUTING -p tcp -m tcp --dport 8080 -j SVC
        -A SVC -m statistic --mode random --probability 0.33333333349 -j SEP1
        -A SVC -m statistic --mode random --probability 0.50000000000 -j SEP2
        -A SVC -j SEP3
        -A SEP1 -p tcp -j DNAT --to-destination 172.20.0.2:80
        -A SEP2 -p tcp -j DNAT --to-destination 172.20.0.3:80
        -A SEP3 -p tcp -j DNAT --to-destination 172.20.0.4:80
        COMMIT
        """

    func testIptablesStatisticRandomIsABranchPoint() throws {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        snap.ruleset = try IptablesSave.parse(Self.kubeProxy, file: "iptables-save.txt", family: .ip)
        let svc = try XCTUnwrap(snap.ruleset.tables.first { $0.name == "nat" }?.chain("SVC"))
        // As nft lists them (libxt_statistic's xlate): P * 2^31 against the low 31 bits of a draw.
        XCTAssertEqual(svc.rules.map(NftTextWriter.ruleText), ["meta random & 2147483647 < 715827883 counter packets 0 bytes 0 jump SEP1",
                                                               "meta random & 2147483647 < 1073741824 counter packets 0 bytes 0 jump SEP2",
                                                               "counter packets 0 bytes 0 jump SEP3"])
        let b = Simulator(snapshot: snap).branches(Self.scenario)
        // lcm(3, 2): every combination of the two draws.
        XCTAssertEqual(b.count, 6)
        let chains = b.traces.map { rulesMatched($0).last ?? "" }
        XCTAssertEqual(chains, ["SEP1", "SEP3", "SEP2", "SEP1", "SEP2", "SEP3"])
        for t in b.traces {
            XCTAssertFalse(t.request.events.contains { if case .notModelled = $0.kind { true } else { false } })
        }
        XCTAssertEqual(Set(b.traces.map(\.destination)).count, 3)
    }

    func testIptablesStatisticNth() throws {
        let rs = try IptablesSave.parse("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m statistic --mode nth --every 4 --packet 2 -j DROP\n"
                                        + "-A INPUT -m statistic --mode random --probability 0.3 -j DROP\n"
                                        + "-A INPUT -m statistic ! --mode nth --every 2 -j DROP\nCOMMIT\n", file: "s.txt", family: .ip)
        let rules = try XCTUnwrap(rs.tables.first?.chains.first?.rules).map(NftTextWriter.ruleText)
        XCTAssertEqual(rules[0], "numgen inc mod 4 2 counter packets 0 bytes 0 drop")
        XCTAssertEqual(rules[1], "meta random & 2147483647 < 644245094 counter packets 0 bytes 0 drop")
        // A negated statistic match stays not modelled, as written.
        XCTAssertTrue(rules[2].contains("statistic") && !rules[2].contains("numgen"), rules[2])
    }

    func testNoBranchPointIsOneBranch() throws {
        let sim = try simulator(nft: "table ip f {\n chain input {\n type filter hook input priority 0; policy accept;\n tcp dport 8080 accept\n }\n}\n")
        let b = sim.branches(Self.scenario)
        XCTAssertEqual(b.count, 1)
        XCTAssertFalse(b.leadToDifferentPlaces)
        XCTAssertEqual(notes(b.traces[0]), [])
    }

    func testCountIsCapped() throws {
        let sim = try simulator(nft: """
            table ip f {
                chain pre {
                    type filter hook prerouting priority 0; policy accept;
                    numgen random mod 7 3 counter
                    numgen random mod 11 3 counter
                    numgen random mod 13 3 counter
                }
            }
            """)
        XCTAssertEqual(sim.branches(Self.scenario).count, Branches.maxCount)
    }
}
