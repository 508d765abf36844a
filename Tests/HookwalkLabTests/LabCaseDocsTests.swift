import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkRender
import HookwalkSimulator
import XCTest

/// Every lab case documented, not only verified: each case of `LabCases.all` (the registry the
/// lab tests take their snapshots from, so a new case cannot escape this test) is rendered in
/// memory as `hookwalk generate` renders it, and every catalog scenario must get its page and its diagrams. A page that says a construct
/// is not modelled fails the test unless listed in `expectedNotModelled`, with what it says, so a
/// gap in the model is a decision someone wrote down rather than a surprise on a real host.
/// No root needed: nothing runs but the loader, the simulator and the renderers.
final class LabCaseDocsTests: XCTestCase {
    /// Cases whose pages may say "not modelled", with the constructs they may name. None so far.
    static let expectedNotModelled: [String: [String]] = [:]

    func testEveryLabCaseIsDocumented() throws {
        let generator = try DocGenerator(templatesDirectory: LabFixtures.repository + "/Templates")
        for c in LabCases.all {
            let snap = try c.make()
            defer { snap.remove() }
            let snapshot = try SnapshotLoader.load(path: snap.path)
            let docs = HostDocuments.scenarios(snapshot: snapshot, clients: c.clients)
            XCTAssertFalse(docs.isEmpty, "\(c.name): no scenarios")
            for client in c.clients {
                XCTAssertTrue(docs.contains { $0.trace.scenario.to.isV4 == client.isV4 && $0.kind == .publishedPort },
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
