import HookwalkModel

/// The routing decisions the kernel takes on the simulated packets: the host's routing tables
/// (`ip route show table all`, completed by the loader; for a host built in code, the routes
/// `KernelRoutes` derives from the addresses), looked up local table first, then main, then
/// default, longest prefix first.
struct Routing: Sendable {
    let routes: [Route]
    /// The policy routing rules per family, in the order the kernel tries them (priority, then
    /// listing order): the snapshot's, else the kernel's defaults.
    let rules4: [RoutingRule]
    let rules6: [RoutingRule]
    /// Whether the host has rules beyond the defaults: then route decisions name the rule.
    let hasPolicyRules: Bool
    let interfaces: [Interface]
    /// Fact 13 (docs/kernel-facts.md): every address of the host counts as local (lo, uplinks, bridges).
    let localAddresses: [IPAddress: String]

    init(host: HostModel) {
        interfaces = host.interfaces
        var local: [IPAddress: String] = [:]
        for i in host.interfaces {
            for a in i.addresses where local[a.address] == nil { local[a.address] = i.name }
        }
        localAddresses = local
        func sorted(_ v4: Bool) -> [RoutingRule] {
            let own = host.rules.filter { $0.v4 == v4 }
            return (own.isEmpty ? RoutingRule.defaults(v4: v4) : own).enumerated()
                .sorted { $0.element.priority != $1.element.priority ? $0.element.priority < $1.element.priority : $0.offset < $1.offset }
                .map(\.element)
        }
        rules4 = sorted(true)
        rules6 = sorted(false)
        hasPolicyRules = !RoutingRule.areDefaults(host.rules)
        // A loaded snapshot's routes are complete (the loader derived what its listings lack); a
        // host built in code may have none or only some, and gets the same derivation from what
        // the model knows of its addresses.
        let facts = KernelRoutes.facts(of: host.interfaces)
        self.routes = host.routes.isEmpty ? KernelRoutes.derive(from: facts) : KernelRoutes.completing(host.routes, with: facts)
    }

    /// What the lookup found: the route and the rule whose table gave it, or the rule that failed
    /// the lookup (`unreachable`, `prohibit`, `blackhole`), and rules passed over because they
    /// have selectors hookwalk does not evaluate.
    struct Choice: Sendable {
        var route: Route?
        var rule: RoutingRule?
        var failure: String?
        var skipped: [RoutingRule] = []
    }

    /// The route the kernel uses for `destination` (see `choose`). An IPv6 link-local destination names no link by itself: every
    /// interface has `fe80::/64`, and the kernel looks it up strictly on one device
    /// (`rt6_need_strict`: a socket's scope id, the interface a packet came in on, or for an
    /// answer the one its request came in on), so `device` restricts the routes to it.
    func lookup(_ destination: IPAddress, device: String? = nil, source: IPAddress? = nil, iif: String? = nil,
                mark: UInt32 = 0) -> Route? {
        choose(destination, device: device, source: source, iif: iif, mark: mark).route
    }

    /// The lookup as `fib_lookup` does it: the rules in priority order, each one's selectors (`from`,
    /// `to`, `fwmark`/mask, `iif`, `oif`, `not`) against the packet, the first that matches
    /// deciding: its table's longest-prefix route (a table without a route for the destination,
    /// a `throw` route, or a route that `suppress_prefixlength` rejects goes on with the next
    /// rule), a `goto`, or an `unreachable`/`prohibit`/`blackhole` failure. `source` nil is an
    /// unbound socket (saddr 0: only `from all` rules match); `iif` is the input device (`lo` for
    /// a packet the host sends); `oif` is the socket's bound device (`oif` rules match nothing else).
    func choose(_ destination: IPAddress, device: String? = nil, source: IPAddress? = nil, iif: String? = nil,
                oif: String? = nil, mark: UInt32 = 0) -> Choice {
        if case .v4(0xffff_ffff) = destination {
            // Sent by the host without a bound device, the limited broadcast leaves by the default
            // route's device (lab: ENETUNREACH without one).
            let out = lookup(IPAddress.v4(0)).flatMap { $0.type == .unicast && $0.destination.length == 0 ? $0 : nil }
            return Choice(route: Route(table: "local", type: .broadcast, destination: IPPrefix(destination, 32), device: out?.device,
                                       preferredSource: out?.preferredSource))
        }
        var choice = Choice()
        var gotoTarget: Int?
        for rule in destination.isV4 ? rules4 : rules6 {
            if let g = gotoTarget {
                if rule.priority < g { continue }
                gotoTarget = nil
            }
            if !rule.notModelled.isEmpty {
                choice.skipped.append(rule)
                continue
            }
            var matches = true
            if let p = rule.source { matches = matches && (source.map(p.contains) ?? (p.length == 0)) }
            if let p = rule.destination { matches = matches && p.contains(destination) }
            if let m = rule.fwmark { matches = matches && (mark ^ m) & rule.fwmask == 0 }
            if let i = rule.iif { matches = matches && i == iif }
            if let o = rule.oif { matches = matches && o == oif }
            if rule.inverted { matches = !matches }
            guard matches else { continue }
            switch rule.action {
            case .nop:
                continue
            case .goto(let p):
                gotoTarget = p
            case .fail(let how):
                choice.rule = rule
                choice.failure = how
                return choice
            case .table(let table):
                guard let r = best(in: table, destination, device: device), r.type != .throw else { continue }
                if let n = rule.suppressPrefixLength, r.destination.length <= n { continue }
                choice.route = r
                choice.rule = rule
                return choice
            }
        }
        return choice
    }

