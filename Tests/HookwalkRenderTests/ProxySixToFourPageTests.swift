import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import XCTest

/// The page of an IPv6 client on a port that docker-proxy maps 6-to-4: docker-c with the
/// proxy-mode ruleset, IPv6 on ens192, IPv4-only containers, ports published on `0.0.0.0` and
/// `::`. The page must say that docker-proxy bridges the families, that no netfilter rule is
/// involved (ip6 nat is passed over: nothing tracks IPv6), and draw all four packets.
final class ProxySixToFourPageTests: XCTestCase {
    func render() throws -> [String: String] {
        var snap = try SnapshotLoader.load(path: try ExampleSite.fixture("docker-eras/snapshots/docker-c"))
        let file = try ExampleSite.fixture("docker-eras/variants/c-proxy-true.nft")
        snap.ruleset = try NftText.parse(try String(contentsOfFile: file, encoding: .utf8), file: "c-proxy-true.nft")
        snap.host.docker.userlandProxy = true
        let i = try XCTUnwrap(snap.host.interfaces.firstIndex { $0.name == "ens192" })
        snap.host.interfaces[i].addresses.append(InterfaceAddress(prefix: IPPrefix(IPAddress("2001:db8:1::252")!, 64)))
        for c in snap.host.docker.containers.indices {
            snap.host.docker.containers[c].ports += snap.host.docker.containers[c].ports.map {
                PortBinding(containerPort: $0.containerPort, proto: $0.proto, hostIP: "::", hostPort: $0.hostPort)
            }
        }
        let sim = Simulator(snapshot: snap)
        let s = Scenario(from: .external(address: IPAddress("2001:db8:1::105")!, interface: nil), to: IPAddress("2001:db8:1::252")!,
                         port: 8080, proto: .tcp, sport: 40600)
        let doc = ScenarioDoc(id: "six-to-four", title: "six-to-four", kind: .publishedPort, network: "infranet", container: "proxy",
                              trace: sim.simulate(s))
        let files = try ExampleSite.generator().render(snapshot: snap, scenarios: [doc], png: false)
        return files.mapValues { String(decoding: $0, as: UTF8.self) }
    }

    func testPageExplainsTheSixToFourProxy() throws {
        let files = try render()
        let page = try XCTUnwrap(files["scenarios/six-to-four.md"])
        XCTAssertTrue(page.contains("**Delivered via docker-proxy.**"), page)
        XCTAssertTrue(page.contains("docker-proxy bridges IPv6 to IPv4 here"), page)
        XCTAssertTrue(page.contains("gets no netfilter rule at all"), page)
        XCTAssertTrue(page.contains("It is an IPv4 connection although the client's is IPv6"), page)
        XCTAssertTrue(page.contains("The request reaches container `proxy` as 172.20.0.1:"), page)
        // ip6 nat PREROUTING exists but is passed over; the page must not claim there is no chain.
        XCTAssertTrue(page.contains("ip6 nat PREROUTING is attached to this hook but not consulted"), page)
        XCTAssertTrue(page.contains("No chain evaluates the packet at this hook"), page)
        XCTAssertTrue(page.contains("the kernel does not track connections of this family here"), page)
        for base in ["request", "reply", "proxy-request", "proxy-reply"] {
            XCTAssertNotNil(files["diagrams/six-to-four-\(base).svg"], base)
            XCTAssertTrue(page.contains("(../diagrams/six-to-four-\(base).svg)"), base)
        }
    }
}
