/// The one ruleset model that every front end (nft JSON, nft text, iptables-save) produces.
///
/// It mirrors nftables' own objects (tables, chains, rules, sets, maps, stateful objects) closely,
/// so that anything the kernel can list can be held here and printed back. Nothing after the parsers
/// knows which syntax the user wrote. Equality (`==`) is exact, handles included; what two syntaxes
/// legitimately differ in is taken out by `normalized()` (Normalized.swift), which the conformance
/// tests compare through.

/// An nftables address family.
public enum Family: String, Sendable, Hashable, Codable, CaseIterable {
    case ip, ip6, inet, arp, bridge, netdev
}

/// A netfilter hook. `ingress`/`egress` exist for netdev (and inet ingress); they are recognised,
/// never simulated.
public enum Hook: String, Sendable, Hashable, Codable, CaseIterable {
    case ingress, prerouting, input, forward, output, postrouting, egress
}

/// The chain types that nftables knows.
public enum ChainType: String, Sendable, Hashable, Codable {
    case filter, nat, route
}

/// The policy of a base chain.
public enum Policy: String, Sendable, Hashable, Codable {
    case accept, drop
}

/// The whole ruleset of a host, tables in listing order.
public struct Ruleset: Sendable, Hashable {
    public var tables: [Table]
    /// What the listing the ruleset was read from could not tell (an `iptables -L` dump has no
    /// interfaces without `-v`, a dump of only some tables says nothing of the others), one
    /// sentence each, for `hookwalk ruleset` and the index page. Empty for complete listings.
    public var gaps: [String]

    public init(tables: [Table] = [], gaps: [String] = []) {
        self.tables = tables
        self.gaps = gaps
    }

    /// The table `family name`, if present.
    public func table(_ family: Family, _ name: String) -> Table? {
        tables.first { $0.family == family && $0.name == name }
    }
}

public struct Table: Sendable, Hashable {
    public var family: Family
    public var name: String
    public var handle: Int?
    public var flags: [String]
    public var comment: String?
    public var chains: [Chain]
    public var sets: [NamedSet]
    /// Stateful objects and flowtables: counters, quotas, ct helpers, limits, synproxies...
    /// hookwalk keeps their kind and name only.
    public var objects: [NamedObject]
    /// An iptables-legacy (x_tables) table running beside nftables on the same hooks: evaluated
    /// like any table, but `nft monitor trace` never shows it. Named `<table> (legacy)` so it
    /// cannot be taken for the iptables-nft table of the same name.
    public var legacy: Bool

    public init(family: Family, name: String, handle: Int? = nil, flags: [String] = [], comment: String? = nil,
                chains: [Chain] = [], sets: [NamedSet] = [], objects: [NamedObject] = [], legacy: Bool = false) {
        self.legacy = legacy
        self.family = family
        self.name = name
        self.handle = handle
        self.flags = flags
        self.comment = comment
        self.chains = chains
        self.sets = sets
        self.objects = objects
    }

    public func chain(_ name: String) -> Chain? { chains.first { $0.name == name } }
    public func set(_ name: String) -> NamedSet? { sets.first { $0.name == name } }

    public func hash(into h: inout Hasher) { h.combine(family); h.combine(name) }
}

/// What makes a chain a base chain: attached to a hook with a type, priority and policy.
public struct BaseChainSpec: Sendable, Hashable {
    public var type: ChainType
    public var hook: Hook
    /// The numeric priority (named priorities such as `dstnat` or `filter + 10` are resolved by the
    /// parser for the table's family, see `Priority`).
    public var priority: Int
    public var policy: Policy
    /// Devices of netdev/inet ingress chains.
    public var devices: [String]

    public init(type: ChainType, hook: Hook, priority: Int, policy: Policy = .accept, devices: [String] = []) {
        self.type = type
        self.hook = hook
        self.priority = priority
        self.policy = policy
        self.devices = devices
    }
}

public struct Chain: Sendable, Hashable {
    public var name: String
    public var handle: Int?
    public var base: BaseChainSpec?
    public var rules: [Rule]
    public var comment: String?

