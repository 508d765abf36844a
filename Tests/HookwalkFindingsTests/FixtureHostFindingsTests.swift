import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// The findings of the fixture hosts, each computed from the simulator's traces.
final class FixtureHostFindingsTests: XCTestCase {
    /// The ufw lab host (Docker 28 + ufw `deny incoming`): every published port is reachable,
    /// although ufw's input path drops the same port sent to the host itself. Critical, with the
    /// DNAT credited to Docker and the drop to ufw.
    func testUfwHostPublishedPortsBypassDenyIncoming() throws {
        let dir = try FindingsFixtures.derived("docker-c", copies: ["iptables-save.txt": FindingsFixtures.ufwRuleset])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try FindingsFixtures.report(dir)
        let critical = report.of("published-port-bypasses-input")
        XCTAssertEqual(Set(critical.map { $0.scenarios[0].id ?? "" }),
                       ["proxy-tcp-8080-from-10.254.10.254", "syslog-udp-514-from-10.254.10.254",
                        "radius-udp-1812-from-10.254.10.254", "dhcp-udp-67-from-10.254.10.254"], "\(report.findings.map(\.statement))")
        for f in critical {
            XCTAssertEqual(f.severity, .critical)
            let dnat = try XCTUnwrap(f.rules.first { $0.role == "dnat" })
            XCTAssertEqual(dnat.owner.tool, .docker)
            XCTAssertEqual(dnat.owner.detail, "container \(f.scenarios[0].title.split(separator: " ")[0])")
            let drop = try XCTUnwrap(f.rules.first { $0.role == "would drop" })
            XCTAssertEqual(drop.owner.tool, .ufw, "the input drop is ufw's: \(drop)")
            XCTAssertEqual(f.scenarios[1].outcome, "dropped", "the probe through input")
            XCTAssertEqual(f.remedies.first?.kind, "docker-user-drop")
        }
        XCTAssertEqual(report.worst, .critical)
        // Docker 28's raw PREROUTING drops keep direct access out.
        XCTAssertEqual(report.of("direct-container-access"), [])
    }

    /// Docker 25-27: a container's address is reachable from the uplink's network.
    func testDocker25To27DirectAccessIsAWarning() throws {
        let report = try FindingsFixtures.report(try FindingsFixtures.era("docker-b"))
        let direct = report.of("direct-container-access")
        XCTAssertEqual(direct.count, 1, "\(report.findings.map(\.statement))")
        XCTAssertEqual(direct.first?.severity, .warning)
        XCTAssertEqual(direct.first?.scenarios.first?.outcome, "delivered")
        XCTAssertTrue(direct.first?.rules.contains { $0.owner == Owner(.docker, "container dhcp") && $0.role == "accept" } ?? false,
                      "\(direct.first?.rules ?? [])")
        XCTAssertEqual(direct.first?.remedies.first?.command, "iptables -t raw -I PREROUTING -d 172.20.0.0/24 ! -i docker1 -j DROP")
        XCTAssertEqual(report.of("published-port-bypasses-input"), [], "no input policy on this host")
    }

    /// Docker 28: no direct access, and the trace's drop is Docker's raw PREROUTING rule for the
    /// container.
    func testDocker28HasNoDirectAccessAndItsRawDropIsDockers() throws {
        let path = try FindingsFixtures.era("docker-c")
        let report = try FindingsFixtures.report(path)
        XCTAssertEqual(report.of("direct-container-access"), [])
        XCTAssertEqual(report.findings.filter { $0.severity >= .warning }, [], "\(report.findings.map(\.statement))")
        let snap = try SnapshotLoader.load(path: path)
        let clients = ScenarioCatalog.defaultClients(for: snap)
        let direct = try XCTUnwrap(ScenarioCatalog.scenarios(for: snap, clients: clients).first { $0.kind == .direct })
        let trace = Simulator(snapshot: snap).simulate(direct.scenario)
        guard case .dropped(let chain, let handle, let text, _) = trace.request.outcome else { return XCTFail("\(trace.request.outcome)") }
        XCTAssertEqual(chain.description, "ip raw PREROUTING")
        let owner = Provenance(ruleset: snap.ruleset, host: snap.host).owner(chain, handle: handle, text: text)
        XCTAssertEqual(owner, Owner(.docker, "container \(direct.container ?? "")"))
    }

