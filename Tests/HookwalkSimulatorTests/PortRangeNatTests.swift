import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// A dnat to a port range, as the kernel's nf_nat does it (checked in a lab netns with real tcp
/// and udp packets, rules loaded by nft and by iptables-nft): a destination port inside the range
/// is kept, one outside goes to the range's first port; ports are never shifted. On the
/// KernelFactsTests topology (container a is 172.20.0.2 behind docker1).
final class PortRangeNatTests: XCTestCase {
    static let forward = """
        table ip filter {
            chain FORWARD { type filter hook forward priority filter; policy drop;
                oifname "docker1" ct state established,related accept
                iifname != "docker1" oifname "docker1" ip daddr 172.20.0.2 accept
                iifname "docker1" oifname != "docker1" accept
            }
        }
        """

    static func rules(_ dnat: String) -> String {
        """
        table ip nat {
            chain PREROUTING { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump DOCKER }
            chain DOCKER {
        \(dnat)
            }
        }
        """ + forward
    }

    static let ranges = rules("""
                tcp dport 8000-8002 dnat to 172.20.0.2:8000-8002
                udp dport 9000-9001 dnat to 172.20.0.2:5000-5001
        """)

    /// Where the request arrived (address and port), and the trace's notes.
    func deliver(_ sim: Simulator, port: UInt16, proto: L4Proto = .tcp) throws -> (String, [String]) {
        let t = sim.simulate(Scenario(from: .external(address: KernelFactsTests.client, interface: nil), to: KernelFactsTests.hostAddr,
                                      port: port, proto: proto, sport: 40000))
        guard case .delivered(_, let seen) = t.request.outcome else {
            XCTFail("\(port)/\(proto.rawValue): \(t.request.outcome)")
            return ("", [])
        }
        let notes = t.request.events.compactMap { e -> String? in if case .note(let n) = e.kind { return n.description } else { return nil } }
        return ("\(seen.daddr):\(seen.dport.map(String.init) ?? "-")", notes)
    }

    func testInsideTheRangeThePortIsKept() throws {
        let sim = try KernelFactsTests.sim(Self.ranges)
        for p: UInt16 in [8000, 8001, 8002] {
            let (to, notes) = try deliver(sim, port: p)
            XCTAssertEqual(to, "172.20.0.2:\(p)")
            XCTAssertTrue(notes.contains { $0.contains("destination port \(p) lies inside it") }, "\(notes)")
        }
    }

    func testOutsideTheRangeEveryPortGoesToTheFirst() throws {
        let sim = try KernelFactsTests.sim(Self.ranges)
        for p: UInt16 in [9000, 9001] {
            let (to, notes) = try deliver(sim, port: p, proto: .udp)
            XCTAssertEqual(to, "172.20.0.2:5000", "\(p) is not shifted to \(p - 4000)")
            XCTAssertTrue(notes.contains { $0.contains("lies outside it") && $0.contains("5000") }, "\(notes)")
        }
    }

    /// `iptables -j DNAT --to-destination IP:P-Q` (no /BASE) is the same nf_nat range.
    func testIptablesSaveRangeIsTheSame() throws {
        let save = """
            *nat
            :PREROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m multiport --dports 8000:8002 -j DNAT --to-destination 172.20.0.2:8000-8002
            -A PREROUTING -p udp -m udp --dport 9000:9001 -j DNAT --to-destination 172.20.0.2:5000-5001
            COMMIT

            """
        var rs = try IptablesSave.parse(save, file: "r", family: .ip)
        rs.tables += try NftText.parse(Self.forward, file: "f").tables
        let sim = Simulator(snapshot: Snapshot(ruleset: rs, host: KernelFactsTests.host(), rulesetFile: "r", path: "."))
        XCTAssertEqual(try deliver(sim, port: 8001).0, "172.20.0.2:8001")
        XCTAssertEqual(try deliver(sim, port: 9001, proto: .udp).0, "172.20.0.2:5000")
    }

    /// A single port (Docker's form) and a one-port range need no choice and say nothing.
    func testSinglePortsAddNoNote() throws {
        let sim = try KernelFactsTests.sim(Self.rules("""
                    tcp dport 8001 dnat to 172.20.0.2:8001
                    tcp dport 9001 dnat to 172.20.0.2:5001-5001
            """))
        let (to, notes) = try deliver(sim, port: 8001)
        XCTAssertEqual(to, "172.20.0.2:8001")
        XCTAssertEqual(try deliver(sim, port: 9001).0, "172.20.0.2:5001")
        XCTAssertFalse(notes.contains { $0.contains("port range") }, "\(notes)")
    }

    /// With `random` the kernel draws the port, so the simulator says what it assumed.
    func testRandomIsNotModelled() throws {
        let sim = try KernelFactsTests.sim(Self.rules("            tcp dport 8000-8002 dnat to 172.20.0.2:8000-8002 random"))
        let t = sim.simulate(Scenario(from: .external(address: KernelFactsTests.client, interface: nil), to: KernelFactsTests.hostAddr,
                                      port: 8001, proto: .tcp, sport: 40000))
        let said = t.request.events.compactMap { e -> (String, String)? in
            if case .notModelled(_, _, let text, let assumption) = e.kind { return (text.description, assumption) } else { return nil }
        }
        XCTAssertEqual(said.map(\.0), ["dnat to the port range 8000-8002 with random: the kernel picks a random port of the range"])
        XCTAssertEqual(said.map(\.1), ["the first port of the range, 8000"])
        guard case .delivered(_, let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(seen.dport, 8000)
    }
}

/// The documentation of ports published as a range: one scenario per port, except for a run
/// longer than `ScenarioCatalog.widestDocumentedRun`, documented by its first port.
final class PortRangeCatalogTests: XCTestCase {
    func published(_ ports: [PortBinding]) -> [DocScenario] {
        var host = KernelFactsTests.host()
        host.docker.containers[0].ports = ports
        let snapshot = Snapshot(ruleset: Ruleset(), host: host, rulesetFile: "none", path: ".")
        return ScenarioCatalog.scenarios(for: snapshot, clients: [KernelFactsTests.client]).filter { $0.kind == .publishedPort }
    }

