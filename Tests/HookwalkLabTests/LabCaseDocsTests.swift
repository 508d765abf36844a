import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import XCTest

/// Issue 5 wants every lab case documented, not only verified: each derived snapshot the lab tests
/// use is rendered in memory as `hookwalk docs` renders
/// it, and every catalog scenario must get its page and its diagrams. A page that says a construct
/// is not modelled fails the test unless listed in `expectedNotModelled`, with what it says, so a
/// gap in the model is a decision someone wrote down rather than a surprise on a real host.
/// No root needed: nothing runs but the loader, the simulator and the renderers.
final class LabCaseDocsTests: XCTestCase {
    struct Case {
        var name: String
        /// The external clients the docs are generated for; empty: the catalog's default client.
        var clients: [IPAddress] = []
        var make: () throws -> DerivedSnapshot
    }

    /// Cases whose pages may say "not modelled", with the constructs they may name. None so far.
    static let expectedNotModelled: [String: [String]] = [:]

    /// Every derived snapshot a lab test verifies, built by the same function the lab test uses.
    static func cases() throws -> [Case] {
        var out: [Case] = []
        for c in VerifyProxyTests.cases {
            let variant = try LabFixtures.path("fixtures/docker-eras/variants/\(c.ruleset)")
            out.append(Case(name: "proxy-true \(c.era)") {
                try DerivedSnapshot(base: c.base, files: ["docker-daemon.json": "{\"userland-proxy\": true}\n"], copies: ["nft-ruleset.nft": variant])
            })
        }
        for era in ["a", "b", "c"] {
            let save = try LabFixtures.path("fixtures/docker-eras/iptables-save/\(era).iptables-save")
            out.append(Case(name: "iptables-save \(era)") { try DerivedSnapshot(base: "docker-\(era)", copies: ["iptables-save.txt": save]) })
        }
        out.append(Case(name: "ufw") { try DerivedSnapshot(base: "docker-c", copies: ["iptables-save.txt": VerifyUfwTests.fixture]) })
        out.append(Case(name: "ipset-guarded published port") { try VerifyIpsetTests.derivedSnapshot() })
        out.append(Case(name: "dual-stack c", clients: [IPAddress("10.254.10.105")!, VerifyIPv6Tests.client6]) {
            try VerifyIPv6Tests.derivedSnapshot()
        })
        out.append(Case(name: "ufw dual-stack c", clients: [IPAddress("10.254.10.105")!, VerifyIPv6Tests.client6]) {
            try VerifyUfwIPv6Tests.derivedSnapshot()
        })
        for era in ["b", "c"] {
            out.append(Case(name: "6-to-4 proxy \(era)", clients: [IPAddress("10.254.10.105")!, VerifyProxySixToFourTests.client6]) {
                try VerifyProxySixToFourTests.derivedSnapshot(era: era)
            })
        }
        for era in ["c", "d"] {
            out.append(Case(name: "isolation \(era)") { try VerifyNetworksTests.snapshotWithDefaultBridgeContainer(era) })
        }
        out.append(Case(name: "icc=false") { try VerifyNetworksTests.iccFalseSnapshot() })
        for on in [0, 1] {
            out.append(Case(name: "127.0.0.1 binding, route_localnet \(on)") { try VerifyLoopbackBindingTests.snapshot(routeLocalnet: on) })
        }
        out.append(Case(name: "inet filter input drop") {
            try VerifyNftablesHostFirewallTests.derivedSnapshot(adding: VerifyNftablesHostFirewallTests.inputPolicyDrop)
        })
        for first in [false, true] {
            out.append(Case(name: "leftover ip filter FORWARD drop, \(first ? "first" : "last")") {
                try VerifyNftablesHostFirewallTests.derivedSnapshot(adding: VerifyNftablesHostFirewallTests.leftoverForwardDrop, first: first)
            })
        }
        out.append(Case(name: "chains at conntrack's and NAT's priority") {
            try VerifyNftablesHostFirewallTests.derivedSnapshot(adding: HookRegistrationLabTests.samePriorityChains)
        })
        out.append(Case(name: "Docker on iptables-legacy beside nftables") { try VerifyLegacyBesideNftTests.derivedSnapshot() })
        for c in VerifyPortRangeTests.RangeCase.allCases {
            out.append(Case(name: c.rawValue) { try VerifyPortRangeTests.derivedSnapshot(c) })
        }
        for era in ["a", "c", "d"] {
            out.append(Case(name: "internal network \(era)") { try VerifyInternalNetworkTests.derivedSnapshot(era: era) })
        }
        out.append(Case(name: "internal network c dual-stack", clients: [IPAddress("10.254.10.105")!, VerifyInternalNetworkTests.client6]) {
            try VerifyInternalNetworkTests.derivedSnapshot(era: "c", ipv6: true)
        })
        out.append(Case(name: "random bridge port names") { try VerifyBridgePortNamesTests.derivedSnapshot().0 })
        out.append(Case(name: "netavark-style marks") { try VerifyMarksTests.netavarkSnapshot() })
        out.append(Case(name: "iptables MARK and CONNMARK") { try VerifyMarksTests.iptablesSnapshot() })
        out.append(Case(name: "fwmark policy routing") { try VerifyPolicyRoutingTests.derivedSnapshot() })
        for dropped in [false, true] {
            out.append(Case(name: "reject's answers\(dropped ? ", dropped in output" : "")") {
                try VerifyRejectTests.derivedSnapshot(droppingAnswers: dropped)
            })
        }
        return out
    }

