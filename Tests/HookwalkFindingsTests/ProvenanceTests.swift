import Foundation
@testable import HookwalkFindings
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// The owner signatures (`Provenance.swift`) on every fixture host the repository has: the
/// article host (firewalld + Docker), the four Docker eras as nft listings and as iptables-save,
/// and the lab's composed rulesets (ufw, internal networks). Every rule of these hosts was written
/// by a tool, so none may come out hand-written, and each tool's chains must name the right tool.
final class ProvenanceTests: XCTestCase {
    /// (label, snapshot folder, ruleset file to use instead of the folder's).
    func fixtureHosts() throws -> [(String, String, [String: String])] {
        let lab = FindingsFixtures.repository + "/Tests/HookwalkLabTests/Fixtures/"
        var hosts: [(String, String, [String: String])] = [("article host", FindingsFixtures.example, [:])]
        for era in ["docker-a", "docker-b", "docker-c", "docker-d"] { hosts.append((era, try FindingsFixtures.era(era), [:])) }
        let saves = try FindingsFixtures.path("docker-eras/iptables-save")
        for (era, file) in [("docker-a", "a"), ("docker-b", "b"), ("docker-c", "c")] {
            hosts.append(("\(era) iptables-save", try FindingsFixtures.era(era),
                          ["iptables-save.txt": "\(saves)/\(file).iptables-save"]
                            .merging(FileManager.default.fileExists(atPath: "\(saves)/\(file).ip6tables-save") ? ["ip6tables-save.txt": "\(saves)/\(file).ip6tables-save"] : [:]) { a, _ in a }))
        }
        hosts.append(("ufw lab host", try FindingsFixtures.era("docker-c"), ["iptables-save.txt": lab + "c-ufw.iptables-save"]))
        // (The dual-stack ufw ruleset needs the dual-stack host VerifyIPv6Tests builds in code: its
        // containers' IPv6 addresses name the ip6 rules' containers.)
        hosts.append(("internal network, Docker 20.10", try FindingsFixtures.era("docker-a"), ["iptables-save.txt": lab + "a-internal.iptables-save"]))
        hosts.append(("internal network, Docker 28", try FindingsFixtures.era("docker-c"), ["iptables-save.txt": lab + "c-internal.iptables-save"]))
        hosts.append(("internal network, Docker 29", try FindingsFixtures.era("docker-d"), ["nft-ruleset.nft": lab + "d-internal.nft"]))
        return hosts
    }

