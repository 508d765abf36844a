import HookwalkModel

/// Walks one packet through the host: which hooks it meets in which order, depending on where it
/// comes from (the wire, a container behind a bridge, a local process) and where routing sends it.
/// Chains and the kernel's hook functions are run by `HookRunner`; NAT by `NatHook`.
struct PathWalker {
    let ruleset: CompiledRuleset
    let routing: Routing
    let topology: Topology
    var packet: Packet
    var events: [TraceEvent] = []
    var connection: Connection?
    /// The dynamic sets' elements: what the request added, the reply sees.
    var sets = DynamicSets()
    var isReply: Bool
    var ct: CtAttachment = .none
    var untrackedRequested = false
    /// Whether the trace already says what the `(legacy)` tables are.
    var legacyNoted = false
    /// The "conntrack is off for this family" note is given once per packet, not at every hook.
    var conntrackOffNoted = false
    var currentIif: String?
    var currentOif: String?
    var currentBridge: String?
    /// Set when br_netfilter already ran the IP prerouting hook for this frame.
    var brnfPreroutingDone = false
    /// The container that sent the frame, when one did (for the bridge's hairpin rule).
    var sender: String?
    /// The link of a link-local destination for a packet the host sends: the socket's scope id,
    /// or for an answer the interface its request came in on (the kernel answers there).
    var linkDevice: String?
    /// The `reject` that ended the packet, with the packet as that chain saw it: the kernel's
    /// answer is built from it.
    var rejection: Rejection?
    /// A `type route` output chain changed the mark or an address: the kernel routes the packet
    /// again (ip_route_me_harder).
    var rerouteRequested = false
    /// The `mod` of each branch point (`numgen ... mod N`) the walk evaluated.
    var branchModuli: [UInt64] = []
    let options: Simulator.Options

    init(ruleset: CompiledRuleset, routing: Routing, topology: Topology, packet: Packet, connection: Connection?, isReply: Bool,
         options: Simulator.Options) {
        self.options = options
        self.ruleset = ruleset
        self.routing = routing
        self.topology = topology
        self.packet = packet
        self.connection = connection
        self.isReply = isReply
    }

    mutating func emit(_ kind: TraceEventKind) {
        events.append(TraceEvent(kind, traced: packet.nftrace))
    }

    // MARK: - Entry points

    /// A packet arriving from the wire on `interface` (an uplink).
    mutating func fromWire(_ interface: String) -> Outcome {
        if topology.hasIngressChains {
            emit(.notModelled(chain: nil, handle: nil, text: .ingressChains,
                              assumption: "the ingress hook is not simulated; assumed the packet passes it"))
        }
        if case .stop(let o) = ipHook(.prerouting, iif: interface, oif: nil) { return o }
        return afterPrerouting(iif: interface)
    }

    /// A broadcast sent by the host. Seen in the lab: it runs output with the route's device as
    /// oif (not lo); then the kernel clones it (`ip_mc_output`): the copy runs postrouting and comes
    /// back in through prerouting and input with that device as iif, the original runs postrouting
    /// and leaves. One path cannot hold both copies, so the trace stops after output and says so.
    /// The limited broadcast leaves by the default route's device; without one the kernel refuses
    /// the send (ENETUNREACH).
    mutating func broadcastFromHost(_ route: Route) -> Outcome {
        guard let dev = route.device else { return .unroutable("no device to send the broadcast \(packet.daddr) from") }
        emit(.route(RouteDecision(kind: .output, oif: dev, gateway: nil, route: Routing.describe(route))))
        if case .stop(let o) = ipHook(.output, iif: nil, oif: dev) { return o }
        return .notModelled("a broadcast sent by the host leaves \(dev) and a copy of it comes back in through prerouting and input "
                            + "with iif \(dev); hookwalk does not follow the two copies")
    }

    /// The routing decision for `packet` (policy rules, then the table), with the trace's notes
    /// on rules passed over; nil with the reason when there is no usable route.
    mutating func route(source: IPAddress?, iif: String?) -> (route: Route?, choice: Routing.Choice) {
        let choice = routing.choose(packet.daddr, device: iif == "lo" ? linkDevice : iif, source: source, iif: iif,
                                    oif: iif == "lo" ? linkDevice : nil, mark: packet.mark)
        for r in choice.skipped {
            emit(.notModelled(chain: nil, handle: nil, text: .routingRule(r.text),
                              assumption: "its selectors are not evaluated: assumed it does not match, the lookup went on with the next rule"))
        }
        return (choice.route, choice)
    }

    /// The rule to name in a route decision: only when the host has rules of its own.
    func ruleText(_ c: Routing.Choice) -> String? { routing.hasPolicyRules ? c.rule?.text : nil }

    /// Why a lookup found nothing.
    mutating func noRoute(_ c: Routing.Choice, _ what: String) -> Outcome {
        if let how = c.failure, let r = c.rule {
            emit(.route(RouteDecision(kind: .unreachable, rule: r.text)))
            return .unroutable("the routing rule `\(r.text)` fails the lookup (\(how)) \(what)")
        }
        return .unroutable("no route to \(packet.daddr)\(what.isEmpty ? "" : " " + what)")
    }

