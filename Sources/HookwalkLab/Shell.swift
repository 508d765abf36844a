import Foundation
import HookwalkModel

/// Runs the lab's commands (`ip`, `nft`, `python3`) with Foundation's `Process`. Output goes to
/// temporary files rather than pipes: a process that writes more than a pipe holds can then never
/// block, and a background process's output can be read while it runs.
struct Shell: Sendable {
    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Where the lab's temporary files go; removed by `LabCleanup`.
    let workDir: String

    /// The absolute path of a program on PATH (plus the sbin folders that sudo's PATH may lack).
    static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/bin:/bin:/usr/local/bin:/usr/local/sbin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs to completion; kills the command after `timeout` seconds.
    @discardableResult
    func run(_ argv: [String], timeout: Double = 10) throws -> Output {
        let bg = try start(argv)
        let deadline = Date().addingTimeInterval(timeout)
        while bg.process.isRunning && Date() < deadline { usleep(2_000) }
        if bg.process.isRunning { bg.stop() }
        bg.process.waitUntilExit()
        let out = Output(status: bg.process.terminationStatus, stdout: bg.stdout(), stderr: bg.stderr())
        bg.removeFiles()
        return out
    }

    /// Runs and throws a one-line `HookwalkError` with the command's stderr when it fails.
    @discardableResult
    func check(_ argv: [String], timeout: Double = 10) throws -> String {
        let o = try run(argv, timeout: timeout)
        guard o.status == 0 else {
            let err = o.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw HookwalkError(.none, "lab: `\(argv.joined(separator: " "))` failed (exit \(o.status))" + (err.isEmpty ? "" : ": \(err)"))
        }
        return o.stdout
    }

    func start(_ argv: [String]) throws -> Background {
        guard let exe = argv.first.flatMap({ $0.hasPrefix("/") ? $0 : Shell.which($0) }) else {
            throw HookwalkError(.none, "lab: \(argv.first ?? "?") not found on PATH")
        }
        let id = UUID().uuidString.prefix(8)
        let outPath = "\(workDir)/\(id).out", errPath = "\(workDir)/\(id).err"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil) else {
            throw HookwalkError(.none, "lab: cannot create files in \(workDir)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = Array(argv.dropFirst())
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        LabCleanup.shared.track(pid: p.processIdentifier)
        return Background(process: p, outPath: outPath, errPath: errPath)
    }
}

/// A started command whose output is read from its files while it runs.
final class Background: @unchecked Sendable {
    let process: Process
    let outPath: String
    let errPath: String

    init(process: Process, outPath: String, errPath: String) {
        self.process = process
        self.outPath = outPath
        self.errPath = errPath
    }

    func stdout() -> String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    func stderr() -> String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Polls stdout until `predicate` holds or `timeout` passes; true when it held.
    func wait(timeout: Double, until predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if predicate(stdout()) { return true }
            if !process.isRunning { return predicate(stdout()) }
            usleep(5_000)
        } while Date() < deadline
        return false
    }

    /// Waits for the process to exit on its own, up to `timeout`; then terminates it.
    func finish(timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        stop()
    }

    /// SIGTERM, then SIGKILL after 0.5 s.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(0.5)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        LabCleanup.shared.untrack(pid: process.processIdentifier)
    }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
}
