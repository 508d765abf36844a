import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Host firewalls next to Docker: every base chain of every table at a hook runs, so an accept in
/// Docker's table does not save a packet from another table's drop (FINDINGS.md, behaviour 7;
/// docs/kernel-facts.md, fact 1), and the trace says which table decided.
final class HostFirewallTests: XCTestCase {
    func simulator(_ base: String, adding extra: String, first: Bool = false) throws -> Simulator {
        var snap = try Fixtures.snapshot(base)
        let more = try NftText.parse(extra, file: "extra.nft")
        snap.ruleset.tables = first ? more.tables + snap.ruleset.tables : snap.ruleset.tables + more.tables
        return Simulator(snapshot: snap)
    }

    static let client = Endpoint.external(address: IPAddress("10.254.10.105")!, interface: nil)
    static let leftover = "table ip filter { chain FORWARD { type filter hook forward priority filter; policy drop; } }"

    func forwardChains(_ t: Trace) -> [String] {
        t.request.events.compactMap { e in
            if case .chain(let r, _) = e.kind, r.hook == .forward { return r.chain.description }
            return nil
        }
    }

    /// Docker 29's nftables backend accepts in `ip docker-bridges`, but a policy drop left in
    /// `ip filter FORWARD` by the iptables era still drops the packet. Both chains have priority 0:
    /// the one registered later runs first (verified in the lab: VerifyNftablesHostFirewallTests).
    func testLeftoverIptablesForwardDropWinsOverDocker29() throws {
        let port = Scenario(from: Self.client, to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp)
        // The leftover table created before Docker's (listed first): docker-bridges accepts, then
        // the leftover's policy drops.
        let before = try simulator("docker-eras/snapshots/docker-d", adding: Self.leftover, first: true).simulate(port)
        XCTAssertEqual(forwardChains(before), ["ip docker-bridges filter-FORWARD", "ip filter FORWARD"])
        guard case .dropped(let chain, nil, _, _) = before.request.outcome else { return XCTFail("\(before.request.outcome)") }
        XCTAssertEqual(chain.description, "ip filter FORWARD")
        // Loaded after Docker's (listed last): it runs first and drops; docker-bridges never sees it.
        let after = try simulator("docker-eras/snapshots/docker-d", adding: Self.leftover).simulate(port)
        XCTAssertEqual(forwardChains(after), ["ip filter FORWARD"])
        guard case .dropped(let chain2, nil, _, _) = after.request.outcome else { return XCTFail("\(after.request.outcome)") }
        XCTAssertEqual(chain2.description, "ip filter FORWARD")
        let clean = try Fixtures.simulator("docker-eras/snapshots/docker-d").simulate(port)
        XCTAssertTrue(clean.request.outcome.isDelivered)
    }

    /// A hand-written `inet filter` input chain with policy drop guards the host's own services but
    /// not the published ports, which are forwarded.
    func testHandWrittenInputPolicyDrop() throws {
        let sim = try simulator("seed-centos8/snapshot", adding: """
            table inet filter {
                chain input { type filter hook input priority filter; policy drop;
                    ct state established,related accept
                    iif "lo" accept
                    tcp dport 22 accept
                }
            }
            """)
        let published = sim.simulate(Scenario(from: Self.client, to: IPAddress("10.254.10.252")!, port: 1812, proto: .udp))
        XCTAssertTrue(published.request.outcome.isDelivered)
        let ssh = sim.simulate(Scenario(from: Self.client, to: IPAddress("10.254.10.252")!, port: 22, proto: .tcp))
        guard case .delivered(.host, _) = ssh.request.outcome else { return XCTFail("\(ssh.request.outcome)") }
        let other = sim.simulate(Scenario(from: Self.client, to: IPAddress("10.254.10.252")!, port: 5432, proto: .tcp))
        guard case .dropped(let chain, nil, _, _) = other.request.outcome else { return XCTFail("\(other.request.outcome)") }
        XCTAssertEqual(chain.description, "inet filter input")
        // The host's own reply to a container (host-local) comes back through input: established.
        let local = sim.simulate(Scenario(from: .host, to: IPAddress("10.254.10.252")!, port: 1812, proto: .udp))
        XCTAssertTrue(local.reply?.outcome.isDelivered ?? false)
    }
}
