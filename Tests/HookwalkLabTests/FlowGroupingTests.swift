import HookwalkLab
import HookwalkModel
import XCTest

/// The earlier lab recorded the seed host's kernel traces (raw-trace.txt) and what it made of them
/// (summary.txt). Grouping the raw capture must give the same request and reply for every scenario.
final class FlowGroupingTests: XCTestCase {
    func testRawTraceReproducesSummaryForEveryScenario() throws {
        let captured = try CaptureFile.scenarios(SeedFixture.text("raw-trace.txt"))
        let summary = try SeedFixture.summary()
        XCTAssertEqual(captured.map(\.name), summary.map(\.name))
        XCTAssertEqual(captured.count, 7)
        for (cap, sum) in zip(captured, summary) {
            let sel = FlowGrouping.select(cap.lines, context: cap.context)
            let req = SeedFixture.events(sel.request), rep = SeedFixture.events(sel.reply)
            XCTAssertEqual(req.count, sum.request.count, "\(cap.name) request count")
            XCTAssertEqual(rep.count, sum.reply.count, "\(cap.name) reply count")
            for (i, (a, b)) in zip(req, sum.request).enumerated() { XCTAssertEqual(a, b, "\(cap.name) request event \(i + 1)") }
            for (i, (a, b)) in zip(rep, sum.reply).enumerated() { XCTAssertEqual(a, b, "\(cap.name) reply event \(i + 1)") }
        }
    }

    func testSynAckIsFollowedAcrossItsTraceIDChange() throws {
        let cap = try XCTUnwrap(CaptureFile.scenarios(SeedFixture.text("raw-trace.txt")).first { $0.name == "proxy-tcp8080" })
        let sel = FlowGrouping.select(cap.lines, context: cap.context)
        XCTAssertEqual(Set(sel.reply.compactMap(\.traceID)), ["bfbd339e", "b69aac11"])
        XCTAssertEqual(sel.reply.last?.kind, .rule(handle: 7, verdict: "accept", text: "ct state established,related accept"))
        // The SYN's id 2a038b00 is reused by the PSH-ACK later: that is another packet.
        XCTAssertTrue(sel.request.allSatisfy { $0.traceID == "2a038b00" })
        XCTAssertEqual(sel.request.count, 23)
        XCTAssertGreaterThan(sel.packets.filter { $0.traceIDs.contains("2a038b00") }.count, 1)
    }

    func testBroadcastHasNoReply() throws {
        let cap = try XCTUnwrap(CaptureFile.scenarios(SeedFixture.text("raw-trace.txt")).last)
        XCTAssertEqual(cap.name, "dhcp-broadcast-udp67")
        let sel = FlowGrouping.select(cap.lines, context: cap.context)
        XCTAssertEqual(sel.reply, [])
        XCTAssertEqual(sel.request.last?.kind, .policy("accept"))
    }
}
