import ArgumentParser

/// The `hookwalk` command. Each subcommand lives in its own file and reports errors through
/// `runReportingErrors`, so every failure reads the same and exits 2.
@main
struct Hookwalk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookwalk",
        abstract: "Simulate packets through a Docker host's netfilter hooks, from a snapshot of the host.",
        subcommands: [RulesetCommand.self, TraceCommand.self, GenerateCommand.self, VerifyCommand.self, CollectCommand.self, DiffCommand.self, FindingsCommand.self]
    )
}