    /// The article host (firewalld): its published ports are reachable, and the findings name the
    /// firewalld zone rules that let them through.
    func testArticleHostPublishedPortsReachableThroughFirewalldZone() throws {
        let report = try FindingsFixtures.report(FindingsFixtures.example, clients: [IPAddress("10.254.10.105")!])
        let reachable = report.of("published-port-reachable")
        XCTAssertEqual(Set(reachable.compactMap { $0.scenarios.first?.id }),
                       ["radius-udp-1812-from-10.254.10.105", "syslog-udp-514-from-10.254.10.105",
                        "dhcp-udp-67-from-10.254.10.105", "proxy-tcp-8080-from-10.254.10.105"])
        for f in reachable {
            XCTAssertTrue(f.rules.contains { $0.owner.tool == .firewalld && $0.role == "accept" }, "\(f.rules)")
            XCTAssertTrue(f.rules.contains { $0.role == "dnat" && $0.owner.tool == .docker })
        }
        // The direct access passes firewalld's public zone (filter_FWDO_public_allow).
        let direct = try XCTUnwrap(report.of("direct-container-access").first)
        XCTAssertTrue(direct.rules.contains { $0.chain == "filter_FWDO_public_allow" && $0.owner == Owner(.firewalld, "zone public") },
                      "\(direct.rules)")
    }

    /// A hand-written DOCKER-USER drop of one published port: that port is not reported as
    /// exposed, but as closed (info), the rule credited to the user; the others stay reachable.
    func testDockerUserDropClosesItsPort() throws {
        let ruleset = try FindingsFixtures.dockerCWithDockerUser(["iifname \"ens192\" ip daddr 172.20.0.2 tcp dport 8080 counter drop"])
        let dir = try FindingsFixtures.derived("docker-c", files: ["nft-ruleset.nft": ruleset])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try FindingsFixtures.report(dir)
        let exposed = (report.of("published-port-reachable") + report.of("published-port-bypasses-input")).compactMap { $0.scenarios.first?.id }
        XCTAssertFalse(exposed.contains { $0.hasPrefix("proxy-tcp-8080") }, "\(exposed)")
        XCTAssertEqual(exposed.count, 3, "the other published ports stay reachable: \(exposed)")
        let closed = try XCTUnwrap(report.of("published-port-unreachable").first)
        XCTAssertEqual(closed.severity, .info, "a hand-written drop is on purpose")
        XCTAssertEqual(closed.rules.first?.owner, Owner(.handWritten, "in DOCKER-USER"))
        XCTAssertEqual(closed.rules.first?.chain, "DOCKER-USER")
    }

    /// A rule an earlier rule of the same chain covers is reported as shadowed (info), with both.
    func testShadowedRule() throws {
        let ruleset = try FindingsFixtures.dockerCWithDockerUser([
            "tcp dport 8080 counter drop",
            "iifname \"ens192\" tcp dport 8080 counter drop",
            "udp dport 514 counter accept",
        ])
        let dir = try FindingsFixtures.derived("docker-c", files: ["nft-ruleset.nft": ruleset])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try FindingsFixtures.report(dir)
        let shadowed = report.of("shadowed-rule")
        XCTAssertEqual(shadowed.count, 1, "\(shadowed.map(\.statement))")
        XCTAssertEqual(shadowed.first?.severity, .info)
        XCTAssertEqual(shadowed.first?.rules.map(\.role), ["shadowed", "covers"])
        XCTAssertEqual(shadowed.first?.rules.map(\.text), ["iifname \"ens192\" tcp dport 8080 counter drop", "tcp dport 8080 counter drop"])
        // The unshadowed 514 accept is not reported; Docker's own chains have no shadowed rule.
        XCTAssertEqual(try FindingsFixtures.report(try FindingsFixtures.era("docker-c")).of("shadowed-rule"), [])
    }

    /// Same host, same findings, same ids, same bytes.
    func testFindingsAreStableAcrossRuns() throws {
        let dir = try FindingsFixtures.derived("docker-c", copies: ["iptables-save.txt": FindingsFixtures.ufwRuleset])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = FindingsOutput.json([try FindingsFixtures.report(dir)])
        let b = FindingsOutput.json([try FindingsFixtures.report(dir)])
        XCTAssertEqual(a, b)
        XCTAssertEqual(FindingsOutput.text([try FindingsFixtures.report(dir)]), FindingsOutput.text([try FindingsFixtures.report(dir)]))
        // Ids come from what a finding is about: the ufw host and the plain Docker 28 host give
        // the same id to the same container's unmatched DOCKER chain, whatever else differs.
        let ids = try FindingsFixtures.report(dir).findings.map(\.id)
        XCTAssertEqual(ids.count, Set(ids).count, "ids are unique")
        let bypass = try FindingsFixtures.report(dir).of("published-port-bypasses-input").first { $0.scenarios[0].id?.hasPrefix("radius") == true }
        XCTAssertEqual(bypass?.id, Finding.ID.make(kind: "published-port-bypasses-input", identity: ["radius", "1812", "udp", "4"]))
    }
}
