import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator

/// The article's host, built by hand: its ruleset (parsed from the article's nft text), addresses,
/// Docker network and containers, and the kernel's trace of the radius request and reply
/// (`seed-centos8/summary.txt`) written out as trace events.
enum Seed {
    static let rulesetText = """
    table ip nat {
    \tchain PREROUTING {
    \t\ttype nat hook prerouting priority dstnat; policy accept;
    \t\tfib daddr type local counter jump DOCKER
    \t}
    \tchain OUTPUT {
    \t\ttype nat hook output priority -100; policy accept;
    \t\tip daddr != 127.0.0.0/8 fib daddr type local counter jump DOCKER
    \t}
    \tchain DOCKER {
    \t\tudp dport 514 counter dnat to 172.20.0.3:514
    \t\tudp dport 67 counter dnat to 172.20.0.5:67
    \t\ttcp dport 8080 counter dnat to 172.20.0.2:8080
    \t\tudp dport 1812 counter dnat to 172.20.0.4:1812
    \t}
    \tchain POSTROUTING {
    \t\ttype nat hook postrouting priority srcnat; policy accept;
    \t\toifname "docker1" fib saddr type local counter masquerade
    \t\toifname != "docker1" ip saddr 172.20.0.0/24 counter masquerade
    \t\tip saddr 172.20.0.3 ip daddr 172.20.0.3 udp dport 514 counter masquerade
    \t\tip saddr 172.20.0.5 ip daddr 172.20.0.5 udp dport 67 counter masquerade
    \t\tip saddr 172.20.0.2 ip daddr 172.20.0.2 tcp dport 8080 counter masquerade
    \t\tip saddr 172.20.0.4 ip daddr 172.20.0.4 udp dport 1812 counter masquerade
    \t}
    }
    table ip filter {
    \tchain FORWARD {
    \t\ttype filter hook forward priority filter; policy drop;
    \t\tcounter jump DOCKER-USER
    \t\tcounter jump DOCKER-ISOLATION-STAGE-1
    \t\toifname "docker1" ct state established,related counter accept
    \t\toifname "docker1" counter jump DOCKER
    \t\tiifname "docker1" oifname != "docker1" counter accept
    \t\tiifname "docker1" oifname "docker1" counter accept
    \t}
    \tchain DOCKER-ISOLATION-STAGE-1 {
    \t\tcounter return
    \t}
    \tchain DOCKER-USER {
    \t\tcounter return
    \t}
    \tchain DOCKER {
    \t\tiifname != "docker1" oifname "docker1" ip daddr 172.20.0.3 udp dport 514 counter accept
    \t\tiifname != "docker1" oifname "docker1" ip daddr 172.20.0.5 udp dport 67 counter accept
    \t\tiifname != "docker1" oifname "docker1" ip daddr 172.20.0.2 tcp dport 8080 counter accept
    \t\tiifname != "docker1" oifname "docker1" ip daddr 172.20.0.4 udp dport 1812 counter accept
    \t}
    }
    table inet firewalld {
    \tchain filter_FORWARD {
    \t\ttype filter hook forward priority filter + 10; policy accept;
    \t\tct state established,related accept
    \t\tct status dnat accept
    \t\tiifname "lo" accept
    \t\tjump filter_FORWARD_IN_ZONES
    \t\tjump filter_FORWARD_OUT_ZONES
    \t\tct state invalid drop
    \t\treject with icmpx admin-prohibited
    \t}
    \tchain filter_FORWARD_IN_ZONES {
    \t\tiifname "ens192" goto filter_FWDI_public
    \t\tgoto filter_FWDI_public
    \t}
    \tchain filter_FORWARD_OUT_ZONES {
    \t\toifname "ens192" goto filter_FWDO_public
    \t\tgoto filter_FWDO_public
    \t}
    \tchain filter_FWDI_public {
    \t\tmeta l4proto { icmp, ipv6-icmp } accept
    \t}
    \tchain filter_FWDO_public {
    \t\tjump filter_FWDO_public_allow
    \t}
    \tchain filter_FWDO_public_allow {
    \t\tct state new,untracked accept
    \t}
    }
    table ip firewalld {
    \tchain nat_POSTROUTING {
    \t\ttype nat hook postrouting priority srcnat + 10; policy accept;
    \t\tjump nat_POSTROUTING_ZONES
    \t}
    \tchain nat_POSTROUTING_ZONES {
    \t\toifname "ens192" goto nat_POST_public
    \t\tgoto nat_POST_public
    \t}
    \tchain nat_POST_public {
    \t\tjump nat_POST_public_allow
    \t}
    \tchain nat_POST_public_allow {
    \t\toifname != "lo" masquerade
    \t}
    }
    """

