import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// One test (or more) per fact of docs/kernel-facts.md, on small rulesets loaded on the
/// article's topology: ens192 10.254.10.252/24 (client 10.254.10.105), bridge docker1
/// 172.20.0.1/24 with containers a (.2, port veth-a) and b (.3, port veth-b).
final class KernelFactsTests: XCTestCase {
    static func host(brnf: Int = 1) -> HostModel {
        var h = HostModel()
        h.interfaces = [
            Interface(index: 1, name: "lo", linkType: "loopback", addresses: [InterfaceAddress(prefix: IPPrefix("127.0.0.1/8")!, scope: "host")]),
            Interface(index: 2, name: "ens192", addresses: [InterfaceAddress(prefix: IPPrefix("10.254.10.252/24")!)]),
            Interface(index: 3, name: "docker1", kind: "bridge", addresses: [InterfaceAddress(prefix: IPPrefix("172.20.0.1/24")!)]),
            Interface(index: 4, name: "vetha", master: "docker1"),
            Interface(index: 5, name: "vethb", master: "docker1"),
        ]
        h.sysctls = ["net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": String(brnf)]
        h.docker = DockerState(
            networks: [DockerNetwork(id: "n1", name: "net", bridge: "docker1", subnets: [IPPrefix("172.20.0.0/24")!],
                                     gateways: [IPAddress("172.20.0.1")!])],
            containers: [
                DockerContainer(id: "1", name: "a", networkMode: "net",
                                endpoints: [ContainerEndpoint(network: "net", ipv4: IPAddress("172.20.0.2"), ipv4PrefixLength: 24,
                                                              gateway: IPAddress("172.20.0.1"))],
                                ports: [PortBinding(containerPort: 80, proto: "tcp", hostIP: "0.0.0.0", hostPort: 8080)]),
                DockerContainer(id: "2", name: "b", networkMode: "net",
                                endpoints: [ContainerEndpoint(network: "net", ipv4: IPAddress("172.20.0.3"), ipv4PrefixLength: 24,
                                                              gateway: IPAddress("172.20.0.1"))]),
            ],
            userlandProxy: false)
        return h
    }

    static let docker = """
        table ip nat {
            chain PREROUTING { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump DOCKER }
            chain OUTPUT { type nat hook output priority -100; policy accept; fib daddr type local jump DOCKER }
            chain DOCKER { tcp dport 8080 dnat to 172.20.0.2:80 }
            chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept;
                oifname "docker1" fib saddr type local masquerade
                oifname != "docker1" ip saddr 172.20.0.0/24 masquerade
            }
        }
        table ip filter {
            chain FORWARD { type filter hook forward priority filter; policy drop;
                oifname "docker1" ct state established,related accept
                iifname "docker1" oifname "docker1" accept
                iifname != "docker1" oifname "docker1" ip daddr 172.20.0.2 tcp dport 80 accept
                iifname "docker1" oifname != "docker1" accept
            }
        }
        """

    static func sim(_ text: String, host: HostModel = host()) throws -> Simulator {
        let rs = try NftText.parse(text, file: "test.nft")
        return Simulator(snapshot: Snapshot(ruleset: rs, host: host, rulesetFile: "test.nft", path: "."))
    }

    static let client = IPAddress("10.254.10.105")!
    static let hostAddr = IPAddress("10.254.10.252")!

    static func inbound(_ sim: Simulator, port: UInt16 = 8080) -> Trace {
        sim.simulate(Scenario(from: .external(address: client, interface: nil), to: hostAddr, port: port, proto: .tcp, sport: 40000))
    }

    /// (family table chain, kind) of the chain/rule/policy events, as short strings.
    static func steps(_ p: PacketTrace) -> [String] {
        p.events.compactMap { e in
            switch e.kind {
            case .chain(let r, _): return "\(r.chain.table)/\(r.chain.chain)"
            case .rule(let c, let h, _, let v): return "\(c.chain)#\(h ?? -1) \(v.traceText)"
            case .policy(let c, let p): return "\(c.chain) policy \(p.rawValue)"
            default: return nil
            }
        }
    }

