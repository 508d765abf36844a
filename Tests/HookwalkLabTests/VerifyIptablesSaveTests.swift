import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Snapshots whose ruleset is `iptables-save` output (hosts on iptables-legacy, or a paste): the
/// lab loads it with `iptables-nft-restore`, the simulation runs on the kernel's listing, and, as
/// a check of `IptablesSave.parse`, the same kernel traces are compared with a simulation on the
/// loader's own model of the file (handles included).
final class VerifyIptablesSaveTests: XCTestCase {
    func testDockerErasFromIptablesSave() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        for era in ["a", "b", "c"] {
            _ = try Self.verifyWithOwnModel("iptables-save \(era)")
        }
    }

    /// An `iptables -S` dump of the same rules as era c's iptables-save file (recorded from the
    /// kernel, `Tests/Fixtures/iptables-dumps`) gives the same kernel agreement: the lab restores
    /// it, and the loader's model of the dump agrees with the kernel's traces on every scenario.
    func testIptablesSDumpAgreesAsTheSaveForm() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        let save = try Self.verifyWithOwnModel("iptables-save c")
        let dump = try Self.verifyWithOwnModel("iptables -S c")
        XCTAssertEqual(dump, save, "the same scenarios agree with the kernel from both forms")
        XCTAssertGreaterThan(dump.count, 5)
    }

    /// Verifies the lab case, then simulates the loader's own model of its ruleset file against the
    /// same kernel traces; returns the scenarios compared.
    static func verifyWithOwnModel(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let snap = try LabCases.build(name)
        defer { snap.remove() }
        let options = Verifier.Options(kinds: ["published-port", "direct", "hairpin", "host-local", "egress"])
        let results = try LabFixtures.verifyAgreeing(snap, options, name)

        // The loader's model of the file, with the lab's trace tables, against the kernel.
        var own = try SnapshotLoader.load(path: snap.path)
        let ports = Set(results.flatMap { [$0.item.lab.clientPort, $0.item.lab.port, $0.item.lab.serverPort] })
        own.ruleset.tables += try NftText.parse(TraceTables.text(name: "__hw_trace", ports: ports), file: "trace tables").tables
        let simulator = Simulator(snapshot: own)
        let comparator = TraceComparator(portAliases: results.first.map { _ in [:] } ?? [:])
        for r in results {
            let t = simulator.simulate(r.item.scenario)
            func lines(_ p: PacketTrace?) -> [TraceLine] {
                p.map { NftTraceFormat.lines($0, onlyTraced: true).compactMap(KernelTraceParser.parseLine) } ?? []
            }
            XCTAssertEqual(comparator.compare(kernel: r.capture.selection.request, simulated: lines(t.request)), .match,
                           "\(name) \(r.item.lab.name): the loader's model, request", file: file, line: line)
            XCTAssertEqual(comparator.compare(kernel: r.capture.selection.reply, simulated: lines(t.reply)), .match,
                           "\(name) \(r.item.lab.name): the loader's model, reply", file: file, line: line)
        }
        return results.map(\.item.lab.name).sorted()
    }
}
