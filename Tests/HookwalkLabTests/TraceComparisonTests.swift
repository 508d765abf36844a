import HookwalkLab
import HookwalkSimulator
import HookwalkModel
import XCTest

final class TraceComparisonTests: XCTestCase {
    func radius() throws -> FlowSelection {
        let cap = try XCTUnwrap(CaptureFile.scenarios(SeedFixture.text("raw-trace.txt")).first { $0.name == "radius-udp1812" })
        return FlowGrouping.select(cap.lines, context: cap.context)
    }

    /// The simulator prints the same lines without `trace id`; reading them back must compare equal.
    func testSameEventsWithoutTraceIDsMatch() throws {
        let sel = try radius()
        let simulated = sel.request.map { l -> TraceLine in
            let text = l.raw.replacingOccurrences(of: "trace id \(l.traceID ?? "") ", with: "")
            return KernelTraceParser.parseLine(text)!
        }
        XCTAssertEqual(TraceComparator().compare(kernel: sel.request, simulated: simulated), .match)
    }

    func testAlteredHandleIsTheFirstDivergenceAndReadsWell() throws {
        let sel = try radius()
        var simulated = sel.request
        let i = try XCTUnwrap(simulated.firstIndex { $0.chain == "DOCKER" && $0.table == "nat" })
        guard case .rule(_, let v, let t) = simulated[i].kind else { return XCTFail() }
        simulated[i].kind = .rule(handle: 9, verdict: v, text: t)
        simulated[i].raw = ""
        let result = TraceComparator().compare(kernel: sel.request, simulated: simulated)
        guard case .diverge(let d) = result else { return XCTFail("expected a divergence") }
        XCTAssertEqual(d.index, i)
        XCTAssertEqual(d.field, "handle")
        let report = VerifyReport(scenarios: [
            ScenarioComparison(name: "radius-udp1812", request: result, reply: .match),
            ScenarioComparison(name: "syslog-udp514", request: .match, reply: .match),
        ])
        XCTAssertEqual(report.summaryLine, "agreement: 1/2 scenarios")
        let text = report.text
        XCTAssertTrue(text.contains("DIVERGE  radius-udp1812"), text)
        XCTAssertTrue(text.contains("MATCH    syslog-udp514"), text)
        XCTAssertTrue(text.contains("event 7 differs in handle"), text)
        XCTAssertTrue(text.contains("kernel:   trace id cd38add4 ip nat DOCKER rule udp dport 1812 counter packets 0 bytes 0 dnat to 172.20.0.4:1812 # handle 10 (verdict accept)"), text)
        XCTAssertTrue(text.contains("hookwalk: ip nat DOCKER rule udp dport 1812 counter packets 0 bytes 0 dnat to 172.20.0.4:1812 # handle 9 (verdict accept)"), text)
        let json = try report.json()
        XCTAssertTrue(json.contains("\"status\" : \"DIVERGE\""), json)
        XCTAssertTrue(json.contains("\"matching\" : 1"), json)
    }

    func testShorterSimulationAndBridgePortAliases() throws {
        let sel = try radius()
        let r = TraceComparator().compare(kernel: sel.reply, simulated: Array(sel.reply.dropLast()))
        guard case .diverge(let d) = r else { return XCTFail() }
        XCTAssertEqual(d.field, "length")
        XCTAssertNil(d.simulated)

        // The lab had to rename the port; the simulator uses the snapshot's name.
        var kernel = sel.reply
        guard case .packet(var p) = kernel[0].kind else { return XCTFail() }
        p.iif = "hwp1"
        kernel[0].kind = .packet(p)
        XCTAssertEqual(TraceComparator(portAliases: ["hwp1": "vethradius"]).compare(kernel: kernel, simulated: sel.reply), .match)
        XCTAssertNotEqual(TraceComparator().compare(kernel: kernel, simulated: sel.reply), .match)
    }
}
