import HookwalkModel
import HookwalkSimulator

/// Computes a host's findings from the simulator's outcomes over the scenario catalog, and from
/// probes it simulates itself (the same port as a packet for the host's own input path, a client
/// on each uplink). Nothing here reads rule text for meaning: a finding is a trace's outcome, and
/// its rules are the ones the traces name. Shadowed rules are the exception the issue allows
/// (info): a rule whose matches include all of an earlier verdict rule's.
public struct FindingsEngine: Sendable {
    public let snapshot: Snapshot
    let simulator: Simulator
    public let provenance: Provenance
    /// The host's listening sockets (`ss-listen.txt`), nil when the snapshot has none.
    public var listeners: [Listener]?
    /// Each chain's rules by handle and by printed text (first occurrence): trace events name
    /// rules that way, and a big host's chains hold thousands.
    let ruleIndex: [ChainRef: (byHandle: [Int: Int], byText: [String: Int])]
    /// The simulator of the ruleset without the rules that DNATed the documented published-port
    /// requests: their packets stay addressed to the host and meet its input path (set by `report`).
    var probeSimulator: Simulator?
    var probeRemoved: Set<String> = []

    public init(snapshot: Snapshot, listeners: [Listener]? = nil) {
        self.snapshot = snapshot
        simulator = Simulator(snapshot: snapshot)
        provenance = Provenance(ruleset: snapshot.ruleset, host: snapshot.host)
        self.listeners = listeners ?? snapshot.host.listeners
        var index: [ChainRef: (byHandle: [Int: Int], byText: [String: Int])] = [:]
        for t in snapshot.ruleset.tables {
            for c in t.chains {
                var byHandle: [Int: Int] = [:], byText: [String: Int] = [:]
                for (i, r) in c.rules.enumerated() {
                    if let h = r.handle, byHandle[h] == nil { byHandle[h] = i }
                    let text = RuleLocator.normalise(NftTextWriter.ruleText(r))
                    if byText[text] == nil { byText[text] = i }
                }
                index[ChainRef(family: t.family, table: t.name, chain: c.name)] = (byHandle, byText)
            }
        }
        ruleIndex = index
    }

    /// The catalog of `clients` simulated, then its findings.
    public static func run(snapshot: Snapshot, clients: [IPAddress], host: String) -> FindingsReport {
        let engine = FindingsEngine(snapshot: snapshot)
        let traced = ScenarioCatalog.scenarios(for: snapshot, clients: clients).map { engine.simulator.simulate($0) }
        return engine.report(traced, host: host)
    }

    public func report(_ scenarios: [SimulatedScenario], host: String) -> FindingsReport {
        var engine = self
        engine.prepareProbes(scenarios)
        return engine.findings(scenarios, host: host)
    }

    /// One probe simulator for every published port: the ruleset without all the rules that
    /// DNATed a documented published-port request. Taking out rules that did not match a packet
    /// does not change its path, so each probe is the packet without its own DNAT.
    mutating func prepareProbes(_ scenarios: [SimulatedScenario]) {
        var rules: [LocatedRule] = []
        for s in scenarios where s.kind == .publishedPort {
            for r in dnatRules(s.trace.request) where probeRemoved.insert(Self.key(r)).inserted { rules.append(r) }
        }
        probeSimulator = rules.isEmpty ? nil : Simulator(snapshot: removing(rules))
    }

    static func key(_ r: LocatedRule) -> String { "\(r.ref.chainRef)#\(r.index.map(String.init) ?? r.ref.text)" }

    func findings(_ scenarios: [SimulatedScenario], host: String) -> FindingsReport {
        var out: [Finding] = []
        out += publishedPorts(scenarios)
        out += directAccess(scenarios)
        out += everyUplink(scenarios)
        out += betweenContainers(scenarios)
        out += notModelled(scenarios)
        out += unmatchedRules(scenarios)
        out += shadowedRules()
        out += hostListeners()
        var notes: [String] = []
        let running = snapshot.host.docker.containers.filter(\.running)
        if snapshot.host.docker.networks.isEmpty && running.isEmpty {
            notes.append("no Docker: the snapshot has no Docker networks and no containers")
        } else if running.isEmpty {
            notes.append("no running container: nothing is published")
        }
        if listeners == nil { notes.append("no ss-listen.txt: the host's own listening sockets are not known") }
        // Ids are unique: a repeated one (the same thing seen from another client) is one
        // finding, with the scenarios of both.
        var merged: [Finding] = []
        var at: [String: Int] = [:]
        for f in out {
            if let i = at[f.id] {
                for r in f.scenarios where !merged[i].scenarios.contains(r) { merged[i].scenarios.append(r) }
            } else {
                at[f.id] = merged.count
                merged.append(f)
            }
        }
        out = merged
        return FindingsReport(host: host, findings: out, notes: notes)
    }

