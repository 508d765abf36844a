import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// The fixture hosts of the findings tests: the example host, the Docker-era snapshots, and hosts
/// derived from them in a temporary folder (another ruleset file, an added file).
enum FindingsFixtures {
    static let repository = TestPaths.repository
    static let example = TestPaths.example
    /// The ufw lab host's ruleset (Docker 28 + ufw), composed by scripts/compose-ufw-docker.sh.
    static let ufwRuleset = repository + "/Tests/HookwalkLabTests/Fixtures/c-ufw.iptables-save"

    /// `Tests/Fixtures/<relative>`.
    static func path(_ relative: String) throws -> String { TestPaths.fixture(relative) }

    static func era(_ name: String) throws -> String { try path("docker-eras/snapshots/\(name)") }

    /// A copy of a Docker-era snapshot without its ruleset files, with `files` written into it.
    static func derived(_ base: String, files: [String: String] = [:], copies: [String: String] = [:]) throws -> String {
        let source = try era(base)
        let dir = NSTemporaryDirectory() + "hookwalk-findings-\(base)-\(UInt32.random(in: 0...0xFFFFFF))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in try fm.contentsOfDirectory(atPath: source) where !f.hasPrefix("nft-ruleset") && !f.hasSuffix("tables-save.txt") {
            try fm.copyItem(atPath: source + "/" + f, toPath: dir + "/" + f)
        }
        for (name, from) in copies { try fm.copyItem(atPath: from, toPath: dir + "/" + name) }
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    /// docker-c's nft ruleset with `rules` (nft text lines) put first in `ip filter DOCKER-USER`.
    static func dockerCWithDockerUser(_ rules: [String]) throws -> String {
        let text = try String(contentsOfFile: try era("docker-c") + "/nft-ruleset.nft", encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        guard let i = lines.firstIndex(where: { $0.contains("chain DOCKER-USER {") }) else {
            throw NSError(domain: "FindingsFixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "no DOCKER-USER chain in docker-c"])
        }
        lines.insert(contentsOf: rules.map { "\t\t" + $0 }, at: i + 1)
        return lines.joined(separator: "\n")
    }

    static func report(_ path: String, clients: [IPAddress] = []) throws -> FindingsReport {
        let snap = try SnapshotLoader.load(path: path)
        let given = clients.isEmpty ? ScenarioCatalog.defaultClients(for: snap) : clients
        return FindingsEngine.run(snapshot: snap, clients: given, host: snap.host.info.hostname ?? "host")
    }
}

extension FindingsReport {
    func of(_ kind: String) -> [Finding] { findings.filter { $0.kind == kind } }
}
