import HookwalkModel

/// The iptables front end: reads `iptables-save` / `ip6tables-save` output, `iptables -S` dumps
/// (one table, or several one after the other: each block of `-P` lines starts a table, named by
/// its builtin chains or by a pasted `iptables -t T -S` line) and `iptables -L` listings
/// (`IptablesList`) into the model, as the tables iptables-nft (1.8.9) would create for them, so that a host
/// on iptables-legacy, or a pasted listing, is documented like one whose nft ruleset was read.
///
/// What "as iptables-nft would create it" means, checked with `iptables-nft-restore` and
/// `nft -a list ruleset` in a scratch network namespace:
/// - tables `ip filter|nat|raw|mangle|security` (ip6 for ip6tables), created with their first chain,
///   so an empty `*mangle` block creates nothing; builtin chains are base chains with iptables'
///   types, hooks and priorities (`IptablesBuiltins`); user chains are regular chains;
/// - only the builtin chains the input mentions exist (`:INPUT ACCEPT`, `-P INPUT ACCEPT`, or a
///   rule in them), in the order they are first mentioned; user chains in declaration order;
/// - each rule is its matches in iptables-nft's order, then an anonymous `counter` (iptables-nft
///   puts one in every rule, and `nft list ruleset` shows it), then the target;
/// - handles as the kernel gives them on a fresh restore: tables 1, 2, ... in creation order, and
///   one counter per table for chains and rules in the order the input creates them.
///
/// The statements are what hookwalk's `NftText` front end reads from nft's listing of the same rule
/// wherever nft 1.0.6 translates it; see `IptMatch` and `IptTarget` for each match and target, and
/// the not-modelled `xt` statements for the rest. `-m comment` becomes the rule's comment (nft 1.0.6
/// lists it as nothing at all).
public enum IptablesSave {
    /// - Parameters:
    ///   - family: `.ip` for iptables, `.ip6` for ip6tables.
    ///   - table: the table of an `iptables -S` listing, which has no `*table` header.
    ///   - ipsets: the snapshot's `ipset-save.txt`, which turns `-m set --match-set NAME src|dst`
    ///     into a lookup in the set (added to the table as a named set); nil when there is none,
    ///     and `-m set` stays not modelled, saying so.
    public static func parse(_ text: String, file: String, family: Family, table: String = "filter",
                             ipsets: IpsetSave? = nil) throws -> Ruleset {
        guard family == .ip || family == .ip6 else {
            throw HookwalkError(file: file, "iptables input is for the ip or ip6 family, not \(family.rawValue)")
        }
        // CRLF line ends (a paste from Windows): Swift's "\r\n" is one Character, so lines would
        // not split on "\n".
        let text = text.utf8.contains(13) ? String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" })) : text
        if IptablesList.isListing(text) {
            return try IptablesList.parse(text, file: file, family: family, defaultTable: table, ipsets: ipsets)
        }
        var reader = IptReader(file: file, family: family, ipsets: ipsets)
        var ruleset = try reader.read(text, defaultTable: table)
        if !reader.saveForm {
            // An `iptables -S` dump lists the tables it was asked for; the others are unknown.
            let tool = family == .ip ? "iptables" : "ip6tables"
            ruleset.gaps = IptablesList.absentTables(reader.seen, tool: tool)
        }
        return ruleset
    }

    /// An `iptables -S` dump as iptables-save output (`*table`, `:CHAIN POLICY [0:0]` for `-P`,
    /// `:CHAIN - [0:0]` for `-N`, the rule lines, `COMMIT`), so that `iptables-nft-restore` can
    /// load it as it would the save form: how the lab gives such a dump to the kernel.
    public static func saveForm(ofDump text: String, table: String = "filter", file: String) throws -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        let tables = try IptListing.tablesOfSLines(lines, defaultTable: table, file: file)
        var out = ""
        var current: String?
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: " \t")
            if line.isEmpty || line.hasPrefix("#") || IptListing.isPrompt(line) { continue }
            if tables[i] != current {
                if current != nil { out += "COMMIT\n" }
                out += "*\(tables[i])\n"
                current = tables[i]
            }
            let w = line.split(separator: " ").map(String.init)
            if w.first == "-P", w.count == 3 {
                out += ":\(w[1]) \(w[2]) [0:0]\n"
            } else if w.first == "-N", w.count == 2 {
                out += ":\(w[1]) - [0:0]\n"
            } else {
                out += line + "\n"
            }
        }
        if current != nil { out += "COMMIT\n" }
        return out
    }
}
