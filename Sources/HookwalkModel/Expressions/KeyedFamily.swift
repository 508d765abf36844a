/// A family whose expressions the model holds by their members, as libnftables' JSON names them
/// (`numgen`: `mode`, `mod`, `offset`), in `Expr.keyed` when the simulator evaluates the family
/// and in a `NotModelled` with those parts when it does not (`socket`, `osf`...). Its descriptor
/// gives the text grammar both ways and the defaults; JSON is read and written generically from
/// the members.
public protocol KeyedFamily: ExprFamily {
    /// The nft word that starts it, which is also its JSON key.
    static var name: String { get }
    /// Whether the simulator evaluates it (`evaluate`); otherwise it stays not modelled.
    static var modelled: Bool { get }
    /// Members nft's JSON always prints and its text leaves out at their default (`offset 0`).
    static var defaults: [String: Part] { get }
    /// Reads the members from nft text; the current word is `name`.
    static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part]
    /// How nft prints it; nil for a shape this does not know.
    static func text(parts: [String: Part]) -> String?
    static func datatype(parts: [String: Part]) -> Datatype
    /// Its value for the packet (for a modelled family).
    static func evaluate(_ parts: [String: Part], _ packet: some PacketView) -> FieldReading
    static func phrase(parts: [String: Part]) -> Phrase?
}

extension KeyedFamily {
    public static var keywords: Set<String> { [name] }
    public static var jsonKeys: Set<String> { [name] }
    public static var modelled: Bool { false }
    public static var defaults: [String: Part] { [:] }
    public static func datatype(parts: [String: Part]) -> Datatype { .integer }
    public static func evaluate(_ parts: [String: Part], _ packet: some PacketView) -> FieldReading {
        .notModelled(text(parts: parts) ?? name)
    }
    public static func phrase(parts: [String: Part]) -> Phrase? { nil }

    /// The expression of `parts`, completed with the defaults.
    public static func make(_ parts: [String: Part]) -> Expr {
        var parts = parts
        if parts["inv"] == .bool(false) { parts["inv"] = nil }
        for (k, v) in defaults where parts[k] == nil { parts[k] = v }
        if modelled { return .keyed(KeyedExpr(family: name, parts: parts)) }
        return .notModelled(NotModelled(kind: name, text: text(parts: parts) ?? name, parts: parts))
    }

    public static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr {
        r.advance()
        return make(try parseParts(&r))
    }

    /// nil (a not-modelled construct printed as its JSON) when the members are not a shape the
    /// grammar prints.
    public static func expr(json key: String, _ members: [String: Part]) throws(FamilyError) -> Expr? {
        let e = make(members)
        return text(e) == nil ? nil : e
    }

    static func parts(of e: Expr) -> [String: Part]? {
        switch e {
        case .keyed(let k) where k.family == name: return k.parts
        case .notModelled(let n) where n.kind == name: return n.parts
        default: return nil
        }
    }

    public static func text(_ e: Expr) -> String? { parts(of: e).flatMap { text(parts: $0) } }

    public static func json(_ e: Expr) -> JSONShape? {
        guard case .keyed(let k) = e, k.family == name else { return nil }
        return JSONShape(name, k.parts.keys.sorted().map { JSONShape.Member($0, k.parts[$0]!) })
    }

    public static func datatype(_ e: Expr) -> Datatype? {
        guard case .keyed(let k) = e, k.family == name else { return nil }
        return datatype(parts: k.parts)
    }

    public static func reading(_ e: Expr) -> Reading { modelled ? .computed : .notModelled() }

    public static func phrase(_ e: Expr) -> Phrase? {
        guard case .keyed(let k) = e, k.family == name else { return nil }
        return phrase(parts: k.parts)
    }
}

/// Reading and printing members.
extension Part {
    /// The member as nft text: `random`, `2`, `ip saddr . tcp dport`.
    public var text: String? {
        guard case .expr(let e) = self else { return nil }
        return NftTextWriter.exprText(e)
    }

    /// A number member.
    public var number: UInt64? {
        guard case .expr(.value(.number(let n))) = self else { return nil }
        return n
    }

    /// A word member (`mode`, `key`).
    public var word: String? {
        guard case .expr(.value(let v)) = self else { return nil }
        switch v {
        case .string(let s): return s
        case .number(let n): return String(n)
        default: return nil
        }
    }

    public static func word(_ s: String) -> Part { .expr(.value(.string(s))) }
    public static func atom(_ v: Value) -> Part { .expr(.value(v)) }
}
