import ArgumentParser
import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers

/// `hookwalk ruleset PATH [--format nft|json]`: prints the ruleset as hookwalk understood it, so a
/// user can check the parse and convert between nft's two formats.
struct RulesetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ruleset",
        abstract: "Print the ruleset as hookwalk parsed it (normalized nft text or nft JSON).",
        discussion: """
            PATH is a snapshot folder (its nft-ruleset.json, else nft-ruleset.nft) or a ruleset file: \
            a .json file is read as `nft -j list ruleset` output, anything else as `nft list ruleset` text.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case nft, json
    }

    @Argument(help: "A snapshot folder or a ruleset file.")
    var path: String

    @Option(help: "Output format: nft (normalized `nft list ruleset` text) or json (`nft -j` schema).")
    var format: Format = .nft

    @Flag(help: "List every rule and base chain policy with its owner (Docker, ufw, firewalld, libvirt, netavark, kube-proxy, hand-written) instead.")
    var owners = false

    func run() throws {
        let output = try runReportingErrors {
            if owners {
                // A snapshot folder names Docker's networks and containers; a lone file cannot.
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                    let snap = try SnapshotLoader.load(path: path)
                    return TerminalText.escaped(OwnersListing.text(ruleset: snap.ruleset, host: snap.host))
                }
                return TerminalText.escaped(OwnersListing.text(ruleset: try SnapshotLoader.loadRuleset(path: path).ruleset, host: HostModel()))
            }
            let loaded = try SnapshotLoader.loadRuleset(path: path)
            let ruleset = loaded.ruleset
            switch format {
            case .nft:
                if let why = NftTextWriter.unexpressible(in: ruleset) { throw HookwalkError(file: loaded.file, why) }
                return TerminalText.escaped(NftTextWriter.write(ruleset))
            case .json:
                for g in ruleset.gaps { writeToStandardError("hookwalk: note: not in the listing: \(g)\n") }
                let legacy = ruleset.tables.filter(\.legacy)
                if !legacy.isEmpty {
                    writeToStandardError("hookwalk: note: \(legacy.count) iptables-legacy table(s) left out of the JSON "
                                         + "(not nftables; `--format nft` shows them commented out)\n")
                }
                return NftJSONWriter.write(ruleset)
            }
        }
        writeToStandardOutput(output)
    }
}
