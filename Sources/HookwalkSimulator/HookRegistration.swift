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
    /// ruleset registers them: -1, as if something else had before any chain (a rule set without
    /// conntrack users shows no difference in a trace).
    var conntrackV4 = -1, conntrackV6 = -1, natV4 = -1, natV6 = -1

    init() {}

    init(_ ruleset: Ruleset) {
        var seq = 0
        var ct4: Int?, ct6: Int?, nat4: Int?, nat6: Int?
        for table in ruleset.tables {
            let v4 = table.family == .ip || table.family == .inet
            let v6 = table.family == .ip6 || table.family == .inet
            for c in table.chains {
                chain.append(seq)
                seq += 1
                if c.base?.type == .nat {
                    if v4, nat4 == nil { nat4 = seq; seq += 1 }
                    if v6, nat6 == nil { nat6 = seq; seq += 1 }
                }
            }
            if (v4 && ct4 == nil) || (v6 && ct6 == nil),
               table.chains.contains(where: { $0.rules.contains { $0.stmts.contains(where: Self.needsConntrack) } }) {
                if v4, ct4 == nil { ct4 = seq }
                if v6, ct6 == nil { ct6 = seq }
                seq += 1
            }
        }
        conntrackV4 = ct4 ?? -1
        conntrackV6 = ct6 ?? -1
        natV4 = nat4 ?? -1
        natV6 = nat6 ?? -1
    }

    func conntrack(v4: Bool) -> Int { v4 ? conntrackV4 : conntrackV6 }
    func nat(v4: Bool) -> Int { v4 ? natV4 : natV6 }

    /// Statements whose expression calls `nf_ct_netns_get` when loaded.
    static func needsConntrack(_ s: Stmt) -> Bool {
        switch s {
        case .nat: return true
        case .match(let l, _, let r): return usesCt(l) || usesCt(r)
        case .mangle(let k, let v): return usesCt(k) || usesCt(v)
        case .vmap(let k, let d): return usesCt(k) || usesCt(d)
        default: return false
        }
    }

    static func usesCt(_ e: Expr) -> Bool {
        switch e {
        case .ct: return true
        case .concat(let es): return es.contains(where: usesCt)
        case .map(let k, let d): return usesCt(k) || usesCt(d)
        case .binop(_, let l, let r): return usesCt(l) || usesCt(r)
        default: return false
        }
    }
}
