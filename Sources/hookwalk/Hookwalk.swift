import ArgumentParser
import HookwalkModel

/// The `hookwalk` command. Each subcommand lives in its own file and reports errors through
/// `runReportingErrors`, so every failure reads the same and exits 2.
@main
struct Hookwalk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookwalk",
        abstract: "Simulate packets through a Docker host's netfilter hooks, from a snapshot of the host.",
        subcommands: [RulesetCommand.self, TraceCommand.self, GenerateCommand.self, VerifyCommand.self, CollectCommand.self, DiffCommand.self,
                      FindingsCommand.self, LayoutWorkerCommand.self]
    )

    /// ArgumentParser's own `main`, except for usage errors: those are one line on stderr and
    /// exit 2, like every other error of hookwalk (ArgumentParser prints the message, a help hint
    /// and the usage, and exits 64). Help and version still print as ArgumentParser does.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if error is ExitCode || exitCode(for: error) == .success { exit(withError: error) }
            let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            writeToStandardError("hookwalk: \(TerminalText.escaped(message, keepLines: false)) (see hookwalk help)\n")
            exit(withError: ExitCode(2))
        }
    }
}
