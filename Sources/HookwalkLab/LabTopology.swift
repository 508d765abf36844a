import Foundation
import HookwalkModel

/// The plan of a lab: which namespaces, links, addresses, routes and sysctls rebuild a snapshot's
/// host. It is computed without touching the system, so that what the lab will do can be tested
/// and printed; `LabBuilder` carries it out.
public struct LabTopology: Sendable, Hashable {
    /// An uplink of the host (an interface with an address that is neither a bridge nor a bridge
    /// port), rebuilt as a veth pair to a client namespace that plays the outside world.
    public struct Uplink: Sendable, Hashable {
        public var name: String
        public var addresses: [IPPrefix]
        public var clientNamespace: String
        /// The client's IPv4 address, on the uplink's subnet.
        public var clientAddress: IPPrefix
        /// The client's IPv6 address, on the uplink's global IPv6 subnet when it has one: the same
        /// client then plays the outside world for both families, as a dual-stack LAN neighbour.
        public var clientAddress6: IPPrefix?
        public var clientInterface: String
        /// The uplink's IPv6 link-local addresses in the snapshot (the lab's veth gets them besides
        /// the one the kernel makes up), for scenarios sent to them.
        public var linkLocal: [IPPrefix] = []
        /// A link-local address of the client, when a scenario sends from one: the lab's client
        /// binds to it (with the interface as scope id), since no kernel picks a link-local source
        /// for a global destination.
        public var clientLinkLocal: IPPrefix?

        /// The client's addresses, IPv4 first, the link-local one last.
        public var clientAddresses: [IPPrefix] { [clientAddress] + [clientAddress6, clientLinkLocal].compactMap { $0 } }
    }

    public struct Bridge: Sendable, Hashable {
        public var name: String
        public var addresses: [IPPrefix]
    }

    /// A container's attachment to a bridge: a veth whose host end is a bridge port.
    public struct Attachment: Sendable, Hashable {
        public var bridge: String
        /// The host end's name in the lab.
        public var port: String
        /// The snapshot's name of that port, when known.
        public var snapshotPort: String?
        public var interface: String
        public var address: IPPrefix
        public var address6: IPPrefix?
        public var gateway: IPAddress?
        /// The bridge's IPv6 address on the container's IPv6 subnet: Docker's snapshot files carry
        /// no per-endpoint IPv6 gateway, and Docker routes a container's IPv6 through its bridge
        /// (except on an `--internal` network, whose endpoints get no gateway).
        public var gateway6: IPAddress?
        public var mac: String?
    }

    public struct Container: Sendable, Hashable {
        public var name: String
        public var namespace: String
        public var attachments: [Attachment]
    }

    /// `hw` + 6 hex digits: every namespace of the run starts with it.
    public var prefix: String
    public var hostNamespace: String
    public var uplinks: [Uplink]
    public var bridges: [Bridge]
    public var containers: [Container]
    /// Applied in the host namespace (these are per network namespace on current kernels).
    public var sysctls: [String: String]
    /// The snapshot's main-table routes that are not made by the kernel from an address.
    public var routes: [Route]
    /// Routes of the snapshot's other tables (policy routing), on the lab's devices.
    public var tableRoutes: [Route] = []
    /// The snapshot's policy routing rules that the kernel's defaults lack, and the default rules
    /// the snapshot lacks (deleted in the lab).
    public var rules: [RoutingRule] = []
    public var removedDefaultRules: [RoutingRule] = []
    /// What the lab leaves out of the snapshot and why, one line each.
    public var notes: [String]
    /// Hairpin mode on the containers' bridge ports, as Docker sets it when `userland-proxy` is
    /// false (a container reaching its own published port gets the frame back out of its port).
    public var hairpin: Bool
    /// The stand-in docker-proxies the lab runs in the host namespace (`userland-proxy` true).
    public var proxies: [Proxy]

    /// All namespaces of the run, the host first.
    public var namespaces: [String] { [hostNamespace] + uplinks.map(\.clientNamespace) + containers.map(\.namespace) }

    /// Lab port name -> snapshot port name, for `TraceComparator`.
    public var portAliases: [String: String] {
        var m: [String: String] = [:]
        for c in containers {
            for a in c.attachments { if let s = a.snapshotPort, s != a.port { m[a.port] = s } }
        }
        return m
    }

    /// A fresh run prefix.
    public static func randomPrefix() -> String {
        "hw" + String(format: "%06x", UInt32.random(in: 0...0xFF_FFFF))
    }