    static func run(_ hostPorts: ClosedRange<Int>, to first: Int, _ proto: String = "tcp", hostIP: String = "0.0.0.0") -> [PortBinding] {
        hostPorts.map { PortBinding(containerPort: first + $0 - hostPorts.lowerBound, proto: proto, hostIP: hostIP, hostPort: $0) }
    }

    func testShortRangesGetAPagePerPort() throws {
        let docs = published(Self.run(9000...9002, to: 5000, "udp") + Self.run(8000...8015, to: 8000))
        XCTAssertEqual(docs.map(\.scenario.port), Array(8000...8015) + [9000, 9001, 9002])
        XCTAssertFalse(docs.contains { $0.title.contains("first of") })
    }

    func testALongRunIsDocumentedByItsFirstPort() throws {
        // 1000 ports one to one, then 17 shifted ones, then a udp port inside the tcp run.
        let docs = published(Self.run(8000...8999, to: 8000) + Self.run(20000...20016, to: 30000) + [
            PortBinding(containerPort: 53, proto: "udp", hostIP: "0.0.0.0", hostPort: 8500)])
        XCTAssertEqual(docs.map(\.scenario.port), [8000, 8500, 20000])
        XCTAssertEqual(docs.map(\.title), [
            "a 8000/tcp from 10.254.10.105 (first of 1000 ports 8000-8999/tcp, published to 8000-8999)",
            "a 8500/udp from 10.254.10.105",
            "a 20000/tcp from 10.254.10.105 (first of 17 ports 20000-20016/tcp, published to 30000-30016)",
        ])
    }

    /// A gap, a change of shift or another host address ends a run: 20 ports, 20 pages each time.
    func testRunsAreOneToOneOnOneAddress() throws {
        XCTAssertEqual(published(Self.run(8000...8009, to: 8000) + Self.run(8011...8020, to: 8011)).count, 20, "gap")
        XCTAssertEqual(published(Self.run(8000...8009, to: 8000) + Self.run(8010...8019, to: 9010)).count, 20, "shift")
        XCTAssertEqual(published(Self.run(8000...8009, to: 8000) + Self.run(8010...8019, to: 8010, hostIP: "10.254.10.252")).count, 20, "address")
        XCTAssertEqual(published(Self.run(8000...8019, to: 8000)).count, 1, "one run")
    }
}

/// Source NAT to a port range: `nf_nat_l4proto_unique_tuple` keeps a source port inside the range
/// (as for a destination) but draws a random offset for one outside it, and `random` /
/// `fully-random` randomise any port: the simulation keeps going, saying what it cannot know.
/// Lab kernel (6.18), `oifname "va" meta l4proto udp masquerade to :40000-50000` on a veth pair:
/// sent from 41000, seen from 41000; from 30000, seen from 43500, then 43453 on a second run; from
/// 30001, 48278 then 43555.
final class SourcePortRangeTests: XCTestCase {
    /// Container a (172.20.0.2) calling the outside from source port `sport`, masqueraded by `stmt`.
    func egress(_ stmt: String, sport: UInt16) throws -> (port: UInt16?, notModelled: [String]) {
        let rules = """
            table ip nat {
                chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept;
                    oifname "ens192" ip saddr 172.20.0.0/24 \(stmt)
                }
            }
            table ip filter { chain FORWARD { type filter hook forward priority filter; policy accept; } }
            """
        let t = try KernelFactsTests.sim(rules).simulate(
            Scenario(from: .container("a"), to: KernelFactsTests.client, port: 443, proto: .tcp, sport: sport))
        guard case .delivered(_, let seen) = t.request.outcome else {
            XCTFail("\(t.request.outcome)")
            return (nil, [])
        }
        let unknown = t.request.events.compactMap { e -> String? in
            if case .notModelled(_, _, let text, _) = e.kind { return text.description } else { return nil }
        }
        return (seen.sport, unknown)
    }

    func testPortInsideTheRangeIsKept() throws {
        let r = try egress("masquerade to :40000-50000", sport: 41000)
        XCTAssertEqual(r.port, 41000)
        XCTAssertEqual(r.notModelled, [])
    }

    func testPortOutsideTheRangeIsRandom() throws {
        let r = try egress("masquerade to :40000-50000", sport: 30000)
        XCTAssertEqual(r.port, 40000, "the assumption the step states")
        XCTAssertEqual(r.notModelled.count, 1)
        XCTAssertTrue(r.notModelled.first?.contains("random port of the range") ?? false, "\(r.notModelled)")
    }

    func testFullyRandomIsSaid() throws {
        let r = try egress("masquerade fully-random", sport: 41000)
        XCTAssertEqual(r.port, 41000)
        XCTAssertTrue(r.notModelled.first?.contains("fully-random") ?? false, "\(r.notModelled)")
    }
}
