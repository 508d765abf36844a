import HookwalkModel

/// The tables and builtin chains that iptables-nft creates, with the types, hooks and priorities it
/// gives them (iptables 1.8.9 `nft.c` `xtables_ipv4`; checked with `nft list ruleset` after
/// `iptables-nft-restore` in a scratch namespace). The same for ip6tables, in the ip6 family.
enum IptablesBuiltins {
    /// The builtin chains of each table, in the order iptables lists them.
    static let tables: [String: [(name: String, spec: BaseChainSpec)]] = [
        "filter": [
            ("INPUT", BaseChainSpec(type: .filter, hook: .input, priority: 0)),
            ("FORWARD", BaseChainSpec(type: .filter, hook: .forward, priority: 0)),
            ("OUTPUT", BaseChainSpec(type: .filter, hook: .output, priority: 0)),
        ],
        "nat": [
            ("PREROUTING", BaseChainSpec(type: .nat, hook: .prerouting, priority: -100)),
            ("INPUT", BaseChainSpec(type: .nat, hook: .input, priority: 100)),
            ("OUTPUT", BaseChainSpec(type: .nat, hook: .output, priority: -100)),
            ("POSTROUTING", BaseChainSpec(type: .nat, hook: .postrouting, priority: 100)),
        ],
        "raw": [
            ("PREROUTING", BaseChainSpec(type: .filter, hook: .prerouting, priority: -300)),
            ("OUTPUT", BaseChainSpec(type: .filter, hook: .output, priority: -300)),
        ],
        "mangle": [
            ("PREROUTING", BaseChainSpec(type: .filter, hook: .prerouting, priority: -150)),
            ("INPUT", BaseChainSpec(type: .filter, hook: .input, priority: -150)),
            ("FORWARD", BaseChainSpec(type: .filter, hook: .forward, priority: -150)),
            // Rerouting after a mark change needs a route chain, as iptables' mangle OUTPUT does.
            ("OUTPUT", BaseChainSpec(type: .route, hook: .output, priority: -150)),
            ("POSTROUTING", BaseChainSpec(type: .filter, hook: .postrouting, priority: -150)),
        ],
        "security": [
            ("INPUT", BaseChainSpec(type: .filter, hook: .input, priority: 50)),
            ("FORWARD", BaseChainSpec(type: .filter, hook: .forward, priority: 50)),
            ("OUTPUT", BaseChainSpec(type: .filter, hook: .output, priority: 50)),
        ],
    ]

    static func spec(table: String, chain: String) -> BaseChainSpec? {
        tables[table]?.first { $0.name == chain }?.spec
    }

    /// Targets of iptables extensions that are not chains; `-j NAME` with one of these and no chain
    /// of that name is a target hookwalk keeps as not modelled (or translates, see `IptablesTarget`).
    static let knownTargets: Set<String> = [
        "ACCEPT", "DROP", "RETURN", "REJECT", "LOG", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "MARK",
        "CONNMARK", "TRACE", "NOTRACK", "CT", "TCPMSS", "CHECKSUM", "CLASSIFY", "DSCP", "TOS", "TTL", "HL",
        "NFLOG", "ULOG", "NFQUEUE", "QUEUE", "SET", "TPROXY", "AUDIT", "SECMARK", "CONNSECMARK", "NETMAP",
        "IDLETIMER", "LED", "RATEEST", "SYNPROXY", "TEE", "HMARK", "CLUSTERIP", "ECN", "MIRROR", "SAME",
    ]
}
