import Foundation
import HookwalkLab
import HookwalkModel
import HookwalkSimulator
import XCTest

/// The engine's acceptance test: for every scenario the kernel traced on the article's host,
/// hookwalk's `--format nft` output must give the same events (family, table, chain, handle,
/// verdict, policy) and the same devices, addresses and ports on every `packet:` line, for the
/// request and for the reply.
final class SeedKernelTraceTests: XCTestCase {
    func testEveryScenarioMatchesTheKernel() throws {
        let sim = try Fixtures.simulator("fixtures/kernel-traces/seed-centos8/snapshot")
        let raw = try String(contentsOfFile: try Fixtures.path("fixtures/kernel-traces/seed-centos8/raw-trace.txt"), encoding: .utf8)
        let captured = try CaptureFile.scenarios(raw)
        XCTAssertEqual(captured.count, 7)
        XCTAssertTrue(sim.rulesetSetsNftrace)
        for c in captured {
            let ctx = c.context
            let scenario = Scenario(from: .external(address: ctx.clientAddresses[0], interface: nil), to: ctx.serverAddresses[0],
                                    port: ctx.serverPorts[0], proto: ctx.proto == "tcp" ? .tcp : .udp, sport: ctx.clientPorts[0])
            let trace = sim.simulate(scenario)
            let kernel = FlowGrouping.select(c.lines, context: ctx)
            let simRequest = NftTraceFormat.lines(trace.request, onlyTraced: true).compactMap(KernelTraceParser.parseLine)
            let simReply = trace.reply.map { NftTraceFormat.lines($0, onlyTraced: true).compactMap(KernelTraceParser.parseLine) } ?? []
            XCTAssertFalse(kernel.request.isEmpty, c.name)
            let cmp = TraceComparator()
            XCTAssertEqual(cmp.compare(kernel: kernel.request, simulated: simRequest), .match, "\(c.name) request")
            XCTAssertEqual(cmp.compare(kernel: kernel.reply, simulated: simReply), .match, "\(c.name) reply")
        }
    }

    /// The article's open question: the server sees the request from docker1's address
    /// (masquerade, fact 11) and the client gets the reply from the host's address (fact 10).
    func testRadiusAddressesAsTheEndpointsSeeThem() throws {
        let sim = try Fixtures.simulator("fixtures/kernel-traces/seed-centos8/snapshot")
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
