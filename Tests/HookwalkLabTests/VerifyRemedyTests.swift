import Foundation
import HookwalkFindings
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// The findings' remedies, tried: each case takes a fixture host with a finding, runs the
/// remedy's command exactly as the finding prints it on the host's ruleset
/// (`scripts/compose-remedy.sh`: in a scratch network namespace, listed back by the kernel), checks
/// that this gives the committed remedied ruleset (`Fixtures/remedy-*`), that the finding is gone
/// and no other finding went away or got worse, and with `hookwalk verify` that the kernel agrees
/// with the simulation of the remedied host: the closed path is closed, the others still work.
///
/// There is no `ufw route` remedy: every Docker on iptables (all eras of Tests/Fixtures/docker-eras,
/// and the ufw host c-ufw.iptables-save) inserts `-A FORWARD -j DOCKER-USER` and `-j DOCKER-FORWARD`
/// above ufw's jumps, and DOCKER-FORWARD -> DOCKER accepts the DNATed packet, so a published port's
/// path never reaches `ufw-user-forward`: no lab case could try such a remedy, and the engine
/// prints none it has not tried (`docker-user-drop` is printed instead).
final class VerifyRemedyTests: XCTestCase {
    enum Remedy: String, CaseIterable {
        case dockerUserDrop = "docker-user-drop"
        case rawPreroutingDrop = "raw-prerouting-drop"
        case nftForwardDrop = "nft-forward-drop"
        /// Not a command but recreating the container with `-p 127.0.0.1:...`: the remedied host
        /// is the ufw host with the rules Docker 28 writes for a loopback binding instead (moby's
        /// generated iptables doc `usernet-portmap-lo.md`: the DNAT gains `-d 127.0.0.1/32`, and
        /// `filterPortMappedOnLoopback` appends `-p P -d 127.0.0.1 --dport N ! -i lo -j DROP` to
        /// raw PREROUTING; with userland-proxy false Docker turns route_localnet on for the bridge).
        case publishOnAddress = "publish-on-address"

        var labCase: String { "remedy \(rawValue)" }
        static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

        var base: String {
            switch self {
            case .dockerUserDrop, .publishOnAddress: return "docker-c"
            case .rawPreroutingDrop: return "docker-b"
            case .nftForwardDrop: return "docker-d"
            }
        }
        var rulesetFile: String { self == .nftForwardDrop ? "nft-ruleset.nft" : "iptables-save.txt" }
        var format: String { self == .nftForwardDrop ? "nft" : "iptables-save" }
        /// The committed remedied ruleset.
        var remediedFile: String { Self.fixtures + "/remedy-\(rawValue)." + (self == .nftForwardDrop ? "nft" : "iptables-save") }

        /// The host's ruleset before the remedy.
        func ruleset() throws -> String {
            switch self {
            case .dockerUserDrop, .publishOnAddress: return try String(contentsOfFile: VerifyUfwTests.fixture, encoding: .utf8)
            case .rawPreroutingDrop:
                return try String(contentsOfFile: try LabFixtures.path("docker-eras/iptables-save/b.iptables-save"), encoding: .utf8)
            case .nftForwardDrop:
                let docker = try String(contentsOfFile: try LabFixtures.path("docker-eras/snapshots/docker-d/nft-ruleset.nft"), encoding: .utf8)
                return docker + VerifyNftablesHostFirewallTests.inputPolicyDrop
            }
        }

        /// Which finding of the host the remedy closes.
        func closes(_ f: Finding) -> Bool {
            switch self {
            case .dockerUserDrop, .publishOnAddress:
                return f.kind == "published-port-bypasses-input" && f.scenarios.first?.id?.hasPrefix("radius-") == true
            case .rawPreroutingDrop: return f.kind == "direct-container-access"
            case .nftForwardDrop: return f.kind == "published-port-bypasses-input" && f.scenarios.first?.id?.hasPrefix("proxy-") == true
            }
        }

        /// The published port the remedy closes (nil: it closes direct access).
        var closedPort: UInt16? { self == .dockerUserDrop || self == .publishOnAddress ? 1812 : self == .nftForwardDrop ? 8080 : nil }

