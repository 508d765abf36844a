/// The model with what a listing's syntax decides, and the kernel does not, taken out: what two
/// front ends reading the same ruleset (nft text and `nft -j`, or a pasted listing and its clean
/// copy) agree on. `==` on the model is exact; conformance tests compare `a.normalized() ==
/// b.normalized()`, so what is left out is named here, once, instead of hidden in `==`.
///
/// Left out: handles (a text listing carries none unless `-a`), an element's `expires` (two
/// listings a moment apart differ), and a not-modelled construct's text (nft text from one front
/// end, compact JSON from the other). Kept: everything else, parts included, so a front end that
/// holds a construct by its parts and one that holds only its kind differ. With
/// `notModelledParts: false` not-modelled constructs compare by kind alone: for a front end that
/// never reads parts (iptables-save's `xt` matches against nft's listing of them).
extension Ruleset {
    public func normalized(notModelledParts: Bool = true) -> Ruleset {
        var r = self
        r.tables = tables.map { $0.normalized(notModelledParts: notModelledParts) }
        return r
    }
}

extension Table {
    public func normalized(notModelledParts: Bool = true) -> Table {
        var t = self
        t.handle = nil
        t.chains = chains.map { $0.normalized(notModelledParts: notModelledParts) }
        t.sets = sets.map { $0.normalized(notModelledParts: notModelledParts) }
        t.objects = objects.map { $0.normalized(notModelledParts: notModelledParts) }
        return t
    }
}

extension Chain {
    public func normalized(notModelledParts: Bool = true) -> Chain {
        var c = self
        c.handle = nil
        c.rules = rules.map { $0.normalized(notModelledParts: notModelledParts) }
        return c
    }
}

extension Rule {
    public func normalized(notModelledParts: Bool = true) -> Rule {
        var r = self
        r.handle = nil
        r.stmts = stmts.map { $0.normalized(notModelledParts: notModelledParts) }
        return r
    }
}

extension NamedSet {
    public func normalized(notModelledParts: Bool = true) -> NamedSet {
        var s = self
        s.handle = nil
        s.elements = elements.map { $0.normalized(notModelledParts: notModelledParts) }
        s.keyTypeof = keyTypeof?.map { $0.normalized(notModelledParts: notModelledParts) }
        s.dataTypeof = dataTypeof?.map { $0.normalized(notModelledParts: notModelledParts) }
        s.stmts = stmts.map { $0.normalized(notModelledParts: notModelledParts) }
        return s
    }
}

extension NamedObject {
    /// Handle dropped. `parts` are kept: a front end that holds only the kind and name (nil) and
    /// one that reads the members differ, and a test that compares them says so.
    public func normalized(notModelledParts: Bool = true) -> NamedObject {
        var o = self
        o.handle = nil
        o.parts = parts?.mapValues { $0.normalized(notModelledParts: notModelledParts) }
        return o
    }
}

extension SetElement {
    public func normalized(notModelledParts: Bool = true) -> SetElement {
        var e = self
        e.expires = nil
        e.stmts = stmts.map { $0.normalized(notModelledParts: notModelledParts) }
        return e
    }
}

extension NotModelled {
    /// The text dropped (it is in the syntax it was read from); kind kept, parts unless asked not to.
    public func normalized(notModelledParts: Bool = true) -> NotModelled {
        NotModelled(kind: kind, text: "", parts: notModelledParts ? parts?.mapValues { $0.normalized(notModelledParts: true) } : nil)
    }
}

extension Part {
    public func normalized(notModelledParts: Bool = true) -> Part {
        switch self {
        case .expr(let e): return .expr(e.normalized(notModelledParts: notModelledParts))
        case .stmts(let s): return .stmts(s.map { $0.normalized(notModelledParts: notModelledParts) })
        case .object(let o): return .object(o.mapValues { $0.normalized(notModelledParts: notModelledParts) })
        case .bool, .flags, .null: return self
        }
    }
}

extension Stmt {
    public func normalized(notModelledParts: Bool = true) -> Stmt {
        switch self {
        case .match(let l, let op, let r): return .match(left: l.normalized(notModelledParts: notModelledParts), op: op, right: r.normalized(notModelledParts: notModelledParts))
        case .mangle(let k, let v): return .mangle(key: k.normalized(notModelledParts: notModelledParts), value: v.normalized(notModelledParts: notModelledParts))
        case .nat(var n):
            n.addr = n.addr?.normalized(notModelledParts: notModelledParts)
            n.port = n.port?.normalized(notModelledParts: notModelledParts)
            return .nat(n)
        case .vmap(let k, let d): return .vmap(key: k.normalized(notModelledParts: notModelledParts), data: d.normalized(notModelledParts: notModelledParts))
        case .notModelled(let n): return .notModelled(n.normalized(notModelledParts: notModelledParts))
        case .verdict, .counter, .log, .limit, .reject, .notrack: return self
        }
    }
}

extension Expr {
    public func normalized(notModelledParts: Bool = true) -> Expr {
        switch self {
        case .concat(let parts): return .concat(parts.map { $0.normalized(notModelledParts: notModelledParts) })
        case .set(let elements): return .set(elements.map { $0.normalized(notModelledParts: notModelledParts) })
        case .map(let k, let d): return .map(key: k.normalized(notModelledParts: notModelledParts), data: d.normalized(notModelledParts: notModelledParts))
        case .binop(let op, let l, let r): return .binop(op: op, left: l.normalized(notModelledParts: notModelledParts), right: r.normalized(notModelledParts: notModelledParts))
        case .keyed(var k):
            k.parts = k.parts.mapValues { $0.normalized(notModelledParts: notModelledParts) }
            return .keyed(k)
        case .notModelled(let n): return .notModelled(n.normalized(notModelledParts: notModelledParts))
        case .value, .payload, .rawPayload, .exthdr, .meta, .ct, .fib, .setRef: return self
        }
    }
}
