import Foundation
import HookwalkModel

/// `hookwalk diff --out DIR`: `report.md` and, for every scenario whose path differs, its overlay
/// diagram (`diagrams/<name>.dot` and `.svg`). Rendering DOT is handed in (the command uses
/// hookwalk's Graphviz wrapper), so this module stays free of Graphviz. File names come from the
/// scenario key, made file-name safe and unique, so the same report gives the same tree.
public enum DiffOutput {
    public static let report = "report.md"
    /// Marks a folder as a diff output, which is what allows `--out` to replace it.
    public static let marker = ".hookwalk-diff"

    public static func files(_ r: DiffReport, renderSVG: (String) throws -> [UInt8]) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var diagrams: [ScenarioKey: String] = [:]
        var used: Set<String> = []
        for s in r.scenarios where !s.paths.isEmpty && (s.status == .verdictChange || s.status == .differentPath) {
            var name = fileName(s.key)
            var n = 2
            while used.contains(name.lowercased()) { name = fileName(s.key) + "-\(n)"; n += 1 }
            used.insert(name.lowercased())
            let dot = OverlayDiagram.dot(s, hostA: r.a.hostname ?? r.a.snapshot, hostB: r.b.hostname ?? r.b.snapshot)
            files["diagrams/\(name).dot"] = Array(dot.utf8)
            files["diagrams/\(name).svg"] = try renderSVG(dot)
            diagrams[s.key] = "diagrams/\(name).svg"
        }
        files[report] = Array(MarkdownDiff.render(r, diagrams: diagrams).utf8)
        files[marker] = Array("Written by `hookwalk diff --out`; replaced on the next run.\n".utf8)
        return files
    }

    /// `published-port-infranet-proxy-tcp-8080-c1`: letters, digits, `.`, `_` and `-` only.
    static func fileName(_ k: ScenarioKey) -> String {
        var parts = [k.kind.rawValue, k.network, k.container, k.proto, String(k.port)]
        if k.client > 0 { parts.append("c\(k.client)") }
        if k.occurrence > 1 { parts.append("\(k.occurrence)") }
        let raw = parts.filter { !$0.isEmpty }.joined(separator: "-")
        var s = String(raw.unicodeScalars.map { u -> Character in
            switch u {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return Character(u)
            default: return "_"
            }
        })
        if s.count > 120 { s = String(s.prefix(120)) }
        return s.isEmpty ? "scenario" : s
    }

    /// Writes `files` into `dir`: created when missing, replaced when it holds an earlier diff
    /// output, refused when it holds anything else (a mistyped `--out` must not delete files).
    public static func write(_ files: [String: [UInt8]], to dir: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDir) {
            guard isDir.boolValue else { throw HookwalkError(file: dir, .none, "--out exists and is not a folder") }
            let contents = try fm.contentsOfDirectory(atPath: dir)
            guard contents.isEmpty || contents.contains(marker) else {
                throw HookwalkError(file: dir, .none, "--out is a folder that hookwalk diff did not write (no \(marker)); refusing to replace it")
            }
            for name in contents { try fm.removeItem(atPath: (dir as NSString).appendingPathComponent(name)) }
        }
        for path in files.keys.sorted() {
            let full = (dir as NSString).appendingPathComponent(path)
            try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard fm.createFile(atPath: full, contents: Data(files[path]!)) else {
                throw HookwalkError(file: full, .none, "cannot write file")
            }
        }
    }
}
