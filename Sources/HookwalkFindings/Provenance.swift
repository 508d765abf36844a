import HookwalkModel
import HookwalkSimulator

/// Who wrote a rule: Docker (for which network or container), ufw (which ufw chain, a user
/// rule's comment), firewalld (zone or policy), libvirt, netavark, kube-proxy, or nobody known
/// (hand-written). Every owner is read from the names a tool gives its tables and chains, the
/// comments it writes, and the bridge names and addresses of the host's Docker networks: the
/// signatures are all in `Provenance.tableSignatures` and `Provenance.chainSignatures` below, the
/// one table of them.
public struct Owner: Sendable, Hashable, Codable, Comparable {
    public enum Tool: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case docker, ufw, firewalld, libvirt, netavark
        case kubeProxy = "kube-proxy"
        case handWritten = "hand-written"

        public static func < (a: Tool, b: Tool) -> Bool { a.rawValue < b.rawValue }

        /// How a page names the tool.
        public var name: String {
            switch self {
            case .docker: return "Docker"
            case .ufw: return "ufw"
            case .firewalld: return "firewalld"
            case .libvirt: return "libvirt"
            case .netavark: return "netavark"
            case .kubeProxy: return "kube-proxy"
            case .handWritten: return "hand-written"
            }
        }
    }

    public var tool: Tool
    /// What of the tool: `container radius`, `network bridge`, `zone public`, `ufw-user-input`,
    /// `ufw-user-input 'allow ssh'`; nil when only the tool is known.
    public var detail: String?

    public init(_ tool: Tool, _ detail: String? = nil) {
        self.tool = tool
        self.detail = detail
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(detail, forKey: .detail)
        try c.encode(badge, forKey: .badge)
    }

    enum CodingKeys: String, CodingKey { case tool, detail, badge }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tool = try c.decode(Tool.self, forKey: .tool)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
    }

    /// The short badge of excerpts and tables: `Docker: container radius`, `hand-written`.
    public var badge: String { detail.map { "\(tool.name): \($0)" } ?? tool.name }

    public static func < (a: Owner, b: Owner) -> Bool { (a.tool, a.detail ?? "") < (b.tool, b.detail ?? "") }
}

/// The owners of a ruleset's tables, chains and rules, for one host (Docker's networks and
/// containers name the details). Create once per snapshot.
public struct Provenance: Sendable {
    /// A name pattern of the signature table.
    enum Pattern: Sendable {
        case exact(String)
        case prefix(String)
        case any

        func matches(_ s: String) -> Bool {
            switch self {
            case .exact(let x): return s == x
            case .prefix(let p): return s.hasPrefix(p)
            case .any: return true
            }
        }
    }

    /// How a chain signature names the detail from the chain's name.
    enum Detail: Sendable {
        /// No detail from the name.
        case none
        /// The chain's own name (`ufw-user-input`).
        case chainName
        /// firewalld's `<table>_<kind>_<zone>[_allow|_deny|_log|_pre|_post]`, or
        /// `<table>_<kind>_policy_<policy>`: the zone or policy.
        case firewalldZone
        /// Docker 29's per-bridge chains `filter-forward-in__docker0`: the network of the bridge.
        case dockerBridgeSuffix
    }

    struct TableSignature: Sendable {
        var family: Family?
        var table: Pattern
        var tool: Owner.Tool
    }

    struct ChainSignature: Sendable {
        var table: Pattern
        var chain: Pattern
        var tool: Owner.Tool
        var detail: Detail
    }

    /// Tables a tool owns as a whole (nftables backends write their own tables).
    static let tableSignatures: [TableSignature] = [
        TableSignature(family: nil, table: .exact("docker-bridges"), tool: .docker),   // Docker 29, nftables backend
        TableSignature(family: nil, table: .exact("firewalld"), tool: .firewalld),
        TableSignature(family: nil, table: .exact("libvirt_network"), tool: .libvirt),   // libvirt 9+, nftables backend
        TableSignature(family: nil, table: .exact("netavark"), tool: .netavark),        // netavark's nftables driver
        TableSignature(family: nil, table: .exact("kube-proxy"), tool: .kubeProxy),     // kube-proxy --proxy-mode nftables
    ]