    /// Plans the lab of `host`. `clientAddresses` chooses the external client's address per
    /// uplink (`ens192` -> 10.254.10.105/24); without it the client takes the uplink's default
    /// gateway when there is one, else the last address of the subnet. `clientAddresses6` does the
    /// same for IPv6 (`ens192` -> 2001:db8:1::105/64) on uplinks with a global IPv6 address, and
    /// `clientLinkLocals` gives a client a link-local address (`ens192` -> fe80::105/64).
    public init(host: HookwalkModel.HostModel, prefix: String = LabTopology.randomPrefix(), clientAddresses: [String: IPPrefix] = [:],
                clientAddresses6: [String: IPPrefix] = [:], clientLinkLocals: [String: IPPrefix] = [:]) {
        self.prefix = prefix
        hostNamespace = "\(prefix)-host"
        notes = []
        hairpin = !host.docker.runsUserlandProxy

        let dockerBridges = host.docker.networks.filter { $0.driver == "bridge" }.compactMap(\.bridge)
        let masters = Set(host.interfaces.compactMap(\.master))
        var bridgeNames: [String] = host.interfaces.filter { $0.kind == "bridge" || masters.contains($0.name) }.map(\.name)
        for b in dockerBridges where !bridgeNames.contains(b) { bridgeNames.append(b) }

        let planned: [Bridge] = bridgeNames.map { name in
            if let i = host.interface(named: name), !i.addresses.isEmpty {
                return Bridge(name: name, addresses: i.addresses.filter { $0.scope != "link" }.map(\.prefix))
            }
            // A Docker network whose bridge the snapshot does not list: its gateway on its subnet.
            let net = host.docker.networks.first { $0.bridge == name }
            var addrs: [IPPrefix] = []
            for (gw, sub) in zip(net?.gateways ?? [], net?.subnets ?? []) { addrs.append(IPPrefix(gw, sub.length)) }
            return Bridge(name: name, addresses: addrs)
        }
        bridges = planned

        var ups: [Uplink] = []
        for i in host.interfaces where !i.isLoopback && !bridgeNames.contains(i.name) && i.master == nil {
            let addrs = i.addresses.filter { $0.scope != "link" && $0.scope != "host" }.map(\.prefix)
            guard let v4 = addrs.first(where: { $0.address.isV4 }) else {
                if !addrs.isEmpty { notes.append("\(i.name): IPv6-only uplink left out") }
                continue
            }
            let client = clientAddresses[i.name] ?? LabTopology.defaultClient(for: v4, device: i.name, host: host)
            let client6 = addrs.first { !$0.address.isV4 }.map { clientAddresses6[i.name] ?? LabTopology.defaultClient6(for: $0, device: i.name, host: host) }
            ups.append(Uplink(name: i.name, addresses: addrs, clientNamespace: "\(prefix)-ext\(ups.count)",
                              clientAddress: client, clientAddress6: client6, clientInterface: "eth0",
                              linkLocal: i.addresses.filter { $0.scope == "link" && $0.address.isLinkLocal }.map(\.prefix),
                              clientLinkLocal: clientLinkLocals[i.name]))
        }
        uplinks = ups

        // Containers: one namespace each, a veth port per network it is attached to.
        var usedPorts = Set(host.interfaces.map(\.name))
        var containers: [Container] = []
        var generated = 0
        for c in host.docker.containers where c.running {
            if c.usesHostNetwork || c.networkMode == "none" || c.networkMode.hasPrefix("container:") {
                notes.append("container \(c.name): network mode \(c.networkMode) has no namespace of its own in the lab")
                continue
            }
            var atts: [Attachment] = []
            for ep in c.endpoints {
                guard let v4 = ep.ipv4 else { continue }
                guard let net = host.docker.networks.first(where: { $0.name == ep.network }), let br = net.bridge else {
                    notes.append("container \(c.name): network \(ep.network) has no bridge in the snapshot")
                    continue
                }
                let len = ep.ipv4PrefixLength ?? net.subnets.first(where: { $0.contains(v4) })?.length ?? 24
                let snapPort = host.bridgePort(of: c, network: ep.network, bridge: br)
                var port: String
                if let s = snapPort, s.utf8.count <= 15 {
                    port = s
                } else {
                    repeat { generated += 1; port = "hwp\(generated)" } while usedPorts.contains(port)
                }
                usedPorts.insert(port)
                let v6 = ep.ipv6.map { IPPrefix($0, net.subnets.first(where: { $0.contains(ep.ipv6!) })?.length ?? 64) }
                let bridgeAddresses = planned.first { $0.name == br }?.addresses ?? []
                let gw6 = !net.givesEndpointsAGateway ? nil : v6.flatMap { v6 in bridgeAddresses.first { !$0.address.isV4 && $0.contains(v6.address) }?.address }
                atts.append(Attachment(bridge: br, port: port, snapshotPort: snapPort, interface: "eth\(atts.count)",
                                       address: IPPrefix(v4, len), address6: v6, gateway: ep.gateway, gateway6: gw6, mac: ep.mac))
            }
            guard !atts.isEmpty else { continue }
            let safe = String(c.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(24))
            containers.append(Container(name: c.name, namespace: "\(prefix)-c\(containers.count)-\(safe)", attachments: atts))
        }
        self.containers = containers
        proxies = LabTopology.proxies(host: host, containers: containers)

        var sys: [String: String] = [:]
        for key in ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.bridge.bridge-nf-call-iptables",
                    "net.bridge.bridge-nf-call-ip6tables", "net.ipv4.conf.all.route_localnet"] {
            sys[key] = String(host.sysctl(key))
        }
        for key in ["net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter"] { sys[key] = host.sysctls[key] ?? "0" }
        // route_localnet per device: Docker sets it on its bridges (hairpin to a loopback binding).
        let devices = Set(uplinks.map(\.name) + bridges.map(\.name))
        for (key, value) in host.sysctls where key.hasPrefix("net.ipv4.conf.") && key.hasSuffix(".route_localnet") {
            let device = String(key.dropFirst("net.ipv4.conf.".count).dropLast(".route_localnet".count))
            if devices.contains(device) { sys[key] = value }
        }
        sysctls = sys

