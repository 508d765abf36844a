import HookwalkModel

/// What a scenario of the catalog exercises; its raw value is the name the pages, the manifest
/// and `--kind` use.
public enum ScenarioKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// A published port from an external client.
    case publishedPort = "published-port"
    /// A container on the host network, from an external client.
    case hostNetwork = "host-network"
    /// A client to a container's own address.
    case direct
    /// A container calls a port published on the host.
    case hairpin
    /// The host calls a published port.
    case hostLocal = "host-local"
    /// A container calls outside.
    case egress
    /// Container to container on one network.
    case icc
    /// Container to container across networks.
    case crossNetwork = "cross-network"

    public var description: String { rawValue }
    public static func < (l: ScenarioKind, r: ScenarioKind) -> Bool { l.rawValue < r.rawValue }
}

/// A scenario that the documentation (and `hookwalk verify`) covers, with the names a person
/// looks for it by: the one description of a catalog entry. `scenarios.json` stores it as it
/// is; simulated, it becomes a `SimulatedScenario`.
public struct DocScenario: Sendable, Hashable, Codable {
    /// File-name safe and unique within a host: `radius-udp-1812-from-10.254.10.105`.
    public var id: String
    public var title: String
    /// `published-port`, `host-network`, `direct`, `hairpin`, `host-local`, `egress`, `icc`, `cross-network`.
    public var kind: ScenarioKind
    public var network: String?
    public var container: String?
    public var scenario: Scenario

    public init(id: String, title: String, kind: ScenarioKind, network: String?, container: String?, scenario: Scenario) {
        self.id = id
        self.title = title
        self.kind = kind
        self.network = network
        self.container = container
        self.scenario = scenario
    }
}

/// Which scenarios document a host: every published port from each external client, and per
/// Docker network a direct access to a container address, a container calling a published port
/// of the host (hairpin), the host calling it (output path), and a container's own traffic to
/// the outside (egress).
public enum ScenarioCatalog {
    /// The client used when none is given: an address in TEST-NET-3 (RFC 5737), which stands for
    /// "somewhere on the Internet" and arrives through the default route; on a host without a
    /// default route, the last address of the first uplink's subnet.
    public static func defaultClients(for snapshot: Snapshot) -> [IPAddress] {
        let routing = Routing(host: snapshot.host)
        if let r = routing.lookup(IPAddress("203.0.113.10")!), r.type == .unicast { return [IPAddress("203.0.113.10")!] }
        for u in uplinks(snapshot.host) {
            for a in u.addresses where a.address.isV4 && a.prefix.length < 31 {
                guard case .v4(let net) = a.prefix.network else { continue }
                let last = IPAddress.v4(net | (UInt32.max >> UInt32(a.prefix.length)) - 1)
                if last != a.address { return [last] }
            }
        }
        return []
    }

    /// Interfaces that lead outside: not loopback, not a bridge, not a bridge port.
    static func uplinks(_ host: HostModel) -> [Interface] {
        let bridges = Topology.bridges(of: host)
        return host.interfaces.filter { !$0.isLoopback && !bridges.contains($0.name) && $0.master == nil && !$0.addresses.isEmpty }
    }

