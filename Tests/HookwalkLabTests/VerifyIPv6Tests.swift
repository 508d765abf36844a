import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// IPv6 in the lab: docker-c (Docker 28) made dual-stack, with the ruleset Docker 28 writes for an
/// IPv6-enabled network (`c-ipv6-infranet`: ip6 DNATs with `! -s fe80::/10`, the `ip6 raw` drops
/// of direct access, ip6 masquerade). It is loaded from iptables-save files because nft 1.0.6
/// prints the ip6 DNAT targets of its text variant wrongly.
final class VerifyIPv6Tests: XCTestCase {
    static let client6 = IPAddress("2001:db8:1::105")!
    static let v6Addresses = ["proxy": "fd00:20::2", "syslog": "fd00:20::3", "radius": "fd00:20::4", "dhcp": "fd00:20::5"]
    /// ens192's link-local address (EUI-64 of its MAC 32:03:b4:65:f3:ea in docker-c).
    static let hostLinkLocal = IPAddress("fe80::3003:b4ff:fe65:f3ea")!
    static let clientLinkLocal = IPAddress("fe80::105")!

    func testDockerCDualStack() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ip6tables-nft-restore")
        let snap = try LabCases.build("dual-stack c")
        defer { snap.remove() }
        let options = Verifier.Options(client6: Self.client6, kinds: ["published-port", "direct", "egress", "unpublished-port"])
        let results = try LabFixtures.verifyAgreeing(snap, options, "docker-c dual-stack")

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

    /// Docker 28 writes its ip6 DNATs with `! -s fe80::/10`: a neighbour on the uplink sending
    /// from its link-local address is not DNATed, whether it sends to the host's link-local
    /// address or to its global one (legal on the link). Its SYN goes to the host's input, where
    /// nothing listens on the published port in the lab (userland-proxy false), while the global
    /// client's request to the same port is DNATed to the container (`proxy-tcp-8080-from-...`,
    /// played in the same lab and in `testDockerCDualStack`). An unpublished port of the host's
    /// link-local address, where the lab's server listens on the host, checks the answer: it goes
    /// back out of ens192, the link of the request, though docker1 has `fe80::/64` too. (A real
    /// Docker 28 host differs in one point the lab leaves out: with userland-proxy false dockerd
    /// still holds a listening socket on the published TCP port, moby `listenBoundPorts`, so
    /// there the kernel would complete the handshake instead of resetting it.)
    func testLinkLocalClientIsNotDNATed() throws {
        try LabFixtures.skipUnlessLabPossible()
        try LabFixtures.skipUnless(tool: "iptables-nft-restore")
        try LabFixtures.skipUnless(tool: "ip6tables-nft-restore")
        let snap = try LabCases.build("dual-stack c")
        defer { snap.remove() }
        let from = Endpoint.external(address: Self.clientLinkLocal, interface: "ens192")
        let global = IPAddress("2001:db8:1::252")!
        let extras = [
            Scenario(from: from, to: Self.hostLinkLocal, port: 8080, proto: .tcp),
            Scenario(from: from, to: global, port: 8080, proto: .tcp),
            Scenario(from: from, to: Self.hostLinkLocal, port: 1812, proto: .udp),
            Scenario(from: from, to: Self.hostLinkLocal, port: 5999, proto: .tcp),
        ]
        let options = Verifier.Options(client6: Self.client6, kinds: ["published-port", "extra"], extraScenarios: extras)
        let results = try LabFixtures.verifyAgreeing(snap, options, "docker-c dual-stack, link-local client")

        func played(_ to: IPAddress, _ port: UInt16, _ proto: L4Proto = .tcp) throws -> Verifier.Verified {
            try XCTUnwrap(results.first { $0.item.kind == "extra" && $0.item.lab.destination == to && $0.item.lab.port == port && $0.item.lab.proto == proto },
                          "no extra scenario to \(to) \(port)")
        }
        for (to, port, proto) in [(Self.hostLinkLocal, UInt16(8080), L4Proto.tcp), (global, 8080, .tcp), (Self.hostLinkLocal, 1812, .udp)] {
            let r = try played(to, port, proto)
            XCTAssertEqual(r.item.lab.source, Self.clientLinkLocal, "the lab sends from the link-local address")
            guard case .delivered(.host, let seen) = r.trace.request.outcome else { XCTFail("\(to) \(port): \(r.trace.request.outcome)"); continue }
            XCTAssertEqual(seen.daddr, to, "not DNATed")
            XCTAssertFalse(NftTraceFormat.lines(r.trace.request, onlyTraced: false).contains { $0.contains("dnat") })
            // The kernel: the request's packet lines keep the host's address, and the container's
            // server (where a DNAT would have sent it) got nothing.
            let daddrs = r.capture.selection.request.compactMap { l -> IPAddress? in if case .packet(let f) = l.kind { f.daddr } else { nil } }
            XCTAssertFalse(daddrs.isEmpty, "the kernel traced the request")
            XCTAssertEqual(Set(daddrs), [to], "the kernel did not DNAT it")
            XCTAssertEqual(r.item.lab.server, .container(proto == .tcp ? "proxy" : "radius"))
            XCTAssertFalse(r.capture.observation.serverGotRequest)
            XCTAssertFalse(r.capture.observation.clientGotReply)
            // Nothing listens on the lab host's port: the kernel answers the SYN with a reset, out
            // of ens192 (the trace comparison takes a SYN-ACK as TCP's reply, so it is checked here).
            if proto == .tcp {
                let resets = r.capture.selection.packets.compactMap(\.firstPacket).filter { ($0.tcpFlags ?? 0) & 0x04 != 0 }
                XCTAssertEqual(resets.map { "\($0.saddr.map(\.description) ?? "?") -> \($0.daddr.map(\.description) ?? "?") oif \($0.oif ?? "?")" },
                               ["\(to) -> \(Self.clientLinkLocal) oif ens192"], "the kernel's reset")
            }
        }
        // The global client's request to the same port is DNATed to the container.
        let dnatted = try XCTUnwrap(results.first { $0.item.lab.name == "proxy-tcp-8080-from-2001_db8_1__105" })
        guard case .delivered(.container("proxy"), _) = dnatted.trace.request.outcome else { return XCTFail("\(dnatted.trace.request.outcome)") }
        XCTAssertTrue(dnatted.capture.observation.serverGotRequest)

        // The host's answer to the link-local client leaves by ens192, on both sides.
        let answered = try played(Self.hostLinkLocal, 5999)
        XCTAssertTrue(answered.capture.observation.clientGotReply)
        XCTAssertEqual(answered.capture.observation.serverSawFrom, Self.clientLinkLocal.description)
        guard case .delivered(.external(_, "ens192"), _)? = answered.trace.reply?.outcome else {
            return XCTFail("\(String(describing: answered.trace.reply?.outcome))")
        }
        let oifs = answered.capture.selection.reply.compactMap { l -> String? in if case .packet(let f) = l.kind { f.oif } else { nil } }
        XCTAssertTrue(oifs.contains("ens192"), "kernel reply: \(oifs)")
    }

