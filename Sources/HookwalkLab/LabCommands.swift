import Foundation
import HookwalkModel
import HookwalkProcess

/// The lab's commands (`ip`, `nft`, `python3`) through the project's one process runner, with the
/// lab's error wording and its registry of children to kill on SIGINT (`LabCleanup`).
struct LabCommands: Sendable {
    /// Where the lab's temporary files go; removed by `LabCleanup`.
    let workDir: String

    /// Runs to completion; the command is ended (TERM, then KILL) after `timeout` seconds.
    @discardableResult
    func run(_ argv: [String], timeout: Double = 10) throws -> ProcessOutput {
        do { return try ProcessRunner.runBlocking(argv, timeout: timeout) } catch let e as ProcessError {
            throw HookwalkError(.none, "lab: \(e.description)")
        }
    }

    /// Runs and throws a one-line `HookwalkError` with the command's stderr when it fails.
    @discardableResult
    func check(_ argv: [String], timeout: Double = 10) throws -> String {
        let o = try run(argv, timeout: timeout)
        guard o.succeeded else {
            let err = o.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            let how = o.timedOut ? "timed out after \(timeout) s" : "exit \(o.status)"
            throw HookwalkError(.none, "lab: `\(argv.joined(separator: " "))` failed (\(how))" + (err.isEmpty ? "" : ": \(err)"))
        }
        return o.stdoutText
    }

    /// Starts a long-lived child (monitor, server, proxy); `stop(_:)` ends it.
    func start(_ argv: [String]) throws -> RunningProcess {
        let p: RunningProcess
        do { p = try RunningProcess.start(argv) } catch let e as ProcessError {
            throw HookwalkError(.none, "lab: \(e.description)")
        }
        LabCleanup.shared.track(pid: p.pid)
        return p
    }

    func stop(_ p: RunningProcess) {
        p.stop()
        LabCleanup.shared.untrack(pid: p.pid)
    }
}
