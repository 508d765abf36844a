import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// A ruleset hookwalk cannot fully evaluate still gets its documentation, and says so: every
/// not-modelled construct is a numbered step where it is met, a callout on the page says what the
/// verdict assumes, and the index lists each construct with the scenarios that met it.
final class NotModelledPageTests: XCTestCase {
    /// The article's ruleset with an owner match (not modelled: no socket is simulated) and an
    /// `xt` placeholder (what iptables-nft leaves for a rule nft cannot show) in FORWARD.
    static func snapshot() throws -> Snapshot {
        let text = Seed.rulesetText.replacingOccurrences(
            of: "\t\tcounter jump DOCKER-USER\n",
            with: "\t\tmeta skuid 0 drop\n\t\txt match \"owner\" counter\n\t\tcounter jump DOCKER-USER\n")
        XCTAssertNotEqual(text, Seed.rulesetText)
        return try Seed.snapshot(ruleset: try NftText.parse(text, file: "not-modelled.nft"))
    }

    func render() throws -> [String: String] {
        let snap = try Self.snapshot()
        let trace = Simulator(snapshot: snap).simulate(Seed.radiusTrace().scenario)
        let docs = [Seed.radiusDoc(trace: trace), Seed.radiusDoc(id: "second", title: "second copy", trace: trace)]
        let files = try DocGenerator(templatesDirectory: Seed.templatesDirectory)
            .render(snapshot: snap, scenarios: docs, png: false)
        return files.mapValues { String(decoding: $0, as: UTF8.self) }
    }

    func testPageHasCalloutAndNumberedSteps() throws {
        let page = try XCTUnwrap(try render()["scenarios/radius-udp-1812-from-10.254.10.105.md"])
        XCTAssertTrue(page.hasPrefix("# radius 1812/udp from 10.254.10.105\n\n> **Not fully evaluated.** hookwalk could not "
            + "evaluate 2 constructs on this path; the verdict assumes what their steps say:"), page)
        XCTAssertTrue(page.contains("> - `meta skuid` in `ip filter FORWARD`"), page)
        XCTAssertTrue(page.contains("(request, forward (2); reply, forward (2)): the rule does not match"), page)
        XCTAssertTrue(page.contains("> - `xt match \"owner\"` in `ip filter FORWARD`"), page)
        XCTAssertTrue(page.contains("- (2) hookwalk does not evaluate `meta skuid` in `ip filter FORWARD`"), page)
        // The callout comes before the verdict, which still stands.
        let callout = try XCTUnwrap(page.range(of: "> **Not fully evaluated.**"))
        let verdict = try XCTUnwrap(page.range(of: "**Delivered.**"))
        XCTAssertLessThan(callout.lowerBound, verdict.lowerBound)
    }

    func testIndexSummarisesConstructsAndMarksVerdicts() throws {
        let index = try XCTUnwrap(try render()["index.md"])
        XCTAssertTrue(index.contains("## Not modelled\n\nhookwalk could not evaluate 2 constructs of this ruleset"), index)
        XCTAssertTrue(index.contains("| meta skuid | ip filter FORWARD, rule handle 5 | the rule does not match; evaluation went on with the next rule | "
            + "[radius 1812/udp from 10.254.10.105](scenarios/radius-udp-1812-from-10.254.10.105.md)<br>[second copy](scenarios/second.md) |"),
                      index)
        XCTAssertTrue(index.contains("| xt match \"owner\" | ip filter FORWARD, rule handle 6 |"), index)
        XCTAssertTrue(index.contains("| published-port | delivered both ways (assumes 2 not-modelled constructs) |"), index)
    }

    func testFullyModelledHostHasNoCalloutNorSection() throws {
        let files = try ExampleSite.outputTree()
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        XCTAssertFalse(index.contains("## Not modelled"))
        let page = String(decoding: try XCTUnwrap(files["scenarios/radius-udp-1812-from-10.254.10.105.md"]), as: UTF8.self)
        XCTAssertFalse(page.contains("Not fully evaluated"))
    }
}

/// A snapshot whose ruleset is an iptables dump documents without error, and its index page says
/// what the dump could not tell.
final class DumpIndexPageTests: XCTestCase {
    func index(_ files: [String]) throws -> String {
        let dir = NSTemporaryDirectory() + "hw-dump-site-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        let base = TestPaths.fixture("docker-eras/snapshots/docker-c")
        for f in try fm.contentsOfDirectory(atPath: base) where !f.hasPrefix("nft-ruleset") && !f.hasSuffix("tables-save.txt") {
            try fm.copyItem(atPath: base + "/" + f, toPath: dir + "/" + f)
        }
        for f in files { try fm.copyItem(atPath: TestPaths.fixture("iptables-dumps/" + f), toPath: dir + "/" + f) }
        let snap = try SnapshotLoader.load(path: dir)
        let scenarios = HostDocuments.scenarios(snapshot: snap, clients: [])
        XCTAssertFalse(scenarios.isEmpty)
        let rendered = try DocGenerator(templatesDirectory: Seed.templatesDirectory)
            .render(snapshot: snap, scenarios: scenarios, png: false)
        return String(decoding: try XCTUnwrap(rendered["index.md"]), as: UTF8.self)
    }

    func testLDumpWithoutVerboseListsItsLosses() throws {
        let page = try index(["iptables-L-n.txt"])
        XCTAssertTrue(page.contains("## What the ruleset listing could not tell\n\niptables-L-n.txt is not a complete listing"), page)
        XCTAssertTrue(page.contains("- the listing has no in/out columns (`iptables -L` without `-v`)"), page)
        XCTAssertTrue(page.contains("- table nat is absent from the dump"), page)
    }

    func testSDumpOfEveryTableHasNoLosses() throws {
        XCTAssertFalse(try index(["iptables-S.txt", "ip6tables-S.txt"]).contains("could not tell"))
        XCTAssertTrue(try index(["iptables-S-filter.txt"]).contains("- table nat is absent from the dump"))
    }
}
