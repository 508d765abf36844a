import Dispatch
import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// How a child ended and what it printed.
public struct ProcessOutput: Sendable {
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signaled(Int32)
    }

    public var termination: Termination
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The time limit passed and the child was ended (SIGTERM, then SIGKILL after 500 ms).
    public var timedOut: Bool

    /// The exit status, or 128 + the signal that ended the child (as a shell reports it).
    public var status: Int32 {
        switch termination {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
    }

    /// Exited 0 within its time limit.
    public var succeeded: Bool { !timedOut && termination == .exited(0) }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Why a child could not be run to the end.
public struct ProcessError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Not on PATH, nor in /usr/sbin or /sbin (or the given path is not an executable file).
        case notFound
        /// Found but could not be started.
        case cannotStart
        /// Printed more than the output limit; it was ended.
        case outputLimit
    }

    public var kind: Kind
    public var program: String
    public var detail: String

    public var description: String {
        switch kind {
        case .notFound: "\(program): command not found"
        case .cannotStart: "\(program): cannot start: \(detail)"
        case .outputLimit: "\(program): printed more than \(detail) bytes; stopped"
        }
    }
}

/// The project's one way to run a program (`nft`, `ip`, `docker`, `nsenter`, `python3`, the built
/// `hookwalk`), on swift-subprocess: stdout and stderr are read at the same time (a child that
/// fills one pipe while the other is read can never block), a time limit ends the child with
/// SIGTERM and, 500 ms later, SIGKILL, and the output kept is bounded.
public enum ProcessRunner {
    /// Searched after PATH: the sbin folders that a user's or sudo's PATH may lack (`ip`, `nft`).
    public static let fallbackDirectories = ["/usr/sbin", "/sbin"]

    /// How long a child has between SIGTERM and SIGKILL.
    public static let killGrace: Duration = .milliseconds(500)

