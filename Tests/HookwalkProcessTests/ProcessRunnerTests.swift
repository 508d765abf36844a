import Foundation
import HookwalkProcess
import XCTest

final class ProcessRunnerTests: XCTestCase {
    func testExitStatusStdinAndBothPipes() throws {
        let o = try ProcessRunner.runBlocking(["sh", "-c", "cat; echo err >&2; exit 3"], stdin: Array("in\n".utf8))
        XCTAssertEqual(o.termination, .exited(3))
        XCTAssertEqual(o.status, 3)
        XCTAssertEqual(o.stdoutText, "in\n")
        XCTAssertEqual(o.stderrText, "err\n")
        XCTAssertFalse(o.timedOut)
        XCTAssertFalse(o.succeeded)
    }

    /// A child that fills stderr before it writes stdout (and the reverse) blocks forever when the
    /// parent reads one pipe after the other; both are read at once, so this finishes.
    func testBothPipesOverOnePipeBufferWithoutDeadlock() throws {
        let script = "head -c 300000 /dev/zero | tr '\\0' e >&2; head -c 300000 /dev/zero | tr '\\0' o; head -c 200000 /dev/zero | tr '\\0' e >&2"
        let start = Date()
        let o = try ProcessRunner.runBlocking(["sh", "-c", script], timeout: 30)
        XCTAssertTrue(o.succeeded, "status \(o.status) timedOut \(o.timedOut)")
        XCTAssertEqual(o.stdout.count, 300_000)
        XCTAssertEqual(o.stderr.count, 500_000)
        XCTAssertTrue(o.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
        XCTAssertTrue(o.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    func testTimeoutEndsChildWithSIGTERM() throws {
        let start = Date()
        let o = try ProcessRunner.runBlocking(["sleep", "30"], timeout: 0.3)
        let took = Date().timeIntervalSince(start)
        XCTAssertTrue(o.timedOut)
        XCTAssertEqual(o.termination, .signaled(SIGTERM))
        XCTAssertLessThan(took, 5)
    }

    /// A child that ignores SIGTERM is killed 500 ms later; the time limit always holds.
    func testTimeoutEscalatesToSIGKILLWhenTermIsTrapped() throws {
        let start = Date()
        let o = try ProcessRunner.runBlocking(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"], timeout: 0.5)
        let took = Date().timeIntervalSince(start)
        XCTAssertTrue(o.timedOut)
        XCTAssertEqual(o.termination, .signaled(SIGKILL))
        XCTAssertEqual(o.stdoutText, "ready\n", "output before the timeout is kept")
        XCTAssertGreaterThanOrEqual(took, 0.95, "SIGKILL only after the 500 ms grace")
        XCTAssertLessThan(took, 6)
    }

    func testMissingExecutableIsAClearError() {
        XCTAssertThrowsError(try ProcessRunner.runBlocking(["hookwalk-no-such-program-x"])) { error in
            let e = error as? ProcessError
            XCTAssertEqual(e?.kind, .notFound)
            XCTAssertEqual(e?.description, "hookwalk-no-such-program-x: command not found")
        }
        XCTAssertThrowsError(try ProcessRunner.runBlocking(["/nonexistent/dir/tool"])) { error in
            XCTAssertEqual((error as? ProcessError)?.kind, .notFound)
        }
        XCTAssertThrowsError(try RunningProcess.start(["hookwalk-no-such-program-x"])) { error in
            XCTAssertEqual((error as? ProcessError)?.kind, .notFound)
        }
    }

    func testOutputLimitStopsTheChildAndFails() throws {
        let start = Date()
        XCTAssertThrowsError(try ProcessRunner.runBlocking(["sh", "-c", "yes"], timeout: 20, outputLimit: 100_000)) { error in
            let e = error as? ProcessError
            XCTAssertEqual(e?.kind, .outputLimit)
            XCTAssertEqual(e?.description, "sh: printed more than 100000 bytes; stopped")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "ended at the limit, not at the time limit")
        // Exactly at the limit is fine.
        let o = try ProcessRunner.runBlocking(["sh", "-c", "head -c 1000 /dev/zero"], outputLimit: 1000)
        XCTAssertEqual(o.stdout.count, 1000)
    }

    /// One lookup: PATH's folders in order, then /usr/sbin and /sbin.
    func testLookupOrder() throws {
        let fm = FileManager.default
        let root = NSTemporaryDirectory() + "hookwalk-lookup-\(getpid())"
        defer { try? fm.removeItem(atPath: root) }
        for d in ["a", "b"] {
            try fm.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true)
            XCTAssertTrue(fm.createFile(atPath: "\(root)/\(d)/hw-probe", contents: Data("#!/bin/sh\necho \(d)\n".utf8),
                          attributes: [.posixPermissions: 0o755]))
        }
        XCTAssertTrue(fm.createFile(atPath: "\(root)/a/hw-plain", contents: Data(), attributes: [.posixPermissions: 0o644]))
        XCTAssertEqual(ProcessRunner.lookup("hw-probe", path: "\(root)/a:\(root)/b"), "\(root)/a/hw-probe")
        XCTAssertEqual(ProcessRunner.lookup("hw-probe", path: "\(root)/b:\(root)/a"), "\(root)/b/hw-probe")
        XCTAssertNil(ProcessRunner.lookup("hw-plain", path: "\(root)/a"), "not executable")
        XCTAssertNil(ProcessRunner.lookup("hw-probe", path: "relative:"), "relative and empty entries are skipped")
        // The environment's PATH is the one a run looks the program up in.
        let o = try ProcessRunner.runBlocking(["hw-probe"], environment: ["PATH": "\(root)/b:\(root)/a"])
        XCTAssertEqual(o.stdoutText, "b\n")
        // After PATH: /usr/sbin, then /sbin.
        let sbinTool = try XCTUnwrap(["ip", "nft", "sysctl"].first { fm.isExecutableFile(atPath: "/usr/sbin/\($0)") },
                                     "no tool in /usr/sbin to look up")
        XCTAssertEqual(ProcessRunner.lookup(sbinTool, path: "\(root)/a"), "/usr/sbin/\(sbinTool)")
        XCTAssertTrue(fm.createFile(atPath: "\(root)/a/\(sbinTool)", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        XCTAssertEqual(ProcessRunner.lookup(sbinTool, path: "\(root)/a"), "\(root)/a/\(sbinTool)", "PATH comes first")
    }

    func testRunningProcessWaitsStopsAndEscalates() throws {
        let p = try RunningProcess.start(["sh", "-c", "trap '' TERM; echo READY; echo warn >&2; while :; do sleep 0.05; done"])
        XCTAssertTrue(p.wait(timeout: 10) { $0.contains("READY") })
        XCTAssertNil(p.termination)
        XCTAssertFalse(p.wait(timeout: 0.2) { $0.contains("never") })
        let start = Date()
        XCTAssertEqual(p.stop(), .signaled(SIGKILL))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.45)
        XCTAssertEqual(p.stderr(), "warn\n")
        XCTAssertEqual(p.stop(), .signaled(SIGKILL), "stop twice is harmless")

        let q = try RunningProcess.start(["sh", "-c", "echo one; exit 4"])
        q.finish(timeout: 10)
        XCTAssertEqual(q.termination, .exited(4))
        XCTAssertEqual(q.stdout(), "one\n")
        XCTAssertFalse(q.wait(timeout: 5) { $0.contains("two") }, "an ended child does not wait out the timeout")
    }

    /// A long-lived child fed on stdin at start and read as its output arrives (the layout pool's
    /// workers): 4 MiB in, more than a pipe buffer each way, so writing and reading must overlap;
    /// what is taken leaves the buffer, and the stream ends with an empty take.
    func testRunningProcessReadsStdinAndStreamsStdout() throws {
        let input = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let p = try RunningProcess.start(["cat"], stdin: input, outputLimit: 2 << 20)
        var got: [UInt8] = []
        var takes = 0
        while true {
            let chunk = p.takeStdout()
            if chunk.isEmpty { break }
            got += chunk
            takes += 1
        }
        XCTAssertEqual(got.count, input.count)
        XCTAssertTrue(got == input, "the bytes come back in order")
        XCTAssertGreaterThan(takes, 1, "taken as it arrives")
        XCTAssertEqual(p.stdoutByteCount, 0, "taken bytes leave the buffer (4 MiB went through a 2 MiB limit)")
        XCTAssertEqual(p.stop(), .exited(0), "cat saw its stdin closed")
        XCTAssertEqual(p.takeStdout(), [], "an ended child's stream stays ended")
    }

    /// A child that ends without reading its stdin (a layout worker that dies at once): the write
    /// fails, and that is the child's status, not a crash of this process.
    func testChildThatIgnoresItsStdin() throws {
        let input = [UInt8](repeating: 0x61, count: 1 << 20)
        for _ in 0..<20 {
            XCTAssertEqual(try ProcessRunner.runBlocking(["false"], stdin: input).termination, .exited(1))
        }
        let p = try RunningProcess.start(["true"], stdin: input)
        XCTAssertEqual(p.takeStdout(), [])
        XCTAssertEqual(p.stop(), .exited(0))
    }
}
