/// IPv6 extension header fields (nftables' exthdr.c): `frag id`, `hbh nexthdr`, `rt type`
/// (JSON `{"exthdr": {"name": N, "field": F}}`). Kept apart from payload because the kernel finds
/// the header by walking the header chain and breaks the rule when it is not there. `rt` followed
/// by anything but a routing header field is the routing expression (`Rt`); `exthdr NAME` alone
/// (a presence test) is `ExthdrPresence`.
public enum Exthdr: ExprFamily {
    /// The extension headers with fields: `frag id`, `hbh nexthdr`...
    public static let headers: Set<String> = ["hbh", "frag", "dst", "mh", "srh"]
    /// The routing header's fields (`rt type`); other words after `rt` are the routing expression's.
    public static let routingHeaderFields: Set<String> = ["nexthdr", "hdrlength", "type", "seg-left"]

    public static var keywords: Set<String> { headers.union(["rt"]) }
    public static let jsonKeys: Set<String> = ["exthdr"]

    public static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr {
        guard let w = r.word(0) else { throw r.failure(expected: "an extension header") }
        if w == "rt" {
            guard let field = r.word(1), routingHeaderFields.contains(field) else { return try Rt.parse(&r) }
            r.advance()
            r.advance()
            return .exthdr(name: "rt", field: field)
        }
        r.advance()
        return .exthdr(name: w, field: try r.name("an extension header field"))
    }

    /// A named field (`rt type`); presence tests and raw offsets stay not modelled.
    public static func expr(json key: String, _ m: [String: Part]) throws(FamilyError) -> Expr? {
        guard m["field"] != nil, m["offset"] == nil else { return nil }
        return .exthdr(name: try m.word("name", of: key), field: try m.word("field", of: key))
    }

    public static func text(_ e: Expr) -> String? {
        guard case .exthdr(let name, let field) = e else { return nil }
        return "\(name) \(field)"
    }

    public static func json(_ e: Expr) -> JSONShape? {
        guard case .exthdr(let name, let field) = e else { return nil }
        return JSONShape("exthdr", [.init("name", .word(name)), .init("field", .word(field))])
    }

    public static func datatype(_ e: Expr) -> Datatype? {
        guard case .exthdr(_, let field) = e else { return nil }
        return field == "nexthdr" ? .inetProto : .integer
    }

    /// The simulated packets carry no IPv6 extension headers, and the kernel breaks the rule when
    /// the header is not in the packet: nft_exthdr_ipv6_eval's NFT_BREAK when ipv6_find_hdr fails,
    /// as xt_rt and friends return false.
    public static func reading(_ e: Expr) -> Reading { .absent }

    public static func phrase(_ e: Expr) -> Phrase? { nil }
}

/// `exthdr NAME`, compared with `exists`/`missing` (JSON `{"exthdr": {"name": N}}`, read by
/// `Exthdr` when it has no field).
public enum ExthdrPresence: KeyedFamily {
    public static let name = "exthdr"
    public static let jsonKeys: Set<String> = []
    public static func parseParts<R: ExprTextReader>(_ r: inout R) throws -> [String: Part] {
        ["name": .word(try r.name("an extension header name"))]
    }
    public static func text(parts p: [String: Part]) -> String? {
        guard let name = p["name"]?.text, p["field"] == nil else { return nil }
        return "exthdr \(name)"
    }
}
