import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// IPv6 takes the same path as IPv4 with ip6/inet tables, IPv6 routes derived from the addresses
/// when the snapshot's `ip route` listing has none, and bridge-nf-call-ip6tables for bridges.
final class IPv6Tests: XCTestCase {
    static func host(brnf6: Int = 1) -> HostModel {
        var h = HostModel()
        h.interfaces = [
            Interface(index: 1, name: "lo", linkType: "loopback", addresses: [
                InterfaceAddress(prefix: IPPrefix("127.0.0.1/8")!, scope: "host"), InterfaceAddress(prefix: IPPrefix("::1/128")!, scope: "host")]),
            Interface(index: 2, name: "ens192", addresses: [
                InterfaceAddress(prefix: IPPrefix("10.254.10.252/24")!), InterfaceAddress(prefix: IPPrefix("2001:db8:1::252/64")!)]),
            Interface(index: 3, name: "docker1", kind: "bridge", addresses: [
                InterfaceAddress(prefix: IPPrefix("172.20.0.1/24")!), InterfaceAddress(prefix: IPPrefix("fd00:20::1/64")!)]),
            Interface(index: 4, name: "vethweb", master: "docker1"),
        ]
        // An IPv4-only route listing, as `ip -j route show table all` gives.
        h.routes = [Route(table: "main", destination: IPPrefix("10.254.10.0/24")!, device: "ens192", preferredSource: IPAddress("10.254.10.252"))]
        h.sysctls = ["net.ipv6.conf.all.forwarding": "1", "net.bridge.bridge-nf-call-ip6tables": String(brnf6)]
        h.docker = DockerState(
            networks: [DockerNetwork(id: "n", name: "net", bridge: "docker1", subnets: [IPPrefix("172.20.0.0/24")!, IPPrefix("fd00:20::/64")!],
                                     gateways: [IPAddress("172.20.0.1")!, IPAddress("fd00:20::1")!], enableIPv6: true)],
            containers: [DockerContainer(id: "1", name: "web", networkMode: "net",
                                         endpoints: [ContainerEndpoint(network: "net", ipv4: IPAddress("172.20.0.2"), ipv4PrefixLength: 24,
                                                                       ipv6: IPAddress("fd00:20::2"), gateway: IPAddress("172.20.0.1"))],
                                         ports: [PortBinding(containerPort: 80, proto: "tcp", hostIP: "::", hostPort: 8080)])],
            userlandProxy: false)
        return h
    }

    static let ruleset = """
        table ip6 nat {
            chain PREROUTING { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump DOCKER }
            chain DOCKER { ip6 saddr != fe80::/10 tcp dport 8080 dnat to [fd00:20::2]:80 }
            chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept; oifname != "docker1" ip6 saddr fd00:20::/64 masquerade }
        }
        table ip6 filter {
            chain FORWARD { type filter hook forward priority filter; policy drop;
                oifname "docker1" ct state established,related accept
                iifname != "docker1" oifname "docker1" ip6 daddr fd00:20::2 tcp dport 80 accept
                iifname "docker1" accept
            }
        }
        """

    func sim(brnf6: Int = 1) throws -> Simulator {
        Simulator(snapshot: Snapshot(ruleset: try NftText.parse(Self.ruleset, file: "v6.nft"), host: Self.host(brnf6: brnf6),
                                     rulesetFile: "v6.nft", path: "."))
    }

