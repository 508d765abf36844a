import Foundation
import HookwalkDiff
import HookwalkModel
import HookwalkParsers
import HookwalkTestSupport
import XCTest

/// `hookwalk diff` of two folders `hookwalk generate` wrote: read from their `scenarios.json` and
/// traces (no snapshot needed), the report is the one the snapshots give. Runs the built
/// executable, since generating is the render module's and this target does not link it.
final class GeneratedFolderTests: XCTestCase {
    /// `swift test` builds the executable next to the test bundle.
    static var binary: URL? { TestProcess.hookwalk }

    func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let r = try TestProcess.runHookwalk(args)
        return (r.status, r.stdout, r.stderr)
    }

    var work = ""

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("hookwalk-gendiff-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: work)
    }

    func generate(_ snapshot: String, _ name: String) throws -> String {
        let out = work + "/" + name
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates").path
        let r = try run(["generate", snapshot, "--out", out, "--templates", templates])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/scenarios.json"))
        return out
    }

    func testGeneratedFoldersDiffLikeTheirSnapshots() throws {
        let b = try DiffFixtures.era("b"), c = try DiffFixtures.era("c")
        let outB = try generate(b, "b"), outC = try generate(c, "c")
        let folders = try run(["diff", outB, outC, "--format", "json"])
        XCTAssertEqual(folders.status, 1, folders.stderr)
        let snapshots = try run(["diff", b, c, "--format", "json"])
        XCTAssertEqual(snapshots.status, 1, snapshots.stderr)
        // Only the side names differ (folder paths); every scenario compares the same.
        func scenarios(_ json: String) throws -> String {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let data = try JSONSerialization.data(withJSONObject: [object["scenarios"]!, object["counts"]!, object["settings"]!],
                                                  options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        XCTAssertEqual(try scenarios(folders.stdout), try scenarios(snapshots.stdout))
        // A folder against its own snapshot: the recorded traces are the simulated ones.
        let same = try run(["diff", outC, c])
        XCTAssertEqual(same.status, 0, same.stdout + same.stderr)
        XCTAssertTrue(same.stdout.contains("**Equivalent**"), same.stdout)
    }

    func testOutWritesReportAndDiagramsForFolders() throws {
        let outB = try generate(try DiffFixtures.era("b"), "b"), outC = try generate(try DiffFixtures.era("c"), "c")
        let report = work + "/report"
        let r = try run(["diff", outB, outC, "--out", report])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stdout, "", "with --out the Markdown goes to the folder, not stdout")
        let md = try String(contentsOfFile: report + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("(diagrams/direct-infranet-dhcp-udp-67-c1.svg)"), md)
        let svg = try String(contentsOfFile: report + "/diagrams/direct-infranet-dhcp-udp-67-c1.svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"), "rendered by Graphviz")
        XCTAssertTrue(FileManager.default.fileExists(atPath: report + "/diagrams/direct-infranet-dhcp-udp-67-c1.dot"))
        // --client means nothing for a generated folder: said, not ignored.
        let client = try run(["diff", outB, outC, "--client", "10.0.0.1"])
        XCTAssertEqual(client.status, 2)
        XCTAssertTrue(client.stderr.contains("--client applies to snapshots"), client.stderr)
    }
}
