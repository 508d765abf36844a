import HookwalkModel

/// Per-chain dispatch on one matched field, so that a chain of thousands of `tcp dport N dnat`
/// or `ip daddr X drop` rules is not scanned rule by rule for every packet. A rule is indexed
/// under field F only when an `F == constant` match comes before anything with an effect
/// (counters aside): skipping it when F differs cannot change what the kernel does.
struct DispatchIndex: Sendable {
    let field: Expr
    let byValue: [FieldValue: [Int]]
    /// Rules that do not constrain the field: always candidates.
    let always: [Int]

    static let minimumRules = 32

    init?(rules: [CompiledRule]) {
        guard rules.count >= DispatchIndex.minimumRules else { return nil }
        var perRule: [[Expr: FieldValue]] = []
        var counts: [Expr: Int] = [:]
        for r in rules {
            var found: [Expr: FieldValue] = [:]
            scan: for s in r.stmts {
                switch s {
                case .match(let left, _, .eq, .pattern(.exact(let v))):
                    if found[left] == nil { found[left] = v }
                case .match:
                    continue
                case .plain(.counter):
                    continue
                default:
                    break scan
                }
            }
            for k in found.keys { counts[k, default: 0] += 1 }
            perRule.append(found)
        }
        // Deterministic choice: most rules constrained, then the expression's description.
        guard let best = counts.max(by: { a, b in
            a.value != b.value ? a.value < b.value : String(describing: a.key) > String(describing: b.key)
        }), best.value >= DispatchIndex.minimumRules / 2 else { return nil }
        var byValue: [FieldValue: [Int]] = [:]
        var always: [Int] = []
        for (i, f) in perRule.enumerated() {
            if let v = f[best.key] { byValue[v, default: []].append(i) } else { always.append(i) }
        }
        field = best.key
        self.byValue = byValue
        self.always = always
    }

    /// The rules that may match a packet whose field has value `v` (nil: the field is absent for
    /// this packet, so every rule that tests it breaks), in rule order.
    func candidates(_ v: FieldValue?) -> [Int] {
        guard let v, let hits = byValue[v] else { return always }
        if always.isEmpty { return hits }
        var out: [Int] = []
        out.reserveCapacity(hits.count + always.count)
        var i = 0, j = 0
        while i < hits.count || j < always.count {
            if j >= always.count || (i < hits.count && hits[i] < always[j]) {
                out.append(hits[i]); i += 1
            } else {
                out.append(always[j]); j += 1
            }
        }
        return out
    }
}
