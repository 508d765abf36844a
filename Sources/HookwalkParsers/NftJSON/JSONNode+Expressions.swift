import HookwalkModel

/// Expressions, constants and set elements of the libnftables JSON schema (`man libnftables-json`,
/// EXPRESSIONS), decoded the way nftables' `parser_json.c` reads them.
extension JSONNode {
    /// A constant, or nil when the value is (or contains) an expression that must be evaluated.
    ///
    /// Strings go through `Value.token` and numbers become `.number`, so that `0x14` from a text
    /// listing and `20` from JSON compare equal. `{"elem": {"val": ...}}` wrappers are unwrapped:
    /// per-element timeouts, counters and comments have no place in the model.
    func constant() -> Value? {
        switch kind {
        case .string, .escapedString:
            let s = doc.string(at: index)
            return s == "*" ? .wildcard : Value.token(s)
        case .number:
            if let u = doc.uint64(at: index) { return .number(u) }
            return Value.token(doc.numberText(at: index))
        case .true:
            // nft prints `exthdr ... exists` / `missing` as JSON booleans.
            return .string("exists")
        case .false:
            return .string("missing")
        case .array:
            guard let values = constants() else { return nil }
            return .list(values)
        case .object:
            guard let (key, inner) = onlyMember else { return nil }
            switch key {
            case "prefix":
                guard let addr = inner.optional("addr"), addr.isString,
                      let len = inner.optional("len")?.intValue else { return nil }
                return .prefix(addr.doc.string(at: addr.index), len)
            case "range":
                guard inner.isArray, inner.count == 2 else { return nil }
                let lo = JSONNode(doc, inner.index + 1)
                guard let l = lo.constant(), let h = JSONNode(doc, Int(doc.nodes[lo.index].next)).constant() else { return nil }
                return .range(l, h)
            case "concat":
                guard inner.isArray, let values = inner.constants() else { return nil }
                return .concat(values)
            case "elem":
                guard let val = inner.optional("val") else { return nil }
                return val.constant()
            case "|":
                // nft writes a flag combination inside a set (`fin | ack | urg`) as nested ORs of
                // constants; that is the same OR of flags that `established,related` spells, so
                // both become one flat list.
                guard inner.isArray, inner.count == 2 else { return nil }
                let first = JSONNode(doc, inner.index + 1)
                guard let lhs = first.constant(), let rhs = JSONNode(doc, Int(doc.nodes[first.index].next)).constant() else { return nil }
                var flags: [Value] = []
                for side in [lhs, rhs] {
                    if case .list(let items) = side { flags += items } else { flags.append(side) }
                }
                return .list(flags)
            default:
                return nil
            }
        case .null:
            return nil
        }
    }

    /// The elements of an array as constants, or nil when one is not.
    func constants() -> [Value]? {
        let n = count
        var values: [Value] = []
        values.reserveCapacity(n)
        var k = index + 1
        for _ in 0..<n {
            guard let c = JSONNode(doc, k).constant() else { return nil }
            values.append(c)
            k = Int(doc.nodes[k].next)
        }
        return values
    }

    /// An expression. Constants (including constant concatenations, prefixes and ranges) become
    /// `.value`; expressions hookwalk does not evaluate (exthdr, tcp option, numgen, hash, socket,
    /// osf, rt, ipsec...) become `.notModelled` with their JSON, so that a rule using them still
    /// loads and the simulator can say why it cannot decide.
    func expr() throws -> Expr {
        if isSetReference { return .setRef(String(doc.string(at: index).dropFirst())) }
        if let c = constant() { return .value(c) }
        guard let (key, inner) = onlyMember else {
            if isObject { throw error("expected an expression object with exactly one key") }
            return .notModelled(NotModelled(kind: "expression", text: compactText))
        }
        if let family = ExprFamilies.family(jsonKey: key) {
            if let common = inner.commonFamilyExpr(key) { return common }
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
            if inner.isSetReference { return .setRef(String(inner.doc.string(at: inner.index).dropFirst())) }
            // A set of one element may be written without the array.
            let items = inner.isArray ? try inner.elements() : [inner]
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

    /// `payload {protocol, field}` and `meta {key}` (two of every three expressions in a Docker
    /// host's listing) read straight from the members, without the `[String: Part]` dictionary
    /// that `ExprFamily.expr(json:_:)` takes; nil sends anything else (other members, a member
    /// that is not a plain word) the general way. It must give what `Payload.expr(json:_:)` and
    /// `Meta.expr(json:_:)` give: `NftJSONTests.testCommonFamiliesReadAsTheirFamiliesRead` checks.
    func commonFamilyExpr(_ key: String) -> Expr? {
        switch key {
        case "payload":
            guard count == 2, let proto = optional("protocol")?.plainWord, let field = optional("field")?.plainWord else { return nil }
            return .payload(proto: proto, field: field)
        case "meta":
            guard count == 1, let name = optional("key")?.plainWord else { return nil }
            return .meta(name)
        default:
            return nil
        }
    }

    /// A string member as `Part.word` reads the part `expr()` makes of it, when that part is
    /// plainly a `.string` constant: the string starts with an ASCII letter, so it is not a set
    /// reference (`@`), the wildcard, a number or `0x...`, and `Value.token` keeps it as it is.
    var plainWord: String? {
        guard kind == .string else { return nil }
        let n = doc.nodes[index]
        guard n.end > n.start else { return nil }
        let c = doc.bytes[Int(n.start)] | 0x20
        guard c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") else { return nil }
        return doc.string(at: index)
    }

    /// The general way for a family's expression: its members as parts, as the family reads them.
    static func familyExpr(_ key: String, _ inner: JSONNode) throws -> Expr? {
        guard let family = ExprFamilies.family(jsonKey: key) else { return nil }
        let members = try inner.memberParts()
        return try Result { () throws(FamilyError) in try family.expr(json: key, members) }.get()
    }

    /// One element of a set or map. `[key, data]` pairs are map elements when `isMap` (nft's JSON
    /// has no other use for a two-element array inside a set). Returns nil when the key or data
    /// is not a constant.
    func setElement(isMap: Bool) throws -> SetElement? {
        if isMap, isArray, count == 2 {
            let first = JSONNode(doc, index + 1)
            guard var element = try first.elementWithOptions() else { return nil }
            guard let data = try JSONNode(doc, Int(doc.nodes[first.index].next)).mapData() else {
                return nil
            }
            element.data = data
            return element
        }
        return try elementWithOptions()
    }

    /// A key, or `{"elem": {"val": KEY, "timeout": 30, "expires": 25, "comment": "x", "counter": ...}}`.
    func elementWithOptions() throws -> SetElement? {
        guard let (wrapper, inner) = onlyMember, wrapper == "elem", inner.isObject else {
            return constant().map { SetElement(key: $0) }
        }
        guard let val = inner.optional("val"), let key = val.constant() else { return nil }
        var e = SetElement(key: key)
        try inner.forEachMember { k, node in
            switch k {
            case "val": break
            case "timeout": e.timeout = try node.uint64()
            case "expires": e.expires = try node.uint64()
            case "comment": e.comment = try node.string()
            // A per-element statement, `{"counter": {...}}` written as a member of the element.
            default: e.stmts.append(try node.stmt(key: k))
            }
        }
        return e
    }

    /// The data side of a map element: a verdict or a constant.
    func mapData() throws -> MapData? {
        if let (key, inner) = onlyMember, let v = try inner.verdict(named: key) {
            return .verdict(v)
        }
        return constant().map(MapData.value)
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
