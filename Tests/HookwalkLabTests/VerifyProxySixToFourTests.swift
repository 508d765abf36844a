import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// docker-proxy's 6-to-4 mapping in the lab. With `userland-proxy: true`, a host with IPv6 and a
/// container without it, Docker publishes an "any address" port on `0.0.0.0` and on `::`, and
/// the `::` binding forwards to the container's IPv4 address (moby 27.x `port_mapping_linux.go
/// addPortMappings`, 28.x the same with `noProxy6To4`). `setPerPortIptables` returns early for
/// such a binding (host and container families differ), so no ip6 rule sends the IPv6 client
/// anywhere: it reaches docker-proxy through the input path, and docker-proxy opens an IPv4
/// connection to the container from the host (the kernel picks the bridge's address).
///
/// The hosts: Docker 27 (docker-b: ip6 filter and nat tables exist, the nat one without a jump
/// to DOCKER) and Docker 28 (docker-c: ip6 nat PREROUTING jumps to an empty DOCKER chain), each
/// with its proxy-true rulesets as iptables-save files, IPv6 on the uplink, containers IPv4-only.
final class VerifyProxySixToFourTests: XCTestCase {
    static let client6 = IPAddress("2001:db8:1::105")!
    static let hostAddress6 = "2001:db8:1::252"

    func testDocker27SixToFour() throws { try verify(era: "b") }

    func testDocker28SixToFour() throws { try verify(era: "c") }

    func verify(era: String) throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ip6tables-nft-restore")
        let snap = try LabCases.build("6-to-4 proxy \(era)")
        defer { snap.remove() }
        let options = Verifier.Options(client6: Self.client6, kinds: ["published-port", "unpublished-port"])
        let results = try LabFixtures.verifyAgreeing(snap, options, "6-to-4 docker-\(era)")

        // Every published port over IPv6 went through docker-proxy, whose own leg is IPv4 from the
        // bridge's address, in the kernel and in the simulation.
        let v6 = results.filter { $0.item.kind == "published-port" && !$0.item.lab.destination.isV4 }
        XCTAssertEqual(Set(v6.map(\.item.lab.name)), Set(["proxy-tcp-8080", "syslog-udp-514", "radius-udp-1812", "dhcp-udp-67"]
            .map { "\($0)-from-2001_db8_1__105" }), "docker-\(era)")
        for r in v6 {
            let name = "docker-\(era) \(r.item.lab.name)"
            XCTAssertEqual(r.item.lab.destination, IPAddress(Self.hostAddress6), name)
            let leg = try XCTUnwrap(r.capture.proxyLeg, name)
            XCTAssertFalse(leg.request.isEmpty, "\(name): no proxy leg in the kernel")
            XCTAssertFalse(leg.reply.isEmpty, "\(name): no reply on the proxy leg in the kernel")
            XCTAssertTrue(r.capture.observation.clientGotReply, "\(name): the IPv6 client got no reply")
            XCTAssertEqual(r.capture.observation.serverSawFrom, "172.20.0.1", "\(name): the container sees the bridge's IPv4 address")
            let simLeg = try XCTUnwrap(r.trace.proxyLeg.first, name)
            XCTAssertTrue(simLeg.request.initial.daddr.isV4, name)
            guard case .delivered(.host, _) = r.trace.request.outcome else { return XCTFail("\(name): \(r.trace.request.outcome)") }
            // No DNAT for the IPv6 request: no nat rule in the simulated walk rewrote it.
            XCTAssertFalse(r.trace.request.events.contains(where: Self.isNat), name)
        }
        // IPv4 from outside is DNATed as ever: the proxy sees nothing.
        for r in results where r.item.kind == "published-port" && r.item.lab.destination.isV4 {
            XCTAssertEqual(r.capture.proxyLeg?.request ?? [], [], "docker-\(era) \(r.item.lab.name)")
            XCTAssertTrue(r.trace.proxyLeg.isEmpty, "docker-\(era) \(r.item.lab.name)")
        }
    }

    static func isNat(_ e: TraceEvent) -> Bool {
        if case .nat = e.kind { return true }
        return false
    }

    /// docker-`era` (b: Docker 27, c: Docker 28) with `userland-proxy: true`, its proxy-true
    /// rulesets as iptables-save files, a global IPv6 address on ens192, IPv4-only containers and
    /// networks, and every port published on `0.0.0.0` and `::` as `docker inspect` lists it.
    static func derivedSnapshot(era: String) throws -> DerivedSnapshot {
        let base = try LabFixtures.path("docker-eras/snapshots/docker-\(era)")
        let saves = try LabFixtures.path("docker-eras/iptables-save")
        func json(_ name: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/" + name)))
        }
        func text(_ o: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        }

        var addrs = try XCTUnwrap(json("ip-addr.json") as? [[String: Any]])
        for (i, a) in addrs.enumerated() where a["ifname"] as? String == "ens192" {
            let extra: [String: Any] = ["family": "inet6", "local": hostAddress6, "prefixlen": 64, "scope": "global"]
            addrs[i]["addr_info"] = (a["addr_info"] as? [Any] ?? []) + [extra]
        }

        var containers = try XCTUnwrap(json("docker-containers.json") as? [[String: Any]])
        for (i, c) in containers.enumerated() {
            guard var settings = c["NetworkSettings"] as? [String: Any], var ports = settings["Ports"] as? [String: Any] else { continue }
            for (k, v) in ports {
                guard let bindings = v as? [[String: Any]] else { continue }
                ports[k] = bindings + bindings.filter { $0["HostIp"] as? String == "0.0.0.0" }.map { $0.merging(["HostIp": "::"]) { $1 } }
            }
            settings["Ports"] = ports
            containers[i]["NetworkSettings"] = settings
        }

        return try DerivedSnapshot(
            base: "docker-\(era)",
            files: ["ip-addr.json": text(addrs), "docker-containers.json": text(containers),
                    "docker-daemon.json": "{\"userland-proxy\": true}\n"],
            copies: ["iptables-save.txt": saves + "/\(era)-proxy-true.iptables-save",
                     "ip6tables-save.txt": saves + "/\(era)-proxy-true.ip6tables-save"])
    }
}
