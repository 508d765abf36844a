import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// `hookwalk verify` against the running kernel: the example host with br_netfilter on and off,
/// the four Docker eras, drops on both sides, and a deliberately wrong model that must show up as
/// a readable divergence. Each snapshot gets its own lab (run one after the other); every
/// scenario takes about a second, a dropped one about the client's timeout.
final class VerifyTests: XCTestCase {
    static let allKinds: Set<String> = ["published-port", "direct", "hairpin", "host-local", "egress", "icc", "unpublished-port"]

    /// Runs verify, checks that the lab left no namespace behind, and fails with the report's
    /// text when a scenario diverges.
    func verify(_ path: String, _ options: Verifier.Options = Verifier.Options(),
                file: StaticString = #filePath, line: UInt = #line) throws -> [Verifier.Verified] {
        let results = try Verifier(snapshotPath: path, options: options).runScenarios()
        // This lab's namespaces only: other labs (another session's tests) may come and go meanwhile.
        let prefix = results.first?.labPrefix ?? "hw-none"
        XCTAssertEqual(LabFixtures.namespaces().filter { $0.hasPrefix(prefix) }, [], "namespaces left behind", file: file, line: line)
        return results
    }

    func assertAllMatch(_ results: [Verifier.Verified], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let report = VerifyReport(scenarios: results.map(\.comparison))
        XCTAssertTrue(report.allMatch, "\(label):\n\(report.text)", file: file, line: line)
        XCTAssertTrue(report.text.hasSuffix("agreement: \(results.count)/\(results.count) scenarios\n"), report.text, file: file, line: line)
        for r in results {
            XCTAssertFalse(r.capture.selection.request.isEmpty, "\(label) \(r.item.lab.name): the kernel traced no request",
                           file: file, line: line)
        }
    }

    func testExampleHostWithBrNetfilterOnAndOff() throws {
        try LabFixtures.skipUnlessLabPossible()
        let example = LabFixtures.repository + "/Examples/seed-centos8"
        for brnf in [true, false] {
            let results = try verify(example, Verifier.Options(brNetfilter: brnf))
            assertAllMatch(results, "example, br_netfilter \(brnf ? "on" : "off")")
            // tftp runs on the host network: its port is served through the input path.
            XCTAssertEqual(Set(results.map(\.item.kind)), Self.allKinds.union(["host-network"]))
            // The radius request reaches the container from the client, masqueraded by firewalld (docs/kernel-facts.md, facts 4, 11).
            let radius = try XCTUnwrap(results.first { $0.item.kind == "published-port" && $0.item.lab.port == 1812 })
            XCTAssertEqual(radius.capture.observation.serverSawFrom, "172.20.0.1")
            XCTAssertEqual(radius.capture.observation.clientSawFrom, "10.254.10.252:1812")
            // The bridge chains of the trace tables show br_netfilter's order only when it is on.
            let hairpin = try XCTUnwrap(results.first { $0.item.kind == "hairpin" })
            let ipForwardFromBridge = hairpin.capture.selection.request.contains { $0.family == .ip && $0.chain == "FORWARD" }
            XCTAssertTrue(ipForwardFromBridge, "hairpin goes through ip forward either way")
        }
    }

    /// Docker 20.10, 25-27, 28 and 29 (nftables): every catalog scenario, the unpublished port and
    /// direct access. Docker 28 drops direct access in its raw table; everywhere, a port nobody
    /// publishes on a container's address is dropped in forward: both sides must say so.
    func testDockerEras() throws {
        try LabFixtures.skipUnlessLabPossible()
        for era in ["a", "b", "c", "d"] {
            let results = try verify(try LabFixtures.path("docker-eras/snapshots/docker-\(era)"))
            assertAllMatch(results, "docker-\(era)")
            XCTAssertEqual(Set(results.map(\.item.kind)), Self.allKinds, "docker-\(era)")
            XCTAssertEqual(results.filter { $0.item.kind == "published-port" }.count, 4, "docker-\(era)")

            let closed = try XCTUnwrap(results.first { $0.item.kind == "unpublished-port" && $0.item.lab.server != .host })
            assertDropped(closed, "docker-\(era) unpublished port on a container")

            let direct = try XCTUnwrap(results.first { $0.item.kind == "direct" })
            if era == "c" {
                assertDropped(direct, "docker-28 direct access")
                guard case .dropped(let chain, _, _, _) = direct.trace.request.outcome else { return XCTFail("not dropped") }
                XCTAssertEqual(chain.table, "raw", "Docker 28 drops direct access in its raw table")
                XCTAssertEqual(direct.capture.selection.request.last?.table, "raw")
            }
        }
    }

