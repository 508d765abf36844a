import HookwalkModel
import HookwalkSimulator

/// What `hookwalk verify` plays for a snapshot, computed without touching the system: the lab's
/// topology, and per scenario the simulator's form and the lab's form of the same exchange.
///
/// The scenarios are the documentation's (`ScenarioCatalog`, with the lab's external client) plus
/// a port nobody publishes, on the host's uplink address and on a container's address: the
/// catalog documents what is open, and a model must be right about what is closed too.
public struct VerifyPlan: Sendable {
    public struct Item: Sendable, Hashable {
        public var kind: String
        public var scenario: Scenario
        public var lab: LabScenario
    }

    public var topology: LabTopology
    public var items: [Item]

    /// Every port the scenarios use on either side, for the trace tables.
    public var tracePorts: Set<UInt16> { Set(items.flatMap { [$0.lab.clientPort, $0.lab.port, $0.lab.serverPort] }) }

    /// `client` and `client6` choose the external client's IPv4 and IPv6 addresses (an IPv6
    /// `client` counts as `client6`); each must be on the subnet of one of the host's uplinks.
    public init(snapshot: Snapshot, client: IPAddress? = nil, client6: IPAddress? = nil, kinds: Set<String>? = nil,
                extra: [Scenario] = [], prefix: String = LabTopology.randomPrefix()) throws {
        let host = snapshot.host
        var clientAddresses: [String: IPPrefix] = [:]
        var clientAddresses6: [String: IPPrefix] = [:]
        let given4 = [client, client6].compactMap { $0 }.first(where: \.isV4)
        let given6 = [client6, client].compactMap { $0 }.first { !$0.isV4 }
        for (wanted, given) in [(given4 ?? ScenarioCatalog.defaultClients(for: snapshot).first, given4 != nil), (given6, given6 != nil)] {
            guard let wanted else { continue }
            if let (iface, length) = Self.uplink(containing: wanted, host: host) {
                if wanted.isV4 { clientAddresses[iface] = IPPrefix(wanted, length) } else { clientAddresses6[iface] = IPPrefix(wanted, length) }
            } else if given {
                throw HookwalkError("--client \(wanted): the lab plays an external client on the subnet of one of the host's uplinks "
                                    + "(\(Self.uplinkSubnets(host))), and \(wanted) is on none")
            }
        }
        // An extra scenario from a link-local address is sent from it: the client of the uplink
        // it names (else of the first uplink with a link-local address) gets it, one per uplink.
        var linkLocals: [String: IPPrefix] = [:]
        for s in extra {
            guard case .external(let a, let iface) = s.from, a.isLinkLocal else { continue }
            guard let up = iface ?? Self.linkLocalUplink(host) else {
                throw HookwalkError("extra scenario from \(a): the lab plays a link-local client on an uplink with a link-local address, "
                                    + "and the snapshot's uplinks have none")
            }
            if let other = linkLocals[up], other.address != a {
                throw HookwalkError("extra scenario from \(a): the lab's client on \(up) is already \(other.address) (one link-local client per uplink)")
            }
            linkLocals[up] = IPPrefix(a, 64)
        }
        topology = LabTopology(host: host, prefix: prefix, clientAddresses: clientAddresses, clientAddresses6: clientAddresses6,
                               clientLinkLocals: linkLocals)
        for (up, a) in linkLocals.sorted(by: { $0.key < $1.key }) where !topology.uplinks.contains(where: { $0.name == up }) {
            throw HookwalkError("extra scenario from \(a.address) on \(up): the lab plays external clients on the host's uplinks only "
                                + "(\(topology.uplinks.map(\.name).joined(separator: ", ")))")
        }
        guard let client4 = topology.uplinks.first?.clientAddress.address else {
            throw HookwalkError("the snapshot's host has no IPv4 uplink, so the lab has no external client to play")
        }
        // IPv4 first: the catalog's per-network scenarios (hairpin, egress...) take the first.
        let clients = [client4] + topology.uplinks.compactMap { $0.clientAddress6?.address }

        var items: [Item] = []
        let topo = topology
        func item(_ kind: String, _ name: String, _ s: Scenario) -> Item {
            var lab = LabScenario(name: name, s, topology: topo, host: host)
            if case .external(let addr, _) = s.from, let u = topo.uplinks.first(where: { $0.clientAddresses.contains { $0.address == addr } }) {
                lab.client = .external(uplink: u.name)
                if addr.isLinkLocal { lab.source = addr }
            }
            return Item(kind: kind, scenario: s, lab: lab)
        }
        for d in ScenarioCatalog.scenarios(for: snapshot, clients: clients) {
            items.append(item(d.kind.rawValue, d.id, d.scenario))
        }

        // The unpublished port: tcp, on a port no container publishes or listens on.
        let used = Set(host.docker.containers.flatMap { $0.ports.flatMap { [$0.hostPort, $0.containerPort] } })
            .union(items.flatMap { [Int($0.lab.port), Int($0.lab.serverPort)] })
        let closed = UInt16((5999...65000).first { !used.contains($0) } ?? 5999)
        var sport = items.map(\.scenario.sport).max() ?? 41000
        func nextPort() -> UInt16 { sport += 1; return sport }
        let external = Endpoint.external(address: clients[0], interface: nil)
        for client in clients {
            let from = Endpoint.external(address: client, interface: nil)
            let v4 = client.isV4
            if let hostAddr = topology.uplinks.first?.addresses.first(where: { $0.address.isV4 == v4 })?.address {
                items.append(item("unpublished-port", "unpublished-tcp-\(closed)-on-\(Self.tag(hostAddr))-from-\(Self.tag(client))",
                                  Scenario(from: from, to: hostAddr, port: closed, proto: .tcp, sport: nextPort())))
            }
            if let (c, addr) = Self.containerAddress(topology, v4: v4) {
                items.append(item("unpublished-port", "unpublished-tcp-\(closed)-on-\(c)-\(Self.tag(addr))-from-\(Self.tag(client))",
                                  Scenario(from: from, to: addr, port: closed, proto: .tcp, sport: nextPort())))
            }
        }
        for s in extra {
            var e = s
            e.sport = nextPort()
            // An external sender is the lab's client: it is the only outside address the lab has
            // (the one of the destination's family: the lab sends from it whatever this says).
            if case .external(let a, _) = e.from, a.isLinkLocal, let u = topology.uplinks.first(where: { $0.clientLinkLocal?.address == a }) {
                // The simulator must know the link: a link-local address does not say it.
                e.from = .external(address: a, interface: u.name)
            } else if case .external(let a, _) = e.from, !clients.contains(a) {
                e.from = clients.first { $0.isV4 == e.to.isV4 }.map { Endpoint.external(address: $0, interface: nil) } ?? external
            }
            items.append(item("extra", "extra-\(Self.label(e.from))-to-\(e.to)-\(e.proto.rawValue)-\(e.port)", e))
        }
        self.items = kinds.map { k in items.filter { k.contains($0.kind) } } ?? items
    }