    static func chainStates(_ p: PacketTrace) -> [(String, PacketState)] {
        p.events.compactMap { e in
            if case .chain(let r, let s) = e.kind { return ("\(r.chain.family.rawValue) \(r.chain.table) \(r.chain.chain)", s) }
            return nil
        }
    }

    // Fact 1 (docs/kernel-facts.md): accept ends the base chain only; drop ends the packet.
    func testAcceptIsNotFinalAcrossBaseChains() throws {
        let s = try Self.sim(Self.docker + """
            table inet host { chain fwd { type filter hook forward priority 10; policy accept; oifname "docker1" drop } }
            """)
        let t = Self.inbound(s)
        guard case .dropped(let chain, _, _, false) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(chain.description, "inet host fwd")
        XCTAssertTrue(Self.steps(t.request).contains("FORWARD#4 accept"), "\(Self.steps(t.request))")
        XCTAssertNil(t.reply)
    }

    // Fact 2 (docs/kernel-facts.md): named priorities, by family.
    func testNamedPriorities() {
        XCTAssertEqual(Priority.resolve("dstnat", family: .ip), -100)
        XCTAssertEqual(Priority.resolve("dstnat", family: .bridge), -300)
        XCTAssertEqual(Priority.resolve("filter", family: .bridge), -200)
        XCTAssertEqual(Priority.resolve("srcnat + 10", family: .inet), 110)
        XCTAssertEqual(Priority.resolve("raw", family: .ip), -300)
        XCTAssertEqual(Priority.resolve("out", family: .bridge), 100)
        XCTAssertNil(Priority.resolve("out", family: .ip))
    }

    // Fact 3 (docs/kernel-facts.md): a filter chain at -120 runs before a nat chain declared at -150.
    func testNatChainsRunInsideTheNatHook() throws {
        let s = try Self.sim(Self.docker + """
            table ip early { chain pre { type nat hook prerouting priority -150; policy accept; } }
            table ip mid { chain pre { type filter hook prerouting priority -120; policy accept; } }
            """)
        let order = Self.chainStates(Self.inbound(s).request).map(\.0)
        XCTAssertEqual(Array(order.prefix(3)), ["ip mid pre", "ip early pre", "ip nat PREROUTING"])
    }

    // Fact 4 (docs/kernel-facts.md): once a mapping is made, later nat chains of the hook are skipped.
    func testFirstMappingWins() throws {
        let s = try Self.sim(Self.docker + """
            table ip later { chain post { type nat hook postrouting priority srcnat + 10; policy accept; masquerade } }
            """)
        // Inbound: ip nat POSTROUTING makes no mapping, so the later chain masquerades.
        let inbound = Self.inbound(s)
        XCTAssertTrue(Self.chainStates(inbound.request).map(\.0).contains("ip later post"))
        guard case .delivered(_, let seen) = inbound.request.outcome else { return XCTFail() }
        XCTAssertEqual(seen.saddr, IPAddress("172.20.0.1"))
        // Host-local: ip nat POSTROUTING masquerades, the later chain is never evaluated.
        let local = s.simulate(Scenario(from: .host, to: Self.hostAddr, port: 8080, proto: .tcp))
        XCTAssertFalse(Self.chainStates(local.request).map(\.0).contains("ip later post"))
    }

    // Facts 5 and 6 (docs/kernel-facts.md): jump returns, goto does not; only explicit returns show; falling off the end
    // of a regular chain leaves no event.
    func testJumpGotoReturn() throws {
        let s = try Self.sim(Self.docker + """
            table inet t {
                chain fwd { type filter hook forward priority 5; policy drop;
                    jump zones
                    accept comment "after zones"
                }
                chain zones { goto public; drop comment "never" }
                chain public { jump allow }
                chain allow { tcp dport 9 accept }
            }
            """)
        let steps = Self.steps(Self.inbound(s).request)
        let fwd = steps.drop { !$0.hasPrefix("t/fwd") }
        XCTAssertEqual(Array(fwd.prefix(5)), ["t/fwd", "fwd#5 jump zones", "zones#7 goto public", "public#9 jump allow", "fwd#6 accept"])
        let s2 = try Self.sim(Self.docker + """
            table inet t { chain fwd { type filter hook forward priority 5; policy drop; jump sub; }
                           chain sub { return } }
            """)
        let steps2 = Self.steps(Self.inbound(s2).request).drop { !$0.hasPrefix("t/fwd") }
        XCTAssertEqual(Array(steps2.prefix(4)), ["t/fwd", "fwd#3 jump sub", "sub#4 return", "fwd policy drop"])
    }

