import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// Ports published as ranges, checked against the kernel: proxy (172.20.0.2) gets
/// `-p 8000-8002:8000-8002/tcp` and syslog (172.20.0.3) `-p 9000-9001:5000-5001/udp` on top of
/// the eras' bindings.
///
/// What Docker does with a range (moby source read for this):
/// - The CLI splits it into one binding per container port (go-connections `nat.ParsePortSpec`:
///   host port `start+i` for container port `start+i`; a host range is kept whole only for a
///   single container port, where the daemon picks one free port of it). `docker inspect` lists
///   one `NetworkSettings.Ports` key per container port, each with a single `HostPort`.
/// - The bridge driver (`port_mapping_linux.go` `addPortMappings`) sorts the bindings by
///   container port and calls the firewaller's `AddPorts` once per binding (`bindHostPorts` ->
///   `attemptBindHostPorts`); `HostPort` and `HostPortEnd` are then the one port allocated.
/// - Docker 28 iptables (`iptabler/port.go` `setPerPortNAT`, `setPerPortForwarding`, moby
///   v28.5.2): per binding one DNAT appended to nat DOCKER (`--dport HOST -j DNAT
///   --to-destination IP:CONTAINER`), one hairpin MASQUERADE appended to POSTROUTING, one
///   `OPEN PORT` accept inserted at the top of filter DOCKER (so a container's bindings end up in
///   reverse order there). Raw direct-access drops are per endpoint since 28.2.2 (no change).
/// - Docker 29 nftables (`daemon/libnetwork/drivers/bridge/internal/nftabler/port.go`
///   `setPerPortForwarding`, `setPerPortDNAT`, `setPerPortHairpinMasq`): one rule per binding,
///   appended to its rule group. (moby's nftabler merged consecutive ports into
///   `dport 8000-8002 dnat to IP:8000-8002` before PR #50184, "nftables: per-port rules", merged
///   in July 2025; no release shipped that form: the backend first shipped in 29.0.0.)
///
/// So no Docker release writes a range rule: the derived rulesets add per-port rules in each
/// era's own form, at the place Docker's call order puts them. `handWrittenRange` is the one case
/// with a range DNAT (what a person, or pre-#50184 moby master, writes), where the kernel keeps a
/// destination port that lies inside the range.
final class VerifyPortRangeTests: XCTestCase {
    /// The port bindings added: container, container port, proto, host port.
    static let added: [(container: String, port: Int, proto: String, hostPort: Int)] = [
        ("proxy", 8000, "tcp", 8000), ("proxy", 8001, "tcp", 8001), ("proxy", 8002, "tcp", 8002),
        ("syslog", 5000, "udp", 9000), ("syslog", 5001, "udp", 9001),
    ]