    /// A packet sent by a local process.
    mutating func fromHost() -> Outcome {
        if packet.daddr.isLinkLocal, linkDevice == nil {
            return .unroutable("\(packet.daddr) is link-local and the sender names no interface (scope id): the kernel refuses the send (Invalid argument)")
        }
        // An unbound socket routes with source 0 and input device lo (ip_route_output_key).
        let (found, choice) = route(source: nil, iif: "lo")
        guard let route = found else { return noRoute(choice, "") }
        if route.type == .broadcast { return broadcastFromHost(route) }
        let local = route.type == .local
        let oif = local ? "lo" : (route.device ?? "")
        emit(.route(RouteDecision(kind: .output, oif: oif, gateway: route.gateway, route: Routing.describe(route), rule: ruleText(choice))))
        let daddrBefore = packet.daddr
        if case .stop(let o) = ipHook(.output, iif: nil, oif: oif) { return o }
        // The NAT hook may have changed the destination, or a route chain the mark or an address:
        // the kernel routes the packet again, with its source and mark (ip_route_me_harder).
        var outRoute = route
        var outIf = oif
        if packet.daddr != daddrBefore || rerouteRequested {
            let (again, choice2) = self.route(source: packet.saddr, iif: "lo")
            guard let r = again else { return noRoute(choice2, packet.daddr != daddrBefore ? "after NAT" : "after the output chains") }
            outRoute = r
            outIf = r.type == .local ? "lo" : (r.device ?? "")
            emit(.route(RouteDecision(kind: .output, oif: outIf, gateway: r.gateway, route: Routing.describe(r), rule: ruleText(choice2))))
            if packet.saddr.isLoopback, outIf != "lo", topology.routeLocalnet(outIf) == 0 {
                return .unroutable("the source \(packet.saddr) is a loopback address and \(outIf) has route_localnet=0: the kernel refuses to route it")
            }
        }
        if outIf == "lo" {
            if case .stop(let o) = ipHook(.postrouting, iif: nil, oif: "lo") { return o }
            emit(.note(.loopback))
            if case .stop(let o) = ipHook(.prerouting, iif: "lo", oif: nil) { return o }
            return localInput(iif: "lo")
        }
        return postroutingAndOut(iif: nil, oif: outIf, route: outRoute)
    }

    /// A frame sent by a container into its bridge.
    mutating func fromContainer(_ name: String) -> Outcome {
        guard let c = topology.containers[name] else { return .notModelled("no container named \(name) with an address on a bridge") }
        sender = name
        let onLink = c.subnet(v4: packet.v4).map { $0.contains(packet.daddr) } ?? false
        guard let nextHop = onLink ? packet.daddr : c.gateway(v4: packet.v4) else {
            // Docker sets no gateway on an endpoint of an `--internal` network: the container's only
            // route is its subnet, and the send fails in the container (ENETUNREACH).
            return .unroutable("\(name) has no route to \(packet.daddr): its endpoint has no gateway (as on an --internal network), "
                               + "so its only route is its own subnet and nothing is sent")
        }
        if topology.bridgeAddresses[c.bridge]?.contains(nextHop) == true {
            return bridgePath(inPort: c.port, bridge: c.bridge, toHost: true)
        }
        if let peer = topology.container(at: nextHop, bridge: c.bridge) {
            emit(.note(.sameSubnet(daddr: packet.daddr, peer: peer.name)))
            return bridgePath(inPort: c.port, bridge: c.bridge, toHost: false)
        }
        return .unroutable("no neighbour \(nextHop) on \(c.bridge): the container's ARP request is not answered")
    }

    // MARK: - Paths

    /// A frame entering `bridge` on `inPort`, addressed to the bridge itself (`toHost`) or to
    /// another port.
    mutating func bridgePath(inPort: String, bridge: String, toHost: Bool) -> Outcome {
        let brnf = topology.brNetfilter(v4: packet.v4)
        if !brnf {
            emit(.note(.bridgeWithoutIPHooks(v4: packet.v4)))
        }
        currentBridge = bridge
        let daddrBefore = packet.daddr
        if case .stop(let o) = bridgeHook(.prerouting, inPort: inPort, outPort: nil, bridge: bridge, brnf: brnf) { return o }
        var bridged = !toHost
        if brnf, toHost, packet.daddr != daddrBefore, let r = routing.lookup(packet.daddr), r.type == .unicast, r.device == bridge {
            emit(.note(.hairpin(daddr: packet.daddr, bridge: bridge)))
            bridged = true
        }
        if bridged {
            guard let peer = topology.container(at: packet.daddr, bridge: bridge) else {
                return .unroutable("no container has \(packet.daddr) on \(bridge)")
            }
            if peer.name == sender, !topology.hairpin {
                return .unroutable("the frame's destination \(packet.daddr) is behind the port it came in on (\(inPort)), and the bridge "
                                  + "sends a frame back out of its own port only in hairpin mode, which Docker sets only with userland-proxy false")
            }
            if case .stop(let o) = bridgeHook(.forward, inPort: inPort, outPort: peer.port, bridge: bridge, brnf: brnf) { return o }
            if case .stop(let o) = bridgeHook(.postrouting, inPort: nil, outPort: peer.port, bridge: bridge, brnf: brnf) { return o }
            return .delivered(endpoint: .container(peer.name), state: packet.state(iif: nil, oif: peer.port))
        }
        if case .stop(let o) = bridgeHook(.input, inPort: inPort, outPort: nil, bridge: bridge, brnf: false) { return o }
        if !brnfPreroutingDone {
            if case .stop(let o) = ipHook(.prerouting, iif: bridge, oif: nil) { return o }
        } else {
            emit(.note(.preroutingAlreadyRun))
        }
        return afterPrerouting(iif: bridge)
    }