    // MARK: - Published ports

    func publishedPorts(_ scenarios: [SimulatedScenario]) -> [Finding] {
        var out: [Finding] = []
        for s in scenarios where s.kind == .publishedPort {
            guard case .external(let client, _) = s.trace.scenario.from else { continue }
            let sc = s.trace.scenario
            let container = s.container ?? "?"
            let what = "\(sc.port)/\(sc.proto.rawValue) of \(container)"
            let ref = Self.ref(s)
            if reached(s.trace) {
                // The same packet without Docker's DNAT: what the host's input path does with it.
                let dnats = dnatRules(s.trace.request)
                // No DNAT: the host's input path itself let it in (docker-proxy's 6-to-4 listener).
                let probe = dnats.isEmpty ? s.trace : inputProbe(sc, removing: dnats)
                guard case .dropped(let chain, let handle, let text, let rejected) = probe.request.outcome else {
                    out.append(Finding(
                        id: Finding.makeID(kind: "published-port-reachable", identity: [container, "\(sc.port)", sc.proto.rawValue, sc.to.isV4 ? "4" : "6"]),
                        kind: "published-port-reachable", severity: .info,
                        statement: "Port \(what) is reachable from \(client) at \(Self.show(sc.to)), as published (the host's input path would accept that port too).",
                        scenarios: [ref], rules: dnats.map(\.ref) + acceptRules(s.trace.request)))
                    continue
                }
                let stop = stopRule(chain, handle, text, rejected: rejected, role: rejected ? "would reject" : "would drop")
                let probeRef = Finding.ScenarioRef(id: nil, title: "probe: \(client) to \(Self.show(sc.to)):\(sc.port)/\(sc.proto.rawValue) without the DNAT (the host's input path)",
                                                   outcome: Self.outcome(probe.request.outcome))
                out.append(Finding(
                    id: Finding.makeID(kind: "published-port-bypasses-input", identity: [container, "\(sc.port)", sc.proto.rawValue, sc.to.isV4 ? "4" : "6"]),
                    kind: "published-port-bypasses-input", severity: .critical,
                    statement: "Port \(what) is reachable from \(client) at \(Self.show(sc.to)) although the host's input path drops that port "
                        + "(\(stop.chainRef) \(stop.handle.map { "handle \($0)" } ?? stop.text)): Docker's DNAT forwards it through forward, where input never sees it.",
                    scenarios: [ref, probeRef],
                    rules: dnats.map(\.ref) + [stop],
                    remedies: closeRemedies(s, dnat: dnats.first)))
            } else {
                let stop = stopOf(s.trace)
                let deliberate = stop?.owner.tool == .handWritten
                out.append(Finding(
                    id: Finding.makeID(kind: "published-port-unreachable", identity: [container, "\(sc.port)", sc.proto.rawValue, sc.to.isV4 ? "4" : "6"]),
                    kind: "published-port-unreachable", severity: deliberate ? .info : .warning,
                    statement: "Port \(what), published on \(Self.show(sc.to)), does not reach the container from \(client): "
                        + Self.outcomeSentence(s.trace) + (deliberate ? " (a hand-written rule: presumably on purpose)." : "."),
                    scenarios: [ref], rules: stop.map { [$0] } ?? []))
            }
        }
        return out
    }

    /// Whether the scenario's request reaches its server: the container, or the host's
    /// docker-proxy whose own connection to the container arrives.
    func reached(_ t: Trace) -> Bool {
        guard case .delivered(let endpoint, _) = t.request.outcome else { return false }
        if case .host = endpoint { return t.proxyLeg.contains { $0.request.outcome.isDelivered } }
        return true
    }

    struct LocatedRule {
        var ref: Finding.RuleRef
        var index: Int?
    }

    /// The rules whose NAT statement rewrote the request's destination (the rule event before a
    /// non-implicit dnat event).
    func dnatRules(_ p: PacketTrace) -> [LocatedRule] {
        var out: [LocatedRule] = []
        var lastRule: (ChainRef, Int?, String)?
        for e in p.events {
            switch e.kind {
            case .rule(let chain, let handle, let text, _): lastRule = (chain, handle, text)
            case .nat(let kind, _, _, let implicit) where !implicit && kind == .dnat:
                if let (c, h, t) = lastRule { out.append(locate(c, h, t, role: kind.description)) }
                lastRule = nil
            default: break
            }
        }
        return out
    }

