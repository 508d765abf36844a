import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Findings of the lab's own hosts (simulation only; the lab verifies these hosts elsewhere):
/// isolation between networks, icc off, internal networks.
final class FindingsOnLabCasesTests: XCTestCase {
    func report(_ name: String) throws -> FindingsReport {
        let snap = try LabCases.build(name)
        defer { snap.remove() }
        let s = try SnapshotLoader.load(path: snap.path)
        return FindingsEngine.run(snapshot: s, clients: ScenarioCatalog.defaultClients(for: s), host: name)
    }

    func testCrossNetworkReachOnlyWhereTheKernelLetsItThrough() throws {
        // Docker 29 accepts a container of `bridge` calling infranet's published port through the
        // host's address; Docker 28 drops it (both lab-verified by VerifyNetworksTests).
        let d = try report("isolation d").findings.filter { $0.kind == "cross-network-reach" }
        XCTAssertEqual(d.count, 1, "\(d.map(\.statement))")
        XCTAssertEqual(d.first?.severity, .warning)
        XCTAssertTrue(d.first?.statement.contains("(bridge) reaches dhcp (infranet)") ?? false, d.first?.statement ?? "")
        XCTAssertTrue(d.first?.rules.contains { $0.role == "dnat" && $0.owner == Owner(.docker, "container dhcp") } ?? false)
        XCTAssertEqual(try report("isolation c").findings.filter { $0.kind == "cross-network-reach" }, [])
    }

    func testIccOff() throws {
        // Docker's icc=false drop holds: no icc-off finding.
        let r = try report("icc=false")
        XCTAssertEqual(r.findings.filter { $0.kind == "icc-off-reach" }, [])
        XCTAssertTrue(r.findings.contains { $0.kind == "direct-container-access" }, "the host is Docker 25-27's")
    }
}
