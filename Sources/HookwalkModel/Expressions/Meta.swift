/// `meta KEY` (nftables' meta.c): packet metadata. Bare in text for the keys nft accepts so
/// (`iifname`, `mark`); JSON `{"meta": {"key": K}}`.
public enum Meta: ExprFamily {
    public struct Key: Sendable {
        public let datatype: Datatype
        public let reads: PacketField?
        public let subject: String?
        init(_ datatype: Datatype, _ reads: PacketField? = nil, _ subject: String? = nil) {
            self.datatype = datatype
            self.reads = reads
            self.subject = subject
        }
    }

    public static let keys: [String: Key] = [
        "iifname": Key(.ifname, .iifname, "the input interface"),
        "oifname": Key(.ifname, .oifname, "the output interface"),
        "iif": Key(.ifaceIndex, .iifname, "the input interface"),
        "oif": Key(.ifaceIndex, .oifname, "the output interface"),
        "ibrname": Key(.ifname), "obrname": Key(.ifname), "ibridgename": Key(.ifname), "obridgename": Key(.ifname),
        "sdif": Key(.ifaceIndex), "sdifname": Key(.ifname),
        "mark": Key(.mark, .mark),
        "l4proto": Key(.inetProto, .l4proto, "the protocol"),
        "protocol": Key(.etherType, .etherType, "the protocol"),
        "nfproto": Key(.nfProto, .nfproto),
        "pkttype": Key(.pktType, .pkttype),
        "iiftype": Key(.ifaceType), "oiftype": Key(.ifaceType),
        "skuid": Key(.uid), "skgid": Key(.gid),
        "iifgroup": Key(.devgroup), "oifgroup": Key(.devgroup),
        "day": Key(.day), "hour": Key(.hour), "time": Key(.time),
        "cgroup": Key(.cgroupv2),
        "realm": Key(.realm), "rtclassid": Key(.realm),
    ]

    /// Keys nft accepts without `meta ` in front (`ipsec` there is the ipsec expression).
    public static let bare: Set<String> = [
        "iifname", "oifname", "iif", "oif", "mark", "iiftype", "oiftype", "skuid", "skgid", "nftrace",
        "rtclassid", "ibrname", "obrname", "ibriport", "obriport", "ibrpvid", "ibrvproto", "pkttype", "cpu",
        "iifgroup", "oifgroup", "cgroup", "ipsec",
    ]
    /// Keys nft prints without `meta ` (it accepts more on input).
    public static let printedBare: Set<String> = ["iif", "oif", "iifname", "oifname", "iifgroup", "oifgroup"]

    /// Bare `ipsec` is the ipsec expression (Unevaluated.swift), not `meta ipsec`.
    public static var keywords: Set<String> { bare.subtracting(["ipsec"]).union(["meta"]) }
    public static let jsonKeys: Set<String> = ["meta"]

    public static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr {
        let w = try r.name("an expression")
        guard w == "meta" else { return .meta(w) }
        guard let key = r.word(0) else { throw r.failure(expected: "a meta key") }
        r.advance()
        return .meta(key)
    }

    public static func expr(json key: String, _ m: [String: Part]) throws(FamilyError) -> Expr? {
        .meta(try m.word("key", of: key))
    }

    public static func text(_ e: Expr) -> String? {
        guard case .meta(let key) = e else { return nil }
        return printedBare.contains(key) ? key : "meta \(key)"
    }

    public static func json(_ e: Expr) -> JSONShape? {
        guard case .meta(let key) = e else { return nil }
        return JSONShape("meta", [.init("key", .word(key))])
    }

    public static func datatype(_ e: Expr) -> Datatype? {
        guard case .meta(let key) = e else { return nil }
        return keys[key]?.datatype ?? .integer
    }

    public static func reading(_ e: Expr) -> Reading {
        guard case .meta(let key) = e, let f = keys[key]?.reads else { return .notModelled() }
        return .field(f)
    }

    public static func phrase(_ e: Expr) -> Phrase? {
        guard case .meta(let key) = e, let k = keys[key], let s = k.subject else { return nil }
        return .subject(s, shows: k.reads)
    }
}

extension Dictionary where Key == String, Value == Part {
    /// The word member `name` of the JSON object `{of: {...}}`.
    public func word(_ name: String, of object: String) throws(FamilyError) -> String {
        guard let p = self[name] else { throw FamilyError("\"\(object)\" needs \"\(name)\"") }
        guard let w = p.word else { throw FamilyError("\"\(name)\" of \"\(object)\" must be a string") }
        return w
    }

    public func optionalWord(_ name: String, of object: String) throws(FamilyError) -> String? {
        guard self[name] != nil else { return nil }
        return try word(name, of: object)
    }

    /// The integer member `name`.
    public func int(_ name: String, of object: String) throws(FamilyError) -> Int {
        guard let p = self[name] else { throw FamilyError("\"\(object)\" needs \"\(name)\"") }
        guard let n = p.number, n <= UInt64(Int.max) else { throw FamilyError("\"\(name)\" of \"\(object)\" must be a number") }
        return Int(n)
    }

    /// A list of words (`"flags": ["saddr", "iif"]` or a single word).
    public func words(_ name: String, of object: String) throws(FamilyError) -> [String] {
        switch self[name] {
        case nil: return []
        case .flags(let f)?: return f
        case let p?:
            if let w = p.word { return [w] }
            throw FamilyError("\"\(name)\" of \"\(object)\" must be a list of strings")
        }
    }
}
