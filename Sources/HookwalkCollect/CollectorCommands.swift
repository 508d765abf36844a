import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkProcess

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

/// Runs the collector's read-only commands through `ProcessRunner`. A command prefix
/// (`ip netns exec lab`) runs them in another context, which is how the collector is tested in a
/// lab namespace; `LC_ALL=C` keeps error messages in the English the collector recognises
/// ("Operation not permitted").
struct CollectorCommands: Sendable {
    struct Output: Sendable {
        var record: CommandRecord
        var stdout: [UInt8]
        var stderr: String
        var ok: Bool { record.result == .ok }
    }

    var prefix: [String]
    var environment: [String: String]
    var timeout: Double
    /// A ruleset listing of several megabytes is normal; this bounds a runaway command.
    var outputLimit = 512 << 20

    func run(_ argv: [String], file: String? = nil) -> Output {
        let shown = argv.joined(separator: " ")
        func notRun(_ result: CommandRecord.Result, _ why: String) -> Output {
            Output(record: CommandRecord(command: shown, result: result, file: nil, error: why), stdout: [], stderr: why)
        }
        // The prefix runs the program from the same file system, so a local lookup answers for both.
        guard let program = ProcessRunner.lookup(argv[0], path: environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]) else {
            return notRun(.missing, "\(argv[0]): command not found")
        }
        let full = prefix + [program] + argv.dropFirst()
        guard let exe = ProcessRunner.lookup(full[0]) else { return notRun(.missing, "\(full[0]): command not found") }
        var env = environment
        env["LC_ALL"] = "C"
        let o: ProcessOutput
        do {
            o = try ProcessRunner.runBlocking([exe] + full.dropFirst(), environment: env, timeout: timeout, outputLimit: outputLimit)
        } catch let e as ProcessError {
            return notRun(e.kind == .notFound ? .missing : .failed, e.description)
        } catch {
            return notRun(.failed, "\(argv[0]): \(error)")
        }
        if o.succeeded {
            return Output(record: CommandRecord(command: shown, result: .ok, status: 0, file: file), stdout: o.stdout, stderr: o.stderrText)
        }
        let why = o.timedOut ? "timed out after \(Int(timeout)) s" : Self.firstLine(o.stderrText) ?? "exit status \(o.status)"
        return Output(record: CommandRecord(command: shown, result: .failed, status: o.status, error: why), stdout: o.stdout, stderr: o.stderrText)
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
