import Foundation
import HookwalkModel
import HookwalkParsers
@testable import HookwalkRender
import HookwalkSimulator
import XCTest

/// Big hosts (issue 15) on small generated scale hosts (`ScaleSnapshot`): long chains fold in
/// excerpts, short ones do not, and a host with many scenarios gets its index by network.
final class BigHostTests: XCTestCase {
    /// A scale host written to a temporary folder and loaded as `generate` loads it.
    func scaleSnapshot(containers: Int, bridges: Int) throws -> Snapshot {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hw-scale-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try ScaleSnapshot(containers: containers, bridges: bridges).write(to: dir)
        return try SnapshotLoader.load(path: dir)
    }

    func requestWalk(_ snapshot: Snapshot, port: UInt16) -> Walkthrough {
        let context = RenderContext(ruleset: snapshot.ruleset, host: snapshot.host)
        let trace = Simulator(snapshot: snapshot).simulate(
            Scenario(from: .external(address: IPAddress("203.0.113.10")!, interface: nil), to: IPAddress("192.0.2.1")!,
                     port: port, proto: .tcp, sport: 41000))
        return WalkthroughBuilder(context: context).build(trace.request, direction: .request, from: trace.scenario.from)
    }

    func section(_ walk: Walkthrough, _ label: String) throws -> WalkSection {
        try XCTUnwrap(walk.sections.first { $0.hookLabel == label }, "no \(label) section")
    }

    /// The excerpt lines as `gutter|text` with the text trimmed, in order.
    func lines(_ section: WalkSection) -> [String] {
        section.excerpt.map { "\($0.gutter)|\($0.text.trimmingCharacters(in: .whitespaces))" }
    }

    func testLongChainFoldsAroundTheDecidingRule() throws {
        // 100 containers on 3 bridges (50, 50, none): DOCKER chains of 100 rules, longer than
        // ExcerptIndex.longChain; FORWARD has 9 rules and stays whole.
        let snapshot = try scaleSnapshot(containers: 100, bridges: 3)
        XCTAssertGreaterThan(100, ExcerptIndex.longChain)
        let walk = requestWalk(snapshot, port: 10060)  // web-0060: 172.21.0.12 on br1
        let pre = lines(try section(walk, "ip prerouting"))
        XCTAssertEqual(pre, [
            "|table ip raw {",
            "|chain PREROUTING {",
            "(1)|type filter hook prerouting priority -300; policy accept;",
            "↓|# 100 rules that do not match (iifname != \"br0\" … \"br1\" ip daddr 172.20.0.2 … 172.21.0.51 counter drop)",
            "|}",
            "|}",
            "|",
            "|table ip nat {",
            "|chain PREROUTING {",
            "(2)|type nat hook prerouting priority -100; policy accept;",
            "(3)->|fib daddr type local counter jump DOCKER",
            "|}",
            "->(3)|chain DOCKER {",
            "↓|# 59 rules that do not match (tcp dport 10000 … 10058 counter dnat to 172.20.0.2:80 … 172.21.0.10:80)",
            "↓|tcp dport 10059 counter dnat to 172.21.0.11:80",
            "(4)|tcp dport 10060 counter dnat to 172.21.0.12:80",
            "|tcp dport 10061 counter dnat to 172.21.0.13:80",
            "|# 38 rules the packet does not reach (tcp dport 10062 … 10099 counter dnat to 172.21.0.14:80 … 172.21.0.51:80)",
            "|}",
            "|}",
        ])
        // The step still counts every rule passed over, folded or not.
        let decided = try XCTUnwrap(try section(walk, "ip prerouting").steps.first { $0.number == 4 })
        XCTAssertTrue(decided.sentence.hasPrefix("The 60 rules marked ↓ do not match."), decided.sentence)

        let forward = lines(try section(walk, "ip forward"))
        // FORWARD (9 rules) is whole: every rule, the ones passed over marked ↓, the jump (2)->.
        let forwardRules = forward.prefix { $0 != "->(2)|chain DOCKER {" }.filter { $0.contains("oifname") || $0.contains("iifname") }
        XCTAssertEqual(forwardRules.count, 9, forward.joined(separator: "\n"))
        XCTAssertEqual(forwardRules[4], "(2)->|oifname \"br1\" counter jump DOCKER")
        XCTAssertEqual(forwardRules.prefix(4).map { String($0.prefix(2)) }, ["↓|", "↓|", "↓|", "↓|"])
        XCTAssertTrue(forward.contains("↓|# 59 rules that do not match (ip daddr 172.20.0.2 … 172.21.0.10 iifname != \"br0\" … \"br1\" oifname \"br0\" … \"br1\" tcp dport 80 counter accept)"),
                      forward.joined(separator: "\n"))
        XCTAssertTrue(forward.contains("(3)|ip daddr 172.21.0.12 iifname != \"br1\" oifname \"br1\" tcp dport 80 counter accept"))
        XCTAssertTrue(forward.contains("|ip daddr 172.21.0.13 iifname != \"br1\" oifname \"br1\" tcp dport 80 counter accept"))
    }