    /// Chains a tool creates in shared (iptables) tables, first match wins.
    static let chainSignatures: [ChainSignature] = [
        // Docker (iptables backend, every era), and Docker 29's per-bridge chains.
        ChainSignature(table: .any, chain: .prefix("DOCKER"), tool: .docker, detail: .none),
        ChainSignature(table: .exact("docker-bridges"), chain: .any, tool: .docker, detail: .dockerBridgeSuffix),
        // ufw (`ufw-before-input`, `ufw-user-input`, `ufw6-...` on old releases).
        ChainSignature(table: .any, chain: .prefix("ufw-"), tool: .ufw, detail: .chainName),
        ChainSignature(table: .any, chain: .prefix("ufw6-"), tool: .ufw, detail: .chainName),
        // firewalld (nftables backend: `filter_IN_public_allow`, `nat_POST_public`).
        ChainSignature(table: .exact("firewalld"), chain: .any, tool: .firewalld, detail: .firewalldZone),
        // libvirt (iptables backend: `LIBVIRT_INP`, `LIBVIRT_FWO`, `LIBVIRT_PRT`...).
        ChainSignature(table: .any, chain: .prefix("LIBVIRT_"), tool: .libvirt, detail: .none),
        // netavark (iptables driver: `NETAVARK_FORWARD`, `NETAVARK-HOSTPORT-DNAT`, `NETAVARK-DN-...`).
        ChainSignature(table: .any, chain: .prefix("NETAVARK"), tool: .netavark, detail: .chainName),
        // kube-proxy (iptables mode: `KUBE-SERVICES`, `KUBE-SVC-...`, `KUBE-NODEPORTS`...).
        ChainSignature(table: .any, chain: .prefix("KUBE-"), tool: .kubeProxy, detail: .chainName),
    ]

    /// The chains iptables creates in its own tables, which every tool adds rules to: their rules
    /// are owned by what they do (jump to a tool's chain, name a Docker bridge or address).
    static let sharedChains: Set<String> = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
    /// The tables iptables(-nft) creates.
    static let iptablesTables: Set<String> = ["filter", "nat", "raw", "mangle", "security"]

    /// Whether `chain` is one of iptables' own chains, which several tools share.
    public static func isShared(_ chain: String, in table: Table) -> Bool {
        sharedChains.contains(chain) && iptablesTables.contains(baseName(table))
    }

    let ruleset: Ruleset
    let host: HostModel
    /// Bridge name -> Docker network name.
    let bridges: [String: String]
    /// Container address -> container name.
    let containerAddresses: [IPAddress: String]
    /// Docker network subnets, with the network's name.
    let subnets: [(IPPrefix, String)]
    /// The policy owners of iptables' shared chains, keyed as `policyOwner` finds a chain (the
    /// first table of a family and name, its first chain of a name). Each reads the owner of
    /// every rule of the chain, and a big Docker host's FORWARD holds thousands: computed once
    /// here instead of once per finding that names the policy.
    private var sharedPolicyOwners: [ChainRef: Owner] = [:]

    public init(ruleset: Ruleset, host: HostModel) {
        self.ruleset = ruleset
        self.host = host
        var bridges: [String: String] = [:]
        var subnets: [(IPPrefix, String)] = []
        for n in host.docker.networks.sorted(by: { $0.name < $1.name }) {
            if let b = n.bridge { bridges[b] = bridges[b] ?? n.name }
            for s in n.subnets { subnets.append((s, n.name)) }
        }
        var addresses: [IPAddress: String] = [:]
        for c in host.docker.containers.sorted(by: { $0.name < $1.name }) {
            for ep in c.endpoints {
                for a in [ep.ipv4, ep.ipv6].compactMap({ $0 }) where addresses[a] == nil { addresses[a] = c.name }
            }
        }
        self.bridges = bridges
        self.containerAddresses = addresses
        self.subnets = subnets
        var tables: Set<String> = []
        var policies: [ChainRef: Owner] = [:]
        for table in ruleset.tables where tables.insert("\(table.family.rawValue) \(table.name)").inserted {
            for chain in table.chains where Self.sharedChains.contains(chain.name) {
                let ref = ChainRef(family: table.family, table: table.name, chain: chain.name)
                if policies[ref] == nil { policies[ref] = sharedPolicyOwner(chain, in: table) }
            }
        }
        sharedPolicyOwners = policies
    }

    // MARK: - Tables and chains

    /// The tool that owns a whole table, if any.
    public func owner(table: Table) -> Owner? {
        Self.tableSignatures.first { ($0.family == nil || $0.family == table.family) && $0.table.matches(Self.baseName(table)) }
            .map { Owner($0.tool) }
    }

    /// The owner of a chain: its tool's signature; a shared iptables chain or an unknown one is
    /// hand-written (its rules may still have other owners, see `owner(rule:in:)`).
    public func owner(chain: String, in table: Table) -> Owner {
        let tableName = Self.baseName(table)
        if let sig = Self.chainSignatures.first(where: { $0.table.matches(tableName) && $0.chain.matches(chain) }) {
            return Owner(sig.tool, detail(sig.detail, chain: chain))
        }
        if let t = owner(table: table) { return t }
        return Owner(.handWritten)
    }

