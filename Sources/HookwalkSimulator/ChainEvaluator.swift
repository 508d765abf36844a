import HookwalkModel

/// A NAT decision taken by a rule of a nat chain (docs/kernel-facts.md, facts 3, 4, 11).
struct NatRequest: Sendable {
    var kind: NatKind
    var addr: IPAddress?
    var port: UInt16?
    /// A port range given (`to :1024-2048`): the kernel keeps the original port when it lies
    /// inside (see `PathWalker.destinationPort` for dnat).
    var portRange: ClosedRange<UInt16>?
    /// `random`, `fully-random`, `persistent`: the first two make the kernel pick a random port of
    /// a range instead of keeping the original one.
    var flags: [String] = []
}

/// How a base chain ended.
enum ChainEnd: Sendable {
    case accept
    /// `chain` is the chain the deciding rule is in (a regular chain after a jump), or the base
    /// chain whose policy dropped.
    case drop(chain: ChainRef, handle: Int?, text: String, rejected: Bool)
    case notModelled(String)
}

/// The outcome of evaluating one base chain: its end, the events it produced, and the effects
/// that the hook code applies afterwards (NAT decisions, notrack).
struct ChainRun: Sendable {
    var end: ChainEnd
    var nat: NatRequest?
    var notrack = false
    /// The `reject` statement that ended the chain: `with` type and code.
    var reject: (type: String?, code: String?)?
    /// The `mod` of each branch point (`numgen ... mod N`) the chain evaluated.
    var branchModuli: [UInt64] = []
}

/// Evaluates one base chain the way `nft_do_chain` does: rules in order, jump pushes a return
/// point, goto does not, `return` pops (or applies the policy in a base chain), a chain that runs
/// out of rules returns silently (docs/kernel-facts.md, fact 6), accept ends the base chain only (fact 1).
struct ChainEvaluator {
    let ruleset: CompiledRuleset
    /// Guards against jump loops the kernel would have refused to load.
    static let maxSteps = 100_000

    func run(chainIndex: Int, context: inout PacketContext, events: inout [TraceEvent]) -> ChainRun {
        let base = ruleset.chains[chainIndex]
        var stack: [(chain: Int, next: Int)] = []
        var current = chainIndex
        var position = 0
        var result = ChainRun(end: .accept)
        var steps = 0
        // Candidate rules of the current chain (all of them, or those its dispatch index allows).
        var candidates = candidateRules(current, context)
        while true {
            steps += 1
            if steps > ChainEvaluator.maxSteps {
                return ChainRun(end: .notModelled("more than \(ChainEvaluator.maxSteps) rule evaluations (a loop?)"))
            }
            guard position < candidates.count else {
                // End of chain: back to the caller without an event, or the base chain's policy.
                if let top = stack.popLast() {
                    current = top.chain
                    candidates = candidateRules(current, context)
                    position = candidates.firstIndex { $0 >= top.next } ?? candidates.count
                    continue
                }
                return finishWithPolicy(base, context, &events, result)
            }
            let ruleIdx = candidates[position]
            let chain = ruleset.chains[current]
            let rule = chain.rules[ruleIdx]
            switch evaluate(rule, chain: chain, context: &context, events: &events, run: &result) {
            case .noMatch:
                position += 1
            case .verdict(let v):
                events.append(TraceEvent(.rule(chain: chain.ref, handle: rule.handle, text: rule.text, verdict: v),
                                         traced: context.packet.nftrace && !chain.legacy))
                switch v {
                case .continue:
                    position += 1
                case .accept:
                    result.end = .accept
                    return result
                case .drop:
                    result.end = .drop(chain: chain.ref, handle: rule.handle, text: rule.text, rejected: rule.isReject)
                    result.reject = rule.rejectWith
                    return result
                case .queue:
                    result.end = .notModelled("queue: the packet is handed to user space")
                    return result
                case .jump(let target), .goto(let target):
                    guard let t = ruleset.chain(chain.ref.family, chain.ref.table, target) else {
                        result.end = .notModelled("jump to missing chain \(target)")
                        return result
                    }
                    if case .jump = v { stack.append((current, ruleIdx + 1)) }
                    current = t
                    candidates = candidateRules(current, context)
                    position = 0
                case .return:
                    if let top = stack.popLast() {
                        current = top.chain
                        candidates = candidateRules(current, context)
                        position = candidates.firstIndex { $0 >= top.next } ?? candidates.count
                    } else {
                        return finishWithPolicy(base, context, &events, result)
                    }
                }
            }
        }
    }

