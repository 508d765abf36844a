import Foundation
import HookwalkModel
import HookwalkParsers

/// The seed snapshot's host for the live lab test. It uses the shared `SnapshotLoader`; while that
/// loader cannot load the seed (its ruleset front ends are still being written), it falls back to
/// reading the few host files the lab needs. Remove the fallback once `SnapshotLoader.load` works.
enum SeedHostLoader {
    static func load(_ dir: String) throws -> HookwalkModel.HostModel {
        if let s = try? SnapshotLoader.load(path: dir) { return s.host }
        return try fallback(dir)
    }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func fallback(_ dir: String) throws -> HookwalkModel.HostModel {
        var host = HookwalkModel.HostModel()
        for case let i as [String: Any] in try json("\(dir)/ip-addr.json") as? [Any] ?? [] {
            let addrs = (i["addr_info"] as? [[String: Any]] ?? []).compactMap { a -> InterfaceAddress? in
                guard let l = a["local"] as? String, let n = a["prefixlen"] as? Int, let ip = IPAddress(l) else { return nil }
                return InterfaceAddress(prefix: IPPrefix(ip, n), scope: a["scope"] as? String ?? "global")
            }
            let kind = (i["linkinfo"] as? [String: Any])?["info_kind"] as? String
            host.interfaces.append(Interface(index: i["ifindex"] as? Int ?? 0, name: i["ifname"] as? String ?? "?",
                                             linkType: i["link_type"] as? String ?? "ether", kind: kind,
                                             master: i["master"] as? String, mac: i["address"] as? String, addresses: addrs))
        }
        for line in try String(contentsOfFile: "\(dir)/sysctl.txt", encoding: .utf8).split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2 { host.sysctls[kv[0]] = kv[1] }
        }
        for case let n as [String: Any] in try json("\(dir)/docker-networks.json") as? [Any] ?? [] {
            let name = n["Name"] as? String ?? ""
            let opts = n["Options"] as? [String: String] ?? [:]
            let cfg = (n["IPAM"] as? [String: Any])?["Config"] as? [[String: Any]] ?? []
            let id = n["Id"] as? String ?? ""
            let bridge = opts["com.docker.network.bridge.name"] ?? (name == "bridge" ? "docker0" : "br-" + id.prefix(12))
            host.docker.networks.append(DockerNetwork(
                id: id, name: name, driver: n["Driver"] as? String ?? "bridge", bridge: bridge,
                subnets: cfg.compactMap { ($0["Subnet"] as? String).flatMap(IPPrefix.init) },
                gateways: cfg.compactMap { ($0["Gateway"] as? String).flatMap(IPAddress.init) }, options: opts))
        }
        for case let c as [String: Any] in try json("\(dir)/docker-containers.json") as? [Any] ?? [] {
            let settings = c["NetworkSettings"] as? [String: Any] ?? [:]
            let nets = settings["Networks"] as? [String: [String: Any]] ?? [:]
            let eps = nets.keys.sorted().map { k -> ContainerEndpoint in
                let e = nets[k]!
                return ContainerEndpoint(network: k, ipv4: (e["IPAddress"] as? String).flatMap(IPAddress.init),
                                         ipv4PrefixLength: e["IPPrefixLen"] as? Int,
                                         gateway: (e["Gateway"] as? String).flatMap(IPAddress.init), mac: e["MacAddress"] as? String)
            }
            var ports: [PortBinding] = []
            for (key, value) in settings["Ports"] as? [String: Any] ?? [:] {
                let kp = key.split(separator: "/")
                for case let b as [String: String] in value as? [Any] ?? [] {
                    if let cp = Int(kp[0]), let hp = Int(b["HostPort"] ?? "") {
                        ports.append(PortBinding(containerPort: cp, proto: kp.count > 1 ? String(kp[1]) : "tcp",
                                                 hostIP: b["HostIp"] ?? "", hostPort: hp))
                    }
                }
            }
            let state = c["State"] as? [String: Any] ?? [:]
            host.docker.containers.append(DockerContainer(
                id: c["Id"] as? String ?? "", name: String((c["Name"] as? String ?? "").drop { $0 == "/" }),
                running: state["Running"] as? Bool ?? true,
                networkMode: (c["HostConfig"] as? [String: Any])?["NetworkMode"] as? String ?? "default", endpoints: eps, ports: ports))
        }
        return host
    }
}
