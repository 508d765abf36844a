import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// The engine's acceptance test, on the project's own recording of the kernel
/// (`Tests/Fixtures/seed-centos8/recorded`, made by `scripts/record-kernel-traces` with
/// `hookwalk verify --save`): for every scenario of the catalog on the article's host, hookwalk's
/// simulation on the kernel's own listing must give the same events (family, table, chain, handle,
/// verdict, policy) and the same devices, addresses and ports on every `packet:` line as
/// `nft monitor trace` printed, for the request and for the reply.
final class SeedKernelTraceTests: XCTestCase {
    static let recorded = "seed-centos8/recorded"
    static let client = IPAddress("10.254.10.105")!

    func testEveryScenarioMatchesTheKernel() throws {
        let snapshot = try Fixtures.snapshot("seed-centos8/snapshot")
        let listing = try Fixtures.path("\(Self.recorded)/\(Verifier.savedListingJSON)")
        let listed = try NftJSON.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: listing))), file: listing)
        let sim = Simulator(snapshot: Snapshot(ruleset: listed, host: snapshot.host, rulesetFile: listing, path: snapshot.path))
        XCTAssertTrue(sim.rulesetSetsNftrace)
        // The plan `verify --client 10.254.10.105` played: every scenario of it must be recorded,
        // so a scenario added to the catalog cannot pass unrecorded (re-run the script).
        let plan = try VerifyPlan(snapshot: snapshot, client: Self.client)
        XCTAssertGreaterThanOrEqual(plan.items.count, 11)
        let cmp = TraceComparator(portAliases: plan.topology.portAliases)
        for item in plan.items {
            let file = try Fixtures.path("\(Self.recorded)/\(item.lab.name).kernel.txt")
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let captured = try CaptureFile.scenarios(text)
            XCTAssertEqual(captured.map(\.name), [item.lab.name], file)
            guard let c = captured.first else { continue }
            var scenario = item.scenario
            scenario.sport = try XCTUnwrap(c.context.clientPorts.first, file)
            let trace = sim.simulate(scenario)
            let kernel = FlowGrouping.select(c.lines, context: c.context)
            let simRequest = NftTraceFormat.lines(trace.request, onlyTraced: true).compactMap(KernelTraceParser.parseLine)
            let simReply = trace.reply.map { NftTraceFormat.lines($0, onlyTraced: true).compactMap(KernelTraceParser.parseLine) } ?? []
            XCTAssertFalse(kernel.request.isEmpty, c.name)
            XCTAssertEqual(cmp.compare(kernel: kernel.request, simulated: simRequest), .match, "\(c.name) request")
            XCTAssertEqual(cmp.compare(kernel: kernel.reply, simulated: simReply), .match, "\(c.name) reply")
            // What the endpoints saw (the lab's server and client reports) against the outcome.
            let serverGot = text.contains("# server: {\"got\": true")
            if case .delivered = trace.request.outcome { XCTAssertTrue(serverGot, "\(c.name): simulated delivered, the server got nothing") }
            else { XCTAssertFalse(serverGot, "\(c.name): the server got the request, simulated \(trace.request.outcome)") }
        }
    }

    /// The article's open question: the server sees the request from docker1's address
    /// (masquerade, docs/kernel-facts.md fact 11) and the client gets the reply from the host's address (fact 10).
    func testRadiusAddressesAsTheEndpointsSeeThem() throws {
        let sim = try Fixtures.simulator("seed-centos8/snapshot")
        let t = sim.simulate(Scenario(from: .external(address: IPAddress("10.254.10.105")!, interface: nil),
                                      to: IPAddress("10.254.10.252")!, port: 1812, proto: .udp, sport: 41003))
        guard case .delivered(.container("radius"), let seen) = t.request.outcome else {
            return XCTFail("request: \(t.request.outcome)")
        }
        XCTAssertEqual(seen.flowText, "172.20.0.1:41003 -> 172.20.0.4:1812")
        guard case .delivered(.external, let back)? = t.reply?.outcome else { return XCTFail("reply: \(String(describing: t.reply?.outcome))") }
        XCTAssertEqual(back.flowText, "10.254.10.252:1812 -> 10.254.10.105:41003")
    }
}