    /// The index of the rule a trace event names in its chain, nil when it is not found.
    func indexOfRule(_ chain: ChainRef, _ handle: Int?, normalised: String) -> Int? {
        let entry = ruleIndex[chain]
        return handle.flatMap { entry?.byHandle[$0] } ?? entry?.byText[normalised]
    }

    func locate(_ chain: ChainRef, _ handle: Int?, _ text: String, role: String) -> LocatedRule {
        let normalised = RuleLocator.normalise(text)
        let index = indexOfRule(chain, handle, normalised: normalised)
        var owner = Owner(.handWritten)
        if let table = snapshot.ruleset.table(chain.family, chain.table) {
            if let index, let c = table.chain(chain.chain) {
                owner = provenance.owner(rule: c.rules[index], chain: c.name, in: table)
            } else {
                owner = provenance.owner(chain: chain.chain, in: table)
            }
        }
        return LocatedRule(ref: Finding.RuleRef(role: role, chain: chain, handle: handle, text: normalised, owner: owner), index: index)
    }

    /// The scenario simulated on the ruleset without `rules` (the DNAT rules its request met):
    /// the packet stays addressed to the host, so routing delivers it locally and the input hook
    /// decides. The shared probe simulator serves when it lacks all of them.
    func inputProbe(_ scenario: Scenario, removing rules: [LocatedRule]) -> Trace {
        if let probeSimulator, rules.allSatisfy({ probeRemoved.contains(Self.key($0)) }) { return probeSimulator.simulate(scenario) }
        return Simulator(snapshot: removing(rules)).simulate(scenario)
    }

    /// The snapshot without `rules` (removed from the end of each chain first, so indices hold).
    func removing(_ rules: [LocatedRule]) -> Snapshot {
        var snap = snapshot
        for r in rules.sorted(by: { ($0.index ?? -1) > ($1.index ?? -1) }) {
            guard let i = r.index, let t = snap.ruleset.tables.firstIndex(where: { $0.family.rawValue == r.ref.family && $0.name == r.ref.table }),
                  let c = snap.ruleset.tables[t].chains.firstIndex(where: { $0.name == r.ref.chain }) else { continue }
            snap.ruleset.tables[t].chains[c].rules.remove(at: i)
        }
        return snap
    }

    func stopRule(_ chain: ChainRef, _ handle: Int?, _ text: String, rejected: Bool, role: String) -> Finding.RuleRef {
        if handle == nil && text == "policy drop" {
            return Finding.RuleRef(role: role, chain: chain, handle: nil, text: "policy drop", owner: provenance.policyOwner(chain))
        }
        return locate(chain, handle, text, role: role).ref
    }

    func stopOf(_ t: Trace) -> Finding.RuleRef? {
        for p in [t.request] + (t.proxyLeg.map(\.request)) {
            if case .dropped(let chain, let handle, let text, let rejected) = p.outcome {
                return stopRule(chain, handle, text, rejected: rejected, role: rejected ? "reject" : "drop")
            }
        }
        return nil
    }

    // MARK: - Direct access to container addresses

    func directAccess(_ scenarios: [SimulatedScenario]) -> [Finding] {
        var out: [Finding] = []
        for s in scenarios where s.kind == .direct {
            guard case .external(let client, _) = s.trace.scenario.from, s.trace.request.outcome.isDelivered else { continue }
            let sc = s.trace.scenario
            let container = s.container ?? "?"
            let iface = simulator.arrivalInterface(for: client) ?? "?"
            var remedies: [Finding.Remedy] = []
            if let network = snapshot.host.docker.networks.first(where: { $0.name == s.network }), let bridge = network.bridge,
               let subnet = network.subnets.first(where: { $0.address.isV4 == sc.to.isV4 }) {
                let tool = sc.to.isV4 ? "iptables" : "ip6tables"
                remedies.append(Finding.Remedy(
                    kind: "raw-prerouting-drop",
                    command: "\(tool) -t raw -I PREROUTING -d \(subnet) ! -i \(bridge) -j DROP",
                    explanation: "drops packets for the network's addresses that do not come from its bridge before conntrack, as Docker 28 does per container; published ports still work (their DNAT happens later, on the host's address)"))
            }
            out.append(Finding(
                id: Finding.makeID(kind: "direct-container-access", identity: [s.network ?? "", container, sc.to.isV4 ? "4" : "6"]),
                kind: "direct-container-access", severity: .warning,
                statement: "\(container)'s address \(Self.show(sc.to)) is reachable directly from \(client) on \(iface) (port \(sc.port)/\(sc.proto.rawValue); "
                    + "any port of any container of \(s.network ?? "its network") is, published or not).",
                scenarios: [Self.ref(s)], rules: acceptRules(s.trace.request), remedies: remedies))
        }
        return out
    }