        func before() throws -> DerivedSnapshot { try DerivedSnapshot(base: base, files: [rulesetFile: try ruleset()]) }
        func remedied() throws -> DerivedSnapshot {
            if self == .publishOnAddress { return try Self.publishedOnLoopback(binding: Self.loopbackBinding) }
            return try DerivedSnapshot(base: base, files: [rulesetFile: try String(contentsOfFile: remediedFile, encoding: .utf8)])
        }

        /// The binding the publish-on-address remedy names for radius (checked against the
        /// finding's command by the test).
        static let loopbackBinding = (hostIP: "127.0.0.1", hostPort: 1812, containerPort: 1812, proto: "udp", container: "radius")

        /// The ufw host with `container`'s port published on `hostIP` instead, as Docker 28 writes it.
        static func publishedOnLoopback(binding b: (hostIP: String, hostPort: Int, containerPort: Int, proto: String, container: String)) throws -> DerivedSnapshot {
            let base = try LabFixtures.path("docker-eras/snapshots/docker-c")
            var rules = try String(contentsOfFile: VerifyUfwTests.fixture, encoding: .utf8).components(separatedBy: "\n")
            let dnat = "-A DOCKER -p \(b.proto) -m \(b.proto) --dport \(b.hostPort) -j DNAT"
            guard let i = rules.firstIndex(where: { $0.hasPrefix(dnat) }),
                  let lastRaw = rules.lastIndex(where: { $0.hasPrefix("-A PREROUTING -d 172.20.0.") && $0.hasSuffix("! -i docker1 -j DROP") })
            else { throw HookwalkTestErrorLab("the ufw fixture lacks the DNAT or raw drops for \(b.container)") }
            rules[i] = rules[i].replacingOccurrences(of: "-A DOCKER -p", with: "-A DOCKER -d \(b.hostIP)/32 -p")
            rules.insert("-A PREROUTING -d \(b.hostIP)/32 ! -i lo -p \(b.proto) -m \(b.proto) --dport \(b.hostPort) -j DROP", at: lastRaw + 1)
            var containers = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/docker-containers.json"))) as! [[String: Any]]
            for c in containers.indices where (containers[c]["Name"] as? String) == "/\(b.container)" {
                let key = "\(b.containerPort)/\(b.proto)", bound = [["HostIp": b.hostIP, "HostPort": "\(b.hostPort)"]]
                var settings = containers[c]["NetworkSettings"] as! [String: Any]
                settings["Ports"] = [key: bound]
                containers[c]["NetworkSettings"] = settings
                var host = containers[c]["HostConfig"] as! [String: Any]
                host["PortBindings"] = [key: bound]
                containers[c]["HostConfig"] = host
            }
            let sysctl = try String(contentsOfFile: base + "/sysctl.txt", encoding: .utf8) + "net.ipv4.conf.docker1.route_localnet = 1\n"
            return try DerivedSnapshot(base: "docker-c", files: [
                "iptables-save.txt": rules.joined(separator: "\n"), "sysctl.txt": sysctl,
                "docker-containers.json": String(decoding: try JSONSerialization.data(withJSONObject: containers, options: [.sortedKeys]), as: UTF8.self)])
        }
    }

    static func report(_ path: String) throws -> FindingsReport {
        let snap = try SnapshotLoader.load(path: path)
        return FindingsEngine.run(snapshot: snap, clients: ScenarioCatalog.defaultClients(for: snap), host: "h")
    }

    /// `scripts/compose-remedy.sh FORMAT FILE COMMAND`'s output.
    static func compose(_ format: String, _ ruleset: String, _ command: String) throws -> String {
        let file = NSTemporaryDirectory() + "hookwalk-remedy-\(UInt32.random(in: 0...0xFFFFFF)).rules"
        try ruleset.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try TestProcess.run(URL(fileURLWithPath: LabFixtures.repository + "/scripts/compose-remedy.sh"), [format, file, command])
        guard r.status == 0 else { throw HookwalkTestErrorLab("compose-remedy.sh `\(command)`: \(r.stderr)") }
        return r.stdout
    }