    private func finishWithPolicy(_ base: CompiledChain, _ context: PacketContext, _ events: inout [TraceEvent],
                                  _ result: ChainRun) -> ChainRun {
        let policy = base.base?.policy ?? .accept
        events.append(TraceEvent(.policy(chain: base.ref, policy: policy), traced: context.packet.nftrace && !base.legacy))
        var r = result
        r.end = policy == .accept ? .accept : .drop(chain: base.ref, handle: nil, text: "policy drop", rejected: false)
        return r
    }

    private func candidateRules(_ chain: Int, _ context: PacketContext) -> [Int] {
        let c = ruleset.chains[chain]
        guard let d = c.dispatch else { return Array(c.rules.indices) }
        switch ExpressionEvaluator.eval(d.field, context) {
        case .value(let v): return d.candidates(v)
        case .absent: return d.candidates(nil)
        case .notModelled: return Array(c.rules.indices)
        }
    }

    enum RuleResult {
        case noMatch
        case verdict(Verdict)
    }

    /// One rule: statements left to right; a failing match ends the rule (NFT_BREAK).
    private func evaluate(_ rule: CompiledRule, chain: CompiledChain, context: inout PacketContext,
                          events: inout [TraceEvent], run: inout ChainRun) -> RuleResult {
        for stmt in rule.stmts {
            switch stmt {
            case .match(let left, _, let op, let right):
                switch ExpressionEvaluator.eval(left, context) {
                case .absent:
                    return .noMatch
                case .notModelled(let what):
                    events.append(notModelled(chain, rule, what, "assumed the rule does not match; evaluation went on with the next rule", context))
                    return .noMatch
                case .value(let v):
                    if let (d, t) = Self.randomDraw(left, op, right) {
                        // A draw: 1 branch of d matches (docs/trace.md, "Branches").
                        let matches = context.packet.branch % d == 0
                        run.branchModuli.append(d)
                        let point = BranchPoint(ways: d, expression: NftTextWriter.exprText(left), branch: context.packet.branch,
                                                kind: .draw(threshold: t, matches: matches))
                        events.append(TraceEvent(.note(.branchPoint(point)), traced: context.packet.nftrace))
                        if !matches { return .noMatch }
                        continue
                    }
                    let matches: Bool
                    if case .dynamic(let t, let id) = right, op == .eq || op == .ne {
                        // A named set a rule adds to: its declared elements and the added ones.
                        matches = (t.lookup(v) != nil || context.sets.contains(id, v)) == (op == .eq)
                    } else {
                        matches = Self.compare(v, op, right)
                    }
                    if let n = Numgen.modulus(left) {
                        run.branchModuli.append(n)
                        events.append(branchNote(n, left, context) { .match(value: $0, matches: matches) })
                    }
                    if !matches { return .noMatch }
                }
            case .dynset(let d):
                switch ExpressionEvaluator.eval(d.key, context) {
                case .absent: return .noMatch
                case .notModelled(let what):
                    events.append(notModelled(chain, rule, what, "assumed the set does not change and the rule does not match", context))
                    return .noMatch
                case .value(let v):
                    let r = context.sets.apply(d, v)
                    if r.added {
                        let change = SetChange(removed: d.op == .delete, key: DynamicSets.describe(v), set: d.set.name, statement: d.text)
                        events.append(TraceEvent(.note(.setChanged(change)), traced: context.packet.nftrace))
                    }
                    if !r.passes { return .noMatch }
                }
            case .vmap(let key, _, let table):
                switch ExpressionEvaluator.eval(key, context) {
                case .absent: return .noMatch
                case .notModelled(let what):
                    events.append(notModelled(chain, rule, what, "assumed no element matches; evaluation went on with the next rule", context))
                    return .noMatch
                case .value(let v):
                    let i = table.lookup(v)
                    if let n = Numgen.modulus(key) {
                        run.branchModuli.append(n)
                        events.append(branchNote(n, key, context) { .map(nat: nil, targets: Self.targets(table), value: $0, chosen: i) })
                    }
                    guard let i, case .verdict(let verdict)? = table.data[i] else { return .noMatch }
                    return .verdict(verdict)
                }
            case .natMap(let n, let key, _, let table):
                switch ExpressionEvaluator.eval(key, context) {
                case .absent: return .noMatch
                case .notModelled(let what):
                    events.append(notModelled(chain, rule, what, "assumed no mapping applies", context))
                    return .noMatch
                case .value(let v):
                    let found = table.lookup(v)
                    if let m = Numgen.modulus(key) {
                        run.branchModuli.append(m)
                        events.append(branchNote(m, key, context) { .map(nat: n.kind, targets: Self.targets(table), value: $0, chosen: found) })
                    }
                    guard let i = found, case .value(let data)? = table.data[i] else { return .noMatch }
                    var resolved = n
                    resolved.addr = .value(data)
                    if case .concat(let parts) = data, parts.count == 2 {
                        resolved.addr = .value(parts[0])
                        resolved.port = .value(parts[1])
                    }
                    switch natRequest(resolved, chain: chain, context) {
                    case .success(let req): run.nat = req; return .verdict(.accept)
                    case .failure(let e):
                        events.append(notModelled(chain, rule, e.message, "assumed no mapping applies", context))
                        return .noMatch
                    }
                }
            case .unsupported(let why):
                events.append(notModelled(chain, rule, why, "assumed the rule does not match; evaluation went on with the next rule", context))
                return .noMatch
            case .plain(let s):
                switch s {
                case .verdict(let v):
                    return .verdict(v)
                case .counter, .log:
                    continue
                case .limit(_, _, _, _, let over):
                    // A single simulated packet is within any rate limit.
                    if over { return .noMatch }
                case .mangle(let key, let value):
                    switch mangle(key, value, &context) {
                    case .done: break
                    case .breaks: return .noMatch
                    case .notModelled:
                        events.append(notModelled(chain, rule, NftTextWriter.stmtText(.mangle(key: key, value: value)), "assumed it changes nothing that matters for the path", context))
                    }
                case .nat(let n):
                    switch natRequest(n, chain: chain, context) {
                    case .success(let req): run.nat = req; return .verdict(.accept)
                    case .failure(let e):
                        events.append(notModelled(chain, rule, e.message, "assumed no mapping applies", context))
                        return .noMatch
                    }
                case .reject:
                    return .verdict(.drop)
                case .notrack:
                    run.notrack = true
                case .notModelled(let nm):
                    events.append(notModelled(chain, rule, Constructs.text(nm), "assumed it has no effect on the path", context))
                case .match, .vmap:
                    continue
                }
            }
        }
        return .verdict(.continue)
    }

