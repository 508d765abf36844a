import Foundation

/// The host around the ruleset: interfaces and addresses (`ip -j addr`), routes (`ip -j route show
/// table all`), sysctls, and Docker's networks and containers. Like the ruleset it is one model,
/// whatever files it was read from; the simulator needs nothing else.

public struct InterfaceAddress: Sendable, Hashable {
    public var prefix: IPPrefix
    /// `host`, `link`, `global`.
    public var scope: String

    public init(prefix: IPPrefix, scope: String = "global") {
        self.prefix = prefix
        self.scope = scope
    }

    public var address: IPAddress { prefix.address }
}

public struct Interface: Sendable, Hashable {
    public var index: Int
    public var name: String
    /// `loopback`, `ether`, ... from `link_type`.
    public var linkType: String
    /// `bridge`, `veth`, ... from `linkinfo.info_kind` when present.
    public var kind: String?
    /// The bridge this interface is a port of.
    public var master: String?
    public var mac: String?
    public var up: Bool
    public var addresses: [InterfaceAddress]
    /// `link_index`: a veth's peer's interface index (in the peer's namespace).
    public var linkIndex: Int?

    public init(index: Int, name: String, linkType: String = "ether", kind: String? = nil, master: String? = nil,
                mac: String? = nil, up: Bool = true, addresses: [InterfaceAddress] = [], linkIndex: Int? = nil) {
        self.linkIndex = linkIndex
        self.index = index
        self.name = name
        self.linkType = linkType
        self.kind = kind
        self.master = master
        self.mac = mac
        self.up = up
        self.addresses = addresses
    }

    public var isLoopback: Bool { linkType == "loopback" || name == "lo" }
}

/// One route of the kernel's routing tables.
public struct Route: Sendable, Hashable {
    /// `main`, `local`, or another table name/number.
    public var table: String
    public var type: RouteType
    public var destination: IPPrefix
    public var device: String?
    public var gateway: IPAddress?
    public var preferredSource: IPAddress?
    public var metric: Int

    public init(table: String = "main", type: RouteType = .unicast, destination: IPPrefix, device: String? = nil,
                gateway: IPAddress? = nil, preferredSource: IPAddress? = nil, metric: Int = 0) {
        self.table = table
        self.type = type
        self.destination = destination
        self.device = device
        self.gateway = gateway
        self.preferredSource = preferredSource
        self.metric = metric
    }
}

/// A route's type, the kernel's `RTN_*` (rtnetlink.h) in its order: the words `ip route` prints
/// (and reads) are the raw values, and the number is the kernel's, which `fib ... type` compares
/// with (nft's `fib_addrtype` symbols are these). `addressType` of the simulator's routing answers
/// in the same vocabulary.
public enum RouteType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unspec, unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit
    case `throw`, nat, xresolve

    /// `RTN_UNICAST` is 1 and so on.
    public var number: UInt64 { UInt64(Self.allCases.firstIndex(of: self)!) }

    public var description: String { rawValue }
}

/// A published port binding of a container: `0.0.0.0:8080->8080/tcp`.
public struct PortBinding: Sendable, Hashable {
    public var containerPort: Int
    public var proto: String
    /// The host address the port is bound on (`0.0.0.0`, `::`, `127.0.0.1`); empty means all.
    public var hostIP: String
    public var hostPort: Int

    public init(containerPort: Int, proto: String, hostIP: String, hostPort: Int) {
        self.containerPort = containerPort
        self.proto = proto
        self.hostIP = hostIP
        self.hostPort = hostPort
    }
}

extension PortBinding {
    /// Whether docker-proxy's socket for this binding receives a packet sent to `destination`.
    /// Docker lists an "any address" mapping as two bindings, `0.0.0.0` and `::`, and binds one
    /// socket per family, the IPv6 one with IPV6_V6ONLY (moby `port_mapping_linux.go`
    /// `bindTCPOrUDP`), so neither receives the other family. An empty HostIp (older daemons)
    /// is taken as all addresses of both families.
    public func listens(on destination: IPAddress) -> Bool {
        if hostIP.isEmpty { return true }
        if hostIP == "0.0.0.0" { return destination.isV4 }
        if hostIP == "::" { return !destination.isV4 }
        return IPAddress(hostIP) == destination
    }

    /// Whether the binding is on an IPv6 host address (`::` or a specific one).
    public var isIPv6Binding: Bool { IPAddress(hostIP).map { !$0.isV4 } ?? false }
}

