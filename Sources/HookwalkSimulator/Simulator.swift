import HookwalkModel

/// The simulator: a pure function of (ruleset, host, scenario) -> trace. Create it once per
/// snapshot (it indexes the ruleset) and simulate as many scenarios as needed; it holds no
/// mutable state, so it can be shared across threads.
public struct Simulator: Sendable {
    let compiled: CompiledRuleset
    let routing: Routing
    let topology: Topology
    public let snapshot: Snapshot
    public let options: Options

    /// Switches for testing the tests: a deliberately wrong model must make `hookwalk verify`
    /// fail with a readable divergence.
    public struct Options: Sendable, Hashable {
        /// Wrong on purpose: run nat chains at their declared priority instead of inside the NAT
        /// hook (docs/kernel-facts.md, fact 3).
        public var natChainsAtDeclaredPriority = false

        public init(natChainsAtDeclaredPriority: Bool = false) {
            self.natChainsAtDeclaredPriority = natChainsAtDeclaredPriority
        }
    }

    /// Rules are shown in trace events as `NftTextWriter.ruleText` prints them.
    public init(snapshot: Snapshot, options: Options = Options()) {
        self.snapshot = snapshot
        self.options = options
        compiled = CompiledRuleset(snapshot.ruleset)
        routing = Routing(host: snapshot.host)
        topology = Topology(host: snapshot.host, ruleset: snapshot.ruleset)
    }

    /// Whether the ruleset sets `meta nftrace` itself: then, as in the kernel, only packets that
    /// got the flag produce `nft monitor trace` lines.
    public var rulesetSetsNftrace: Bool { compiled.setsNftrace }

    /// Simulates the request of `scenario` and, when it reaches a receiver that answers, the reply.
    /// `branch` picks the outcome of the ruleset's nondeterministic expressions (`numgen`, `meta
    /// random`, iptables' `statistic`): 0, the default, follows the first (see `branches(_:)`).
    public func simulate(_ scenario: Scenario, branch: Int = 0) -> Trace {
        walk(scenario, branch: UInt64(max(0, branch))).trace
    }

