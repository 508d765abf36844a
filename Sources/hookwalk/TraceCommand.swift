import ArgumentParser
import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator

/// `hookwalk trace`: one request and its reply, simulated on a snapshot.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Simulate one request and the reply the receiver sends back.",
        discussion: """
            ENDPOINT is an external address (it arrives on the interface the host routes it back through), \
            a container name or address, or `host` (a local process).
            Example: hookwalk trace Examples/seed-centos8 --from 10.254.10.105 --to 10.254.10.252:1812/udp
            """
    )

    @Argument(help: "A snapshot folder.")
    var snapshot: String

    @Option(help: "Who sends the request: an address, a container name, or `host`.")
    var from: String

    @Option(help: "Destination as ADDR:PORT/PROTO, e.g. 10.254.10.252:1812/udp or [fd00::1]:80/tcp.")
    var to: String

    @Option(help: "Source port of the request.")
    var sport: UInt16 = 41000

    @Option(help: "Which branch to follow where the ruleset spreads connections (numgen, iptables statistic): 0, the default, takes the first element of each map; the trace lists the others.")
    var branch: Int = 0

    @Option(help: "Output: text (for people), nft (as `nft monitor trace` prints it), json.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, nft, json
    }

    func run() throws {
        let output = try runReportingErrors { () throws -> String in
            let snap = try SnapshotLoader.load(path: snapshot)
            let sim = Simulator(snapshot: snap)
            let (addr, port, proto) = try EndpointSyntax.destination(to)
            guard sport >= 1 else { throw HookwalkError("--sport \(sport): a source port is 1-65535") }
            let sender = try EndpointSyntax.endpoint(from, snapshot: snap)
            try EndpointSyntax.checkFamily(sender, from: from, to: addr, snapshot: snap)
            let scenario = Scenario(from: sender, to: addr, port: port, proto: proto, sport: sport)
            let trace: Trace
            if branch == 0 {
                trace = sim.simulate(scenario)
            } else {
                let all = sim.branches(scenario)
                guard branch > 0, branch < all.count else {
                    throw HookwalkError(all.count == 1
                        ? "--branch \(branch): this path has no branches (no numgen or statistic rule on it): only branch 0"
                        : "--branch \(branch): this path has \(all.count) branches, 0-\(all.count - 1)")
                }
                trace = all.traces[branch]
            }
            switch format {
            case .text:
                let owners = Provenance(ruleset: snap.ruleset, host: snap.host)
                return TerminalText.escaped(TraceText.render(trace, owners: owners))
            case .nft: return TerminalText.escaped(NftTraceFormat.lines(trace, onlyTraced: sim.rulesetSetsNftrace).joined(separator: "\n"))
            case .json: return try TraceJSON.encode(trace)
            }
        }
        writeToStandardOutput(output)
    }
}

/// Reading endpoints from the command line.
enum EndpointSyntax {
    static func destination(_ text: String) throws -> (IPAddress, UInt16, L4Proto) {
        let shown = TerminalText.escaped(text, keepLines: false)
        let bad = HookwalkError("--to \"\(shown)\": expected ADDR:PORT/PROTO, e.g. 10.254.10.252:1812/udp or [2001:db8::1]:80/tcp")
        let slash = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard slash.count == 2, let proto = L4Proto(rawValue: slash[1].lowercased()), proto == .tcp || proto == .udp else { throw bad }
        let hostPort = slash[0]
        let addrText: String
        let portText: String
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            addrText = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            portText = String(hostPort[hostPort.index(after: close)...].dropFirst())
        } else {
            guard let colon = hostPort.lastIndex(of: ":") else { throw bad }
            addrText = String(hostPort[..<colon])
            portText = String(hostPort[hostPort.index(after: colon)...])
            // `::1:80` is an IPv6 address on its own; which colon ends it cannot be told.
            if addrText.contains(":") {
                throw HookwalkError("--to \"\(shown)\": an IPv6 address takes brackets before the port, e.g. [\(addrText)]:\(portText)/\(slash[1])")
            }
        }
        if addrText.contains("%") {
            throw HookwalkError("--to \"\(shown)\": a zone (%\(addrText.split(separator: "%").last ?? "")) is not supported in the destination: "
                                + "hookwalk routes the destination itself; give the address without it")
        }
        guard let addr = IPAddress(addrText) else { throw bad }
        guard let n = Int(portText), !portText.isEmpty, portText.allSatisfy(\.isNumber) else { throw bad }
        guard (1...65535).contains(n) else { throw HookwalkError("--to \"\(shown)\": port \(n) is out of range (ports are 1-65535)") }
        return (addr, UInt16(n), proto)
    }

    static func endpoint(_ text: String, snapshot: Snapshot) throws -> Endpoint {
        if text == "host" { return .host }
        // `fe80::5%eth0`: the zone names the interface the client is on, which is kept.
        if let percent = text.firstIndex(of: "%") {
            let zone = String(text[text.index(after: percent)...])
            let shown = TerminalText.escaped(text, keepLines: false)
            guard let addr = IPAddress(String(text[..<percent])), !addr.isV4 else {
                throw HookwalkError("--from \"\(shown)\": a zone (%NAME) goes only after an IPv6 address")
            }
            guard snapshot.host.interfaces.contains(where: { $0.name == zone }) else {
                throw HookwalkError("--from \"\(shown)\": zone %\(TerminalText.escaped(zone, keepLines: false)) names no interface of the snapshot")
            }
            return .external(address: addr, interface: zone)
        }
        let containers = snapshot.host.docker.containers
        if let addr = IPAddress(text) {
            if let c = containers.first(where: { $0.endpoints.contains { $0.ipv4 == addr || $0.ipv6 == addr } }) {
                return .container(c.name)
            }
            return .external(address: addr, interface: nil)
        }
        if containers.contains(where: { $0.name == text }) { return .container(text) }
        throw HookwalkError("--from \"\(TerminalText.escaped(text, keepLines: false))\": not an address, `host`, or the name of a container in the snapshot")
    }

    /// One trace is one address family: an IPv4 client cannot send to an IPv6 address.
    static func checkFamily(_ sender: Endpoint, from: String, to: IPAddress, snapshot: Snapshot) throws {
        let family = to.isV4 ? "IPv4" : "IPv6"
        switch sender {
        case .external(let a, _) where a.isV4 != to.isV4:
            throw HookwalkError("--from \(a) is \(a.isV4 ? "IPv4" : "IPv6") and --to \(to) is \(family): one trace is one address family")
        case .container(let name):
            guard let c = snapshot.host.docker.containers.first(where: { $0.name == name }) else { return }
            if !c.endpoints.contains(where: { to.isV4 ? $0.ipv4 != nil : $0.ipv6 != nil }) {
                throw HookwalkError("--from \(TerminalText.escaped(name, keepLines: false)) has no \(family) address and --to \(to) is \(family): one trace is one address family")
            }
        default:
            return
        }
    }
}
