import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// Builds the seed host in network namespaces and plays the radius scenario against the real
/// kernel. Skipped, with the reason, where namespaces cannot be made.
final class LiveLabTests: XCTestCase {
    func skipUnlessLabPossible() throws {
        if geteuid() != 0 { throw LabRequirement.unmet("needs root and network namespaces: not running as root") }
        do {
            try LabBuilder.checkRequirements()
        } catch {
            throw LabRequirement.unmet("needs root and network namespaces: \(error)")
        }
        let probe = "hwprobe\(UInt32.random(in: 0...0xFFFFFF))"
        let added: ProcessResult
        do { added = try TestProcess.run(["ip", "netns", "add", probe]) } catch {
            throw LabRequirement.unmet("needs root and network namespaces: cannot run ip: \(error)")
        }
        if added.status != 0 { throw LabRequirement.unmet("needs root and network namespaces: `ip netns add` failed") }
        _ = try TestProcess.run(["ip", "netns", "del", probe])
    }

    func testRadiusScenarioOnTheSeedHost() throws {
        try skipUnlessLabPossible()
        let dir = SeedFixture.dir + "/snapshot"
        let host = try SeedHostLoader.load(dir)
        let topology = LabTopology(host: host, clientAddresses: ["ens192": IPPrefix("10.254.10.105/24")!])
        XCTAssertEqual(topology.uplinks.map(\.name), ["ens192"])
        XCTAssertEqual(topology.bridges.map(\.name), ["docker1"])
        XCTAssertEqual(topology.containers.flatMap { $0.attachments.map(\.port) }, ["vethproxy", "vethsyslog", "vethradius", "vethdhcp"])

        let scenario = LabScenario(name: "radius-udp1812", proto: .udp, client: .external(uplink: "ens192"), clientPort: 41003,
                                   destination: IPAddress("10.254.10.252")!, port: 1812, server: .container("radius"), serverPort: 1812)
        XCTAssertEqual(topology.expectedServer(destination: scenario.destination, port: 1812, proto: .udp, host: host).0, .container("radius"))

        var capture: LabCapture?
        var listing = ""
        let lab = try LabBuilder.build(topology)
        do {
            defer { lab.teardown() }
            XCTAssertEqual(Set(lab.remainingNamespaces()), Set(topology.namespaces))
            listing = try lab.loadRuleset(path: dir + "/nft-ruleset.nft", tracePorts: [41003, 1812])
            capture = try lab.run(scenario)
        }
        XCTAssertEqual(lab.remainingNamespaces(), [], "namespaces of run \(topology.prefix) left behind")
        XCTAssertTrue(listing.contains("\"__hw_trace\""), "trace table missing from the listing")

        let c = try XCTUnwrap(capture)
        XCTAssertEqual(c.problems, [], c.problems.joined(separator: "\n"))
        XCTAssertEqual(c.observation, EndpointObservation(serverGotRequest: true, serverSawFrom: "172.20.0.1",
                                                          clientGotReply: true, clientSawFrom: "10.254.10.252:1812"))

        // The seed snapshot's ruleset still holds the earlier lab's `__oracle_trace` tables, so the
        // kernel prints our trace tables' chains and theirs. Without ours, the path must be exactly
        // the earlier lab's: same chains, handles, verdicts, interfaces, addresses and ports.
        let summary = try XCTUnwrap(SeedFixture.summary().first { $0.name == "radius-udp1812" })
        let ours = { (l: TraceLine) in l.table == "__hw_trace" }
        XCTAssertFalse(c.selection.request.filter(ours).isEmpty, "our trace table did not trace the request")
        let req = SeedFixture.events(c.selection.request.filter { !ours($0) })
        let rep = SeedFixture.events(c.selection.reply.filter { !ours($0) })
        XCTAssertEqual(req, summary.request, "request:\n" + c.captureText)
        XCTAssertEqual(rep, summary.reply, "reply:\n" + c.captureText)

        // And through the comparator, against the earlier lab's raw capture of the same scenario.
        let earlier = try XCTUnwrap(CaptureFile.scenarios(SeedFixture.text("raw-trace.txt")).first { $0.name == "radius-udp1812" })
        let old = FlowGrouping.select(earlier.lines, context: earlier.context)
        let cmp = TraceComparator(portAliases: topology.portAliases)
        XCTAssertEqual(cmp.compare(kernel: c.selection.request.filter { !ours($0) }, simulated: old.request), .match)
        XCTAssertEqual(cmp.compare(kernel: c.selection.reply.filter { !ours($0) }, simulated: old.reply), .match)
    }

    /// Every kind of scenario the lab plays: TCP from outside, direct access to a container,
    /// hairpin, host-local and egress. Asserts only what holds on the seed host whatever the model
    /// says (the server is reached; the request and reply are found in the capture).
    func testEveryScenarioKindRuns() throws {
        try skipUnlessLabPossible()
        let dir = SeedFixture.dir + "/snapshot"
        let host = try SeedHostLoader.load(dir)
        let topology = LabTopology(host: host, clientAddresses: ["ens192": IPPrefix("10.254.10.105/24")!])
        let hostAddr = IPAddress("10.254.10.252")!
        let scenarios = [
            LabScenario(name: "proxy-tcp8080", proto: .tcp, client: .external(uplink: nil), clientPort: 41001,
                        destination: hostAddr, port: 8080, server: .container("proxy"), serverPort: 8080),
            LabScenario(name: "direct-syslog", proto: .udp, client: .external(uplink: nil), clientPort: 41005,
                        destination: IPAddress("172.20.0.3")!, port: 514, server: .container("syslog"), serverPort: 514),
            LabScenario(name: "hairpin-syslog", proto: .udp, client: .container("proxy"), clientPort: 41006,
                        destination: hostAddr, port: 514, server: .container("syslog"), serverPort: 514),
            LabScenario(name: "host-local-radius", proto: .udp, client: .host, clientPort: 41007,
                        destination: hostAddr, port: 1812, server: .container("radius"), serverPort: 1812),
            LabScenario(name: "egress-radius", proto: .udp, client: .container("radius"), clientPort: 41008,
                        destination: IPAddress("10.254.10.105")!, port: 5514, server: .external(uplink: nil), serverPort: 5514),
        ]
        let ports = Set(scenarios.flatMap { [$0.clientPort, $0.port, $0.serverPort] })
        let captures = try LabBuilder.withLab(topology) { lab -> [LabCapture] in
            try lab.loadRuleset(path: dir + "/nft-ruleset.nft", tracePorts: ports)
            return try scenarios.map { try lab.run($0) }
        }
        XCTAssertEqual(Lab.namespaces(withPrefix: topology.prefix), [])
        for c in captures {
            let name = c.scenario.name
            XCTAssertTrue(c.observation.serverGotRequest, "\(name): \(c.problems)\n\(c.captureText)")
            XCTAssertFalse(c.selection.request.isEmpty, "\(name): no request traced\n\(c.captureText)")
            XCTAssertFalse(c.selection.reply.isEmpty, "\(name): no reply traced\n\(c.captureText)")
        }
    }
}