    /// The rules that let the request through: each accepting rule of the path, and accepting
    /// policies.
    func acceptRules(_ p: PacketTrace) -> [Finding.RuleRef] {
        var out: [Finding.RuleRef] = []
        // Only filter chains decide; a nat chain's accept is its mapping.
        var inNat = false
        for e in p.events {
            switch e.kind {
            case .chain(let base, _): inNat = base.type == .nat
            case .rule(let chain, let handle, let text, let verdict) where verdict == .accept && !inNat:
                out.append(locate(chain, handle, text, role: "accept").ref)
            case .policy(let chain, let policy) where policy == .accept && !inNat:
                // A base chain without rules that accepts everything decides nothing worth naming.
                if snapshot.ruleset.table(chain.family, chain.table)?.chain(chain.chain)?.rules.isEmpty == false {
                    out.append(Finding.RuleRef(role: "policy accept", chain: chain, handle: nil, text: "policy accept", owner: provenance.policyOwner(chain)))
                }
            default: break
            }
        }
        var seen: Set<Finding.RuleRef> = []
        return out.filter { seen.insert($0).inserted }
    }

    // MARK: - A port on every uplink

    func everyUplink(_ scenarios: [SimulatedScenario]) -> [Finding] {
        let uplinks = Self.uplinks(snapshot.host)
        guard uplinks.count >= 2 else { return [] }
        var out: [Finding] = []
        var done: Set<String> = []
        for s in scenarios where s.kind == .publishedPort {
            let sc = s.trace.scenario
            guard let container = s.container,
                  let c = snapshot.host.docker.containers.first(where: { $0.name == container }),
                  let binding = c.ports.first(where: { $0.hostPort == Int(sc.port) && $0.proto == sc.proto.rawValue && ($0.hostIP.isEmpty || $0.hostIP == "0.0.0.0" || $0.hostIP == "::") }),
                  done.insert("\(container)/\(sc.port)/\(sc.proto.rawValue)/\(sc.to.isV4)").inserted else { continue }
            var reachedOn: [(Interface, IPAddress, Trace)] = []
            for u in uplinks {
                guard let mine = u.addresses.first(where: { $0.address.isV4 == sc.to.isV4 && $0.scope == "global" }),
                      let client = Self.neighbour(on: mine) else { continue }
                let probe = Scenario(from: .external(address: client, interface: u.name), to: mine.address, port: sc.port, proto: sc.proto,
                                     sport: sc.sport)
                let t = simulator.simulate(probe)
                if reached(t) { reachedOn.append((u, client, t)) }
            }
            guard reachedOn.count >= 2 else { continue }
            let names = reachedOn.map { "\($0.0.name) (\(Self.show($0.1)))" }.joined(separator: ", ")
            let bind = binding.hostIP.isEmpty ? "all addresses" : binding.hostIP
            let first = snapshot.host.docker.containers.first { $0.name == container }?.ports.first { $0 == binding }
            out.append(Finding(
                id: Finding.makeID(kind: "published-on-every-uplink", identity: [container, "\(sc.port)", sc.proto.rawValue, sc.to.isV4 ? "4" : "6"]),
                kind: "published-on-every-uplink", severity: .warning,
                statement: "Port \(sc.port)/\(sc.proto.rawValue) of \(container) is published on \(bind) and this host has \(uplinks.count) uplinks: "
                    + "it is reachable from the network of each of \(names).",
                scenarios: [Self.ref(s)] + reachedOn.map { Finding.ScenarioRef(id: nil, title: "probe: \(Self.show($0.1)) on \($0.0.name) to \(Self.show($0.2.scenario.to)):\(sc.port)/\(sc.proto.rawValue)", outcome: Self.outcome($0.2.request.outcome)) },
                rules: dnatRules(s.trace.request).map(\.ref),
                remedies: first.map { b in
                    let address = reachedOn[0].2.scenario.to
                    return [Finding.Remedy(kind: "publish-on-address", command: "docker run ... -p \(Self.show(address)):\(b.hostPort):\(b.containerPort)/\(b.proto) ...",
                                           explanation: "publishes the port on one address only (recreate the container with that -p)")]
                } ?? []))
        }
        return out
    }

    static func uplinks(_ host: HostModel) -> [Interface] {
        let bridges = Set(host.docker.networks.compactMap(\.bridge)).union(host.interfaces.filter { $0.kind == "bridge" }.map(\.name))
        return host.interfaces.filter { !$0.isLoopback && !bridges.contains($0.name) && $0.master == nil
            && $0.addresses.contains { $0.scope == "global" } }.sorted { $0.name < $1.name }
    }