    func testFirstAndLastRulesOfALongChain() throws {
        let snapshot = try scaleSnapshot(containers: 100, bridges: 3)
        // The first DNAT decides: nothing before it; the last: nothing after it.
        let first = lines(try section(requestWalk(snapshot, port: 10000), "ip prerouting"))
        let i = try XCTUnwrap(first.firstIndex(of: "->(3)|chain DOCKER {"))
        XCTAssertEqual(Array(first[(i + 1)...(i + 3)]), [
            "(4)|tcp dport 10000 counter dnat to 172.20.0.2:80",
            "|tcp dport 10001 counter dnat to 172.20.0.3:80",
            "|# 98 rules the packet does not reach (tcp dport 10002 … 10099 counter dnat to 172.20.0.4:80 … 172.21.0.51:80)",
        ])
        let last = lines(try section(requestWalk(snapshot, port: 10099), "ip prerouting"))
        let j = try XCTUnwrap(last.firstIndex(of: "->(3)|chain DOCKER {"))
        XCTAssertEqual(Array(last[(j + 1)...(j + 4)]), [
            "↓|# 98 rules that do not match (tcp dport 10000 … 10097 counter dnat to 172.20.0.2:80 … 172.21.0.49:80)",
            "↓|tcp dport 10098 counter dnat to 172.21.0.50:80",
            "(4)|tcp dport 10099 counter dnat to 172.21.0.51:80",
            "|}",
        ])
    }

    func testShortChainIsWhole() throws {
        // 30 containers: every chain has at most 30 rules, so nothing folds.
        let snapshot = try scaleSnapshot(containers: 30, bridges: 2)
        let pre = lines(try section(requestWalk(snapshot, port: 10007), "ip prerouting"))
        XCTAssertFalse(pre.contains { $0.contains("# ") }, pre.joined(separator: "\n"))
        let docker = Array(pre.drop { $0 != "->(3)|chain DOCKER {" }.dropFirst().prefix { $0 != "|}" })
        XCTAssertEqual(docker.count, 30)
        XCTAssertEqual(docker.filter { $0.hasPrefix("↓|") }.count, 7)
        XCTAssertEqual(docker[7], "(4)|tcp dport 10007 counter dnat to 172.20.0.9:80")
        XCTAssertEqual(docker.filter { $0.hasPrefix("|") }.count, 22)
    }

    func testFoldPatternOfRulesOfDifferentShapes() {
        let runs = RunSummaries(["ip daddr 10.0.0.1 drop", "ip daddr 10.0.0.2 drop", "tcp dport 22 accept",
                                 "tcp dport 22 counter accept", "ip daddr 10.0.0.9 drop"])
        XCTAssertEqual(runs.pattern(0, 2), "ip daddr 10.0.0.1 … 10.0.0.2 drop")
        // Words that line up but mostly differ, and words that do not line up: first and last.
        XCTAssertEqual(runs.pattern(0, 3), "from ip daddr 10.0.0.1 drop to tcp dport 22 accept")
        XCTAssertEqual(runs.pattern(2, 4), "from tcp dport 22 accept to tcp dport 22 counter accept")
        // A word that changes in the middle of the run only.
        XCTAssertEqual(RunSummaries(["a 1 x", "a 2 x", "a 1 x"]).pattern(0, 3), "a 1 … x")
        XCTAssertEqual(2998.grouped, "2,998")
        XCTAssertEqual(1_234_567.grouped, "1,234,567")
        XCTAssertEqual(999.grouped, "999")
    }

