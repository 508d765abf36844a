import Foundation
import HookwalkModel
import HookwalkParsers
import XCTest

/// Both front ends must give the same model for the same ruleset: each corpus pair is one
/// ruleset as `nft list ruleset` and `nft -j list ruleset` printed it.
final class ConformanceTests: XCTestCase {
    func testCorpusTextAndJSONGiveTheSameModel() throws {
        let dir = try NftTextFixtures.corpus().appendingPathComponent("nft-canonical")
        var compared = 0
        var failures: [String] = []
        for url in try NftTextFixtures.files(dir, ext: "nft") {
            let jsonURL = url.deletingPathExtension().appendingPathExtension("json")
            guard FileManager.default.fileExists(atPath: jsonURL.path) else { continue }
            let name = url.lastPathComponent
            do {
                let text = Self.withoutChainComments(try NftText.parse(try NftTextFixtures.text(url), file: name))
                let json = Self.withoutChainComments(try NftJSON.parse(try NftTextFixtures.text(jsonURL), file: jsonURL.lastPathComponent))
                compared += 1
                if text != json {
                    let diff = NftTextFixtures.firstDifference(text, json)
                    if let known = Self.knownJSONDefects[name], diff.contains(known) {
                        print("known nft 1.0.6 JSON defect in \(name): \(diff)")
                    } else {
                        failures.append("\(name): \(diff)")
                    }
                }
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        XCTAssertGreaterThan(compared, 70)
        XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(compared) pairs differ:\n" + failures.joined(separator: "\n"))
    }

    /// Pairs where `nft -j` itself printed something other than the ruleset (checked against the
    /// text listing and the kernel): the text side is right, the JSON file is wrong.
    static let knownJSONDefects: [String: String] = [
        // nft 1.0.6 prints a dormant table as "flags": "x" (the table's name), not "dormant".
        "transactions__0002table_0.nft": "flags [\"dormant\"] vs [\"x\"]",
        // nft 1.0.6 -j lists only the first of an element's two statements (limit, not its counter).
        "nft-f__0025empty_dynset_0.nft": "set inflows_ratelimit",
    ]

    /// nft 1.0.6's JSON listing leaves chain comments out (the kernel and the text listing have
    /// them), so they are not compared.
    static func withoutChainComments(_ r: Ruleset) -> Ruleset { NftOracle.normalized(r) }

    func testSeedSnapshotTextAndJSONAgree() throws {
        let snap = try NftTextFixtures.fixtures().appendingPathComponent("seed-centos8/snapshot")
        let text = try NftText.parse(try NftTextFixtures.text(snap.appendingPathComponent("nft-ruleset.nft")), file: "nft-ruleset.nft")
        let json = try NftJSON.parse(try NftTextFixtures.text(snap.appendingPathComponent("nft-ruleset.json")), file: "nft-ruleset.json")
        XCTAssertEqual(text.normalized(), json.normalized(), NftTextFixtures.firstDifference(text.normalized(), json.normalized()))
    }

    func testDockerEraSnapshotsTextAndJSONAgree() throws {
        let base = try NftTextFixtures.fixtures().appendingPathComponent("docker-eras/snapshots")
        var compared = 0
        for d in try FileManager.default.contentsOfDirectory(atPath: base.path).sorted() {
            let nft = base.appendingPathComponent("\(d)/nft-ruleset.nft")
            let json = base.appendingPathComponent("\(d)/nft-ruleset.json")
            guard FileManager.default.fileExists(atPath: nft.path), FileManager.default.fileExists(atPath: json.path) else { continue }
            let t = Self.withoutChainComments(try NftText.parse(try NftTextFixtures.text(nft), file: nft.path))
            let j = Self.withoutChainComments(try NftJSON.parse(try NftTextFixtures.text(json), file: json.path))
            XCTAssertEqual(t, j, "\(d): \(NftTextFixtures.firstDifference(t, j))")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 0)
    }
}
