
/// What nft's text syntax cannot hold. nft's quoted strings have no escapes (`"[^"]*"` in its
/// scanner: `iifname "a\"b"` is a syntax error in nft 1.0.6, checked in a scratch namespace), and
/// a line break or another control character in a name or comment cannot be written either: a
/// name from a JSON listing holding one would otherwise turn into new syntax (an extra chain with
/// `policy drop`) when the ruleset is converted to text. `nft list ruleset` prints such names raw,
/// giving text that neither nft nor hookwalk reads back, so `hookwalk ruleset` refuses to print
/// them instead; `--format json` can hold them.
extension NftTextWriter {
    /// Why `ruleset` cannot be written as nft text, naming the first offending name and where it
    /// is; nil when every name and string can be written.
    public static func unexpressible(in ruleset: Ruleset) -> String? {
        for t in ruleset.tables {
            let table = "table \(t.family.rawValue) \(t.name)"
            if let m = check(t.name, "table name", in: table) ?? t.comment.flatMap({ check($0, "table comment", in: table) }) { return m }
            for s in t.sets {
                if let m = check(s.name, "set name", in: table) ?? s.comment.flatMap({ check($0, "set comment", in: table) }) { return m }
                for e in s.elements {
                    if let m = checkValue(e.key, in: "set \(s.name) of \(table)") { return m }
                    if case .value(let v)? = e.data, let m = checkValue(v, in: "set \(s.name) of \(table)") { return m }
                    if case .verdict(let v)? = e.data, let target = target(v), let m = check(target, "jump target", in: "set \(s.name) of \(table)") { return m }
                }
            }
            for o in t.objects {
                if let m = check(o.name, "\(o.kind) name", in: table) { return m }
            }
            for c in t.chains {
                let chain = "chain \(c.name) of \(table)"
                if let m = check(c.name, "chain name", in: table) ?? c.comment.flatMap({ check($0, "chain comment", in: chain) }) { return m }
                for d in c.base?.devices ?? [] {
                    if let m = check(d, "device name", in: chain) { return m }
                }
                for (i, r) in c.rules.enumerated() {
                    if let m = r.comment.flatMap({ check($0, "rule comment", in: "rule \(i + 1) of \(chain)") }) { return m }
                    for stmt in r.stmts {
                        if let m = checkStmt(stmt, in: "rule \(i + 1) of \(chain)") { return m }
                    }
                }
            }
        }
        return nil
    }

    public static func target(_ v: Verdict) -> String? {
        switch v {
        case .jump(let c), .goto(let c): return c
        default: return nil
        }
    }

    /// Nil when `s` can be written as an nft word or quoted string.
    public static func check(_ s: String, _ what: String, in place: @autoclosure () -> String) -> String? {
        // Checked byte by byte, the messages built only on a problem: this runs over every name
        // and string of a 9,000-rule ruleset.
        let quote = s.utf8.contains(UInt8(ascii: "\""))
        guard quote || s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return nil }
        let shown = TerminalText.escaped(s, keepLines: false)
        if quote {
            return "the \(what) \"\(shown)\" in \(place()) holds a double quote, which nft text cannot express (its quoted strings have no escapes); use --format json"
        }
        return "the \(what) \"\(shown)\" in \(place()) holds a line break or control character, which nft text cannot express; use --format json"
    }

    public static func checkStmt(_ stmt: Stmt, in place: @autoclosure () -> String) -> String? {
        var exprs: [Expr] = []
        var interface = false
        switch stmt {
        case .match(let l, _, let r):
            exprs = [l, r]
            if Datatype.of(l)?.base == .ifname { interface = true }
        case .mangle(let k, let v): exprs = [k, v]
        case .nat(let n): exprs = [n.addr, n.port].compactMap { $0 }
        case .vmap(let k, let d): exprs = [k, d]
        case .verdict(let v):
            if let t = target(v) { return check(t, "jump target", in: place()) }
        case .counter(let name?): return check(name, "counter name", in: place())
        case .log(let opts):
            for (_, v) in opts.sorted(by: { $0.key < $1.key }) {
                if let m = check(v, "log option", in: place()) { return m }
            }
        default: break
        }
        var stack = exprs
        var values: [Value] = []
        while let e = stack.popLast() {
            switch e {
            case .value(let v): values.append(v)
            case .concat(let parts): stack += parts
            case .set(let elements):
                for el in elements {
                    values.append(el.key)
                    if case .value(let v)? = el.data { values.append(v) }
                    if case .verdict(let v)? = el.data, let t = target(v), let m = check(t, "jump target", in: place()) { return m }
                }
            case .setRef(let name): if let m = check(name, "set name", in: place()) { return m }
            case .map(let k, let d): stack += [k, d]
            case .binop(_, let l, let r): stack += [l, r]
            default: break
            }
        }
        while let v = values.popLast() {
            switch v {
            case .string(let s):
                if let m = check(s, interface ? "interface name" : "string", in: place()) { return m }
            case .range(let a, let b): values += [a, b]
            case .concat(let parts), .list(let parts): values += parts
            default: break
            }
        }
        return nil
    }

    public static func checkValue(_ v: Value, in place: @autoclosure () -> String) -> String? {
        var values = [v]
        while let v = values.popLast() {
            switch v {
            case .string(let s): if let m = check(s, "element", in: place()) { return m }
            case .range(let a, let b): values += [a, b]
            case .concat(let parts), .list(let parts): values += parts
            default: break
            }
        }
        return nil
    }
}
