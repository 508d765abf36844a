import Foundation
import HookwalkModel

/// A ruleset and the file it came from, for messages and document headers.
public struct LoadedRuleset: Sendable, Hashable {
    public var ruleset: Ruleset
    /// The path as read, e.g. `snap/nft-ruleset.json`.
    public var file: String
}

extension SnapshotLoader {
    /// Loads just the ruleset, from a snapshot folder (choosing the file as `load` does) or from a
    /// ruleset file (`.json`: `nft -j list ruleset`; a name ending in `iptables-save.txt` or
    /// `.iptables-save` / `.ip6tables-save`: that command's output; anything else: `nft list ruleset`
    /// text). The `ruleset` command uses this so a folder without `ip-addr.json` or a pasted listing
    /// still works.
    public static func loadRuleset(path: String) throws -> LoadedRuleset {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw HookwalkError(file: path, .none, "no such file or folder")
        }
        if isFolder.boolValue { return try loadRuleset(from: SnapshotFolder(path)).loaded }
        let bytes = try SnapshotFolder.read(path)
        let name = path.split(separator: "/").last.map(String.init)?.lowercased() ?? ""
        let kind: RulesetKind
        if name.hasSuffix(".json") {
            kind = .nftJSON
        } else if name.hasSuffix("iptables-save.txt") || name.hasSuffix(".iptables-save") || name.hasSuffix(".ip6tables-save") {
            kind = .iptablesSave(name.contains("ip6tables") ? .ip6 : .ip)
        } else if let dump = dumpFile(name) {
            kind = .iptablesDump(dump.family, table: dump.table)
        } else {
            kind = .nftText
        }
        return try LoadedRuleset(ruleset: parseRuleset(bytes, kind: kind, file: path), file: path)
    }

    /// How a ruleset file is written.
    enum RulesetKind: Equatable {
        case nftJSON, nftText
        case iptablesSave(Family)
        /// `iptables -S` or `iptables -L` output; the table for a dump that does not say.
        case iptablesDump(Family, table: String)
    }

    /// `iptables-S.txt`, `ip6tables-L.txt`, `iptables-S-nat.txt`, `iptables-L-filter.txt`: an
    /// iptables dump, its family and the table its name gives (filter when none).
    static func dumpFile(_ name: String) -> (family: Family, table: String)? {
        let lower = name.lowercased()
        for (prefix, family) in [("ip6tables-", Family.ip6), ("iptables-", .ip)] where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count)
            guard rest.hasPrefix("s") || rest.hasPrefix("l"), rest.hasSuffix(".txt") else { continue }
            let middle = rest.dropFirst().dropLast(4)
            guard middle.isEmpty || middle.hasPrefix("-") else { continue }
            // `iptables-S-nat.txt` is the nat table; `iptables-L-n-v.txt` says nothing of it.
            let table = String(middle.dropFirst())
            return (family, IptablesBuiltins.tables[table] != nil ? table : "filter")
        }
        return nil
    }

    /// The dump files of a folder, ip before ip6, in name order.
    static func dumpFiles(in folder: SnapshotFolder) -> [(name: String, family: Family, table: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { n in dumpFile(n).map { (n, $0.family, $0.table) } }
            .sorted { ($0.family == .ip ? 0 : 1, $0.name) < ($1.family == .ip ? 0 : 1, $1.name) }
    }

    /// The ruleset file of a folder: JSON wins because it carries everything the kernel listed
    /// (handles, set flags) in a stable schema; nft text is what people paste; iptables-save output
    /// (a host on iptables-legacy) comes last because it is a translation of the kernel's state
    /// rather than a listing of it.
    static func rulesetFile(in folder: SnapshotFolder) throws -> (name: String, kind: RulesetKind) {
        for name in [rulesetJSON, rulesetText] + iptablesSave { try folder.checkNotDangling(name) }
        if folder.has(rulesetJSON) { return (rulesetJSON, .nftJSON) }
        if folder.has(rulesetText) { return (rulesetText, .nftText) }
        if folder.has(iptablesSave[0]) { return (iptablesSave[0], .iptablesSave(.ip)) }
        if folder.has(iptablesSave[1]) { return (iptablesSave[1], .iptablesSave(.ip6)) }
        if let d = dumpFiles(in: folder).first { return (d.name, .iptablesDump(d.family, table: d.table)) }
        throw HookwalkError(file: folder.path, .none, "no ruleset: expected \(rulesetJSON) (made by: nft -j list ruleset), "
                            + "\(rulesetText) (made by: nft list ruleset), \(iptablesSave[0]) (made by: iptables-save), "
                            + "iptables-S.txt (made by: iptables -S) or iptables-L.txt (made by: iptables -L -n -v)")
    }

    static func loadRuleset(from folder: SnapshotFolder) throws -> (loaded: LoadedRuleset, notes: [String]) {
        let (name, kind) = try rulesetFile(in: folder)
        var notes: [String] = []
        if kind == .nftJSON, folder.has(rulesetText) { notes.append("ruleset read from \(rulesetJSON); \(rulesetText) ignored") }
        let file = folder.pathOf(name)
        let ipsets = try ipsetSave(in: folder)
        if case .iptablesDump = kind {
            // Every dump file of the folder: one ruleset, ip tables before ip6 ones.
            var tables: [Table] = []
            var gaps: [String] = []
            var present: [Family: Set<String>] = [:]
            for d in dumpFiles(in: folder) {
                let path = folder.pathOf(d.name)
                let r = try parseRuleset(SnapshotFolder.read(path), kind: .iptablesDump(d.family, table: d.table), file: path, ipsets: ipsets)
                for t in r.tables {
                    guard !tables.contains(where: { $0.family == t.family && $0.name == t.name }) else {
                        throw HookwalkError(file: path, .none, "table \(t.family.rawValue) \(t.name) is also in another dump file of the snapshot")
                    }
                    present[d.family, default: []].insert(t.name)
                }
                tables += r.tables
                for g in r.gaps where !gaps.contains(g) { gaps.append(g) }
                if d.name != name { notes.append("ruleset read from \(name) and \(d.name)") }
            }
            // A table one file leaves out may be in another.
            gaps.removeAll { g in
                present.contains { fam, names in
                    names.contains { g.hasPrefix("table \($0) is absent") && g.contains("`\(fam == .ip ? "iptables" : "ip6tables") -t \($0)") }
                }
            }
            for i in tables.indices { tables[i].handle = i + 1 }
            tables += try legacyTables(in: folder, ipsets: ipsets, notes: &notes)
            return (LoadedRuleset(ruleset: Ruleset(tables: tables, gaps: gaps), file: file), notes)
        }
        guard case .iptablesSave = kind else {
            for other in iptablesSave where folder.has(other) { notes.append("ruleset read from \(name); \(other) ignored") }
            let bytes = try SnapshotFolder.read(file)
            var ruleset = try parseRuleset(bytes, kind: kind, file: file)
            ruleset.tables += try legacyTables(in: folder, ipsets: ipsets, notes: &notes)
            if ipsets != nil, !iptablesLegacySave.contains(where: folder.has) {
                notes.append("\(IpsetSave.fileName) is used only with iptables-save files; the nftables ruleset's xt \"set\" matches stay not modelled")
            }
            return (LoadedRuleset(ruleset: ruleset, file: file), notes)
        }
        // iptables-save.txt and ip6tables-save.txt: one ruleset, the ip6 tables after the ip ones
        // (as iptables-restore then ip6tables-restore would create them; table handles follow on).
        var tables: [Table] = []
        for (other, family) in zip(iptablesSave, [Family.ip, .ip6]) where folder.has(other) {
            let path = folder.pathOf(other)
            tables += try parseRuleset(SnapshotFolder.read(path), kind: .iptablesSave(family), file: path, ipsets: ipsets).tables
            if other != name { notes.append("ruleset read from \(name) and \(other)") }
        }
        for i in tables.indices { tables[i].handle = i + 1 }
        tables += try legacyTables(in: folder, ipsets: ipsets, notes: &notes)
        return (LoadedRuleset(ruleset: Ruleset(tables: tables), file: file), notes)
    }

    /// `iptables-legacy-save.txt` / `ip6tables-legacy-save.txt`: x_tables rules beside the
    /// nftables ruleset. The kernel runs both on the same hooks, by priority; at equal priority the
    /// one registered later runs first, which no listing records. They are placed after the
    /// nftables tables (as registered later: Docker on iptables-legacy usually starts after the
    /// host firewall), which decides only the order of chains of equal priority, never a verdict.
    static func legacyTables(in folder: SnapshotFolder, ipsets: IpsetSave?, notes: inout [String]) throws -> [Table] {
        var tables: [Table] = []
        for (name, family) in zip(iptablesLegacySave, [Family.ip, .ip6]) where folder.has(name) {
            let path = folder.pathOf(name)
            for var t in try parseRuleset(SnapshotFolder.read(path), kind: .iptablesSave(family), file: path, ipsets: ipsets).tables {
                t.name += " (legacy)"
                t.legacy = true
                t.handle = nil
                tables.append(t)
            }
            notes.append("iptables-legacy rules from \(name) run beside the nftables ruleset (nft monitor trace does not show them); "
                         + "at equal priority they are taken to run first (registered after the nftables chains)")
        }
        return tables
    }

    /// `ipset-save.txt` (optional): the members of the ipsets that iptables `-m set` rules match.
    static func ipsetSave(in folder: SnapshotFolder) throws -> IpsetSave? {
        guard let bytes = try folder.bytes(IpsetSave.fileName) else { return nil }
        let file = folder.pathOf(IpsetSave.fileName)
        return try IpsetSave.parse(SnapshotFolder.text(bytes, file: file), file: file)
    }

    private static func parseRuleset(_ bytes: [UInt8], kind: RulesetKind, file: String, ipsets: IpsetSave? = nil) throws -> Ruleset {
        do {
            switch kind {
            case .nftJSON: return try NftJSON.parse(bytes, file: file)
            case .nftText: return try NftText.parse(SnapshotFolder.text(bytes, file: file), file: file)
            case .iptablesSave(let family):
                let ruleset = try IptablesSave.parse(SnapshotFolder.text(bytes, file: file), file: file, family: family, ipsets: ipsets)
                // The kernel's x_tables refuses loops too (mark_source_chains: ELOOP).
                if let problem = RulesetValidation.firstProblem(in: ruleset) { throw HookwalkError(file: file, problem.message) }
                return ruleset
            case .iptablesDump(let family, let table):
                let ruleset = try IptablesSave.parse(SnapshotFolder.text(bytes, file: file), file: file, family: family, table: table, ipsets: ipsets)
                if let problem = RulesetValidation.firstProblem(in: ruleset) { throw HookwalkError(file: file, problem.message) }
                return ruleset
            }
        } catch let e as HookwalkError {
            throw e.inFile(file)
        }
    }
}