    /// Another address on the uplink's subnet (its last usable one), standing for a neighbour.
    static func neighbour(on a: InterfaceAddress) -> IPAddress? {
        guard a.address.isV4, a.prefix.length < 31, case .v4(let net) = a.prefix.network else { return nil }
        let last = IPAddress.v4(net | (UInt32.max >> UInt32(a.prefix.length)) - 1)
        return last == a.address ? IPAddress.v4(net | 1) : last
    }

    // MARK: - Containers reaching each other

    func betweenContainers(_ scenarios: [SimulatedScenario]) -> [Finding] {
        var out: [Finding] = []
        for s in scenarios where s.kind == .crossNetwork || s.kind == .icc {
            guard reached(s.trace) || s.trace.request.outcome.isDelivered else { continue }
            guard case .delivered(let endpoint, _) = s.trace.request.outcome, case .container(let target) = endpoint else { continue }
            let sc = s.trace.scenario
            let caller = s.container ?? "?"
            if s.kind == .icc {
                guard let network = snapshot.host.docker.networks.first(where: { $0.name == s.network }),
                      network.options["com.docker.network.bridge.enable_icc"] == "false" else { continue }
                out.append(Finding(
                    id: Finding.makeID(kind: "icc-off-reach", identity: [network.name, caller, target]),
                    kind: "icc-off-reach", severity: .warning,
                    statement: "\(caller) reaches \(target) at \(Self.show(sc.to)):\(sc.port)/\(sc.proto.rawValue) on \(network.name) although the network has icc off.",
                    scenarios: [Self.ref(s)], rules: acceptRules(s.trace.request)))
            } else {
                let fromNet = s.network ?? "?"
                let toNet = snapshot.host.docker.containers.first { $0.name == target }?.endpoints.first?.network ?? "?"
                var remedies: [Finding.Remedy] = []
                let bridge = { (n: String) in self.snapshot.host.docker.networks.first { $0.name == n }?.bridge }
                if let b1 = bridge(fromNet), let b2 = bridge(toNet), crossed(s.trace.request, chain: "DOCKER-USER") {
                    remedies.append(Finding.Remedy(kind: "docker-user-drop", command: "iptables -I DOCKER-USER -i \(b1) -o \(b2) -j DROP",
                                                   explanation: "drops what \(fromNet)'s bridge forwards to \(toNet)'s, before Docker's own rules"))
                }
                out.append(Finding(
                    id: Finding.makeID(kind: "cross-network-reach", identity: [fromNet, toNet, caller, target]),
                    kind: "cross-network-reach", severity: .warning,
                    statement: "\(caller) (\(fromNet)) reaches \(target) (\(toNet)) through \(Self.show(sc.to)):\(sc.port)/\(sc.proto.rawValue): containers of different networks reach each other.",
                    scenarios: [Self.ref(s)], rules: dnatRules(s.trace.request).map(\.ref) + acceptRules(s.trace.request), remedies: remedies))
            }
        }
        return out
    }

    func crossed(_ p: PacketTrace, chain name: String) -> Bool {
        p.events.contains { e in
            if case .rule(_, _, _, let v) = e.kind, v == .jump(name) || v == .goto(name) { return true }
            return false
        }
    }

    // MARK: - Not modelled

    func notModelled(_ scenarios: [SimulatedScenario]) -> [Finding] {
        struct Key: Hashable { var chain: ChainRef?; var handle: Int?; var text: String; var assumption: String }
        var order: [Key] = []
        var seen: [Key: [Finding.ScenarioRef]] = [:]
        for s in scenarios {
            for p in Self.packets(s.trace) {
                for e in p.events {
                    guard case .notModelled(let chain, let handle, let text, let assumption) = e.kind else { continue }
                    let k = Key(chain: chain, handle: handle, text: text.description, assumption: assumption)
                    if seen[k] == nil { order.append(k); seen[k] = [] }
                    if !seen[k]!.contains(where: { $0.id == s.id }) { seen[k]!.append(Self.ref(s)) }
                }
            }
        }
        return order.map { k in
            let place = k.chain.map { "in \($0)" + (k.handle.map { " (handle \($0))" } ?? "") } ?? "on the path"
            let owner = k.chain.map { provenance.owner($0, handle: k.handle, text: k.text) } ?? Owner(.handWritten)
            return Finding(
                id: Finding.makeID(kind: "not-modelled", identity: [k.chain?.description ?? "", k.text]),
                kind: "not-modelled", severity: .info,
                statement: "\(seen[k]!.count) documented path\(seen[k]!.count == 1 ? "" : "s") cross\(seen[k]!.count == 1 ? "es" : "") a construct hookwalk does not model, \(place): \(k.text); the pages assume \(k.assumption).",
                scenarios: seen[k]!,
                rules: k.chain.map { [Finding.RuleRef(role: "not modelled", chain: $0, handle: k.handle, text: k.text, owner: owner)] } ?? [])
        }
    }

