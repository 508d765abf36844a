import HookwalkModel

/// A place in a parsed ruleset that an error can point at; each front end maps it back to where
/// the thing was written (a line:column, a JSON path).
struct RulesetPlace: Hashable {
    enum Kind: Hashable { case chain, rule, set }
    var kind: Kind
    var table: Int
    /// The chain (for `.chain` and `.rule`) or the set (for `.set`).
    var index: Int
    var rule: Int = 0

    static func chain(_ t: Int, _ c: Int) -> RulesetPlace { RulesetPlace(kind: .chain, table: t, index: c) }
    static func rule(_ t: Int, _ c: Int, _ r: Int) -> RulesetPlace { RulesetPlace(kind: .rule, table: t, index: c, rule: r) }
    static func set(_ t: Int, _ s: Int) -> RulesetPlace { RulesetPlace(kind: .set, table: t, index: s) }
}

/// Something in a ruleset that the kernel (or nft's evaluation step) refuses.
struct RulesetProblem: Equatable {
    var place: RulesetPlace
    var message: String
}

/// The checks that nft's `evaluate.c` and the kernel's commit (`nf_tables_api.c`) make on a whole
/// ruleset, run after parsing so that hookwalk never simulates a ruleset the kernel would not
/// load (issue 14). Each was seen refused by `nft -f` in a scratch namespace (HostileLabTests):
///
/// - a jump, goto or verdict-map loop reachable from a base chain, and a chain 16 jumps below a
///   base chain: the kernel's validation walks at most `NFT_JUMP_STACK_SIZE` levels (EMLINK,
///   "Too many links"); a loop no base chain reaches is accepted, as the kernel does;
/// - a jump to a base chain (EOPNOTSUPP), to a chain that does not exist, a reference to a
///   missing set, map or named counter (ENOENT);
/// - expressions nested more than `InputLimits.expressionNesting` deep;
/// - ports above 65535, marks above 32 bits, prefixes longer than the address.
///
/// Every walk is iterative, so a hostile ruleset cannot exhaust the stack here either.
enum RulesetValidation {
    static func firstProblem(in ruleset: Ruleset) -> RulesetProblem? {
        for ti in ruleset.tables.indices where !ruleset.tables[ti].legacy {
            if let p = checkTable(ruleset.tables[ti], ti) { return p }
        }
        return nil
    }

    static let maximumNameLength = 255
    static let emlink = "the kernel refuses the ruleset at commit (EMLINK, \"Too many links\")"

    /// A jump from a rule: its target, and the rule that makes it.
    struct Edge {
        var target: Int
        var rule: Int
    }

    static func checkTable(_ table: Table, _ ti: Int) -> RulesetProblem? {
        var chainIndex: [String: Int] = [:]
        for (i, c) in table.chains.enumerated() where chainIndex[c.name] == nil { chainIndex[c.name] = i }
        var setIndex: [String: Int] = [:]
        for (i, s) in table.sets.enumerated() where setIndex[s.name] == nil { setIndex[s.name] = i }
        let counters = Set(table.objects.filter { $0.kind == "counter" }.map(\.name))
        let where_ = "table \(table.family.rawValue) \(table.name)"

        // NFT_NAME_MAXLEN is 256 with the terminating NUL: longer names are refused (ERANGE).
        func tooLong(_ what: String, _ name: String) -> String? {
            guard name.utf8.count > maximumNameLength else { return nil }
            return "\(what) name of \(name.utf8.count) bytes (\(name.prefix(40))...) in \(where_): the kernel holds names of at most "
                + "\(maximumNameLength) bytes (it refuses longer ones: ERANGE, \"Numerical result out of range\")"
        }
        if let m = tooLong("table", table.name), !table.chains.isEmpty { return RulesetProblem(place: .chain(ti, 0), message: m) }
        for (ci, c) in table.chains.enumerated() {
            if let m = tooLong("chain", c.name) { return RulesetProblem(place: .chain(ti, ci), message: m) }
        }
        for (si, s) in table.sets.enumerated() {
            if let m = tooLong("set", s.name) { return RulesetProblem(place: .set(ti, si), message: m) }
        }

        // Verdicts held by named maps: a rule that looks one up can take them.
        var mapTargets: [Int: [String]] = [:]
        for (si, s) in table.sets.enumerated() {
            var targets: [String] = []
            for e in s.elements {
                guard case .verdict(let v)? = e.data, let target = jumpTarget(v) else { continue }
                guard let c = chainIndex[target] else {
                    return RulesetProblem(place: .set(ti, si), message: "map \(s.name) jumps to unknown chain \"\(target)\" in \(where_)")
                }
                if table.chains[c].isBase {
                    return RulesetProblem(place: .set(ti, si), message: "map \(s.name) jumps to base chain \(target) in \(where_): "
                                          + "only regular chains can be jump targets (the kernel refuses it: EOPNOTSUPP, \"Operation not supported\")")
                }
                targets.append(target)
            }
            mapTargets[si] = targets
        }

        var edges: [[Edge]] = Array(repeating: [], count: table.chains.count)
        for (ci, chain) in table.chains.enumerated() {
            for (ri, rule) in chain.rules.enumerated() {
                let place = RulesetPlace.rule(ti, ci, ri)
                var targets: [String] = []
                for stmt in rule.stmts {
                    if let message = checkStatement(stmt, targets: &targets, sets: setIndex, mapTargets: mapTargets, counters: counters, table: where_) {
                        return RulesetProblem(place: place, message: message)
                    }
                }
                for target in targets {
                    guard let t = chainIndex[target] else {
                        return RulesetProblem(place: place, message: "jump to unknown chain \"\(target)\" in \(where_)")
                    }
                    if table.chains[t].isBase {
                        return RulesetProblem(place: place, message: "jump to base chain \(target) in \(where_): only regular chains can be jump targets "
                                              + "(the kernel refuses it: EOPNOTSUPP, \"Operation not supported\")")
                    }
                    edges[ci].append(Edge(target: t, rule: ri))
                }
            }
        }
        return checkJumpGraph(table, ti, edges)
    }