    /// An IPv6 client gets the IPv6 forms of what the catalog documents per network: the published
    /// port on the host's IPv6 address (the binding is `::`), a direct access to the container's
    /// IPv6 address, and the container's IPv6 egress; an IPv4 client gets none of those over IPv6.
    func testCatalogDocumentsIPv6ForIPv6Clients() throws {
        let snap = Snapshot(ruleset: try NftText.parse(Self.ruleset, file: "v6.nft"), host: Self.host(), rulesetFile: "v6.nft", path: ".")
        let c4 = IPAddress("10.254.10.105")!, c6 = IPAddress("2001:db8:1::105")!
        let docs = ScenarioCatalog.scenarios(for: snap, clients: [c4, c6])
        func find(_ kind: ScenarioKind, _ v4: Bool) -> [DocScenario] {
            docs.filter { d in
                guard d.kind == kind else { return false }
                return d.scenario.to.isV4 == v4
            }
        }
        XCTAssertEqual(find(.publishedPort, false).map(\.scenario.to), [IPAddress("2001:db8:1::252")!])
        XCTAssertEqual(find(.publishedPort, true), [], "the binding is on :: only")
        XCTAssertEqual(find(.direct, false).map(\.scenario.to), [IPAddress("fd00:20::2")!])
        XCTAssertEqual(find(.direct, true).map(\.scenario.to), [IPAddress("172.20.0.2")!])
        XCTAssertEqual(find(.egress, false).map(\.scenario.to), [c6])
        XCTAssertEqual(find(.egress, false).map(\.id), ["net-egress-web-to-2001_db8_1__105"])
        XCTAssertEqual(find(.egress, true).map(\.scenario.to), [c4])
        // They simulate as the ruleset says: the forward rule for the published port accepts the
        // direct access, and the ip6 masquerade rewrites the egress.
        let sim = try sim()
        let direct = sim.simulate(try XCTUnwrap(find(.direct, false).first).scenario)
        guard case .delivered(.container("web"), _) = direct.request.outcome else { return XCTFail("\(direct.request.outcome)") }
        let egress = sim.simulate(try XCTUnwrap(find(.egress, false).first).scenario)
        guard case .delivered(.external, let seen) = egress.request.outcome else { return XCTFail("\(egress.request.outcome)") }
        XCTAssertEqual(seen.saddr, IPAddress("2001:db8:1::252"), "masqueraded to the uplink's IPv6 address")
    }

