/// `fib FLAGS RESULT` (nftables' fib.c): a routing lookup for the packet, `fib daddr type`,
/// `fib saddr . iif oif`. JSON `{"fib": {"result": R, "flags": [F...]}}`.
public enum Fib: ExprFamily {
    static let datatypes: [String: Datatype] = ["type": .fibAddrType, "oif": .ifaceIndex, "oifname": .ifname]

    public static let keywords: Set<String> = ["fib"]
    public static let jsonKeys: Set<String> = ["fib"]

    public static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr {
        r.advance()
        var flags: [String] = [try r.name("a fib flag (saddr, daddr, mark, iif, oif)")]
        while r.atDot {
            r.advance()
            flags.append(try r.name("a fib flag"))
        }
        let result = try r.name("a fib result (oif, oifname, type)")
        return .fib(result: result, flags: flags)
    }

    public static func expr(json key: String, _ m: [String: Part]) throws(FamilyError) -> Expr? {
        .fib(result: try m.word("result", of: key), flags: try m.words("flags", of: key))
    }

    public static func text(_ e: Expr) -> String? {
        guard case .fib(let result, let flags) = e else { return nil }
        return "fib \(flags.joined(separator: " . ")) \(result)"
    }

    public static func json(_ e: Expr) -> JSONShape? {
        guard case .fib(let result, let flags) = e else { return nil }
        return JSONShape("fib", [.init("result", .word(result)), .init("flags", .flags(flags))])
    }

    public static func datatype(_ e: Expr) -> Datatype? {
        guard case .fib(let result, _) = e else { return nil }
        return datatypes[result]
    }

    public static func reading(_ e: Expr) -> Reading {
        guard case .fib(let result, let flags) = e else { return .notModelled() }
        return .field(.fib(result: result, flags: flags))
    }

    /// The walkthrough words `fib daddr type local` from the host's addresses itself.
    public static func phrase(_ e: Expr) -> Phrase? { nil }
}
