import ArgumentParser
import Foundation
import HookwalkDiff
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator

/// `hookwalk diff A B`: how two hosts differ in the paths of their documented scenarios.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare the packet paths of two hosts' snapshots, scenario by scenario.",
        discussion: """
            Scenarios are paired by kind, network, container and published port, not by address. Reported most \
            important first: verdict changes (works on one host, fails on the other), different paths (first \
            divergent step, steps only on each side), scenarios only on A or B, then the same. Counters, handles \
            and host addresses never count. A and B are snapshot folders or folders `hookwalk generate` wrote \
            (recognised by their scenarios.json; the traces recorded there are compared, as published). \
            --out DIR writes DIR/report.md and, for each scenario whose path differs, an overlay diagram \
            (DIR/diagrams/*.svg and .dot: steps only on A orange, only on B blue); without it the Markdown goes \
            to stdout. Exit status as diff(1): 0 equivalent, 1 different, 2 error. \
            Example: hookwalk diff snap-web1 snap-web2 --client 10.254.10.105 --out diff-web
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    @Argument(help: "The first snapshot or generated folder (A).")
    var a: String

    @Argument(help: "The second snapshot or generated folder (B).")
    var b: String

    @Option(name: .customLong("client"),
            help: "An external client address, used on both hosts (repeatable). Default: each host's default client.")
    var clients: [String] = []

    @Option(help: "Output: markdown (for people) or json.")
    var format: Format = .markdown

    @Option(help: "Write report.md and the overlay diagrams into this folder instead of printing the Markdown.")
    var out: String?

    func run() throws {
        let (text, equivalent) = try runReportingErrors { () throws -> (String?, Bool) in
            let addresses = try clients.map { text -> IPAddress in
                guard let a = IPAddress(text) else { throw HookwalkError("--client \"\(text)\": not an IP address") }
                return a
            }
            let report = SnapshotDiff.compare(try input(a, clients: addresses), try input(b, clients: addresses))
            if let out {
                if format == .json { throw HookwalkError("--out writes the Markdown report; use --format json without --out") }
                let files = try DiffOutput.files(report) { try GraphvizRenderer.render(dot: $0, format: "svg") }
                try DiffOutput.write(files, to: out)
                return (nil, report.equivalent)
            }
            switch format {
            case .markdown: return (MarkdownDiff.render(report), report.equivalent)
            case .json: return (try JSONDiff.render(report), report.equivalent)
            }
        }
        if let text { writeToStandardOutput(text) }
        if !equivalent { throw ExitCode(1) }
    }

    /// A snapshot is simulated for the clients (its default ones when none are given); a generated
    /// folder brings its own scenarios, traces and clients.
    func input(_ path: String, clients: [IPAddress]) throws -> DiffInput {
        guard GeneratedOutput.isOutput(path) else {
            let snapshot = try SnapshotLoader.load(path: path)
            return DiffInput.simulating(snapshot, clients: clients.isEmpty ? ScenarioCatalog.defaultClients(for: snapshot) : clients)
        }
        if !clients.isEmpty {
            throw HookwalkError(file: path, .none, "--client applies to snapshots; a generated folder keeps the clients it was generated for")
        }
        let (manifest, docs) = try GeneratedOutput.load(path)
        return DiffInput(path: path, host: manifest.host.model, clients: manifest.clients, scenarios: docs)
    }
}
