import HookwalkModel

/// Statements, expressions and constants back to JSON: the mirror of `JSONNode+Statements` and
/// `JSONNode+Expressions`, so that every value the reader builds is written as the reader expects.
extension NftJSONWriter {
    static func json(_ stmt: Stmt) -> JSONValue {
        switch stmt {
        case .match(let left, let op, let right):
            var r = json(right)
            // `exists` / `missing` of a header or option test are JSON booleans.
            if case .value(.string(let w)) = right, w == "exists" || w == "missing" {
                switch left {
                case .notModelled, .fib, .exthdr: r = .bool(w == "exists")
                default: break
                }
            }
            return single("match", .object([("op", .string(op.rawValue)), ("left", json(left)), ("right", r)]))
        case .verdict(let v):
            return json(v)
        case .counter(let name):
            return single("counter", name.map(JSONValue.string) ?? .null)
        case .log(let options):
            return single("log", options.isEmpty ? .null : logOptions(options))
        case .limit(let rate, let per, let burst, let unit, let over):
            var l: [(key: String, value: JSONValue)] = [("rate", number(rate))]
            if let burst { l.append(("burst", number(burst))) }
            l.append(("per", .string(per)))
            if let unit { l.append(("rate_unit", .string(unit))) }
            if over { l.append(("inv", .bool(true))) }
            return single("limit", .object(l))
        case .mangle(let key, let value):
            return single("mangle", .object([("key", json(key)), ("value", json(value))]))
        case .nat(let nat):
            var n: [(key: String, value: JSONValue)] = []
            if let f = nat.family { n.append(("family", .string(f))) }
            if let a = nat.addr { n.append(("addr", json(a))) }
            if let p = nat.port { n.append(("port", json(p))) }
            if !nat.flags.isEmpty { n.append(("flags", strings(nat.flags))) }
            if !nat.typeFlags.isEmpty { n.append(("type_flags", strings(nat.typeFlags))) }
            return single(nat.kind.rawValue, n.isEmpty ? .null : .object(n))
        case .reject(let type, let code):
            var r: [(key: String, value: JSONValue)] = []
            if let type { r.append(("type", .string(type))) }
            if let code { r.append(("expr", .string(code))) }
            return single("reject", r.isEmpty ? .null : .object(r))
        case .notrack:
            return single("notrack", .null)
        case .vmap(let key, let data):
            return single("vmap", .object([("key", json(key)), ("data", json(data))]))
        case .notModelled(let nm):
            return json(nm)
        }
    }

    static func json(_ verdict: Verdict) -> JSONValue {
        switch verdict {
        case .accept: return single("accept", .null)
        case .drop: return single("drop", .null)
        case .continue: return single("continue", .null)
        case .return: return single("return", .null)
        case .queue: return single("queue", .null)
        case .jump(let target): return single("jump", .object([("target", .string(target))]))
        case .goto(let target): return single("goto", .object([("target", .string(target))]))
        }
    }

    /// Log options in nft's order; the numeric ones as numbers and the flags as a list, which is
    /// how `JSONNode.logOptions` reads them back.
    static func logOptions(_ options: [String: String]) -> JSONValue {
        let known = ["prefix", "group", "snaplen", "queue-threshold", "level", "flags"]
        let keys = known.filter { options[$0] != nil } + options.keys.filter { !known.contains($0) }.sorted()
        return .object(keys.map { key in
            let text = options[key]!
            switch key {
            case "group", "snaplen", "queue-threshold":
                return (key, UInt64(text) != nil ? .number(JSONNumber(text: text)) : .string(text))
            case "flags":
                return (key, strings(text.components(separatedBy: ",")))
            default:
                return (key, .string(text))
            }
        })
    }

    static func json(_ expr: Expr) -> JSONValue {
        if let shape = ExprFamilies.json(expr) {
            return single(shape.key, .object(shape.members.map { ($0.name, json($0.value, kind: shape.key)) }))
        }
        switch expr {
        case .value(let v):
            return json(v)
        case .payload, .rawPayload, .exthdr, .meta, .ct, .fib, .keyed:
            // A family expression its descriptor cannot write (not reached: every family writes its own).
            return .null
        case .concat(let parts):
            return single("concat", .array(parts.map(json)))
        case .set(let elements):
            return single("set", .array(elements.map(json)))
        case .setRef(let name):
            return .string("@" + name)
        case .map(let key, let data):
            return single("map", .object([("key", json(key)), ("data", json(data))]))
        case .binop(let op, let left, let right):
            return single(op, .array([json(left), json(right)]))
        case .notModelled(let nm):
            return json(nm)
        }
    }

    static func json(_ element: SetElement) -> JSONValue {
        var key = elementJSON(element.key)
        if element.timeout != nil || element.expires != nil || element.comment != nil || !element.stmts.isEmpty {
            var m: [(key: String, value: JSONValue)] = [("val", key)]
            if let t = element.timeout { m.append(("timeout", number(t))) }
            if let x = element.expires { m.append(("expires", number(x))) }
            if let c = element.comment { m.append(("comment", .string(c))) }
            for st in element.stmts {
                if case .object(let o) = json(st), o.count == 1 { m.append(o[0]) }
            }
            key = single("elem", .object(m))
        }
        guard let data = element.data else { return key }
        switch data {
        case .value(let v): return .array([key, elementJSON(v)])
        case .verdict(let v): return .array([key, json(v)])
        }
    }

    /// Inside a set, a list of flags is written as nft writes it there, nested ORs
    /// (`{"|": [{"|": ["fin", "ack"]}, "urg"]}`): a bare two-item array would read as a map pair.
    static func elementJSON(_ value: Value) -> JSONValue {
        guard case .list(let items) = value, items.count >= 2 else { return json(value) }
        var result = json(items[0])
        for item in items.dropFirst() {
            result = single("|", .array([result, json(item)]))
        }
        return result
    }

    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .number(let n): return number(n)
        case .prefix(let addr, let len): return single("prefix", .object([("addr", .string(addr)), ("len", number(len))]))
        case .range(let lo, let hi): return single("range", .array([json(lo), json(hi)]))
        case .concat(let parts): return single("concat", .array(parts.map(json)))
        case .list(let items): return .array(items.map(json))
        case .wildcard: return .string("*")
        }
    }

    /// A not-modelled node read from JSON carries its JSON and is written back as it was. One
    /// read from nft text is written as a bare string, as nft 1.0.6 itself does for constructs
    /// its JSON cannot express.
    static func json(_ nm: NotModelled) -> JSONValue {
        if let parts = nm.parts { return json(kind: nm.kind, parts: parts) }
        if let first = nm.text.utf8.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
           let parsed = try? JSONReader.parse(nm.text) {
            return parsed
        }
        return .string(nm.text)
    }

    static func single(_ key: String, _ value: JSONValue) -> JSONValue { .object([(key, value)]) }
}
