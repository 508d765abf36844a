import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// An `--internal` network (Docker 29 nftables backend, the rules moby writes for it replayed onto
/// docker-d by scripts/compose-internal-network.sh): its containers have no gateway, so egress
/// fails in the container; the catalog documents the questions such a network answers, with
/// no published port to hang them on; and the rules decide the rest (verified in the lab by
/// VerifyInternalNetworkTests).
final class InternalNetworkTests: XCTestCase {
    static let bridge = "br-d89c083e1057"

    func snapshot() throws -> Snapshot {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-d")
        let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HookwalkLabTests/Fixtures/d-internal.nft").path
        snap.ruleset = try NftText.parse(String(contentsOfFile: rules, encoding: .utf8), file: rules)
        let subnet = try XCTUnwrap(IPPrefix("172.18.0.0/16"))
        snap.host.interfaces.append(Interface(index: 90, name: Self.bridge, kind: "bridge",
                                              addresses: [InterfaceAddress(prefix: IPPrefix(IPAddress("172.18.0.1")!, 16))]))
        snap.host.routes.append(Route(destination: subnet, device: Self.bridge, preferredSource: IPAddress("172.18.0.1")))
        snap.host.routes.append(Route(table: "local", type: .local, destination: IPPrefix(IPAddress("172.18.0.1")!, 32),
                                      device: Self.bridge, preferredSource: IPAddress("172.18.0.1")))
        snap.host.docker.networks.append(DockerNetwork(id: "d89c083e1057", name: "backend", bridge: Self.bridge, subnets: [subnet],
                                                       gateways: [IPAddress("172.18.0.1")!], isInternal: true))
        for (i, (name, address)) in [("db", "172.18.0.2"), ("worker", "172.18.0.3")].enumerated() {
            snap.host.interfaces.append(Interface(index: 91 + i, name: "veth" + name, master: Self.bridge))
            // No gateway: the bridge driver sets none on an internal network's endpoint.
            snap.host.docker.containers.append(DockerContainer(
                id: name, name: name, networkMode: "backend",
                endpoints: [ContainerEndpoint(network: "backend", ipv4: IPAddress(address), ipv4PrefixLength: 16)]))
        }
        return snap
    }

    func testCatalogDocumentsTheInternalNetwork() throws {
        let docs = ScenarioCatalog.scenarios(for: try snapshot(), clients: [IPAddress("10.254.10.105")!])
        let direct = try XCTUnwrap(docs.first { $0.kind == .direct && $0.network == "backend" })
        XCTAssertEqual(direct.scenario.to, IPAddress("172.18.0.2"))
        let into = try XCTUnwrap(docs.first { $0.kind == .crossNetwork && $0.network == "infranet" && $0.scenario.to == IPAddress("172.18.0.2") })
        XCTAssertEqual(into.scenario.from, .container("client1"))
        // Out of it: the host's address on its own subnet, the only one it has a route to.
        let out = try XCTUnwrap(docs.first { $0.kind == .crossNetwork && $0.network == "backend" })
        XCTAssertEqual(out.scenario.to, IPAddress("172.18.0.1"))
        XCTAssertNotNil(docs.first { $0.kind == .icc && $0.network == "backend" })
        XCTAssertNotNil(docs.first { $0.kind == .egress && $0.network == "backend" })
    }

    func testNoGatewayNoEgress() throws {
        let s = Scenario(from: .container("db"), to: IPAddress("10.254.10.105")!, port: 443, proto: .tcp)
        let t = Simulator(snapshot: try snapshot()).simulate(s)
        guard case .unroutable(let why) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(why.contains("no gateway"), why)
        XCTAssertTrue(t.request.events.isEmpty, "nothing leaves the container")
    }

    /// The IPv6 side: Docker's bridge driver (Join) sets no gateway of either family on an
    /// internal network's endpoint, so the network's IPv6 gateway address (its bridge's) is not
    /// the container's next hop: IPv6 egress fails in the container as IPv4 egress does. The lab
    /// agrees (VerifyInternalNetworkTests.testInternalNetworkIPv6: the kernel sees no packet).
    func testNoIPv6GatewayNoIPv6Egress() throws {
        var snap = try snapshot()
        let subnet6 = try XCTUnwrap(IPPrefix("fd00:18::/64"))
        let i = try XCTUnwrap(snap.host.interfaces.firstIndex { $0.name == Self.bridge })
        snap.host.interfaces[i].addresses.append(InterfaceAddress(prefix: IPPrefix(IPAddress("fd00:18::1")!, 64)))
        let n = try XCTUnwrap(snap.host.docker.networks.firstIndex { $0.name == "backend" })
        snap.host.docker.networks[n].subnets.append(subnet6)
        snap.host.docker.networks[n].gateways.append(IPAddress("fd00:18::1")!)
        snap.host.docker.networks[n].enableIPv6 = true
        for (name, v6) in [("db", "fd00:18::2"), ("worker", "fd00:18::3")] {
            let c = try XCTUnwrap(snap.host.docker.containers.firstIndex { $0.name == name })
            snap.host.docker.containers[c].endpoints[0].ipv6 = IPAddress(v6)
        }
        let sim = Simulator(snapshot: snap)
        let out = sim.simulate(Scenario(from: .container("db"), to: IPAddress("2001:db8:1::105")!, port: 443, proto: .tcp))
        guard case .unroutable(let why) = out.request.outcome else { return XCTFail("\(out.request.outcome)") }
        XCTAssertTrue(why.contains("no gateway"), why)
        XCTAssertTrue(out.request.events.isEmpty, "nothing leaves the container")
        // Its own subnet is on-link: the frame to worker is sent (and bridged).
        let icc = sim.simulate(Scenario(from: .container("db"), to: IPAddress("fd00:18::3")!, port: 80, proto: .tcp))
        XCTAssertFalse(icc.request.events.isEmpty, "\(icc.request.outcome)")
        if case .unroutable(let why) = icc.request.outcome { XCTFail("on-link IPv6 is routable: \(why)") }
    }

    func testRulesDecide() throws {
        let snap = try snapshot()
        let sim = Simulator(snapshot: snap)
        let docs = ScenarioCatalog.scenarios(for: snap, clients: [IPAddress("10.254.10.105")!])
        func outcome(_ kind: ScenarioKind, _ network: String) throws -> Outcome {
            sim.simulate(try XCTUnwrap(docs.first { $0.kind == kind && $0.network == network }).scenario).request.outcome
        }
        guard case .dropped(let chain, _, let text, _) = try outcome(.direct, "backend") else { return XCTFail("direct") }
        XCTAssertEqual(chain.chain, "filter-forward-in__\(Self.bridge)")
        XCTAssertTrue(text.contains("INTERNAL NETWORK INGRESS"), text)
        guard case .delivered(.container("worker"), _) = try outcome(.icc, "backend") else { return XCTFail("icc") }
        // Docker 29's nftables backend: the published port's accept in docker1's in-chain ends the
        // forward hook before the internal network's out-chain (INTERNAL NETWORK EGRESS) runs.
        guard case .delivered(.container("dhcp"), _) = try outcome(.crossNetwork, "backend") else { return XCTFail("cross-network") }
    }
}
