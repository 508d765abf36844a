import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import XCTest

/// The example host's documentation keeps its traces as JSON, and reads back as it was written:
/// what `hookwalk diff` of generated folders relies on. Also the host-network container (the
/// article's tftp), linked from the container table and explained on its page.
final class GeneratedOutputTests: XCTestCase {
    func testTracesAndManifestRoundTrip() throws {
        let host = try ExampleSite.host(ExampleSite.examplePath)
        let out = Seed.tempDir("manifest")
        try ExampleSite.generator().generate(hosts: [host], layout: .plain, outDir: out, png: false)
        XCTAssertTrue(GeneratedOutput.isOutput(out))
        let (manifest, docs) = try GeneratedOutput.load(out)
        XCTAssertEqual(manifest.clients, [ExampleSite.client])
        XCTAssertEqual(docs.map(\.trace), host.scenarios.map(\.trace))
        XCTAssertEqual(docs.map(\.id), host.scenarios.map(\.id))
        XCTAssertEqual(manifest.scenarios.first?.trace, "traces/\(host.scenarios[0].id).json")
        let model = manifest.host.model
        XCTAssertEqual(model.info.hostname, "docker-host")
        XCTAssertEqual(model.docker.containers.map(\.name).sorted(), host.snapshot.host.docker.containers.map(\.name).sorted())
        XCTAssertEqual(model.interfaces.flatMap(\.addresses).map(\.prefix),
                       host.snapshot.host.interfaces.flatMap(\.addresses).map(\.prefix))
        XCTAssertEqual(model.sysctl("net.bridge.bridge-nf-call-iptables"), 1)
    }

    func testManifestRefusesTracePathsOutsideTheFolder() throws {
        let out = Seed.tempDir("escape")
        try ExampleSite.generator().generate(hosts: [try ExampleSite.host(ExampleSite.examplePath)], layout: .plain, outDir: out,
                                             png: false)
        let file = out + "/scenarios.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"traces/", with: "\"../traces/").write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GeneratedOutput.load(out))
    }

    func testHostNetworkContainerIsLinkedAndExplained() throws {
        let files = try ExampleSite.outputTree().mapValues { String(decoding: $0, as: UTF8.self) }
        let index = try XCTUnwrap(files["index.md"])
        let id = "tftp-udp-69-host-network-from-10.254.10.105"
        XCTAssertTrue(index.contains("| tftp | host | - | served on the host's own addresses: [69/udp from 10.254.10.105](scenarios/\(id).md) |"),
                      index)
        let page = try XCTUnwrap(files["scenarios/\(id).md"])
        XCTAssertTrue(page.contains("shares the host's network stack"), page)
        XCTAssertTrue(page.contains("it ends at the input hook, and the container's process receives it as a local process"), page)
        XCTAssertTrue(page.contains("The request reaches the process of container `tftp` (host network) as"), page)
        XCTAssertTrue(page.contains("### Reply from container `tftp` (host network) (output)"), page)
    }
}