/// A container's attachment to one Docker network.
public struct ContainerEndpoint: Sendable, Hashable {
    public var network: String
    public var ipv4: IPAddress?
    public var ipv4PrefixLength: Int?
    public var ipv6: IPAddress?
    public var gateway: IPAddress?
    public var mac: String?
    /// The host end of the container's veth on this network, when the snapshot says
    /// (`docker-netns/`); see `HostModel.bridgePort`.
    public var bridgePort: String?

    public init(network: String, ipv4: IPAddress? = nil, ipv4PrefixLength: Int? = nil, ipv6: IPAddress? = nil,
                gateway: IPAddress? = nil, mac: String? = nil, bridgePort: String? = nil) {
        self.bridgePort = bridgePort
        self.network = network
        self.ipv4 = ipv4
        self.ipv4PrefixLength = ipv4PrefixLength
        self.ipv6 = ipv6
        self.gateway = gateway
        self.mac = mac
    }
}

public struct DockerContainer: Sendable, Hashable {
    public var id: String
    /// Without Docker's leading slash.
    public var name: String
    public var running: Bool
    /// `bridge`, `host`, `none`, `container:<id>` or a network name.
    public var networkMode: String
    public var endpoints: [ContainerEndpoint]
    public var ports: [PortBinding]
    /// `Config.ExposedPorts` as `69/udp`: for a container on the host network, the ports it
    /// serves on the host's own addresses (Docker publishes nothing for them).
    public var exposedPorts: [String]

    public init(id: String, name: String, running: Bool = true, networkMode: String, endpoints: [ContainerEndpoint] = [],
                ports: [PortBinding] = [], exposedPorts: [String] = []) {
        self.id = id
        self.name = name
        self.running = running
        self.networkMode = networkMode
        self.endpoints = endpoints
        self.ports = ports
        self.exposedPorts = exposedPorts
    }

    public var usesHostNetwork: Bool { networkMode == "host" }
}

public struct DockerNetwork: Sendable, Hashable {
    public var id: String
    public var name: String
    public var driver: String
    /// The Linux bridge: `com.docker.network.bridge.name`, or `br-<id prefix>`, `docker0` for `bridge`.
    public var bridge: String?
    public var subnets: [IPPrefix]
    public var gateways: [IPAddress]
    public var isInternal: Bool
    public var enableIPv6: Bool

    /// Whether the network's endpoints get a default gateway. The bridge driver's Join sets none,
    /// of either family, on an `--internal` network (`docker inspect` then shows an empty
    /// Gateway; the IPv6 one has to be decided here). The simulator and the lab both ask this.
    public var givesEndpointsAGateway: Bool { !isInternal }
    public var options: [String: String]

    public init(id: String, name: String, driver: String = "bridge", bridge: String? = nil, subnets: [IPPrefix] = [],
                gateways: [IPAddress] = [], isInternal: Bool = false, enableIPv6: Bool = false, options: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.driver = driver
        self.bridge = bridge
        self.subnets = subnets
        self.gateways = gateways
        self.isInternal = isInternal
        self.enableIPv6 = enableIPv6
        self.options = options
    }
}

public struct DockerState: Sendable, Hashable {
    public var networks: [DockerNetwork]
    public var containers: [DockerContainer]
    /// `userland-proxy` from daemon.json; nil when the file does not say (Docker's default is true).
    public var userlandProxy: Bool?

    /// Whether published ports are served by docker-proxy: daemon.json's `userland-proxy`, else
    /// Docker's default (true). Docker turns the bridges' hairpin mode on only when it is false.
    public var runsUserlandProxy: Bool { userlandProxy ?? true }

    public init(networks: [DockerNetwork] = [], containers: [DockerContainer] = [], userlandProxy: Bool? = nil) {
        self.networks = networks
        self.containers = containers
        self.userlandProxy = userlandProxy
    }
}

/// One docker-proxy process: what it listens on and where it connects. Docker runs one per
/// published binding and host address family when `userland-proxy` is on.
public struct UserlandProxy: Sendable, Hashable {
    public var container: String
    public var binding: PortBinding
    /// The container address docker-proxy connects to (from the host, as any local process: the
    /// kernel picks the source address by routing, the bridge's address).
    public var backend: IPAddress

    /// An IPv6 listener forwarding to the container's IPv4 address: the container has no IPv6
    /// address, and Docker maps the `::` binding to its IPv4 one instead (moby 27.x
    /// `port_mapping_linux.go addPortMappings`: "allow proxying host IPv6 traffic to it by setting
    /// up the binding with the IPv4 interface if the userland proxy is enabled"). Docker writes no
    /// netfilter rule for such a binding (`setPerPortIptables` returns early when the container's
    /// and the host's address families differ), so every IPv6 packet for the port ends at the proxy.
    public var isSixToFour: Bool { binding.isIPv6Binding && backend.isV4 }
}

