import Foundation
import Subprocess

/// A long-lived child (`nft monitor trace`, the lab's servers and proxies) whose output is read
/// while it runs. Both pipes are pumped into memory as they fill; waits are on a condition, not
/// a polling loop. `stop()` ends it with SIGTERM and, 500 ms later, SIGKILL.
public final class RunningProcess: Sendable {
    public let argv: [String]
    public let pid: Int32
    private let sink: OutputSink

    private init(argv: [String], pid: Int32, sink: OutputSink) {
        self.argv = argv
        self.pid = pid
        self.sink = sink
    }

    /// Starts `argv`; returns once it runs. `stdin`, if given, is written to the child while it
    /// runs and its stdin is then closed (the layout pool's workers read their jobs so); without
    /// it the child's stdin is empty. Throws `ProcessError` when it is not found or cannot start.
    public static func start(_ argv: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:],
                             outputLimit: Int = 64 << 20) throws -> RunningProcess {
        let config = try ProcessRunner.configuration(argv, environment: environment, workingDirectory: nil)
        let sink = OutputSink(limit: outputLimit)
        Task.detached {
            do {
                let status = try await ProcessRunner.execute(config, program: argv[0], stdin: stdin, sink: sink, timeout: nil)
                sink.ended(.init(status))
            } catch {
                sink.ended(nil)
            }
        }
        let started = sink.waitStarted()
        guard let pid = started.pid else { throw ProcessError(kind: .cannotStart, program: argv[0], detail: started.error) }
        return RunningProcess(argv: argv, pid: pid, sink: sink)
    }

    public func stdout() -> String { String(decoding: sink.snapshot().0, as: UTF8.self) }
    public func stderr() -> String { String(decoding: sink.snapshot().1, as: UTF8.self) }
    public var stdoutByteCount: Int { sink.snapshot().0.count }
    /// Waits until stdout has bytes or the child has ended, and takes the bytes out: they are no
    /// longer in `stdout()`, and no longer count towards the output limit. A reader that parses a
    /// stream as it comes (the layout pool's) keeps no second copy of it so. Empty once the child
    /// has ended and everything was taken.
    public func takeStdout() -> [UInt8] { sink.take() }

    /// How it ended; nil while it runs.
    public var termination: ProcessOutput.Termination? { sink.exit }

    /// Waits until `predicate` holds for stdout, up to `timeout` seconds; false when it did not
    /// (also when the child ended without it holding).
    public func wait(timeout: Double, until predicate: (String) -> Bool) -> Bool {
        var held = false
        _ = sink.wait(until: Date().addingTimeInterval(timeout)) { out, _, ended in
            held = predicate(String(decoding: out, as: UTF8.self))
            return held || ended != nil
        }
        return held
    }

    /// Waits until stdout has not grown for `quiet` seconds, or `timeout` passes.
    public func waitQuiet(_ quiet: Double, timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        var count = stdoutByteCount
        while Date() < deadline, termination == nil {
            let grew = sink.wait(until: min(deadline, Date().addingTimeInterval(quiet))) { out, _, ended in
                out.count != count || ended != nil
            }
            if !grew { return }
            count = stdoutByteCount
        }
    }

    /// Waits up to `timeout` seconds for the child to end on its own; then stops it.
    public func finish(timeout: Double) {
        _ = sink.wait(until: Date().addingTimeInterval(timeout)) { _, _, ended in ended != nil }
        stop()
    }

    /// SIGTERM, then SIGKILL after 500 ms; returns once the child has been reaped. Idempotent.
    @discardableResult
    public func stop() -> ProcessOutput.Termination? {
        if termination == nil { sink.requestStop() }
        _ = sink.wait(until: nil) { _, _, ended in ended != nil }
        return termination
    }
}
