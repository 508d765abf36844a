import HookwalkModel

/// Expressions, constants and set elements of the libnftables JSON schema (`man libnftables-json`,
/// EXPRESSIONS), decoded the way nftables' `parser_json.c` reads them.
extension JSONNode {
    /// A constant, or nil when the value is (or contains) an expression that must be evaluated.
    ///
    /// Strings go through `Value.token` and numbers become `.number`, so that `0x14` from a text
    /// listing and `20` from JSON compare equal. `{"elem": {"val": ...}}` wrappers are unwrapped:
    /// per-element timeouts, counters and comments have no place in the model.
    static func constant(_ v: JSONValue) -> Value? {
        switch v {
        case .string(let s):
            return s == "*" ? .wildcard : Value.token(s)
        case .number(let n):
            if let u = n.uint64 { return .number(u) }
            return Value.token(n.text)
        case .bool(let b):
            // nft prints `exthdr ... exists` / `missing` as JSON booleans.
            return .string(b ? "exists" : "missing")
        case .array(let a):
            var values: [Value] = []
            values.reserveCapacity(a.count)
            for e in a {
                guard let c = constant(e) else { return nil }
                values.append(c)
            }
            return .list(values)
        case .object(let m) where m.count == 1:
            let inner = m[0].value
            switch m[0].key {
            case "prefix":
                guard case .string(let addr) = inner["addr"] ?? .null,
                      case .number(let len) = inner["len"] ?? .null, let l = len.int else { return nil }
                return .prefix(addr, l)
            case "range":
                guard case .array(let ends) = inner, ends.count == 2,
                      let lo = constant(ends[0]), let hi = constant(ends[1]) else { return nil }
                return .range(lo, hi)
            case "concat":
                guard case .array(let parts) = inner else { return nil }
                var values: [Value] = []
                values.reserveCapacity(parts.count)
                for p in parts {
                    guard let c = constant(p) else { return nil }
                    values.append(c)
                }
                return .concat(values)
            case "elem":
                guard let val = inner["val"] else { return nil }
                return constant(val)
            case "|":
                // nft writes a flag combination inside a set (`fin | ack | urg`) as nested ORs of
                // constants; that is the same OR of flags that `established,related` spells, so
                // both become one flat list.
                guard case .array(let operands) = inner, operands.count == 2,
                      let lhs = constant(operands[0]), let rhs = constant(operands[1]) else { return nil }
                var flags: [Value] = []
                for side in [lhs, rhs] {
                    if case .list(let items) = side { flags += items } else { flags.append(side) }
                }
                return .list(flags)
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// An expression. Constants (including constant concatenations, prefixes and ranges) become
    /// `.value`; expressions hookwalk does not evaluate (exthdr, tcp option, numgen, hash, socket,
    /// osf, rt, ipsec...) become `.notModelled` with their JSON, so that a rule using them still
    /// loads and the simulator can say why it cannot decide.
    func expr() throws -> Expr {
        if case .string(let s) = value, s.hasPrefix("@") { return .setRef(String(s.dropFirst())) }
        if let c = Self.constant(value) { return .value(c) }
        guard case .object(let m) = value, m.count == 1 else {
            if case .object = value { throw error("expected an expression object with exactly one key") }
            return .notModelled(NotModelled(kind: "expression", text: compactText))
        }
        let key = m[0].key
        let inner = child(key, m[0].value)
        if let family = ExprFamilies.family(jsonKey: key) {
            let members = try inner.memberParts()
            let read: Result<Expr?, FamilyError> = Result { () throws(FamilyError) in try family.expr(json: key, members) }
            switch read {
            case .success(let e?): return e
            case .success(nil): break
            case .failure(let e): throw inner.error(e.message)
            }
            return .notModelled(try inner.construct(key))
        }
        switch key {
        case "concat":
            return .concat(try inner.elements().map { try $0.expr() })
        case "set":
            if case .string(let s) = inner.value, s.hasPrefix("@") { return .setRef(String(s.dropFirst())) }
            // A set of one element may be written without the array.
            let items = inner.value.arrayValue != nil ? try inner.elements() : [inner]
            var elements: [SetElement] = []
            elements.reserveCapacity(items.count)
            for item in items {
                guard let e = try item.setElement(isMap: true) else {
                    return .notModelled(NotModelled(kind: "set", text: compactText))
                }
                elements.append(e)
            }
            return .set(elements)
        case "map":
            return .map(key: try inner.required("key").expr(), data: try inner.required("data").expr())
        case "&", "|", "^", "<<", ">>":
            let operands = try inner.elements()
            guard operands.count == 2 else {
                throw inner.error("\"\(key)\" takes two operands, found \(operands.count)")
            }
            return .binop(op: key, left: try operands[0].expr(), right: try operands[1].expr())
        default:
            if Constructs.expressionKinds.contains(key) { return .notModelled(try inner.construct(key)) }
            // Includes prefixes and ranges over non-constant expressions.
            return .notModelled(NotModelled(kind: key, text: compactText))
        }
    }

    /// One element of a set or map. `[key, data]` pairs are map elements when `isMap` (nft's JSON
    /// has no other use for a two-element array inside a set). Returns nil when the key or data
    /// is not a constant.
    func setElement(isMap: Bool) throws -> SetElement? {
        if isMap, case .array(let pair) = value, pair.count == 2 {
            guard var element = try JSONNode(value: pair[0], path: .index(path, 0), file: file).elementWithOptions() else { return nil }
            guard let data = try JSONNode(value: pair[1], path: .index(path, 1), file: file).mapData() else {
                return nil
            }
            element.data = data
            return element
        }
        return try elementWithOptions()
    }

    /// A key, or `{"elem": {"val": KEY, "timeout": 30, "expires": 25, "comment": "x", "counter": ...}}`.
    func elementWithOptions() throws -> SetElement? {
        guard case .object(let m) = value, m.count == 1, m[0].key == "elem", case .object(let opts) = m[0].value else {
            return Self.constant(value).map { SetElement(key: $0) }
        }
        let inner = child("elem", m[0].value)
        guard let val = opts.first(where: { $0.key == "val" })?.value, let key = Self.constant(val) else { return nil }
        var e = SetElement(key: key)
        for (k, v) in opts where k != "val" {
            let node = inner.child(k, v)
            switch k {
            case "timeout": e.timeout = try node.uint64()
            case "expires": e.expires = try node.uint64()
            case "comment": e.comment = try node.string()
            default: e.stmts.append(try JSONNode(value: .object([(k, v)]), path: inner.path, file: file).stmt())
            }
        }
        return e
    }

    /// The data side of a map element: a verdict or a constant.
    func mapData() throws -> MapData? {
        if case .object(let m) = value, m.count == 1,
           let v = try child(m[0].key, m[0].value).verdict(named: m[0].key) {
            return .verdict(v)
        }
        return Self.constant(value).map(MapData.value)
    }

    /// The verdict `key` with this node as its value, or nil when `key` is not a verdict.
    /// `queue` is not one here: it is a statement with options, kept as not modelled.
    func verdict(named key: String) throws -> Verdict? {
        switch key {
        case "accept": return .accept
        case "drop": return .drop
        case "continue": return .continue
        case "return": return .return
        case "jump": return .jump(try required("target").string())
        case "goto": return .goto(try required("target").string())
        default: return nil
        }
    }
}
