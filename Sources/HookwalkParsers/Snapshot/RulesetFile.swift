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
    /// ruleset file (`.json`: `nft -j list ruleset`; anything else: `nft list ruleset` text). The
    /// `ruleset` command uses this so a folder without `ip-addr.json` or a pasted listing still works.
    public static func loadRuleset(path: String) throws -> LoadedRuleset {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw HookwalkError(file: path, .none, "no such file or folder")
        }
        if isFolder.boolValue { return try loadRuleset(from: SnapshotFolder(path)).loaded }
        let bytes = try SnapshotFolder.read(path)
        return try LoadedRuleset(ruleset: parseRuleset(bytes, json: path.lowercased().hasSuffix(".json"), file: path), file: path)
    }

    /// The ruleset file of a folder: JSON wins because it carries everything the kernel listed
    /// (handles, set flags) in a stable schema; text is what people paste.
    static func rulesetFile(in folder: SnapshotFolder) throws -> (name: String, json: Bool) {
        if folder.has(rulesetJSON) { return (rulesetJSON, true) }
        if folder.has(rulesetText) { return (rulesetText, false) }
        for name in iptablesSave where folder.has(name) {
            throw HookwalkError(file: folder.pathOf(name), .none,
                                "iptables-save input is not supported yet (issue 5): provide nft-ruleset.json or nft-ruleset.nft")
        }
        throw HookwalkError(file: folder.path, .none, "no ruleset: expected \(rulesetJSON) (made by: nft -j list ruleset) or "
                            + "\(rulesetText) (made by: nft list ruleset)")
    }

    static func loadRuleset(from folder: SnapshotFolder) throws -> (loaded: LoadedRuleset, notes: [String]) {
        let (name, json) = try rulesetFile(in: folder)
        var notes: [String] = []
        if json, folder.has(rulesetText) { notes.append("ruleset read from \(rulesetJSON); \(rulesetText) ignored") }
        if folder.has(iptablesSave[0]) { notes.append("ruleset read from \(name); \(iptablesSave[0]) ignored") }
        let file = folder.pathOf(name)
        let bytes = try SnapshotFolder.read(file)
        return (LoadedRuleset(ruleset: try parseRuleset(bytes, json: json, file: file), file: file), notes)
    }

    private static func parseRuleset(_ bytes: [UInt8], json: Bool, file: String) throws -> Ruleset {
        do {
            if json { return try NftJSON.parse(bytes, file: file) }
            return try NftText.parse(SnapshotFolder.text(bytes, file: file), file: file)
        } catch let e as HookwalkError {
            throw e.inFile(file)
        }
    }
}
