import Foundation
import HookwalkModel
import XCTest

/// One lab case: a snapshot the kernel lab verifies, by name, with the clients its docs are made for.
struct LabCase: Sendable {
    var name: String
    /// The external clients the docs are generated for; empty: the catalog's default client.
    var clients: [IPAddress] = []
    var make: @Sendable () throws -> DerivedSnapshot
}

/// The registry of every lab case. Lab tests get their snapshots from `build(_:)` and
/// `LabFixtures.verifyAgreeing` accepts only a snapshot built here, so every case the lab verifies
/// is in `all`, and `LabCaseDocsTests` documents each one: a new lab case cannot escape it.
enum LabCases {
    static let client4 = IPAddress("10.254.10.105")!

    static let all: [LabCase] = {
        var out: [LabCase] = []
        for c in VerifyProxyTests.cases {
            out.append(LabCase(name: "proxy-true \(c.era)") {
                let variant = try LabFixtures.path("docker-eras/variants/\(c.ruleset)")
                return try DerivedSnapshot(base: c.base, files: ["docker-daemon.json": "{\"userland-proxy\": true}\n"], copies: ["nft-ruleset.nft": variant])
            })
        }
        for era in ["a", "b", "c"] {
            out.append(LabCase(name: "iptables-save \(era)") {
                let save = try LabFixtures.path("docker-eras/iptables-save/\(era).iptables-save")
                return try DerivedSnapshot(base: "docker-\(era)", copies: ["iptables-save.txt": save])
            })
        }
        // The same rules as `iptables -S` output (all tables in one file), restored by the lab
        // through its iptables-save form.
        out.append(LabCase(name: "iptables -S c") {
            try DerivedSnapshot(base: "docker-c", copies: ["iptables-S.txt": try LabFixtures.path("iptables-dumps/iptables-S.txt")])
        })
        out.append(LabCase(name: "ufw") { try DerivedSnapshot(base: "docker-c", copies: ["iptables-save.txt": VerifyUfwTests.fixture]) })
        out.append(LabCase(name: "ipset-guarded published port") { try VerifyIpsetTests.derivedSnapshot() })
        out.append(LabCase(name: "dual-stack c", clients: [client4, VerifyIPv6Tests.client6]) { try VerifyIPv6Tests.derivedSnapshot() })
        out.append(LabCase(name: "ufw dual-stack c", clients: [client4, VerifyIPv6Tests.client6]) { try VerifyUfwIPv6Tests.derivedSnapshot() })
        for era in ["b", "c"] {
            out.append(LabCase(name: "6-to-4 proxy \(era)", clients: [client4, VerifyProxySixToFourTests.client6]) {
                try VerifyProxySixToFourTests.derivedSnapshot(era: era)
            })
        }
        for era in ["c", "d"] {
            out.append(LabCase(name: "isolation \(era)") { try VerifyNetworksTests.snapshotWithDefaultBridgeContainer(era) })
        }
        out.append(LabCase(name: "icc=false") { try VerifyNetworksTests.iccFalseSnapshot() })
        for on in [0, 1] {
            out.append(LabCase(name: "127.0.0.1 binding, route_localnet \(on)") { try VerifyLoopbackBindingTests.snapshot(routeLocalnet: on) })
        }
        out.append(LabCase(name: "inet filter input drop") {
            try VerifyNftablesHostFirewallTests.derivedSnapshot(adding: VerifyNftablesHostFirewallTests.inputPolicyDrop)
        })
        for first in [false, true] {
            out.append(LabCase(name: "leftover ip filter FORWARD drop, \(first ? "first" : "last")") {
                try VerifyNftablesHostFirewallTests.derivedSnapshot(adding: VerifyNftablesHostFirewallTests.leftoverForwardDrop, first: first)
            })
            out.append(LabCase(name: "chains at conntrack's and NAT's priority, \(first ? "first" : "last")") {
                try VerifyNftablesHostFirewallTests.derivedSnapshot(adding: HookRegistrationLabTests.samePriorityChains, first: first)
            })
        }
        out.append(LabCase(name: "Docker on iptables-legacy beside nftables") { try VerifyLegacyBesideNftTests.derivedSnapshot() })
        for c in VerifyPortRangeTests.RangeCase.allCases {
            out.append(LabCase(name: c.rawValue) { try VerifyPortRangeTests.derivedSnapshot(c) })
        }
        for era in ["a", "c", "d"] {
            out.append(LabCase(name: "internal network \(era)") { try VerifyInternalNetworkTests.derivedSnapshot(era: era) })
        }
        out.append(LabCase(name: "internal network c dual-stack", clients: [client4, VerifyInternalNetworkTests.client6]) {
            try VerifyInternalNetworkTests.derivedSnapshot(era: "c", ipv6: true)
        })
        out.append(LabCase(name: "random bridge port names") { try VerifyBridgePortNamesTests.derivedSnapshot().0 })
        out.append(LabCase(name: "netavark-style marks") { try VerifyMarksTests.netavarkSnapshot() })
        out.append(LabCase(name: "iptables MARK and CONNMARK") { try VerifyMarksTests.iptablesSnapshot() })
        out.append(LabCase(name: "numgen vmap") { try VerifyBranchesTests.numgenSnapshot() })
        out.append(LabCase(name: "iptables statistic") { try VerifyBranchesTests.statisticSnapshot() })
        out.append(LabCase(name: "fwmark policy routing") { try VerifyPolicyRoutingTests.derivedSnapshot() })
        for dropped in [false, true] {
            out.append(LabCase(name: VerifyRejectTests.caseName(droppingAnswers: dropped)) {
                try VerifyRejectTests.derivedSnapshot(droppingAnswers: dropped)
            })
        }
        out.append(LabCase(name: VerifyRejectIPv6Tests.caseName, clients: [client4, VerifyIPv6Tests.client6]) {
            try VerifyRejectIPv6Tests.derivedSnapshot()
        })
        for r in VerifyRemedyTests.Remedy.allCases {
            out.append(LabCase(name: r.labCase) { try r.remedied() })
        }
        out.append(LabCase(name: VerifyListenerRemedyTests.beforeCase) { try VerifyListenerRemedyTests.derivedSnapshot(postgresOn: "0.0.0.0") })
        out.append(LabCase(name: VerifyListenerRemedyTests.afterCase) { try VerifyListenerRemedyTests.derivedSnapshot(postgresOn: "127.0.0.1") })
        out.append(LabCase(name: VerifyListenerRemedyTests.inputDropCase) { try VerifyListenerRemedyTests.inputDropSnapshot() })
        return out
    }()

    /// The snapshot of the case `name`, marked as built from the registry. An unknown name is a
    /// test failure (register the case in `all`).
    static func build(_ name: String) throws -> DerivedSnapshot {
        guard let c = all.first(where: { $0.name == name }) else {
            throw HookwalkTestErrorLab("no lab case \"\(name)\" in LabCases.all: register it there, so its docs are tested too")
        }
        var snap = try c.make()
        snap.labCase = name
        return snap
    }
}

struct HookwalkTestErrorLab: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
