import Foundation
import HookwalkModel
import HookwalkParsers

/// How the lab gives a snapshot's ruleset to the kernel: nft text or JSON with `nft -f`, or
/// `iptables-save` / `ip6tables-save` output with `iptables-nft-restore` / `ip6tables-nft-restore`,
/// which builds the tables iptables-nft would (what `IptablesSave.parse` models). Either way the
/// simulation then runs on the kernel's `nft -j list ruleset`, not on the file.
public struct LabRuleset: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case nft, iptablesRestore, ip6tablesRestore, iptablesLegacyRestore, ip6tablesLegacyRestore }
    public var files: [(kind: Kind, path: String)] { zip(kinds, paths).map { ($0, $1) } }
    var kinds: [Kind]
    var paths: [String]
    /// The snapshot's `ipset-save.txt`, restored with `ipset restore` before the iptables-save
    /// files: their `-m set` matches need the sets to exist (the restore fails otherwise), and what
    /// they decide depends on the members. ipsets belong to the network namespace, so the lab's
    /// sets go with the lab.
    public var ipsetSave: String?

    public init(path: String) {
        kinds = [.nft]
        paths = [path]
    }

    public init(files: [(Kind, String)], ipsetSave: String? = nil) {
        kinds = files.map(\.0)
        paths = files.map(\.1)
        self.ipsetSave = ipsetSave
    }

    /// The snapshot's ruleset: the nft text listing when there is one (nft 1.0.6's JSON input has
    /// known defects), else the JSON, else the iptables-save files the loader read.
    ///
    /// iptables-legacy files (`iptables-legacy-save.txt`) are restored after it with
    /// `iptables-legacy-restore`, as the loader places those tables after the nftables ones.
    public static func of(_ s: Snapshot) -> LabRuleset {
        let folder = s.path as NSString
        func existing(_ names: [String], _ kinds: [Kind]) -> [(Kind, String)] {
            zip(names, kinds).compactMap { name, kind in
                let p = folder.appendingPathComponent(name)
                return FileManager.default.fileExists(atPath: p) ? (kind, p) : nil
            }
        }
        let legacy = existing(SnapshotLoader.iptablesLegacySave, [.iptablesLegacyRestore, .ip6tablesLegacyRestore])
        var ruleset: LabRuleset
        let text = folder.appendingPathComponent(SnapshotLoader.rulesetText)
        let json = folder.appendingPathComponent(SnapshotLoader.rulesetJSON)
        let files = existing(SnapshotLoader.iptablesSave, [.iptablesRestore, .ip6tablesRestore])
        if FileManager.default.fileExists(atPath: text) {
            ruleset = LabRuleset(files: [(.nft, text)] + legacy)
        } else if FileManager.default.fileExists(atPath: json) {
            ruleset = LabRuleset(files: [(.nft, json)] + legacy)
        } else if files.isEmpty, let dumps = sDumps(folder as String) {
            ruleset = LabRuleset(files: dumps + legacy)
        } else {
            ruleset = LabRuleset(files: (files.isEmpty ? [(.nft, s.rulesetFile)] : files) + legacy)
        }
        // As the loader: the ipsets count only for iptables-save files (nft-restored or legacy).
        let ipsets = folder.appendingPathComponent(IpsetSave.fileName)
        if ruleset.kinds.contains(where: { $0 != .nft }), FileManager.default.fileExists(atPath: ipsets) { ruleset.ipsetSave = ipsets }
        return ruleset
    }

    /// A snapshot's `iptables -S` dumps (`iptables-S.txt`, `iptables-S-nat.txt`, ip6 alike) as
    /// iptables-save files in the temporary folder, for `iptables-nft-restore`; nil when it has
    /// none. (`iptables -L` listings cannot be restored: they leave out too much.)
    static func sDumps(_ folder: String) -> [(Kind, String)]? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var out: [(Kind, String)] = []
        for (prefix, kind) in [("iptables-S", Kind.iptablesRestore), ("ip6tables-S", .ip6tablesRestore)] {
            var text = ""
            for n in names where n.hasPrefix(prefix) && n.hasSuffix(".txt") {
                let middle = n.dropFirst(prefix.count).dropLast(4)
                let table = middle.hasPrefix("-") ? String(middle.dropFirst()) : "filter"
                guard let dump = try? String(contentsOfFile: folder + "/" + n, encoding: .utf8),
                      let save = try? IptablesSave.saveForm(ofDump: dump, table: table, file: n) else { return nil }
                text += save
            }
            guard !text.isEmpty else { continue }
            let path = NSTemporaryDirectory() + "hookwalk-lab-\(getpid())-\(prefix).iptables-save"
            guard (try? text.write(toFile: path, atomically: true, encoding: .utf8)) != nil else { return nil }
            out.append((kind, path))
        }
        return out.isEmpty ? nil : out
    }

    /// Whether the kernel's listing must be read as text (`nft -a list ruleset`, handles in
    /// comments) rather than JSON. iptables-nft keeps targets and matches it has no native
    /// expression for as xtables compat expressions (`DNAT`, `addrtype`...); nft 1.0.6 translates
    /// them in its text listing (`dnat to 172.20.0.2:8080`, `fib daddr type local`) but prints only
    /// `{"xt": {"type": "target", "name": "DNAT"}}` in JSON, which cannot be simulated.
    public var listsAsText: Bool { kinds.contains { $0 == .iptablesRestore || $0 == .ip6tablesRestore } }

    /// Whether iptables-legacy tables are part of it: the kernel's nft listing does not hold them,
    /// so the simulation adds the loader's model of them.
    public var hasLegacy: Bool { kinds.contains { $0 == .iptablesLegacyRestore || $0 == .ip6tablesLegacyRestore } }

    /// The programs this ruleset needs besides `nft`.
    public var tools: [String] {
        (ipsetSave == nil ? [] : ["ipset"]) + kinds.compactMap {
            switch $0 {
            case .nft: return nil
            case .iptablesRestore: return "iptables-nft-restore"
            case .ip6tablesRestore: return "ip6tables-nft-restore"
            case .iptablesLegacyRestore: return "iptables-legacy-restore"
            case .ip6tablesLegacyRestore: return "ip6tables-legacy-restore"
            }
        }
    }

    /// One command per file, run in the lab's host namespace, the ipsets first.
    var commands: [(argv: [String], path: String)] {
        (ipsetSave.map { [(["ipset", "restore", "-f", $0], $0)] } ?? []) + files.map { kind, path in
            switch kind {
            case .nft: return (["nft"] + (path.lowercased().hasSuffix(".json") ? ["-j"] : []) + ["-f", path], path)
            case .iptablesRestore: return (["iptables-nft-restore", path], path)
            case .ip6tablesRestore: return (["ip6tables-nft-restore", path], path)
            case .iptablesLegacyRestore: return (["iptables-legacy-restore", path], path)
            case .ip6tablesLegacyRestore: return (["ip6tables-legacy-restore", path], path)
            }
        }
    }

    public static func == (a: LabRuleset, b: LabRuleset) -> Bool { a.kinds == b.kinds && a.paths == b.paths && a.ipsetSave == b.ipsetSave }
    public func hash(into h: inout Hasher) {
        h.combine(kinds)
        h.combine(paths)
        h.combine(ipsetSave)
    }
}
