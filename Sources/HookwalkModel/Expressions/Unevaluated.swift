/// Families hookwalk reads, prints and writes but does not evaluate: a rule using one loads, and
/// the simulator says it cannot decide it. Each is `KeyedFamily` with its grammar; to model one,
/// move it to its own file with `modelled = true`, `evaluate` and `phrase` (as Numgen.swift).

/// `socket transparent`, `socket cgroupv2 level 2`.
public enum Socket: KeyedFamily {
    public static let name = "socket"
    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        var parts: [String: Part] = ["key": .word(try r.name("a socket key"))]
        if r.at("level") { r.advance(); parts["level"] = .atom(try r.atom()) }
        return parts
    }
    public static func text(parts p: [String: Part]) -> String? {
        guard let key = p["key"]?.text else { return nil }
        if let level = p["level"]?.text { return "socket \(key) level \(level)" }
        return "socket \(key)"
    }
    /// `socket mark` is the socket's mark (nft lists `socket mark 0x00000005`).
    public static func datatype(parts p: [String: Part]) -> Datatype {
        p["key"]?.text == "mark" ? .mark : .integer
    }
}

/// The routing expression: `rt classid`, `rt ip nexthop`, `rt mtu`, `rt ipsec` (the IPv6
/// routing header's fields, `rt type`, are Exthdr's).
public enum Rt: KeyedFamily {
    public static let name = "rt"
    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        var parts: [String: Part] = [:]
        if r.at("ip") || r.at("ip6") { parts["family"] = .word(try r.name("a family")) }
        parts["key"] = .word(try r.name("an rt key"))
        return parts
    }
    public static func text(parts p: [String: Part]) -> String? {
        guard let key = p["key"]?.text else { return nil }
        return "rt " + (p["family"]?.text.map { "\($0) " } ?? "") + key
    }
    /// `rt classid` is a realm (nft lists `rt classid "cosmos"`).
    public static func datatype(parts p: [String: Part]) -> Datatype {
        p["key"]?.text == "classid" ? .realm : .integer
    }
}

/// `ipsec in [spnum N] [ip|ip6] key`.
public enum Ipsec: KeyedFamily {
    public static let name = "ipsec"
    public static let defaults: [String: Part] = ["spnum": .atom(.number(0))]
    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        var parts: [String: Part] = ["dir": .word(try r.name("'in' or 'out'"))]
        if r.at("spnum") { r.advance(); parts["spnum"] = .atom(try r.atom()) }
        if r.at("ip") || r.at("ip6") { parts["family"] = .word(try r.name("a family")) }
        parts["key"] = .word(try r.name("an ipsec key"))
        return parts
    }
    public static func text(parts p: [String: Part]) -> String? {
        guard let key = p["key"]?.text, let dir = p["dir"]?.text else { return nil }
        var out = "ipsec \(dir)"
        if let sp = p["spnum"]?.text, sp != "0" { out += " spnum \(sp)" }
        if let f = p["family"]?.text { out += " \(f)" }
        return out + " \(key)"
    }
}

/// `osf [ttl loose|skip] name|version`.
public enum Osf: KeyedFamily {
    public static let name = "osf"
    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        var parts: [String: Part] = [:]
        if r.at("ttl") { r.advance(); parts["ttl"] = .word(try r.name("loose or skip")) }
        parts["key"] = .word(try r.name("'name' or 'version'"))
        return parts
    }
    public static func text(parts p: [String: Part]) -> String? {
        guard let key = p["key"]?.text else { return nil }
        return "osf " + (p["ttl"]?.text.map { "ttl \($0) " } ?? "") + key
    }
}

/// `jhash EXPR mod N [seed S] [offset K]`.
public enum Jhash: KeyedFamily {
    public static let name = "jhash"
    public static let defaults: [String: Part] = ["offset": .atom(.number(0))]
    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        var parts: [String: Part] = ["expr": .expr(try r.expr())]
        try r.expect("mod")
        parts["mod"] = .atom(try r.atom())
        if r.at("seed") { r.advance(); parts["seed"] = .atom(try r.atom()) }
        if r.at("offset") { r.advance(); parts["offset"] = .atom(try r.atom()) }
        return parts
    }
    public static func text(parts p: [String: Part]) -> String? {
        guard let x = p["expr"]?.text, let mod = p["mod"]?.text else { return nil }
        var out = "jhash \(x) mod \(mod)"
        if let seed = p["seed"]?.number, seed != 0 { out += " seed 0x" + String(seed, radix: 16) }
        if let off = p["offset"]?.text, off != "0" { out += " offset \(off)" }
        return out
    }
}

/// `symhash mod N [offset K]`.
public enum Symhash: KeyedFamily {
    public static let name = "symhash"
    public static let defaults: [String: Part] = ["offset": .atom(.number(0))]
    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        try r.expect("mod")
        var parts: [String: Part] = ["mod": .atom(try r.atom())]
        if r.at("offset") { r.advance(); parts["offset"] = .atom(try r.atom()) }
        return parts
    }
    public static func text(parts p: [String: Part]) -> String? {
        guard let mod = p["mod"]?.text else { return nil }
        return "symhash mod \(mod)" + (p["offset"]?.text.flatMap { $0 == "0" ? nil : " offset \($0)" } ?? "")
    }
}