        let labDevices = Set(uplinks.map(\.name) + bridges.map(\.name))
        let connected = Set((uplinks.flatMap { u in u.addresses.map { "\(u.name) \($0.network)/\($0.length)" } })
                            + bridges.flatMap { b in b.addresses.map { "\(b.name) \($0.network)/\($0.length)" } })
        routes = host.routes.filter { r in
            guard r.table == "main", r.type == .unicast, let dev = r.device, labDevices.contains(dev) else { return false }
            if r.gateway == nil && connected.contains("\(dev) \(r.destination.network)/\(r.destination.length)") { return false }
            return true
        }
        tableRoutes = host.routes.filter { r in
            guard r.table != "main", r.table != "local" else { return false }
            guard [.unicast, .unreachable, .prohibit, .blackhole, .throw].contains(r.type) else { return false }
            return r.device.map(labDevices.contains) ?? (r.type != .unicast)
        }
        for v4 in [true, false] {
            let own = host.rules.filter { $0.v4 == v4 }
            guard !own.isEmpty else { continue }
            let defaults = RoutingRule.defaults(v4: v4)
            rules += own.filter { !defaults.contains($0) && $0.notModelled.isEmpty }
            for r in own where !r.notModelled.isEmpty { notes.append("routing rule `\(r.text)` left out: hookwalk does not model its selectors") }
            removedDefaultRules += defaults.filter { !own.contains($0) }
        }
    }

    static func defaultClient(for uplink: IPPrefix, device: String, host: HookwalkModel.HostModel) -> IPPrefix {
        if let gw = host.routes.first(where: { $0.table == "main" && $0.destination.length == 0 && $0.device == device })?.gateway,
           uplink.contains(gw) {
            return IPPrefix(gw, uplink.length)
        }
        guard case .v4(let a) = uplink.address else { return uplink }
        let hostBits = UInt32(32 - uplink.length)
        let last = hostBits >= 32 ? a : (a | ((UInt32(1) << hostBits) - 1)) - 1
        let taken = Set(host.localAddresses.map(\.address.address))
        var candidate = last
        while taken.contains(.v4(candidate)) && candidate > 0 { candidate -= 1 }
        return IPPrefix(.v4(candidate), uplink.length)
    }

    /// The IPv6 client: the uplink's IPv6 default gateway when it is on the subnet, else the
    /// lowest address of the subnet above `::1` that the host does not hold.
    static func defaultClient6(for uplink: IPPrefix, device: String, host: HookwalkModel.HostModel) -> IPPrefix {
        if let gw = host.routes.first(where: { $0.table == "main" && $0.destination.length == 0 && $0.device == device
                                                 && !$0.destination.address.isV4 })?.gateway, uplink.contains(gw) {
            return IPPrefix(gw, uplink.length)
        }
        guard case .v6(let hi, let lo) = uplink.network, uplink.length <= 120 else { return uplink }
        let taken = Set(host.localAddresses.map(\.address.address))
        var n: UInt64 = 2
        while taken.contains(.v6(hi, lo | n)) { n += 1 }
        return IPPrefix(.v6(hi, lo | n), uplink.length)
    }

    // MARK: Who is where

    /// The namespace and addresses of a party of a scenario.
    public func namespace(of party: LabParty) -> String? {
        switch party {
        case .host: return hostNamespace
        case .external(let uplink): return (uplink.flatMap { u in uplinks.first { $0.name == u } } ?? uplinks.first)?.clientNamespace
        case .container(let name): return containers.first { $0.name == name }?.namespace
        }
    }

    public func addresses(of party: LabParty) -> [IPAddress] {
        switch party {
        case .host: return hostAddresses
        case .external(let uplink):
            return (uplink.flatMap { u in uplinks.first { $0.name == u } } ?? uplinks.first)?.clientAddresses.map(\.address) ?? []
        case .container(let name):
            return containers.first { $0.name == name }?.attachments.flatMap { [$0.address.address] + [$0.address6?.address].compactMap { $0 } } ?? []
        }
    }

    /// The host namespace's addresses (masquerade sources, published addresses).
    public var hostAddresses: [IPAddress] {
        uplinks.flatMap { $0.addresses.map(\.address) } + bridges.flatMap { $0.addresses.map(\.address) }
            + uplinks.flatMap { $0.linkLocal.map(\.address) }
    }
}
