import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// The repository's fixtures (`Tests/Fixtures`, see its README), by path relative to that folder.
enum Fixtures {
    static func path(_ relative: String) throws -> String { TestPaths.fixture(relative) }

    static func snapshot(_ relative: String) throws -> Snapshot {
        try SnapshotLoader.load(path: try path(relative))
    }

    static func simulator(_ relative: String) throws -> Simulator {
        Simulator(snapshot: try snapshot(relative))
    }
}