    func detail(_ d: Detail, chain: String) -> String? {
        switch d {
        case .none: return nil
        case .chainName: return chain
        case .firewalldZone:
            // `filter_IN_public_allow`: table, kind, zone, optional suffix; `filter_IN_policy_x`.
            let parts = chain.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3 else { return nil }
            if parts[2] == "policy", parts.count >= 4 { return "policy " + parts[3...].joined(separator: "_") }
            var zone = Array(parts[2...])
            if zone.count > 1, ["allow", "deny", "log", "pre", "post"].contains(zone.last!) { zone.removeLast() }
            let name = zone.joined(separator: "_")
            // `filter_FORWARD_IN_ZONES`, `nat_POSTROUTING_ZONES`: the zone dispatch, no zone.
            return name == "ZONES" || name.hasSuffix("ZONES") ? nil : "zone " + name
        case .dockerBridgeSuffix:
            guard let r = chain.range(of: "__", options: .backwards) else { return nil }
            let bridge = String(chain[r.upperBound...])
            return bridges[bridge].map { "network \($0)" } ?? "bridge \(bridge)"
        }
    }

    /// `filter (legacy)` is the iptables-legacy `filter` table.
    static func baseName(_ table: Table) -> String {
        table.legacy && table.name.hasSuffix(" (legacy)") ? String(table.name.dropLast(9)) : table.name
    }

    // MARK: - Rules

