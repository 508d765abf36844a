import Foundation
import HookwalkTestSupport
import XCTest

/// The repository is the whole project: no source, test or script reads a path outside it (only
/// the nft corpus locator may look beside it), and every skip goes through the one place that
/// logs it (the parallel runner would otherwise hide it).
final class RepositoryTests: XCTestCase {
    /// Every file under `dirs` (relative to the repository) whose text contains `needle`.
    func files(in dirs: [String], containing needle: String, except allowed: Set<String>) throws -> [String] {
        let fm = FileManager.default
        var hits: [String] = []
        for dir in dirs {
            let root = TestPaths.repository + "/" + dir
            guard let e = fm.enumerator(atPath: root) else { continue }
            while let rel = e.nextObject() as? String {
                let path = dir + "/" + rel
                guard !allowed.contains(path), !rel.hasPrefix("Fixtures/"), !path.hasPrefix("Tests/Fixtures/") else { continue }
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
                      let data = fm.contents(atPath: root + "/" + rel) else { continue }
                if String(decoding: data, as: UTF8.self).contains(needle) { hits.append(path) }
            }
        }
        return hits.sorted()
    }

    func testNothingReadsOutsideTheRepositoryButTheCorpusLocator() throws {
        let needle = "../" + "shared"
        let hits = try files(in: ["Sources", "Tests", "scripts"], containing: needle,
                             except: ["Tests/HookwalkTestSupport/TestPaths.swift", "Tests/HookwalkParsersTests/RepositoryTests.swift"])
        XCTAssertEqual(hits, [], "these name \(needle), which a fresh clone does not have")
    }

    func testEverySkipGoesThroughTheSkipLog() throws {
        let needle = "XCT" + "Skip("
        let hits = try files(in: ["Tests"], containing: needle,
                             except: ["Tests/HookwalkTestSupport/TestPaths.swift", "Tests/HookwalkParsersTests/RepositoryTests.swift"])
        XCTAssertEqual(hits, [], "skip with LabRequirement.unmet or NftCorpus (Tests/HookwalkTestSupport), so the skip is logged and CI can refuse it")
    }
}
