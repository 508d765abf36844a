import Foundation
import HookwalkModel

/// A synthetic big Docker host, written as a complete snapshot folder: the scale host the
/// big-hosts work documents and benchmarks (issue 15), generated instead of committed.
///
/// The ruleset has the shape Docker 28 (iptables-nft) gives a host with many bridge networks and
/// one published TCP port per container, as `nft list ruleset` lists it: `ip nat DOCKER` holds
/// one DNAT per published port (host port 10000 + i to container port 80), `ip filter DOCKER` one
/// accept per container, `ip raw PREROUTING` one direct-access drop per container address, plus
/// the per-bridge FORWARD and masquerade rules. With the defaults (3000 containers, 13 bridges)
/// the text is the same as the 9,078-line `big.nft` recorded from nftables 1.0.6.
///
/// Around it: `ip-addr.json` (lo, the uplink `eth0` 192.0.2.1/24, one bridge per network with
/// its gateway address, one `veth<container>` port per container), `ip-route.json` (the main and
/// local tables the kernel would hold, a default route via 192.0.2.254), `sysctl.txt`,
/// `docker-networks.json`, `docker-containers.json`, `docker-daemon.json` (userland-proxy off)
/// and `host.json`.
public struct ScaleSnapshot: Sendable {
    public var containers: Int
    public var bridges: Int
    /// Containers per bridge: the bridges fill in order, `perBridge` each (big.nft: 250, the
    /// last bridge left empty).
    public var perBridge: Int

    /// Addresses .2 to .251 of each /24, as big.nft.
    public static let maxPerBridge = 250

    public init(containers: Int = 3000, bridges: Int = 13, perBridge: Int? = nil) throws {
        guard containers >= 1, containers <= 50_000 else {
            throw HookwalkError(.none, "--containers \(containers): give 1 to 50000")
        }
        guard bridges >= 1, bridges <= 200 else { throw HookwalkError(.none, "--bridges \(bridges): give 1 to 200") }
        let per = perBridge ?? min(Self.maxPerBridge, max(1, (containers + max(1, bridges - 1) - 1) / max(1, bridges - 1)))
        guard per >= 1, per <= Self.maxPerBridge, per * bridges >= containers else {
            throw HookwalkError(.none, "\(containers) containers do not fit on \(bridges) bridges of at most \(Self.maxPerBridge) containers each")
        }
        self.containers = containers
        self.bridges = bridges
        self.perBridge = per
    }

    /// One container of the host.
    public struct Container: Sendable {
        public var index: Int
        public var name: String
        public var bridge: Int
        /// The last byte of its address on the bridge's /24.
        public var host: Int
        public var hostPort: Int { 10000 + index }
        public var address: String
    }

    public func bridgeName(_ b: Int) -> String { "br\(b)" }
    public func networkName(_ b: Int) -> String { "scale-net\(b)" }
    /// 172.20.0.0/24, 172.21.0.0/24, ... (past 172.255 the second byte carries on in 10.x).
    public func subnetPrefix(_ b: Int) -> String {
        let n = 20 + b
        return n <= 255 ? "172.\(n).0" : "10.\(n - 256).0"
    }
    public func gateway(_ b: Int) -> String { subnetPrefix(b) + ".1" }

    public var containerList: [Container] {
        (0..<containers).map { i in
            let b = i / perBridge, h = 2 + i % perBridge
            return Container(index: i, name: Self.containerName(i, of: containers), bridge: b, host: h,
                             address: "\(subnetPrefix(b)).\(h)")
        }
    }