    /// The walk of `simulate`, with the moduli of the branch points it met (each `numgen ... mod N`
    /// evaluated on the way), from which `branches(_:)` counts the branches.
    func walk(_ scenario: Scenario, branch: UInt64) -> (trace: Trace, moduli: [UInt64]) {
        guard let source = sourceAddress(scenario) else {
            let p = PacketState(saddr: scenario.to, daddr: scenario.to, proto: scenario.proto, sport: scenario.sport, dport: scenario.port)
            let outcome: Outcome
            switch scenario.from {
            case .container(let n): outcome = .notModelled("no running container named \(n) with an address of this family")
            case .host where routing.lookup(scenario.to)?.device == nil:
                // The kernel refuses the send itself (ENETUNREACH): no route, or a limited
                // broadcast without a default route to leave by.
                outcome = .unroutable(scenario.to == IPAddress.v4(0xffff_ffff)
                    ? "no default route: the kernel refuses a limited broadcast from a socket bound to no device (Network is unreachable)"
                    : "no route to \(scenario.to) (Network is unreachable)")
            default: outcome = .notModelled("no source address for the sender")
            }
            return (Trace(scenario: scenario, request: PacketTrace(initial: p, events: [], outcome: outcome), reply: nil), [])
        }
        var request = Packet(saddr: source, daddr: scenario.to, proto: scenario.proto, sport: scenario.sport,
                             dport: scenario.port, tcpFlags: scenario.proto == .tcp ? 0x02 : nil)
        request.branch = branch
        var moduli: [UInt64] = []
        var walker = PathWalker(ruleset: compiled, routing: routing, topology: topology, packet: request, connection: nil, isReply: false, options: options)
        let outcome = run(&walker, from: scenario.from)
        var proxyLeg: [Trace] = []
        if case .delivered(.host, let seen) = outcome, let proxy = userlandProxy(seen, scenario) {
            let target = proxy.backend, port = UInt16(proxy.binding.containerPort)
            walker.emit(.note(.userlandProxy(hostIP: proxy.binding.hostIP, proto: scenario.proto, port: scenario.port,
                                             container: proxy.container, backend: target, backendPort: port)))
            if proxy.isSixToFour {
                walker.emit(.note(.proxySixToFour(container: proxy.container, hostIP: proxy.binding.hostIP)))
            }
            // The proxy's source port is an ephemeral port of the host; a fixed one keeps output stable.
            let leg = Scenario(from: .host, to: target, port: port, proto: scenario.proto, sport: Self.proxyLegSourcePort(scenario.sport))
            if case .host = scenario.from, scenario.to == target { } else {
                let l = walk(leg, branch: branch)
                proxyLeg = [l.trace]
                moduli += l.moduli
            }
        }
        if case .delivered(.host, _) = outcome, scenario.proto == .tcp, !answers(.host, scenario) {
            // moby `listenBoundPorts`: without docker-proxy, Docker still listens on the port (to
            // hold it) and never accepts; the kernel completes a handshake into that backlog.
            walker.emit(.notModelled(chain: nil, handle: nil,
                                     text: .placeholderListener(port: scenario.port),
                                     assumption: "nothing on the host answers (on a real host the kernel may complete the TCP handshake)"))
        }
        var answer: RejectAnswer?
        if case .dropped(_, _, _, true) = outcome, let r = walker.rejection {
            answer = rejectAnswer(r, connection: walker.connection, sets: walker.sets, requestEvents: &walker.events)
        }
        let requestTrace = PacketTrace(initial: request.state(iif: nil, oif: nil), events: walker.events, outcome: outcome)
        moduli += walker.branchModuli

        guard case .delivered(let endpoint, let seen) = outcome, answers(endpoint, scenario) else {
            return (Trace(scenario: scenario, request: requestTrace, reply: nil, proxyLeg: proxyLeg, answer: answer), moduli)
        }
        var replyPacket = Packet(saddr: replySource(seen, endpoint), daddr: seen.saddr, proto: seen.proto, sport: seen.dport, dport: seen.sport,
                                 tcpFlags: scenario.proto == .tcp ? 0x12 : nil)
        replyPacket.branch = branch
        var back = PathWalker(ruleset: compiled, routing: routing, topology: topology, packet: replyPacket,
                              connection: walker.connection, isReply: true, options: options)
        back.sets = walker.sets
        // The host answers a link-local sender on the link the request came in on.
        if case .host = endpoint, replyPacket.daddr.isLinkLocal { back.linkDevice = seen.iif }
        let replyOutcome: Outcome
        switch endpoint {
        case .external(_, let interface):
            replyOutcome = back.fromWire(interface ?? "")
        default:
            replyOutcome = run(&back, from: endpoint)
        }
        let replyTrace = PacketTrace(initial: replyPacket.state(iif: nil, oif: nil), events: back.events, outcome: replyOutcome)
        moduli += back.branchModuli
        return (Trace(scenario: scenario, request: requestTrace, reply: replyTrace, proxyLeg: proxyLeg), moduli)
    }

    /// The source of the receiver's answer: the address the request was sent to, except for a
    /// broadcast or multicast one, which is no address of the host to send from: the host's
    /// socket answers from the address routing picks towards the sender (as for any unbound
    /// socket). Seen in the lab: a reply to 255.255.255.255:6000 left from 10.254.10.252.
    func replySource(_ seen: PacketState, _ endpoint: Endpoint) -> IPAddress {
        guard case .host = endpoint else { return seen.daddr }
        let type = routing.lookup(seen.daddr)?.type ?? .unicast
        guard type == .broadcast || type == .multicast || routing.addressType(seen.daddr) == .multicast else { return seen.daddr }
        let back = routing.lookup(seen.saddr)
        return routing.sourceAddress(device: back?.device, destination: seen.saddr, route: back) ?? seen.daddr
    }

