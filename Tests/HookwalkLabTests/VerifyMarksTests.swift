import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Packet and conntrack marks, checked against the kernel (issue 13): a netavark-style hairpin
/// (`meta mark set meta mark | 0x00002000` in prerouting, a masquerade on `meta mark &
/// 0x00002000 == 0x00002000` in postrouting) composed onto Docker 29's ruleset, and the same with
/// iptables' `-j MARK` / `-j CONNMARK` onto Docker 28's iptables-save. The mark computed in
/// prerouting decides the masquerade in postrouting (it travels with the packet across hooks),
/// and the ct mark saved from it is restored into the reply's mark.
final class VerifyMarksTests: XCTestCase {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOfFile: try LabFixtures.path("semantics/" + name), encoding: .utf8)
    }

    /// docker-d with `marks-netavark.nft` after Docker's tables.
    static func netavarkSnapshot() throws -> DerivedSnapshot {
        let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
        return try DerivedSnapshot(base: "docker-d", files: ["nft-ruleset.nft": docker + (try fixture("marks-netavark.nft"))])
    }

    /// docker-c's iptables-save with `marks-mangle.iptables-save` and a masquerade on the mark
    /// first in nat POSTROUTING.
    static func iptablesSnapshot() throws -> DerivedSnapshot {
        var lines = try String(contentsOfFile: try LabFixtures.path("docker-eras/iptables-save/c.iptables-save"), encoding: .utf8)
            .components(separatedBy: "\n")
        guard let first = lines.firstIndex(where: { $0.hasPrefix("-A POSTROUTING") }) else { throw HookwalkTestErrorLab("no POSTROUTING rule in c.iptables-save") }
        lines.insert("-A POSTROUTING -m mark --mark 0x2000/0x2000 -j MASQUERADE", at: first)
        let save = try fixture("marks-mangle.iptables-save") + "\n" + lines.joined(separator: "\n")
        return try DerivedSnapshot(base: "docker-c", files: ["iptables-save.txt": save])
    }

    /// The hairpin scenarios: client1 calling ports published on the host's address.
    static let hairpins: [Scenario] = [
        Scenario(from: .container("client1"), to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp, sport: 0),
    ]

    func checkHairpins(_ results: [Verifier.Verified], _ label: String) throws {
        let hairpins = results.filter { $0.item.kind == "hairpin" || $0.item.kind == "extra" }
        XCTAssertFalse(hairpins.isEmpty, label)
        for r in hairpins {
            // The mark's masquerade applies: the server sees the bridge's address, not client1's.
            XCTAssertEqual(r.capture.observation.serverSawFrom, "172.20.0.1", "\(label) \(r.item.lab.name)")
            let notModelled = (r.trace.request.events + (r.trace.reply?.events ?? [])).filter {
                if case .notModelled = $0.kind { return true } else { return false }
            }
            XCTAssertEqual(notModelled, [], "\(label) \(r.item.lab.name): no not-modelled step on a path of marks")
        }
    }

    func testNetavarkStyleHairpinMarkMasquerade() throws {
        try LabFixtures.skipUnlessLabPossible()
        let snap = try LabCases.build("netavark-style marks")
        defer { snap.remove() }
        let options = Verifier.Options(kinds: ["hairpin", "published-port", "extra"], extraScenarios: Self.hairpins)
        let results = try LabFixtures.verifyAgreeing(snap, options, "netavark-style marks on docker-d")
        try checkHairpins(results, "nft marks")
    }

    func testIptablesMarkAndConnmark() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        let snap = try LabCases.build("iptables MARK and CONNMARK")
        defer { snap.remove() }
        let options = Verifier.Options(kinds: ["hairpin", "published-port", "extra"], extraScenarios: Self.hairpins)
        let results = try LabFixtures.verifyAgreeing(snap, options, "iptables MARK/CONNMARK on docker-c")
        try checkHairpins(results, "iptables marks")

        // IptablesSave.parse's own model of the file agrees with the kernel too, handles included.
        var own = try SnapshotLoader.load(path: snap.path)
        let ports = Set(results.flatMap { [$0.item.lab.clientPort, $0.item.lab.port, $0.item.lab.serverPort] })
        own.ruleset.tables += try NftText.parse(TraceTables.text(name: "__hw_trace", ports: ports), file: "trace tables").tables
        let simulator = Simulator(snapshot: own)
        for r in results {
            let t = simulator.simulate(r.item.scenario)
            func lines(_ p: PacketTrace?) -> [TraceLine] {
                p.map { NftTraceFormat.lines($0, onlyTraced: true).compactMap(KernelTraceParser.parseLine) } ?? []
            }
            XCTAssertEqual(TraceComparator().compare(kernel: r.capture.selection.request, simulated: lines(t.request)), .match,
                           "\(r.item.lab.name): IptablesSave.parse's model, request")
            XCTAssertEqual(TraceComparator().compare(kernel: r.capture.selection.reply, simulated: lines(t.reply)), .match,
                           "\(r.item.lab.name): IptablesSave.parse's model, reply")
        }
    }
}