    /// The one executable lookup: a name with a `/` is taken as a path; otherwise each absolute
    /// folder of `path` (default: this process's PATH) in order, then `fallbackDirectories`.
    public static func lookup(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if name.isEmpty { return nil }
        if name.contains("/") { return isExecutableFile(name) ? name : nil }
        let dirs = (path ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") } + fallbackDirectories
        for dir in dirs {
            let candidate = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// stat(2) and access(2), not FileManager: Foundation misjudges relative symlinks (Debian's
    /// /usr/bin/dot).
    static func isExecutableFile(_ p: String) -> Bool {
        var st = stat()
        guard stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(p, X_OK) == 0
    }

    /// Runs `argv` to its end or to `timeout` seconds. `environment` is added to this process's;
    /// its PATH (if given) is the one the program is looked up in.
    public static func run(_ argv: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:],
                           workingDirectory: String? = nil, timeout: Double = 10,
                           outputLimit: Int = 64 << 20) async throws -> ProcessOutput {
        let config = try configuration(argv, environment: environment, workingDirectory: workingDirectory)
        let sink = OutputSink(limit: outputLimit)
        let status = try await execute(config, program: argv[0], stdin: stdin, sink: sink, timeout: timeout)
        let (out, err, reason) = sink.snapshot()
        if reason == .outputLimit {
            throw ProcessError(kind: .outputLimit, program: argv[0], detail: String(outputLimit))
        }
        return ProcessOutput(termination: Termination(status), stdout: out, stderr: err, timedOut: reason == .timeout)
    }

    /// `run` for synchronous callers (the lab, the collector, the tests): blocks this thread, not
    /// a Swift concurrency one, until the child has ended.
    public static func runBlocking(_ argv: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:],
                                   workingDirectory: String? = nil, timeout: Double = 10,
                                   outputLimit: Int = 64 << 20) throws -> ProcessOutput {
        let box = ResultBox<ProcessOutput>()
        Task.detached {
            do {
                box.set(.success(try await run(argv, stdin: stdin, environment: environment, workingDirectory: workingDirectory,
                                               timeout: timeout, outputLimit: outputLimit)))
            } catch {
                box.set(.failure(error))
            }
        }
        return try box.wait().get()
    }

    typealias Termination = ProcessOutput.Termination

    static func configuration(_ argv: [String], environment: [String: String], workingDirectory: String?) throws -> Configuration {
        guard let name = argv.first else { throw ProcessError(kind: .notFound, program: "", detail: "") }
        guard let exe = lookup(name, path: environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]) else {
            throw ProcessError(kind: .notFound, program: name, detail: "")
        }
        var updates: [Environment.Key: String?] = [:]
        for (k, v) in environment { updates[Environment.Key(stringLiteral: k)] = v }
        var options = PlatformOptions()
        // Also on cancellation (a lab run that is interrupted): TERM, then KILL.
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: killGrace)]
        return Configuration(executable: .path(FilePath(exe)), arguments: Arguments(Array(argv.dropFirst())),
                             environment: updates.isEmpty ? .inherit : .inherit.updating(updates),
                             workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: options)
    }

    /// Starts the child with `stdin` as its input (nil: the null device), pumps both pipes into
    /// `sink` concurrently, and ends the child when `timeout` passes, the output limit is crossed
    /// or `sink.requestStop` is called.
    static func execute(_ config: Configuration, program: String, stdin: [UInt8]?, sink: OutputSink,
                        timeout: Double?) async throws -> TerminationStatus {
        guard let stdin else {
            return try await execute(config, program: program, input: .none, sink: sink, timeout: timeout) { _ in }
        }
        _ = ignoreSIGPIPE
        return try await execute(config, program: program, input: .inputWriter, sink: sink, timeout: timeout) { execution in
            // Written here, not with `.array`: a child that ends without reading all of its stdin
            // makes the write fail (EPIPE), and then Subprocess's own writer (1.0) is never
            // finished and traps on the open pipe ("FileDescriptor ... was not closed"). Here the
            // failed write is dropped (the child's status and output say what happened) and the
            // writer is always finished.
            let writer = execution.standardInputWriter
            _ = try? await writer.write(stdin)
            try? await writer.finish()
        }
    }

    static func execute<I: InputProtocol>(_ config: Configuration, program: String, input: I, sink: OutputSink, timeout: Double?,
                                          feed: @escaping @Sendable (Execution<I, SequenceOutput, SequenceOutput>) async -> Void)
        async throws -> TerminationStatus {
        let result: ExecutionResult<Void, SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(config, input: input, output: .sequence, error: .sequence) { execution in
                sink.started(pid: execution.processIdentifier.value)
                await withTaskGroup(of: Event.self) { group in
                    group.addTask { await feed(execution); return .inputWritten }
                    group.addTask { await pump(execution.standardOutput, sink, stdout: true); return .endOfOutput }
                    group.addTask { await pump(execution.standardError, sink, stdout: false); return .endOfOutput }
                    group.addTask { .stop(await sink.nextStopReason(timeout: timeout)) }
                    var ended = 0
                    while let event = await group.next() {
                        switch event {
                        case .endOfOutput:
                            ended += 1
                            if ended == 2 { group.cancelAll() }
                        case .stop(let reason?):
                            sink.mark(reason)
                            await execution.teardown(using: [.gracefulShutDown(allowedDurationToNextStep: killGrace)])
                        case .stop(nil), .inputWritten:
                            break
                        }
                    }
                }
            }
        } catch let error as SubprocessError {
            sink.failedToStart(String(describing: error))
            throw ProcessError(kind: .cannotStart, program: program, detail: String(describing: error))
        }
        return result.terminationStatus
    }

    /// A child fed on stdin may end before reading it all: the write must fail (EPIPE), not kill
    /// this process with SIGPIPE. Process-wide, set once, the first time a child gets stdin.
    static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    enum Event: Sendable {
        case inputWritten
        case endOfOutput
        case stop(OutputSink.StopReason?)
    }

    static func pump(_ sequence: SubprocessOutputSequence, _ sink: OutputSink, stdout: Bool) async {
        do {
            for try await buffer in sequence {
                let bytes = buffer.withUnsafeBytes { Array($0) }
                sink.append(bytes, stdout: stdout)
            }
        } catch {
            // Cancelled once the child has ended: what was read is kept.
        }
    }
}

