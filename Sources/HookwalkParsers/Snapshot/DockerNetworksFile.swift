import HookwalkModel

/// `docker-networks.json`, the output of `docker network inspect $(docker network ls -q)`.
enum DockerNetworksFile {
    static func parse(_ bytes: [UInt8], file: String) throws -> [DockerNetwork] {
        try SnapshotJSON.parse(bytes, file: file).array().map { try network($0.object()) }
    }

    private static func network(_ o: SnapshotJSONObject) throws -> DockerNetwork {
        let id = try o.string("Id")
        let name = try o.string("Name")
        let driver = try o.optionalString("Driver") ?? "bridge"
        let options = try o.optional("Options")?.stringMap() ?? [:]
        var subnets: [IPPrefix] = [], gateways: [IPAddress] = []
        for entry in try o.optionalObject("IPAM")?.optionalArray("Config") ?? [] {
            let c = try entry.object()
            if let s = c.optional("Subnet"), try !s.string().isEmpty { subnets.append(try s.ipPrefix()) }
            if let g = c.optional("Gateway"), try !g.string().isEmpty { gateways.append(try g.ipAddress()) }
        }
        return DockerNetwork(
            id: id, name: name, driver: driver,
            bridge: driver == "bridge" ? bridgeName(id: id, name: name, options: options) : nil,
            subnets: subnets, gateways: gateways,
            isInternal: try o.optionalBool("Internal") ?? false,
            enableIPv6: try o.optionalBool("EnableIPv6") ?? false,
            options: options)
    }

    /// The Linux bridge the way Docker's bridge driver names it. Only `bridge` networks have one:
    /// `host`, `none`, macvlan and overlay networks do not create a bridge on the host.
    static func bridgeName(id: String, name: String, options: [String: String]) -> String {
        if let explicit = options["com.docker.network.bridge.name"], !explicit.isEmpty { return explicit }
        if name == "bridge" { return "docker0" }
        return "br-" + id.prefix(12)
    }
}
