import Foundation
import HookwalkModel
import HookwalkRender
import XCTest

final class GraphvizRendererTests: XCTestCase {
    let small = "digraph g { a -> b; b -> c; }"

    func testRendersSVG() throws {
        let svg = String(decoding: try GraphvizRenderer.render(dot: small, format: "svg"), as: UTF8.self)
        XCTAssertTrue(svg.hasPrefix("<?xml"), String(svg.prefix(40)))
        XCTAssertTrue(svg.contains("<svg"))
    }

    func testRendersPNG() throws {
        let png = try GraphvizRenderer.render(dot: small, format: "png")
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testBrokenDOTIsAnErrorNotACrash() throws {
        XCTAssertThrowsError(try GraphvizRenderer.render(dot: "digraph { a -> ; ]]] ", format: "svg")) { error in
            guard let e = error as? HookwalkError else { return XCTFail("not a HookwalkError: \(error)") }
            XCTAssertTrue(e.message.contains("Graphviz"), e.message)
        }
        // The library is still usable afterwards.
        XCTAssertNoThrow(try GraphvizRenderer.render(dot: small, format: "svg"))
    }

    func testUnknownFormatIsAnError() {
        XCTAssertThrowsError(try GraphvizRenderer.render(dot: small, format: "exe")) { error in
            XCTAssertTrue(error is HookwalkError)
        }
    }

    func testConcurrentRenders() throws {
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 24) { i in
            let dot = "digraph g\(i) { n\(i) -> m\(i); m\(i) -> o; o -> n\(i); }"
            let format = i % 3 == 0 ? "png" : "svg"
            do {
                let bytes = try GraphvizRenderer.render(dot: dot, format: format)
                let ok = format == "png" ? bytes.starts(with: [0x89, 0x50]) : String(decoding: bytes, as: UTF8.self).contains("n\(i)")
                results.add(ok)
            } catch {
                results.add(false)
            }
        }
        XCTAssertEqual(results.values.count, 24)
        XCTAssertTrue(results.values.allSatisfy { $0 })
    }

    func testSameInputSameBytes() throws {
        XCTAssertEqual(try GraphvizRenderer.render(dot: small, format: "svg"), try GraphvizRenderer.render(dot: small, format: "svg"))
    }
}

/// Collects results from `concurrentPerform` workers.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Bool] = []
    func add(_ v: Bool) { lock.lock(); stored.append(v); lock.unlock() }
    var values: [Bool] { lock.lock(); defer { lock.unlock() }; return stored }
}
