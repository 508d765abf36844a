import HookwalkModel
@testable import HookwalkParsers

/// Comparison of an iptables-save parse with `NftText.parse` of nft's listing of the same state,
/// reporting every difference (not only the first), chain by chain by name.
enum IptablesSaveCompare {
    struct Options {
        /// Compare handles of tables, chains and rules (lab listings made with `nft -a`).
        var handles = false
        /// Drop rule comments on our side (nft 1.0.6 lists `-m comment` as nothing).
        var ignoreComments = true
        /// Chains present on one side only are reported unless named here ("table/chain").
        var chainsOnlyInOurs: Set<String> = []
        /// Compare chain order too (a restore listing has the input's order; Docker's own call
        /// sequence, as in the era fixtures, creates them in another).
        var chainOrder = false
    }

    static func differences(_ ours: Ruleset, _ listed: Ruleset, _ o: Options = Options()) -> [String] {
        var out: [String] = []
        for t in listed.tables {
            guard let mine = ours.table(t.family, t.name) else { out.append("table \(t.family) \(t.name) missing in ours"); continue }
            out += tableDifferences(mine, t, o)
        }
        if o.handles {
            let a = ours.tables.map { "\($0.family) \($0.name) \($0.handle ?? -1)" }
            let b = listed.tables.map { "\($0.family) \($0.name) \($0.handle ?? -1)" }
            if a != b { out.append("tables \(a) vs \(b)") }
        }
        return out
    }

    static func tableDifferences(_ mine: Table, _ t: Table, _ o: Options) -> [String] {
        var out: [String] = []
        let w = "\(t.family) \(t.name)"
        let names = Set(t.chains.map(\.name))
        for c in mine.chains where !names.contains(c.name) && !o.chainsOnlyInOurs.contains("\(t.name)/\(c.name)") {
            out.append("\(w): chain \(c.name) only in ours")
        }
        if o.chainOrder, mine.chains.map(\.name) != t.chains.map(\.name) {
            out.append("\(w): chain order \(mine.chains.map(\.name)) vs \(t.chains.map(\.name))")
        }
        for c in t.chains {
            guard let m = mine.chain(c.name) else { out.append("\(w): chain \(c.name) missing in ours"); continue }
            if m.base != c.base { out.append("\(w) \(c.name): base \(String(describing: m.base)) vs \(String(describing: c.base))") }
            if o.handles, m.handle != c.handle { out.append("\(w) \(c.name): handle \(m.handle ?? -1) vs \(c.handle ?? -1)") }
            if m.rules.count != c.rules.count { out.append("\(w) \(c.name): \(m.rules.count) rules vs \(c.rules.count)") }
            for (i, (a, b)) in zip(m.rules, c.rules).enumerated() {
                var a = a
                if o.ignoreComments { a.comment = nil }
                if a.normalized(notModelledParts: false) != b.normalized(notModelledParts: false) { out.append("\(w) \(c.name) rule \(i + 1):\n  ours:   \(a.stmts) \(a.comment ?? "")\n  listed: \(b.stmts) \(b.comment ?? "")") }
                if o.handles, a.handle != b.handle { out.append("\(w) \(c.name) rule \(i + 1): handle \(a.handle ?? -1) vs \(b.handle ?? -1)") }
            }
        }
        return out
    }
}