    static func packets(_ t: Trace) -> [PacketTrace] {
        [t.request] + (t.reply.map { [$0] } ?? []) + t.proxyLeg.flatMap(packets)
    }

    // MARK: - Rules no path matches, shadowed rules

    func unmatchedRules(_ scenarios: [SimulatedScenario]) -> [Finding] {
        var crossedChains: [ChainRef] = []
        var crossedSet: Set<ChainRef> = []
        var matched: Set<String> = []
        func cross(_ c: ChainRef) { if crossedSet.insert(c).inserted { crossedChains.append(c) } }
        for s in scenarios {
            for p in Self.packets(s.trace) {
                for e in p.events {
                    switch e.kind {
                    case .chain(let base, _): cross(base.chain)
                    case .rule(let chain, let handle, let text, let verdict):
                        cross(chain)
                        // Only where the rule is: its owner (which `locate` works out) is not needed.
                        if let i = indexOfRule(chain, handle, normalised: RuleLocator.normalise(text)) { matched.insert("\(chain)#\(i)") }
                        if case .jump(let t) = verdict { cross(ChainRef(family: chain.family, table: chain.table, chain: t)) }
                        if case .goto(let t) = verdict { cross(ChainRef(family: chain.family, table: chain.table, chain: t)) }
                    default: break
                    }
                }
            }
        }
        var out: [Finding] = []
        for ref in crossedChains.sorted(by: { $0.description < $1.description }) {
            guard let table = snapshot.ruleset.table(ref.family, ref.table), let chain = table.chain(ref.chain) else { continue }
            let never = chain.rules.indices.filter { !matched.contains("\(ref)#\($0)") }
            guard !never.isEmpty else { continue }
            let rules = never.map { i in
                Finding.RuleRef(role: "never matches", chain: ref, handle: chain.rules[i].handle, text: RuleLocator.normalise(NftTextWriter.ruleText(chain.rules[i])),
                                owner: provenance.owner(rule: chain.rules[i], chain: chain.name, in: table))
            }
            out.append(Finding(
                id: Finding.makeID(kind: "unmatched-rules", identity: [ref.description]),
                kind: "unmatched-rules", severity: .info,
                statement: "\(never.count) of the \(chain.rules.count) rules of \(ref), which documented paths cross, match none of them.",
                scenarios: [], rules: rules))
        }
        return out
    }

    func shadowedRules() -> [Finding] {
        var out: [Finding] = []
        for table in snapshot.ruleset.tables {
            for chain in table.chains {
                let ref = ChainRef(family: table.family, table: table.name, chain: chain.name)
                // Candidates by first match: an earlier rule can cover a later one only if its
                // first match is among the later one's (or it has none), which keeps chains of
                // thousands of distinct DNATs linear.
                var byFirstMatch: [Stmt: [Int]] = [:]
                var matchAll: [Int] = []
                for (j, later) in chain.rules.enumerated() {
                    defer {
                        if let first = later.stmts.first(where: { if case .match = $0 { return true } else { return false } }) {
                            byFirstMatch[first, default: []].append(j)
                        } else {
                            matchAll.append(j)
                        }
                    }
                    var candidates = matchAll
                    for st in later.stmts { if case .match = st, let c = byFirstMatch[st] { candidates += c } }
                    guard let i = candidates.sorted().first(where: { Self.covers(chain.rules[$0], later) }) else { continue }
                    let earlier = chain.rules[i]
                    let text = { (r: Rule) in RuleLocator.normalise(NftTextWriter.ruleText(r)) }
                    out.append(Finding(
                        id: Finding.makeID(kind: "shadowed-rule", identity: [ref.description, text(later), text(earlier)]),
                        kind: "shadowed-rule", severity: .info,
                        statement: "In \(ref), the rule \"\(text(later))\" never runs: the earlier \"\(text(earlier))\" matches every packet it matches and ends the chain for them.",
                        scenarios: [],
                        rules: [Finding.RuleRef(role: "shadowed", chain: ref, handle: later.handle, text: text(later), owner: provenance.owner(rule: later, chain: chain.name, in: table)),
                                Finding.RuleRef(role: "covers", chain: ref, handle: earlier.handle, text: text(earlier), owner: provenance.owner(rule: earlier, chain: chain.name, in: table))]))
                }
            }
        }
        return out
    }