    /// A branch point's note: the N outcomes and the one this walk follows (issue 13, docs/trace.md
    /// "Branches"); `kind` gets the value numgen gives on this branch.
    private func branchNote(_ n: UInt64, _ e: Expr, _ context: PacketContext, _ kind: (UInt64?) -> BranchPoint.Kind) -> TraceEvent {
        var value: UInt64?
        if case .value(.int(let x)) = ExpressionEvaluator.eval(e, context) { value = x }
        let point = BranchPoint(ways: n, expression: NftTextWriter.exprText(e), branch: context.packet.branch, kind: kind(value))
        return TraceEvent(.note(.branchPoint(point)), traced: context.packet.nftrace)
    }

    /// `meta random [& M] < T` (iptables' `-m statistic --mode random --probability P` as nft lists
    /// it, T = P * 2^31): a draw that matches with probability T / (M + 1). As a branch point it has
    /// D = round((M + 1) / T) branches, at least 2, and matches on branch K when K % D == 0: every
    /// outcome is some branch, and 1/D (kube-proxy's 1/3, 1/2) is the kernel's probability.
    /// Returns D and T.
    static func randomDraw(_ left: Expr, _ op: MatchOp, _ right: RightSide) -> (ways: UInt64, threshold: UInt64)? {
        guard op == .lt, case .pattern(.exact(.int(let t))) = right else { return nil }
        let range: Double
        switch left {
        case .meta("random"): range = 4_294_967_296
        case .binop("&", .meta("random"), .value(.number(let m))) where m < 0xffff_ffff && (m + 1) & m == 0: range = Double(m + 1)
        default: return nil
        }
        guard t > 0, Double(t) < range else { return nil }
        return (max(2, UInt64((range / Double(t)).rounded())), t)
    }

    /// A map's elements and what each gives (`0` -> `jump lb_a`).
    static func targets(_ table: LookupTable) -> [BranchTarget] {
        table.keys.indices.map { BranchTarget(key: NftTextWriter.valueText(table.keys[$0]), target: target(table, $0)) }
    }

    static func target(_ table: LookupTable, _ i: Int) -> String {
        switch table.data[i] {
        case .verdict(let v)?: return NftTextWriter.verdictText(v)
        case .value(let v)?: return NftTextWriter.valueText(v)
        case nil: return "(nothing)"
        }
    }

    private func notModelled(_ chain: CompiledChain, _ rule: CompiledRule, _ what: String, _ assumption: String,
                             _ context: PacketContext) -> TraceEvent {
        TraceEvent(.notModelled(chain: chain.ref, handle: rule.handle, text: .construct(what), assumption: assumption),
                   traced: context.packet.nftrace)
    }

