import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import XCTest

/// userland-proxy on the pages: the docker-c era host with the proxy-mode ruleset, where the host
/// calling 127.0.0.1 and a container calling the host's address on the same bridge are served by
/// docker-proxy (the simulator's second leg), while an external client is still DNATed.
final class ProxyPageTests: XCTestCase {
    static func proxySnapshot() throws -> Snapshot {
        var snap = try SnapshotLoader.load(path: try ExampleSite.fixture("docker-eras/snapshots/docker-c"))
        let file = try ExampleSite.fixture("docker-eras/variants/c-proxy-true.nft")
        snap.ruleset = try NftText.parse(try String(contentsOfFile: file, encoding: .utf8), file: "c-proxy-true.nft")
        snap.host.docker.userlandProxy = true
        return snap
    }

    static func docs(_ snap: Snapshot) -> [ScenarioDoc] {
        let sim = Simulator(snapshot: snap)
        func doc(_ id: String, _ kind: ScenarioKind, _ container: String, _ s: Scenario) -> ScenarioDoc {
            ScenarioDoc(id: id, title: id, kind: kind, network: "infranet", container: container, trace: sim.simulate(s))
        }
        return [
            doc("host-local-loopback", .hostLocal, "proxy",
                Scenario(from: .host, to: IPAddress("127.0.0.1")!, port: 8080, proto: .tcp, sport: 40100)),
            doc("hairpin-syslog", .hairpin, "syslog",
                Scenario(from: .container("syslog"), to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp, sport: 40200)),
            doc("external", .publishedPort, "proxy",
                Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil), to: IPAddress("10.254.10.252")!,
                         port: 8080, proto: .tcp, sport: 40300)),
        ]
    }

    func render() throws -> [String: String] {
        let snap = try Self.proxySnapshot()
        let files = try ExampleSite.generator().render(snapshot: snap, scenarios: Self.docs(snap), png: false)
        return files.mapValues { String(decoding: $0, as: UTF8.self) }
    }

    func testLoopbackPageExplainsBothLegs() throws {
        let files = try render()
        let page = try XCTUnwrap(files["scenarios/host-local-loopback.md"])
        XCTAssertTrue(page.contains("**Delivered via docker-proxy.**"), page)
        XCTAssertTrue(page.contains("ends at the input path and docker-proxy receives it"), page)
        XCTAssertTrue(page.contains("docker-proxy answers the client itself"), page)
        XCTAssertTrue(page.contains("## docker-proxy's own connection to proxy"), page)
        // The leg is walked with the same numbered format, one heading level deeper.
        XCTAssertTrue(page.contains("### Request\n"), page)
        XCTAssertTrue(page.contains("#### Request from docker-proxy on the host (output)"), page)
        XCTAssertTrue(page.contains("### Reply\n"), page)
        XCTAssertTrue(page.contains("- (1) "), page)
        XCTAssertTrue(page.contains("The request reaches container `proxy` as 172.20.0.1:"), page)
        XCTAssertTrue(page.contains("The reply reaches docker-proxy as"), page)
        for base in ["request", "reply", "proxy-request", "proxy-reply"] {
            XCTAssertNotNil(files["diagrams/host-local-loopback-\(base).dot"], base)
            XCTAssertNotNil(files["diagrams/host-local-loopback-\(base).svg"], base)
            XCTAssertTrue(page.contains("(../diagrams/host-local-loopback-\(base).svg)"), base)
        }
        let dot = try XCTUnwrap(files["diagrams/host-local-loopback-request.dot"])
        XCTAssertTrue(dot.contains("delivered to docker-proxy on the host"), dot)
        let legDot = try XCTUnwrap(files["diagrams/host-local-loopback-proxy-request.dot"])
        XCTAssertTrue(legDot.contains("Request from docker-proxy on the host"), legDot)
    }

    func testHairpinThroughTheProxyAndIndexVerdicts() throws {
        let files = try render()
        let page = try XCTUnwrap(files["scenarios/hairpin-syslog.md"])
        XCTAssertTrue(page.contains("**Delivered via docker-proxy.**"), page)
        XCTAssertTrue(page.contains("## docker-proxy's own connection to proxy"), page)
        let index = try XCTUnwrap(files["index.md"])
        XCTAssertTrue(index.contains("| [host-local-loopback](scenarios/host-local-loopback.md) | host-local | delivered via docker-proxy |"), index)
        XCTAssertTrue(index.contains("| [hairpin-syslog](scenarios/hairpin-syslog.md) | hairpin | delivered via docker-proxy |"), index)
        // An external client is still DNATed: no second leg, no proxy wording.
        let external = try XCTUnwrap(files["scenarios/external.md"])
        XCTAssertFalse(external.contains("docker-proxy"), external)
        XCTAssertNil(files["diagrams/external-proxy-request.dot"])
        XCTAssertTrue(index.contains("| [external](scenarios/external.md) | published-port | delivered both ways |"), index)
    }
}
