import HookwalkModel
import HookwalkSimulator

/// A party of a lab scenario: the namespace a client or server runs in.
public enum LabParty: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The client namespace behind an uplink (the first uplink when nil).
    case external(uplink: String?)
    case container(String)
    /// The host namespace itself (host-local traffic, or a service of the host).
    case host

    public var description: String {
        switch self {
        case .external(let u): return "external" + (u.map { " via \($0)" } ?? "")
        case .container(let n): return "container \(n)"
        case .host: return "host"
        }
    }
}

/// One exchange to play in the lab: the client sends from `clientPort` to `destination`:`port`,
/// and a server listens on `serverPort` where the packet should arrive (after a dnat, a container
/// port). It says where the server runs because the kernel, not the lab, decides whether the
/// packet gets there: the lab only listens.
public struct LabScenario: Sendable, Hashable, Codable {
    public var name: String
    public var proto: L4Proto
    public var client: LabParty
    public var clientPort: UInt16
    public var destination: IPAddress
    public var port: UInt16
    public var server: LabParty
    public var serverPort: UInt16
    /// The client's source address when the lab must choose it: a link-local one, which the
    /// kernel would not pick for a global destination. Nil lets the kernel choose.
    public var source: IPAddress?

    public init(name: String, proto: L4Proto, client: LabParty, clientPort: UInt16, destination: IPAddress, port: UInt16,
                server: LabParty, serverPort: UInt16) {
        self.name = name
        self.proto = proto
        self.client = client
        self.clientPort = clientPort
        self.destination = destination
        self.port = port
        self.server = server
        self.serverPort = serverPort
    }

    /// The lab form of a simulator scenario, with the server where the snapshot says the traffic
    /// should go (see `LabTopology.expectedServer`) unless `server` is given.
    public init(name: String, _ s: Scenario, topology: LabTopology, host: HookwalkModel.HostModel, server: (LabParty, UInt16)? = nil) {
        let client: LabParty
        switch s.from {
        case .external(_, let iface): client = .external(uplink: iface)
        case .container(let n): client = .container(n)
        case .host: client = .host
        }
        let srv = server ?? topology.expectedServer(destination: s.to, port: s.port, proto: s.proto, host: host)
        self.init(name: name, proto: s.proto, client: client, clientPort: s.sport, destination: s.to, port: s.port,
                  server: srv.0, serverPort: srv.1)
    }
}

extension LabTopology {
    /// Where a packet to `destination`:`port` is meant to arrive: the container that has the
    /// address, the container that publishes the port on a host address (or on all of them, or
    /// for a broadcast), an external client, else the host.
    public func expectedServer(destination: IPAddress, port: UInt16, proto: L4Proto, host: HookwalkModel.HostModel) -> (LabParty, UInt16) {
        if let c = containers.first(where: { $0.attachments.contains { $0.address.address == destination || $0.address6?.address == destination } }) {
            return (.container(c.name), port)
        }
        if let u = uplinks.first(where: { $0.clientAddresses.contains { $0.address == destination } }) {
            return (.external(uplink: u.name), port)
        }
        let local = hostAddresses.contains(destination) || destination == IPAddress("255.255.255.255")
            || destination == IPAddress("127.0.0.1")
        if local {
            for c in host.docker.containers where c.running {
                for b in c.ports where b.proto == proto.rawValue && b.hostPort == Int(port) {
                    let boundAll = b.hostIP.isEmpty || b.hostIP == "0.0.0.0" || b.hostIP == "::"
                    if boundAll || IPAddress(b.hostIP) == destination, containers.contains(where: { $0.name == c.name }) {
                        return (.container(c.name), UInt16(clamping: b.containerPort))
                    }
                }
            }
        }
        return (.host, port)
    }
}
