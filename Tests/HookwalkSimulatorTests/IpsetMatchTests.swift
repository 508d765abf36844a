import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// `-m set --match-set` against a set from `ipset-save.txt`: the simulator looks the packet's
/// address up in the set's members (networks of a hash:net set included).
final class IpsetMatchTests: XCTestCase {
    static let ipsets = """
        create trusted hash:net family inet hashsize 1024 maxelem 65536
        add trusted 10.254.10.0/25
        add trusted 192.0.2.9

        """

    func sim(_ rule: String) throws -> Simulator {
        let save = "*filter\n:INPUT DROP [0:0]\n-A INPUT \(rule) -j ACCEPT\nCOMMIT\n"
        let rs = try IptablesSave.parse(save, file: "iptables-save.txt", family: .ip,
                                        ipsets: try IpsetSave.parse(Self.ipsets, file: "ipset-save.txt"))
        return Simulator(snapshot: Snapshot(ruleset: rs, host: KernelFactsTests.host(), rulesetFile: "iptables-save.txt", path: "."))
    }

    /// "accepted" when the INPUT rule let the client's SYN in, "dropped" when the policy took it.
    func fate(_ sim: Simulator, from client: String) -> String {
        let t = sim.simulate(Scenario(from: .external(address: IPAddress(client)!, interface: nil), to: KernelFactsTests.hostAddr,
                                      port: 22, proto: .tcp, sport: 40000))
        switch t.request.outcome {
        case .dropped(let chain, let handle, _, _): return handle == nil && chain.chain == "INPUT" ? "dropped" : "dropped by a rule"
        case .delivered: return "accepted"
        default: return "\(t.request.outcome)"
        }
    }

    func testAnAddressInsideANetworkOfTheSetMatches() throws {
        let s = try sim("-m set --match-set trusted src")
        XCTAssertEqual(fate(s, from: "10.254.10.105"), "accepted")
        XCTAssertEqual(fate(s, from: "10.254.10.127"), "accepted")
        XCTAssertEqual(fate(s, from: "10.254.10.128"), "dropped")
        XCTAssertEqual(fate(s, from: "10.254.10.200"), "dropped")
    }

    func testNegationInverts() throws {
        let s = try sim("-m set ! --match-set trusted src")
        XCTAssertEqual(fate(s, from: "10.254.10.105"), "dropped")
        XCTAssertEqual(fate(s, from: "10.254.10.200"), "accepted")
    }

    func testDstLooksUpTheDestination() throws {
        // The host's address 10.254.10.252 is outside the set, whoever the client is.
        let s = try sim("-m set --match-set trusted dst")
        XCTAssertEqual(fate(s, from: "10.254.10.105"), "dropped")
    }

    func testAnUnknownSetIsNotModelled() throws {
        let s = try sim("-m set --match-set other src")
        let t = s.simulate(Scenario(from: .external(address: KernelFactsTests.client, interface: nil), to: KernelFactsTests.hostAddr,
                                    port: 22, proto: .tcp, sport: 40000))
        let texts = t.request.events.compactMap { e -> String? in
            if case .notModelled(_, _, let text, _) = e.kind { return text.description } else { return nil }
        }
        XCTAssertTrue(texts.contains { $0.contains("ipset-save.txt has no set 'other'") }, "\(texts)")
    }
}
