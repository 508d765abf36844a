import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// A container on the default bridge calling a port published on the other network through the
/// host's address: DNATed in every era, then dropped by DOCKER-ISOLATION-STAGE-2 in the iptables
/// eras (20.10-28), accepted by Docker 29's nftables backend, which has no isolation chains
/// (FINDINGS.md, behaviour 4).
final class CrossNetworkTests: XCTestCase {
    func snapshot(_ era: String) throws -> Snapshot {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-\(era)")
        snap.host.interfaces.append(Interface(index: 99, name: "vethweb0", master: "docker0"))
        let bridgeNetwork = try XCTUnwrap(snap.host.docker.networks.first { $0.bridge == "docker0" })
        snap.host.docker.containers.append(DockerContainer(
            id: "w", name: "web0", networkMode: bridgeNetwork.name,
            endpoints: [ContainerEndpoint(network: bridgeNetwork.name, ipv4: IPAddress("172.17.0.2"), ipv4PrefixLength: 16,
                                          gateway: IPAddress("172.17.0.1"))]))
        return snap
    }

    func crossNetwork(_ era: String) throws -> Trace {
        let snap = try snapshot(era)
        let doc = try XCTUnwrap(ScenarioCatalog.scenarios(for: snap, clients: [IPAddress("10.254.10.105")!])
            .first { $0.kind == .crossNetwork && $0.container == "web0" })
        return Simulator(snapshot: snap).simulate(doc.scenario)
    }

    func testIptablesErasIsolateNetworks() throws {
        for era in ["a", "b", "c"] {
            let t = try crossNetwork(era)
            guard case .dropped(let chain, _, _, _) = t.request.outcome else { return XCTFail("\(era): \(t.request.outcome)") }
            XCTAssertEqual(chain.chain, "DOCKER-ISOLATION-STAGE-2", era)
        }
    }

    func testDocker29NftablesDoesNot() throws {
        let t = try crossNetwork("d")
        guard case .delivered(.container, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
    }
}

/// A port published on 127.0.0.1 serves the host only: no scenario from outside, a host-local one
/// to the loopback address, which reaches the container only when route_localnet allows the
/// DNATed packet onto the bridge.
final class LoopbackBindingTests: XCTestCase {
    func snapshot(routeLocalnet: String?) throws -> Snapshot {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        let i = try XCTUnwrap(snap.host.docker.containers.firstIndex { $0.name == "proxy" })
        snap.host.docker.containers[i].ports = [PortBinding(containerPort: 8080, proto: "tcp", hostIP: "127.0.0.1", hostPort: 8080)]
        if let routeLocalnet { snap.host.sysctls["net.ipv4.conf.docker1.route_localnet"] = routeLocalnet }
        return snap
    }

    func testCatalogHasOnlyTheHostLocalScenario() throws {
        let docs = ScenarioCatalog.scenarios(for: try snapshot(routeLocalnet: nil), clients: [IPAddress("10.254.10.105")!])
        let proxy = docs.filter { $0.container == "proxy" && $0.scenario.port == 8080 }
        XCTAssertEqual(proxy.map(\.kind), [.hostLocal])
        XCTAssertEqual(proxy.first?.scenario.to, IPAddress("127.0.0.1"))
    }

    func testRouteLocalnetDecides() throws {
        let s = Scenario(from: .host, to: IPAddress("127.0.0.1")!, port: 8080, proto: .tcp)
        let off = Simulator(snapshot: try snapshot(routeLocalnet: nil)).simulate(s)
        guard case .unroutable(let why) = off.request.outcome else { return XCTFail("\(off.request.outcome)") }
        XCTAssertTrue(why.contains("route_localnet"), why)
        let on = Simulator(snapshot: try snapshot(routeLocalnet: "1")).simulate(s)
        guard case .delivered(.container("proxy"), let seen) = on.request.outcome else { return XCTFail("\(on.request.outcome)") }
        XCTAssertEqual(seen.saddr, IPAddress("172.20.0.1"), "`oifname docker1 fib saddr type local masquerade` rewrites 127.0.0.1")
    }
}
