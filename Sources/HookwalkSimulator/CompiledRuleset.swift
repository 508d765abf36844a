import HookwalkModel

/// The ruleset prepared once for evaluation: chains addressable by name, base chains grouped by
/// (family, hook) in priority order, constants typed by the field they are compared with, and sets
/// indexed. The model stays what the parsers produced; this is the evaluator's view of it.
struct CompiledRuleset: Sendable {
    var chains: [CompiledChain] = []
    var chainIndex: [ChainKey: Int] = [:]
    /// Base chains per (family, hook), sorted by priority, ties in listing order.
    var baseChains: [HookKey: [Int]] = [:]
    /// When conntrack, the NAT hook and each chain were registered (ties at equal priority).
    var registration = HookRegistration()
    /// Whether any rule sets `meta nftrace`: then only traced packets produce kernel trace lines.
    var setsNftrace = false

    struct ChainKey: Hashable, Sendable {
        var family: Family
        var table: String
        var chain: String
    }

    struct HookKey: Hashable, Sendable {
        var family: Family
        var hook: Hook
    }

    init(_ ruleset: Ruleset) {
        for table in ruleset.tables {
            for chain in table.chains {
                let ref = ChainRef(family: table.family, table: table.name, chain: chain.name)
                let rules = chain.rules.map { rule -> CompiledRule in
                    let stmts = rule.stmts.map { CompiledRuleset.compile($0, table: table) }
                    if rule.stmts.contains(where: { if case .mangle(.meta("nftrace"), _) = $0 { return true } else { return false } }) {
                        setsNftrace = true
                    }
                    return CompiledRule(handle: rule.handle, text: NftTextWriter.ruleText(rule), stmts: stmts)
                }
                chainIndex[ChainKey(family: table.family, table: table.name, chain: chain.name)] = chains.count
                chains.append(CompiledChain(ref: ref, base: chain.base, rules: rules, legacy: table.legacy))
            }
        }
        registration = HookRegistration(ruleset)
        var grouped: [HookKey: [Int]] = [:]
        for (i, c) in chains.enumerated() {
            guard let base = c.base else { continue }
            grouped[HookKey(family: c.ref.family, hook: base.hook), default: []].append(i)
        }
        for (k, v) in grouped {
            baseChains[k] = v.sorted { a, b in CompiledRuleset.runsBefore(a, b, chains) }
        }
        for i in chains.indices {
            chains[i].dispatch = DispatchIndex(rules: chains[i].rules)
        }
    }

    /// Whether the kernel tracks connections of the family in the ruleset's network namespace:
    /// only once something registered conntrack for it (`HookRegistration`). A nat base chain alone
    /// does not, and without conntrack the NAT hook returns before its chains, so they see
    /// nothing. Seen in the lab: Docker 28's ip6 nat PREROUTING (`jump DOCKER` only) never saw an
    /// IPv6 packet while the ip6 tables had no conntrack user (VerifyProxySixToFourTests;
    /// scripts/repro-conntrack-per-family.sh: the counter moves once an ip6 `ct state` rule exists).
    func conntrack(v4: Bool) -> Bool { registration.conntrack(v4: v4) >= 0 || registration.unmodelled(v4: v4) }

    func chain(_ family: Family, _ table: String, _ name: String) -> Int? {
        chainIndex[ChainKey(family: family, table: table, chain: name)]
    }

    /// Base chains that see an IP packet of `v4` at `hook` (ip or ip6, and inet).
    func ipBaseChains(v4: Bool, hook: Hook) -> [Int] {
        let a = baseChains[HookKey(family: v4 ? .ip : .ip6, hook: hook)] ?? []
        let b = baseChains[HookKey(family: .inet, hook: hook)] ?? []
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return (a + b).sorted { x, y in CompiledRuleset.runsBefore(x, y, chains) }
    }

    /// Hook order: lower priority first; at equal priority the chain registered *later* runs
    /// first, because the kernel inserts a new hook entry before existing ones of the same
    /// priority (`nf_hook_entries_grow`). Registration follows the listing (tables in creation
    /// order, chains within a table in handle order). Seen in the lab: a leftover `ip filter
    /// FORWARD` loaded after `ip docker-bridges filter-FORWARD` (both priority 0) ran first.
    static func runsBefore(_ x: Int, _ y: Int, _ chains: [CompiledChain]) -> Bool {
        let px = chains[x].base!.priority, py = chains[y].base!.priority
        return px != py ? px < py : x > y
    }

    func bridgeBaseChains(hook: Hook) -> [Int] {
        baseChains[HookKey(family: .bridge, hook: hook)] ?? []
    }

