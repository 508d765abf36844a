import Foundation
import HookwalkModel

/// What became of one command `hookwalk collect` ran: the record `host.json` keeps, so a snapshot
/// says what it is missing and why ("docker: not found", "nft: Operation not permitted").
public struct CommandRecord: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Hashable, Codable {
        /// Ran and exited 0.
        case ok
        /// Ran and failed (non-zero exit, or killed after the time limit).
        case failed
        /// The program is not installed.
        case missing
        /// The file it reads does not exist (`/etc/docker/daemon.json` on a default install).
        case absent
        /// Not run, because an earlier command showed it could not work (no Docker daemon).
        case skipped
    }

    /// The command as a person would type it (without the collector's command prefix).
    public var command: String
    public var result: Result
    /// The exit status, when the command ran.
    public var status: Int32?
    /// The snapshot file its output went to.
    public var file: String?
    /// One line: the first line of stderr, or why it was not run.
    public var error: String?

    public init(command: String, result: Result, status: Int32? = nil, file: String? = nil, error: String? = nil) {
        self.command = command
        self.result = result
        self.status = status
        self.file = file
        self.error = error
    }
}

/// Runs the collector's read-only commands. A command prefix (`ip netns exec lab`) runs them in
/// another context, which is how the collector is tested in a lab namespace; `LC_ALL=C` keeps error
/// messages in the English the collector recognises ("Operation not permitted").
struct CommandRunner: Sendable {
    struct Output: Sendable {
        var record: CommandRecord
        var stdout: [UInt8]
        var stderr: String
        var ok: Bool { record.result == .ok }
    }

    var prefix: [String]
    var environment: [String: String]
    var timeout: Double
    /// Where stdout/stderr files are written while a command runs (files, not pipes: a ruleset of
    /// several megabytes can never block the child on a full pipe).
    var scratch: String

    /// The absolute path of a program on PATH, plus the sbin folders a non-login PATH lacks.
    static func which(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in ((path ?? "") + ":/usr/sbin:/sbin:/usr/bin:/bin:/usr/local/sbin:/usr/local/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    func run(_ argv: [String], file: String? = nil) -> Output {
        let shown = argv.joined(separator: " ")
        func notRun(_ result: CommandRecord.Result, _ why: String) -> Output {
            Output(record: CommandRecord(command: shown, result: result, file: nil, error: why), stdout: [], stderr: why)
        }
        // The prefix runs the program from the same file system, so a local lookup answers for both.
        guard let program = Self.which(argv[0], path: environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]) else { return notRun(.missing, "\(argv[0]): command not found") }
        let full = prefix + [program] + argv.dropFirst()
        guard let exe = Self.which(full[0]) else { return notRun(.missing, "\(full[0]): command not found") }
        let id = UUID().uuidString.prefix(8)
        let outPath = "\(scratch)/\(id).out", errPath = "\(scratch)/\(id).err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil),
              let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            return notRun(.failed, "cannot create temporary files in \(scratch)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = Array(full.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            return notRun(.failed, "\(argv[0]): cannot start: \(error.localizedDescription)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(2_000) }
        let timedOut = p.isRunning
        if timedOut { p.terminate() }
        p.waitUntilExit()
        try? out.close()
        try? err.close()
        let stdout = [UInt8](FileManager.default.contents(atPath: outPath) ?? Data())
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        let status = p.terminationStatus
        if !timedOut && status == 0 {
            return Output(record: CommandRecord(command: shown, result: .ok, status: 0, file: file), stdout: stdout, stderr: stderr)
        }
        let why = timedOut ? "timed out after \(Int(timeout)) s" : Self.firstLine(stderr) ?? "exit status \(status)"
        return Output(record: CommandRecord(command: shown, result: .failed, status: status, error: why), stdout: stdout, stderr: stderr)
    }

    /// The first non-empty line, trimmed and cut to 300 characters: `host.json` keeps one line per command.
    static func firstLine(_ text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty { return String(t.prefix(300)) }
        }
        return nil
    }
}
