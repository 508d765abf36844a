/// Every expression family, and the lookups the parsers, writers, simulator and walkthrough use.
/// A new family is added to `all` (and, if the model holds it by members, nowhere else:
/// `Expr.keyed`).
public enum ExprFamilies {
    /// In lookup order: a text keyword or JSON key goes to the first family that claims it.
    public static let all: [any ExprFamily.Type] = [
        Payload.self, Meta.self, Ct.self, Fib.self, Exthdr.self, ExthdrPresence.self,
        Socket.self, Rt.self, Ipsec.self, Osf.self, Numgen.self, Jhash.self, Symhash.self,
    ]

    static let byKeyword: [String: any ExprFamily.Type] = {
        var m: [String: any ExprFamily.Type] = [:]
        for f in all { for k in f.keywords where m[k] == nil { m[k] = f } }
        return m
    }()
    static let byJSONKey: [String: any ExprFamily.Type] = {
        var m: [String: any ExprFamily.Type] = [:]
        for f in all { for k in f.jsonKeys where m[k] == nil { m[k] = f } }
        return m
    }()
    static let keyedByName: [String: any KeyedFamily.Type] = {
        var m: [String: any KeyedFamily.Type] = [:]
        for f in all { if let k = f as? any KeyedFamily.Type { m[k.name] = k } }
        return m
    }()

    /// Every word that starts an expression in nft text.
    public static let keywords: Set<String> = Set(byKeyword.keys)

    /// The family an nft text expression starting with `word` belongs to.
    public static func family(keyword word: String) -> (any ExprFamily.Type)? { byKeyword[word] }

    /// The family of the JSON expression `{key: ...}`.
    public static func family(jsonKey key: String) -> (any ExprFamily.Type)? { byJSONKey[key] }

    /// The family held by its members under `name` (`numgen`, `socket`).
    public static func keyed(_ name: String) -> (any KeyedFamily.Type)? { keyedByName[name] }

    /// The family of an expression; nil for constants, sets, concatenations, binary operations.
    public static func family(of e: Expr) -> (any ExprFamily.Type)? {
        switch e {
        case .payload, .rawPayload: return Payload.self
        case .meta: return Meta.self
        case .ct: return Ct.self
        case .fib: return Fib.self
        case .exthdr: return Exthdr.self
        case .keyed(let k): return keyedByName[k.family]
        default: return nil
        }
    }

    /// Reads the family expression at the current word (which `family(keyword:)` knows).
    public static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr? {
        guard let w = r.word(0), let f = byKeyword[w] else { return nil }
        return try f.parse(&r)
    }

    public static func text(_ e: Expr) -> String? { family(of: e)?.text(e) }

    public static func json(_ e: Expr) -> JSONShape? { family(of: e)?.json(e) }

    /// The datatype the printer styles an expression's constants by: its `datatype(of:)`, and
    /// also for what the simulator does not type (and so does not evaluate): a raw payload
    /// (nft's hex `xinteger`), a keyed family read but not evaluated (`rt classid`, `socket mark`).
    public static func printedDatatype(of e: Expr) -> Datatype? {
        switch e {
        case .binop(_, let left, _): return printedDatatype(of: left)
        case .rawPayload: return .xinteger
        case .notModelled(let n):
            guard let parts = n.parts, let k = keyedByName[n.kind] else { return nil }
            return k.datatype(parts: parts)
        default: return datatype(of: e)
        }
    }

    /// The datatype of a family expression, or of a binary operation's left side.
    public static func datatype(of e: Expr) -> Datatype? {
        if case .binop(_, let left, _) = e { return datatype(of: left) }
        return family(of: e)?.datatype(e)
    }

    public static func reading(_ e: Expr) -> Reading? { family(of: e)?.reading(e) }

    public static func phrase(_ e: Expr) -> Phrase? { family(of: e)?.phrase(e) }

    /// The value of a computed (keyed, modelled) expression for the packet.
    public static func evaluate(_ k: KeyedExpr, _ packet: some PacketView) -> FieldReading {
        guard let f = keyedByName[k.family] else { return .notModelled(k.family) }
        return f.evaluate(k.parts, packet)
    }
}
