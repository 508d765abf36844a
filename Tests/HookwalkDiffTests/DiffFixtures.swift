import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkTestSupport
import XCTest

/// Snapshots for the diff tests: the repository's fixtures (`Tests/Fixtures`) and edited copies in a
/// temp dir.
enum DiffFixtures {
    static func fixture(_ relative: String) throws -> String { TestPaths.fixture(relative) }

    static func era(_ letter: String) throws -> String { try fixture("docker-eras/snapshots/docker-\(letter)") }

    /// `Examples/seed-centos8` of this repository.
    static let example: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/seed-centos8").path

    /// A copy of `snapshot` in a fresh temp dir, with `edit` applied to the copy's folder.
    static func copy(_ snapshot: String, edit: (String) throws -> Void) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hookwalk-diff-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let copy = dir + "/snap"
        try FileManager.default.copyItem(atPath: snapshot, toPath: copy)
        try edit(copy)
        return copy
    }

    static func rewrite(_ file: String, _ transform: (String) throws -> String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try transform(text).write(toFile: file, atomically: true, encoding: .utf8)
    }

    static func removeCopy(_ copy: String) {
        try? FileManager.default.removeItem(atPath: (copy as NSString).deletingLastPathComponent)
    }
}
