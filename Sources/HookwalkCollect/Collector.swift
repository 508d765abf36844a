import Foundation
import HookwalkModel
import HookwalkParsers

/// How `hookwalk collect` runs its commands.
public struct CollectOptions: Sendable {
    /// Put before every command: `["ip", "netns", "exec", "lab"]` collects a network namespace.
    public var commandPrefix: [String]
    /// Added to the commands' environment (a test points `DOCKER_HOST` at nothing).
    public var environment: [String: String]
    /// Seconds one command may take; a hung Docker daemon must not hang the collection.
    public var timeout: Double

    public init(commandPrefix: [String] = [], environment: [String: String] = [:], timeout: Double = 60) {
        self.commandPrefix = commandPrefix
        self.environment = environment
        self.timeout = timeout
    }
}

/// A collected snapshot, still in memory: the files of the snapshot folder (`host.json` included)
/// and what happened to each command.
public struct CollectedSnapshot: Sendable {
    public var files: [String: [UInt8]]
    public var commands: [CommandRecord]
    public var info: HostInfo
    /// Things the user should know: no Docker, no br_netfilter, iptables-legacy.
    public var warnings: [String]
}

/// `hookwalk collect`: runs only commands that read (listings, `sysctl KEY` without `-w`,
/// `docker inspect`, `cat`) and turns their output into a snapshot folder. A command that is
/// missing or fails is recorded in `host.json` and the rest goes on; only the two inputs a
/// snapshot cannot do without (a ruleset and the addresses) stop the collection, with the reason.
public enum Collector {
    public static let marker = "hookwalk collect"

    public static func collect(_ options: CollectOptions = CollectOptions(), now: Date = Date()) throws -> CollectedSnapshot {
        var run = HostCollection(runner: CollectorCommands(prefix: options.commandPrefix, environment: options.environment,
                                                           timeout: options.timeout))
        var info = HostInfo()
        info.hostname = run.line(["uname", "-n"])
        info.kernel = run.line(["uname", "-r"])
        info.nftVersion = run.line(["nft", "--version"])
        try run.ruleset()
        let interfaces = try run.addresses()
        run.routes()
        run.sysctls(interfaces: interfaces)
        run.listeners()
        info.dockerVersion = run.docker()
        run.containerNamespaces()
        run.daemonConfig()
        info.collectedAt = Self.utc(now)
        run.files[SnapshotLoader.hostInfo] = try CollectedHostFile.encode(info, commands: run.records, prefix: options.commandPrefix)
        return CollectedSnapshot(files: run.files, commands: run.records, info: info, warnings: run.warnings)
    }

    /// `2024-05-01T09:30:00Z`: UTC, so snapshots from hosts in different time zones compare.
    static func utc(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}

/// The state of one collection: files so far, the command records, warnings.
struct HostCollection {
    let runner: CollectorCommands
    var files: [String: [UInt8]] = [:]
    var records: [CommandRecord] = []
    var warnings: [String] = []

    init(runner: CollectorCommands) { self.runner = runner }

    mutating func run(_ argv: [String], file: String? = nil) -> CollectorCommands.Output {
        let o = runner.run(argv, file: file)
        records.append(o.record)
        return o
    }

    mutating func skip(_ argv: [String], because why: String) {
        records.append(CommandRecord(command: argv.joined(separator: " "), result: .skipped, error: why))
    }

    /// A command's first output line (`uname -r`, `nft --version`), nil when it failed.
    mutating func line(_ argv: [String]) -> String? {
        let o = run(argv)
        return o.ok ? CollectorCommands.firstLine(String(decoding: o.stdout, as: UTF8.self)) : nil
    }

    /// The first line of a failed command's record, for messages.
    func why(_ o: CollectorCommands.Output) -> String { o.record.error ?? "failed" }
}