    static func compile(_ stmt: Stmt, table: Table) -> CompiledStmt {
        switch stmt {
        case .match(let left, let op, let right):
            guard let kind = FieldKind.of(left) else {
                return .unsupported(NftTextWriter.stmtText(stmt))
            }
            do {
                return .match(left: left, kind: kind, op: op, right: try compileRight(right, kind: kind, op: op, table: table))
            } catch {
                return .unsupported(error.message)
            }
        case .vmap(let key, let data):
            guard let kind = FieldKind.of(key) else { return .unsupported(NftTextWriter.stmtText(stmt)) }
            do {
                return .vmap(key: key, kind: kind, table: try lookupTable(data, kind: kind, table: table))
            } catch {
                return .unsupported(error.message)
            }
        case .nat(let n):
            if case .map(let key, let data)? = n.addr {
                guard let kind = FieldKind.of(key) else { return .unsupported(NftTextWriter.stmtText(stmt)) }
                do {
                    return .natMap(n, key: key, kind: kind, table: try lookupTable(data, kind: kind, table: table))
                } catch {
                    return .unsupported(error.message)
                }
            }
            return .plain(stmt)
        case .notModelled(let nm) where nm.kind == "set" || nm.kind == "meter":
            // A dynamic set update or a meter: modelled with `limit` and `counter` inside.
            guard let d = DynsetStmt(nm, table: table),
                  d.stmts.allSatisfy({ if case .limit = $0 { true } else if case .counter = $0 { true } else { false } }),
                  FieldKind.of(d.key) != nil else { return .plain(stmt) }
            return .dynset(d)
        default:
            return .plain(stmt)
        }
    }

    static func compileRight(_ right: Expr, kind: FieldKind, op: MatchOp, table: Table) throws(ConstantError) -> RightSide {
        switch right {
        case .value(let v):
            if op == .flags {
                if case .list(let items) = v { return .mask(try Constants.mask(items, kind: kind)) }
                return .mask(try Constants.mask([v], kind: kind))
            }
            return .pattern(try Constants.pattern(v, kind: kind))
        case .set:
            return .set(try lookupTable(right, kind: kind, table: table))
        case .setRef(let name):
            // A named set: its declared elements, and those packets add during the scenario.
            let bare = name.hasPrefix("@") ? String(name.dropFirst()) : name
            return .dynamic(try lookupTable(right, kind: kind, table: table), SetID(family: table.family, table: table.name, name: bare))
        default:
            throw ConstantError(message: "cannot compare with \(NftTextWriter.exprText(right))")
        }
    }

    static func lookupTable(_ data: Expr, kind: FieldKind, table: Table) throws(ConstantError) -> LookupTable {
        switch data {
        case .set(let elements):
            return try LookupTable(elements: elements, kind: kind)
        case .setRef(let name):
            let bare = name.hasPrefix("@") ? String(name.dropFirst()) : name
            guard let s = table.set(bare) else { throw ConstantError(message: "unknown set @\(bare)") }
            return try LookupTable(elements: s.elements, kind: kind)
        default:
            throw ConstantError(message: "not a set")
        }
    }
}

enum RightSide: Sendable {
    case pattern(Pattern)
    case set(LookupTable)
    /// A named set: the declared elements and the dynamic ones (`DynamicSets`).
    case dynamic(LookupTable, SetID)
    case mask(UInt64)
}

enum CompiledStmt: Sendable {
    case match(left: Expr, kind: FieldKind, op: MatchOp, right: RightSide)
    case vmap(key: Expr, kind: FieldKind, table: LookupTable)
    case natMap(NatStmt, key: Expr, kind: FieldKind, table: LookupTable)
    case plain(Stmt)
    /// `add|update|delete @set { ... }` or a `meter`.
    case dynset(DynsetStmt)
    /// A match or statement whose constants hookwalk could not read.
    case unsupported(String)
}

struct CompiledRule: Sendable {
    var handle: Int?
    var text: String
    var stmts: [CompiledStmt]
}

struct CompiledChain: Sendable {
    var ref: ChainRef
    var base: BaseChainSpec?
    var rules: [CompiledRule]
    var dispatch: DispatchIndex? = nil
    /// An iptables-legacy chain: the kernel's nft trace never shows it.
    var legacy = false

    init(ref: ChainRef, base: BaseChainSpec?, rules: [CompiledRule], legacy: Bool) {
        self.ref = ref
        self.base = base
        self.rules = rules
        self.legacy = legacy
    }
}