    /// `docker-containers.json` with the ranges: `HostConfig.PortBindings` as the CLI sends them
    /// (no host address given), `NetworkSettings.Ports` as inspect shows them after allocation.
    static func containers(base: String) throws -> String {
        let path = try LabFixtures.path("docker-eras/snapshots/\(base)/docker-containers.json")
        var list = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [[String: Any]]
        for i in list.indices {
            let name = (list[i]["Name"] as? String ?? "").trimmingCharacters(in: ["/"])
            let mine = added.filter { $0.container == name }
            guard !mine.isEmpty else { continue }
            var hostConfig = list[i]["HostConfig"] as? [String: Any] ?? [:]
            var requested = hostConfig["PortBindings"] as? [String: Any] ?? [:]
            var settings = list[i]["NetworkSettings"] as? [String: Any] ?? [:]
            var ports = settings["Ports"] as? [String: Any] ?? [:]
            for b in mine {
                requested["\(b.port)/\(b.proto)"] = [["HostIp": "", "HostPort": "\(b.hostPort)"]]
                ports["\(b.port)/\(b.proto)"] = [["HostIp": "0.0.0.0", "HostPort": "\(b.hostPort)"]]
            }
            hostConfig["PortBindings"] = requested
            settings["Ports"] = ports
            list[i]["HostConfig"] = hostConfig
            list[i]["NetworkSettings"] = settings
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
    }

    /// Puts `lines` before (or after) the line equal to `anchor` (tabs trimmed), which must exist once.
    static func insert(_ lines: [String], _ position: Position, _ anchor: String, in text: String) throws -> String {
        var all = text.components(separatedBy: "\n")
        let hits = all.indices.filter { all[$0].trimmingCharacters(in: .whitespaces) == anchor }
        guard hits.count == 1, let at = hits.first else { throw HookwalkError("anchor found \(hits.count) times: \(anchor)") }
        let indent = String(all[at].prefix { $0 == "\t" || $0 == " " })
        all.insert(contentsOf: lines.map { indent + $0 }, at: position == .before ? at : at + 1)
        return all.joined(separator: "\n")
    }

    enum Position { case before, after }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: try LabFixtures.path(relative), encoding: .utf8)
    }

    /// Docker 28, nft's listing (iptables-nft): DNAT and hairpin MASQUERADE appended per binding
    /// (proxy's 8000-8002 before its 8080, syslog's after its 514, by container port); the
    /// `OPEN PORT` accepts inserted at the top, so reversed within each container.
    static func dockerC() throws -> String {
        var t = try text("docker-eras/snapshots/docker-c/nft-ruleset.nft")
        let c = "counter packets 0 bytes 0"
        t = try insert((8000...8002).map { "tcp dport \($0) \(c) dnat to 172.20.0.2:\($0)" }, .before,
                       "tcp dport 8080 \(c) dnat to 172.20.0.2:8080", in: t)
        t = try insert([(9000, 5000), (9001, 5001)].map { "udp dport \($0.0) \(c) dnat to 172.20.0.3:\($0.1)" }, .after,
                       "udp dport 514 \(c) dnat to 172.20.0.3:514", in: t)
        t = try insert((8000...8002).map { "ip saddr 172.20.0.2 ip daddr 172.20.0.2 tcp dport \($0) \(c) masquerade" }, .before,
                       "ip saddr 172.20.0.2 ip daddr 172.20.0.2 tcp dport 8080 \(c) masquerade", in: t)
        t = try insert([5000, 5001].map { "ip saddr 172.20.0.3 ip daddr 172.20.0.3 udp dport \($0) \(c) masquerade" }, .after,
                       "ip saddr 172.20.0.3 ip daddr 172.20.0.3 udp dport 514 \(c) masquerade", in: t)
        t = try insert([8002, 8001, 8000].map { "iifname != \"docker1\" oifname \"docker1\" ip daddr 172.20.0.2 tcp dport \($0) \(c) accept" },
                       .after, "iifname != \"docker1\" oifname \"docker1\" ip daddr 172.20.0.2 tcp dport 8080 \(c) accept", in: t)
        t = try insert([5001, 5000].map { "iifname != \"docker1\" oifname \"docker1\" ip daddr 172.20.0.3 udp dport \($0) \(c) accept" },
                       .before, "iifname != \"docker1\" oifname \"docker1\" ip daddr 172.20.0.3 udp dport 514 \(c) accept", in: t)
        return t
    }

    /// The same Docker 28 state as `iptables-save` prints it.
    static func dockerCIptablesSave() throws -> String {
        var t = try text("docker-eras/iptables-save/c.iptables-save")
        t = try insert((8000...8002).map { "-A DOCKER -p tcp -m tcp --dport \($0) -j DNAT --to-destination 172.20.0.2:\($0)" }, .before,
                       "-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.20.0.2:8080", in: t)
        t = try insert([(9000, 5000), (9001, 5001)].map { "-A DOCKER -p udp -m udp --dport \($0.0) -j DNAT --to-destination 172.20.0.3:\($0.1)" },
                       .after, "-A DOCKER -p udp -m udp --dport 514 -j DNAT --to-destination 172.20.0.3:514", in: t)
        t = try insert((8000...8002).map { "-A POSTROUTING -s 172.20.0.2/32 -d 172.20.0.2/32 -p tcp -m tcp --dport \($0) -j MASQUERADE" }, .before,
                       "-A POSTROUTING -s 172.20.0.2/32 -d 172.20.0.2/32 -p tcp -m tcp --dport 8080 -j MASQUERADE", in: t)
        t = try insert([5000, 5001].map { "-A POSTROUTING -s 172.20.0.3/32 -d 172.20.0.3/32 -p udp -m udp --dport \($0) -j MASQUERADE" }, .after,
                       "-A POSTROUTING -s 172.20.0.3/32 -d 172.20.0.3/32 -p udp -m udp --dport 514 -j MASQUERADE", in: t)
        t = try insert([8002, 8001, 8000].map { "-A DOCKER -d 172.20.0.2/32 ! -i docker1 -o docker1 -p tcp -m tcp --dport \($0) -j ACCEPT" },
                       .after, "-A DOCKER -d 172.20.0.2/32 ! -i docker1 -o docker1 -p tcp -m tcp --dport 8080 -j ACCEPT", in: t)
        t = try insert([5001, 5000].map { "-A DOCKER -d 172.20.0.3/32 ! -i docker1 -o docker1 -p udp -m udp --dport \($0) -j ACCEPT" },
                       .before, "-A DOCKER -d 172.20.0.3/32 ! -i docker1 -o docker1 -p udp -m udp --dport 514 -j ACCEPT", in: t)
        return t
    }

    /// Docker 29 nftables: every rule appended per binding, in the container's binding order.
    static func dockerD() throws -> String {
        var t = try text("docker-eras/snapshots/docker-d/nft-ruleset.nft")
        let c = "counter packets 0 bytes 0"
        t = try insert((8000...8002).map { "tcp dport \($0) \(c) dnat to 172.20.0.2:\($0) comment \"DNAT\"" }, .before,
                       "tcp dport 8080 \(c) dnat to 172.20.0.2:8080 comment \"DNAT\"", in: t)
        t = try insert([(9000, 5000), (9001, 5001)].map { "udp dport \($0.0) \(c) dnat to 172.20.0.3:\($0.1) comment \"DNAT\"" }, .after,
                       "udp dport 514 \(c) dnat to 172.20.0.3:514 comment \"DNAT\"", in: t)
        t = try insert((8000...8002).map { "ip daddr 172.20.0.2 tcp dport \($0) \(c) accept" }, .before,
                       "ip daddr 172.20.0.2 tcp dport 8080 \(c) accept", in: t)
        t = try insert([5000, 5001].map { "ip daddr 172.20.0.3 udp dport \($0) \(c) accept" }, .after,
                       "ip daddr 172.20.0.3 udp dport 514 \(c) accept", in: t)
        let masq = "masquerade comment \"MASQ TO OWN PORT\""
        t = try insert((8000...8002).map { "ip saddr 172.20.0.2 ip daddr 172.20.0.2 tcp dport \($0) \(c) \(masq)" }, .before,
                       "ip saddr 172.20.0.2 ip daddr 172.20.0.2 tcp dport 8080 \(c) \(masq)", in: t)
        t = try insert([5000, 5001].map { "ip saddr 172.20.0.3 ip daddr 172.20.0.3 udp dport \($0) \(c) \(masq)" }, .after,
                       "ip saddr 172.20.0.3 ip daddr 172.20.0.3 udp dport 514 \(c) \(masq)", in: t)
        return t
    }

    /// docker-d with proxy's three tcp rules of each kind written as one range rule
    /// (`tcp dport 8000-8002 dnat to 172.20.0.2:8000-8002`): not Docker's output, the range DNAT
    /// whose port choice the kernel makes.
    static func handWrittenRange() throws -> String {
        var t = try dockerD()
        for p in 8000...8002 {
            for rule in ["tcp dport \(p) counter packets 0 bytes 0 dnat to 172.20.0.2:\(p) comment \"DNAT\"",
                         "ip daddr 172.20.0.2 tcp dport \(p) counter packets 0 bytes 0 accept",
                         "ip saddr 172.20.0.2 ip daddr 172.20.0.2 tcp dport \(p) counter packets 0 bytes 0 masquerade comment \"MASQ TO OWN PORT\""] {
                let line = t.components(separatedBy: "\n").first { $0.trimmingCharacters(in: .whitespaces) == rule }
                guard let line else { throw HookwalkError("no rule \(rule)") }
                let range = rule.replacingOccurrences(of: "dport \(p)", with: "dport 8000-8002")
                    .replacingOccurrences(of: "172.20.0.2:\(p)", with: "172.20.0.2:8000-8002")
                let indent = String(line.prefix { $0 == "\t" })
                t = t.replacingOccurrences(of: line + "\n", with: p == 8000 ? indent + range + "\n" : "")
            }
        }
        return t
    }

    /// The lab cases; the name is what LabCaseDocsTests calls them.
    enum RangeCase: String, CaseIterable {
        case c = "port ranges c"
        case cIptablesSave = "port ranges c iptables-save"
        case d = "port ranges d"
        case handWritten = "port range dnat (hand-written)"
    }

    /// The derived snapshot of a case, in a temporary folder (`remove()` it when done).
    static func derivedSnapshot(_ c: RangeCase) throws -> DerivedSnapshot {
        switch c {
        case .c:
            return try DerivedSnapshot(base: "docker-c", files: ["docker-containers.json": try containers(base: "docker-c"), "nft-ruleset.nft": try dockerC()])
        case .cIptablesSave:
            return try DerivedSnapshot(base: "docker-c", files: ["docker-containers.json": try containers(base: "docker-c"),
                                                                 "iptables-save.txt": try dockerCIptablesSave()])
        case .d:
            return try DerivedSnapshot(base: "docker-d", files: ["docker-containers.json": try containers(base: "docker-d"), "nft-ruleset.nft": try dockerD()])
        case .handWritten:
            return try DerivedSnapshot(base: "docker-d", files: ["docker-containers.json": try containers(base: "docker-d"),
                                                                 "nft-ruleset.nft": try handWrittenRange()])
        }
    }

    func testEveryPortOfTheRangeReachesItsContainerPort() throws {
        try LabFixtures.skipUnlessLabPossible()
        for c in RangeCase.allCases {
            let snap = try LabCases.build(c.rawValue)
            defer { snap.remove() }
            // The kinds whose packets cross the DNATs of the ranges (the other kinds are the era's
            // own lab cases).
            let results = try LabFixtures.verifyAgreeing(snap, Verifier.Options(kinds: ["published-port", "hairpin", "host-local"]),
                                                         c.rawValue)
            for b in Self.added {
                let r = try XCTUnwrap(results.first { $0.item.kind == "published-port" && $0.item.scenario.port == UInt16(b.hostPort)
                                                      && $0.item.scenario.proto.rawValue == b.proto }, "\(c.rawValue): no scenario for \(b)")
                // The lab's server listens on the container port the binding names; the kernel's
                // packet reached it there, and the simulation delivered it to the same port.
                XCTAssertEqual(r.item.lab.server, .container(b.container), "\(c.rawValue) \(b)")
                XCTAssertEqual(r.item.lab.serverPort, UInt16(b.port), "\(c.rawValue) \(b)")
                XCTAssertTrue(r.capture.observation.serverGotRequest, "\(c.rawValue): \(b.hostPort)/\(b.proto) did not reach \(b.container):\(b.port)")
                guard case .delivered(_, let seen) = r.trace.request.outcome else { return XCTFail("\(c.rawValue) \(b): \(r.trace.request.outcome)") }
                XCTAssertEqual(seen.dport, UInt16(b.port), "\(c.rawValue) \(b)")
            }
        }
    }
}
