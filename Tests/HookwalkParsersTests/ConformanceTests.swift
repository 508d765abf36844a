import Foundation
import HookwalkModel
import HookwalkParsers
import XCTest

/// Both front ends must give the same model for the same ruleset: each corpus pair is one
/// ruleset as `nft list ruleset` and `nft -j list ruleset` printed it.
final class ConformanceTests: XCTestCase {
    func testTextAndJSONGiveTheSameModel() throws {
        let dir = try NftTextFixtures.shared().appendingPathComponent("corpus/nft-canonical")
        var compared = 0
        var failures: [String] = []
        for url in try NftTextFixtures.files(dir, ext: "nft") {
            let jsonURL = url.deletingPathExtension().appendingPathExtension("json")
            guard FileManager.default.fileExists(atPath: jsonURL.path) else { continue }
            let name = url.lastPathComponent
            do {
                let text = try NftText.parse(try NftTextFixtures.text(url), file: name)
                let json = try NftJSON.parse(try NftTextFixtures.text(jsonURL), file: jsonURL.lastPathComponent)
                compared += 1
                if text != json {
                    failures.append("\(name): \(NftTextFixtures.firstDifference(text, json))")
                }
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        XCTAssertGreaterThan(compared, 70)
        XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(compared) pairs differ:\n" + failures.joined(separator: "\n"))
    }

    func testSeedSnapshotTextAndJSONAgree() throws {
        let snap = try NftTextFixtures.shared().appendingPathComponent("fixtures/kernel-traces/seed-centos8/snapshot")
        let text = try NftText.parse(try NftTextFixtures.text(snap.appendingPathComponent("nft-ruleset.nft")), file: "nft-ruleset.nft")
        let json = try NftJSON.parse(try NftTextFixtures.text(snap.appendingPathComponent("nft-ruleset.json")), file: "nft-ruleset.json")
        XCTAssertEqual(text, json, NftTextFixtures.firstDifference(text, json))
    }
}
