import Foundation
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

/// Runs programs for the tests: the built `hookwalk` and the repository's scripts. One copy, so
/// every test reads a child's two pipes at once (a child that fills stderr while the test waits
/// on stdout would otherwise block both forever).
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

    public static func run(_ executable: URL, _ args: [String], in directory: String? = nil) throws -> ProcessResult {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let errData = Box()
        let group = DispatchGroup()
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async(group: group) { errData.set(errHandle.readDataToEndOfFile()) }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                             stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// The stderr bytes, handed from the reading thread to the caller.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
        func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
    }
}
