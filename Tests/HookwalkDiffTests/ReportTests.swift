import Foundation
import HookwalkDiff
import HookwalkModel
import HookwalkParsers
import XCTest

/// The report's form: one-sided scenarios, ordering, and escaping of what comes from a host.
final class ReportTests: XCTestCase {
    /// A container missing on B: its scenarios are only on A, listed after the path differences.
    func testScenarioOnlyOnOneSide() throws {
        let fewer = try DiffFixtures.copy(DiffFixtures.example) { dir in
            let file = dir + "/docker-containers.json"
            let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]])
            let kept = list.filter { ($0["Name"] as? String) != "/syslog" }
            XCTAssertEqual(kept.count, list.count - 1)
            try JSONSerialization.data(withJSONObject: kept, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: file))
        }
        defer { DiffFixtures.removeCopy(fewer) }
        let a = try SnapshotLoader.load(path: DiffFixtures.example), b = try SnapshotLoader.load(path: fewer)
        let r = SnapshotDiff.compare(a, b)
        XCTAssertEqual(r.scenarios.filter { $0.status != .same }.map(\.status), [.onlyOnA])
        XCTAssertEqual(r.scenarios.first?.key.container, "syslog")
        XCTAssertEqual(r.scenarios.first?.key.port, 514)
        XCTAssertNil(r.scenarios.first?.titleB)
        let reversed = SnapshotDiff.compare(b, a)
        XCTAssertEqual(reversed.scenarios.first?.status, .onlyOnB)
        XCTAssertTrue(MarkdownDiff.render(r).contains("## Only on A\n\n- published port 514/udp of syslog"))
    }

    /// `--client` is used on both sides; scenarios are keyed by client number, not address.
    func testGivenClientOnBothSides() throws {
        let s = try SnapshotLoader.load(path: DiffFixtures.example)
        let r = SnapshotDiff.compare(s, s, clients: [IPAddress("10.254.10.105")!, IPAddress("10.254.10.106")!])
        XCTAssertEqual(r.a.clients, ["10.254.10.105", "10.254.10.106"])
        XCTAssertEqual(Set(r.scenarios.filter { $0.key.kind == .publishedPort }.map(\.key.client)), [1, 2])
        XCTAssertTrue(r.equivalent)
    }

    /// Names from a host cannot break the Markdown: tables, emphasis, code and HTML are escaped.
    func testHostNamesAreEscaped() throws {
        var s = try SnapshotLoader.load(path: DiffFixtures.example)
        s.host.info.hostname = "web|1 *bold* `code` <script>\nnext"
        s.path = "snap_[x]"
        let md = MarkdownDiff.render(SnapshotDiff.compare(s, s))
        XCTAssertTrue(md.contains("| web\\|1 \\*bold\\* \\`code\\` &lt;script&gt;␤next |"), md)
        XCTAssertTrue(md.contains("snap\\_\\[x\\]"))
        XCTAssertFalse(md.contains("<script>"))
    }

    func testRuleTextIsCodeWithEntities() {
        var r = DiffReport(a: .init(snapshot: "a", clients: []), b: .init(snapshot: "b", clients: []), settings: [], scenarios: [])
        let key = ScenarioKey(kind: .publishedPort, network: "n", container: "c", port: 80, proto: "tcp", client: 1, occurrence: 1)
        r.scenarios = [ScenarioDiff(status: .differentPath, key: key, titleA: "t", titleB: "t", worksA: true, worksB: true,
                                    outcomeA: "o", outcomeB: "o",
                                    firstDivergence: Divergence(packet: "request", step: 1, a: "comment \"a|b`<i>*\"", b: nil),
                                    onlyOnA: [], onlyOnB: [])]
        let md = MarkdownDiff.render(r)
        XCTAssertTrue(md.contains("<code>comment \"a&#124;b&#96;&lt;i&gt;&#42;\"</code>"), md)
        XCTAssertTrue(md.contains("  - B: <code>none</code>"))
    }
}
