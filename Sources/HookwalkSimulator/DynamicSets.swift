import HookwalkModel

/// A set that packets change: `add @s { ip saddr }`, `update @s { ... limit rate ... }`,
/// `delete @s { ... }`, and a `meter` (a set of the table named by the meter). Named by its table.
struct SetID: Hashable, Sendable {
    var family: Family
    var table: String
    var name: String
}

/// A dynamic set statement, compiled (nft_dynset): the operation, the set, the key expression
/// and the statements each element carries (`limit`, `counter`).
struct DynsetStmt: Sendable {
    enum Op: String, Sendable { case add, update, delete }
    var op: Op
    var set: SetID
    var key: Expr
    var stmts: [Stmt]
    /// The statement as nft prints it (for the notes).
    var text: String

    /// A `set` construct (`add|update|delete @s { KEY [STATEMENTS] }`) or a `meter` (an update of
    /// the meter's set), or nil for a shape this does not model (a map update).
    init?(_ nm: NotModelled, table: Table) {
        let parts = nm.parts ?? [:]
        func expr(_ k: String) -> Expr? {
            guard case .expr(let e)? = parts[k] else { return nil }
            // An element with `timeout`/`expires`/`comment`: the key is its value.
            if case .notModelled(let inner) = e, inner.kind == "elem", case .expr(let v)? = inner.parts?["val"] { return v }
            return e
        }
        func stmts() -> [Stmt]? {
            switch parts["stmt"] {
            case nil: return []
            case .stmts(let s)?: return s
            default: return nil
            }
        }
        let name: String, key: Expr, op: Op
        switch nm.kind {
        case "set":
            guard case .expr(let opExpr)? = parts["op"], let o = Op(rawValue: NftTextWriter.exprText(opExpr)),
                  case .expr(let setExpr)? = parts["set"], let k = expr("elem") else { return nil }
            var n = NftTextWriter.exprText(setExpr)
            if n.hasPrefix("\"") && n.hasSuffix("\"") && n.count >= 2 { n = String(n.dropFirst().dropLast()) }
            name = n.hasPrefix("@") ? String(n.dropFirst()) : n
            key = k
            op = o
        case "meter":
            guard case .expr(let nameExpr)? = parts["name"], let k = expr("key") else { return nil }
            name = NftTextWriter.exprText(nameExpr)
            key = k
            op = .update
        default:
            return nil
        }
        guard let s = stmts() else { return nil }
        self.op = op
        self.set = SetID(family: table.family, table: table.name, name: name)
        self.key = key
        self.stmts = s
        self.text = Constructs.text(nm)
    }
}

/// The elements packets added to dynamic sets during one scenario, carried from the request to
/// its reply (and reject's answer) with the conntrack state: the simulator stays a pure function
/// of ruleset, host and packet. Each element keeps, per statement of the dynset that made it, how
/// many packets its `limit` has counted (the kernel gives every element its own limit, cloned
/// from the statement's, nft_dynset_new).
struct DynamicSets: Sendable {
    struct Element: Sendable {
        /// Packets counted by the element's `limit` statements, by the statement's position.
        var limited: [Int: UInt64] = [:]
    }

    /// An element as nft prints it: `10.0.0.1`, `10.0.0.1 . 8080`.
    static func describe(_ v: FieldValue) -> String {
        switch v {
        case .addr(let a): return a.description
        case .int(let n): return String(n)
        case .name(let s): return TerminalText.escaped(s, keepLines: false)
        case .concat(let parts): return parts.map(describe).joined(separator: " . ")
        }
    }

    private(set) var elements: [SetID: [FieldValue: Element]] = [:]

    func contains(_ set: SetID, _ v: FieldValue) -> Bool { elements[set]?[v] != nil }

    var isEmpty: Bool { elements.values.allSatisfy(\.isEmpty) }

    /// Applies `s` for the key value `v`, as nft_dynset_eval does: `add` and `update` create the
    /// element when it is missing (an existing one is kept), then run its statements; `delete`
    /// removes it. Returns false when the rule breaks there (a `limit` that does not let the
    /// packet through: a `limit rate R` over its rate, a `limit rate over R` within it).
    ///
    /// Time does not pass within a scenario: a packet `limit` lets the first `burst` packets of an
    /// element through (nft's default burst is 5), those after are over the rate. Byte limits are
    /// assumed within their rate.
    mutating func apply(_ s: DynsetStmt, _ v: FieldValue) -> (passes: Bool, added: Bool) {
        switch s.op {
        case .delete:
            let had = elements[s.set]?[v] != nil
            elements[s.set]?[v] = nil
            return (true, had)
        case .add, .update:
            var e = elements[s.set]?[v]
            let added = e == nil
            if e == nil { e = Element() }
            var passes = true
            for (i, st) in s.stmts.enumerated() {
                guard case .limit(_, _, let burst, let unit, let over) = st else { continue }
                var within = true
                if unit == nil {
                    let counted = (e!.limited[i] ?? 0) + 1
                    e!.limited[i] = counted
                    within = counted <= max(burst ?? 5, 1)
                }
                if within == over { passes = false; break }
            }
            elements[s.set, default: [:]][v] = e
            return (passes, added)
        }
    }
}
