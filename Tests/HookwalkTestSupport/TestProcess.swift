import Foundation
import HookwalkProcess
import XCTest

/// What a child process printed and how it ended.
public struct ProcessResult: Sendable {
    /// The exit status, or 128 + the signal that ended it (as a shell says).
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// stdout as it came, for a test that looks at bytes (control characters, invalid UTF-8).
    public var stdoutBytes: [UInt8]
    public init(status: Int32, stdout: String, stderr: String, stdoutBytes: [UInt8]? = nil) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutBytes = stdoutBytes ?? Array(stdout.utf8)
    }

    /// stdout then stderr, for a failure message.
    public var output: String { stdout + stderr }
}

/// Runs programs for the tests: the built `hookwalk` and the repository's scripts, through
/// `HookwalkProcess.ProcessRunner`.
public enum TestProcess {
    /// The `hookwalk` executable `swift test` builds beside the test bundle.
    public static var hookwalk: URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("hookwalk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// Runs the built `hookwalk` with `args`; a missing executable is a failure, not a skip.
    public static func runHookwalk(_ args: [String], in directory: String? = nil) throws -> ProcessResult {
        let binary = try XCTUnwrap(hookwalk, "the hookwalk executable is not beside the test bundle")
        return try run(binary, args, in: directory)
    }

    /// Runs `executable` through the project's process runner (both pipes read at once). A test's
    /// child gets 10 minutes: a hang is a failure with the output so far, not a stuck suite.
    public static func run(_ executable: URL, _ args: [String], in directory: String? = nil) throws -> ProcessResult {
        try run([executable.path] + args, in: directory)
    }

    /// Runs `argv` through the project's process runner: a name is looked up as hookwalk looks one
    /// up (PATH, then /usr/sbin and /sbin), stdout and stderr are read apart and at once, `stdin`
    /// (if given) is the child's input, and a hang past `timeout` seconds is a failure with the
    /// output so far. The one way the tests run programs; throws `ProcessError` when the program
    /// is not found or cannot start.
    public static func run(_ argv: [String], stdin: [UInt8]? = nil, in directory: String? = nil,
                           timeout: Double = 600) throws -> ProcessResult {
        let o = try ProcessRunner.runBlocking(argv, stdin: stdin, workingDirectory: directory, timeout: timeout, outputLimit: 1 << 30)
        if o.timedOut { XCTFail("\(argv.joined(separator: " ")): timed out after \(timeout) s") }
        return ProcessResult(status: o.status, stdout: o.stdoutText, stderr: o.stderrText, stdoutBytes: o.stdout)
    }

    /// `run` for a check whose failure to start is only a failed check (status -1, the reason in
    /// stderr), as cleanup and probes want.
    public static func status(_ argv: [String], timeout: Double = 600) -> ProcessResult {
        do { return try run(argv, timeout: timeout) } catch { return ProcessResult(status: -1, stdout: "", stderr: "\(error)") }
    }

    /// A long-lived child (a listener, a sleeper in a namespace), stopped by the caller.
    public static func start(_ argv: [String]) throws -> RunningProcess { try RunningProcess.start(argv) }
}