    static func withoutComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    }

    func check(_ r: Remedy) throws {
        try LabFixtures.skipUnlessLabPossible()
        if r.format == "iptables-save" { try LabFixtures.skipUnless(tool: "iptables-nft-restore") }
        let before = try r.before()
        defer { before.remove() }
        let reportBefore = try Self.report(before.path)
        let finding = try XCTUnwrap(reportBefore.findings.first(where: r.closes), "no such finding: \(reportBefore.findings.map(\.id))")
        let remedy = try XCTUnwrap(finding.remedies.first { $0.kind == r.rawValue }, "\(finding.remedies)")

        if r == .publishOnAddress {
            // Docker applies this one: the remedied host is built for the binding the command names.
            let b = Remedy.loopbackBinding
            XCTAssertEqual(remedy.command, "docker run ... -p \(b.hostIP):\(b.hostPort):\(b.containerPort)/\(b.proto) ...")
        } else {
            // The printed command, run by the real tools, gives the committed remedied ruleset.
            let composed = try Self.compose(r.format, try r.ruleset(), remedy.command)
            XCTAssertEqual(Self.withoutComments(composed), Self.withoutComments(try String(contentsOfFile: r.remediedFile, encoding: .utf8)),
                           "`\(remedy.command)` no longer gives \(r.remediedFile): rerun scripts/compose-remedy.sh")
        }

        let after = try LabCases.build(r.labCase)
        defer { after.remove() }
        let reportAfter = try Self.report(after.path)
        let idsAfter = Set(reportAfter.findings.map(\.id))
        XCTAssertFalse(idsAfter.contains(finding.id), "`\(remedy.command)` leaves \(finding.id)")
        // Nothing else went away, and nothing new is worse than info (the closed port now shows as
        // closed by a hand-written rule).
        for f in reportBefore.findings where f.id != finding.id && f.kind != "unmatched-rules" {
            XCTAssertTrue(idsAfter.contains(f.id), "`\(remedy.command)` also removed \(f.id): \(f.statement)")
        }
        let idsBefore = Set(reportBefore.findings.map(\.id))
        for f in reportAfter.findings where !idsBefore.contains(f.id) {
            XCTAssertEqual(f.severity, .info, "`\(remedy.command)` brings \(f.id): \(f.statement)")
        }

        // The kernel agrees with the simulation of the remedied host, and closes only that path.
        // The closed port from outside, to the uplink's address, is played as well.
        let outside = Endpoint.external(address: IPAddress("0.0.0.0")!, interface: nil)
        let extra = r.closedPort.map { port in
            [Scenario(from: outside, to: IPAddress("10.254.10.252")!, port: port, proto: port == 8080 ? .tcp : .udp, sport: 0)]
        } ?? []
        let results = try LabFixtures.verifyAgreeing(after, Verifier.Options(kinds: ["published-port", "direct", "host-local", "egress", "extra"],
                                                                            extraScenarios: extra))
        let published = results.filter { $0.item.kind == "published-port" }
        // A port published on 127.0.0.1 has no external scenario any more.
        XCTAssertEqual(published.count, r == .publishOnAddress ? 3 : 4)
        for p in published {
            XCTAssertEqual(p.capture.observation.serverGotRequest, p.item.scenario.port != r.closedPort, "\(r): port \(p.item.scenario.port)")
        }
        for x in results where x.item.kind == "extra" {
            XCTAssertEqual(x.capture.observation.serverGotRequest, false, "\(r): the closed port from outside")
        }
        if r.closedPort == nil {
            let direct = try XCTUnwrap(results.first { $0.item.kind == "direct" })
            XCTAssertEqual(direct.capture.observation.serverGotRequest, false, "direct access closed")
        }
        print("remedy \(r.rawValue) `\(remedy.command)` on \(r.base): \(results.count)/\(results.count) MATCH")
    }

    /// ufw host, published radius reachable despite `deny incoming`: a DOCKER-USER drop.
    func testDockerUserDropOnTheUfwHost() throws { try check(.dockerUserDrop) }

    /// Docker 25-27, container addresses reachable from the uplink: a raw PREROUTING drop.
    func testRawPreroutingDropOnDocker25To27() throws { try check(.rawPreroutingDrop) }

    /// ufw host: radius published on 127.0.0.1 instead (recreated with `-p 127.0.0.1:...`).
    func testPublishOnLoopbackOnTheUfwHost() throws { try check(.publishOnAddress) }

    /// Docker 29 (nftables, no DOCKER-USER) behind an `inet filter` input policy drop: a forward
    /// chain of one's own, before Docker's.
    func testOwnForwardChainOnDocker29() throws { try check(.nftForwardDrop) }
}