    /// The routing decision after prerouting (docs/kernel-facts.md, fact 13).
    mutating func afterPrerouting(iif: String) -> Outcome {
        // ip_route_input_slow: a loopback destination (or source) on any device but lo is a
        // martian unless the device has route_localnet=1; the kernel drops it before the routing
        // decision (checked in a scratch namespace, HostileLabTests).
        if packet.v4, iif != "lo", topology.routeLocalnet(iif) == 0 {
            if packet.daddr.isLoopback {
                emit(.route(RouteDecision(kind: .unreachable, oif: nil, route: "martian destination")))
                return .unroutable("martian destination \(packet.daddr) arriving on \(iif): a loopback address is routed only with route_localnet=1, "
                                   + "so the kernel drops the packet")
            }
            if packet.saddr.isLoopback {
                emit(.route(RouteDecision(kind: .unreachable, oif: nil, route: "martian source")))
                return .unroutable("martian source \(packet.saddr) arriving on \(iif): a loopback address is accepted only with route_localnet=1, "
                                   + "so the kernel drops the packet")
            }
        }
        // A link-local destination is looked up on the link the packet came in on only.
        let (found, choice) = self.route(source: packet.saddr, iif: iif)
        guard let route = found else { return noRoute(choice, "on \(iif)") }
        let rule = ruleText(choice)
        switch route.type {
        case .local, .broadcast, .multicast:
            emit(.route(RouteDecision(kind: .input, oif: nil, route: Routing.describe(route), rule: rule)))
            return localInput(iif: iif)
        case .unicast:
            let oif = route.device ?? ""
            if !topology.forwarding(v4: packet.v4) {
                emit(.route(RouteDecision(kind: .unreachable, oif: oif, route: Routing.describe(route), rule: rule)))
                return .unroutable("forwarding is off (\(packet.v4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding")=0): the packet is not routed to \(oif)")
            }
            emit(.route(RouteDecision(kind: .forward, oif: oif, gateway: route.gateway, route: Routing.describe(route), rule: rule)))
            if case .stop(let o) = ipHook(.forward, iif: iif, oif: oif) { return o }
            return postroutingAndOut(iif: iif, oif: oif, route: route)
        default:
            emit(.route(RouteDecision(kind: .unreachable, route: Routing.describe(route), rule: rule)))
            return .unroutable("the route to \(packet.daddr) is of type \(route.type)")
        }
    }

    mutating func localInput(iif: String) -> Outcome {
        if case .stop(let o) = ipHook(.input, iif: iif, oif: nil) { return o }
        return .delivered(endpoint: .host, state: packet.state(iif: iif, oif: nil))
    }

    /// Postrouting, then out of an uplink or into a bridge (docs/kernel-facts.md, fact 18).
    mutating func postroutingAndOut(iif: String?, oif: String, route: Route) -> Outcome {
        if case .stop(let o) = ipHook(.postrouting, iif: iif, oif: oif) { return o }
        if topology.bridges.contains(oif) {
            let nextHop = route.gateway ?? packet.daddr
            guard let peer = topology.container(at: nextHop, bridge: oif) else {
                return .unroutable("no container has \(nextHop) on \(oif): the host's ARP request is not answered")
            }
            currentBridge = oif
            if case .stop(let o) = bridgeHook(.output, inPort: nil, outPort: peer.port, bridge: oif, brnf: false) { return o }
            if case .stop(let o) = bridgeHook(.postrouting, inPort: nil, outPort: peer.port, bridge: oif, brnf: false) { return o }
            return .delivered(endpoint: .container(peer.name), state: packet.state(iif: nil, oif: peer.port))
        }
        return .delivered(endpoint: .external(address: packet.daddr, interface: oif), state: packet.state(iif: nil, oif: oif))
    }
}

extension IPAddress {
    var isLoopback: Bool {
        switch self {
        case .v4(let v): return v >> 24 == 127
        case .v6(let hi, let lo): return hi == 0 && lo == 1
        }
    }
}
