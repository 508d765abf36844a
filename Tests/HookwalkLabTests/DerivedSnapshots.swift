import Foundation
import XCTest

/// Lab cases built from the shared Docker-era snapshots: a copy in a temporary folder with the
/// ruleset files replaced (a variant's nft text, or iptables-save files) and files added or
/// overwritten (`docker-daemon.json`). Nothing is written to `shared/`.
struct DerivedSnapshot {
    let path: String

    /// Copies `shared/fixtures/docker-eras/snapshots/<base>` without its ruleset files, then writes
    /// `files` (name -> contents) and copies `copies` (name in the snapshot -> path of the source).
    init(base: String, files: [String: String] = [:], copies: [String: String] = [:]) throws {
        let source = try LabFixtures.path("fixtures/docker-eras/snapshots/\(base)")
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
