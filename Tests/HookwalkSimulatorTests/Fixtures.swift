import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Finds `shared/` (the fixtures laid beside the repository) from this file's location, so the
/// tests run the same in a developer's tree and in CI's fresh clone.
enum Fixtures {
    static let shared: String? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("shared/fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return dir.appendingPathComponent("shared").path }
            let sibling = dir.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
            if FileManager.default.fileExists(atPath: sibling.path) {
                return dir.deletingLastPathComponent().appendingPathComponent("shared").path
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    static func path(_ relative: String) throws -> String {
        guard let shared else { throw XCTSkip("the shared fixtures folder is not beside the repository") }
        return shared + "/" + relative
    }

    static func snapshot(_ relative: String) throws -> Snapshot {
        try SnapshotLoader.load(path: try path(relative))
    }

    static func simulator(_ relative: String) throws -> Simulator {
        Simulator(snapshot: try snapshot(relative), ruleText: NftTextWriter.ruleText)
    }
}
