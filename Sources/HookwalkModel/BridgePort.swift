/// Which bridge port a container sits behind. `ip addr` on the host does not say which veth belongs
/// to which container, and Docker names them at random (`veth1a2b3c4`): only the container's own
/// namespace knows its peer (`docker-netns/`, read into `ContainerEndpoint.bridgePort`). Without
/// it, a port named `veth<container>` (as the fixtures and labs name them), or the bridge's only
/// port. Both the simulator and the lab ask here, so they agree on the name.
extension HostModel {
    public func bridgePort(of container: DockerContainer, network: String, bridge: String) -> String? {
        Self.bridgePort(of: container, network: network, ports: interfaces.filter { $0.master == bridge }.map(\.name))
    }

    /// Every bridge's ports (the interfaces whose master it is), in interface order: for asking
    /// `bridgePort(of:network:ports:)` about thousands of containers without a pass over every
    /// interface for each.
    public var bridgePorts: [String: [String]] {
        var out: [String: [String]] = [:]
        for i in interfaces { if let m = i.master { out[m, default: []].append(i.name) } }
        return out
    }

    /// `bridgePort(of:network:bridge:)` with the bridge's ports given (`bridgePorts[bridge]`).
    public static func bridgePort(of container: DockerContainer, network: String, ports: [String]) -> String? {
        if let known = container.endpoints.first(where: { $0.network == network })?.bridgePort, ports.contains(known) { return known }
        let named = String(("veth" + container.name).prefix(15))
        if ports.contains(named) { return named }
        return ports.count == 1 ? ports[0] : nil
    }
}