    func assertDropped(_ r: Verifier.Verified, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(r.comparison.isMatch, label, file: file, line: line)
        XCTAssertFalse(r.capture.observation.serverGotRequest, "\(label): the kernel delivered it", file: file, line: line)
        XCTAssertEqual(r.comparison.simulatedOutcome?.serverGotRequest, false, label, file: file, line: line)
        guard case .dropped = r.trace.request.outcome else {
            return XCTFail("\(label): hookwalk says \(r.trace.request.outcome)", file: file, line: line)
        }
        // A drop rule, or a base chain's drop policy (Docker 20.10-27's FORWARD).
        switch r.capture.selection.request.last?.kind {
        case .rule(_, let verdict, _)?: XCTAssertEqual(verdict, "drop", "\(label): the kernel's last event", file: file, line: line)
        case .policy(let p)?: XCTAssertEqual(p, "drop", "\(label): the kernel's last event", file: file, line: line)
        default: XCTFail("\(label): the kernel's request does not end with a rule or policy", file: file, line: line)
        }
    }

    /// Fact 3 (docs/kernel-facts.md) in the lab: a filter chain at -120 runs before a nat chain declared at -150,
    /// because nat chains run inside the NAT hook at -100. The deliberately wrong model (nat
    /// chains at their declared priority) must fail verify with a divergence a person can read;
    /// the right model must pass on the same host.
    func testWrongModelDiverges() throws {
        try LabFixtures.skipUnlessLabPossible()
        let dir = NSTemporaryDirectory() + "hookwalk-wrong-model-\(UInt32.random(in: 0...0xFFFFFF))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let example = LabFixtures.repository + "/Examples/seed-centos8"
        for f in try FileManager.default.contentsOfDirectory(atPath: example) where !f.hasPrefix("nft-ruleset") {
            try FileManager.default.copyItem(atPath: example + "/" + f, toPath: dir + "/" + f)
        }
        try """
            table ip tiny {
            \tchain early_filter {
            \t\ttype filter hook prerouting priority -120; policy accept;
            \t\tip daddr 10.254.10.252 udp dport 1812 counter
            \t}

            \tchain early_nat {
            \t\ttype nat hook prerouting priority -150; policy accept;
            \t\tip daddr 10.254.10.252 udp dport 1812 dnat to 172.20.0.4:1812
            \t}
            }

            """.write(toFile: dir + "/nft-ruleset.nft", atomically: true, encoding: .utf8)
        let only: Set<String> = ["published-port"]

        let right = try verify(dir, Verifier.Options(kinds: only))
        assertAllMatch(right, "the right model")

        let wrong = try verify(dir, Verifier.Options(simulator: Simulator.Options(natChainsAtDeclaredPriority: true), kinds: only))
        let report = VerifyReport(scenarios: wrong.map(\.comparison))
        XCTAssertFalse(report.allMatch, report.text)
        let radius = try XCTUnwrap(wrong.first { $0.item.lab.port == 1812 }).comparison
        XCTAssertFalse(radius.isMatch)
        let text = report.text
        let block = text.components(separatedBy: "DIVERGE  ").first { $0.hasPrefix(radius.name) } ?? ""
        XCTAssertTrue(block.contains("request: event"), text)
        XCTAssertTrue(block.contains("differs in chain"), text)
        let kernelLine = block.split(separator: "\n").first { $0.contains("kernel:") } ?? ""
        let ourLine = block.split(separator: "\n").first { $0.contains("hookwalk:") } ?? ""
        XCTAssertTrue(kernelLine.contains("ip tiny early_filter packet:") && kernelLine.contains("ip daddr 10.254.10.252"), text)
        XCTAssertTrue(ourLine.contains("ip tiny early_nat packet:"), text)
        XCTAssertTrue(text.contains("agreement: \(report.agreeing)/\(wrong.count) scenarios"), text)
        XCTAssertLessThan(report.agreeing, wrong.count)
    }
}
