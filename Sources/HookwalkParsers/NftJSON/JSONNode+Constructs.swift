import HookwalkModel

/// Reading and writing the constructs held by their parts (see `Constructs`): the JSON members
/// become parts one to one, so the reader and the writer are generic over the kind.
extension JSONNode {
    /// The construct `{kind: <this node>}` by its parts; its text is nft's when the kind is known.
    func construct(_ kind: String) throws -> NotModelled {
        var parts: [String: Part] = [:]
        if isNull {
            // `{"kind": null}`: no parts.
        } else if let (only, _) = onlyMember, only == "map" || Constructs.expressionKinds.contains(only) {
            // `limit name tcp dport map { ... }`, `reset tcp option mss`: the body is an expression.
            parts[only] = .expr(try expr())
        } else if isObject {
            try forEachMember { k, v in parts[k] = try v.part(k) }
        } else {
            parts[""] = try part("")
        }
        Constructs.normalize(kind, &parts)
        let text = Constructs.text(kind: kind, parts: parts) ?? JSONNode.compact(kind, value)
        return NotModelled(kind: kind, text: text, parts: parts)
    }

    /// The members of an expression object `{"numgen": {...}}`, as parts.
    func memberParts() throws -> [String: Part] {
        guard isObject else { throw error("expected an object") }
        var parts: [String: Part] = [:]
        parts.reserveCapacity(count)
        try forEachMember { k, v in parts[k] = try v.part(k) }
        return parts
    }

    static func compact(_ kind: String, _ value: JSONValue) -> String {
        JSONSerializer.string(.object([(kind, value)]), style: .compact)
    }

    func part(_ key: String) throws -> Part {
        switch kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        default: break
        }
        if key == "flags" { return .flags(try stringList()) }
        if key == "stmt" {
            if isArray { return .stmts(try elements().map { try $0.stmt() }) }
            return .stmts([try stmt()])
        }
        if key == "policy", isObject {
            var out: [String: Part] = [:]
            try forEachMember { k, v in out[k] = try v.part(k) }
            return .object(out)
        }
        if key == "elem", let (only, inner) = onlyMember, only == "elem" {
            return .expr(.notModelled(try inner.construct("elem")))
        }
        return .expr(try expr())
    }
}

extension NftJSONWriter {
    /// A construct by its parts back to `{kind: {...}}`.
    static func json(kind: String, parts: [String: Part]) -> JSONValue {
        if parts.isEmpty { return single(kind, .null) }
        if parts.count == 1, let only = parts[""] { return single(kind, json(only, kind: kind)) }
        if parts.count == 1, let (k, m) = parts.first, case .expr(let e) = m, case .object(let o) = json(e), o.count == 1, o[0].key == k {
            return single(kind, json(e))
        }
        var members: [(key: String, value: JSONValue)] = []
        for k in parts.keys.sorted() { members.append((k, json(parts[k]!, kind: kind))) }
        return single(kind, .object(members))
    }

    static func json(_ part: Part, kind: String) -> JSONValue {
        switch part {
        case .expr(let e): return json(e)
        case .stmts(let s): return kind == "meter" && s.count == 1 ? json(s[0]) : .array(s.map(json))
        case .bool(let b): return .bool(b)
        case .flags(let f): return strings(f)
        case .object(let m):
            return .object(m.keys.sorted().map { ($0, json(m[$0]!, kind: kind)) })
        case .null: return .null
        }
    }
}
