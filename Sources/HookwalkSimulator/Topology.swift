import HookwalkModel

/// The host's layer-2 picture the paths need: which interfaces are bridges, which container sits
/// behind which bridge port, and the sysctls that switch paths (ip_forward, br_netfilter,
/// route_localnet).
struct Topology: Sendable {
    struct ContainerPort: Sendable {
        var name: String
        var bridge: String
        /// The bridge port (host end of the container's veth): `HostModel.bridgePort`, else `?`.
        var port: String
        /// The IPv4 address, else the IPv6 one.
        var address: IPAddress
        var subnet: IPPrefix?
        var gateway: IPAddress?
        /// The IPv6 side, when the network has IPv6.
        var address6: IPAddress?
        var subnet6: IPPrefix?
        var gateway6: IPAddress?

        func address(v4: Bool) -> IPAddress? { v4 ? (address.isV4 ? address : nil) : address6 }
        func subnet(v4: Bool) -> IPPrefix? { v4 ? (address.isV4 ? subnet : nil) : subnet6 }
        func gateway(v4: Bool) -> IPAddress? { v4 ? (address.isV4 ? gateway : nil) : gateway6 }
    }

    var bridges: Set<String> = []
    var bridgeAddresses: [String: Set<IPAddress>] = [:]
    var containers: [String: ContainerPort] = [:]
    var byAddress: [String: [IPAddress: String]] = [:]
    var sysctls: HostModel
    var hasIngressChains: Bool
    /// Hairpin mode of the containers' bridge ports: Docker turns it on only with
    /// `userland-proxy: false`. Without it the bridge never sends a frame back out of the port
    /// it came in on.
    var hairpin: Bool

    /// The host's bridges: masters of other interfaces, interfaces of kind bridge, and the
    /// bridges of Docker networks that exist on the host. Cheap, unlike the whole topology
    /// (which finds every container's bridge port).
    static func bridges(of host: HostModel) -> Set<String> {
        var bridges = Set(host.interfaces.compactMap(\.master))
        for i in host.interfaces where i.kind == "bridge" { bridges.insert(i.name) }
        let names = Set(host.interfaces.map(\.name))
        for n in host.docker.networks {
            if let b = n.bridge, names.contains(b) { bridges.insert(b) }
        }
        return bridges
    }

    init(host: HostModel, ruleset: Ruleset) {
        sysctls = host
        hairpin = !host.docker.runsUserlandProxy
        let bridges = Self.bridges(of: host)
        let names = Set(host.interfaces.map(\.name))
        var networkBridge: [String: String] = [:]
        var networks: [String: DockerNetwork] = [:]
        for n in host.docker.networks {
            if let b = n.bridge, names.contains(b) { networkBridge[n.name] = b }
            networks[n.name] = n
        }
        self.bridges = bridges
        for b in bridges {
            bridgeAddresses[b] = Set(host.interface(named: b)?.addresses.map(\.address) ?? [])
        }
        let bridgePorts = host.bridgePorts
        for c in host.docker.containers where c.running {
            for e in c.endpoints {
                guard let addr = e.ipv4 ?? e.ipv6, let bridge = networkBridge[e.network] else { continue }
                let port = HostModel.bridgePort(of: c, network: e.network, ports: bridgePorts[bridge] ?? []) ?? "?"
                let net = networks[e.network]
                let subnet = addr.isV4 ? e.ipv4PrefixLength.map { IPPrefix(addr, $0) } : net?.subnets.first { $0.contains(addr) }
                let gateway6 = net?.givesEndpointsAGateway == false ? nil : net?.gateways.first { !$0.isV4 }
                var cp = ContainerPort(name: c.name, bridge: bridge, port: port, address: addr,
                                       subnet: subnet.map { IPPrefix($0.network, $0.length) },
                                       gateway: addr.isV4 ? e.gateway : gateway6)
                if let v6 = e.ipv6, addr.isV4 {
                    cp.address6 = v6
                    cp.subnet6 = net?.subnets.first { $0.contains(v6) }.map { IPPrefix($0.network, $0.length) }
                    cp.gateway6 = gateway6
                }
                if containers[c.name] == nil { containers[c.name] = cp }
                byAddress[bridge, default: [:]][addr] = c.name
                if let v6 = cp.address6 { byAddress[bridge, default: [:]][v6] = c.name }
            }
        }
        hasIngressChains = ruleset.tables.contains { t in
            t.chains.contains { $0.base?.hook == .ingress || $0.base?.hook == .egress }
        }
    }

    func container(at address: IPAddress, bridge: String) -> ContainerPort? {
        guard let name = byAddress[bridge]?[address] else { return nil }
        return containers[name]
    }

    func brNetfilter(v4: Bool) -> Bool {
        sysctls.sysctl(v4 ? "net.bridge.bridge-nf-call-iptables" : "net.bridge.bridge-nf-call-ip6tables") != 0
    }

    func forwarding(v4: Bool) -> Bool {
        sysctls.sysctl(v4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding") != 0
    }

    func routeLocalnet(_ interface: String) -> Int {
        let all = sysctls.sysctl("net.ipv4.conf.all.route_localnet")
        if let v = sysctls.sysctls["net.ipv4.conf.\(interface).route_localnet"], let n = Int(v) { return max(n, all) }
        return all
    }
}