extension ProcessOutput.Termination {
    init(_ status: TerminationStatus) {
        switch status {
        case .exited(let c): self = .exited(Int32(c))
        case .signaled(let s): self = .signaled(Int32(s))
        }
    }
}

/// One child's output as it arrives, shared by the pumping tasks and the threads that read it.
final class OutputSink: @unchecked Sendable {
    enum StopReason: Sendable, Hashable { case timeout, outputLimit, requested }

    private let condition = NSCondition()
    private let limit: Int
    private var out: [UInt8] = []
    private var err: [UInt8] = []
    private var reason: StopReason?
    private(set) var pid: Int32?
    private var startError: String?
    private var termination: ProcessOutput.Termination?
    private let stops: AsyncStream<StopReason>
    private let stopper: AsyncStream<StopReason>.Continuation

    init(limit: Int) {
        self.limit = limit
        (stops, stopper) = AsyncStream<StopReason>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func append(_ bytes: [UInt8], stdout: Bool) {
        condition.lock()
        let total = out.count + err.count + bytes.count
        let over = total > limit
        if !over {
            if stdout { out += bytes } else { err += bytes }
        }
        condition.broadcast()
        condition.unlock()
        if over { stopper.yield(.outputLimit) }
    }

    func requestStop() { stopper.yield(.requested) }

    /// The first of: the time limit, the output limit, a stop request; nil when cancelled (the
    /// child closed both pipes).
    func nextStopReason(timeout: Double?) async -> StopReason? {
        let stream = stops
        return await withTaskGroup(of: StopReason?.self) { group in
            if let timeout {
                group.addTask {
                    do { try await Task.sleep(for: .milliseconds(Int(timeout * 1000))) } catch { return nil }
                    return .timeout
                }
            }
            group.addTask {
                for await r in stream { return r }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    func mark(_ r: StopReason) { condition.withLock { if reason == nil { reason = r } } }

    func started(pid: Int32) { condition.withLock { self.pid = pid; condition.broadcast() } }
    func failedToStart(_ why: String) { condition.withLock { startError = why; condition.broadcast() } }
    func ended(_ t: ProcessOutput.Termination?) {
        condition.withLock { termination = t ?? .signaled(SIGKILL); condition.broadcast() }
        stopper.finish()
    }

    func snapshot() -> ([UInt8], [UInt8], StopReason?) { condition.withLock { (out, err, reason) } }

    /// Waits until stdout has bytes or the child has ended (its pipes are read to their end
    /// before `ended`), and takes them.
    func take() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while out.isEmpty && termination == nil { condition.wait() }
        let bytes = out
        out = []
        return bytes
    }

    /// Waits (without polling) until `ready` holds for (stdout, stderr, termination) or `deadline`
    /// passes (nil: no deadline).
    func wait(until deadline: Date?, _ ready: ([UInt8], [UInt8], ProcessOutput.Termination?) -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !ready(out, err, termination) {
            if let deadline {
                if !condition.wait(until: deadline) { return ready(out, err, termination) }
            } else {
                condition.wait()
            }
        }
        return true
    }

    /// Waits until the child has a pid or could not start.
    func waitStarted() -> (pid: Int32?, error: String) {
        condition.lock()
        defer { condition.unlock() }
        while pid == nil && startError == nil && termination == nil { condition.wait() }
        return (pid, startError ?? "ended before it started")
    }

    var exit: ProcessOutput.Termination? { condition.withLock { termination } }
    var stopReason: StopReason? { condition.withLock { reason } }
}

/// A value handed from a task to a blocked thread.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: Result<T, any Error>?
    func set(_ v: Result<T, any Error>) { value = v; semaphore.signal() }
    func wait() -> Result<T, any Error> { semaphore.wait(); return value! }
}
