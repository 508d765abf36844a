import ArgumentParser
import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkCollect

/// `hookwalk collect --out DIR`: a snapshot of the host it runs on, from read-only commands.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Write a snapshot of this host (ruleset, addresses, routes, sysctls, Docker) to a folder.",
        discussion: """
            Runs only commands that read: nft -j list ruleset and nft list ruleset (iptables-save when the rules \
            are in iptables-legacy tables), ip -j addr show, ip -j route show table all, sysctl KEY..., \
            docker network inspect, docker inspect, and reads /etc/docker/daemon.json. A command that is missing \
            or fails is recorded in DIR/host.json and the others still run. Listing the ruleset needs root \
            (CAP_NET_ADMIN). DIR is written as a whole (replacing an earlier collection), never partially. \
            Example: sudo hookwalk collect --out /tmp/snap
            """
    )

    @Option(help: "The snapshot folder to write.")
    var out: String

    @Option(help: "Seconds one command may run before it is stopped.")
    var timeout: Double = 60

    func run() throws {
        let summary = try runReportingErrors { () throws -> String in
            try Collector.checkDestination(out)
            let snapshot = try Collector.collect(CollectOptions(timeout: timeout))
            let complaint = try Collector.write(snapshot, to: out)
            for w in snapshot.warnings { writeToStandardError("hookwalk: warning: \(w)\n") }
            if let complaint { writeToStandardError("hookwalk: warning: hookwalk cannot read this snapshot yet: \(complaint)\n") }
            let failed = snapshot.commands.filter { $0.result == .failed || $0.result == .missing }
            var lines = ["snapshot written to \(out): " + snapshot.files.keys.sorted().joined(separator: ", ")]
            lines += failed.map { "  not collected: \($0.command): \($0.error ?? $0.result.rawValue)" }
            return lines.joined(separator: "\n")
        }
        writeToStandardOutput(summary)
    }
}
