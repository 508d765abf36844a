import Foundation
import HookwalkModel
import HookwalkParsers

/// Writes `host.json`: the metadata the loader reads (`HostInfoFile`), plus what only a collector
/// knows: the command record and `collected_by`, which marks a folder `collect` may replace.
enum CollectedHostFile {
    private struct Contents: Encodable {
        var hostname: String?
        var kernel: String?
        var nft_version: String?
        var docker_version: String?
        var collected_at: String?
        var collected_by: String
        var command_prefix: String?
        var commands: [CommandRecord]
    }

    static func encode(_ info: HostInfo, commands: [CommandRecord], prefix: [String]) throws -> [UInt8] {
        let contents = Contents(hostname: info.hostname, kernel: info.kernel, nft_version: info.nftVersion,
                                docker_version: info.dockerVersion, collected_at: info.collectedAt,
                                collected_by: Collector.marker,
                                command_prefix: prefix.isEmpty ? nil : prefix.joined(separator: " "), commands: commands)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(contents)) + [10]
    }

    /// Whether an existing `host.json` says `collect` wrote its folder.
    static func isCollected(_ bytes: [UInt8]) -> Bool {
        (try? JSONReader.parse(bytes))?["collected_by"]?.stringValue == Collector.marker
    }
}
