import ArgumentParser
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator

/// `hookwalk findings`: what each host really exposes, read from the simulated scenarios, with
/// an exit status like a linter's.
struct FindingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "findings",
        abstract: "Report what each host really exposes (and who wrote the rules that decide it).",
        discussion: """
            Simulates the documented scenarios of each snapshot (as `generate` does) and reports, from their \
            outcomes: published ports reachable although the host's input path drops them, published ports that \
            cannot be reached, container addresses reachable from an uplink, ports reachable on every uplink, \
            containers of different networks (or of an icc-off network) reaching each other, paths through \
            constructs hookwalk does not model, rules no path matches and shadowed rules, and with ss-listen.txt \
            the host's own listeners. Exit status: 0 when no finding reaches --fail-on (default: warning), 1 when \
            one does, 2 on an error. The markdown form links scenarios to scenarios/<id>.md, as `generate` writes them.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, json }

    @Argument(help: "Snapshot folders, one per host.")
    var snapshots: [String] = []

    @Option(name: .customLong("client"), help: "An external client address (repeatable), as for `generate`.")
    var clients: [String] = []

    @Option(help: "text, markdown or json.")
    var format: Format = .text

    @Option(name: .customLong("fail-on"), help: "info, warning or critical: the least severe finding that makes the exit status 1.")
    var failOn: String = Severity.warning.rawValue

    func run() throws {
        // Every error, a bad option value included, is one line and exit 2, like a linter's.
        let (threshold, reports) = try runReportingErrors { () throws -> (Severity, [FindingsReport]) in
            guard !snapshots.isEmpty else { throw HookwalkError("give at least one snapshot folder") }
            guard let threshold = Severity(rawValue: failOn) else {
                throw HookwalkError("--fail-on \(failOn): use one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let addresses = try clients.map { text -> IPAddress in
                guard let a = IPAddress(text) else { throw HookwalkError(.none, "--client \"\(text)\": not an IP address") }
                return a
            }
            return (threshold, try snapshots.map { path in
                let snap = try SnapshotLoader.load(path: path)
                return FindingsEngine.run(snapshot: snap, clients: HostDocuments.clients(snapshot: snap, given: addresses),
                                          host: HostDocuments.name(snapshot: snap, path: path))
            })
        }
        switch format {
        case .text: writeToStandardOutput(FindingsOutput.text(reports))
        case .json: writeToStandardOutput(FindingsOutput.json(reports))
        case .markdown:
            let paths = SitePaths(layout: .plain, hostCount: 1)
            let page = paths.hostIndex("")
            writeToStandardOutput(reports.map { r in
                "# \(Markdown.escape(r.host))\n\n" + FindingsSection.markdown(r) { id in paths.link(from: page, to: paths.scenario("", DocGenerator.fileID(id))) }
            }.joined(separator: "\n"))
        }
        if reports.contains(where: { ($0.worst.map { $0 >= threshold }) ?? false }) { throw ExitCode(1) }
    }
}