    /// `web-0000`: zero-padded so names sort in index order.
    static func containerName(_ i: Int, of n: Int) -> String {
        let width = max(4, String(n - 1).count)
        let digits = String(i)
        return "web-" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A stable 64-hex-digit id, as Docker's.
    static func id(_ kind: String, _ i: Int) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var out = ""
        for round in 0..<4 {
            for u in "\(kind)-\(i)-\(round)".utf8 { h = (h ^ UInt64(u)) &* 0x100_0000_01b3 }
            let hex = String(h, radix: 16)
            out += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return out
    }

    static func mac(_ a: Int, _ b: Int, _ c: Int) -> String {
        func hx(_ v: Int) -> String { let s = String(v & 0xff, radix: 16); return s.count == 1 ? "0" + s : s }
        return "02:42:\(hx(a)):\(hx(b)):\(hx(c >> 8)):\(hx(c))"
    }

    // MARK: - The files

    /// The snapshot as file name -> text.
    public func files() -> [String: String] {
        [
            SnapshotLoader.rulesetText: rulesetText(),
            "ip-addr.json": ipAddr(),
            "ip-route.json": ipRoute(),
            "sysctl.txt": """
                net.ipv4.ip_forward = 1
                net.ipv4.conf.all.route_localnet = 0
                net.bridge.bridge-nf-call-iptables = 1
                net.bridge.bridge-nf-call-ip6tables = 1

                """,
            "docker-networks.json": networksJSON(),
            "docker-containers.json": containersJSON(),
            "docker-daemon.json": "{\n    \"userland-proxy\": false\n}\n",
            SnapshotLoader.hostInfo: """
                {
                    "hostname": "scale-host",
                    "kernel": "6.1.0 (synthetic: hookwalk-bench make-scale-snapshot, \(containers) containers on \(bridges) bridges)",
                    "nft_version": "nftables v1.0.6",
                    "docker_version": "28.0.0",
                    "collected_at": "2026-01-01T00:00:00Z"
                }

                """,
        ]
    }

    /// Writes the snapshot into `dir` (created when missing; files of the same names replaced).
    public func write(to dir: String) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw HookwalkError(file: dir, "cannot create the folder: \(error.localizedDescription)")
        }
        for (name, text) in files().sorted(by: { $0.key < $1.key }) {
            let path = (dir as NSString).appendingPathComponent(name)
            guard fm.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw HookwalkError(file: path, "cannot write file")
            }
        }
    }

    /// `nft list ruleset` of the host, as nftables 1.0.6 lists it.
    public func rulesetText() -> String {
        let list = containerList
        let usedBridges = 0..<bridges
        var s = "table ip nat {\n\tchain DOCKER {\n"
        s.reserveCapacity(containers * 300)
        for c in list {
            s += "\t\ttcp dport \(c.hostPort) counter packets 0 bytes 0 dnat to \(c.address):80\n"
        }
        s += "\t}\n\n\tchain PREROUTING {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
        s += "\t\tfib daddr type local counter packets 0 bytes 0 jump DOCKER\n\t}\n\n"
        s += "\tchain POSTROUTING {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
        for b in usedBridges {
            s += "\t\toifname != \"\(bridgeName(b))\" ip saddr \(subnetPrefix(b)).0/24 counter packets 0 bytes 0 masquerade\n"
        }
        s += "\t}\n}\ntable ip filter {\n\tchain DOCKER {\n"
        for c in list {
            let br = bridgeName(c.bridge)
            s += "\t\tip daddr \(c.address) iifname != \"\(br)\" oifname \"\(br)\" tcp dport 80 counter packets 0 bytes 0 accept\n"
        }
        s += "\t}\n\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy drop;\n"
        for b in usedBridges {
            let br = bridgeName(b)
            s += "\t\toifname \"\(br)\" ct state established,related counter packets 0 bytes 0 accept\n"
            s += "\t\toifname \"\(br)\" counter packets 0 bytes 0 jump DOCKER\n"
            s += "\t\tiifname \"\(br)\" counter packets 0 bytes 0 accept\n"
        }
        s += "\t}\n}\ntable ip raw {\n\tchain PREROUTING {\n\t\ttype filter hook prerouting priority raw; policy accept;\n"
        for c in list {
            s += "\t\tiifname != \"\(bridgeName(c.bridge))\" ip daddr \(c.address) counter packets 0 bytes 0 drop\n"
        }
        s += "\t}\n}\n"
        return s
    }

    func addrInfo(_ local: String, _ length: Int, scope: String, label: String) -> String {
        "{\"family\":\"inet\",\"local\":\"\(local)\",\"prefixlen\":\(length),\"scope\":\"\(scope)\",\"label\":\"\(label)\","
            + "\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295}"
    }

    func ipAddr() -> String {
        var items: [String] = []
        items.append("{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\",\"UP\",\"LOWER_UP\"],\"mtu\":65536,\"operstate\":\"UNKNOWN\","
            + "\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\",\"addr_info\":[\(addrInfo("127.0.0.1", 8, scope: "host", label: "lo"))]}")
        items.append("{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"mtu\":1500,\"operstate\":\"UP\","
            + "\"link_type\":\"ether\",\"address\":\"\(Self.mac(0xc0, 0, 2))\",\"addr_info\":[\(addrInfo("192.0.2.1", 24, scope: "global", label: "eth0"))]}")
        var index = 3
        for b in 0..<bridges {
            let br = bridgeName(b)
            items.append("{\"ifindex\":\(index),\"ifname\":\"\(br)\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"mtu\":1500,"
                + "\"operstate\":\"UP\",\"link_type\":\"ether\",\"address\":\"\(Self.mac(0x10, b, 1))\","
                + "\"linkinfo\":{\"info_kind\":\"bridge\"},\"addr_info\":[\(addrInfo(gateway(b), 24, scope: "global", label: br))]}")
            index += 1
        }
        for c in containerList {
            items.append("{\"ifindex\":\(index),\"ifname\":\"veth\(c.name)\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
                + "\"mtu\":1500,\"master\":\"\(bridgeName(c.bridge))\",\"operstate\":\"UP\",\"link_type\":\"ether\","
                + "\"address\":\"\(Self.mac(0x20, c.index >> 16, c.index))\",\"linkinfo\":{\"info_kind\":\"veth\"},\"addr_info\":[]}")
            index += 1
        }
        return "[" + items.joined(separator: ",\n") + "]\n"
    }

    func ipRoute() -> String {
        var r: [String] = []
        r.append("{\"dst\":\"default\",\"gateway\":\"192.0.2.254\",\"dev\":\"eth0\",\"flags\":[]}")
        r.append("{\"dst\":\"192.0.2.0/24\",\"dev\":\"eth0\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"192.0.2.1\",\"flags\":[]}")
        for b in 0..<bridges {
            r.append("{\"dst\":\"\(subnetPrefix(b)).0/24\",\"dev\":\"\(bridgeName(b))\",\"protocol\":\"kernel\",\"scope\":\"link\","
                + "\"prefsrc\":\"\(gateway(b))\",\"flags\":[]}")
        }
        func local(_ type: String, _ dst: String, _ dev: String, _ src: String) -> String {
            "{\"type\":\"\(type)\",\"dst\":\"\(dst)\",\"dev\":\"\(dev)\",\"table\":\"local\",\"protocol\":\"kernel\","
                + "\"scope\":\"\(type == "local" ? "host" : "link")\",\"prefsrc\":\"\(src)\",\"flags\":[]}"
        }
        r.append(local("local", "127.0.0.0/8", "lo", "127.0.0.1"))
        r.append(local("local", "127.0.0.1", "lo", "127.0.0.1"))
        r.append(local("broadcast", "127.255.255.255", "lo", "127.0.0.1"))
        r.append(local("local", "192.0.2.1", "eth0", "192.0.2.1"))
        r.append(local("broadcast", "192.0.2.255", "eth0", "192.0.2.1"))
        for b in 0..<bridges {
            r.append(local("local", gateway(b), bridgeName(b), gateway(b)))
            r.append(local("broadcast", subnetPrefix(b) + ".255", bridgeName(b), gateway(b)))
        }
        return "[" + r.joined(separator: ",\n") + "]\n"
    }

    func networksJSON() -> String {
        let list = containerList
        var nets: [String] = []
        for b in 0..<bridges {
            let members = list.filter { $0.bridge == b }.map { c in
                "            \"\(Self.id("container", c.index))\": {\"Name\": \"\(c.name)\", \"EndpointID\": \"\(Self.id("endpoint", c.index))\", "
                    + "\"MacAddress\": \"\(Self.mac(0xac, 0x14 + b, c.host))\", \"IPv4Address\": \"\(c.address)/24\", \"IPv6Address\": \"\"}"
            }
            nets.append("""
                    {
                        "Name": "\(networkName(b))",
                        "Id": "\(Self.id("network", b))",
                        "Scope": "local",
                        "Driver": "bridge",
                        "EnableIPv6": false,
                        "IPAM": {"Driver": "default", "Options": null, "Config": [{"Subnet": "\(subnetPrefix(b)).0/24", "Gateway": "\(gateway(b))"}]},
                        "Internal": false,
                        "Attachable": false,
                        "Containers": {
                \(members.joined(separator: ",\n"))
                        },
                        "Options": {"com.docker.network.bridge.name": "\(bridgeName(b))", "com.docker.network.bridge.enable_ip_masquerade": "true"},
                        "Labels": {}
                    }
                """)
        }
        return "[\n" + nets.joined(separator: ",\n") + "\n]\n"
    }

    func containersJSON() -> String {
        let items = containerList.map { c -> String in
            let net = networkName(c.bridge)
            return """
                    {
                        "Id": "\(Self.id("container", c.index))",
                        "Name": "/\(c.name)",
                        "State": {"Status": "running", "Running": true},
                        "HostConfig": {"NetworkMode": "\(net)"},
                        "Config": {"ExposedPorts": {"80/tcp": {}}},
                        "NetworkSettings": {
                            "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "\(c.hostPort)"}]},
                            "Networks": {"\(net)": {"IPAddress": "\(c.address)", "IPPrefixLen": 24, "Gateway": "\(gateway(c.bridge))", "MacAddress": "\(Self.mac(0xac, 0x14 + c.bridge, c.host))", "GlobalIPv6Address": ""}}
                        }
                    }
                """
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }
}
