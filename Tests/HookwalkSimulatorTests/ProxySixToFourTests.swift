import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// docker-proxy's 6-to-4 mapping: with userland-proxy on, a host with IPv6 and an IPv4-only
/// container, Docker publishes a port on `0.0.0.0` and `::`, and the `::` binding's docker-proxy
/// connects to the container's IPv4 address; Docker writes no netfilter rule for that binding
/// (moby 27.x `port_mapping_linux.go addPortMappings` / `setPerPortIptables`).
final class ProxySixToFourTests: XCTestCase {
    static let host6 = IPAddress("2001:db8:1::252")!
    static let client6 = IPAddress("2001:db8:1::105")!

    /// docker-c with its proxy-true ruleset (ip6 nat PREROUTING jumps to an empty DOCKER chain),
    /// an IPv6 address on ens192, and the published ports as Docker lists them on such a host.
    func snapshot(withV6Bindings: Bool = true) throws -> Snapshot {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        let text = try String(contentsOfFile: try Fixtures.path("docker-eras/variants/c-proxy-true.nft"), encoding: .utf8)
        snap.ruleset = try NftText.parse(text, file: "c-proxy-true.nft")
        snap.host.docker.userlandProxy = true
        let i = try XCTUnwrap(snap.host.interfaces.firstIndex { $0.name == "ens192" })
        snap.host.interfaces[i].addresses.append(InterfaceAddress(prefix: IPPrefix(Self.host6, 64)))
        if withV6Bindings {
            for c in snap.host.docker.containers.indices {
                let ports = snap.host.docker.containers[c].ports
                snap.host.docker.containers[c].ports += ports.filter { $0.hostIP == "0.0.0.0" }.map {
                    PortBinding(containerPort: $0.containerPort, proto: $0.proto, hostIP: "::", hostPort: $0.hostPort)
                }
            }
        }
        return snap
    }

    static func isNat(_ e: TraceEvent) -> Bool {
        if case .nat = e.kind { return true }
        return false
    }

    static func note(_ e: TraceEvent) -> String? {
        if case .note(let n) = e.kind { return n.description }
        return nil
    }

    func external6(_ port: UInt16, _ proto: L4Proto) -> Scenario {
        Scenario(from: .external(address: Self.client6, interface: nil), to: Self.host6, port: port, proto: proto, sport: 40500)
    }