extension DockerState {
    /// The docker-proxy processes Docker runs: none unless `runsUserlandProxy`; else one per
    /// published binding of a running container whose network gives it an address of the
    /// binding's family, or, for an IPv6 binding of a container without IPv6, its IPv4 address
    /// (the 6-to-4 proxy). The container's first network with an address carries its bindings.
    public var userlandProxies: [UserlandProxy] {
        guard runsUserlandProxy else { return [] }
        var out: [UserlandProxy] = []
        for c in containers where c.running {
            guard let ep = c.endpoints.first(where: { $0.ipv4 != nil || $0.ipv6 != nil }) else { continue }
            for p in c.ports where p.hostPort > 0 && p.hostPort <= 65535 && p.containerPort > 0 && p.containerPort <= 65535 {
                let backend = p.hostIP.isEmpty ? ep.ipv4 ?? ep.ipv6 : p.isIPv6Binding ? ep.ipv6 ?? ep.ipv4 : ep.ipv4
                guard let backend else { continue }
                out.append(UserlandProxy(container: c.name, binding: p, backend: backend))
            }
        }
        return out
    }

    /// The docker-proxy that receives a packet for `destination`, `port`, `proto` once it is
    /// delivered to the host, if any.
    public func userlandProxy(receiving destination: IPAddress, port: Int, proto: String) -> UserlandProxy? {
        userlandProxies.first { $0.binding.hostPort == port && $0.binding.proto == proto && $0.binding.listens(on: destination) }
    }
}

/// Optional metadata of a snapshot (`host.json`).
public struct HostInfo: Sendable, Hashable {
    public var hostname: String?
    public var kernel: String?
    public var nftVersion: String?
    public var dockerVersion: String?
    public var collectedAt: String?

    public init(hostname: String? = nil, kernel: String? = nil, nftVersion: String? = nil, dockerVersion: String? = nil,
                collectedAt: String? = nil) {
        self.hostname = hostname
        self.kernel = kernel
        self.nftVersion = nftVersion
        self.dockerVersion = dockerVersion
        self.collectedAt = collectedAt
    }
}

public struct HostModel: Sendable, Hashable {
    public var interfaces: [Interface]
    public var routes: [Route]
    /// The policy routing rules of `ip-rule.json` / `ip6-rule.json`; empty for a family: the
    /// kernel's defaults (`RoutingRule.defaults`).
    public var rules: [RoutingRule] = []
    /// `net.ipv4.ip_forward` -> `1`. Missing keys take the defaults documented in `Sysctl`.
    public var sysctls: [String: String]
    public var docker: DockerState
    public var info: HostInfo
    /// The host's own listening sockets (`ss-listen.txt`); nil when the snapshot does not say.
    public var listeners: [Listener]? = nil

    public init(interfaces: [Interface] = [], routes: [Route] = [], sysctls: [String: String] = [:],
                docker: DockerState = DockerState(), info: HostInfo = HostInfo()) {
        self.interfaces = interfaces
        self.routes = routes
        self.sysctls = sysctls
        self.docker = docker
        self.info = info
    }

    public func interface(named name: String) -> Interface? { interfaces.first { $0.name == name } }

    /// All addresses of the host, with their interface.
    public var localAddresses: [(interface: String, address: InterfaceAddress)] {
        interfaces.flatMap { i in i.addresses.map { (i.name, $0) } }
    }

    /// A sysctl as an integer, with hookwalk's documented default when the snapshot does not say.
    public func sysctl(_ key: String) -> Int {
        if let v = sysctls[key], let n = Int(v.trimmingCharacters(in: .whitespaces)) { return n }
        return Sysctl.defaults[key] ?? 0
    }
}

/// The defaults used when `sysctl.txt` is missing or silent: what a Docker host has.
public enum Sysctl {
    public static let defaults: [String: Int] = [
        "net.ipv4.ip_forward": 1,
        "net.ipv6.conf.all.forwarding": 0,
        "net.bridge.bridge-nf-call-iptables": 1,
        "net.bridge.bridge-nf-call-ip6tables": 1,
        "net.ipv4.conf.all.route_localnet": 0,
    ]
}

/// A complete snapshot: the ruleset, the host, and where they came from.
public struct Snapshot: Sendable, Hashable {
    public var ruleset: Ruleset
    public var host: HostModel
    /// The file the ruleset was read from (`nft-ruleset.json`...), for messages and docs.
    public var rulesetFile: String
    /// The folder, as given.
    public var path: String

    public init(ruleset: Ruleset, host: HostModel, rulesetFile: String, path: String) {
        self.ruleset = ruleset
        self.host = host
        self.rulesetFile = rulesetFile
        self.path = path
    }
}
