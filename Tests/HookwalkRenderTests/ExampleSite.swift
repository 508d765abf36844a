import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// The example host (`Examples/seed-centos8`) rendered as `scripts/example` renders it, and the
/// repository's fixtures (`Tests/Fixtures`).
enum ExampleSite {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let examplePath = repository + "/Examples/seed-centos8"
    /// The client `scripts/example` passes with `--client`.
    static let client = IPAddress("10.254.10.105")!

    static func fixture(_ relative: String) throws -> String { TestPaths.fixture(relative) }

    static func host(_ path: String) throws -> SiteHost {
        let snapshot = try SnapshotLoader.load(path: path)
        return SiteHost(name: HostDocuments.name(snapshot: snapshot, path: path), snapshot: snapshot,
                        scenarios: HostDocuments.scenarios(snapshot: snapshot, clients: [client]),
                        clients: [client])
    }

    static func generator() throws -> DocGenerator {
        try DocGenerator(templatesDirectory: repository + "/Templates")
    }

    /// What `scripts/example` writes into `Output/`, marker included.
    static func outputTree() throws -> [String: [UInt8]] {
        var files = try generator().render(hosts: [try host(examplePath)], layout: .plain, png: false)
        files[DocGenerator.markerFile] = Array(DocGenerator.markerContents.utf8)
        return files
    }

    /// Every file below `dir`, by relative path (dot files included).
    static func readTree(_ dir: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: dir) else { return out }
        for case let path as String in walker {
            var isDir: ObjCBool = false
            let full = dir + "/" + path
            if fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue, let data = fm.contents(atPath: full) {
                out[path] = Array(data)
            }
        }
        return out
    }
}
