import HookwalkModel

/// Word lists of nft's grammar that the parser and the writer both need.
enum Keywords {
    /// Protocols whose fields are payload expressions (`ip saddr`, `vlan id`, `th dport`).
    static var payloadProtocols: Set<String> { Payload.protocols }
    /// Words that end a not-modelled statement's span: the next statement starts there.
    static let statementStarts: Set<String> = [
        "accept", "drop", "continue", "return", "jump", "goto", "counter", "COUNTER", "log", "limit", "comment",
        "reject", "notrack", "masquerade", "snat", "dnat", "redirect",
    ]
    /// Verdict words.
    static let verdicts: Set<String> = ["accept", "drop", "continue", "return", "jump", "goto"]
    /// Words that must be quoted as chain/set names in nft text (docs/kernel-facts.md, fact 7) — the ones a Docker or
    /// firewalld host is likely to use, plus every word that starts a statement or expression.
    static let reserved: Set<String> = {
        var s: Set<String> = [
            "fwd", "dup", "table", "chain", "set", "map", "type", "hook", "priority", "policy", "device", "devices",
            "meta", "ct", "fib", "rt", "socket", "osf", "numgen", "jhash", "symhash", "ipsec", "queue", "tproxy",
            "synproxy", "quota", "meter", "xt", "flow", "flowtable", "elements", "flags", "size", "timeout",
            "define", "include", "input", "output", "forward", "prerouting", "postrouting", "ingress", "egress",
            "filter", "nat", "route", "inet", "bridge", "netdev", "arp", "add", "update", "delete", "vmap",
            "to", "with", "prefix", "level", "rate", "burst", "over", "name", "tcp", "udp", "icmp", "icmpv6",
            "th", "ip", "ip6", "ether", "vlan", "state", "status", "mark", "random", "persistent", "fully-random",
            "exists", "missing", "helper", "secmark", "counter", "limit", "log", "comment", "last", "handle",
            "index", "position", "ruleset", "export", "import", "monitor", "describe", "list", "reset", "rename",
            "create", "insert", "replace", "destroy", "flush", "dnat", "snat", "masquerade", "redirect",
            "reject", "notrack", "accept", "drop", "continue", "return", "jump", "goto", "typeof", "auto-merge",
        ]
        s.formUnion(Exthdr.headers)
        s.formUnion(Meta.bare)
        s.formUnion(Payload.protocols)
        return s
    }()
}
