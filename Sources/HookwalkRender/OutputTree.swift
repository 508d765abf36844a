import Foundation
import HookwalkModel

/// Replaces an output folder as a whole: the new tree is written beside it and renamed into place,
/// so readers never see a partial tree and a failure leaves the old one untouched. A folder is only
/// replaced when it is empty or carries hookwalk's marker, so a mistyped `--out` cannot delete a
/// user's files.
public enum OutputTree {
    static func replace(_ outDir: String, with files: [String: [UInt8]], marker: String, contents: String) throws {
        let fm = FileManager.default
        var target = outDir
        while target.count > 1 && target.hasSuffix("/") { target.removeLast() }
        try checkTarget(target)
        let url = URL(fileURLWithPath: target)
        let parent = url.deletingLastPathComponent().path
        let base = url.lastPathComponent
        let pid = ProcessInfo.processInfo.processIdentifier
        let staging = (parent as NSString).appendingPathComponent(".\(base).hookwalk-new-\(pid)")
        let old = (parent as NSString).appendingPathComponent(".\(base).hookwalk-old-\(pid)")

        removeLeftovers(parent: parent, base: base, target: target)
        var isDir: ObjCBool = false
        let exists = fm.fileExists(atPath: target, isDirectory: &isDir)
        if exists {
            guard isDir.boolValue else { throw HookwalkError(file: target, .none, "--out exists and is not a folder") }
            let contents = (try? fm.contentsOfDirectory(atPath: target)) ?? []
            guard contents.isEmpty || contents.contains(marker) else {
                throw HookwalkError(file: target, .none,
                                    "--out is a folder that hookwalk did not write (no \(marker)); refusing to replace it")
            }
        }
        try? fm.removeItem(atPath: staging)
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
            var all = files
            all[marker] = Array(contents.utf8)
            var folders: Set<String> = []
            for path in all.keys.sorted() {
                let full = (staging as NSString).appendingPathComponent(path)
                let folder = (full as NSString).deletingLastPathComponent
                if folders.insert(folder).inserted {
                    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
                try writeNewFile(full, all[path]!)
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            if let e = error as? HookwalkError { throw e }
            throw HookwalkError(file: staging, .none, "cannot write the output: \(error.localizedDescription)")
        }
        if exists {
            try? fm.removeItem(atPath: old)
            do { try fm.moveItem(atPath: target, toPath: old) } catch {
                try? fm.removeItem(atPath: staging)
                throw HookwalkError(file: target, .none, "cannot move the previous output aside: \(error.localizedDescription)")
            }
        }
        do {
            try fm.moveItem(atPath: staging, toPath: target)
        } catch {
            if exists { try? fm.moveItem(atPath: old, toPath: target) }
            try? fm.removeItem(atPath: staging)
            throw HookwalkError(file: target, .none, "cannot move the new output into place: \(error.localizedDescription)")
        }
        if exists { try? fm.removeItem(atPath: old) }
    }

    /// The folder and its real path (symlinks resolved), to compare folders.
    static func realPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Whether `inner` is `outer` or lies inside it.
    public static func isWithin(_ inner: String, _ outer: String) -> Bool {
        let i = realPath(inner), o = realPath(outer)
        return i == o || i.hasPrefix(o.hasSuffix("/") ? o : o + "/")
    }

    /// Refuses an `--out` that cannot be replaced as a whole: empty, the current folder or one
    /// that holds it (renaming it would pull the folder from under the user's shell).
    static func checkTarget(_ target: String) throws {
        guard !target.isEmpty else { throw HookwalkError("--out is empty: give the folder to write") }
        let cwd = FileManager.default.currentDirectoryPath
        if isWithin(cwd, target) {
            throw HookwalkError(file: target, .none, "--out is the current folder or holds it; give a folder of its own, e.g. --out docs")
        }
    }

    /// A killed run leaves `.OUT.hookwalk-new-PID` (a partial tree) and, if it died between the
    /// two renames, `.OUT.hookwalk-old-PID` (the previous output). Those of processes that no
    /// longer run are cleaned up: the partial tree removed, the previous output put back when
    /// nothing replaced it.
    static func removeLeftovers(parent: String, base: String, target: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: parent) else { return }
        for name in names.sorted() {
            for (kind, restore) in [("new", false), ("old", true)] {
                let prefix = ".\(base).hookwalk-\(kind)-"
                guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count)), pid > 0,
                      pid != ProcessInfo.processInfo.processIdentifier, kill(pid, 0) == -1, errno == ESRCH else { continue }
                let path = (parent as NSString).appendingPathComponent(name)
                if restore, !fm.fileExists(atPath: target), (try? fm.moveItem(atPath: path, toPath: target)) != nil { continue }
                try? fm.removeItem(atPath: path)
            }
        }
    }
}

extension OutputTree {
    /// Writes a file of the staging folder with plain POSIX calls: the folder is new and renamed
    /// into place as a whole, so the per-file temporary file and rename that Foundation's
    /// `createFile` makes are not needed (they made writing a 3000-scenario site take longer
    /// than rendering it).
    static func writeNewFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HookwalkError(file: path, .none, "cannot write file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HookwalkError(file: path, .none, "cannot write file: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }
}