    func testSetLookupIsSaidInALongChain() throws {
        var text = "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n"
        for i in 0..<60 { text += "\t\tip saddr 10.1.\(i).1 counter drop\n" }
        text += "\t\ttcp dport { 22, 80 } counter accept\n\t}\n}\n"
        let ruleset = try NftText.parse(text, file: "test.nft")
        // The scale host's interfaces and routes, with this ruleset.
        var snapshot = try scaleSnapshot(containers: 1, bridges: 1)
        snapshot.ruleset = ruleset
        let host = snapshot.host
        let trace = Simulator(snapshot: snapshot).simulate(
            Scenario(from: .external(address: IPAddress("192.0.2.9")!, interface: nil), to: IPAddress("192.0.2.1")!,
                     port: 80, proto: .tcp, sport: 41000))
        let context = RenderContext(ruleset: ruleset, host: host)
        let walk = WalkthroughBuilder(context: context).build(trace.request, direction: .request, from: trace.scenario.from)
        let input = lines(try section(walk, "ip input"))
        XCTAssertTrue(input.contains("↓|# 59 rules that do not match (ip saddr 10.1.0.1 … 10.1.58.1 counter drop)"), input.joined(separator: "\n"))
        let decided = try XCTUnwrap(input.firstIndex(of: "(2)|tcp dport { 22, 80 } counter accept"), input.joined(separator: "\n"))
        XCTAssertEqual(input[decided + 1],
                       "|# a set: the kernel looks the packet up in it in one step, it does not walk its elements")
    }

    func testBigHostIndexByNetworkAndShortPages() throws {
        // 120 containers on 3 bridges: more than NetworkPages.threshold scenarios.
        let snapshot = try scaleSnapshot(containers: 120, bridges: 3)
        let docs = HostDocuments.scenarios(snapshot: snapshot, clients: [])
        XCTAssertGreaterThan(docs.count, NetworkPages.threshold)
        let generator = try ExampleSite.generator()
        let files = try generator.renderPages(hosts: [SiteHost(name: "scale-host", snapshot: snapshot, scenarios: docs)],
                                              layout: .plain, png: false)
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        XCTAssertTrue(index.contains("| scale-net0 | bridge | br0 | 172.20.0.0/24 | 60 |"), index)
        XCTAssertTrue(index.contains("[page](networks/scale-net1.md)"), index)
        XCTAssertFalse(index.contains("## Containers"), index)
        let net0 = String(decoding: try XCTUnwrap(files["networks/scale-net0.md"]), as: UTF8.self)
        XCTAssertTrue(net0.contains("| web-0007 | 172.20.0.9 | 0.0.0.0:10007->80/tcp | [web-0007 10007/tcp from 203.0.113.10](../scenarios/web-0007-tcp-10007-from-203.0.113.10.md)"), net0)
        // Every scenario of the network is linked from its page, each once.
        for doc in docs where doc.network == "scale-net0" {
            XCTAssertEqual(net0.components(separatedBy: "(../scenarios/\(doc.id).md)").count - 1, 1, doc.id)
        }
        for (path, bytes) in files where path.hasSuffix(".md") {
            let n = bytes.filter { $0 == 10 }.count
            XCTAssertLessThanOrEqual(n, 400, path)
        }
        // The overview counts scenarios by kind where a chain has many.
        let overview = String(decoding: try XCTUnwrap(files["diagrams/overview.dot"]), as: UTF8.self)
        XCTAssertTrue(overview.contains("120 published-port (request 120, reply 120)"), overview)
    }

    func testBigHostNavigationListsNetworkPagesNotEveryScenario() throws {
        let snapshot = try scaleSnapshot(containers: 120, bridges: 3)
        let docs = HostDocuments.scenarios(snapshot: snapshot, clients: [])
        let generator = try ExampleSite.generator()
        let host = SiteHost(name: "scale-host", snapshot: snapshot, scenarios: docs)
        let mkdocs = try generator.renderPages(hosts: [host], layout: .mkdocs, png: false)
        let yaml = String(decoding: try XCTUnwrap(mkdocs["mkdocs.yml"]), as: UTF8.self)
        for n in 0..<3 {
            let path = try XCTUnwrap(mkdocs.keys.first { $0.hasSuffix("networks/scale-net\(n).md") })
            XCTAssertTrue(yaml.contains("- \"Network scale-net\(n)\": \"\(path.dropFirst(5))\""), yaml)
        }
        // Scenarios on a network are reached through its page, not listed one by one.
        XCTAssertFalse(yaml.contains("web-0007 10007/tcp"), yaml)
        XCTAssertLessThan(yaml.split(separator: "\n").count, 40, yaml)
        // What no network page lists stays in the nav, each scenario once.
        for doc in docs where doc.network == nil { XCTAssertTrue(yaml.contains(MkDocsConfig.key(doc.title)), doc.title) }

        let wiki = try generator.renderPages(hosts: [host], layout: .githubWiki, png: false)
        let sidebar = String(decoding: try XCTUnwrap(wiki["_Sidebar.md"]), as: UTF8.self)
        XCTAssertTrue(sidebar.contains("- [Network scale-net1](scale-host--network--scale-net1)"), sidebar)
        XCTAssertFalse(sidebar.contains("web-0007"), sidebar)
    }

