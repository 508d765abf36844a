import Foundation
import XCTest

/// Lab cases built from the Docker-era snapshots of Tests/Fixtures: a copy in a temporary folder with the
/// ruleset files replaced (a variant's nft text, or iptables-save files) and files added or
/// overwritten (`docker-daemon.json`). Nothing is written to `Tests/Fixtures`.
struct DerivedSnapshot: Sendable {
    let path: String
    /// The `LabCases` entry this snapshot was built for (set by `LabCases.build`), nil otherwise.
    var labCase: String?

    /// Copies `Tests/Fixtures/docker-eras/snapshots/<base>` without its ruleset files, then writes
    /// `files` (name -> contents) and copies `copies` (name in the snapshot -> path of the source).
    init(base: String, files: [String: String] = [:], copies: [String: String] = [:]) throws {
        let source = try LabFixtures.path("docker-eras/snapshots/\(base)")
        path = NSTemporaryDirectory() + "hookwalk-derived-\(base)-\(UInt32.random(in: 0...0xFFFFFF))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        for f in try fm.contentsOfDirectory(atPath: source) where !f.hasPrefix("nft-ruleset") && !f.hasSuffix("tables-save.txt") {
            try fm.copyItem(atPath: source + "/" + f, toPath: path + "/" + f)
        }
        for (name, from) in copies { try fm.copyItem(atPath: from, toPath: path + "/" + name) }
        for (name, text) in files {
            try? fm.removeItem(atPath: path + "/" + name)
            try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
