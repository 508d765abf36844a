import Foundation
import HookwalkRender
import XCTest

/// `Output/` is the committed documentation of the example host. This test renders the example in
/// memory exactly as `scripts/example` does and compares it with the committed tree, so CI fails
/// when a change to the simulator, the renderers or the templates was not followed by
/// `scripts/example`.
///
/// Markdown, DOT and the marker are compared byte for byte: hookwalk alone decides their bytes.
/// SVGs are only required to exist: Graphviz measures label text with the fonts installed on the
/// machine (through pango) and writes its own version into the file, so the same DOT gives
/// different SVG bytes on machines with different fonts or Graphviz versions. The `.dot` beside
/// each SVG is what pins the diagram's content.
final class OutputDriftTests: XCTestCase {
    func testCommittedOutputIsCurrent() throws {
        let committedDir = ExampleSite.repository + "/Output"
        let committed = ExampleSite.readTree(committedDir)
        guard !committed.isEmpty else {
            return XCTFail("Output/ is empty or missing: run scripts/example")
        }
        let expected = try ExampleSite.outputTree()
        let paths = Set(committed.keys).union(expected.keys).sorted()
        for path in paths {
            guard let want = expected[path] else {
                return XCTFail("Output/\(path) is stale: hookwalk no longer writes it. Run scripts/example")
            }
            guard let have = committed[path] else {
                return XCTFail("Output/\(path) is missing: run scripts/example")
            }
            if path.hasSuffix(".svg") {
                XCTAssertTrue(have.starts(with: Array("<?xml".utf8)), "Output/\(path) is not an SVG: run scripts/example")
                continue
            }
            if want != have {
                return XCTFail("Output/\(path) is stale (first stale file): run scripts/example")
            }
        }
    }

    func testMarkerHoldsNothingMachineSpecific() throws {
        let marker = DocGenerator.markerContents
        for word in ["/", "20", ProcessInfo.processInfo.hostName] where !word.isEmpty {
            XCTAssertFalse(marker.contains(word), "marker mentions \(word): \(marker)")
        }
    }
}
