import Foundation
import HookwalkModel
import HookwalkProcess
import HookwalkTestSupport
import XCTest

/// `generate --out`: folders that cannot be replaced as a whole are refused with one line, and the
/// leftovers of a killed run are cleaned up by the next one (issue 14).
final class OutputFolderTests: XCTestCase {
    static let base = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile/base").path

    func run(_ args: [String], in dir: URL) throws -> (Int32, String) {
        guard let binary = CommandLineTests.binary else { throw HookwalkError("the hookwalk executable is not beside the test bundle") }
        let r = try TestProcess.run(binary, args, in: dir.path)
        return (r.status, r.stderr)
    }

    /// A working folder one level below a folder of its own, so that its parent holds nothing but
    /// it (the temporary folder itself may hold the repository, as in CI's clone under /tmp).
    func scratch() throws -> URL {
        let top = FileManager.default.temporaryDirectory.appendingPathComponent("hw-out-\(UUID().uuidString)")
        let dir = top.appendingPathComponent("cwd")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: top) }
        return dir
    }

    func assertRefused(_ out: String, in dir: URL, mentions: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let (status, stderr) = try run(["generate", Self.base, "--out", out], in: dir)
        XCTAssertEqual(status, 2, stderr, file: file, line: line)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr, file: file, line: line)
        XCTAssertTrue(stderr.contains(mentions), stderr, file: file, line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), before, "nothing moved", file: file, line: line)
    }

    func testUnreplaceableFoldersAreRefused() throws {
        let dir = try scratch()
        try Data("mine".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        try assertRefused(".", in: dir, mentions: "current folder")
        try assertRefused(dir.deletingLastPathComponent().path, in: dir, mentions: "current folder")
        try assertRefused("", in: dir, mentions: "--out is empty")
        try assertRefused(Self.base + "/docker-netns", in: dir, mentions: "inside the snapshot folder")
        try assertRefused(URL(fileURLWithPath: Self.base).deletingLastPathComponent().path, in: dir, mentions: "snapshot folder")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("notes.txt").path))
    }

    func testLeftoversOfKilledRunsAreCleanedUp() throws {
        let dir = try scratch()
        // A process that has exited: its PID names leftovers nobody owns.
        let gone = try TestProcess.start(["true"])
        gone.finish(timeout: 10)
        let pid = gone.pid
        let fm = FileManager.default
        let partial = dir.appendingPathComponent(".docs.hookwalk-new-\(pid)")
        let previous = dir.appendingPathComponent(".docs.hookwalk-old-\(pid)")
        try fm.createDirectory(at: partial.appendingPathComponent("scenarios"), withIntermediateDirectories: true)
        try fm.createDirectory(at: previous, withIntermediateDirectories: true)
        try Data("previous".utf8).write(to: previous.appendingPathComponent("index.md"))
        try Data().write(to: previous.appendingPathComponent(".hookwalk-output"))
        // A live process's staging folder (this test's) stays.
        let live = dir.appendingPathComponent(".docs.hookwalk-new-\(ProcessInfo.processInfo.processIdentifier)")
        try fm.createDirectory(at: live, withIntermediateDirectories: true)

        let (status, stderr) = try run(["generate", Self.base, "--out", "docs"], in: dir)
        XCTAssertEqual(status, 0, stderr)
        XCTAssertFalse(fm.fileExists(atPath: partial.path), "the partial tree of the dead run is removed")
        XCTAssertFalse(fm.fileExists(atPath: previous.path), "the previous output of the dead run is put back, then replaced")
        XCTAssertTrue(fm.fileExists(atPath: live.path), "a running process's staging folder is left alone")
        XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent("docs/index.md").path))
        XCTAssertNotEqual(try String(contentsOf: dir.appendingPathComponent("docs/index.md"), encoding: .utf8), "previous")
    }
}