    func testPublishedPortOverIPv6() throws {
        let t = try sim().simulate(Scenario(from: .external(address: IPAddress("2001:db8:1::105")!, interface: nil),
                                            to: IPAddress("2001:db8:1::252")!, port: 8080, proto: .tcp, sport: 40200))
        guard case .delivered(.container("web"), let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(seen.flowText, "[2001:db8:1::105]:40200 -> [fd00:20::2]:80")
        guard case .delivered(.external, let back)? = t.reply?.outcome else { return XCTFail("\(String(describing: t.reply?.outcome))") }
        XCTAssertEqual(back.flowText, "[2001:db8:1::252]:8080 -> [2001:db8:1::105]:40200")
        XCTAssertTrue(NftTraceFormat.lines(t.request, onlyTraced: false).contains { $0.hasPrefix("ip6 nat DOCKER rule") })
    }

    func testEgressOverIPv6IsMasqueraded() throws {
        let t = try sim().simulate(Scenario(from: .container("web"), to: IPAddress("2001:db8:1::105")!, port: 443, proto: .tcp, sport: 40201))
        guard case .delivered(.external, let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(seen.saddr, IPAddress("2001:db8:1::252"))
        XCTAssertTrue(t.reply?.outcome.isDelivered ?? false)
    }

    func testIPv4StillUsesItsOwnTables() throws {
        let t = try sim().simulate(Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil),
                                            to: IPAddress("10.254.10.252")!, port: 8080, proto: .tcp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("no ip nat table: \(t.request.outcome)") }
    }
    // MARK: Link-local clients (Docker 28's `ip6 saddr != fe80::/10` on its DNATs)

    static let hostLinkLocal = IPAddress("fe80::3003:b4ff:fe65:f3ea")!
    static let clientLinkLocal = IPAddress("fe80::105")!

    /// `host()` with the link-local addresses `ip -j addr` lists on the uplink and the bridge:
    /// two links with `fe80::/64`. `bridgeFirst` lists the bridge first, so that a lookup that
    /// ignores the link would take the bridge's route.
    static func linkLocalHost(bridgeFirst: Bool = false) -> HostModel {
        var h = host()
        for (name, a) in [("ens192", hostLinkLocal), ("docker1", IPAddress("fe80::2061:ddff:fe70:a89b")!)] {
            let i = h.interfaces.firstIndex { $0.name == name }!
            h.interfaces[i].addresses.append(InterfaceAddress(prefix: IPPrefix(a, 64), scope: "link"))
        }
        if bridgeFirst {
            let bridge = h.interfaces.remove(at: h.interfaces.firstIndex { $0.name == "docker1" }!)
            h.interfaces.insert(bridge, at: 1)
        }
        return h
    }

    func linkLocalSim(bridgeFirst: Bool = false) throws -> Simulator {
        Simulator(snapshot: Snapshot(ruleset: try NftText.parse(Self.ruleset, file: "v6.nft"), host: Self.linkLocalHost(bridgeFirst: bridgeFirst),
                                     rulesetFile: "v6.nft", path: "."))
    }

    /// From a link-local source the DNAT does not match, to the host's link-local address or to
    /// its global one: the SYN goes to the host's input, where nothing answers for the published
    /// port (userland-proxy false), while the global client of `testPublishedPortOverIPv6` is DNATed.
    func testLinkLocalClientIsNotDNATed() throws {
        let sim = try linkLocalSim()
        for to in [Self.hostLinkLocal, IPAddress("2001:db8:1::252")!] {
            let t = sim.simulate(Scenario(from: .external(address: Self.clientLinkLocal, interface: "ens192"), to: to, port: 8080, proto: .tcp, sport: 40300))
            guard case .delivered(.host, let seen) = t.request.outcome else { return XCTFail("\(to): \(t.request.outcome)") }
            XCTAssertEqual(seen.flowText, "[fe80::105]:40300 -> [\(to)]:8080")
            let lines = NftTraceFormat.lines(t.request, onlyTraced: false)
            XCTAssertTrue(lines.contains { $0.contains("verdict jump DOCKER") }, "the DOCKER chain is consulted: \(lines)")
            XCTAssertFalse(lines.contains { $0.contains("dnat") }, "its dnat rule does not match: \(lines)")
            XCTAssertNil(t.reply, "nothing answers for a published port on the host with userland-proxy false")
        }
    }

    /// The host answers a link-local client on the link the request came in on, whatever link
    /// comes first in the routes (every link has `fe80::/64`).
    func testReplyToLinkLocalClientLeavesByItsLink() throws {
        for bridgeFirst in [false, true] {
            let t = try linkLocalSim(bridgeFirst: bridgeFirst).simulate(
                Scenario(from: .external(address: Self.clientLinkLocal, interface: "ens192"), to: Self.hostLinkLocal, port: 5999, proto: .tcp, sport: 40301))
            guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
            guard case .delivered(.external(_, let out), let back)? = t.reply?.outcome else {
                return XCTFail("bridge first: \(bridgeFirst): \(String(describing: t.reply?.outcome))")
            }
            XCTAssertEqual(out, "ens192")
            XCTAssertEqual(back.flowText, "[\(Self.hostLinkLocal)]:5999 -> [fe80::105]:40301")
        }
    }

    /// A link-local address does not say its link: with one link it is that one; with several
    /// the scenario must name it, and the host cannot send to one without an interface.
    func testLinkLocalNeedsItsLink() throws {
        XCTAssertEqual(try sim().arrivalInterface(for: Self.clientLinkLocal), nil, "no link-local route at all")
        let sim = try linkLocalSim()
        XCTAssertNil(sim.arrivalInterface(for: Self.clientLinkLocal), "two links have fe80::/64")
        let t = sim.simulate(Scenario(from: .external(address: Self.clientLinkLocal, interface: nil), to: Self.hostLinkLocal, port: 8080, proto: .tcp))
        guard case .unroutable(let why) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(why.contains("must say which interface"), why)
        let fromHost = sim.simulate(Scenario(from: .host, to: Self.clientLinkLocal, port: 22, proto: .tcp))
        guard case .unroutable(let refused) = fromHost.request.outcome else { return XCTFail("\(fromHost.request.outcome)") }
        XCTAssertTrue(refused.contains("Invalid argument"), refused)

        var one = Self.linkLocalHost()
        let d = one.interfaces.firstIndex { $0.name == "docker1" }!
        one.interfaces[d].addresses.removeAll { $0.address.isLinkLocal }
        let single = Simulator(snapshot: Snapshot(ruleset: try NftText.parse(Self.ruleset, file: "v6.nft"), host: one, rulesetFile: "v6.nft", path: "."))
        XCTAssertEqual(single.arrivalInterface(for: Self.clientLinkLocal), "ens192")
    }
}
