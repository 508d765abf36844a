import Foundation
import HookwalkModel
import HookwalkParsers

extension Collector {
    /// Fails before anything is collected when `out` could not be written at the end: a file, or a
    /// folder that is neither empty nor an earlier `collect`'s output (a mistyped `--out` must not
    /// replace someone's files).
    public static func checkDestination(_ out: String) throws {
        let target = trimmed(out)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir) else { return }
        guard isDir.boolValue else { throw HookwalkError(file: target, "--out exists and is not a folder") }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
        if contents.isEmpty { return }
        let host = (target as NSString).appendingPathComponent(SnapshotLoader.hostInfo)
        guard let bytes = FileManager.default.contents(atPath: host), CollectedHostFile.isCollected([UInt8](bytes)) else {
            throw HookwalkError(file: target, "--out is a folder that `hookwalk collect` did not write; refusing to replace it")
        }
    }

    /// Writes the snapshot folder as a whole: into a hidden folder beside `out`, checked with the
    /// loader, then renamed into place (replacing an earlier collection), so `out` is never a
    /// partial snapshot. Returns the loader's complaint when hookwalk cannot read what the host
    /// has (the folder is still written: it is what the host said, and the complaint is a bug
    /// report for hookwalk).
    @discardableResult
    public static func write(_ snapshot: CollectedSnapshot, to out: String) throws -> String? {
        try checkDestination(out)
        let fm = FileManager.default
        let target = trimmed(out)
        let url = URL(fileURLWithPath: target)
        let parent = url.deletingLastPathComponent().path
        let tag = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"
        let staging = (parent as NSString).appendingPathComponent(".\(url.lastPathComponent).collect-new-\(tag)")
        let old = (parent as NSString).appendingPathComponent(".\(url.lastPathComponent).collect-old-\(tag)")
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
            for name in snapshot.files.keys.sorted() {
                let path = (staging as NSString).appendingPathComponent(name)
                if name.contains("/") {
                    try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                }
                guard fm.createFile(atPath: path, contents: Data(snapshot.files[name]!)) else {
                    throw HookwalkError(file: path, "cannot write file")
                }
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            if let e = error as? HookwalkError { throw e }
            throw HookwalkError(file: target, "cannot write the snapshot: \(error.localizedDescription)")
        }
        var complaint: String?
        if snapshot.files[SnapshotLoader.rulesetJSON] != nil || snapshot.files[SnapshotLoader.rulesetText] != nil {
            do { _ = try SnapshotLoader.load(path: staging) } catch {
                complaint = "\(error)".replacingOccurrences(of: staging, with: target)
            }
        }
        let exists = fm.fileExists(atPath: target)
        do {
            if exists { try fm.moveItem(atPath: target, toPath: old) }
            do { try fm.moveItem(atPath: staging, toPath: target) } catch {
                if exists { try? fm.moveItem(atPath: old, toPath: target) }
                throw error
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw HookwalkError(file: target, "cannot move the snapshot into place: \(error.localizedDescription)")
        }
        if exists { try? fm.removeItem(atPath: old) }
        return complaint
    }

    static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