    func testIPv6ClientIsProxiedToTheContainersIPv4Address() throws {
        let t = Simulator(snapshot: try snapshot()).simulate(external6(8080, .tcp))
        // No ip6 rule rewrites it: ip6 nat's DOCKER chain is empty, and the packet ends at the host.
        guard case .delivered(.host, let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(seen.daddr, Self.host6)
        XCTAssertFalse(t.request.events.contains(where: Self.isNat))
        XCTAssertTrue(t.request.events.contains { Self.note($0)?.contains("bridges IPv6 to IPv4") ?? false })

        let leg = try XCTUnwrap(t.proxyLeg.first)
        XCTAssertEqual(leg.scenario.to, IPAddress("172.20.0.2"), "the container's IPv4 address")
        XCTAssertEqual(leg.scenario.port, 8080)
        guard case .delivered(.container("proxy"), let atContainer) = leg.request.outcome else { return XCTFail("\(leg.request.outcome)") }
        XCTAssertEqual(atContainer.saddr, IPAddress("172.20.0.1"), "the proxy connects from the bridge's address")
        XCTAssertTrue(leg.reply?.outcome.isDelivered ?? false, "the container answers the proxy")

        // The client's reply comes from docker-proxy's IPv6 socket, back on the client's own connection.
        guard case .delivered(.external, let back)? = t.reply?.outcome else { return XCTFail("\(String(describing: t.reply?.outcome))") }
        XCTAssertEqual(back.saddr, Self.host6)
        XCTAssertEqual(back.daddr, Self.client6)
    }

    func testUDPIsProxiedToo() throws {
        let t = Simulator(snapshot: try snapshot()).simulate(external6(1812, .udp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(t.proxyLeg.first?.scenario.to, IPAddress("172.20.0.4"))
        XCTAssertEqual(t.proxyLeg.first?.scenario.port, 1812)
    }

    /// Without the `::` binding (a host where Docker made none) nothing listens on IPv6: the
    /// `0.0.0.0` proxy's socket does not receive IPv6, so there is no second leg.
    func testNoIPv6BindingNoProxy() throws {
        let t = Simulator(snapshot: try snapshot(withV6Bindings: false)).simulate(external6(8080, .tcp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(t.proxyLeg.isEmpty)
    }

    /// A container with an IPv6 address on the network gets the `::` binding's traffic over IPv6
    /// (no 6-to-4), the `0.0.0.0` one's over IPv4.
    func testDualStackContainerIsReachedOverItsOwnFamily() {
        let v4 = IPAddress("172.20.0.2")!, v6 = IPAddress("fd00:20::2")!
        let c = DockerContainer(id: "x", name: "proxy", networkMode: "infranet",
                                endpoints: [ContainerEndpoint(network: "infranet", ipv4: v4, ipv4PrefixLength: 24, ipv6: v6)],
                                ports: [PortBinding(containerPort: 80, proto: "tcp", hostIP: "0.0.0.0", hostPort: 8080),
                                        PortBinding(containerPort: 80, proto: "tcp", hostIP: "::", hostPort: 8080)])
        var docker = DockerState(containers: [c], userlandProxy: true)
        XCTAssertEqual(docker.userlandProxy(receiving: Self.host6, port: 8080, proto: "tcp")?.backend, v6)
        XCTAssertEqual(docker.userlandProxy(receiving: IPAddress("10.254.10.252")!, port: 8080, proto: "tcp")?.backend, v4)
        XCTAssertEqual(docker.userlandProxies.filter(\.isSixToFour), [])
        docker.containers[0].endpoints[0].ipv6 = nil
        XCTAssertEqual(docker.userlandProxy(receiving: Self.host6, port: 8080, proto: "tcp")?.backend, v4)
        XCTAssertEqual(docker.userlandProxies.filter(\.isSixToFour).map(\.binding.hostIP), ["::"])
        docker.userlandProxy = false
        XCTAssertNil(docker.userlandProxy(receiving: Self.host6, port: 8080, proto: "tcp"))
    }

    /// The catalog documents the `::` binding for an IPv6 client on the uplink's IPv6 address, and
    /// the `0.0.0.0` one for the IPv4 client only; the simulated IPv6 page has the 6-to-4 leg.
    func testCatalogPublishesTheIPv6BindingToTheIPv6Client() throws {
        let snap = try snapshot()
        let docs = ScenarioCatalog.scenarios(for: snap, clients: [IPAddress("10.254.10.105")!, Self.client6])
            .filter { $0.kind == .publishedPort && $0.container == "proxy" }
        XCTAssertEqual(docs.map(\.id).sorted(), ["proxy-tcp-8080-from-10.254.10.105", "proxy-tcp-8080-from-2001_db8_1__105"])
        let v6 = try XCTUnwrap(docs.first { !$0.scenario.to.isV4 })
        XCTAssertEqual(v6.scenario.to, Self.host6)
        let t = Simulator(snapshot: snap).simulate(v6.scenario)
        XCTAssertEqual(t.proxyLeg.first?.scenario.to, IPAddress("172.20.0.2"))
    }

    /// Conntrack is registered per family only when the ruleset uses it: Docker 28's ip6 nat
    /// PREROUTING (`jump DOCKER` only) is passed over while nothing in the ip6 tables needs
    /// conntrack, and consulted once an inet table matches `ct state` (kernel: the nat hook returns
    /// before its chains for a packet without a connection; reproduced in the lab, see
    /// VerifyProxySixToFourTests).
    func testNatChainsOfAnUntrackedFamilyAreNotConsulted() throws {
        func natChains(_ snap: Snapshot) -> [String] {
            Simulator(snapshot: snap).simulate(external6(8080, .tcp)).request.events.compactMap { e in
                if case .chain(let r, _) = e.kind, r.type == .nat { return r.chain.description }
                return nil
            }
        }
        var snap = try snapshot()
        XCTAssertEqual(natChains(snap), [])
        snap.ruleset.tables += try NftText.parse("""
            table inet fw {
                chain input { type filter hook input priority 0; policy accept; ct state established accept; }
            }
            """, file: "fw.nft").tables
        XCTAssertEqual(natChains(snap), ["ip6 nat PREROUTING"])
    }
}