    /// The source port of docker-proxy's connection to the container for a request from `sport`:
    /// really an ephemeral port; derived from the request's so that output is stable and the lab's
    /// stand-in proxy can use the same one (then its flow is found in the kernel's trace). It is
    /// never `sport` itself: the host calling 127.0.0.1 would otherwise use one port for both legs.
    public static func proxyLegSourcePort(_ sport: UInt16) -> UInt16 {
        UInt16(proxyLegPortBase + (Int(sport) + proxyLegPortOffset) % proxyLegPortSpan)
    }
    public static let proxyLegPortBase = 30000
    public static let proxyLegPortOffset = 15000
    public static let proxyLegPortSpan = 30000

    /// Docker's default, `userland-proxy: true`, serves published ports with a docker-proxy
    /// process per binding on the host (`DockerState.userlandProxies` says which and where it
    /// connects). A packet that reaches the host (not DNATed) on such a port is received by the
    /// proxy listening on its address, which connects to the container itself.
    func userlandProxy(_ seen: PacketState, _ scenario: Scenario) -> UserlandProxy? {
        guard let proxy = snapshot.host.docker.userlandProxy(receiving: seen.daddr, port: Int(seen.dport ?? scenario.port), proto: seen.proto.rawValue),
              topology.containers[proxy.container] != nil else { return nil }
        return proxy
    }

    private func run(_ walker: inout PathWalker, from: Endpoint) -> Outcome {
        switch from {
        case .external(let addr, let interface):
            guard let iface = interface ?? arrivalInterface(for: addr) else {
                if addr.isLinkLocal {
                    return .unroutable("\(addr) is link-local and the host has \(routing.linkLocalDevices(addr).count) links it could be on: "
                                       + "the scenario must say which interface it arrives on")
                }
                return .unroutable("the host has no route back to \(addr), so hookwalk cannot tell which interface it arrives on")
            }
            return walker.fromWire(iface)
        case .container(let name):
            return walker.fromContainer(name)
        case .host:
            return walker.fromHost()
        }
    }

    /// The interface a packet from `client` arrives on: the one the host would route it back
    /// through.
    public func arrivalInterface(for client: IPAddress) -> String? {
        // A link-local address is on whichever link it is on: known only when the host has one.
        if client.isLinkLocal {
            let links = routing.linkLocalDevices(client)
            return links.count == 1 ? links[0] : nil
        }
        guard let r = routing.lookup(client), r.type == .unicast else { return nil }
        return r.device
    }

    func sourceAddress(_ s: Scenario) -> IPAddress? {
        switch s.from {
        case .external(let a, _): return a
        case .container(let n):
            return topology.containers[n]?.address(v4: s.to.isV4)
        case .host:
            let r = routing.lookup(s.to)
            if r?.type == .local { return r?.preferredSource ?? s.to }
            return routing.sourceAddress(device: r?.device, destination: s.to, route: r)
        }
    }

    /// Whether the receiver sends a reply. A packet that ends on the host although a container
    /// publishes the port it was sent to (e.g. a broadcast, docs/kernel-facts.md fact 15) reached no listener that
    /// answers; any other delivery is answered.
    func answers(_ endpoint: Endpoint, _ s: Scenario) -> Bool {
        guard case .host = endpoint else { return true }
        let publishedBy = snapshot.host.docker.containers.contains { c in
            c.running && c.ports.contains { $0.hostPort == Int(s.port) && $0.proto == s.proto.rawValue }
        }
        // With docker-proxy (userland-proxy, Docker's default) a published port that was not
        // DNATed is served by the proxy on the host, which answers.
        let proxy = snapshot.host.docker.runsUserlandProxy
        return !publishedBy || proxy
    }
}
