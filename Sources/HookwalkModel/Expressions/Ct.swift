/// `ct [original|reply] [ip|ip6] KEY` (nftables' ct.c): the packet's conntrack entry. JSON
/// `{"ct": {"key": K, "family": F, "dir": D}}`.
public enum Ct: ExprFamily {
    static let datatypes: [String: Datatype] = [
        "state": .ctState, "status": .ctStatus, "mark": .mark, "direction": .ctDir, "expiration": .expiration,
        "ip saddr": .ipv4Addr, "ip daddr": .ipv4Addr, "ip6 saddr": .ipv6Addr, "ip6 daddr": .ipv6Addr,
        "l3proto": .nfProto, "protocol": .inetProto, "proto-src": .inetService, "proto-dst": .inetService,
        "label": .ctLabel, "event": .ctEvent, "helper": .string,
    ]
    /// Keys that take an `ip`/`ip6` qualifier in text: `ct original ip saddr`.
    public static let addrKeys: Set<String> = ["saddr", "daddr"]

    public static let keywords: Set<String> = ["ct"]
    public static let jsonKeys: Set<String> = ["ct"]

    public static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr {
        r.advance()
        var dir: String?
        if r.at("original") || r.at("reply") {
            dir = r.word(0)
            r.advance()
        }
        guard var key = r.word(0) else { throw r.failure(expected: "a ct key (state, status, mark, ...)") }
        r.advance()
        if key == "ip" || key == "ip6", let next = r.word(0), addrKeys.contains(next) {
            key += " " + next
            r.advance()
        }
        return .ct(key: key, dir: dir, family: nil)
    }

    public static func expr(json key: String, _ m: [String: Part]) throws(FamilyError) -> Expr? {
        .ct(key: try m.word("key", of: key), dir: try m.optionalWord("dir", of: key), family: try m.optionalWord("family", of: key))
    }

    public static func text(_ e: Expr) -> String? {
        guard case .ct(let key, let dir, let family) = e else { return nil }
        var out = "ct"
        if let dir { out += " \(dir)" }
        if let family { out += " \(family)" }
        return out + " \(key)"
    }

    public static func json(_ e: Expr) -> JSONShape? {
        guard case .ct(let key, let dir, let family) = e else { return nil }
        var m: [JSONShape.Member] = [.init("key", .word(key))]
        if let family { m.append(.init("family", .word(family))) }
        if let dir { m.append(.init("dir", .word(dir))) }
        return JSONShape("ct", m)
    }

    public static func datatype(_ e: Expr) -> Datatype? {
        guard case .ct(let key, _, let family) = e else { return nil }
        if addrKeys.contains(key) { return family == "ip6" ? .ipv6Addr : .ipv4Addr }
        return datatypes[key] ?? .integer
    }

    public static func reading(_ e: Expr) -> Reading {
        guard case .ct(let key, let dir, _) = e else { return .notModelled() }
        return .field(.ct(key: key, dir: dir))
    }

    public static func phrase(_ e: Expr) -> Phrase? {
        guard case .ct(let key, _, _) = e else { return nil }
        switch key {
        case "state":
            return .sentence(eq: "the packet's conntrack state is one of {}", ne: "the packet's conntrack state is not {}")
        case "status":
            return .sentence(eq: "the connection's conntrack status has {} (the connection was rewritten by {})",
                             ne: "the connection's conntrack status lacks {}")
        default:
            return nil
        }
    }
}
