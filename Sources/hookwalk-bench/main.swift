// hookwalk-bench: speed and memory on a large synthetic Docker host, in a release build:
//
//     swift run -c release hookwalk-bench [RULESET.nft] [--json RULESET.json]
//
// RULESET: a big.nft-shaped listing (3000 published ports, ~9,000 rules). The host
// around it is synthesized from the ruleset itself: one bridge per masqueraded /24 subnet, one
// container per DNAT target, published on the DNAT rule's port, an uplink 192.0.2.1/24 with a
// client 192.0.2.100. Targets (from the engine issue): parse faster than `nft -c -f` (~0.5 s
// here) and simulate the request and reply of every port in about a second.
import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func peakMemoryMiB() -> String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return "?" }
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return String(format: "%.0f MiB", kb / 1024)
}

/// Containers and bridges implied by a Docker-shaped ruleset.
func synthesizeHost(_ ruleset: Ruleset) -> HostModel {
    var host = HostModel()
    host.interfaces = [
        Interface(index: 1, name: "lo", linkType: "loopback", addresses: [InterfaceAddress(prefix: IPPrefix("127.0.0.1/8")!, scope: "host")]),
        Interface(index: 2, name: "eth0", addresses: [InterfaceAddress(prefix: IPPrefix("192.0.2.1/24")!)]),
    ]
    var subnets: [(String, IPPrefix)] = []
    for t in ruleset.tables where t.family == .ip && t.name == "nat" {
        for c in t.chains { for r in c.rules {
            var bridge: String?, subnet: IPPrefix?
            for s in r.stmts {
                if case .match(.meta("oifname"), .ne, .value(.string(let b))) = s { bridge = b }
                if case .match(.payload("ip", "saddr"), .eq, .value(.prefix(let a, let l))) = s { subnet = IPPrefix(IPAddress(a)!, l) }
            }
            if let bridge, let subnet, !subnets.contains(where: { $0.0 == bridge }) { subnets.append((bridge, subnet)) }
        } }
    }
    var index = 3
    var networks: [DockerNetwork] = []
    for (bridge, subnet) in subnets {
        guard case .v4(let net) = subnet.network else { continue }
        let gw = IPAddress.v4(net + 1)
        host.interfaces.append(Interface(index: index, name: bridge, kind: "bridge", addresses: [InterfaceAddress(prefix: IPPrefix(gw, subnet.length))]))
        index += 1
        networks.append(DockerNetwork(id: bridge, name: bridge, bridge: bridge, subnets: [subnet], gateways: [gw]))
    }
    var containers: [DockerContainer] = []
    for t in ruleset.tables where t.family == .ip && t.name == "nat" {
        for r in t.chain("DOCKER")?.rules ?? [] {
            var port: UInt64?, target: IPAddress?, cport: UInt64?
            for s in r.stmts {
                if case .match(.payload(_, "dport"), .eq, .value(.number(let p))) = s { port = p }
                if case .nat(let n) = s, case .value(.string(let a))? = n.addr { target = IPAddress(a) }
                if case .nat(let n) = s, case .value(.number(let p))? = n.port { cport = p }
            }
            guard let port, let target, let network = networks.first(where: { $0.subnets[0].contains(target) }) else { continue }
            let name = "c\(containers.count)"
            containers.append(DockerContainer(
                id: name, name: name, networkMode: network.name,
                endpoints: [ContainerEndpoint(network: network.name, ipv4: target, ipv4PrefixLength: network.subnets[0].length, gateway: network.gateways[0])],
                ports: [PortBinding(containerPort: Int(cport ?? port), proto: "tcp", hostIP: "0.0.0.0", hostPort: Int(port))]))
        }
    }
    host.docker = DockerState(networks: networks, containers: containers, userlandProxy: false)
    host.sysctls = ["net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": "1"]
    return host
}

var args = Array(CommandLine.arguments.dropFirst())
var jsonPath: String?
if let i = args.firstIndex(of: "--json"), i + 1 < args.count {
    jsonPath = args[i + 1]
    args.removeSubrange(i...(i + 1))
}
guard let textPath = args.first else {
    FileHandle.standardError.write(Data("usage: hookwalk-bench RULESET.nft [--json RULESET.json]\n".utf8))
    exit(2)
}

do {
    let text = try String(contentsOfFile: textPath, encoding: .utf8)
    var ruleset = Ruleset()
    let tText = try seconds { ruleset = try NftText.parse(text, file: textPath) }
    let rules = ruleset.tables.flatMap(\.chains).map(\.rules.count).reduce(0, +)
    print(String(format: "parse nft text   %7.3f s  (%d tables, %d rules)", tText, ruleset.tables.count, rules))
    if let jsonPath {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: jsonPath)))
        var fromJSON = Ruleset()
        let tJSON = try seconds { fromJSON = try NftJSON.parse(bytes, file: jsonPath) }
        print(String(format: "parse nft JSON   %7.3f s  (%d bytes, equal to text: %@)", tJSON, bytes.count, fromJSON == ruleset ? "yes" : "NO"))
    }
    let host = synthesizeHost(ruleset)
    let snapshot = Snapshot(ruleset: ruleset, host: host, rulesetFile: textPath, path: ".")
    var simulator: Simulator?
    let tInit = seconds { simulator = Simulator(snapshot: snapshot, ruleText: NftTextWriter.ruleText) }
    print(String(format: "index ruleset    %7.3f s", tInit))
    let client = IPAddress("192.0.2.100")!
    let scenarios = host.docker.containers.flatMap { c in
        c.ports.map { Scenario(from: .external(address: client, interface: nil), to: IPAddress("192.0.2.1")!, port: UInt16($0.hostPort), proto: .tcp) }
    }
    var delivered = 0
    let tSim = seconds {
        for s in scenarios {
            let t = simulator!.simulate(s)
            if t.request.outcome.isDelivered, t.reply?.outcome.isDelivered == true { delivered += 1 }
        }
    }
    print(String(format: "simulate         %7.3f s  (%d ports, request + reply; %d answered end to end)", tSim, scenarios.count, delivered))
    print("peak memory      \(peakMemoryMiB())")
} catch {
    FileHandle.standardError.write(Data("hookwalk-bench: \(error)\n".utf8))
    exit(2)
}
