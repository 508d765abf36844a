import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// The kinds the fixture hosts do not show as they are: a second uplink, a network whose daemon
/// says icc off while its rules let containers talk, a path through a not-modelled construct.
final class MoreKindsTests: XCTestCase {
    func jsonFile(_ dir: String, _ name: String, edit: (inout [[String: Any]]) -> Void) throws {
        let url = URL(fileURLWithPath: dir + "/" + name)
        var value = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        edit(&value)
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]).write(to: url)
    }

    /// docker-b with a second uplink `ens224` 192.168.50.2/24: its ports published on 0.0.0.0 are
    /// reachable from both uplinks' networks.
    func testPortPublishedOnAllAddressesOfAHostWithTwoUplinks() throws {
        let dir = try FindingsFixtures.derived("docker-b", copies: ["nft-ruleset.nft": try FindingsFixtures.era("docker-b") + "/nft-ruleset.nft"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try jsonFile(dir, "ip-addr.json") { interfaces in
            interfaces.append(["ifindex": 99, "ifname": "ens224", "flags": ["BROADCAST", "UP", "LOWER_UP"], "mtu": 1500, "operstate": "UP",
                               "link_type": "ether", "address": "52:54:00:00:00:99",
                               "addr_info": [["family": "inet", "local": "192.168.50.2", "prefixlen": 24, "scope": "global", "label": "ens224"]]])
        }
        try jsonFile(dir, "ip-route.json") { routes in
            routes.append(["dst": "192.168.50.0/24", "dev": "ens224", "protocol": "kernel", "scope": "link", "prefsrc": "192.168.50.2", "flags": [String]()])
            routes.append(["type": "local", "dst": "192.168.50.2", "dev": "ens224", "table": "local", "protocol": "kernel", "scope": "host",
                           "prefsrc": "192.168.50.2", "flags": [String]()])
        }
        let report = try FindingsFixtures.report(dir)
        let every = report.of("published-on-every-uplink")
        XCTAssertEqual(every.count, 4, "\(every.map(\.statement))")
        let radius = try XCTUnwrap(every.first { $0.statement.contains("of radius") })
        XCTAssertEqual(radius.severity, .warning)
        XCTAssertTrue(radius.statement.contains("ens192 (10.254.10.254)") && radius.statement.contains("ens224 (192.168.50.254)"), radius.statement)
        XCTAssertEqual(radius.scenarios.filter { $0.id == nil }.map(\.outcome), ["delivered", "delivered"])
        XCTAssertEqual(radius.remedies.first?.kind, "publish-on-address")
        // One uplink: no such finding.
        XCTAssertEqual(try FindingsFixtures.report(try FindingsFixtures.era("docker-b")).of("published-on-every-uplink"), [])
    }

    /// The daemon says icc off for infranet, but the ruleset (Docker 25-27's, made with icc on)
    /// lets its containers reach each other.
    func testIccOffNetworkWhoseContainersReachEachOther() throws {
        let dir = try FindingsFixtures.derived("docker-b", copies: ["nft-ruleset.nft": try FindingsFixtures.era("docker-b") + "/nft-ruleset.nft"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try jsonFile(dir, "docker-networks.json") { networks in
            for i in networks.indices where networks[i]["Name"] as? String == "infranet" {
                var options = networks[i]["Options"] as? [String: String] ?? [:]
                options["com.docker.network.bridge.enable_icc"] = "false"
                networks[i]["Options"] = options
            }
        }
        let icc = try FindingsFixtures.report(dir).of("icc-off-reach")
        XCTAssertEqual(icc.count, 1)
        XCTAssertEqual(icc.first?.severity, .warning)
        XCTAssertTrue(icc.first?.statement.contains("although the network has icc off") ?? false)
        // As the fixture is (icc on): nothing to say.
        XCTAssertEqual(try FindingsFixtures.report(try FindingsFixtures.era("docker-b")).of("icc-off-reach"), [])
    }

    /// A rule hookwalk does not evaluate (`socket transparent`) on the forward path: every path
    /// through it is named, with the place and the assumption.
    func testPathsThroughANotModelledConstruct() throws {
        let ruleset = try FindingsFixtures.dockerCWithDockerUser(["socket transparent 1 counter accept"])
        let dir = try FindingsFixtures.derived("docker-c", files: ["nft-ruleset.nft": ruleset])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let nm = try FindingsFixtures.report(dir).of("not-modelled")
        XCTAssertEqual(nm.count, 1, "\(nm.map(\.statement))")
        let f = try XCTUnwrap(nm.first)
        XCTAssertEqual(f.rules.first?.chain, "DOCKER-USER")
        XCTAssertEqual(f.rules.first?.owner, Owner(.handWritten, "in DOCKER-USER"))
        XCTAssertTrue(f.scenarios.contains { $0.id?.hasPrefix("radius-udp-1812") == true }, "\(f.scenarios.map(\.id))")
        XCTAssertTrue(f.statement.contains("in ip filter DOCKER-USER"), f.statement)
    }
}
