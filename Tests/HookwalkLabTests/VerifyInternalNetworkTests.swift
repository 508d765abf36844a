import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// A `docker network create --internal` network next to the era's networks, checked against the
/// kernel: `backend` on br-d89c083e1057 (172.18.0.0/16) with two containers, db and worker, that
/// publish nothing (Docker programs no port mapping for a container whose only network is
/// internal). The rules are moby's for an internal network, replayed onto the era's fixture by
/// `scripts/compose-internal-network.sh` (Fixtures/{a,c}-internal.iptables-save, d-internal.nft).
final class VerifyInternalNetworkTests: XCTestCase {
    static let bridge = "br-d89c083e1057"
    static let networkID = "d89c083e10573c45e1bfbb5e4cc3e533a98f43e0565135fd48b16f78786d5d09"
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// The era's snapshot (`a`: Docker 20.10, `c`: Docker 28, both iptables; `d`: Docker 29
    /// nftables) plus the internal network: its bridge and the containers' ports in ip-addr.json,
    /// its connected and local routes, the network (`"Internal": true`) and the containers, whose
    /// endpoints have no gateway (the bridge driver sets none on an internal network, so the
    /// containers get no default route).
    static func derivedSnapshot(era: String) throws -> DerivedSnapshot {
        let base = try LabFixtures.path("fixtures/docker-eras/snapshots/docker-\(era)")
        func load(_ name: String) throws -> [[String: Any]] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/" + name))) as! [[String: Any]]
        }
        func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]), as: UTF8.self) }
        let members: [(name: String, id: String, address: String, mac: String)] = [
            ("db", "290c4c5813b7867ff70504743b45edbbc59103e5742331c6a5e7ea059d4927c2", "172.18.0.2", "02:42:ac:12:00:02"),
            ("worker", "5e260af159b8c129ed569b98060a36fe0e8253f1a5e1e485a84667deee7ca6ab", "172.18.0.3", "02:42:ac:12:00:03"),
        ]

        var addr = try load("ip-addr.json")
        var index = (addr.compactMap { $0["ifindex"] as? Int }.max() ?? 0) + 1
        addr.append(["ifindex": index, "ifname": bridge, "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], "mtu": 1500,
                     "operstate": "UP", "link_type": "ether", "address": "02:42:5e:0a:11:01",
                     "addr_info": [["family": "inet", "local": "172.18.0.1", "prefixlen": 16, "scope": "global", "label": bridge]]])
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

        var networks = try load("docker-networks.json")
        var attached: [String: Any] = [:]
        for m in members {
            attached[m.id] = ["Name": m.name, "EndpointID": String(m.id.reversed()), "MacAddress": m.mac,
                              "IPv4Address": m.address + "/16", "IPv6Address": ""]
        }
        networks.append(["Name": "backend", "Id": networkID, "Created": "1970-01-01T00:00:00Z", "Scope": "local", "Driver": "bridge",
                         "EnableIPv6": false,
                         "IPAM": ["Driver": "default", "Options": NSNull(), "Config": [["Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"]]],
                         "Internal": true, "Attachable": false, "Ingress": false, "ConfigFrom": ["Network": ""], "ConfigOnly": false,
                         "Containers": attached, "Options": [String: String](), "Labels": [String: String]()])

        var containers = try load("docker-containers.json")
        for m in members {
            containers.append(["Id": m.id, "Name": "/" + m.name, "State": ["Status": "running", "Running": true],
                               "HostConfig": ["NetworkMode": "backend", "PortBindings": [String: Any]()],
                               "NetworkSettings": ["Ports": [String: Any](), "Networks": ["backend": [
                                   "NetworkID": networkID, "EndpointID": String(m.id.reversed()), "Gateway": "",
                                   "IPAddress": m.address, "IPPrefixLen": 16, "MacAddress": m.mac]]]])
        }

        let files = ["ip-addr.json": try json(addr), "ip-route.json": try json(routes),
                     "docker-networks.json": try json(networks), "docker-containers.json": try json(containers)]
        switch era {
        case "a", "c": return try DerivedSnapshot(base: "docker-\(era)", files: files,
                                                  copies: ["iptables-save.txt": fixtures + "/\(era)-internal.iptables-save"])
        case "d": return try DerivedSnapshot(base: "docker-d", files: files, copies: ["nft-ruleset.nft": fixtures + "/d-internal.nft"])
        default: throw XCTSkip("no internal-network fixture for era \(era)")
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
        let snap = try Self.derivedSnapshot(era: era)
        defer { snap.remove() }
        // The kinds an internal network changes (published ports and hairpins of the other
        // networks are the era's own lab cases).
        let options = Verifier.Options(kinds: ["icc", "egress", "direct", "cross-network", "extra"], extraScenarios: Self.extras)
        return try LabFixtures.verifyAgreeing(snap.path, options, "docker-\(era) with an internal network")
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
