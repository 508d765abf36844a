import HookwalkModel

/// When each hook entry was registered, as far as the listing tells: the kernel orders entries of
/// equal priority by registration, the later one first (`nf_hook_entries_grow` inserts a new entry
/// before existing ones of its priority). Conntrack (-200) and the NAT hook (-100, 100) are entries
/// like any chain, so a chain of exactly their priority runs before them when it was registered
/// after them, and after them otherwise. Seen in the lab (`HookRegistrationLabTests`):
///
/// - The NAT hook of a family is registered with its first nat chain (`nf_nat_register_fn` registers
///   all four NAT entries at once); an empty nat chain is enough.
/// - Conntrack of a family is registered by the first rule that needs it (`nf_ct_netns_get` from a
///   `ct` expression, a NAT statement...), not by a nat chain: a nat table holding only an empty
///   chain does not register it.
/// - `nft -f` creates a table's chains before its rules, so a rule registers conntrack after every
///   chain of its own table and before the chains of the tables listed after it.
///
/// Registration follows the listing (tables in creation order, chains in handle order); a host whose
/// history differs (a table flushed and rebuilt later) may differ, as for two chains of one priority.
struct HookRegistration: Sendable {
    /// Registration sequence of every chain, by the compiled ruleset's chain index.
    var chain: [Int] = []
    /// Sequence of conntrack's and the NAT hook's registration for IPv4 and IPv6. Nothing in the
    /// ruleset registers them: -1. Then the NAT hook has no chain to call, and the family is not
    /// tracked at all (`CompiledRuleset.conntrack(v4:)`).
    var conntrackV4 = -1, conntrackV6 = -1, natV4 = -1, natV6 = -1
    /// A table of the family holds a construct hookwalk does not model, which may use conntrack:
    /// the family counts as tracked (for the order, such a construct registers nothing).
    var unmodelledV4 = false, unmodelledV6 = false

    init() {}

    init(_ ruleset: Ruleset) {
        var seq = 0
        var conntrack4: Int?, conntrack6: Int?, nat4: Int?, nat6: Int?
        for table in ruleset.tables {
            let v4 = table.family == .ip || table.family == .inet
            let v6 = table.family == .ip6 || table.family == .inet
            // An inet table's conntrack user registers both families (lab: the repro script's
            // `inet` run). A bridge table's is taken to register IPv4 and IPv6 with bridge
            // conntrack, from `nf_ct_netns_get(NFPROTO_BRIDGE)`'s source only: the lab kernel
            // refuses `ct` in the bridge family without nf_conntrack_bridge, so no run backs it.
            let ct4 = v4 || table.family == .bridge, ct6 = v6 || table.family == .bridge
            if table.chains.contains(where: { $0.rules.contains { $0.stmts.contains(where: Self.unmodelled) } }) {
                if ct4 { unmodelledV4 = true }
                if ct6 { unmodelledV6 = true }
            }
            for c in table.chains {
                chain.append(seq)
                seq += 1
                if c.base?.type == .nat {
                    if v4, nat4 == nil { nat4 = seq; seq += 1 }
                    if v6, nat6 == nil { nat6 = seq; seq += 1 }
                }
            }
            if (ct4 && conntrack4 == nil) || (ct6 && conntrack6 == nil),
               table.chains.contains(where: { $0.rules.contains { $0.stmts.contains(where: Self.needsConntrack) } }) {
                if ct4, conntrack4 == nil { conntrack4 = seq }
                if ct6, conntrack6 == nil { conntrack6 = seq }
                seq += 1
            }
        }
        conntrackV4 = conntrack4 ?? -1
        conntrackV6 = conntrack6 ?? -1
        natV4 = nat4 ?? -1
        natV6 = nat6 ?? -1
    }

    func conntrack(v4: Bool) -> Int { v4 ? conntrackV4 : conntrackV6 }
    func nat(v4: Bool) -> Int { v4 ? natV4 : natV6 }
    func unmodelled(v4: Bool) -> Bool { v4 ? unmodelledV4 : unmodelledV6 }

    /// A construct hookwalk does not model, which might use conntrack.
    static func unmodelled(_ s: Stmt) -> Bool {
        // A dynamic set update or meter is modelled (`DynsetStmt`); nft_dynset needs no conntrack.
        if case .notModelled(let nm) = s, nm.kind == "set" || nm.kind == "meter" { return false }
        if case .notModelled = s { return true }
        return anyExpression(of: s) { if case .notModelled = $0 { true } else { false } }
    }

    /// Statements whose expression calls `nf_ct_netns_get` when loaded.
    static func needsConntrack(_ s: Stmt) -> Bool {
        if case .nat = s { return true }
        // A dynamic set keyed by a ct expression (`add @s { ct original saddr }`).
        if case .notModelled(let nm) = s, nm.kind == "set" || nm.kind == "meter",
           let key = nm.parts?[nm.kind == "set" ? "elem" : "key"], case .expr(let e) = key {
            return anyExpression(of: .match(left: e, op: .eq, right: .value(.wildcard))) { if case .ct = $0 { true } else { false } }
        }
        return anyExpression(of: s) { if case .ct = $0 { true } else { false } }
    }

    /// Whether `test` holds for an expression of the statement, nested ones included.
    static func anyExpression(of s: Stmt, _ test: (Expr) -> Bool) -> Bool {
        func walk(_ e: Expr) -> Bool {
            if test(e) { return true }
            switch e {
            case .concat(let es): return es.contains(where: walk)
            case .map(let l, let r), .binop(_, let l, let r): return walk(l) || walk(r)
            default: return false
            }
        }
        switch s {
        case .match(let l, _, let r), .mangle(let l, let r), .vmap(let l, let r): return walk(l) || walk(r)
        default: return false
        }
    }
}
