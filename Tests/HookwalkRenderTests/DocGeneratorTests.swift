import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import XCTest

final class DocGeneratorTests: XCTestCase {
    func generator() throws -> DocGenerator {
        try DocGenerator(templatesDirectory: Seed.templatesDirectory)
    }

    func tree(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        for case let path as String in fm.enumerator(atPath: dir)! {
            var isDir: ObjCBool = false
            let full = (dir as NSString).appendingPathComponent(path)
            if fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { out[path] = fm.contents(atPath: full) }
        }
        return out
    }

    func testWritesTheTree() throws {
        let out = Seed.tempDir("tree")
        try generator().generate(snapshot: try Seed.snapshot(), scenarios: [Seed.radiusDoc()], outDir: out, png: false)
        let files = try tree(out).keys.sorted()
        let id = "radius-udp-1812-from-10.254.10.105"
        for f in ["index.md", "scenarios/\(id).md", "diagrams/\(id)-request.dot", "diagrams/\(id)-request.svg",
                  "diagrams/\(id)-reply.dot", "diagrams/\(id)-reply.svg", "diagrams/overview.dot", "diagrams/overview.svg"] {
            XCTAssertTrue(files.contains(f), "\(f) missing from \(files)")
        }
        XCTAssertFalse(files.contains { $0.hasSuffix(".png") })
        let index = String(decoding: try tree(out)["index.md"]!, as: UTF8.self)
        XCTAssertTrue(index.contains("[radius 1812/udp from 10.254.10.105](scenarios/\(id).md)"), index)
        XCTAssertTrue(index.contains("| infraserv\\_infranet | bridge | docker1 | 172.20.0.0/24 | 172.20.0.1 |"), index)
    }

    func testTwoRunsAreByteIdentical() throws {
        let a = Seed.tempDir("run-a"), b = Seed.tempDir("run-b")
        let docs = [Seed.radiusDoc(), Seed.radiusDoc(id: "second", title: "second copy")]
        try generator().generate(snapshot: try Seed.snapshot(), scenarios: docs, outDir: a, png: true)
        try generator().generate(snapshot: try Seed.snapshot(), scenarios: docs, outDir: b, png: true)
        let ta = try tree(a), tb = try tree(b)
        XCTAssertEqual(ta.keys.sorted(), tb.keys.sorted())
        for (k, v) in ta { XCTAssertEqual(v, tb[k], k) }
        XCTAssertTrue(ta.keys.contains { $0.hasSuffix(".png") })
        // Regenerating over an existing output replaces it.
        try generator().generate(snapshot: try Seed.snapshot(), scenarios: [Seed.radiusDoc()], outDir: a, png: false)
        XCTAssertFalse(try tree(a).keys.contains { $0.hasPrefix("scenarios/second") })
    }

    func testRefusesToReplaceAForeignFolder() throws {
        let out = Seed.tempDir("foreign")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: out + "/precious.txt", contents: Data("keep".utf8)))
        XCTAssertThrowsError(try generator().generate(snapshot: try Seed.snapshot(), scenarios: [Seed.radiusDoc()], outDir: out, png: false))
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/precious.txt"), Data("keep".utf8))
        let siblings = try FileManager.default.contentsOfDirectory(atPath: (out as NSString).deletingLastPathComponent)
        XCTAssertFalse(siblings.contains { $0.contains("hookwalk-new") }, "\(siblings)")
    }

    func testMissingTemplatesAreAClearError() {
        XCTAssertThrowsError(try DocGenerator(templatesDirectory: "/nonexistent/templates")) { error in
            XCTAssertTrue((error as? HookwalkError)?.description.contains("templates folder not found") ?? false, "\(error)")
        }
    }
}
