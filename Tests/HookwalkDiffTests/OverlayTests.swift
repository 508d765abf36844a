import Foundation
import HookwalkDiff
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkTestSupport
import XCTest

/// The overlay diagrams of `hookwalk diff --out`, on the Docker 25-27 against Docker 28 pair:
/// every scenario whose path differs gets one, embedded in the report, with A-only and B-only
/// steps told apart and a legend.
final class OverlayTests: XCTestCase {
    func report() throws -> DiffReport {
        SnapshotDiff.compare(try SnapshotLoader.load(path: try DiffFixtures.era("b")),
                             try SnapshotLoader.load(path: try DiffFixtures.era("c")))
    }

    /// SVG rendering is the command's (Graphviz in process); here the DOT stands in for it.
    func files(_ r: DiffReport) throws -> [String: String] {
        try DiffOutput.files(r) { Array($0.utf8) }.mapValues { String(decoding: $0, as: UTF8.self) }
    }

    func testEveryDifferingScenarioHasAnOverlayInTheReport() throws {
        let r = try report()
        let files = try files(r)
        let md = try XCTUnwrap(files[DiffOutput.report])
        let differing = r.scenarios.filter { $0.status == .verdictChange || $0.status == .differentPath }
        XCTAssertEqual(differing.count, 9)
        XCTAssertEqual(files.keys.filter { $0.hasSuffix(".dot") }.count, differing.count)
        XCTAssertEqual(files.keys.filter { $0.hasSuffix(".svg") }.count, differing.count)
        for s in differing {
            XCTAssertFalse(s.paths.isEmpty, s.key.label)
        }
        XCTAssertTrue(md.contains("![overlay of A and B: direct access to dhcp 67/udp (network infranet), client 1]"
            + "(diagrams/direct-infranet-dhcp-udp-67-c1.svg)"), md)
        // The image sits under its scenario's details, after the verdict change's steps.
        let heading = try XCTUnwrap(md.range(of: "### direct access to dhcp 67/udp"))
        let image = try XCTUnwrap(md.range(of: "(diagrams/direct-infranet-dhcp-udp-67-c1.svg)"))
        XCTAssertLessThan(heading.lowerBound, image.lowerBound)
    }

    func testOverlayMarksEachSideAndHasALegend() throws {
        let files = try files(try report())
        let dot = try XCTUnwrap(files["diagrams/direct-infranet-dhcp-udp-67-c1.dot"])
        XCTAssertTrue(dot.contains("cluster_legend"))
        XCTAssertTrue(dot.contains("<B>only on A</B><BR ALIGN=\"CENTER\"/>docker-b"), dot)
        XCTAssertTrue(dot.contains("<B>only on B</B><BR ALIGN=\"CENTER\"/>docker-c"), dot)
        // Docker 28's raw drop is only on B, and B's request ends there while A's is delivered.
        XCTAssertTrue(dot.contains("<B>only on B</B><BR ALIGN=\"CENTER\"/>ip raw PREROUTING"), dot)
        XCTAssertTrue(dot.contains("<B>B ends</B><BR ALIGN=\"CENTER\"/>dropped by rule in ip raw PREROUTING"), dot)
        XCTAssertTrue(dot.contains("<B>A ends</B><BR ALIGN=\"CENTER\"/>delivered to container dhcp"), dot)
        XCTAssertTrue(dot.contains("color=\"#1c64b0\", penwidth=\"2\", style=\"dashed\""), "B's edges")
        XCTAssertTrue(dot.contains("color=\"#d9480f\", penwidth=\"2\"]"), "A's edges")
        // A packet only one side has (the reply: B's request never arrives) is drawn A-only.
        XCTAssertTrue(dot.contains("<B>reply</B>"), dot)
    }

    /// The DOT is the same twice, and Graphviz (in process, as `hookwalk diff --out` renders it)
    /// draws every overlay: both hosts' sides and the legend are in the SVG.
    func testDeterministicAndDrawnByGraphviz() throws {
        let a = try files(try report()), b = try files(try report())
        XCTAssertEqual(a, b)
        let drawn = try DiffOutput.files(try report()) { try GraphvizRenderer.render(dot: $0, format: "svg") }
        let svgs = drawn.filter { $0.key.hasSuffix(".svg") }
        XCTAssertEqual(svgs.count, 9)
        for (path, bytes) in svgs {
            let svg = String(decoding: bytes, as: UTF8.self)
            XCTAssertTrue(svg.contains("<svg"), path)
            XCTAssertTrue(svg.contains(">only on A</text>") && svg.contains(">only on B</text>") && svg.contains(">legend</text>"), "\(path): \(svg)")
        }
        let dhcp = String(decoding: try XCTUnwrap(drawn["diagrams/direct-infranet-dhcp-udp-67-c1.svg"]), as: UTF8.self)
        XCTAssertTrue(dhcp.contains(">B ends</text>") && dhcp.contains(">A ends</text>"), dhcp)
    }

    /// Names from a host go into labels as entities: they cannot end a label or add attributes.
    func testHostNamesAreInertInDOT() throws {
        var a = try SnapshotLoader.load(path: try DiffFixtures.era("b"))
        a.host.info.hostname = "web\">1 <script> & \\N"
        let r = SnapshotDiff.compare(a, try SnapshotLoader.load(path: try DiffFixtures.era("c")))
        let dot = try XCTUnwrap(try files(r).first { $0.key.hasSuffix(".dot") }?.value)
        XCTAssertTrue(dot.contains("web&quot;&gt;1 &lt;script&gt; &amp; \\N"), dot)
        XCTAssertFalse(dot.contains("<script>"))
    }

    func testOutRefusesAForeignFolderAndReplacesItsOwn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hookwalk-overlay-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try DiffOutput.files(try report()) { Array($0.utf8) }
        try DiffOutput.write(files, to: dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/report.md"))
        try DiffOutput.write(["report.md": Array("again\n".utf8), DiffOutput.marker: []], to: dir)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/diagrams"), "the earlier diff output is replaced")
        let foreign = dir + "-foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        XCTAssertTrue(FileManager.default.createFile(atPath: foreign + "/keep.txt", contents: Data("keep".utf8)))
        XCTAssertThrowsError(try DiffOutput.write(files, to: foreign))
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign + "/keep.txt"))
    }
}
