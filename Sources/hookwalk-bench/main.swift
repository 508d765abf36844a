// hookwalk-bench: speed and memory on a large synthetic Docker host, in a release build. Build
// both executables first (the benchmark runs the hookwalk beside it):
//
//     swift build -c release && .build/release/hookwalk-bench [--containers 3000] [--bridges 13] [--jobs N] [--sample 60]
//     swift run -c release hookwalk-bench RULESET.nft [--json RULESET.json]
//     swift run -c release hookwalk-bench make-scale-snapshot DIR [--containers 3000] [--bridges 13]
//     swift run -c release hookwalk-bench many-chains
//
// `many-chains` parses (and validates) 100,000 regular chains, each jumped to from a base chain,
// as nft text and as JSON: both must stay linear in the number of chains (issue 14).
//
// The first form writes the scale host (`ScaleSnapshot`: 13 bridges, 3000 containers each
// publishing one TCP port, ~9,000 rules) into a temporary folder and measures, side by side in
// one run: parsing its ruleset as text and as JSON (in process and through `hookwalk ruleset`)
// against `nft -c -f` on the same text (in a scratch network namespace, as root); simulating
// every published port; `hookwalk generate` on the whole host, with the time of each phase
// and the peak memory; and `dot -Tsvg` over a sample of the same `.dot` files, extrapolated to
// all of them. It ends with the targets of issue 15, each met or not.
//
// The second form parses and simulates a given ruleset, the host synthesized from the ruleset
// itself: one bridge per masqueraded /24 subnet, one container per DNAT target, published on
// the DNAT rule's port, an uplink 192.0.2.1/24 with a client 192.0.2.100. The third writes the
// scale host as a snapshot folder.
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
if args.first == "make-scale-snapshot" {
    exit(makeScaleSnapshot(Array(args.dropFirst())))
}
if args.first == "many-chains" {
    do {
        try benchManyChains()
        print("peak memory      \(peakMemoryMiB())")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("hookwalk-bench: \(error)\n".utf8))
        exit(2)
    }
}
if let first = args.first, !first.hasPrefix("-") {
    exit(benchRuleset(args))
}
exit(benchScaleHost(args))

/// `RULESET.nft [--json RULESET.json]`: parse and simulate a given ruleset.
func benchRuleset(_ arguments: [String]) -> Int32 {
    var args = arguments
    var jsonPath: String?
    if let i = args.firstIndex(of: "--json"), i + 1 < args.count {
        jsonPath = args[i + 1]
        args.removeSubrange(i...(i + 1))
    }
    let textPath = args[0]
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
            print(String(format: "parse nft JSON   %7.3f s  (%d bytes, equal to text: %@)", tJSON, bytes.count, fromJSON.normalized() == ruleset.normalized() ? "yes" : "NO"))
        }
        let host = synthesizeHost(ruleset)
        let snapshot = Snapshot(ruleset: ruleset, host: host, rulesetFile: textPath, path: ".")
        var simulator: Simulator?
        let tInit = seconds { simulator = Simulator(snapshot: snapshot) }
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
        return 2
    }
    return 0
}

/// `make-scale-snapshot DIR [--containers N] [--bridges B]`: writes the scale host.
func makeScaleSnapshot(_ args: [String]) -> Int32 {
    var dir: String?
    var containers = 3000, bridges = 13
    var i = 0
    while i < args.count {
        let a = args[i]
        if (a == "--containers" || a == "--bridges"), i + 1 < args.count, let n = Int(args[i + 1]) {
            if a == "--containers" { containers = n } else { bridges = n }
            i += 2
            continue
        }
        if a.hasPrefix("-") || dir != nil {
            FileHandle.standardError.write(Data("hookwalk-bench: make-scale-snapshot DIR [--containers N] [--bridges B]: unexpected \(a)\n".utf8))
        return 2
        }
        dir = a
        i += 1
    }
    guard let dir else {
        FileHandle.standardError.write(Data("hookwalk-bench: make-scale-snapshot DIR [--containers N] [--bridges B]: give DIR\n".utf8))
        return 2
    }
    do {
        try ScaleSnapshot(containers: containers, bridges: bridges).write(to: dir)
        print("wrote \(dir): \(containers) containers on \(bridges) bridges")
        return 0
    } catch {
        FileHandle.standardError.write(Data("hookwalk-bench: \(error)\n".utf8))
        return 2
    }
}

/// 100,000 regular chains, each jumped to from the base chain (issue 14): parsing and the
/// validation pass must stay linear in the number of chains (the text parser was quadratic:
/// 40,000 chains took 17 s).
func benchManyChains() throws {
    let chainCount = 100_000
    var many = "table ip t {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n"
    for i in 0..<chainCount { many += "\t\tip saddr 10.\(i >> 16 & 255).\(i >> 8 & 255).\(i & 255) jump c\(i)\n" }
    many += "\t}\n"
    for i in 0..<chainCount { many += "\tchain c\(i) {\n\t\tcounter\n\t}\n" }
    many += "}\n"
    var manyRuleset = Ruleset()
    let tMany = try seconds { manyRuleset = try NftText.parse(many, file: "chains.nft") }
    print(String(format: "parse %d chains %7.3f s  (nft text, validated)", chainCount, tMany))
    let manyJSON = Array(NftJSONWriter.write(manyRuleset).utf8)
    let tManyJSON = try seconds { _ = try NftJSON.parse(manyJSON, file: "chains.json") }
    print(String(format: "parse %d chains %7.3f s  (nft JSON, validated)", chainCount, tManyJSON))
}