    /// Whether `a`, earlier in the chain, takes every packet `b` matches: `a`'s matches are all
    /// among `b`'s, `a` has nothing that may not match (limit, quota, not modelled), and `a` ends
    /// evaluation of the chain for its packets (accept, drop, reject, return, goto).
    static func covers(_ a: Rule, _ b: Rule) -> Bool {
        var matches: [Stmt] = []
        var terminal = false
        for s in a.stmts {
            switch s {
            case .match: matches.append(s)
            case .verdict(let v):
                switch v {
                case .accept, .drop, .return, .goto: terminal = true
                default: return false
                }
            case .reject: terminal = true
            case .counter, .log: continue
            default: return false
            }
        }
        guard terminal else { return false }
        let bMatches = b.stmts.filter { if case .match = $0 { return true } else { return false } }
        return matches.allSatisfy { bMatches.contains($0) }
    }

    // MARK: - The host's own services

    func hostListeners() -> [Finding] {
        guard let listeners else { return [] }
        var out: [Finding] = []
        let uplinks = Self.uplinks(snapshot.host)
        var done: Set<String> = []
        for l in listeners.sorted(by: { ($0.port, $0.proto, $0.address?.description ?? "") < ($1.port, $1.proto, $1.address?.description ?? "") }) {
            guard let proto = L4Proto(rawValue: l.proto), !(l.address.map(Self.isLoopback) ?? false) else { continue }
            let process = l.process ?? "?"
            for u in uplinks {
                for mine in u.addresses where mine.scope == "global" && mine.address.isV4 && (l.address == nil || l.address == mine.address)
                    && (l.address != nil || !l.v6Only) {
                    guard let client = Self.neighbour(on: mine), done.insert("\(l.port)/\(l.proto)/\(u.name)").inserted else { continue }
                    var t = simulator.simulate(Scenario(from: .external(address: client, interface: u.name), to: mine.address, port: UInt16(l.port),
                                                        proto: proto, sport: UInt16(40000 + l.port % 20000)))
                    let isProxy = process == "docker-proxy"
                    if isProxy {
                        // Docker's DNAT takes the port first; what reaches the proxy is what the
                        // DNAT does not catch, through the host's input path.
                        let dnats = dnatRules(t.request)
                        if !dnats.isEmpty { t = inputProbe(t.scenario, removing: dnats) }
                    }
                    guard case .delivered(.host, _) = t.request.outcome else { continue }
                    let firewall = closedPortDropped(u, mine, client, proto)
                    let probeRef = Finding.ScenarioRef(id: nil, title: "probe: \(client) on \(u.name) to \(mine.address):\(l.port)/\(l.proto)" + (isProxy ? " without the DNAT" : ""),
                                                       outcome: "delivered")
                    if isProxy {
                        guard l.address == nil else { continue }
                        out.append(Finding(
                            id: Finding.makeID(kind: "docker-proxy-all-addresses", identity: ["\(l.port)", l.proto, u.name]),
                            kind: "docker-proxy-all-addresses", severity: .info,
                            statement: "docker-proxy listens on all addresses for \(l.port)/\(l.proto), and the host's input path accepts that port from \(u.name)'s network: a packet Docker's DNAT does not catch (another address of the host, a hairpin) still reaches the container through the proxy.",
                            scenarios: [probeRef], rules: acceptRules(t.request)))
                        continue
                    }
                    out.append(Finding(
                        id: Finding.makeID(kind: "host-listener-reachable", identity: ["\(l.port)", l.proto, u.name]),
                        kind: "host-listener-reachable", severity: firewall ? .info : .warning,
                        statement: "The host's \(process) listening on \(l.address.map(Self.show) ?? "all addresses") \(l.port)/\(l.proto) is reachable from \(u.name)'s network"
                            + (firewall ? " (the input path drops other ports: this one is allowed)." : ", and nothing in the input path closes any port."),
                        scenarios: [probeRef], rules: acceptRules(t.request),
                        remedies: firewall ? [] : [Finding.Remedy(kind: "listen-on-loopback", command: "bind \(process) to 127.0.0.1 (or add an input rule that drops \(l.port)/\(l.proto) from \(u.name))",
                                                                   explanation: "nothing but the socket's address decides who reaches it on this host")]))
                }
            }
        }
        return out
    }

