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
        var snap = try Fixtures.snapshot("fixtures/docker-eras/snapshots/docker-\(era)")
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
            .first { $0.kind == "cross-network" && $0.container == "web0" })
        return Simulator(snapshot: snap, ruleText: NftTextWriter.ruleText).simulate(doc.scenario)
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