    /// The longest-prefix route of one table (lowest metric among equals).
    func best(in table: String, _ destination: IPAddress, device: String?) -> Route? {
        var best: Route?
        for r in routes where r.table == table && r.destination.contains(destination) {
            if let device, destination.isLinkLocal, r.device != device { continue }
            guard let b = best else { best = r; continue }
            if r.destination.length > b.destination.length
                || (r.destination.length == b.destination.length && r.metric < b.metric) {
                best = r
            }
        }
        return best
    }

    /// `fib daddr type` / `fib saddr type` (nft_fib4's `inet_dev_addr_type`): the type of the
    /// address in the local table; anything else with a route is unicast.
    func addressType(_ a: IPAddress) -> RouteType {
        switch a {
        case .v4(let v):
            if v == 0xffff_ffff || v == 0 { return .broadcast }
            if v >> 28 == 0xe { return .multicast }
        case .v6(let hi, _):
            if hi >> 56 == 0xff { return .multicast }
        }
        var best: Route?
        for r in routes where r.table == "local" && r.destination.contains(a) {
            if best == nil || r.destination.length > best!.destination.length { best = r }
        }
        if let best { return best.type }
        return .unicast
    }

    func isLocal(_ a: IPAddress) -> Bool { addressType(a) == .local }

    /// The devices with a route to the link-local `address` (its link when there is one).
    func linkLocalDevices(_ address: IPAddress) -> [String] {
        var seen: [String] = []
        for r in routes where r.table == "main" && r.type == .unicast && r.destination.contains(address) {
            if let d = r.device, !seen.contains(d) { seen.append(d) }
        }
        return seen
    }

    /// The source address the kernel picks for a packet leaving through `device` towards
    /// `destination`: the route's preferred source, else the device's first address in the
    /// destination's subnet, else its first address (what `masquerade` uses; docs/kernel-facts.md, fact 11).
    func sourceAddress(device: String?, destination: IPAddress, route: Route?) -> IPAddress? {
        if let src = route?.preferredSource, src.isV4 == destination.isV4 { return src }
        guard let device, let iface = interfaces.first(where: { $0.name == device }) else { return nil }
        let family = iface.addresses.filter { $0.address.isV4 == destination.isV4 && $0.scope != "link" }
        if let same = family.first(where: { $0.prefix.contains(destination) }) { return same.address }
        return family.first?.address ?? iface.addresses.first { $0.address.isV4 == destination.isV4 }?.address
    }

    func interface(_ name: String) -> Interface? { interfaces.first { $0.name == name } }

    /// `ip route` style text for a route.
    static func describe(_ r: Route) -> String {
        var s = r.type == .unicast ? "" : r.type.rawValue + " "
        s += r.destination.length == r.destination.address.bitWidth && r.type != .unicast
            ? r.destination.address.description : r.destination.description
        if let g = r.gateway { s += " via \(g)" }
        if let d = r.device { s += " dev \(d)" }
        if r.table != "main" { s += " table \(r.table)" }
        if let p = r.preferredSource { s += " src \(p)" }
        return s
    }
}