    /// The owner of a rule of `chain` in `table`.
    public func owner(rule: Rule, chain: String, in table: Table) -> Owner {
        let chainOwner = owner(chain: chain, in: table)
        switch chainOwner.tool {
        case .docker:
            // Docker creates DOCKER-USER with at most a `return`: anything else there is the user's.
            if chain == "DOCKER-USER" {
                let onlyReturn = rule.stmts.allSatisfy {
                    if case .counter = $0 { return true }
                    if case .verdict(.return) = $0 { return true }
                    return false
                }
                return onlyReturn ? Owner(.docker) : Owner(.handWritten, "in DOCKER-USER")
            }
            return dockerOwner(rule) ?? chainOwner
        case .ufw:
            // A user rule keeps `ufw ... comment 'x'` as its iptables comment, quoted `'x'`.
            if chain.hasPrefix("ufw-user-") || chain.hasPrefix("ufw6-user-"), let c = rule.comment, !c.isEmpty {
                return Owner(.ufw, "\(chain) \(c.hasPrefix("'") ? c : "'\(c)'")")
            }
            return chainOwner
        case .handWritten:
            // Only iptables' own chains are shared; a table of one's own is one's own, whatever
            // addresses its rules name.
            guard Self.sharedChains.contains(chain), Self.iptablesTables.contains(Self.baseName(table)) else { return chainOwner }
            // A shared chain's rule: the tool whose chain it jumps to, else Docker's when it names
            // a Docker bridge, subnet or container address.
            for s in rule.stmts {
                var target: String?
                if case .verdict(.jump(let t)) = s { target = t }
                if case .verdict(.goto(let t)) = s { target = t }
                if let target {
                    let o = owner(chain: target, in: table)
                    if o.tool == .docker { return dockerOwner(rule) ?? Owner(.docker) }
                    if o.tool != .handWritten { return Owner(o.tool, o.tool == .ufw ? o.detail : nil) }
                }
            }
            if let d = dockerOwner(rule) { return d }
            if let c = rule.comment, c.contains("kubernetes") || c.hasPrefix("kube") { return Owner(.kubeProxy) }
            return chainOwner
        default:
            return chainOwner
        }
    }

    /// Docker's detail for a rule that names a container's address (DNAT target, `ip daddr`), a
    /// network's subnet or its bridge; nil when it names none.
    func dockerOwner(_ rule: Rule) -> Owner? {
        var addresses: [IPAddress] = []
        var prefixes: [IPPrefix] = []
        var interfaces: [String] = []
        func values(_ v: Value, iface: Bool) {
            switch v {
            case .string(let s):
                if iface { interfaces.append(s) } else if let a = IPAddress(s) { addresses.append(a) } else if let p = IPPrefix(s) { prefixes.append(p) }
                else if let colon = s.lastIndex(of: ":"), let a = IPAddress(String(s[..<colon])) { addresses.append(a) }
            case .prefix(let a, let l): if let a = IPAddress(a) { prefixes.append(IPPrefix(a, l)) }
            case .range(let a, let b): values(a, iface: iface); values(b, iface: iface)
            case .concat(let vs), .list(let vs): vs.forEach { values($0, iface: iface) }
            default: break
            }
        }
        func expr(_ e: Expr, iface: Bool) {
            switch e {
            case .value(let v): values(v, iface: iface)
            case .set(let elements): elements.forEach { values($0.key, iface: iface) }
            case .concat(let es): es.forEach { expr($0, iface: iface) }
            default: break
            }
        }
        for s in rule.stmts {
            switch s {
            case .match(let left, _, let right):
                var isIface = false
                if case .meta(let k) = left, ["iifname", "oifname", "iif", "oif"].contains(k) { isIface = true }
                expr(right, iface: isIface)
            case .nat(let n):
                if let a = n.addr { expr(a, iface: false) }
            default: break
            }
        }
        if let c = addresses.compactMap({ containerAddresses[$0] }).first { return Owner(.docker, "container \(c)") }
        for p in prefixes {
            if let n = subnets.first(where: { $0.0.network == p.network && $0.0.length == p.length }) { return Owner(.docker, "network \(n.1)") }
        }
        let ifaceNames = interfaces.map { $0.hasPrefix("\"") && $0.hasSuffix("\"") && $0.count >= 2 ? String($0.dropFirst().dropLast()) : $0 }
        if let n = ifaceNames.compactMap({ bridges[$0] }).first { return Owner(.docker, "network \(n)") }
        if ifaceNames.contains(where: { $0.hasPrefix("docker") || $0.hasPrefix("br-") }) { return Owner(.docker) }
        return nil
    }

    /// The owner of a base chain's policy: a shared iptables chain's is set by the tool that
    /// hooks its chains there (ufw's `default deny incoming` is the INPUT policy).
    public func policyOwner(_ ref: ChainRef) -> Owner {
        if let cached = sharedPolicyOwners[ref] { return cached }
        guard let table = ruleset.table(ref.family, ref.table), let chain = table.chain(ref.chain) else { return Owner(.handWritten) }
        return sharedPolicyOwner(chain, in: table)
    }

    /// `policyOwner` of a chain found in its table.
    private func sharedPolicyOwner(_ chain: Chain, in table: Table) -> Owner {
        let own = owner(chain: chain.name, in: table)
        guard own.tool == .handWritten, Self.sharedChains.contains(chain.name) else { return own }
        // ufw and firewalld set default policies; Docker sets FORWARD's to drop when it enables
        // forwarding; a chain only Docker's rules use is Docker's (iptables created it for them).
        let tools = Set(chain.rules.map { owner(rule: $0, chain: chain.name, in: table).tool })
        for tool in [Owner.Tool.ufw, .firewalld, .libvirt, .netavark, .kubeProxy, .docker] where tools.contains(tool) {
            return Owner(tool, "default policy")
        }
        return own
    }

    /// The owner of the rule a trace event names (by handle, else by its printed text), or of the
    /// chain when the rule is not found.
    public func owner(_ ref: ChainRef, handle: Int?, text: String) -> Owner {
        guard let table = ruleset.table(ref.family, ref.table) else { return Owner(.handWritten) }
        guard let chain = table.chain(ref.chain) else { return owner(chain: ref.chain, in: table) }
        if let i = RuleLocator.index(in: chain, handle: handle, text: text) {
            return owner(rule: chain.rules[i], chain: chain.name, in: table)
        }
        return owner(chain: chain.name, in: table)
    }
}

/// Finds the rule a trace event names in its chain: by handle when both sides have one, else by
/// the printed text (counters shown without values, as traces print them).
public enum RuleLocator {
    public static func index(in chain: Chain, handle: Int?, text: String) -> Int? {
        if let handle, let i = chain.rules.firstIndex(where: { $0.handle == handle }) { return i }
        let wanted = normalise(text)
        return chain.rules.indices.first { normalise(NftTextWriter.ruleText(chain.rules[$0])) == wanted }
    }

    public static func normalise(_ text: String) -> String {
        // The printer's own text is already normal: every rule of a big host is normalised
        // (for the rule indexes, and again for each rule a trace names), so skip the split.
        if isNormal(text) { return text }
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var i = 0
        while i < words.count {
            if words[i] == "counter", i + 4 < words.count, words[i + 1] == "packets", words[i + 3] == "bytes" {
                words.removeSubrange((i + 1)...(i + 4))
            }
            i += 1
        }
        return words.joined(separator: " ")
    }

    /// Whether `normalise` would return `text` unchanged: no tab, no leading, trailing or
    /// doubled space, and no `counter packets` whose values it would drop.
    static func isNormal(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.first != 0x20, bytes.last != 0x20 else { return false }
        var previous: UInt8 = 0
        for b in bytes {
            if b == 0x09 || (b == 0x20 && previous == 0x20) { return false }
            previous = b
        }
        return bytes.firstRange(of: "counter packets".utf8) == nil
    }
}
