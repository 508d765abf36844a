import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// Docker names a container's veth at random; only the container's namespace (`docker-netns/`)
/// says which bridge port is whose. docker-c with Docker-like port names and those files: the lab
/// builds its ports under the same names, and the kernel's bridge-hook lines must name the port the
/// simulation names.
final class VerifyBridgePortNamesTests: XCTestCase {
    /// docker-c with its `veth<container>` ports renamed `veth` + 7 hex digits, and each container's
    /// `ip -j addr show` as seen inside it.
    static func derivedSnapshot() throws -> (DerivedSnapshot, [String: String]) {
        let base = try LabFixtures.path("docker-eras/snapshots/docker-c")
        var addrs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/ip-addr.json"))) as? [[String: Any]])
        let containers = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: base + "/docker-containers.json"))) as? [[String: Any]])
        var files: [String: String] = [:]
        var renamed: [String: String] = [:]
        func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]), as: UTF8.self) }
        for c in containers {
            let name = (c["Name"] as? String ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard let i = addrs.firstIndex(where: { $0["ifname"] as? String == "veth\(name)" }), let index = addrs[i]["ifindex"] as? Int,
                  let nets = (c["NetworkSettings"] as? [String: Any])?["Networks"] as? [String: Any],
                  let ip = (nets.values.first as? [String: Any])?["IPAddress"] as? String else { continue }
            let random = "veth" + String(format: "%07x", (index &* 2_654_435_761) & 0xFFFFFFF)
            addrs[i]["ifname"] = random
            renamed[name] = random
            files["docker-netns/\(name).json"] = try json([
                ["ifindex": 1, "ifname": "lo", "flags": ["LOOPBACK", "UP"], "link_type": "loopback", "addr_info": [] as [Any]],
                ["ifindex": 2, "link_index": index, "ifname": "eth0", "flags": ["UP"], "link_type": "ether",
                 "addr_info": [["family": "inet", "local": ip, "prefixlen": 24, "scope": "global"]]],
            ])
        }
        files["ip-addr.json"] = try json(addrs)
        files["nft-ruleset.nft"] = try String(contentsOfFile: base + "/nft-ruleset.nft", encoding: .utf8)
        let snap = try DerivedSnapshot(base: "docker-c", files: files.filter { !$0.key.contains("/") })
        try FileManager.default.createDirectory(atPath: snap.path + "/docker-netns", withIntermediateDirectories: true)
        for (name, text) in files where name.contains("/") { try text.write(toFile: snap.path + "/" + name, atomically: true, encoding: .utf8) }
        return (snap, renamed)
    }

    func testRandomPortNamesFromContainerNamespaces() throws {
        try LabFixtures.skipUnlessLabPossible()
        let (built, renamed) = try Self.derivedSnapshot()
        built.remove()
        let snap = try LabCases.build("random bridge port names")
        defer { snap.remove() }
        XCTAssertEqual(renamed.count, 5, "\(renamed)")
        let results = try LabFixtures.verifyAgreeing(snap, Verifier.Options(kinds: ["published-port", "hairpin"]), "random bridge port names")
        // The radius reply enters through radius's port, by its Docker-like name: in the kernel's
        // bridge-hook lines and in the simulation (the comparison above checks they agree).
        let radius = try XCTUnwrap(results.first { $0.item.kind == "published-port" && $0.item.scenario.port == 1812 })
        let ports = try XCTUnwrap(radius.trace.reply).events.compactMap { e -> String? in
            if case .chain(_, let s) = e.kind { return s.iif } else { return nil }
        }
        XCTAssertTrue(ports.contains(try XCTUnwrap(renamed["radius"])), "\(ports)")
    }
}
