import Foundation
import HookwalkLab
import HookwalkModel
import XCTest

/// IPv6 in the lab: docker-c (Docker 28) made dual-stack, with the ruleset Docker 28 writes for an
/// IPv6-enabled network (`c-ipv6-infranet`: ip6 DNATs with `! -s fe80::/10`, the `ip6 raw` drops
/// of direct access, ip6 masquerade). It is loaded from iptables-save files because nft 1.0.6
/// prints the ip6 DNAT targets of its text variant wrongly.
final class VerifyIPv6Tests: XCTestCase {
    static let client6 = IPAddress("2001:db8:1::105")!
    static let v6Addresses = ["proxy": "fd00:20::2", "syslog": "fd00:20::3", "radius": "fd00:20::4", "dhcp": "fd00:20::5"]

    func testDockerCDualStack() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ip6tables-nft-restore")
        let snap = try Self.derivedSnapshot()
        defer { snap.remove() }
        let options = Verifier.Options(client6: Self.client6, kinds: ["published-port", "direct", "egress", "unpublished-port"])
        let results = try LabFixtures.verifyAgreeing(snap.path, options, "docker-c dual-stack")

        // The IPv6 exchanges are there and did what Docker 28 means them to do.
        let v6 = results.filter { $0.item.lab.destination.isV4 == false }
        func outcome(_ name: String) throws -> EndpointObservation {
            try XCTUnwrap(v6.first { $0.item.lab.name == name }, "no scenario \(name) in \(v6.map(\.item.lab.name))").capture.observation
        }
        let c = "2001_db8_1__105"
        XCTAssertTrue(try outcome("proxy-tcp-8080-from-\(c)").clientGotReply, "published tcp 8080 over IPv6")
        XCTAssertTrue(try outcome("radius-udp-1812-from-\(c)").clientGotReply, "published udp 1812 over IPv6")
        XCTAssertFalse(try outcome("dhcp-direct-udp-67-from-\(c)").serverGotRequest, "direct access dropped in ip6 raw")
        let egress = try outcome("infranet-egress-dhcp-to-\(c)")
        XCTAssertTrue(egress.clientGotReply, "IPv6 egress")
        XCTAssertEqual(egress.serverSawFrom, "2001:db8:1::252", "IPv6 egress is masqueraded to the uplink's address")
    }

    /// IPv6 has no ip id: a UDP reply (same ports, swapped) must not pass for its request after
    /// NAT, while the request before and after its DNAT (port kept on the client's side) is one
    /// packet. Lines as `nft monitor trace` printed them in the lab.
    func testIPv6UDPReplyIsNotTheRequest() throws {
        func identity(_ line: String) throws -> PacketIdentity {
            guard case .packet(let f)? = KernelTraceParser.parseLine(line)?.kind else { throw XCTSkip("not a packet line: \(line)") }
            XCTAssertNil(f.ipID)
            return PacketIdentity(f)
        }
        let request = try identity(#"trace id 035916a2 inet __hw_trace pre packet: iif "ens192" ip6 saddr 2001:db8:1::105 ip6 daddr 2001:db8:1::252 "#
            + "ip6 dscp cs0 ip6 ecn not-ect ip6 hoplimit 64 ip6 flowlabel 1 ip6 nexthdr udp ip6 length 12 udp sport 52480 udp dport 1812 udp length 12")
        let dnatted = try identity(#"trace id 11111111 bridge __hw_trace pre packet: iif "vethradius" ip6 saddr 2001:db8:1::105 ip6 daddr fd00:20::4 "#
            + "ip6 nexthdr udp udp sport 52480 udp dport 18120")
        let reply = try identity(#"trace id 7de12ed1 bridge __hw_trace pre packet: iif "vethradius" ip6 saddr fd00:20::4 ip6 daddr 2001:db8:1::105 "#
            + "ip6 dscp cs0 ip6 ecn not-ect ip6 hoplimit 64 ip6 flowlabel 2 ip6 nexthdr udp ip6 length 17 udp sport 1812 udp dport 52480 udp length 17")
        XCTAssertFalse(request.matches(reply))
        XCTAssertFalse(reply.matches(request))
        XCTAssertTrue(request.matches(dnatted))
    }

    /// docker-c with IPv6 on ens192 and docker1, the containers' IPv6 addresses, ports published
    /// on `::` too, IPv6 forwarding on, and the dual-stack ruleset as iptables-save files: by
    /// default Docker 28's own (`c-ipv6-infranet`); other cases on the same host (ufw) pass
    /// theirs, paths of an iptables-save and an ip6tables-save.
    static func derivedSnapshot(rulesets: (iptablesSave: String, ip6tablesSave: String)? = nil) throws -> DerivedSnapshot {
        let saves = try LabFixtures.path("fixtures/docker-eras/iptables-save")
        let rulesets = rulesets ?? (saves + "/c-ipv6-infranet.iptables-save", saves + "/c-ipv6-infranet.ip6tables-save")
        let files = try dualStackFiles()
        func text(_ o: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        }
        return try DerivedSnapshot(
            base: "docker-c",
            files: ["ip-addr.json": text(files.addrs), "docker-networks.json": text(files.networks),
                    "docker-containers.json": text(files.containers), "sysctl.txt": files.sysctl],
            copies: ["iptables-save.txt": rulesets.iptablesSave, "ip6tables-save.txt": rulesets.ip6tablesSave])
    }

    /// docker-c's host files made dual-stack (what `derivedSnapshot` writes), as JSON values a
    /// case on the same host (an internal network) extends before writing them.
    static func dualStackFiles() throws -> (addrs: [[String: Any]], networks: [[String: Any]], containers: [[String: Any]], sysctl: String) {
        let base = try LabFixtures.path("fixtures/docker-eras/snapshots/docker-c")
        func json(_ name: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/" + name)))
        }

        var addrs = try XCTUnwrap(json("ip-addr.json") as? [[String: Any]])
        for (i, a) in addrs.enumerated() {
            let extra: [String: Any]? = switch a["ifname"] as? String {
            case "ens192": ["family": "inet6", "local": "2001:db8:1::252", "prefixlen": 64, "scope": "global"]
            case "docker1": ["family": "inet6", "local": "fd00:20::1", "prefixlen": 64, "scope": "global"]
            default: nil
            }
            if let extra { addrs[i]["addr_info"] = (a["addr_info"] as? [Any] ?? []) + [extra] }
        }

        var networks = try XCTUnwrap(json("docker-networks.json") as? [[String: Any]])
        for (i, n) in networks.enumerated() where n["Name"] as? String == "infranet" {
            networks[i]["EnableIPv6"] = true
            var ipam = n["IPAM"] as? [String: Any] ?? [:]
            ipam["Config"] = (ipam["Config"] as? [Any] ?? []) + [["Subnet": "fd00:20::/64", "Gateway": "fd00:20::1"]]
            networks[i]["IPAM"] = ipam
        }

        var containers = try XCTUnwrap(json("docker-containers.json") as? [[String: Any]])
        for (i, c) in containers.enumerated() {
            let name = (c["Name"] as? String ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard let v6 = v6Addresses[name], var settings = c["NetworkSettings"] as? [String: Any],
                  var nets = settings["Networks"] as? [String: Any], var ep = nets["infranet"] as? [String: Any] else { continue }
            ep["GlobalIPv6Address"] = v6
            ep["GlobalIPv6PrefixLen"] = 64
            ep["IPv6Gateway"] = "fd00:20::1"
            nets["infranet"] = ep
            settings["Networks"] = nets
            if var ports = settings["Ports"] as? [String: Any] {
                for (k, v) in ports {
                    guard let bindings = v as? [[String: Any]] else { continue }
                    ports[k] = bindings + bindings.map { b in b.merging(["HostIp": "::"]) { $1 } }
                }
                settings["Ports"] = ports
            }
            containers[i]["NetworkSettings"] = settings
        }

        let sysctl = try String(contentsOfFile: base + "/sysctl.txt", encoding: .utf8) + "net.ipv6.conf.all.forwarding = 1\n"
        return (addrs, networks, containers, sysctl)
    }
}