    /// Whether the input path drops a port nothing listens on (a default-deny firewall).
    func closedPortDropped(_ u: Interface, _ mine: InterfaceAddress, _ client: IPAddress, _ proto: L4Proto) -> Bool {
        let t = simulator.simulate(Scenario(from: .external(address: client, interface: u.name), to: mine.address, port: 9, proto: proto, sport: 40009))
        if case .dropped = t.request.outcome { return true }
        return false
    }

    // MARK: - Remedies

    /// How to close a published port the input path would drop: a DOCKER-USER rule when the path
    /// crosses DOCKER-USER, else an nftables forward drop; and publishing on 127.0.0.1 instead.
    /// Each kind is tried in the lab (VerifyRemedyTests). A `ufw route` rule is not offered: on
    /// every Docker host Docker's accept runs before ufw's forward chains, so no lab case can show
    /// it closing anything, and an untried remedy is not printed.
    func closeRemedies(_ s: SimulatedScenario, dnat: LocatedRule?) -> [Finding.Remedy] {
        var out: [Finding.Remedy] = []
        let sc = s.trace.scenario
        guard case .delivered(_, let seen) = s.trace.request.outcome else { return [] }
        let target = s.trace.proxyLeg.first?.scenario.to ?? seen.daddr
        let port = s.trace.proxyLeg.first?.scenario.port ?? seen.dport ?? sc.port
        let iface = simulator.arrivalInterface(for: { if case .external(let a, _) = sc.from { return a }; return sc.to }()) ?? "eth0"
        let v4 = target.isV4
        if crossed(s.trace.request, chain: "DOCKER-USER") {
            out.append(Finding.Remedy(
                kind: "docker-user-drop",
                command: "\(v4 ? "iptables" : "ip6tables") -I DOCKER-USER -i \(iface) -d \(target) -p \(sc.proto.rawValue) -m \(sc.proto.rawValue) --dport \(port) -j DROP",
                explanation: "drops what arrives on \(iface) for the container's port after the DNAT, before Docker's accept rules (add `! -s ADDR` to keep a trusted client)"))
        } else if reached(s.trace) {
            out.append(Finding.Remedy(
                kind: "nft-forward-drop",
                command: "nft 'add table inet hookwalk_close; add chain inet hookwalk_close forward { type filter hook forward priority filter - 1; policy accept; }; "
                    + "add rule inet hookwalk_close forward iifname \"\(iface)\" \(v4 ? "ip" : "ip6") daddr \(target) \(sc.proto.rawValue) dport \(port) ct state new drop'",
                explanation: "a forward chain of your own, before Docker's, dropping new connections from \(iface) to the container's port"))
        }
        if let c = snapshot.host.docker.containers.first(where: { $0.name == s.container }),
           let b = c.ports.first(where: { $0.hostPort == Int(sc.port) && $0.proto == sc.proto.rawValue }) {
            out.append(Finding.Remedy(kind: "publish-on-address", command: "docker run ... -p 127.0.0.1:\(b.hostPort):\(b.containerPort)/\(b.proto) ...",
                                      explanation: "publishes the port for the host itself only (or give one address instead of 127.0.0.1); recreate the container with it"))
        }
        _ = dnat
        return out
    }

    // MARK: - Wording

    static func ref(_ s: SimulatedScenario) -> Finding.ScenarioRef {
        Finding.ScenarioRef(id: s.id, title: s.title, outcome: outcome(s.trace.request.outcome))
    }

    static func outcome(_ o: Outcome) -> String {
        switch o {
        case .delivered: return "delivered"
        case .dropped(_, _, _, let rejected): return rejected ? "rejected" : "dropped"
        case .unroutable: return "unroutable"
        case .notModelled: return "not-modelled"
        }
    }

    static func outcomeSentence(_ t: Trace) -> String {
        for p in [t.request] + t.proxyLeg.map(\.request) {
            switch p.outcome {
            case .dropped(let chain, let handle, let text, let rejected):
                let what = handle == nil && text == "policy drop" ? "the policy of \(chain)" : "\"\(RuleLocator.normalise(text))\" in \(chain)"
                return (rejected ? "rejected by " : "dropped by ") + what
            case .unroutable(let why): return "not routable (\(why))"
            case .notModelled(let why): return "the simulation stops at something not modelled (\(why))"
            case .delivered(let e, _):
                if p == t.request, case .host = e, t.proxyLeg.isEmpty { return "it ends at the host, which no container serves" }
            }
        }
        return "it does not arrive"
    }

    static func isLoopback(_ a: IPAddress) -> Bool {
        a.isV4 ? IPPrefix(IPAddress("127.0.0.0")!, 8).contains(a) : a == IPAddress("::1")
    }

    static func show(_ a: IPAddress) -> String { a.isV4 ? a.description : "[\(a)]" }
}