    func testEveryLabCaseIsDocumented() throws {
        let generator = try DocGenerator(templatesDirectory: LabFixtures.repository + "/Templates", ruleText: NftTextWriter.ruleText)
        for c in try Self.cases() {
            let snap = try c.make()
            defer { snap.remove() }
            let snapshot = try SnapshotLoader.load(path: snap.path)
            let docs = HostDocuments.scenarios(snapshot: snapshot, clients: c.clients, ruleText: NftTextWriter.ruleText)
            XCTAssertFalse(docs.isEmpty, "\(c.name): no scenarios")
            for client in c.clients {
                XCTAssertTrue(docs.contains { $0.trace.scenario.to.isV4 == client.isV4 && $0.kind == "published-port" },
                              "\(c.name): no published port documented for \(client)")
            }
            let files = try generator.render(snapshot: snapshot, scenarios: docs, png: false)
            XCTAssertNotNil(files["index.md"], "\(c.name): no index")
            XCTAssertNotNil(files["diagrams/overview.svg"], "\(c.name): no overview diagram")
            for n in snapshot.host.docker.networks where n.isInternal {
                let index = String(decoding: files["index.md"] ?? [], as: UTF8.self)
                XCTAssertTrue(index.contains("| \(n.name) | bridge, internal ("), "\(c.name): \(n.name) not marked internal")
            }
            var saidNotModelled: [String] = []
            for d in docs {
                guard let bytes = files["scenarios/\(d.id).md"] else {
                    XCTFail("\(c.name): no page for \(d.id)")
                    continue
                }
                for base in Self.diagramBases(d.trace) {
                    for ext in ["svg", "dot"] {
                        XCTAssertNotNil(files["diagrams/\(d.id)-\(base).\(ext)"], "\(c.name): no \(base) \(ext) for \(d.id)")
                    }
                }
                let page = String(decoding: bytes, as: UTF8.self)
                saidNotModelled += Self.notModelledLines(page).map { "\(d.id): \($0)" }
            }
            saidNotModelled += Self.notModelledLines(String(decoding: files["index.md"] ?? [], as: UTF8.self)).map { "index: \($0)" }
            let allowed = Self.expectedNotModelled[c.name] ?? []
            let unexpected = saidNotModelled.filter { line in !allowed.contains { line.contains($0) } }
            XCTAssertEqual(unexpected, [], "\(c.name): pages say not modelled")
        }
    }

    /// The lines of a page that say something was not evaluated: the callout, a numbered step, an
    /// outcome, or the index's summary.
    static func notModelledLines(_ page: String) -> [Substring] {
        page.split(separator: "\n").filter { line in
            let l = line.lowercased()
            return l.contains("not modelled") || l.contains("does not evaluate") || l.contains("not fully evaluated")
        }
    }

    /// The diagrams a scenario page links: the request, the reply when the request was delivered
    /// and answered, and docker-proxy's own connection when there is one.
    static func diagramBases(_ t: Trace) -> [String] {
        var bases = ["request"]
        if t.reply != nil, case .delivered = t.request.outcome { bases.append("reply") }
        if let leg = t.proxyLeg.first, case .delivered(.host, _) = t.request.outcome {
            bases.append("proxy-request")
            if leg.reply != nil { bases.append("proxy-reply") }
        }
        return bases
    }
}