    public static func scenarios(for snapshot: Snapshot, clients: [IPAddress]) -> [DocScenario] {
        let host = snapshot.host
        let topology = Topology(host: host, ruleset: snapshot.ruleset)
        let simulator = Simulator(snapshot: snapshot)
        var out: [DocScenario] = []
        // Source ports derive from what a scenario is, not from its position in the list, so
        // adding a container does not renumber every other page; unique within the host.
        var usedPorts: Set<UInt16> = []
        func port(for key: String) -> UInt16 {
            var p = UInt16(40000 + ScenarioCatalog.stableHash(key) % 20000)
            // Past 20,000 scenarios the ports repeat: they stay stable, and a lab plays one at a time.
            while usedPorts.contains(p), usedPorts.count < 20000 { p = p == 59999 ? 40000 : p + 1 }
            usedPorts.insert(p)
            return p
        }
        var used: Set<String> = []
        func add(_ id: String, _ title: String, _ kind: ScenarioKind, _ network: String?, _ container: String?, _ s: Scenario) {
            var s = s
            s.sport = port(for: id)
            var unique = safe(id)
            var n = 2
            while used.contains(unique) { unique = safe(id) + "-\(n)"; n += 1 }
            used.insert(unique)
            out.append(DocScenario(id: unique, title: title, kind: kind, network: network, container: container, scenario: s))
        }
        let containers = host.docker.containers.filter(\.running).sorted { $0.name < $1.name }

        // Published ports, from every client, on every address the binding covers; a long run
        // of ports by its first one (see `longRuns`).
        for c in containers {
            let runs = longRuns(c.ports)
            for p in c.ports.sorted(by: { ($0.hostPort, $0.proto, $0.hostIP) < ($1.hostPort, $1.proto, $1.hostIP) }) {
                guard let proto = L4Proto(rawValue: p.proto), proto == .tcp || proto == .udp, p.hostPort > 0, p.hostPort <= 65535,
                      !runs.skipped.contains(p) else { continue }
                for client in clients {
                    guard let iface = simulator.arrivalInterface(for: client) else { continue }
                    for target in bindingTargets(p.hostIP, arrivingOn: iface, v4: client.isV4, host: host) {
                        add("\(c.name)-\(p.proto)-\(p.hostPort)-from-\(client)",
                            "\(c.name) \(p.hostPort)/\(p.proto) from \(client)" + (runs.notes[p].map { " (\($0))" } ?? ""), .publishedPort,
                            c.endpoints.first?.network, c.name,
                            Scenario(from: .external(address: client, interface: nil), to: target, port: UInt16(p.hostPort),
                                     proto: proto, sport: 0))
                    }
                }
            }
        }
        // Ports published on a loopback address (`127.0.0.1:8080:80`) serve the host itself.
        for c in containers {
            for p in c.ports {
                guard let a = IPAddress(p.hostIP), a.isLoopback, let proto = L4Proto(rawValue: p.proto), proto == .tcp || proto == .udp,
                      p.hostPort > 0, p.hostPort <= 65535 else { continue }
                add("\(c.name)-\(p.proto)-\(p.hostPort)-loopback",
                    "the host calls \(a.isV4 ? a.description : "[\(a)]"):\(p.hostPort)/\(p.proto) (published by \(c.name) on loopback)",
                    .hostLocal, c.endpoints.first?.network, c.name,
                    Scenario(from: .host, to: a, port: UInt16(p.hostPort), proto: proto, sport: 0))
            }
        }
        // Containers on the host network serve on the host's own addresses: the input path.
        for c in containers where c.usesHostNetwork {
            for exposed in c.exposedPorts {
                let parts = exposed.split(separator: "/")
                guard let first = parts.first, let port = UInt16(first), port > 0,
                      let proto = L4Proto(rawValue: parts.count > 1 ? String(parts[1]) : "tcp"), proto == .tcp || proto == .udp else { continue }
                for client in clients {
                    guard let iface = simulator.arrivalInterface(for: client) else { continue }
                    for target in bindingTargets("", arrivingOn: iface, v4: client.isV4, host: host) {
                        add("\(c.name)-\(proto.rawValue)-\(port)-host-network-from-\(client)",
                            "\(c.name) \(port)/\(proto.rawValue) (host network) from \(client)", .hostNetwork, "host", c.name,
                            Scenario(from: .external(address: client, interface: nil), to: target, port: port, proto: proto, sport: 0))
                    }
                }
            }
        }
        // Per network: direct access, hairpin, host-local, egress.
        for network in host.docker.networks.sorted(by: { $0.name < $1.name }) {
            let members = containers.filter { c in c.endpoints.contains { $0.network == network.name } && topology.containers[c.name] != nil }
            guard !members.isEmpty else { continue }
            let published = members.first { !$0.ports.isEmpty }
            if let target = published, let p = target.ports.first, let proto = L4Proto(rawValue: p.proto),
               topology.containers[target.name] != nil {
                // Direct access from each client, to the container's address of the client's family.
                for client in clients {
                    guard let addr = topology.containers[target.name]?.address(v4: client.isV4) else { continue }
                    let shown = addr.isV4 ? "\(addr):\(p.containerPort)" : "[\(addr)]:\(p.containerPort)"
                    add("\(target.name)-direct-\(p.proto)-\(p.containerPort)-from-\(client)",
                        "\(client) to \(target.name)'s address \(shown)/\(p.proto) directly", .direct,
                        network.name, target.name,
                        Scenario(from: .external(address: client, interface: nil), to: addr, port: UInt16(p.containerPort),
                                 proto: proto, sport: 0))
                }
                if let hostAddr = uplinkAddress(host, v4: true) {
                    let caller = members.first { $0.name != target.name } ?? target
                    add("\(network.name)-hairpin-\(caller.name)-to-\(target.name)-\(p.proto)-\(p.hostPort)",
                        "\(caller.name) calls \(hostAddr):\(p.hostPort)/\(p.proto) (published by \(target.name))", .hairpin,
                        network.name, caller.name,
                        Scenario(from: .container(caller.name), to: hostAddr, port: UInt16(p.hostPort), proto: proto, sport: 0))
                    add("\(network.name)-host-local-\(target.name)-\(p.proto)-\(p.hostPort)",
                        "the host calls \(hostAddr):\(p.hostPort)/\(p.proto) (published by \(target.name))", .hostLocal,
                        network.name, target.name,
                        Scenario(from: .host, to: hostAddr, port: UInt16(p.hostPort), proto: proto, sport: 0))
                }
            } else if network.isInternal, let addr = topology.containers[members[0].name]?.address(v4: true) {
                // Docker publishes nothing for a container whose network is `--internal`, yet
                // whether the outside reaches its address is the question such a network answers.
                for client in clients where client.isV4 {
                    add("\(members[0].name)-direct-tcp-80-from-\(client)",
                        "\(client) to \(members[0].name)'s address \(addr):80/tcp directly (internal network)", .direct,
                        network.name, members[0].name,
                        Scenario(from: .external(address: client, interface: nil), to: addr, port: 80, proto: .tcp, sport: 0))
                }
            }
            // Egress to the first client of each family, from the first member that has an
            // address of that family on a bridge (IPv6 egress needs an IPv6-enabled network).
            for v4 in [true, false] {
                guard let client = clients.first(where: { $0.isV4 == v4 }),
                      let sender = members.first(where: { topology.containers[$0.name]?.address(v4: v4) != nil }) else { continue }
                let shown = v4 ? "\(client):443" : "[\(client)]:443"
                add("\(network.name)-egress-\(sender.name)-to-\(client)",
                    "\(sender.name) calls \(shown)/tcp (egress)", .egress, network.name, sender.name,
                    Scenario(from: .container(sender.name), to: client, port: 443, proto: .tcp, sport: 0))
            }
        }
        let networks = host.docker.networks.sorted { $0.name < $1.name }
        // Within a network: one container calling another's address directly (bridged; Docker's
        // inter-container communication rules, `icc`, decide).
        for network in networks {
            let members = containers.filter { c in c.endpoints.contains { $0.network == network.name } && topology.containers[c.name] != nil }
            guard members.count >= 2 else { continue }
            let target = members.first { !$0.ports.isEmpty } ?? members[1]
            guard let caller = members.first(where: { $0.name != target.name }),
                  let addr = topology.containers[target.name]?.address(v4: true) else { continue }
            let p = target.ports.first
            let proto = p.flatMap { L4Proto(rawValue: $0.proto) } ?? .tcp
            let port = UInt16(p?.containerPort ?? 80)
            add("\(network.name)-icc-\(caller.name)-to-\(target.name)-\(proto.rawValue)-\(port)",
                "\(caller.name) calls \(target.name) at \(addr):\(port)/\(proto.rawValue) on \(network.name)", .icc,
                network.name, caller.name, Scenario(from: .container(caller.name), to: addr, port: port, proto: proto, sport: 0))
        }
        // Across networks: a container of one network calling a port published by a container of
        // another network, through the host's address (Docker's isolation rules decide).
        for from in networks {
            guard let caller = containers.first(where: { c in c.endpoints.contains { $0.network == from.name } && topology.containers[c.name] != nil })
            else { continue }
            for to in networks where to.name != from.name {
                // An internal network publishes nothing: the caller tries its container's address.
                if to.isInternal, let target = containers.first(where: { c in c.endpoints.contains { $0.network == to.name }
                                                                         && !c.endpoints.contains { $0.network == from.name } }),
                   let addr = topology.containers[target.name]?.address(v4: true) {
                    add("\(from.name)-to-\(to.name)-\(caller.name)-to-\(target.name)-tcp-80",
                        "\(caller.name) (\(from.name)) calls \(target.name)'s address \(addr):80/tcp on \(to.name) (internal network)",
                        .crossNetwork, from.name, caller.name,
                        Scenario(from: .container(caller.name), to: addr, port: 80, proto: .tcp, sport: 0))
                    continue
                }
                guard let target = containers.first(where: { c in !c.ports.isEmpty && c.endpoints.contains { $0.network == to.name }
                                                              && !c.endpoints.contains { $0.network == from.name } }),
                      let p = target.ports.first, let proto = L4Proto(rawValue: p.proto),
                      let hostAddr = from.isInternal ? bridgeAddress(of: caller.name, topology) : uplinkAddress(host, v4: true)
                else { continue }
                add("\(from.name)-to-\(to.name)-\(caller.name)-to-\(target.name)-\(p.proto)-\(p.hostPort)",
                    "\(caller.name) (\(from.name)) calls \(hostAddr):\(p.hostPort)/\(p.proto), published by \(target.name) (\(to.name))",
                    .crossNetwork, from.name, caller.name,
                    Scenario(from: .container(caller.name), to: hostAddr, port: UInt16(p.hostPort), proto: proto, sport: 0))
            }
        }
        return out
    }