    static func jumpTarget(_ v: Verdict) -> String? {
        switch v {
        case .jump(let c), .goto(let c): return c
        default: return nil
        }
    }

    /// The checks of one statement; collects the chains it can jump to.
    static func checkStatement(_ stmt: Stmt, targets: inout [String], sets: [String: Int], mapTargets: [Int: [String]],
                               counters: Set<String>, table: String) -> String? {
        var roots: [Expr] = []
        switch stmt {
        case .match(let l, _, let r):
            roots = [l, r]
            if let m = checkTyped(l, r) { return m }
        case .mangle(let k, let v):
            roots = [k, v]
            if let m = checkTyped(k, v) { return m }
        case .nat(let n):
            roots = [n.addr, n.port].compactMap { $0 }
        case .vmap(let k, let d):
            roots = [k, d]
        case .verdict(let v):
            if let t = jumpTarget(v) { targets.append(t) }
        case .counter(let name?):
            if !counters.contains(name) {
                return "counter \"\(name)\" is not defined in \(table) (the kernel refuses the rule: ENOENT, \"No such file or directory\")"
            }
        default:
            break
        }
        // One iterative walk: nesting depth, set references, verdicts of anonymous maps, values.
        var stack: [(Node, Int)] = roots.map { (.expr($0), 1) }
        while let (node, depth) = stack.popLast() {
            if depth > InputLimits.expressionNesting {
                return "expression nested more than \(InputLimits.expressionNesting) levels deep: the kernel holds at most 128 expressions in a rule"
            }
            switch node {
            case .expr(let e):
                switch e {
                case .value(let v): stack.append((.value(v), depth + 1))
                case .concat(let parts): for p in parts { stack.append((.expr(p), depth + 1)) }
                case .set(let elements):
                    for el in elements {
                        stack.append((.value(el.key), depth + 1))
                        switch el.data {
                        case .value(let v)?: stack.append((.value(v), depth + 1))
                        case .verdict(let v)?: if let t = jumpTarget(v) { targets.append(t) }
                        case nil: break
                        }
                    }
                case .setRef(let name):
                    guard let si = sets[name] else {
                        return "@\(name) is not a set or map of \(table) (the kernel refuses the rule: ENOENT, \"No such file or directory\")"
                    }
                    targets += mapTargets[si] ?? []
                case .map(let k, let d):
                    stack.append((.expr(k), depth + 1))
                    stack.append((.expr(d), depth + 1))
                case .binop(_, let l, let r):
                    stack.append((.expr(l), depth + 1))
                    stack.append((.expr(r), depth + 1))
                default: break
                }
            case .value(let v):
                switch v {
                case .prefix(let addr, let len):
                    let width = addr.contains(":") ? 128 : 32
                    if len < 0 || len > width {
                        return "prefix length \(len) of \(addr) is invalid for a \(width)-bit address (nft: \"Prefix length \(len) is invalid for type of \(width) bits width\")"
                    }
                case .string(let s):
                    // The byte test first: most strings (names, devices) have no slash, and
                    // `lastIndex(of:)` over Characters costs thousands of instructions.
                    if s.utf8.contains(UInt8(ascii: "/")), let slash = s.lastIndex(of: "/"), s[s.index(after: slash)...].allSatisfy(\.isNumber),
                       s.index(after: slash) < s.endIndex, Value.numberish(String(s[..<slash])) {
                        return "prefix length of \(s) is out of range (at most 32 for IPv4, 128 for IPv6)"
                    }
                case .range(let a, let b):
                    stack.append((.value(a), depth + 1))
                    stack.append((.value(b), depth + 1))
                case .concat(let parts), .list(let parts):
                    for p in parts { stack.append((.value(p), depth + 1)) }
                default: break
                }
            }
        }
        return nil
    }

