import ArgumentParser
import Foundation
import HookwalkModel
import HookwalkRender
import HookwalkSimulator

/// `generate --container NAME --network NAME --port N`: which catalog scenarios to document. A
/// scenario passes when it passes every kind of filter given, and a kind when it names any of its
/// values (`--container a --container b --port 80`: a's or b's scenarios to port 80).
struct ScenarioFilter {
    var containers: [String]
    var networks: [String]
    var ports: [Int]

    var isEmpty: Bool { containers.isEmpty && networks.isEmpty && ports.isEmpty }

    func admits(_ s: DocScenario) -> Bool {
        if !containers.isEmpty, !containers.contains(where: { $0 == s.container }) { return false }
        if !networks.isEmpty, !networks.contains(where: { $0 == s.network }) { return false }
        if !ports.isEmpty, !ports.contains(Int(s.scenario.port)) { return false }
        return true
    }

    /// Names no host of `snapshots` has are a mistake, not an empty subset.
    func check(_ snapshots: [(path: String, snapshot: Snapshot)]) throws {
        for name in containers where !snapshots.contains(where: { $0.snapshot.host.docker.containers.contains { $0.name == name } }) {
            throw HookwalkError(.none, "--container \(Self.quoted(name)): no such container in \(Self.where(snapshots))")
        }
        for name in networks where !snapshots.contains(where: { s in
            name == "host" || s.snapshot.host.docker.networks.contains { $0.name == name }
        }) {
            throw HookwalkError(.none, "--network \(Self.quoted(name)): no such Docker network in \(Self.where(snapshots))")
        }
        for p in ports where !(1...65535).contains(p) {
            throw HookwalkError(.none, "--port \(p): not a port number (1 to 65535)")
        }
    }

    var description: String {
        (containers.map { "--container \(Self.quoted($0))" } + networks.map { "--network \(Self.quoted($0))" }
            + ports.map { "--port \($0)" }).joined(separator: " ")
    }

    /// A name from the command line, printable on one line.
    static func quoted(_ s: String) -> String {
        "\"" + s.unicodeScalars.map { u -> String in
            u.value < 0x20 || u.value == 0x7f || u == "\"" || u == "\\" ? "\\u{\(String(u.value, radix: 16))}" : String(u)
        }.joined() + "\""
    }

    static func `where`(_ snapshots: [(path: String, snapshot: Snapshot)]) -> String {
        snapshots.count == 1 ? "the snapshot \(quoted(snapshots[0].path))" : "any of the \(snapshots.count) snapshots"
    }
}

/// Wall-clock seconds per phase of a run, for the summary line.
struct PhaseClock {
    private(set) var phases: [(name: String, seconds: Double)] = []
    private let start = DispatchTime.now().uptimeNanoseconds

    mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { phases.append((name, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)) }
        return try body()
    }

    var total: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// `12.3 s (load 0.4 s, simulate 1.0 s, pages 2.1 s, layout 8.5 s, write 0.3 s)`.
    var summary: String {
        String(format: "%.1f s", total) + " (" + phases.map { String(format: "%@ %.1f s", $0.name, $0.seconds) }
            .joined(separator: ", ") + ")"
    }
}

/// One line on stderr, rewritten in place, when stderr is a terminal; nothing otherwise.
final class ProgressLine: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var last = DispatchTime.now().uptimeNanoseconds
    private var shown = false

    func update(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - last > 200_000_000 else { return }
        last = now
        shown = true
        FileHandle.standardError.write(Data("\r\u{1b}[Khookwalk: \(text())".utf8))
    }

    func clear() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
    }
}

/// `hookwalk layout-worker`: not for people. `generate --jobs N` starts N of these and hands
/// each a share of the diagrams (see `LayoutPool`).
struct LayoutWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout-worker",
        abstract: "Internal: lays out diagrams for `generate --jobs`.",
        shouldDisplay: false
    )

    func run() throws {
        LayoutPool.serveWorker(input: FileHandle.standardInput, output: FileHandle.standardOutput)
    }

    /// This executable, as a worker.
    static func worker() -> LayoutPool.Worker {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        return LayoutPool.Worker(executable: exe, arguments: ["layout-worker"])
    }
}