    public init(name: String, handle: Int? = nil, base: BaseChainSpec? = nil, rules: [Rule] = [], comment: String? = nil) {
        self.name = name
        self.handle = handle
        self.base = base
        self.rules = rules
        self.comment = comment
    }

    public var isBase: Bool { base != nil }

    public func hash(into h: inout Hasher) { h.combine(name) }
}

/// A rule: an ordered list of statements (matches are statements too, as in nftables' JSON).
public struct Rule: Sendable, Hashable {
    public var handle: Int?
    public var stmts: [Stmt]
    public var comment: String?

    public init(handle: Int? = nil, stmts: [Stmt], comment: String? = nil) {
        self.handle = handle
        self.stmts = stmts
        self.comment = comment
    }

    public func hash(into h: inout Hasher) { h.combine(stmts) }
}

/// A named set or map (`set s { ... }`, `map m { ... }`).
public struct NamedSet: Sendable, Hashable {
    public var name: String
    public var handle: Int?
    /// The key type as datatype names (`ipv4_addr`, `inet_service`, `ifname`; several for a
    /// concatenation). `typeof` declarations are resolved to datatype names by the parsers.
    public var keyType: [String]
    /// For maps: the data type (`verdict`, `ipv4_addr`, ...); nil for plain sets.
    public var dataType: String?
    /// `typeof ip saddr . tcp dport`: the expressions the key was declared with (nil for `type`).
    /// nft 1.0.6's JSON listing prints only the resolved types, so only the text front end has it.
    public var keyTypeof: [Expr]?
    /// `typeof ... : meta mark`: the data's expressions.
    public var dataTypeof: [Expr]?
    public var flags: [String]
    public var elements: [SetElement]
    public var comment: String?
    /// `size N`, `timeout T` and `gc-interval T` (seconds), `policy performance|memory`.
    public var size: UInt64?
    public var timeout: UInt64?
    public var gcInterval: UInt64?
    public var policy: String?
    /// `auto-merge` (interval sets; not in nft 1.0.6's JSON).
    public var autoMerge: Bool
    /// Statements every element gets (`counter` in the declaration).
    public var stmts: [Stmt]

    public init(name: String, handle: Int? = nil, keyType: [String], dataType: String? = nil,
                flags: [String] = [], elements: [SetElement] = [], comment: String? = nil,
                keyTypeof: [Expr]? = nil, dataTypeof: [Expr]? = nil, size: UInt64? = nil, timeout: UInt64? = nil,
                gcInterval: UInt64? = nil, policy: String? = nil, autoMerge: Bool = false, stmts: [Stmt] = []) {
        self.name = name
        self.handle = handle
        self.keyType = keyType
        self.dataType = dataType
        self.flags = flags
        self.elements = elements
        self.comment = comment
        self.keyTypeof = keyTypeof
        self.dataTypeof = dataTypeof
        self.size = size
        self.timeout = timeout
        self.gcInterval = gcInterval
        self.policy = policy
        self.autoMerge = autoMerge
        self.stmts = stmts
    }

    public var isMap: Bool { dataType != nil }

    public func hash(into h: inout Hasher) { h.combine(name) }
}

/// A stateful object or flowtable that hookwalk does not evaluate; kept so that listings round-trip
/// and so that rules referring to it can say what they refer to.
public struct NamedObject: Sendable, Hashable {
    /// `counter`, `quota`, `ct helper`, `ct timeout`, `ct expectation`, `limit`, `secmark`,
    /// `synproxy`, `flowtable`.
    public var kind: String
    public var name: String
    public var handle: Int?
    /// Its configuration as libnftables' JSON names it (`bytes` and `inv` of a quota, `rate` and
    /// `per` of a limit, `protocol`, `l3proto` and `policy` of a ct timeout...), without its state
    /// (a counter's values, what a quota has used); nil when hookwalk holds only the kind and name.
    public var parts: [String: Part]?

    public init(kind: String, name: String, handle: Int? = nil, parts: [String: Part]? = nil) {
        self.kind = kind
        self.name = name
        self.handle = handle
        self.parts = parts
    }

    public func hash(into h: inout Hasher) { h.combine(kind); h.combine(name) }
}