    // Fact 9 (docs/kernel-facts.md): the reply never crosses a nat chain.
    func testReplySkipsNatChains() throws {
        let t = Self.inbound(try Self.sim(Self.docker))
        let reply = try XCTUnwrap(t.reply)
        XCTAssertFalse(reply.events.contains { if case .chain(let r, _) = $0.kind { return r.type == .nat } else { return false } })
        XCTAssertTrue(reply.outcome.isDelivered)
    }

    // Fact 10 (docs/kernel-facts.md): the reply's destination is de-NATed at -100 in prerouting, its source at 100 in
    // postrouting.
    func testDeNatPositions() throws {
        let s = try Self.sim(Self.docker + """
            table ip late { chain post { type nat hook postrouting priority srcnat + 10; policy accept; masquerade } }
            table ip obs {
                chain pre1 { type filter hook prerouting priority -150; policy accept; }
                chain pre2 { type filter hook prerouting priority -50; policy accept; }
                chain post1 { type filter hook postrouting priority 50; policy accept; }
                chain post2 { type filter hook postrouting priority 150; policy accept; }
            }
            """)
        let reply = try XCTUnwrap(Self.inbound(s).reply)
        let st = Dictionary(Self.chainStates(reply).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(st["ip obs pre1"]?.daddr, IPAddress("172.20.0.1"))
        XCTAssertEqual(st["ip obs pre2"]?.daddr, Self.client)
        XCTAssertEqual(st["ip obs post1"]?.saddr, IPAddress("172.20.0.2"))
        XCTAssertEqual(st["ip obs post2"]?.saddr, Self.hostAddr)
        guard case .delivered(_, let seen)? = Self.inbound(s).reply?.outcome else { return XCTFail() }
        XCTAssertEqual(seen.flowText, "10.254.10.252:8080 -> 10.254.10.105:40000")
    }

    // Fact 12 (docs/kernel-facts.md): `ct status dnat` matches the request after the dnat; `ct state established` the reply.
    func testCtStatusAndState() throws {
        let s = try Self.sim(Self.docker + """
            table inet fw { chain fwd { type filter hook forward priority 10; policy drop;
                ct state established,related accept
                ct status dnat accept
            } }
            """)
        let t = Self.inbound(s)
        XCTAssertTrue(Self.steps(t.request).contains("fwd#3 accept"))
        XCTAssertTrue(Self.steps(try XCTUnwrap(t.reply)).contains("fwd#2 accept"))
    }

    // Fact 13 (docs/kernel-facts.md): every host address is `fib daddr type local`, 127.0.0.1 included.
    func testFibLocal() throws {
        let s = try Self.sim("""
            table ip t { chain pre { type filter hook prerouting priority 0; policy accept; fib daddr type local counter } }
            """)
        for a in ["10.254.10.252", "172.20.0.1", "127.0.0.1"] {
            let t = s.simulate(Scenario(from: .external(address: Self.client, interface: nil), to: IPAddress(a)!, port: 9, proto: .udp))
            XCTAssertTrue(Self.steps(t.request).contains("pre#2 continue"), a)
        }
        let t = s.simulate(Scenario(from: .external(address: Self.client, interface: nil), to: IPAddress("172.20.0.2")!, port: 9, proto: .udp))
        XCTAssertFalse(Self.steps(t.request).contains("pre#2 continue"))
    }

    // Fact 14 (docs/kernel-facts.md): host-local traffic enters at output with oif lo, is DNATed, re-routed to docker1
    // and masqueraded by `oifname "docker1" fib saddr type local`.
    func testHostLocal() throws {
        let t = try Self.sim(Self.docker).simulate(Scenario(from: .host, to: Self.hostAddr, port: 8080, proto: .tcp, sport: 40001))
        let states = Self.chainStates(t.request)
        XCTAssertEqual(states.first?.0, "ip nat OUTPUT")
        XCTAssertEqual(states.first?.1.oif, "lo")
        XCTAssertEqual(states.last?.0, "ip nat POSTROUTING")
        XCTAssertEqual(states.last?.1.oif, "docker1")
        guard case .delivered(.container("a"), let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(seen.flowText, "172.20.0.1:40001 -> 172.20.0.2:80")
        guard case .delivered(.host, let back)? = t.reply?.outcome else { return XCTFail() }
        XCTAssertEqual(back.flowText, "10.254.10.252:8080 -> 10.254.10.252:40001")
    }

    // Fact 15 (docs/kernel-facts.md): a limited broadcast is not local for fib, reaches the host, never the container.
    func testLimitedBroadcast() throws {
        let t = try Self.sim(Self.docker).simulate(Scenario(from: .external(address: Self.client, interface: nil),
                                                            to: IPAddress("255.255.255.255")!, port: 8080, proto: .tcp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertNil(t.reply, "nobody answers: the container publishing 8080 never sees it")
    }

    static let bridgeObservers = """
        table bridge obs {
            chain pre1 { type filter hook prerouting priority -200; policy accept; }
            chain pre2 { type filter hook prerouting priority 100; policy accept; }
            chain in { type filter hook input priority 0; policy accept; }
            chain fwd { type filter hook forward priority 0; policy accept; }
            chain out { type filter hook output priority 0; policy accept; }
            chain post { type filter hook postrouting priority 0; policy accept; }
        }
        """

    // Fact 16 (docs/kernel-facts.md): br_netfilter on: bridge prerouting up to 0, ip prerouting (iif docker1), the rest
    // of bridge prerouting, bridge input (de-NATed addresses), ip forward, ip postrouting.
    func testReplyWithBrNetfilter() throws {
        let reply = try XCTUnwrap(Self.inbound(try Self.sim(Self.docker + Self.bridgeObservers)).reply)
        let states = Self.chainStates(reply)
        XCTAssertEqual(states.map(\.0), ["bridge obs pre1", "bridge obs pre2", "bridge obs in", "ip filter FORWARD"])
        XCTAssertEqual(states[0].1.iif, "vetha")
        XCTAssertEqual(states[2].1.daddr, Self.client)
        XCTAssertEqual(states[3].1.iif, "docker1")
        let hooks = reply.events.compactMap { e -> String? in
            if case .hook(let f, let h) = e.kind { return "\(f.rawValue) \(h.rawValue)" } else { return nil }
        }
        XCTAssertEqual(hooks.prefix(4), ["bridge prerouting", "ip prerouting", "bridge prerouting", "bridge input"])
    }

    // Fact 17 (docs/kernel-facts.md): br_netfilter off: bridge prerouting, bridge input with the old addresses, then ip
    // prerouting with iif docker1.
    func testReplyWithoutBrNetfilter() throws {
        let reply = try XCTUnwrap(Self.inbound(try Self.sim(Self.docker + Self.bridgeObservers, host: Self.host(brnf: 0))).reply)
        let states = Self.chainStates(reply)
        XCTAssertEqual(states.map(\.0), ["bridge obs pre1", "bridge obs pre2", "bridge obs in", "ip filter FORWARD"])
        XCTAssertEqual(states[2].1.daddr, IPAddress("10.254.10.105"), "no masquerade here: the client address is seen")
        let hooks = reply.events.compactMap { e -> String? in
            if case .hook(let f, let h) = e.kind { return "\(f.rawValue) \(h.rawValue)" } else { return nil }
        }
        XCTAssertEqual(hooks.prefix(3), ["bridge prerouting", "bridge input", "ip prerouting"])
    }

    // Fact 18 (docs/kernel-facts.md): routed into the bridge: ip postrouting, then bridge output and postrouting,
    // already masqueraded, oif the port.
    func testRoutedIntoBridge() throws {
        let s = try Self.sim(Self.docker + Self.bridgeObservers + """
            table ip later { chain post { type nat hook postrouting priority srcnat + 10; policy accept; masquerade } }
            """)
        let states = Self.chainStates(Self.inbound(s).request)
        let tail = states.suffix(2)
        XCTAssertEqual(tail.map(\.0), ["bridge obs out", "bridge obs post"])
        XCTAssertEqual(tail.first?.1.oif, "vetha")
        XCTAssertEqual(tail.first?.1.saddr, IPAddress("172.20.0.1"))
    }

    // Fact 19 (docs/kernel-facts.md): hairpin with br_netfilter: dnat in ip prerouting, the frame is bridged, ip forward
    // runs with iif = oif = docker1, ip postrouting with no iif; the reply matches the ct rule.
    func testHairpin() throws {
        let s = try Self.sim(Self.docker + Self.bridgeObservers)
        let t = s.simulate(Scenario(from: .container("b"), to: Self.hostAddr, port: 8080, proto: .tcp, sport: 40002))
        let states = Self.chainStates(t.request)
        let fwd = try XCTUnwrap(states.first { $0.0 == "ip filter FORWARD" })
        XCTAssertEqual(fwd.1.iif, "docker1")
        XCTAssertEqual(fwd.1.oif, "docker1")
        XCTAssertTrue(states.contains { $0.0 == "bridge obs fwd" })
        let post = try XCTUnwrap(states.first { $0.0 == "ip nat POSTROUTING" })
        XCTAssertNil(post.1.iif)
        XCTAssertTrue(Self.steps(t.request).contains("FORWARD#3 accept"))
        guard case .delivered(.container("a"), let seen) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(seen.saddr, IPAddress("172.20.0.3"), "no masquerade rule matches a container source here")
        XCTAssertTrue(Self.steps(try XCTUnwrap(t.reply)).contains("FORWARD#2 accept"))
        guard case .delivered(.container("b"), let back)? = t.reply?.outcome else { return XCTFail() }
        XCTAssertEqual(back.flowText, "10.254.10.252:8080 -> 172.20.0.3:40002")
    }

    // Fact 20 (docs/kernel-facts.md): the nft monitor trace form.
    func testTraceLines() throws {
        let lines = NftTraceFormat.lines(Self.inbound(try Self.sim(Self.docker)).request, onlyTraced: false)
        XCTAssertEqual(lines.first, "ip nat PREROUTING packet: iif \"ens192\" ip saddr 10.254.10.105 ip daddr 10.254.10.252 tcp sport 40000 tcp dport 8080 tcp flags == syn")
        XCTAssertTrue(lines[1].hasSuffix("jump DOCKER # handle 5 (verdict jump DOCKER)"), lines[1])
        XCTAssertTrue(lines.contains("ip nat POSTROUTING policy accept"))
    }

    // nftrace: with a ruleset that sets it, only traced packets print, from the setting rule on.
    func testNftraceGatesTheTrace() throws {
        let s = try Self.sim(Self.docker + """
            table inet tr { chain pre { type filter hook prerouting priority -500; policy accept; tcp dport 8080 meta nftrace set 1 } }
            """)
        XCTAssertTrue(s.rulesetSetsNftrace)
        let t = Self.inbound(s)
        let lines = NftTraceFormat.lines(t.request, onlyTraced: true)
        XCTAssertTrue(lines[0].hasPrefix("inet tr pre packet:"), lines[0])
        XCTAssertEqual(NftTraceFormat.lines(try XCTUnwrap(t.reply), onlyTraced: true), [], "the reply (sport 80) is not traced")
    }

    func testUnpublishedPortHitsThePolicy() throws {
        let t = Self.inbound(try Self.sim(Self.docker), port: 9999)
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        let direct = try Self.sim(Self.docker).simulate(Scenario(from: .external(address: Self.client, interface: nil),
                                                                 to: IPAddress("172.20.0.2")!, port: 9999, proto: .tcp))
        guard case .dropped(let c, nil, _, _) = direct.request.outcome else { return XCTFail("\(direct.request.outcome)") }
        XCTAssertEqual(c.description, "ip filter FORWARD")
    }

    func testNotModelledIsSaidNotGuessed() throws {
        let s = try Self.sim(Self.docker + """
            table inet x { chain fwd { type filter hook forward priority 5; policy accept; meta skuid 0 drop } }
            """)
        let t = Self.inbound(s)
        XCTAssertTrue(t.request.events.contains { if case .notModelled(_, _, let text, _) = $0.kind { return text.description.contains("skuid") } else { return false } })
        XCTAssertTrue(t.request.outcome.isDelivered)
    }
}