    static func ruleset() throws -> Ruleset { try NftText.parse(rulesetText, file: "seed.nft") }

    static func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    static func host(containerName: String = "radius", bridge: String = "docker1", uplink: String = "ens192") -> HostModel {
        HostModel(
            interfaces: [
                Interface(index: 1, name: "lo", linkType: "loopback", addresses: [InterfaceAddress(prefix: IPPrefix("127.0.0.1/8")!, scope: "host")]),
                Interface(index: 2, name: uplink, addresses: [InterfaceAddress(prefix: IPPrefix("10.254.10.252/24")!)]),
                Interface(index: 3, name: bridge, kind: "bridge", addresses: [InterfaceAddress(prefix: IPPrefix("172.20.0.1/24")!)]),
            ],
            sysctls: ["net.bridge.bridge-nf-call-iptables": "1"],
            docker: DockerState(
                networks: [DockerNetwork(id: "7ed8face2e4f", name: "infraserv_infranet", driver: "bridge", bridge: bridge,
                                         subnets: [IPPrefix("172.20.0.0/24")!], gateways: [ip("172.20.0.1")])],
                containers: [DockerContainer(id: "7249b9c4f11d", name: containerName, networkMode: "infraserv_infranet",
                                             endpoints: [ContainerEndpoint(network: "infraserv_infranet", ipv4: ip("172.20.0.4"), ipv4PrefixLength: 24)],
                                             ports: [PortBinding(containerPort: 1812, proto: "udp", hostIP: "0.0.0.0", hostPort: 1812)])],
                userlandProxy: false),
            info: HostInfo(hostname: "docker-host", kernel: "4.18.0-147.el8.x86_64"))
    }

    static func snapshot(ruleset: Ruleset? = nil, host: HostModel? = nil) throws -> Snapshot {
        Snapshot(ruleset: try ruleset ?? Self.ruleset(), host: host ?? Self.host(), rulesetFile: "nft-ruleset.nft", path: "seed")
    }

    static func state(_ iif: String?, _ oif: String?, _ s: String, _ sp: UInt16, _ d: String, _ dp: UInt16) -> PacketState {
        PacketState(iif: iif, oif: oif, saddr: ip(s), daddr: ip(d), proto: .udp, sport: sp, dport: dp)
    }

    static func chain(_ f: Family, _ t: String, _ c: String) -> ChainRef { ChainRef(family: f, table: t, chain: c) }

    static func ev(_ k: TraceEventKind) -> TraceEvent { TraceEvent(k, traced: true) }

