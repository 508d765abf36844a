import ArgumentParser
import Foundation
import HookwalkDiff
import HookwalkModel
import HookwalkParsers

/// `hookwalk diff A B`: how two hosts differ in the paths of their documented scenarios.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare the packet paths of two hosts' snapshots, scenario by scenario.",
        discussion: """
            Scenarios are paired by kind, network, container and published port, not by address. Reported most \
            important first: verdict changes (works on one host, fails on the other), different paths (first \
            divergent step, steps only on each side), scenarios only on A or B, then the same. Counters, handles \
            and host addresses never count. Exit status as diff(1): 0 equivalent, 1 different, 2 error. \
            Example: hookwalk diff snap-web1 snap-web2 --client 10.254.10.105
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    @Argument(help: "The first snapshot folder (A).")
    var a: String

    @Argument(help: "The second snapshot folder (B).")
    var b: String

    @Option(name: .customLong("client"),
            help: "An external client address, used on both hosts (repeatable). Default: each host's default client.")
    var clients: [String] = []

    @Option(help: "Output: markdown (for people) or json.")
    var format: Format = .markdown

    func run() throws {
        let (text, equivalent) = try runReportingErrors { () throws -> (String, Bool) in
            let addresses = try clients.map { text -> IPAddress in
                guard let a = IPAddress(text) else { throw HookwalkError("--client \"\(text)\": not an IP address") }
                return a
            }
            let report = SnapshotDiff.compare(try SnapshotLoader.load(path: a), try SnapshotLoader.load(path: b),
                                              clients: addresses.isEmpty ? nil : addresses)
            switch format {
            case .markdown: return (MarkdownDiff.render(report), report.equivalent)
            case .json: return (try JSONDiff.render(report), report.equivalent)
            }
        }
        writeToStandardOutput(text)
        if !equivalent { throw ExitCode(1) }
    }
}
