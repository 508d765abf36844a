import Foundation
import HookwalkDiff
import HookwalkModel
import HookwalkParsers
import XCTest

/// `hookwalk diff` on real pairs of hosts: each finds exactly the known differences, most
/// important first.
final class FixturePairTests: XCTestCase {
    func diff(_ a: String, _ b: String) throws -> DiffReport {
        SnapshotDiff.compare(try SnapshotLoader.load(path: a), try SnapshotLoader.load(path: b))
    }

    /// Docker 25-27 against 28: 28 adds a raw PREROUTING drop of direct access to container
    /// addresses, and reorganises FORWARD (DOCKER-FORWARD, DOCKER-CT, DOCKER-BRIDGE).
    func testDocker25to27AgainstDocker28() throws {
        let r = try diff(try DiffFixtures.era("b"), try DiffFixtures.era("c"))
        XCTAssertFalse(r.equivalent)
        let first = try XCTUnwrap(r.scenarios.first)
        XCTAssertEqual(first.status, .verdictChange)
        XCTAssertEqual(first.key.kind, .direct)
        XCTAssertEqual(first.worksA, true)
        XCTAssertEqual(first.worksB, false)
        XCTAssertTrue(first.outcomeB?.contains("dropped by rule in ip raw PREROUTING") == true, first.outcomeB ?? "")
        XCTAssertEqual(first.firstDivergence?.packet, "request")
        XCTAssertTrue(first.firstDivergence?.b?.contains("ip raw PREROUTING") == true)
        XCTAssertTrue(first.onlyOnB.contains { $0.hasPrefix("request: ip raw PREROUTING: ") && $0.hasSuffix("drop (drop)") })
        XCTAssertEqual(r.count(.verdictChange), 1)
        // Everything else still works, through Docker 28's new chains.
        let rest = r.scenarios.dropFirst()
        XCTAssertEqual(rest.count, 8)
        for s in rest {
            XCTAssertEqual(s.status, .differentPath, s.key.label)
            XCTAssertEqual(s.worksA, true)
            XCTAssertEqual(s.worksB, true)
            XCTAssertTrue(s.onlyOnB.contains { $0.contains("ip raw PREROUTING") }, s.key.label)
        }
        XCTAssertTrue(rest.filter { $0.key.kind != .hostLocal }.allSatisfy { s in
            s.onlyOnB.contains { $0.contains("jump DOCKER-FORWARD") } && s.onlyOnA.contains { $0.contains("ip filter DOCKER-USER: counter return") }
        })
        let markdown = MarkdownDiff.render(r)
        let verdicts = try XCTUnwrap(markdown.range(of: "## Verdict changes"))
        let paths = try XCTUnwrap(markdown.range(of: "## Different paths"))
        XCTAssertLessThan(verdicts.lowerBound, paths.lowerBound)
        XCTAssertTrue(markdown.contains("**Different**: 1 verdict change, 8 different paths, 0 only on A, 0 only on B, 0 same path"))
    }

    /// br_netfilter on against off: the same chains and rules run and every scenario still works,
    /// but packets from a container reach the IP hooks at another point (from the bridge
    /// prerouting hook, or after bridge input): only hook steps and what follows a hook move.
    func testBrNetfilterOnAgainstOff() throws {
        let off = try DiffFixtures.copy(DiffFixtures.example) { dir in
            try DiffFixtures.rewrite(dir + "/sysctl.txt") {
                $0.replacingOccurrences(of: "net.bridge.bridge-nf-call-iptables = 1", with: "net.bridge.bridge-nf-call-iptables = 0")
            }
        }
        defer { DiffFixtures.removeCopy(off) }
        let r = try diff(DiffFixtures.example, off)
        XCTAssertEqual(r.settings, [DiffReport.Setting(name: "net.bridge.bridge-nf-call-iptables", a: "1", b: "0")])
        XCTAssertEqual(r.count(.verdictChange), 0)
        XCTAssertEqual(r.count(.differentPath), 9)
        // Container to container on one bridge: without br_netfilter the frame is bridged and meets
        // no IP hook at all, so every IP step is only on A.
        let icc = try XCTUnwrap(r.scenarios.first { $0.key.kind == .icc })
        XCTAssertTrue(icc.onlyOnB.isEmpty || icc.onlyOnB.allSatisfy { $0.contains("bridge") }, "\(icc.onlyOnB)")
        XCTAssertTrue(icc.onlyOnA.contains { $0.contains("ip filter FORWARD") }, "\(icc.onlyOnA)")
        // The host-network container (tftp) never crosses the bridge: its path is the same.
        for s in r.scenarios where s.key.kind != .hostNetwork && s.key.kind != .icc {
            let moved = s.onlyOnA + s.onlyOnB
            XCTAssertFalse(moved.isEmpty, s.key.label)
            XCTAssertTrue(moved.allSatisfy { $0.hasSuffix(" hook") || $0.contains(" after the ") }, "\(s.key.label): \(moved)")
            XCTAssertTrue(moved.contains { $0.contains("bridge") }, s.key.label)
        }
    }

