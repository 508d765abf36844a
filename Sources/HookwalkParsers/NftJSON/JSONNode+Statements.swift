import HookwalkModel

/// Statements of a rule's `expr` array (`man libnftables-json`, STATEMENTS).
extension JSONNode {
    /// One statement. Anything hookwalk does not evaluate becomes `.notModelled` with the JSON key
    /// as its kind and the element's compact JSON as its text; only a malformed known statement
    /// is an error, because silently dropping a match would change what the rule does.
    func stmt() throws -> Stmt {
        if let s = stringValue {
            // nft 1.0.6 lists a few constructs it cannot express in JSON (chain bindings, map
            // updates) as their text; the first word is the best kind available.
            let kind = s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).first.map(String.init) ?? ""
            return .notModelled(NotModelled(kind: kind, text: s))
        }
        guard let (key, inner) = onlyMember else {
            throw error("expected a statement (an object with one key), found \(typeName)")
        }
        return try inner.stmt(key: key)
    }

    /// The statement `{key: <this node>}`; also reached for a set element's statements, which
    /// nft writes as members of the element rather than as one-key objects.
    func stmt(key: String) throws -> Stmt {
        let inner = self
        func notModelled(_ kind: String) -> Stmt {
            .notModelled(NotModelled(kind: kind, text: JSONNode.compact(kind, inner.value)))
        }
        switch key {
        case "match":
            let opNode = try inner.required("op")
            let opText = try opNode.string()
            // `ct status ! dnat`: a negated flag test, which the model does not evaluate.
            if opText == "!" { return .notModelled(try inner.construct("match")) }
            guard let op = MatchOp(rawValue: opText) else { throw opNode.error("unknown match operator \"\(opText)\"") }
            let left = try inner.required("left").expr()
            return .match(left: left, op: op, right: Self.numericRange(try inner.required("right").expr(), of: left))
        case "accept", "drop", "continue", "return", "jump", "goto":
            guard let v = try inner.verdict(named: key) else { return notModelled(key) }
            return .verdict(v)
        case "counter":
            if inner.isNull { return .counter(name: nil) }
            if let name = inner.stringValue { return .counter(name: name) }
            if inner.isObject {
                var plain = true
                inner.forEachMember { k, _ in if k != "packets" && k != "bytes" { plain = false } }
                if plain { return .counter(name: nil) }
            }
            return .notModelled(try inner.construct(key))  // counter name <expr> map {...}
        case "log":
            return .log(try inner.logOptions())
        case "limit":
            guard inner.optional("rate") != nil else { return .notModelled(try inner.construct(key)) }
            return try inner.limit()
        case "mangle":
            return .mangle(key: try inner.required("key").expr(), value: try inner.required("value").expr())
        case "snat", "dnat", "masquerade", "redirect":
            guard let kind = NatKind(rawValue: key) else { return notModelled(key) }
            return .nat(try inner.nat(kind))
        case "reject":
            if inner.isNull { return .reject(type: nil, code: nil) }
            _ = try inner.members()
            let type = try inner.optional("type")?.string()
            let code = try inner.optional("expr")?.scalarText()
            // nft's JSON spells out the default (`icmpx`/`icmp`/`icmpv6` port-unreachable) where its
            // text listing prints a bare `reject`; keeping the bare form makes both give one model.
            if code == "port-unreachable", let type, type.hasPrefix("icmp") { return .reject(type: nil, code: nil) }
            return .reject(type: type, code: code)
        case "notrack":
            return .notrack
        case "vmap":
            return .vmap(key: try inner.required("key").expr(), data: try inner.required("data").expr())
        default:
            if Constructs.statementKinds.contains(key) { return .notModelled(try inner.construct(key)) }
            return notModelled(key)
        }
    }

    /// `log` options as text, keyed by their JSON names (`prefix`, `level`, `group`, `snaplen`,
    /// `queue-threshold`, `flags`); several flags are joined with commas as nft's text prints them.
    func logOptions() throws -> [String: String] {
        if isNull { return [:] }
        var options: [String: String] = [:]
        for (k, node) in try members() {
            options[k] = node.isArray ? try node.stringList().joined(separator: ",") : try node.scalarText()
        }
        return options
    }

    /// nft omits the default burst of a packet limit (5) from its text listing but prints it in
    /// JSON; dropping it here makes both listings give the same model.
    func limit() throws -> Stmt {
        let rate = try required("rate").uint64()
        let per = try optional("per")?.string() ?? "second"
        var unit = try optional("rate_unit")?.string()
        if unit == "packets" { unit = nil }
        var burst = try optional("burst")?.uint64()
        if burst == 0 || (unit == nil && burst == 5) { burst = nil }
        let over = try optional("inv")?.bool() ?? false
        return .limit(rate: rate, per: per, burst: burst, unit: unit, over: over)
    }

    func nat(_ kind: NatKind) throws -> NatStmt {
        var nat = NatStmt(kind: kind)
        if isNull { return nat }
        _ = try members()
        nat.family = try optional("family")?.string()
        nat.addr = try optional("addr")?.expr()
        nat.port = try optional("port")?.expr()
        nat.flags = try optional("flags")?.stringList() ?? []
        nat.typeFlags = try optional("type_flags")?.stringList() ?? []
        return nat
    }
}

extension JSONNode {
    /// nft's JSON prints a range's ends by their symbols where the type has one
    /// (`["addr-unreachable", 66]`, `["request", "reply"]`); its text listing prints them as
    /// numbers (`3-66`, `1-2`), the only form it reads back. The model holds the numbers.
    static func numericRange(_ right: Expr, of left: Expr) -> Expr {
        guard case .value(.range(let lo, let hi)) = right, let symbols = Datatype.of(left)?.symbols,
              !symbols.names.isEmpty else { return right }
        func number(_ v: Value) -> Value {
            if case .string(let s) = v, let n = symbols.names[s] { return .number(n) }
            return v
        }
        return .value(.range(number(lo), number(hi)))
    }
}
