import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// A `docker network create --internal` network next to the era's networks, checked against the
/// kernel: `backend` on br-d89c083e1057 (172.18.0.0/16) with two containers, db and worker, that
/// publish nothing (Docker programs no port mapping for a container whose only network is
/// internal). The rules are moby's for an internal network, replayed onto the era's fixture by
/// `scripts/compose-internal-network.sh` (Fixtures/{a,c}-internal.iptables-save, d-internal.nft,
/// and for the dual-stack case c-internal-ipv6.ip6tables-save).
final class VerifyInternalNetworkTests: XCTestCase {
    static let bridge = "br-d89c083e1057"
    static let networkID = "d89c083e10573c45e1bfbb5e4cc3e533a98f43e0565135fd48b16f78786d5d09"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// The era's snapshot (`a`: Docker 20.10, `c`: Docker 28, both iptables; `d`: Docker 29
    /// nftables) plus the internal network: its bridge and the containers' ports in ip-addr.json,
    /// its connected and local routes, the network (`"Internal": true`) and the containers, whose
    /// endpoints have no gateway (the bridge driver sets none on an internal network, so the
    /// containers get no default route).
    ///
    /// `ipv6` (era `c` only): the host dual-stack as `VerifyIPv6Tests.derivedSnapshot()` makes it
    /// (IPv6 on ens192, infranet on fd00:20::/64) and backend `--ipv6` too, on fd00:18::/64 with
    /// the bridge on fd00:18::1: db fd00:18::2, worker fd00:18::3, no IPv6 gateway either (Join
    /// sets none on an internal network). Its ip6tables rules are `scripts/compose-internal-network.sh
    /// c6`'s (Fixtures/c-internal-ipv6.ip6tables-save); the IPv4 ones are era c's unchanged.
    static func derivedSnapshot(era: String, ipv6: Bool = false) throws -> DerivedSnapshot {
        let base = try LabFixtures.path("docker-eras/snapshots/docker-\(era)")
        func load(_ name: String) throws -> [[String: Any]] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/" + name))) as! [[String: Any]]
        }
        func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]), as: UTF8.self) }
        let members: [(name: String, id: String, address: String, address6: String, mac: String)] = [
            ("db", "290c4c5813b7867ff70504743b45edbbc59103e5742331c6a5e7ea059d4927c2", "172.18.0.2", "fd00:18::2", "02:42:ac:12:00:02"),
            ("worker", "5e260af159b8c129ed569b98060a36fe0e8253f1a5e1e485a84667deee7ca6ab", "172.18.0.3", "fd00:18::3", "02:42:ac:12:00:03"),
        ]
        if ipv6 && era != "c" { throw HookwalkTestError("no dual-stack internal-network fixture for era \(era)") }
        let dualStack = ipv6 ? try VerifyIPv6Tests.dualStackFiles() : nil

        var addr = try dualStack?.addrs ?? load("ip-addr.json")
        var index = (addr.compactMap { $0["ifindex"] as? Int }.max() ?? 0) + 1
        var bridgeAddresses: [[String: Any]] = [["family": "inet", "local": "172.18.0.1", "prefixlen": 16, "scope": "global", "label": bridge]]
        if ipv6 { bridgeAddresses.append(["family": "inet6", "local": "fd00:18::1", "prefixlen": 64, "scope": "global"]) }
        addr.append(["ifindex": index, "ifname": bridge, "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], "mtu": 1500,
                     "operstate": "UP", "link_type": "ether", "address": "02:42:5e:0a:11:01", "addr_info": bridgeAddresses])
        for m in members {
            index += 1
            addr.append(["ifindex": index, "ifname": "veth" + m.name, "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
                         "mtu": 1500, "master": bridge, "operstate": "UP", "link_type": "ether", "addr_info": [] as [Any]])
        }
        var routes = try load("ip-route.json")
        routes.append(["dst": "172.18.0.0/16", "dev": bridge, "protocol": "kernel", "scope": "link", "prefsrc": "172.18.0.1", "flags": [] as [Any]])
        routes.append(["type": "local", "dst": "172.18.0.1", "dev": bridge, "table": "local", "protocol": "kernel", "scope": "host",
                       "prefsrc": "172.18.0.1", "flags": [] as [Any]])
        routes.append(["type": "broadcast", "dst": "172.18.255.255", "dev": bridge, "table": "local", "protocol": "kernel",
                       "scope": "link", "prefsrc": "172.18.0.1", "flags": [] as [Any]])

        var networks = try dualStack?.networks ?? load("docker-networks.json")
        var attached: [String: Any] = [:]
        for m in members {
            attached[m.id] = ["Name": m.name, "EndpointID": String(m.id.reversed()), "MacAddress": m.mac,
                              "IPv4Address": m.address + "/16", "IPv6Address": ipv6 ? m.address6 + "/64" : ""]
        }
        var ipam = [["Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"]]
        if ipv6 { ipam.append(["Subnet": "fd00:18::/64", "Gateway": "fd00:18::1"]) }
        networks.append(["Name": "backend", "Id": networkID, "Created": "1970-01-01T00:00:00Z", "Scope": "local", "Driver": "bridge",
                         "EnableIPv6": ipv6,
                         "IPAM": ["Driver": "default", "Options": NSNull(), "Config": ipam],
                         "Internal": true, "Attachable": false, "Ingress": false, "ConfigFrom": ["Network": ""], "ConfigOnly": false,
                         "Containers": attached, "Options": [String: String](), "Labels": [String: String]()])

        var containers = try dualStack?.containers ?? load("docker-containers.json")
        for m in members {
            var endpoint: [String: Any] = ["NetworkID": networkID, "EndpointID": String(m.id.reversed()), "Gateway": "",
                                           "IPAddress": m.address, "IPPrefixLen": 16, "MacAddress": m.mac]
            if ipv6 { endpoint.merge(["GlobalIPv6Address": m.address6, "GlobalIPv6PrefixLen": 64, "IPv6Gateway": ""]) { $1 } }
            containers.append(["Id": m.id, "Name": "/" + m.name, "State": ["Status": "running", "Running": true],
                               "HostConfig": ["NetworkMode": "backend", "PortBindings": [String: Any]()],
                               "NetworkSettings": ["Ports": [String: Any](), "Networks": ["backend": endpoint]]])
        }

        var files = ["ip-addr.json": try json(addr), "ip-route.json": try json(routes),
                     "docker-networks.json": try json(networks), "docker-containers.json": try json(containers)]
        if let dualStack {
            files["sysctl.txt"] = dualStack.sysctl
            return try DerivedSnapshot(base: "docker-c", files: files,
                                       copies: ["iptables-save.txt": fixtures + "/c-internal.iptables-save",
                                                "ip6tables-save.txt": fixtures + "/c-internal-ipv6.ip6tables-save"])
        }
        switch era {
        case "a", "c": return try DerivedSnapshot(base: "docker-\(era)", files: files,
                                                  copies: ["iptables-save.txt": fixtures + "/\(era)-internal.iptables-save"])
        case "d": return try DerivedSnapshot(base: "docker-d", files: files, copies: ["nft-ruleset.nft": fixtures + "/d-internal.nft"])
        default: throw HookwalkTestError("no internal-network fixture for era \(era)")
        }
    }

    /// What the catalog does not document but a reader of an internal network asks: the host
    /// calling db directly (output path, no forward hook), and db calling a service of the host
    /// on its bridge's address, the only host address it has a route to (input path).
    static let extras: [Scenario] = [
        Scenario(from: .host, to: IPAddress("172.18.0.2")!, port: 5432, proto: .tcp, sport: 0),
        Scenario(from: .container("db"), to: IPAddress("172.18.0.1")!, port: 53, proto: .udp, sport: 0),
    ]

    func verify(_ era: String) throws -> [Verifier.Verified] {
        let snap = try LabCases.build("internal network \(era)")
        defer { snap.remove() }
        // The kinds an internal network changes (published ports and hairpins of the other
        // networks are the era's own lab cases).
        let options = Verifier.Options(kinds: ["icc", "egress", "direct", "cross-network", "extra"], extraScenarios: Self.extras)
        return try LabFixtures.verifyAgreeing(snap, options, "docker-\(era) with an internal network")
    }

    /// The IPv6 side of the internal network on Docker 28 (`derivedSnapshot(era: "c", ipv6: true)`),
    /// with an IPv6 client on ens192: what the catalog plays (it is IPv4-first) plus the same
    /// questions asked over IPv6.
    static let client6 = IPAddress("2001:db8:1::105")!
    static let extras6: [Scenario] = extras + [
        Scenario(from: .container("db"), to: IPAddress("fd00:18::3")!, port: 80, proto: .tcp, sport: 0),
        Scenario(from: .external(address: client6, interface: nil), to: IPAddress("fd00:18::2")!, port: 80, proto: .tcp, sport: 0),
        Scenario(from: .container("proxy"), to: IPAddress("fd00:18::2")!, port: 80, proto: .tcp, sport: 0),
        Scenario(from: .host, to: IPAddress("fd00:18::2")!, port: 5432, proto: .tcp, sport: 0),
        Scenario(from: .container("db"), to: IPAddress("fd00:18::1")!, port: 53, proto: .udp, sport: 0),
    ]

    static func optionsIPv6() -> Verifier.Options {
        Verifier.Options(client6: client6, kinds: ["icc", "egress", "direct", "cross-network", "extra"], extraScenarios: extras6)
    }

    func testInternalNetworkIPv6() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ip6tables-nft-restore")
        let snap = try LabCases.build("internal network c dual-stack")
        defer { snap.remove() }
        let results = try LabFixtures.verifyAgreeing(snap, Self.optionsIPv6(), "docker-c dual-stack with an internal network")
        func result(_ what: String, _ match: (Verifier.Verified) -> Bool) throws -> Verifier.Verified {
            try XCTUnwrap(results.first(where: match), "no \(what) scenario in \(results.map(\.item.lab.name))")
        }
        func got(_ what: String, _ match: (Verifier.Verified) -> Bool) throws -> Bool {
            try result(what, match).capture.observation.serverGotRequest
        }
        let db6 = IPAddress("fd00:18::2")!
        XCTAssertEqual(try got("icc over IPv6") { $0.item.scenario.from == .container("db") && $0.item.scenario.to == IPAddress("fd00:18::3") },
                       true, "internal containers reach each other over IPv6")
        let egress = try result("IPv6 egress") { $0.item.kind == "egress" && $0.item.scenario.from == .container("db") && $0.item.scenario.to == Self.client6 }
        XCTAssertFalse(egress.capture.observation.serverGotRequest, "an internal container reaches nothing outside over IPv6")
        XCTAssertTrue(egress.capture.selection.request.isEmpty, "the kernel saw no packet: the container has no IPv6 route out")
        guard case .unroutable = egress.trace.request.outcome else {
            return XCTFail("the simulator should find no IPv6 route out of db, got \(egress.trace.request.outcome)")
        }
        XCTAssertEqual(try got("IPv6 direct") { $0.item.scenario.from == .external(address: Self.client6, interface: nil) && $0.item.scenario.to == db6 },
                       false, "the IPv6 outside cannot reach an internal container")
        XCTAssertEqual(try got("IPv6 cross-network") { $0.item.scenario.from == .container("proxy") && $0.item.scenario.to == db6 },
                       false, "a container of another network cannot reach an internal container over IPv6")
        XCTAssertEqual(try got("IPv6 host") { $0.item.scenario.from == .host && $0.item.scenario.to == db6 }, true,
                       "the host reaches an internal container over IPv6 (no forward hook on its path)")
        XCTAssertEqual(try got("IPv6 host service") { $0.item.scenario.to == IPAddress("fd00:18::1") }, true,
                       "an internal container reaches the host on its bridge's IPv6 address (input path)")
    }

    func testInternalNetwork() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        // Out of the internal network to a port published on infranet, through the host's address
        // on backend's subnet (DNATed to dhcp): Docker 20.10 and 28 drop it in DOCKER-ISOLATION-STAGE-1
        // (`-i br ! -d subnet`); Docker 29's nftables accepts it in docker1's in-chain (the
        // published port's accept), before backend's out-chain, whose INTERNAL NETWORK EGRESS drop
        // never runs.
        for (era, leaves) in [("a", false), ("c", false), ("d", true)] {
            let results = try verify(era)
            func got(_ what: String, _ match: (Verifier.Verified) -> Bool) throws -> Bool {
                try XCTUnwrap(results.first(where: match), "docker-\(era): no \(what) scenario").capture.observation.serverGotRequest
            }
            XCTAssertEqual(try got("icc") { $0.item.kind == "icc" && $0.item.scenario.from == .container("db") }, true,
                           "docker-\(era): containers of the internal network reach each other")
            XCTAssertEqual(try got("egress") { $0.item.kind == "egress" && $0.item.scenario.from == .container("db") }, false,
                           "docker-\(era): an internal container has no route out")
            XCTAssertEqual(try got("direct") { $0.item.kind == "direct" && $0.item.scenario.to == IPAddress("172.18.0.2") }, false,
                           "docker-\(era): the outside cannot reach an internal container")
            XCTAssertEqual(try got("cross-network") { $0.item.kind == "cross-network" && $0.item.scenario.to == IPAddress("172.18.0.2") },
                           false, "docker-\(era): a container of another network cannot reach an internal container")
            XCTAssertEqual(try got("cross-network out") { $0.item.kind == "cross-network" && $0.item.scenario.from == .container("db") },
                           leaves, "docker-\(era): an internal container calling a port published on another network")
            XCTAssertEqual(try got("host") { $0.item.kind == "extra" && $0.item.scenario.from == .host }, true,
                           "docker-\(era): the host reaches an internal container (no forward hook on its path)")
            XCTAssertEqual(try got("host service") { $0.item.kind == "extra" && $0.item.scenario.port == 53 }, true,
                           "docker-\(era): an internal container reaches the host on its bridge's address (input path)")
        }
    }
}
