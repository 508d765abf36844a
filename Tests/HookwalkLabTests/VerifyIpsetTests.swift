import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// An iptables-save snapshot whose published ports are guarded by an ipset (a hand-written
/// DOCKER-USER rule, as administrators add in front of Docker's): the lab restores
/// `ipset-save.txt` before the rules, the kernel lists the match as an opaque `xt match set`, and
/// the simulation uses the loader's `ip saddr != @trusted` in its place. One client inside the
/// set's network and one outside it must each agree with the kernel.
final class VerifyIpsetTests: XCTestCase {
    /// A hash:net set holding the lower half of the uplink's 10.254.10.0/24.
    static let ipsetSave = """
        create trusted hash:net family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x5b1e0d2c
        add trusted 10.254.10.0/25

        """

    static let guardRule = "-A DOCKER-USER -i ens192 -m set ! --match-set trusted src -j DROP"
    /// Inside 10.254.10.0/25.
    static let trusted = IPAddress("10.254.10.105")!
    /// Outside it: the lab's default client on docker-c (the last address of the uplink's subnet).
    static let untrusted = IPAddress("10.254.10.254")!

    /// docker-c's iptables-save with the guard as DOCKER-USER's first rule, and the set.
    static func derivedSnapshot() throws -> DerivedSnapshot {
        let save = try String(contentsOfFile: try LabFixtures.path("docker-eras/iptables-save/c.iptables-save"), encoding: .utf8)
        let anchor = "-A FORWARD -j DOCKER-USER\n"
        guard save.contains(anchor) else { throw HookwalkTestError("c.iptables-save has no '\(anchor.dropLast())' line") }
        let guarded = save.replacingOccurrences(of: anchor, with: anchor + guardRule + "\n")
        return try DerivedSnapshot(base: "docker-c", files: ["iptables-save.txt": guarded, "ipset-save.txt": ipsetSave])
    }

    func testIpsetGuardedPublishedPort() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ipset")
        let snap = try LabCases.build("ipset-guarded published port")
        defer { snap.remove() }
        for (client, allowed) in [(Self.trusted, true), (Self.untrusted, false)] {
            let label = "ipset-guarded published port, client \(client)"
            let results = try LabFixtures.verifyAgreeing(snap, Verifier.Options(client: client, kinds: ["published-port"]), label)
            let published = results.filter { $0.item.kind == "published-port" }
            XCTAssertFalse(published.isEmpty, "\(label): no published-port scenario")
            for r in published {
                let name = "\(label) \(r.item.lab.name)"
                XCTAssertEqual(r.capture.observation.serverGotRequest, allowed, "\(name): the kernel")
                if allowed {
                    XCTAssertTrue(r.trace.request.outcome.isDelivered, "\(name): \(r.trace.request.outcome)")
                } else if case .dropped(let chain, let handle, _, _) = r.trace.request.outcome {
                    XCTAssertEqual(chain.description, "ip filter DOCKER-USER", name)
                    XCTAssertNotNil(handle, "\(name): dropped by the guard rule, not a policy")
                } else {
                    XCTFail("\(name): \(r.trace.request.outcome)")
                }
                let notModelled = (r.trace.request.events + (r.trace.reply?.events ?? [])).compactMap { e -> String? in
                    if case .notModelled(_, _, let text, _) = e.kind { return text.description } else { return nil }
                }
                XCTAssertEqual(notModelled, [], "\(name): the set match is evaluated")
            }
        }
    }

    /// Without the translation the guard stays the kernel's opaque `xt match set`: the lab's
    /// listing must hold it, else the replacement in `Verifier` has nothing to find.
    func testKernelListsTheSetMatchOpaquely() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ipset")
        let snap = try LabCases.build("ipset-guarded published port")
        defer { snap.remove() }
        let snapshot = try SnapshotLoader.load(path: snap.path)
        let ruleset = LabRuleset.of(snapshot)
        XCTAssertEqual(ruleset.ipsetSave, snap.path + "/ipset-save.txt")
        XCTAssertTrue(ruleset.tools.contains("ipset"))
        let plan = try VerifyPlan(snapshot: snapshot, kinds: ["published-port"])
        let listing = try LabBuilder.withLab(plan.topology) { lab in try lab.loadRuleset(ruleset, tracePorts: plan.tracePorts) }
        XCTAssertTrue(listing.contains("iifname \"ens192\" xt match set"), listing)
        XCTAssertEqual(LabFixtures.namespaces().filter { $0.hasPrefix(plan.topology.prefix) }, [])
    }
}
