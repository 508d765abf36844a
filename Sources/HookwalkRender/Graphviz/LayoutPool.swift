import Foundation
import HookwalkModel
import HookwalkProcess

/// Lays out many diagrams, in this process or spread over worker processes.
///
/// libcgraph is not thread-safe (its parser, attribute dictionaries and error buffer are process
/// globals), so parallel layout needs processes: the worker is hookwalk itself, re-executed with
/// a hidden subcommand (`LayoutPool.Worker`), reading jobs on stdin and writing results on
/// stdout; it runs through HookwalkProcess (`RunningProcess`, its stdin given at start and its
/// stdout taken as it arrives). A worker runs the same `GraphvizRenderer` with the same warm-up, so the bytes are the
/// same as a serial run's; results are put back by job index, so the tree does not depend on
/// which worker finished first.
///
/// Wire format, both ways: a header line `<tag> <byte count>\n` and that many bytes. Jobs are
/// `svg`/`png` + the DOT text; results are `ok` + the rendered bytes or `error` + a one-line
/// message.
public enum LayoutPool {
    /// How to start a worker: an executable and the arguments that make it one.
    public struct Worker: Sendable {
        public var executable: String
        public var arguments: [String]

        public init(executable: String, arguments: [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    public struct Job: Sendable {
        public var dot: String
        public var format: String

        public init(dot: String, format: String) {
            self.dot = dot
            self.format = format
        }
    }

    /// Below this many jobs a worker's start-up (a process, Graphviz's plugin loading) costs more
    /// than it saves.
    public static let minimumJobsForWorkers = 16

    /// Renders every job; `jobs` workers when a worker is given and there is enough to do, else
    /// in process. `progress` is called with the number of results done so far (from any thread
    /// when workers run).
    public static func render(_ work: [Job], jobs: Int, worker: Worker?,
                              progress: (@Sendable (Int) -> Void)? = nil) throws -> [[UInt8]] {
        let n = min(jobs, work.count)
        guard let worker, n > 1, work.count >= minimumJobsForWorkers else {
            var out: [[UInt8]] = []
            out.reserveCapacity(work.count)
            for job in work {
                out.append(try GraphvizRenderer.render(dot: job.dot, format: job.format))
                progress?(out.count)
            }
            return out
        }
        // Interleaved shares: neighbouring diagrams (a scenario's request and reply, the
        // scenarios of one network) are alike in size, so every worker gets a like mix.
        let shares = (0..<n).map { w in Array(stride(from: w, to: work.count, by: n)) }
        let results = ResultBox(count: work.count)
        let group = DispatchGroup()
        for share in shares {
            var input: [UInt8] = []
            for i in share {
                let body = Array(work[i].dot.utf8)
                input += Array("\(work[i].format) \(body.count)\n".utf8)
                input += body
            }
            let process: RunningProcess
            do {
                // No output limit: the reader below takes the results as they come.
                process = try RunningProcess.start([worker.executable] + worker.arguments, stdin: input, outputLimit: .max)
            } catch {
                throw HookwalkError(.none, "cannot start a layout worker (\(worker.executable)): \(error)")
            }
            group.enter()
            DispatchQueue.global().async {
                var reader = RecordReader()
                var next = 0
                while true {
                    let chunk = process.takeStdout()
                    if chunk.isEmpty { break }
                    reader.append(chunk)
                    while let record = reader.next() {
                        guard next < share.count else { break }
                        results.set(share[next], record)
                        next += 1
                        progress?(results.done)
                    }
                    if reader.failed { break }
                }
                let end = process.stop()
                if next < share.count {
                    results.fail("a layout worker stopped after \(next) of \(share.count) diagrams (\(end.map(Self.describe) ?? "no exit status"))")
                }
                group.leave()
            }
        }
        group.wait()
        return try results.collect()
    }

    static func describe(_ t: ProcessOutput.Termination) -> String {
        switch t {
        case .exited(let c): return "exit status \(c)"
        case .signaled(let s): return "signal \(s)"
        }
    }

    /// The worker's side: reads every job from `input`, writes each result to `output` as it is done.
    public static func serveWorker(input: FileHandle, output: FileHandle) {
        var reader = RecordReader()
        reader.append(input.readDataToEndOfFile())
        while let record = reader.next() {
            let format = record.tag
            let reply: (String, [UInt8])
            do {
                let dot = String(decoding: record.body, as: UTF8.self)
                reply = ("ok", try GraphvizRenderer.render(dot: dot, format: format))
            } catch {
                reply = ("error", Array("\(error)".replacingOccurrences(of: "\n", with: " ").utf8))
            }
            var data = Data("\(reply.0) \(reply.1.count)\n".utf8)
            data.append(contentsOf: reply.1)
            // The parent is gone: nobody wants the rest.
            do { try output.write(contentsOf: data) } catch { return }
        }
    }

    /// Header-and-bytes records out of a byte stream that arrives in pieces.
    struct RecordReader {
        var buffer: [UInt8] = []
        var start = 0
        var failed = false

        mutating func append(_ data: some Sequence<UInt8>) {
            if start > 0 && start > buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: data)
        }

        mutating func next() -> (tag: String, body: [UInt8])? {
            guard !failed, let newline = buffer[start...].firstIndex(of: 10) else { return nil }
            let header = String(decoding: buffer[start..<newline], as: UTF8.self).split(separator: " ")
            guard header.count == 2, let length = Int(header[1]), length >= 0 else {
                failed = true
                return nil
            }
            let bodyStart = newline + 1
            guard buffer.count - bodyStart >= length else { return nil }
            let body = Array(buffer[bodyStart..<(bodyStart + length)])
            start = bodyStart + length
            return (String(header[0]), body)
        }
    }

    /// Results by job index, filled from the readers' threads.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [[UInt8]?]
        private var errors: [String] = []
        private var count = 0

        init(count: Int) { results = Array(repeating: nil, count: count) }

        var done: Int { lock.lock(); defer { lock.unlock() }; return count }

        func set(_ index: Int, _ record: (tag: String, body: [UInt8])) {
            lock.lock()
            defer { lock.unlock() }
            if record.tag == "ok" {
                results[index] = record.body
            } else {
                errors.append(String(decoding: record.body, as: UTF8.self))
            }
            count += 1
        }

        func fail(_ message: String) {
            lock.lock()
            errors.append(message)
            lock.unlock()
        }

        func collect() throws -> [[UInt8]] {
            lock.lock()
            defer { lock.unlock() }
            // The first error in job order is as good as any; workers never see each other's.
            if let first = errors.first { throw HookwalkError(.none, first.hasPrefix("Graphviz") ? first : "layout: \(first)") }
            return try results.map { r in
                guard let r else { throw HookwalkError(.none, "layout: a diagram got no result") }
                return r
            }
        }
    }
}

extension DocGenerator {
    /// Renders the `.svg` (and `.png`) beside every `.dot` of `files`, in path order.
    public func layOut(_ files: inout [String: [UInt8]], png: Bool, jobs: Int = 1, worker: LayoutPool.Worker? = nil,
                       progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        let dots = files.keys.filter { $0.hasSuffix(".dot") }.sorted()
        let formats = png ? ["svg", "png"] : ["svg"]
        var work: [LayoutPool.Job] = []
        var targets: [String] = []
        for path in dots {
            let dot = String(decoding: files[path]!, as: UTF8.self)
            for format in formats {
                work.append(LayoutPool.Job(dot: dot, format: format))
                targets.append(String(path.dropLast(3)) + format)
            }
        }
        let total = work.count
        var each: (@Sendable (Int) -> Void)?
        if let progress { each = { done in progress(done, total) } }
        let rendered = try LayoutPool.render(work, jobs: jobs, worker: worker, progress: each)
        for (path, bytes) in zip(targets, rendered) { files[path] = bytes }
    }
}
