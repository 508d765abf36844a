import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkProcess

extension HostCollection {
    /// `nft -j list ruleset` (what hookwalk reads) and `nft list ruleset` (what people read, and what
    /// replays with `nft -f`: nft 1.0.6's JSON drops chain comments). When nft is missing or lists
    /// nothing while the iptables-legacy tables hold rules, the rules are in those tables: then
    /// `iptables-save` output is kept instead, so the snapshot does not pretend the host is open.
    mutating func ruleset() throws {
        let json = run(["nft", "-j", "list", "ruleset"], file: SnapshotLoader.rulesetJSON)
        let listsSomething = json.ok && !Self.isEmptyListing(json.stdout)
        if !listsSomething, legacyTablesInUse() {
            try legacyRuleset(nft: json)
            return
        }
        guard json.ok else {
            if json.stderr.contains("Operation not permitted") || json.stderr.contains("Permission denied") {
                throw HookwalkError("`nft -j list ruleset`: \(why(json)). Listing the ruleset needs root (CAP_NET_ADMIN): "
                                    + "run `sudo hookwalk collect --out DIR`")
            }
            throw HookwalkError("`nft -j list ruleset`: \(why(json)); a snapshot needs the ruleset, nothing was written")
        }
        files[SnapshotLoader.rulesetJSON] = json.stdout
        let text = run(["nft", "list", "ruleset"], file: SnapshotLoader.rulesetText)
        if text.ok { files[SnapshotLoader.rulesetText] = text.stdout }
        if !listsSomething { warnings.append("the nftables ruleset is empty: every hook accepts everything") }
        // Both at once (Docker on iptables-legacy next to an nftables firewall): the kernel runs
        // both, so the snapshot keeps both.
        if listsSomething, legacyTablesInUse() { legacyBesideNft() }
    }

    /// The iptables-legacy tables of a host that also has nftables rules, saved as
    /// `iptables-legacy-save.txt` / `ip6tables-legacy-save.txt`.
    mutating func legacyBesideNft() {
        for (v6, file) in [(false, SnapshotLoader.iptablesLegacySave[0]), (true, SnapshotLoader.iptablesLegacySave[1])] where legacyTableNames(v6: v6) {
            let program = v6 ? "ip6tables-legacy-save" : "iptables-legacy-save"
            let o = run([program], file: file)
            if o.ok {
                files[file] = o.stdout
            } else {
                warnings.append("iptables-legacy tables are in use beside nftables but `\(program)` failed (\(why(o))): the snapshot lacks their rules")
            }
        }
        warnings.append("this host has rules in both nftables and iptables-legacy tables: both are kept, and both run")
        ipsetSave()
    }

    /// `ipset save`, beside iptables-save output: `-m set` rules (Docker 28.0.0's
    /// `docker-ext-bridges-v4`, fail2ban) match against ipsets whose members no iptables listing
    /// shows. Optional: without `ipset` (or with no sets) the command is recorded and those
    /// matches stay not modelled.
    mutating func ipsetSave() {
        let o = run(["ipset", "save"], file: IpsetSave.fileName)
        if o.ok { files[IpsetSave.fileName] = o.stdout }
    }

    /// True for nft's listing of an empty ruleset: nothing but the `metainfo` object.
    static func isEmptyListing(_ bytes: [UInt8]) -> Bool {
        guard let items = (try? JSONReader.parse(bytes))?["nftables"]?.arrayValue else { return false }
        return items.allSatisfy { item in item.objectValue.map { $0.allSatisfy { $0.key == "metainfo" } } ?? false }
    }

    /// Whether the legacy x_tables hold tables, read from `/proc/net/ip{,6}_tables_names` in the
    /// collected namespace. Reading the names never loads a module, which running a legacy
    /// `iptables-save` on a host without them might.
    mutating func legacyTablesInUse() -> Bool {
        legacyTableNames(v6: false) || legacyTableNames(v6: true)
    }

    mutating func legacyTableNames(v6: Bool) -> Bool {
        let file = v6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names"
        let o = runner.run(["cat", file])
        // Not recorded: a missing file just means no legacy tables, which is the common case.
        return o.ok && !o.stdout.allSatisfy { $0 == 10 || $0 == 32 }
    }

    mutating func legacyRuleset(nft: CollectorCommands.Output) throws {
        var saved = false
        for (v6, file) in [(false, SnapshotLoader.iptablesSave[0]), (true, SnapshotLoader.iptablesSave[1])] where legacyTableNames(v6: v6) {
            let base = v6 ? "ip6tables" : "iptables"
            let program = ProcessRunner.lookup("\(base)-legacy-save") != nil ? "\(base)-legacy-save" : "\(base)-save"
            let o = run([program], file: file)
            if o.ok { files[file] = o.stdout; saved = true }
        }
        guard saved else {
            throw HookwalkError("the iptables-legacy tables hold the rules but `iptables-save` could not list them"
                                + (nft.ok ? "" : " (and `nft -j list ruleset`: \(why(nft)))") + "; nothing was written")
        }
        warnings.append("this host's rules are in iptables-legacy tables: saved as iptables-save output")
        ipsetSave()
    }
}
