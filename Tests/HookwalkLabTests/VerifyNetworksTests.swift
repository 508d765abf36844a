import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// Several bridge networks and Docker's rules between containers, checked against the kernel: a
/// container on the default bridge (docker0) calling a port published on infranet (docker1) through
/// the host's address is isolated by DOCKER-ISOLATION-STAGE-2 in Docker 28 and accepted by
/// Docker 29's nftables backend; with `icc=false` (Docker 20.10's ICC rule turned into a drop)
/// containers of one network cannot reach each other.
final class VerifyNetworksTests: XCTestCase {
    /// The era's snapshot plus a container `web0` on docker0 (172.17.0.2) behind port `vethweb0`.
    static func snapshotWithDefaultBridgeContainer(_ era: String, ruleset: ((String) -> String)? = nil) throws -> DerivedSnapshot {
        let base = try LabFixtures.path("docker-eras/snapshots/docker-\(era)")
        var addr = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/ip-addr.json"))) as! [[String: Any]]
        addr.append(["ifindex": 99, "ifname": "vethweb0", "flags": ["BROADCAST", "UP"], "master": "docker0", "operstate": "UP",
                     "link_type": "ether", "addr_info": [] as [Any]])
        var containers = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/docker-containers.json"))) as! [[String: Any]]
        let networks = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/docker-networks.json"))) as! [[String: Any]]
        let bridgeNetwork = try XCTUnwrap(networks.first { ($0["Name"] as? String) == "bridge" }?["Name"] as? String)
        containers.append(["Id": "w0", "Name": "/web0", "State": ["Running": true], "HostConfig": ["NetworkMode": bridgeNetwork],
                           "NetworkSettings": ["Ports": [String: Any](), "Networks": [bridgeNetwork: [
                               "IPAddress": "172.17.0.2", "IPPrefixLen": 16, "Gateway": "172.17.0.1"]]]])
        func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]), as: UTF8.self) }
        var rules = try String(contentsOfFile: base + "/nft-ruleset.nft", encoding: .utf8)
        if let ruleset { rules = ruleset(rules) }
        return try DerivedSnapshot(base: "docker-\(era)", files: [
            "ip-addr.json": try json(addr), "docker-containers.json": try json(containers), "nft-ruleset.nft": rules])
    }

    func verify(_ snap: DerivedSnapshot, kinds: Set<String>) throws -> [Verifier.Verified] {
        try LabFixtures.verifyAgreeing(snap, Verifier.Options(kinds: kinds), "networks, \(kinds.sorted())")
    }

    func testIsolationBetweenNetworks() throws {
        try LabFixtures.skipUnlessLabPossible()
        for (era, isolated) in [("c", true), ("d", false)] {
            let snap = try LabCases.build("isolation \(era)")
            defer { snap.remove() }
            let results = try verify(snap, kinds: ["cross-network"])
            let web0 = try XCTUnwrap(results.first { $0.item.kind == "cross-network" && $0.item.scenario.from == .container("web0") })
            XCTAssertEqual(web0.capture.observation.serverGotRequest, !isolated, "docker-\(era)")
        }
    }

    /// Docker 20.10 with `icc=false`: its ICC rule for docker1 becomes a drop.
    static func iccFalseSnapshot() throws -> DerivedSnapshot {
        try snapshotWithDefaultBridgeContainer("a") {
            $0.replacingOccurrences(of: "iifname \"docker1\" oifname \"docker1\" counter packets 0 bytes 0 accept",
                                    with: "iifname \"docker1\" oifname \"docker1\" counter packets 0 bytes 0 drop")
        }
    }

    func testIccFalse() throws {
        try LabFixtures.skipUnlessLabPossible()
        let snap = try LabCases.build("icc=false")
        defer { snap.remove() }
        let results = try verify(snap, kinds: ["icc"])
        let icc = try XCTUnwrap(results.first { $0.item.kind == "icc" && $0.item.scenario.from != .container("web0") })
        XCTAssertEqual(icc.capture.observation.serverGotRequest, false, "icc=false drops container to container")
    }
}

/// A port published on 127.0.0.1 (`-p 127.0.0.1:8080:8080`): the host calling 127.0.0.1 is DNATed
/// to the container in nat OUTPUT and reaches it only when route_localnet is set on the bridge
/// (Docker sets it); without it the kernel refuses to route the loopback source. Both against the
/// kernel.
final class VerifyLoopbackBindingTests: XCTestCase {
    static func snapshot(routeLocalnet: Int) throws -> DerivedSnapshot {
        let base = try LabFixtures.path("docker-eras/snapshots/docker-c")
        var containers = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/docker-containers.json"))) as! [[String: Any]]
        for i in containers.indices where (containers[i]["Name"] as? String) == "/proxy" {
            var settings = containers[i]["NetworkSettings"] as! [String: Any]
            settings["Ports"] = ["8080/tcp": [["HostIp": "127.0.0.1", "HostPort": "8080"]]]
            containers[i]["NetworkSettings"] = settings
        }
        let sysctl = try String(contentsOfFile: base + "/sysctl.txt", encoding: .utf8) + "net.ipv4.conf.docker1.route_localnet = \(routeLocalnet)\n"
        let rules = try String(contentsOfFile: base + "/nft-ruleset.nft", encoding: .utf8)
        return try DerivedSnapshot(base: "docker-c", files: [
            "docker-containers.json": String(decoding: try JSONSerialization.data(withJSONObject: containers, options: [.sortedKeys]), as: UTF8.self),
            "sysctl.txt": sysctl, "nft-ruleset.nft": rules])
    }

    func testRouteLocalnetDecides() throws {
        try LabFixtures.skipUnlessLabPossible()
        for on in [1, 0] {
            let snap = try LabCases.build("127.0.0.1 binding, route_localnet \(on)")
            defer { snap.remove() }
            let results = try LabFixtures.verifyAgreeing(snap, Verifier.Options(kinds: ["host-local"]), "route_localnet=\(on)")
            let loopback = try XCTUnwrap(results.first { $0.item.scenario.to == IPAddress("127.0.0.1") })
            XCTAssertEqual(loopback.capture.observation.serverGotRequest, on == 1, "route_localnet=\(on)")
        }
    }
}