    /// One extra drop in DOCKER-USER for radius's port: that published port fails, nothing else changes.
    func testExtraDropRuleInDockerUser() throws {
        let dropped = try DiffFixtures.copy(DiffFixtures.example) { dir in
            try DiffFixtures.rewrite(dir + "/nft-ruleset.nft") { text in
                let chain = "\tchain DOCKER-USER {\n"
                XCTAssertTrue(text.contains(chain + "\t\tcounter packets 0 bytes 0 return\n"))
                return text.replacingOccurrences(of: chain, with: chain + "\t\tip daddr 172.20.0.4 udp dport 1812 counter packets 3 bytes 120 drop\n")
            }
        }
        defer { DiffFixtures.removeCopy(dropped) }
        let r = try diff(DiffFixtures.example, dropped)
        XCTAssertEqual(r.scenarios.filter { $0.status != .same }.count, 1)
        let first = try XCTUnwrap(r.scenarios.first)
        XCTAssertEqual(first.status, .verdictChange)
        XCTAssertEqual(first.key.kind, .publishedPort)
        XCTAssertEqual(first.key.container, "radius")
        XCTAssertEqual(first.key.port, 1812)
        XCTAssertEqual(first.key.proto, "udp")
        XCTAssertEqual(first.outcomeB, "dropped by rule in ip filter DOCKER-USER: ip daddr 172.20.0.4 udp dport 1812 counter drop")
        XCTAssertEqual(first.firstDivergence?.a, "ip filter DOCKER-USER: counter return (return)")
        XCTAssertEqual(first.firstDivergence?.b, "ip filter DOCKER-USER: ip daddr 172.20.0.4 udp dport 1812 counter drop (drop)")
        XCTAssertEqual(first.onlyOnB, ["request: ip filter DOCKER-USER: ip daddr 172.20.0.4 udp dport 1812 counter drop (drop)"])
        XCTAssertEqual(r.count(.same), 9)
    }

    func testSnapshotAgainstItself() throws {
        for path in [DiffFixtures.example, try DiffFixtures.era("c"), try DiffFixtures.fixture("seed-centos8/snapshot")] {
            let r = try diff(path, path)
            XCTAssertTrue(r.equivalent, path)
            XCTAssertTrue(r.scenarios.allSatisfy { $0.firstDivergence == nil && $0.onlyOnA.isEmpty && $0.onlyOnB.isEmpty })
            XCTAssertTrue(MarkdownDiff.render(r).contains("**Equivalent**"))
        }
    }

    /// Containers listed in another order and other counter values: no difference.
    func testReorderedContainersAndOtherCountersAreEquivalent() throws {
        let copy = try DiffFixtures.copy(DiffFixtures.example) { dir in
            let file = dir + "/docker-containers.json"
            let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [Any])
            try JSONSerialization.data(withJSONObject: Array(list.reversed()), options: [.prettyPrinted]).write(to: URL(fileURLWithPath: file))
            try DiffFixtures.rewrite(dir + "/nft-ruleset.nft") { text in
                text.replacingOccurrences(of: "counter packets 0 bytes 0", with: "counter packets 1234 bytes 98765")
            }
        }
        defer { DiffFixtures.removeCopy(copy) }
        let original = try SnapshotLoader.load(path: DiffFixtures.example)
        let edited = try SnapshotLoader.load(path: copy)
        XCTAssertNotEqual(original.host.docker.containers.map(\.name), edited.host.docker.containers.map(\.name))
        let r = SnapshotDiff.compare(original, edited)
        XCTAssertTrue(r.equivalent, MarkdownDiff.render(r))
    }

    /// The kernel's JSON listing (its handles) against the text listing of the same ruleset
    /// (handles of a fresh load): still equivalent.
    func testOtherHandlesAreEquivalent() throws {
        let snapshot = try DiffFixtures.fixture("seed-centos8/snapshot")
        let textOnly = try DiffFixtures.copy(snapshot) { dir in
            // The text listing has no handles: the parser assigns those of a fresh `nft -f`.
            try FileManager.default.removeItem(atPath: dir + "/nft-ruleset.json")
        }
        defer { DiffFixtures.removeCopy(textOnly) }
        XCTAssertTrue(try diff(snapshot, textOnly).equivalent)
    }

    /// The same host with its container network moved to other addresses: rules that differ only
    /// by those addresses compare equal.
    func testHostWhoseAddressesDifferIsEquivalent() throws {
        let moved = try DiffFixtures.copy(try DiffFixtures.era("b")) { dir in
            for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
                try DiffFixtures.rewrite(dir + "/" + name) { $0.replacingOccurrences(of: "172.20.0.", with: "172.21.0.") }
            }
        }
        defer { DiffFixtures.removeCopy(moved) }
        let r = try diff(try DiffFixtures.era("b"), moved)
        XCTAssertTrue(r.equivalent, MarkdownDiff.render(r))
    }

    /// The two outputs are byte-identical for identical input.
    func testOutputIsDeterministic() throws {
        let a = try diff(try DiffFixtures.era("b"), try DiffFixtures.era("c"))
        let b = try diff(try DiffFixtures.era("b"), try DiffFixtures.era("c"))
        XCTAssertEqual(MarkdownDiff.render(a), MarkdownDiff.render(b))
        XCTAssertEqual(try JSONDiff.render(a), try JSONDiff.render(b))
        let json = try JSONSerialization.jsonObject(with: Data(try JSONDiff.render(a).utf8)) as? [String: Any]
        XCTAssertEqual(json?["equivalent"] as? Bool, false)
        XCTAssertEqual((json?["counts"] as? [String: Int])?["verdict-change"], 1)
    }
}
