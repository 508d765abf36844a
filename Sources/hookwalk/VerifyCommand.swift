import ArgumentParser
import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator

/// `hookwalk verify`: proves the model against the running kernel. It needs root because it
/// builds network namespaces; it touches nothing else and removes what it built.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay a snapshot's scenarios in network namespaces and compare the kernel's trace with hookwalk's.",
        discussion: """
            Rebuilds the snapshot's host out of network namespaces (names starting with hw + 6 hex digits), loads its \
            ruleset with hookwalk's trace tables, sends a real packet per scenario, records `nft monitor trace`, and \
            compares it event by event with the simulation. Nothing outside the namespaces it creates is changed, and \
            they are removed at the end (also on Ctrl-C), unless --keep.
            Exit status: 0 when every scenario matches, 1 when any diverges, 2 on error (e.g. not root).
            Example: sudo hookwalk verify Examples/seed-centos8
            """
    )

    @Argument(help: "A snapshot folder.")
    var snapshot: String

    @Option(help: "The external client's address, on an uplink's subnet; one IPv4 and one IPv6 at most (default: the catalog's client, and an IPv6 one on an uplink with IPv6).")
    var client: [String] = []

    @Flag(help: "Leave the lab's namespaces for inspection.")
    var keep = false

    @Option(help: "Output: text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("br-netfilter"), help: "Force bridge-nf-call-iptables in the lab and the simulation: on or off.")
    var brNetfilter: Switch?

    @Option(name: .customLong("scenario"),
            help: "Also play FROM>ADDR:PORT/PROTO (repeatable); FROM is `client` (the lab's external client), a container name, or `host`. E.g. 'client>255.255.255.255:67/udp'.")
    var scenarios: [String] = []

    @Option(help: "Write each scenario's kernel capture and simulated trace to this folder.")
    var save: String?

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }
    enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }

    func run() throws {
        let report = try runReportingErrors { () throws -> VerifyReport in
            var options = Verifier.Options(keep: keep, brNetfilter: brNetfilter.map { $0 == .on }, saveDirectory: save)
            options.extraScenarios = try scenarios.map(Self.scenario)
            for text in client {
                guard let a = IPAddress(text) else { throw HookwalkError("--client \"\(text)\": not an IP address") }
                if a.isV4 {
                    guard options.client == nil else { throw HookwalkError("--client \"\(text)\": the lab plays one IPv4 client; \(options.client!) is given already") }
                    options.client = a
                } else {
                    guard options.client6 == nil else { throw HookwalkError("--client \"\(text)\": the lab plays one IPv6 client; \(options.client6!) is given already") }
                    options.client6 = a
                }
            }
            return try Verifier(snapshotPath: snapshot, options: options).run { line in
                writeToStandardError(line + "\n")
            }
        }
        let output = try runReportingErrors { () throws -> String in
            switch format {
            case .text: return report.text
            case .json: return try report.json()
            }
        }
        writeToStandardOutput(output)
        if !report.allMatch { throw ExitCode(1) }
    }

    /// `client>10.254.10.252:1812/udp`, `proxy>10.254.10.252:514/udp`, `host>127.0.0.1:67/udp`.
    static func scenario(_ text: String) throws -> Scenario {
        let parts = text.split(separator: ">", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw HookwalkError("--scenario \"\(text)\": expected FROM>ADDR:PORT/PROTO, e.g. client>10.254.10.252:1812/udp") }
        let (addr, port, proto) = try EndpointSyntax.destination(parts[1])
        let from: Endpoint
        switch parts[0] {
        case "client": from = .external(address: IPAddress("0.0.0.0")!, interface: nil)
        case "host": from = .host
        default: from = .container(parts[0])
        }
        return Scenario(from: from, to: addr, port: port, proto: proto)
    }
}