    /// Runs of more ports than this are documented by their first port.
    public static let widestDocumentedRun = 16

    /// `-p 8000-8999:8000-8999` reaches the snapshot as a thousand bindings (inspect lists one per
    /// container port) and Docker writes the same rules for each: a page per port would repeat one
    /// path a thousand times (and exhaust the scenarios' source ports). A run is bindings of one
    /// protocol and host address whose host and container ports both go up by one; one longer
    /// than `widestDocumentedRun` keeps its first port, titled with the run, and skips the rest.
    static func longRuns(_ ports: [PortBinding]) -> (skipped: Set<PortBinding>, notes: [PortBinding: String]) {
        var skipped: Set<PortBinding> = [], notes: [PortBinding: String] = [:]
        for group in Dictionary(grouping: ports, by: { "\($0.proto) \($0.hostIP)" }).values {
            let s = group.sorted { ($0.hostPort, $0.containerPort) < ($1.hostPort, $1.containerPort) }
            var i = 0
            while i < s.count {
                var j = i
                while j + 1 < s.count, s[j + 1].hostPort == s[j].hostPort + 1, s[j + 1].containerPort == s[j].containerPort + 1 { j += 1 }
                if j - i + 1 > widestDocumentedRun {
                    notes[s[i]] = "first of \(j - i + 1) ports \(s[i].hostPort)-\(s[j].hostPort)/\(s[i].proto), "
                        + "published to \(s[i].containerPort)-\(s[j].containerPort)"
                    skipped.formUnion(s[(i + 1)...j])
                }
                i = j + 1
            }
        }
        return (skipped, notes)
    }

