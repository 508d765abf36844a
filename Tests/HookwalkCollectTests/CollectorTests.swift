import Foundation
@testable import HookwalkCollect
import HookwalkModel
import HookwalkProcess
@testable import HookwalkParsers
import XCTest

/// The collector's pieces that need no namespace: recognising an empty listing, the one-line
/// errors, and a `host.json` the loader reads back.
final class CollectorTests: XCTestCase {
    func testEmptyListingIsOnlyMetainfo() {
        let empty = #"{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}]}"#
        let table = #"{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "ip", "name": "t", "handle": 1}}]}"#
        XCTAssertTrue(HostCollection.isEmptyListing(Array(empty.utf8)))
        XCTAssertFalse(HostCollection.isEmptyListing(Array(table.utf8)))
        XCTAssertFalse(HostCollection.isEmptyListing(Array("not json".utf8)))
    }

    func testFirstLine() {
        XCTAssertEqual(CollectorCommands.firstLine("\n  Error: Operation not permitted  \nmore\n"), "Error: Operation not permitted")
        XCTAssertNil(CollectorCommands.firstLine(" \n\n"))
        XCTAssertEqual(CollectorCommands.firstLine(String(repeating: "x", count: 500))?.count, 300)
    }

    func testMissingProgramIsRecordedNotRun() {
        let runner = CollectorCommands(prefix: [], environment: [:], timeout: 5)
        let o = runner.run(["hookwalk-no-such-program", "--version"])
        XCTAssertEqual(o.record.result, .missing)
        XCTAssertNil(o.record.status)
        XCTAssertEqual(o.record.error, "hookwalk-no-such-program: command not found")
    }

    func testHostFileRoundTripsThroughTheLoader() throws {
        let info = HostInfo(hostname: "web-1", kernel: "6.1.0", nftVersion: "nftables v1.0.6", dockerVersion: nil,
                            collectedAt: Collector.utc(Date(timeIntervalSince1970: 0)))
        let records = [CommandRecord(command: "docker version", result: .missing, error: "docker: command not found")]
        let bytes = try CollectedHostFile.encode(info, commands: records, prefix: [])
        XCTAssertEqual(try HostInfoFile.parse(bytes, file: "host.json"), info)
        XCTAssertTrue(CollectedHostFile.isCollected(bytes))
        XCTAssertEqual(info.collectedAt, "1970-01-01T00:00:00Z")
        // Deterministic: same input, same bytes.
        XCTAssertEqual(bytes, try CollectedHostFile.encode(info, commands: records, prefix: []))
    }
}