    /// The first container with an address of the family, in the lab's order.
    static func containerAddress(_ topology: LabTopology, v4: Bool) -> (String, IPAddress)? {
        for c in topology.containers {
            for a in c.attachments {
                if v4 { return (c.name, a.address.address) }
                if let a6 = a.address6 { return (c.name, a6.address) }
            }
        }
        return nil
    }

    /// An address in a scenario name, which is also a file name (`--save`): IPv6 colons become
    /// underscores, as in the catalog's ids (`2001_db8_1__105`).
    static func tag(_ a: IPAddress) -> String { a.description.replacingOccurrences(of: ":", with: "_") }

    static func label(_ e: Endpoint) -> String {
        switch e {
        case .external(let a, _): return a.description
        case .container(let n): return n
        case .host: return "host"
        }
    }

    /// The uplink (not a bridge, not a bridge port) whose subnet of the address's family holds `address`.
    static func uplink(containing address: IPAddress, host: HookwalkModel.HostModel) -> (String, Int)? {
        let bridges = Set(host.interfaces.compactMap(\.master))
        for i in host.interfaces where !i.isLoopback && i.master == nil && i.kind != "bridge" && !bridges.contains(i.name) {
            if let a = i.addresses.first(where: { $0.address.isV4 == address.isV4 && $0.scope != "link" && $0.prefix.length < (address.isV4 ? 32 : 128)
                                                    && $0.prefix.contains(address) && $0.address != address }) {
                return (i.name, a.prefix.length)
            }
        }
        return nil
    }