    /// The addresses a binding on `hostIP` is reachable at for a client arriving on `iface`.
    static func bindingTargets(_ hostIP: String, arrivingOn iface: String, v4: Bool, host: HostModel) -> [IPAddress] {
        let any = hostIP.isEmpty || hostIP == "0.0.0.0" || hostIP == "::"
        if any {
            if hostIP == "::" && v4 { return [] }
            if hostIP == "0.0.0.0" && !v4 { return [] }
            return host.interface(named: iface)?.addresses.filter { $0.address.isV4 == v4 && $0.scope == "global" }.prefix(1).map(\.address) ?? []
        }
        // A port bound to a loopback address is not reachable from outside; the host-local
        // scenario covers it.
        guard let a = IPAddress(hostIP), a.isV4 == v4, !a.isLoopback else { return [] }
        return [a]
    }

    /// The host's address on a container's own subnet: the only one a container of an internal
    /// network, which has no default route, can send to.
    static func bridgeAddress(of container: String, _ topology: Topology) -> IPAddress? {
        guard let c = topology.containers[container], let subnet = c.subnet(v4: true) else { return nil }
        return topology.bridgeAddresses[c.bridge]?.filter { subnet.contains($0) }.min { $0.description < $1.description }
    }

    static func uplinkAddress(_ host: HostModel, v4: Bool) -> IPAddress? {
        uplinks(host).flatMap(\.addresses).first { $0.address.isV4 == v4 && $0.scope == "global" }?.address
    }

    /// FNV-1a: stable across runs and machines (Swift's `hashValue` is seeded per process).
    static func stableHash(_ s: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// Keeps letters, digits, `.`, `_` and `-`; anything else from a host name becomes `_`.
    static func safe(_ s: String) -> String {
        let mapped = s.unicodeScalars.map { c -> Character in
            (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." || c == "-" || c == "_")) ? Character(c) : "_"
        }
        var r = String(mapped)
        while r.hasPrefix(".") { r = "_" + r.dropFirst() }
        return String(r.prefix(120))
    }
}