    func testAFilteredBigHostKeepsItsIndexByNetwork() throws {
        let snapshot = try scaleSnapshot(containers: 120, bridges: 3)
        let docs = HostDocuments.scenarios(snapshot: snapshot, clients: [])
            .filter { $0.container == "web-0003" }
        XCTAssertLessThan(docs.count, NetworkPages.threshold)
        let files = try ExampleSite.generator().renderPages(
            hosts: [SiteHost(name: "scale-host", snapshot: snapshot, scenarios: docs)], layout: .plain, png: false)
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        XCTAssertFalse(index.contains("## Containers"), index)
        // The containers are on the network pages, not in the index.
        XCTAssertFalse(index.contains("| web-0050 |"), index)
        let net0 = String(decoding: try XCTUnwrap(files["networks/scale-net0.md"]), as: UTF8.self)
        XCTAssertTrue(net0.contains("| web-0004 | 172.20.0.6 | 0.0.0.0:10004->80/tcp | - |"), net0)
    }

    func testNetworkPagesSplitPastThePageSize() throws {
        let snapshot = try scaleSnapshot(containers: 250, bridges: 1)
        let docs = HostDocuments.scenarios(snapshot: snapshot, clients: [])
        var generator = try ExampleSite.generator()
        generator.networkPageSize = 100
        let files = try generator.renderPages(
            hosts: [SiteHost(name: "scale-host", snapshot: snapshot, scenarios: docs)], layout: .plain, png: false)
        let pages = ["networks/scale-net0.md", "networks/scale-net0-2.md", "networks/scale-net0-3.md"]
        XCTAssertEqual(Set(files.keys.filter { $0.hasPrefix("networks/") }), Set(pages))
        let rows = try pages.map { p in
            String(decoding: try XCTUnwrap(files[p]), as: UTF8.self).components(separatedBy: "\n| web-").count - 1
        }
        XCTAssertEqual(rows, [100, 100, 50])
        let second = String(decoding: files[pages[1]]!, as: UTF8.self)
        XCTAssertTrue(second.contains("Part 2 of 3: containers 101 to 200. Parts: [1](scale-net0.md) · 2 · [3](scale-net0-3.md)"), second)
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        XCTAssertTrue(index.contains("[1](networks/scale-net0.md) · [2](networks/scale-net0-2.md) · [3](networks/scale-net0-3.md)"), index)
    }
}

/// Layout in worker processes, failing workers included.
final class LayoutPoolTests: XCTestCase {
    func jobs(_ n: Int) -> [LayoutPool.Job] {
        (0..<n).map { LayoutPool.Job(dot: "digraph { a\($0) -> b\($0) }", format: "svg") }
    }

    func testInProcessWhenThereIsNoWorker() throws {
        let out = try LayoutPool.render(jobs(20), jobs: 4, worker: nil)
        XCTAssertEqual(out.count, 20)
        XCTAssertEqual(out[3], try GraphvizRenderer.render(dot: "digraph { a3 -> b3 }", format: "svg"))
    }

    func testAWorkerThatDiesIsAnError() throws {
        for exe in ["/bin/false", "/bin/cat"] {
            XCTAssertThrowsError(try LayoutPool.render(jobs(20), jobs: 2, worker: LayoutPool.Worker(executable: exe, arguments: [])),
                                 exe) { error in
                XCTAssertTrue(error is HookwalkError, "\(exe): \(error)")
                XCTAssertFalse("\(error)".contains("\n"), "\(exe): \(error)")
            }
        }
        XCTAssertThrowsError(try LayoutPool.render(jobs(20), jobs: 2,
                                                   worker: LayoutPool.Worker(executable: "/nonexistent/hookwalk", arguments: [])))
    }

    func testRecordsArriveInPieces() {
        var reader = LayoutPool.RecordReader()
        reader.append(Data("ok 3\nab".utf8))
        XCTAssertNil(reader.next())
        reader.append(Data("cerror 2\nxy".utf8))
        XCTAssertEqual(reader.next().map { "\($0.tag):\(String(decoding: $0.body, as: UTF8.self))" }, "ok:abc")
        XCTAssertEqual(reader.next().map { "\($0.tag):\(String(decoding: $0.body, as: UTF8.self))" }, "error:xy")
        XCTAssertNil(reader.next())
        reader.append(Data("garbage\n".utf8))
        XCTAssertNil(reader.next())
        XCTAssertTrue(reader.failed)
    }
}