    /// The first uplink with an IPv6 link-local address.
    static func linkLocalUplink(_ host: HookwalkModel.HostModel) -> String? {
        let bridges = Set(host.interfaces.compactMap(\.master))
        return host.interfaces.first { i in
            !i.isLoopback && i.master == nil && i.kind != "bridge" && !bridges.contains(i.name) && i.addresses.contains { $0.address.isLinkLocal }
        }?.name
    }

    static func uplinkSubnets(_ host: HookwalkModel.HostModel) -> String {
        let bridges = Set(host.interfaces.compactMap(\.master))
        let subnets = host.interfaces.filter { !$0.isLoopback && $0.master == nil && $0.kind != "bridge" && !bridges.contains($0.name) }
            .flatMap { i in i.addresses.filter { $0.scope != "link" }.map { "\(i.name) \(IPPrefix($0.prefix.network, $0.prefix.length))" } }
        return subnets.isEmpty ? "none" : subnets.joined(separator: ", ")
    }
}

/// The simulated side of `EndpointObservation`: the lab's server gets the request when the
/// simulated request is delivered to the namespace and port it listens on; the client gets the
/// reply when the simulated reply comes back to the client's namespace and port. For TCP both
/// follow what sockets report: an accepted connection, a completed handshake.
enum SimulatedObservation {
    static func of(_ trace: Trace, lab: LabScenario, topology: LabTopology) -> EndpointObservation {
        func party(_ e: Endpoint) -> LabParty {
            switch e {
            case .external(_, let iface): return .external(uplink: iface)
            case .container(let n): return .container(n)
            case .host: return .host
            }
        }
        func same(_ e: Endpoint, _ p: LabParty) -> Bool {
            guard let a = topology.namespace(of: party(e)) else { return false }
            return a == topology.namespace(of: p)
        }
        var o = EndpointObservation(serverGotRequest: false, clientGotReply: false)
        if case .delivered(let e, let state) = trace.request.outcome, same(e, lab.server), state.dport == lab.serverPort {
            o.serverGotRequest = true
            o.serverSawFrom = state.saddr.description
        }
        // Received by docker-proxy: the server sees the proxy's connection, and the proxy answers
        // the client only with what the server answered it.
        var proxyRelayed = true
        if let leg = trace.proxyLeg.first, case .delivered(.host, _) = trace.request.outcome {
            if case .delivered(let e, let state) = leg.request.outcome, same(e, lab.server), state.dport == lab.serverPort {
                o.serverGotRequest = true
                o.serverSawFrom = state.saddr.description
            }
            if case .delivered(.host, _)? = leg.reply?.outcome {} else { proxyRelayed = false }
            if !o.serverGotRequest { proxyRelayed = false }
        }
        if o.serverGotRequest, proxyRelayed, let reply = trace.reply, case .delivered(let e, let state) = reply.outcome, same(e, lab.client),
           state.dport == lab.clientPort {
            o.clientGotReply = true
            let a = state.saddr.isV4 ? state.saddr.description : "[\(state.saddr)]"
            o.clientSawFrom = state.sport.map { "\(a):\($0)" } ?? a
            // A SYN-ACK from another address or port than the client connected to belongs to no
            // socket of the client, which answers with a reset.
            if lab.proto == .tcp, state.saddr != lab.destination || state.sport != lab.port {
                o.clientGotReply = false
                o.clientSawFrom = nil
            }
        }
        // reject's answer back at the client: its socket call fails at once. A reset counts only when
        // it carries the addresses and ports the client connected to (conntrack undid the dnat).
        if let answer = trace.answer, case .delivered(let e, let state) = answer.trace.outcome, same(e, lab.client) {
            if answer.kind == .tcpReset {
                if state.saddr == lab.destination, state.sport == lab.port, state.dport == lab.clientPort { o.clientRefused = answer.kind.description }
            } else {
                o.clientRefused = answer.kind.description
                o.clientRefusedFrom = state.saddr.description
            }
        }
        // TCP: the lab's server reports accepted connections only, and a connection is accepted
        // only when the client got its SYN-ACK (the simulation follows the SYN and SYN-ACK).
        if lab.proto == .tcp, !o.clientGotReply {
            o.serverGotRequest = false
            o.serverSawFrom = nil
        }
        return o
    }
}