    /// The plan alone (no lab): an extra scenario from a link-local address gives the uplink's
    /// client that address, is sent from it on its link, and needs an uplink with a link-local
    /// address; the snapshot's link-local address of the uplink is the host's in the lab too.
    func testLinkLocalClientPlan() throws {
        let snap = try LabCases.build("dual-stack c")
        defer { snap.remove() }
        let snapshot = try SnapshotLoader.load(path: snap.path)
        let extra = Scenario(from: .external(address: Self.clientLinkLocal, interface: nil), to: Self.hostLinkLocal, port: 8080, proto: .tcp)
        let plan = try VerifyPlan(snapshot: snapshot, client6: Self.client6, kinds: ["extra"], extra: [extra])
        let up = try XCTUnwrap(plan.topology.uplinks.first { $0.name == "ens192" })
        XCTAssertEqual(up.clientLinkLocal, IPPrefix("fe80::105/64"))
        XCTAssertEqual(up.clientAddress6, IPPrefix("2001:db8:1::105/64"), "the global client stays")
        XCTAssertEqual(up.linkLocal, [IPPrefix("fe80::3003:b4ff:fe65:f3ea/64")!])
        XCTAssertEqual(plan.topology.bridges.first { $0.name == "docker1" }?.addresses.contains { $0.address.isLinkLocal }, false,
                       "the kernel makes the bridge's own")
        let item = try XCTUnwrap(plan.items.first)
        XCTAssertEqual(item.scenario.from, .external(address: Self.clientLinkLocal, interface: "ens192"))
        XCTAssertEqual(item.lab.source, Self.clientLinkLocal)
        XCTAssertEqual(item.lab.client, .external(uplink: "ens192"))
        XCTAssertEqual(item.lab.server, .container("proxy"), "Docker means 8080 for the container")

        var bridgeSide = extra
        bridgeSide.from = .external(address: Self.clientLinkLocal, interface: "docker1")
        XCTAssertThrowsError(try VerifyPlan(snapshot: snapshot, client6: Self.client6, kinds: ["extra"], extra: [bridgeSide])) {
            XCTAssertTrue("\($0)".contains("uplinks only"), "\($0)")
        }
        var noLinkLocal = snapshot
        for i in noLinkLocal.host.interfaces.indices { noLinkLocal.host.interfaces[i].addresses.removeAll { $0.address.isLinkLocal } }
        XCTAssertThrowsError(try VerifyPlan(snapshot: noLinkLocal, client6: Self.client6, kinds: ["extra"], extra: [extra])) {
            XCTAssertTrue("\($0)".contains("have none"), "\($0)")
        }
        // A global client still must be on an uplink's subnet.
        XCTAssertThrowsError(try VerifyPlan(snapshot: snapshot, client6: IPAddress("2001:db8:9::1")!))
    }

    /// IPv6 has no ip id: a UDP reply (same ports, swapped) must not pass for its request after
    /// NAT, while the request before and after its DNAT (port kept on the client's side) is one
    /// packet. Lines as `nft monitor trace` printed them in the lab.
    func testIPv6UDPReplyIsNotTheRequest() throws {
        func identity(_ line: String) throws -> PacketIdentity {
            guard case .packet(let f)? = KernelTraceParser.parseLine(line)?.kind else { throw HookwalkTestError("not a packet line: \(line)") }
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
        let saves = try LabFixtures.path("docker-eras/iptables-save")
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
        let base = try LabFixtures.path("docker-eras/snapshots/docker-c")
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
            // The kernel's link-local address (EUI-64 of the interface's MAC), listed after the
            // global one as `ip -j addr` lists it.
            let linkLocal: [String: Any]? = switch a["ifname"] as? String {
            case "ens192": ["family": "inet6", "local": hostLinkLocal.description, "prefixlen": 64, "scope": "link"]
            case "docker1": ["family": "inet6", "local": "fe80::2061:ddff:fe70:a89b", "prefixlen": 64, "scope": "link"]
            default: nil
            }
            if let extra { addrs[i]["addr_info"] = (a["addr_info"] as? [Any] ?? []) + [extra] + [linkLocal].compactMap { $0 } }
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
