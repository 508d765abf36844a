import Foundation
import HookwalkProcess
import XCTest

/// What a child process printed and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
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
        let o = try ProcessRunner.runBlocking([executable.path] + args, workingDirectory: directory, timeout: 600,
                                              outputLimit: 1 << 30)
        if o.timedOut { XCTFail("\(executable.lastPathComponent) \(args.joined(separator: " ")): timed out") }
        return ProcessResult(status: o.status, stdout: o.stdoutText, stderr: o.stderrText)
    }
}
