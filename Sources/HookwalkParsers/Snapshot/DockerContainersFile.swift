import HookwalkModel

/// `docker-containers.json`, the output of `docker inspect $(docker ps -q)`.
enum DockerContainersFile {
    static func parse(_ bytes: [UInt8], file: String) throws -> [DockerContainer] {
        try SnapshotJSON.parse(bytes, file: file).array().map { try container($0.object()) }
    }

    private static func container(_ o: SnapshotJSONObject) throws -> DockerContainer {
        let rawName = try o.string("Name")
        let settings = try o.optionalObject("NetworkSettings")
        return DockerContainer(
            id: try o.string("Id"),
            name: rawName.hasPrefix("/") ? String(rawName.dropFirst()) : rawName,
            // `docker ps -q` lists running containers only, so a missing State means running.
            running: try o.optionalObject("State")?.optionalBool("Running") ?? true,
            // Docker itself writes `default` (the bridge network) when nothing was chosen.
            networkMode: try o.optionalObject("HostConfig")?.optionalString("NetworkMode") ?? "default",
            endpoints: try settings?.optionalObject("Networks").map(endpoints) ?? [],
            ports: try settings?.optionalObject("Ports").map(ports) ?? [],
            exposedPorts: try o.optionalObject("Config")?.optionalObject("ExposedPorts")?.keys.sorted() ?? [])
    }

    /// `NetworkSettings.Ports`: `"8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]`, null for a
    /// port that is exposed but not published.
    private static func ports(_ o: SnapshotJSONObject) throws -> [PortBinding] {
        var out: [PortBinding] = []
        for key in o.keys {
            guard let bindings = o.optional(key) else { continue }
            let parts = key.split(separator: "/", maxSplits: 1)
            guard let first = parts.first, let containerPort = Int(first), (0...65535).contains(containerPort) else {
                throw o.fail("not a container port: \(key) (expected PORT/PROTO)")
            }
            let proto = parts.count == 2 ? String(parts[1]) : "tcp"
            for b in try bindings.array() {
                let bo = try b.object()
                let hostPortNode = try bo.required("HostPort")
                let hostPortText = try hostPortNode.string()
                guard let hostPort = Int(hostPortText), (0...65535).contains(hostPort) else {
                    throw hostPortNode.fail("not a port number: \(hostPortText)")
                }
                out.append(PortBinding(containerPort: containerPort, proto: proto,
                                       hostIP: try bo.optionalString("HostIp") ?? "", hostPort: hostPort))
            }
        }
        return out.sorted { ($0.containerPort, $0.proto, $0.hostIP, $0.hostPort) < ($1.containerPort, $1.proto, $1.hostIP, $1.hostPort) }
    }

    /// `NetworkSettings.Networks`, keyed by network name. Docker writes `""` for what an endpoint
    /// lacks (no IPv6, no address on the host network), which the model holds as nil.
    private static func endpoints(_ o: SnapshotJSONObject) throws -> [ContainerEndpoint] {
        try o.keys.compactMap { name in
            guard let node = o.optional(name) else { return nil }
            let e = try node.object()
            let ipv4 = try e.nonEmptyString("IPAddress").map { _ in try e.required("IPAddress").ipAddress() }
            let length = try e.optionalInt("IPPrefixLen")
            return ContainerEndpoint(
                network: name, ipv4: ipv4, ipv4PrefixLength: ipv4 == nil ? nil : length,
                ipv6: try e.nonEmptyString("GlobalIPv6Address").map { _ in try e.required("GlobalIPv6Address").ipAddress() },
                gateway: try e.nonEmptyString("Gateway").map { _ in try e.required("Gateway").ipAddress() },
                mac: try e.nonEmptyString("MacAddress"))
        }
    }
}
