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

    @Option(help: "Output: text (for people), nft (as `nft monitor trace` prints it), json.")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, nft, json
    }

    func run() throws {
        let output = try runReportingErrors { () throws -> String in
            let snap = try SnapshotLoader.load(path: snapshot)
            let sim = Simulator(snapshot: snap, ruleText: NftTextWriter.ruleText)
            let (addr, port, proto) = try EndpointSyntax.destination(to)
            let sender = try EndpointSyntax.endpoint(from, snapshot: snap)
            let trace = sim.simulate(Scenario(from: sender, to: addr, port: port, proto: proto, sport: sport))
            switch format {
            case .text: return TraceText.render(trace, owners: Provenance(ruleset: snap.ruleset, host: snap.host, ruleText: NftTextWriter.ruleText))
            case .nft: return NftTraceFormat.lines(trace, onlyTraced: sim.rulesetSetsNftrace).joined(separator: "\n")
            case .json: return try TraceJSON.encode(trace)
            }
        }
        writeToStandardOutput(output)
    }
}

/// Reading endpoints from the command line.
enum EndpointSyntax {
    static func destination(_ text: String) throws -> (IPAddress, UInt16, L4Proto) {
        let bad = HookwalkError("--to \"\(text)\": expected ADDR:PORT/PROTO, e.g. 10.254.10.252:1812/udp")
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
        }
        guard let addr = IPAddress(addrText), let port = UInt16(portText), port > 0 else { throw bad }
        return (addr, port, proto)
    }

    static func endpoint(_ text: String, snapshot: Snapshot) throws -> Endpoint {
        if text == "host" { return .host }
        let containers = snapshot.host.docker.containers
        if let addr = IPAddress(text) {
            if let c = containers.first(where: { $0.endpoints.contains { $0.ipv4 == addr || $0.ipv6 == addr } }) {
                return .container(c.name)
            }
            return .external(address: addr, interface: nil)
        }
        if containers.contains(where: { $0.name == text }) { return .container(text) }
        throw HookwalkError("--from \"\(text)\": not an address, `host`, or the name of a container in the snapshot")
    }
}