    static func compare(_ v: FieldValue, _ op: MatchOp, _ right: RightSide) -> Bool {
        switch (op, right) {
        case (.eq, .pattern(let p)): return p.matches(v)
        case (.ne, .pattern(let p)): return !p.matches(v)
        case (.eq, .set(let t)): return t.lookup(v) != nil
        case (.ne, .set(let t)): return t.lookup(v) == nil
        case (.eq, .dynamic(let t, _)): return t.lookup(v) != nil
        case (.ne, .dynamic(let t, _)): return t.lookup(v) == nil
        case (.flags, .mask(let m)):
            guard case .int(let x) = v else { return false }
            return x & m != 0
        case (.flags, .pattern(.exact(.int(let m)))):
            guard case .int(let x) = v else { return false }
            return x & m != 0
        case (.lt, .pattern(.exact(let r))), (.gt, .pattern(.exact(let r))), (.le, .pattern(.exact(let r))), (.ge, .pattern(.exact(let r))):
            let ordered: Bool?
            switch (v, r) {
            case (.int(let a), .int(let b)): ordered = op == .lt ? a < b : op == .gt ? a > b : op == .le ? a <= b : a >= b
            case (.addr(let a), .addr(let b)): ordered = op == .lt ? a < b : op == .gt ? a > b : op == .le ? a <= b : a >= b
            default: ordered = nil
            }
            return ordered ?? false
        case (.eq, .mask(let m)):
            guard case .int(let x) = v else { return false }
            return x == m
        case (.ne, .mask(let m)):
            guard case .int(let x) = v else { return false }
            return x != m
        default:
            return false
        }
    }

    enum MangleResult { case done, breaks, notModelled }

    /// `meta mark set`, `meta nftrace set`, `ct mark set` with a constant or an expression of the
    /// packet's marks (`meta mark | 0x2000`, `ct mark & 0xff`, `meta mark set ct mark`: connmark's
    /// restore, `ct mark set meta mark`: its save), evaluated on 32-bit registers as the kernel's
    /// nft_bitwise does. A source that is absent (`ct mark` of an untracked packet) breaks the rule,
    /// as nft_ct_get_eval's NFT_BREAK. Anything else is reported as not modelled.
    private func mangle(_ key: Expr, _ value: Expr, _ c: inout PacketContext) -> MangleResult {
        let n: UInt64
        if case .value(.number(let x)) = value {
            n = x
        } else {
            switch ExpressionEvaluator.eval(value, c) {
            case .value(.int(let x)): n = x
            case .absent: return .breaks
            default: return .notModelled
            }
        }
        let n32 = UInt32(truncatingIfNeeded: n)
        switch key {
        case .meta("nftrace"): c.packet.nftrace = n != 0; return .done
        case .meta("mark"): c.packet.mark = n32; return .done
        case .ct("mark", nil, _):
            switch c.ct {
            case .tracked, .related: break
            case .none, .untracked: return .notModelled
            }
            guard c.connection != nil else { return .notModelled }
            c.connection?.mark = n32
            return .done
        default: return .notModelled
        }
    }

    /// Reads a NAT statement's target for this packet.
    private func natRequest(_ n: NatStmt, chain: CompiledChain, _ c: PacketContext) -> Result<NatRequest, ConstantError> {
        var req = NatRequest(kind: n.kind, flags: n.flags)
        if let a = n.addr {
            guard case .value(let v) = a else { return .failure(ConstantError(message: "NAT address \(NftTextWriter.exprText(a))")) }
            switch v {
            case .string(let s):
                guard let ip = IPAddress(s) else { return .failure(ConstantError(message: "NAT address \(s)")) }
                req.addr = ip
            case .range(.string(let lo), _):
                // The kernel picks an address from the range; the first one is shown.
                guard let ip = IPAddress(lo) else { return .failure(ConstantError(message: "NAT address \(lo)")) }
                req.addr = ip
            default:
                return .failure(ConstantError(message: "NAT address \(NftTextWriter.valueText(v))"))
            }
        }
        if let p = n.port {
            switch p {
            case .value(.number(let x)) where x <= 65535:
                req.port = UInt16(x)
            case .value(.range(.number(let lo), .number(let hi))) where lo <= hi && hi <= 65535:
                req.portRange = UInt16(lo)...UInt16(hi)
            default:
                return .failure(ConstantError(message: "NAT port \(NftTextWriter.exprText(p))"))
            }
        }
        return .success(req)
    }
}

extension CompiledRule {
    var isReject: Bool { rejectWith != nil }

    /// The `with` type and code of the rule's `reject` statement, when it has one.
    var rejectWith: (type: String?, code: String?)? {
        for s in stmts { if case .plain(.reject(let t, let c)) = s { return (t, c) } }
        return nil
    }
}
