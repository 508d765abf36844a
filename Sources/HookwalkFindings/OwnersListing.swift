import HookwalkModel
import HookwalkSimulator

/// `hookwalk ruleset --owners`: every rule (and every base chain's policy) with its owner, one a
/// line, in listing order; columns padded, control characters of names escaped.
public enum OwnersListing {
    public static func text(ruleset: Ruleset, host: HostModel) -> String {
        let provenance = Provenance(ruleset: ruleset, host: host)
        var rows: [[String]] = [["# owner", "table", "chain", "handle", "rule"]]
        for table in ruleset.tables {
            let tableName = "\(table.family.rawValue) \(table.name)"
            for chain in table.chains {
                let ref = ChainRef(family: table.family, table: table.name, chain: chain.name)
                if let base = chain.base {
                    rows.append([provenance.policyOwner(ref).badge, tableName, chain.name, "-",
                                 "type \(base.type.rawValue) hook \(base.hook.rawValue) priority \(base.priority); policy \(base.policy.rawValue);"])
                }
                for rule in chain.rules {
                    rows.append([provenance.owner(rule: rule, chain: chain.name, in: table).badge, tableName, chain.name,
                                 rule.handle.map(String.init) ?? "-", RuleLocator.normalise(NftTextWriter.ruleText(rule))])
                }
            }
        }
        let cleaned = rows.map { $0.map(FindingsOutput.clean) }
        let widths = (0..<4).map { c in cleaned.map { $0[c].count }.max() ?? 0 }
        return cleaned.map { row in
            (0..<4).map { row[$0] + String(repeating: " ", count: widths[$0] - row[$0].count) }.joined(separator: "  ") + "  " + row[4]
        }.joined(separator: "\n") + "\n"
    }
}