    /// The kernel's radius trace (summary.txt, `radius-udp1812`), as hookwalk trace events.
    static func radiusTrace(container: String = "radius", bridge: String = "docker1", uplink: String = "ens192") -> Trace {
        let nat = "nat", filter = "filter"
        let pre = state(uplink, nil, "10.254.10.105", 41003, "10.254.10.252", 1812)
        let dnated = state(uplink, nil, "10.254.10.105", 41003, "172.20.0.4", 1812)
        let fwd = state(uplink, bridge, "10.254.10.105", 41003, "172.20.0.4", 1812)
        let masq = state(uplink, bridge, "172.20.0.1", 41003, "172.20.0.4", 1812)
        let request = PacketTrace(initial: state(nil, nil, "10.254.10.105", 41003, "10.254.10.252", 1812), events: [
            ev(.hook(family: .ip, hook: .prerouting)),
            ev(.chain(BaseChainRef(chain: chain(.ip, nat, "PREROUTING"), type: .nat, hook: .prerouting, priority: -100), pre)),
            ev(.rule(chain: chain(.ip, nat, "PREROUTING"), handle: nil, text: "fib daddr type local counter jump DOCKER", verdict: .jump("DOCKER"))),
            ev(.rule(chain: chain(.ip, nat, "DOCKER"), handle: nil, text: "udp dport 1812 counter dnat to 172.20.0.4:1812", verdict: .accept)),
            ev(.nat(kind: .dnat, before: pre, after: dnated, implicit: false)),
            ev(.route(RouteDecision(kind: .forward, oif: bridge, route: "172.20.0.0/24 dev \(bridge) proto kernel scope link src 172.20.0.1"))),
            ev(.hook(family: .ip, hook: .forward)),
            ev(.chain(BaseChainRef(chain: chain(.ip, filter, "FORWARD"), type: .filter, hook: .forward, priority: 0), fwd)),
            ev(.rule(chain: chain(.ip, filter, "FORWARD"), handle: nil, text: "counter jump DOCKER-USER", verdict: .jump("DOCKER-USER"))),
            ev(.rule(chain: chain(.ip, filter, "DOCKER-USER"), handle: nil, text: "counter return", verdict: .return)),
            ev(.rule(chain: chain(.ip, filter, "FORWARD"), handle: nil, text: "counter jump DOCKER-ISOLATION-STAGE-1", verdict: .jump("DOCKER-ISOLATION-STAGE-1"))),
            ev(.rule(chain: chain(.ip, filter, "DOCKER-ISOLATION-STAGE-1"), handle: nil, text: "counter return", verdict: .return)),
            ev(.rule(chain: chain(.ip, filter, "FORWARD"), handle: nil, text: "oifname \"\(bridge)\" counter jump DOCKER", verdict: .jump("DOCKER"))),
            ev(.rule(chain: chain(.ip, filter, "DOCKER"), handle: nil,
                     text: "iifname != \"\(bridge)\" oifname \"\(bridge)\" ip daddr 172.20.0.4 udp dport 1812 counter accept", verdict: .accept)),
            ev(.chain(BaseChainRef(chain: chain(.inet, "firewalld", "filter_FORWARD"), type: .filter, hook: .forward, priority: 10), fwd)),
            ev(.rule(chain: chain(.inet, "firewalld", "filter_FORWARD"), handle: nil, text: "ct status dnat accept", verdict: .accept)),
            ev(.hook(family: .ip, hook: .postrouting)),
            ev(.chain(BaseChainRef(chain: chain(.ip, nat, "POSTROUTING"), type: .nat, hook: .postrouting, priority: 100), fwd)),
            ev(.policy(chain: chain(.ip, nat, "POSTROUTING"), policy: .accept)),
            ev(.chain(BaseChainRef(chain: chain(.ip, "firewalld", "nat_POSTROUTING"), type: .nat, hook: .postrouting, priority: 110), fwd)),
            ev(.rule(chain: chain(.ip, "firewalld", "nat_POSTROUTING"), handle: nil, text: "jump nat_POSTROUTING_ZONES", verdict: .jump("nat_POSTROUTING_ZONES"))),
            ev(.rule(chain: chain(.ip, "firewalld", "nat_POSTROUTING_ZONES"), handle: nil, text: "goto nat_POST_public", verdict: .goto("nat_POST_public"))),
            ev(.rule(chain: chain(.ip, "firewalld", "nat_POST_public"), handle: nil, text: "jump nat_POST_public_allow", verdict: .jump("nat_POST_public_allow"))),
            ev(.rule(chain: chain(.ip, "firewalld", "nat_POST_public_allow"), handle: nil, text: "oifname != \"lo\" masquerade", verdict: .accept)),
            ev(.nat(kind: .snat, before: fwd, after: masq, implicit: false)),
            ev(.hook(family: .bridge, hook: .output)),
            ev(.hook(family: .bridge, hook: .postrouting)),
        ], outcome: .delivered(endpoint: .container(container), state: state(nil, nil, "172.20.0.1", 41003, "172.20.0.4", 1812)))

        let rBridge = state("vethradius", nil, "172.20.0.4", 1812, "172.20.0.1", 41003)
        let rPre = state(bridge, nil, "172.20.0.4", 1812, "172.20.0.1", 41003)
        let rDemasq = state(bridge, nil, "172.20.0.4", 1812, "10.254.10.105", 41003)
        let rFwd = state(bridge, uplink, "172.20.0.4", 1812, "10.254.10.105", 41003)
        let rOut = state(bridge, uplink, "10.254.10.252", 1812, "10.254.10.105", 41003)
        _ = rBridge
        let reply = PacketTrace(initial: state(nil, nil, "172.20.0.4", 1812, "172.20.0.1", 41003), events: [
            ev(.hook(family: .bridge, hook: .prerouting)),
            ev(.note(.brNetfilterPrerouting(bridge: bridge, v4: true))),
            ev(.hook(family: .ip, hook: .prerouting)),
            ev(.conntrack(.reply(original: FlowTuple(proto: .udp, saddr: IPAddress("10.254.10.105")!, sport: 41003, daddr: IPAddress("10.254.10.252")!, dport: 1812)))),
            ev(.nat(kind: .undoSNAT(icmpError: false), before: rPre, after: rDemasq, implicit: true)),
            ev(.route(RouteDecision(kind: .forward, oif: uplink, gateway: nil, route: "10.254.10.0/24 dev \(uplink)"))),
            ev(.hook(family: .bridge, hook: .input)),
            ev(.hook(family: .ip, hook: .forward)),
            ev(.chain(BaseChainRef(chain: chain(.ip, filter, "FORWARD"), type: .filter, hook: .forward, priority: 0), rFwd)),
            ev(.rule(chain: chain(.ip, filter, "FORWARD"), handle: nil, text: "counter jump DOCKER-USER", verdict: .jump("DOCKER-USER"))),
            ev(.rule(chain: chain(.ip, filter, "DOCKER-USER"), handle: nil, text: "counter return", verdict: .return)),
            ev(.rule(chain: chain(.ip, filter, "FORWARD"), handle: nil, text: "counter jump DOCKER-ISOLATION-STAGE-1", verdict: .jump("DOCKER-ISOLATION-STAGE-1"))),
            ev(.rule(chain: chain(.ip, filter, "DOCKER-ISOLATION-STAGE-1"), handle: nil, text: "counter return", verdict: .return)),
            ev(.rule(chain: chain(.ip, filter, "FORWARD"), handle: nil, text: "iifname \"\(bridge)\" oifname != \"\(bridge)\" counter accept", verdict: .accept)),
            ev(.chain(BaseChainRef(chain: chain(.inet, "firewalld", "filter_FORWARD"), type: .filter, hook: .forward, priority: 10), rFwd)),
            ev(.rule(chain: chain(.inet, "firewalld", "filter_FORWARD"), handle: nil, text: "ct state established,related accept", verdict: .accept)),
            ev(.hook(family: .ip, hook: .postrouting)),
            ev(.nat(kind: .undoDNAT(icmpError: false), before: rFwd, after: rOut, implicit: true)),
        ], outcome: .delivered(endpoint: .external(address: ip("10.254.10.105"), interface: uplink),
                               state: state(nil, nil, "10.254.10.252", 1812, "10.254.10.105", 41003)))
        let scenario = Scenario(from: .external(address: ip("10.254.10.105"), interface: uplink), to: ip("10.254.10.252"),
                                port: 1812, proto: .udp, sport: 41003)
        return Trace(scenario: scenario, request: request, reply: reply)
    }

    static func radiusDoc(id: String = "radius-udp-1812-from-10.254.10.105", title: String = "radius 1812/udp from 10.254.10.105",
                          trace: Trace? = nil) -> ScenarioDoc {
        ScenarioDoc(id: id, title: title, kind: .publishedPort, network: "infraserv_infranet", container: "radius",
                    trace: trace ?? radiusTrace())
    }

    /// The repository's `Templates/`, found from this file's path.
    static var templatesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates").path
    }

    static func tempDir(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hookwalk-render-tests-\(ProcessInfo.processInfo.processIdentifier)")
            .appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return dir
    }
}
