/// `numgen inc|random mod N [offset K]` (nftables' numgen.c): a number from `offset` to
/// `offset + N - 1`, counted per packet (`inc`) or drawn at random (`random`); used to spread
/// packets over backends (`dnat to numgen inc mod 2 map { 0 : a, 1 : b }`). JSON
/// `{"numgen": {"mode": "inc", "mod": 2, "offset": 0}}`.
///
/// Evaluation is deterministic: the simulated packet carries a branch index (0 unless the
/// scenario picks another), and numgen gives `offset + branch % mod`, so a walk follows one
/// outcome and says which.
public enum Numgen: KeyedFamily {
    public static let name = "numgen"
    public static let modelled = true
    public static let defaults: [String: Part] = ["offset": .atom(.number(0))]

    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        var parts: [String: Part] = ["mode": .word(try r.name("'inc' or 'random'"))]
        try r.expect("mod")
        parts["mod"] = .atom(try r.atom())
        if r.at("offset") { r.advance(); parts["offset"] = .atom(try r.atom()) }
        return parts
    }

    public static func text(parts p: [String: Part]) -> String? {
        guard let mode = p["mode"]?.text, let mod = p["mod"]?.text else { return nil }
        return "numgen \(mode) mod \(mod)" + (p["offset"]?.text.flatMap { $0 == "0" ? nil : " offset \($0)" } ?? "")
    }

    public static func evaluate(_ p: [String: Part], _ packet: some PacketView) -> FieldReading {
        guard let mod = p["mod"]?.number, mod > 0, let offset = p["offset"]?.number ?? 0 as UInt64?,
              p["mode"]?.word == "inc" || p["mode"]?.word == "random" else {
            return .notModelled(text(parts: p) ?? name)
        }
        guard case .value(.int(let branch)) = packet.read(.branch) else { return .notModelled(text(parts: p) ?? name) }
        return .value(.int(offset &+ branch % mod))
    }

    public static func phrase(parts p: [String: Part]) -> Phrase? {
        guard let t = text(parts: p), let mod = p["mod"]?.number else { return nil }
        let how = p["mode"]?.word == "random" ? "drawn at random" : "counted per packet"
        let first = p["offset"]?.number ?? 0
        let said = "the number \(t) gives (\(how), one of \(mod) from \(first); the walk follows \(first) unless it picks another branch)"
        return .sentence(eq: "\(said) is {}", ne: "\(said) is not {}")
    }
}

extension Numgen {
    /// How many values `e` gives when it is a `numgen` expression (its `mod`): a branch point.
    public static func modulus(_ e: Expr) -> UInt64? {
        guard case .keyed(let k) = e, k.family == name, let m = k.parts["mod"]?.number, m > 0 else { return nil }
        return m
    }
}
