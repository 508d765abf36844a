import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// The host's own services (`ss-listen.txt`): which of them an uplink's network reaches.
final class ListenerFindingsTests: XCTestCase {
    static let listening = """
        tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))
        tcp LISTEN 0 128 0.0.0.0:5432 0.0.0.0:* users:(("postgres",pid=2,fd=3))
        tcp LISTEN 0 128 127.0.0.1:6379 0.0.0.0:* users:(("redis-server",pid=3,fd=3))
        tcp LISTEN 0 4096 0.0.0.0:8080 0.0.0.0:* users:(("docker-proxy",pid=4,fd=4))

        """

    /// Docker 25-27 without a host firewall: every listener on all addresses is reachable, and
    /// nothing closes any port (warning); loopback listeners are not; docker-proxy on all
    /// addresses is reached through the input path too.
    func testHostWithoutFirewall() throws {
        let dir = try FindingsFixtures.derived("docker-b", files: ["ss-listen.txt": Self.listening],
                                               copies: ["nft-ruleset.nft": try FindingsFixtures.era("docker-b") + "/nft-ruleset.nft"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try FindingsFixtures.report(dir)
        let reachable = report.of("host-listener-reachable")
        XCTAssertEqual(reachable.map { $0.statement.split(separator: " ")[2] }, ["sshd", "postgres"], "\(reachable.map(\.statement))")
        XCTAssertTrue(reachable.allSatisfy { $0.severity == .warning })
        XCTAssertEqual(report.of("docker-proxy-all-addresses").count, 1)
        XCTAssertFalse(report.notes.contains { $0.contains("ss-listen.txt") })
    }

    /// The ufw host: ufw allows 22 (info: the input path drops other ports) and drops 5432.
    func testUfwHostAllowsOnlyWhatUfwAllows() throws {
        let dir = try FindingsFixtures.derived("docker-c", files: ["ss-listen.txt": Self.listening],
                                               copies: ["iptables-save.txt": FindingsFixtures.ufwRuleset])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try FindingsFixtures.report(dir)
        let reachable = report.of("host-listener-reachable")
        XCTAssertEqual(reachable.count, 1, "\(reachable.map(\.statement))")
        XCTAssertTrue(reachable.first?.statement.contains("sshd") ?? false)
        XCTAssertEqual(reachable.first?.severity, .info)
        XCTAssertTrue(reachable.first?.rules.contains { $0.chain == "ufw-user-input" && $0.owner.tool == .ufw } ?? false,
                      "\(reachable.first?.rules ?? [])")
        XCTAssertEqual(report.of("docker-proxy-all-addresses"), [], "ufw drops 8080 at input")
    }

    func testWithoutTheFileTheReportSaysSo() throws {
        let report = try FindingsFixtures.report(try FindingsFixtures.era("docker-b"))
        XCTAssertTrue(report.notes.contains { $0.contains("ss-listen.txt") })
        XCTAssertEqual(report.of("host-listener-reachable"), [])
    }
}
