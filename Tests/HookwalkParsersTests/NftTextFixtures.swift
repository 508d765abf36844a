import Foundation
import HookwalkModel
import HookwalkTestSupport
import XCTest

/// Where the nft text tests' inputs live, and small helpers they share.
enum NftTextFixtures {
    /// The external nft corpus folder (`nft-canonical/`, `nft-py/`), or a skip saying how to get one.
    static func corpus() throws -> URL { URL(fileURLWithPath: try NftCorpus.path("")) }

    /// The repository's fixtures, `Tests/Fixtures`.
    static func fixtures() throws -> URL { URL(fileURLWithPath: TestPaths.fixtures) }

    static func files(_ dir: URL, ext: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == ext }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func text(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }

    /// The first table/chain/rule/set where two models differ, for failure messages.
    static func firstDifference(_ a: Ruleset, _ b: Ruleset, left: String = "text", right: String = "json") -> String {
        guard a.tables.count == b.tables.count else {
            return "table count \(a.tables.count) vs \(b.tables.count): \(a.tables.map(\.name)) vs \(b.tables.map(\.name))"
        }
        for (ta, tb) in zip(a.tables, b.tables) where ta != tb {
            let where_ = "table \(ta.family.rawValue) \(ta.name)"
            if ta.family != tb.family || ta.name != tb.name { return "\(where_) vs table \(tb.family.rawValue) \(tb.name)" }
            if ta.flags != tb.flags { return "\(where_) flags \(ta.flags) vs \(tb.flags)" }
            if ta.comment != tb.comment { return "\(where_) comment \(String(describing: ta.comment)) vs \(String(describing: tb.comment))" }
            if ta.objects != tb.objects { return "\(where_) objects\n  \(left):  \(ta.objects)\n  \(right): \(tb.objects)" }
            if ta.sets.count != tb.sets.count { return "\(where_) sets \(ta.sets.map(\.name)) vs \(tb.sets.map(\.name))" }
            for (sa, sb) in zip(ta.sets, tb.sets) where sa != sb {
                return "\(where_) set \(sa.name)\n  \(left):  \(sa)\n  \(right): \(sb)"
            }
            if ta.chains.count != tb.chains.count { return "\(where_) chains \(ta.chains.map(\.name)) vs \(tb.chains.map(\.name))" }
            for (ca, cb) in zip(ta.chains, tb.chains) where ca != cb {
                let cw = "\(where_) chain \(ca.name)"
                if ca.name != cb.name || ca.base != cb.base || ca.comment != cb.comment {
                    return "\(cw)\n  \(left):  \(String(describing: ca.base)) \(String(describing: ca.comment))\n  \(right): \(cb.name) \(String(describing: cb.base)) \(String(describing: cb.comment))"
                }
                if ca.rules.count != cb.rules.count { return "\(cw) rule count \(ca.rules.count) vs \(cb.rules.count)" }
                for (i, (ra, rb)) in zip(ca.rules, cb.rules).enumerated() where ra != rb {
                    for (j, (sa, sb)) in zip(ra.stmts, rb.stmts).enumerated() where sa != sb {
                        return "\(cw) rule \(i + 1) statement \(j + 1)\n  \(left):  \(sa)\n  \(right): \(sb)"
                    }
                    return "\(cw) rule \(i + 1)\n  \(left):  \(ra.stmts) comment \(String(describing: ra.comment))\n  \(right): \(rb.stmts) comment \(String(describing: rb.comment))"
                }
            }
            return "\(where_) differs"
        }
        return "no difference"
    }
}
