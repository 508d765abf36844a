import Dispatch
import Foundation
import HookwalkProcess

/// Everything a lab run has created outside this process: network namespaces, child processes and
/// temporary folders. It is one registry per process so that SIGINT and SIGTERM handlers, which
/// cannot capture a lab, still find what to remove. While anything is registered, the two signals
/// clean up and exit (130 / 143) instead of leaving namespaces behind.
final class LabCleanup: @unchecked Sendable {
    static let shared = LabCleanup()

    private let lock = NSLock()
    private var namespaces: [String] = []
    private var pids: Set<Int32> = []
    private var dirs: [String] = []
    private var sources: [DispatchSourceSignal] = []

    func track(namespace: String) {
        lock.withLock { namespaces.append(namespace) }
        installSignalHandlers()
    }

    func track(pid: Int32) { _ = lock.withLock { pids.insert(pid) } }
    func untrack(pid: Int32) { _ = lock.withLock { pids.remove(pid) } }
    func track(dir: String) { lock.withLock { dirs.append(dir) } }

    /// Removes the namespaces whose names start with `prefix` (a run's), kills the processes
    /// still running and removes the temporary folders. Returns the namespaces that could not be
    /// deleted.
    @discardableResult
    func cleanUp(prefix: String) -> [String] {
        let (ns, ps, ds) = lock.withLock { () -> ([String], Set<Int32>, [String]) in
            let mine = namespaces.filter { $0.hasPrefix(prefix) }
            namespaces.removeAll { $0.hasPrefix(prefix) }
            let p = pids
            pids = []
            let d = dirs
            dirs = []
            return (mine, p, d)
        }
        for pid in ps { kill(pid, SIGKILL) }
        var failed: [String] = []
        // Containers and clients before the host: their veth peers go with them.
        for name in ns.reversed() where !Self.deleteNamespace(name) { failed.append(name) }
        for d in ds { try? FileManager.default.removeItem(atPath: d) }
        if lock.withLock({ namespaces.isEmpty }) { uninstallSignalHandlers() }
        return failed
    }

    /// `ip netns del NAME`; only ever called with a name this process created.
    static func deleteNamespace(_ name: String) -> Bool {
        (try? ProcessRunner.runBlocking(["ip", "netns", "del", name]))?.succeeded ?? false
    }

    private func installSignalHandlers() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler {
                    LabCleanup.shared.cleanUp(prefix: "")
                    FileHandle.standardError.write(Data("hookwalk: interrupted; lab namespaces removed\n".utf8))
                    exit(128 + sig)
                }
                src.resume()
                sources.append(src)
            }
        }
    }

    private func uninstallSignalHandlers() {
        lock.withLock {
            for s in sources { s.cancel() }
            sources = []
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
    }
}