    func testEveryRuleOfEveryFixtureHostHasItsToolAsOwner() throws {
        var checked = 0
        for (label, base, rulesets) in try fixtureHosts() {
            var path = base
            var cleanup: String?
            if !rulesets.isEmpty {
                let name = URL(fileURLWithPath: base).lastPathComponent
                path = try FindingsFixtures.derived(name, copies: rulesets)
                cleanup = path
            }
            defer { if let cleanup { try? FileManager.default.removeItem(atPath: cleanup) } }
            let snap = try SnapshotLoader.load(path: path)
            let p = Provenance(ruleset: snap.ruleset, host: snap.host)
            let bridges = Dictionary(snap.host.docker.networks.compactMap { n in n.bridge.map { ($0, n.name) } }, uniquingKeysWith: { a, _ in a })
            for table in snap.ruleset.tables {
                for chain in table.chains {
                    for rule in chain.rules {
                        let owner = p.owner(rule: rule, chain: chain.name, in: table)
                        let where_ = "\(label): \(table.family) \(table.name) \(chain.name): \(NftTextWriter.ruleText(rule))"
                        checked += 1
                        XCTAssertNotEqual(owner.tool, .handWritten, where_)
                        if chain.name.hasPrefix("ufw") { XCTAssertEqual(owner.tool, .ufw, where_) }
                        if chain.name.hasPrefix("DOCKER") || table.name == "docker-bridges" { XCTAssertEqual(owner.tool, .docker, where_) }
                        if table.name == "firewalld" {
                            XCTAssertEqual(owner.tool, .firewalld, where_)
                            if chain.name.contains("_public") { XCTAssertEqual(owner.detail, "zone public", where_) }
                        }
                        // Docker 29's per-bridge chains name their network.
                        if table.name == "docker-bridges", let r = chain.name.range(of: "__"), let network = bridges[String(chain.name[r.upperBound...])],
                           owner.detail?.hasPrefix("container") != true {
                            XCTAssertEqual(owner.detail, "network \(network)", where_)
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 500)
    }

    /// The rules a trace names get the owner of the rule (by handle, else by text).
    func testDockerRulesNameTheirContainerOrNetwork() throws {
        let snap = try SnapshotLoader.load(path: FindingsFixtures.example)
        let p = Provenance(ruleset: snap.ruleset, host: snap.host)
        let nat = ChainRef(family: .ip, table: "nat", chain: "DOCKER")
        XCTAssertEqual(p.owner(nat, handle: nil, text: "udp dport 1812 counter dnat to 172.20.0.4:1812"), Owner(.docker, "container radius"))
        XCTAssertEqual(p.owner(ChainRef(family: .ip, table: "nat", chain: "POSTROUTING"), handle: nil,
                               text: "oifname != \"docker1\" ip saddr 172.20.0.0/24 counter masquerade"),
                       Owner(.docker, "network infraserv_infranet"))
        XCTAssertEqual(p.owner(ChainRef(family: .ip, table: "firewalld", chain: "nat_POST_public_allow"), handle: nil,
                               text: "oifname != \"lo\" masquerade"), Owner(.firewalld, "zone public"))
    }

    /// The tools no fixture host has: their signatures, on a small ruleset; a ufw user rule's
    /// comment; a hand-written table and a hand-written rule in DOCKER-USER.
    func testOtherToolsAndHandWrittenRules() throws {
        let text = """
            table ip filter {
            \tchain INPUT {
            \t\ttype filter hook input priority 0; policy drop;
            \t\tjump ufw-user-input
            \t\tjump LIBVIRT_INP
            \t\tjump KUBE-FIREWALL
            \t\ttcp dport 2222 accept
            \t}
            \tchain ufw-user-input {
            \t\ttcp dport 22 accept comment "'allow ssh'"
            \t}
            \tchain LIBVIRT_INP {
            \t\tiifname "virbr0" udp dport 53 accept
            \t}
            \tchain KUBE-FIREWALL {
            \t\tdrop
            \t}
            \tchain NETAVARK_FORWARD {
            \t\taccept
            \t}
            \tchain DOCKER-USER {
            \t\ttcp dport 8080 drop
            \t\treturn
            \t}
            }
            table inet netavark {
            \tchain forward {
            \t\ttype filter hook forward priority 0; policy accept;
            \t}
            }
            table ip kube-proxy {
            \tchain services {
            \t}
            }
            table inet mine {
            \tchain input {
            \t\ttype filter hook input priority 0; policy drop;
            \t\ttcp dport 22 accept
            \t}
            }
            """
        let ruleset = try NftText.parse(text, file: "t.nft")
        let p = Provenance(ruleset: ruleset, host: HostModel())
        func owner(_ t: String, _ c: String, _ i: Int) -> Owner {
            let table = ruleset.tables.first { $0.name == t }!
            return p.owner(rule: table.chain(c)!.rules[i], chain: c, in: table)
        }
        XCTAssertEqual(owner("filter", "INPUT", 0).tool, .ufw)
        XCTAssertEqual(owner("filter", "INPUT", 1), Owner(.libvirt))
        XCTAssertEqual(owner("filter", "INPUT", 2), Owner(.kubeProxy))
        XCTAssertEqual(owner("filter", "INPUT", 3), Owner(.handWritten))
        XCTAssertEqual(owner("filter", "ufw-user-input", 0), Owner(.ufw, "ufw-user-input 'allow ssh'"))
        XCTAssertEqual(owner("filter", "NETAVARK_FORWARD", 0).tool, .netavark)
        XCTAssertEqual(owner("filter", "DOCKER-USER", 0), Owner(.handWritten, "in DOCKER-USER"))
        XCTAssertEqual(owner("filter", "DOCKER-USER", 1), Owner(.docker))
        XCTAssertEqual(p.owner(chain: "forward", in: ruleset.tables.first { $0.name == "netavark" }!), Owner(.netavark))
        XCTAssertEqual(p.owner(chain: "services", in: ruleset.tables.first { $0.name == "kube-proxy" }!), Owner(.kubeProxy))
        XCTAssertEqual(owner("mine", "input", 0), Owner(.handWritten))
        // The INPUT policy of a chain ufw hooks into is ufw's default policy.
        XCTAssertEqual(p.policyOwner(ChainRef(family: .ip, table: "filter", chain: "INPUT")), Owner(.ufw, "default policy"))
    }
}

/// `RuleLocator.normalise` returns text it would not change as it is (the fast path every rule
/// of a big host takes): the result must be what splitting and joining gives.
final class RuleLocatorNormaliseTests: XCTestCase {
    /// The normalisation spelled out, without the fast path.
    static func reference(_ text: String) -> String {
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var i = 0
        while i < words.count {
            if words[i] == "counter", i + 4 < words.count, words[i + 1] == "packets", words[i + 3] == "bytes" {
                words.removeSubrange((i + 1)...(i + 4))
            }
            i += 1
        }
        return words.joined(separator: " ")
    }

    func testSameAsSplittingAndJoining() {
        let texts = [
            "", " ", "ip daddr 172.20.0.2 tcp dport 80 counter accept", "iifname \"docker0\" counter packets 3 bytes 180 accept",
            " leading", "trailing ", "two  spaces", "a\ttab", "counter packets 1 bytes 2", "xcounter packets 1 bytes 2 drop",
            "counter packets", "a \u{301}b", "a  \u{301}b", "é  ↓ …", "counter  packets 1 bytes 2 accept",
        ]
        for t in texts {
            XCTAssertEqual(RuleLocator.normalise(t), Self.reference(t), "\(t.debugDescription)")
        }
        XCTAssertEqual(RuleLocator.normalise("iifname \"docker0\" counter packets 3 bytes 180 accept"), "iifname \"docker0\" counter accept")
        XCTAssertTrue(RuleLocator.isNormal("ip daddr 172.20.0.2 tcp dport 80 counter accept"))
        XCTAssertFalse(RuleLocator.isNormal("counter packets 3 bytes 180"))
    }
}