    enum Node {
        case expr(Expr)
        case value(Value)
    }

    /// Numbers compared with a field of a known width: ports (16 bits) and marks (32 bits).
    static func checkTyped(_ left: Expr, _ right: Expr) -> String? {
        let limit: UInt64
        let what: String
        switch left {
        case .payload(let proto, let field) where ["sport", "dport"].contains(field)
            && ["tcp", "udp", "udplite", "sctp", "dccp", "th"].contains(proto):
            limit = 65535
            what = "\(proto) \(field)"
        case .meta("mark"), .ct("mark", _, _):
            limit = UInt64(UInt32.max)
            what = "mark"
        default:
            return nil
        }
        var stack: [Value] = []
        switch right {
        case .value(let v): stack.append(v)
        case .set(let elements): stack += elements.map(\.key)
        default: return nil
        }
        var seen = 0
        while let v = stack.popLast() {
            seen += 1
            if seen > 1_000_000 { return nil }
            switch v {
            case .number(let n) where n > limit:
                return "\(what) value \(n) exceeds the valid range 0-\(limit) (nft refuses it)"
            case .range(let a, let b): stack += [a, b]
            case .concat(let parts), .list(let parts): stack += parts
            default: break
            }
        }
        return nil
    }

    // MARK: jumps

    /// Loops and depth, as the kernel's `nft_chain_validate` sees them: from each base chain, every
    /// jump and goto is one level; reaching level 16 (or going round a loop) is refused.
    static func checkJumpGraph(_ table: Table, _ ti: Int, _ edges: [[Edge]]) -> RulesetProblem? {
        let n = table.chains.count
        // 0 unvisited, 1 on the current path, 2 done. height: the longest jump path below a chain,
        // and the edge it starts with.
        var state = [UInt8](repeating: 0, count: n)
        var height = [Int](repeating: 0, count: n)
        var longest = [Int](repeating: -1, count: n)
        for base in 0..<n where table.chains[base].isBase && state[base] == 0 {
            // Iterative depth-first search: (chain, next edge to follow).
            var path: [(chain: Int, next: Int)] = [(base, 0)]
            state[base] = 1
            while let top = path.last {
                let c = top.chain
                if top.next < edges[c].count {
                    path[path.count - 1].next += 1
                    let e = edges[c][top.next]
                    switch state[e.target] {
                    case 1:
                        let from = path.firstIndex { $0.chain == e.target } ?? 0
                        let names = path[from...].map { table.chains[$0.chain].name } + [table.chains[e.target].name]
                        return RulesetProblem(place: .rule(ti, c, e.rule), message: "jump loop in table \(table.family.rawValue) \(table.name): "
                                              + describe(names) + ": " + emlink)
                    case 0:
                        state[e.target] = 1
                        path.append((e.target, 0))
                    default:
                        break
                    }
                } else {
                    var best = 0
                    for (k, e) in edges[c].enumerated() where height[e.target] + 1 > best {
                        best = height[e.target] + 1
                        longest[c] = k
                    }
                    height[c] = best
                    state[c] = 2
                    path.removeLast()
                }
            }
            if height[base] >= InputLimits.jumpStack {
                // Follow the longest path down to the chain at level 16.
                var names = [table.chains[base].name]
                var c = base
                var place = RulesetPlace.chain(ti, base)
                for _ in 0..<InputLimits.jumpStack {
                    let e = edges[c][longest[c]]
                    place = .rule(ti, c, e.rule)
                    c = e.target
                    names.append(table.chains[c].name)
                }
                return RulesetProblem(place: place, message: "jumps nested \(InputLimits.jumpStack) deep in table \(table.family.rawValue) \(table.name): "
                                      + describe(names) + ": the kernel's jump stack holds \(InputLimits.jumpStack) levels, so " + emlink)
            }
        }
        return nil
    }

    /// `a -> b -> c`, shortened in the middle when long.
    static func describe(_ names: [String]) -> String {
        if names.count <= 10 { return names.joined(separator: " -> ") }
        return (names.prefix(4) + ["... (\(names.count - 7) more)"] + names.suffix(3)).joined(separator: " -> ")
    }
}
