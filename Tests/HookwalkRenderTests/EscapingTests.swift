import Foundation
import HookwalkModel
import HookwalkParsers
@testable import HookwalkRender
import HookwalkSimulator
import XCTest

/// Names come from the host: a container, interface or chain name may hold Markdown, HTML or DOT
/// metacharacters. They must come out as text.
final class EscapingTests: XCTestCase {
    static let hostile = "evil|*x*_<script>alert(1)</script>\"`tick``\nnext\\N]"

    func testDOTEscapesLabels() {
        let label = DOT.label([Self.hostile])
        XCTAssertFalse(label.dropFirst().dropLast().contains("<script>"))
        XCTAssertTrue(label.contains("&lt;script&gt;"))
        XCTAssertTrue(label.contains("&quot;"))
        XCTAssertFalse(label.contains("\n"))
        XCTAssertEqual(DOT.quoted("a\"b\\"), "\"a\\\"b\\\\\"")
    }

    func testHostileDOTRendersAndShowsTheText() throws {
        var dot = DOT(name: Self.hostile)
        dot.node(Self.hostile, [("label", DOT.label([Self.hostile]))])
        dot.edge(Self.hostile, "b", [("label", DOT.label(["x\"];b->c;"]))])
        let svg = String(decoding: try GraphvizRenderer.render(dot: dot.text, format: "svg"), as: UTF8.self)
        XCTAssertFalse(svg.contains("<script>"))
        XCTAssertTrue(svg.contains("&lt;script&gt;"))
        XCTAssertFalse(svg.contains("<g id=\"node3\""), "the edge label injected no node")
    }

    func testMarkdownEscape() {
        let e = Markdown.escape(Self.hostile)
        XCTAssertFalse(e.contains("<script>"))
        XCTAssertFalse(e.contains("\n"))
        XCTAssertTrue(e.contains("\\|"))
        XCTAssertTrue(e.contains("\\*x\\*"))
        XCTAssertTrue(e.contains("\\_"))
        XCTAssertTrue(e.contains("\\`"))
    }

    func testCodeSpanAndBlockFences() {
        XCTAssertEqual(Markdown.codeSpan("a`b"), "``a`b``")
        XCTAssertEqual(Markdown.codeSpan("`x"), "`` `x ``")
        let block = Markdown.codeBlock(["x ```` y", "z"])
        XCTAssertTrue(block.hasPrefix("`````\n"))
        XCTAssertTrue(block.hasSuffix("\n`````"))
        XCTAssertFalse(Markdown.codeBlock(["a\nb"]).contains("a\nb"))
    }

    /// A whole generated tree from a host whose names are hostile: nothing escapes into Markdown
    /// structure, HTML or DOT.
    func testGeneratedTreeWithHostileNamesIsInert() throws {
        let evilContainer = "rad|ius*<script>`x`\nnew"
        let evilBridge = "br\"<b>`|"
        let evilUplink = "en*s_1|9"
        let evilChain = "DOCKER`<i>|*\"x"
        var ruleset = try Seed.ruleset()
        // Rename ip nat DOCKER to a hostile name (and the jump to it).
        let natIndex = ruleset.tables.firstIndex { $0.family == .ip && $0.name == "nat" }!
        for c in ruleset.tables[natIndex].chains.indices {
            if ruleset.tables[natIndex].chains[c].name == "DOCKER" { ruleset.tables[natIndex].chains[c].name = evilChain }
            for r in ruleset.tables[natIndex].chains[c].rules.indices {
                ruleset.tables[natIndex].chains[c].rules[r].stmts = ruleset.tables[natIndex].chains[c].rules[r].stmts.map {
                    if case .verdict(.jump("DOCKER")) = $0 { return .verdict(.jump(evilChain)) }
                    return $0
                }
            }
        }
        var trace = Seed.radiusTrace(container: evilContainer, bridge: evilBridge, uplink: evilUplink)
        trace.request.events = trace.request.events.map { e in
            switch e.kind {
            case .rule(let chain, let h, let text, .jump("DOCKER")) where chain.table == "nat":
                return TraceEvent(.rule(chain: chain, handle: h, text: text.replacingOccurrences(of: "DOCKER", with: evilChain),
                                        verdict: .jump(evilChain)), traced: true)
            case .rule(let chain, let h, let text, let v) where chain.table == "nat" && chain.chain == "DOCKER":
                return TraceEvent(.rule(chain: ChainRef(family: .ip, table: "nat", chain: evilChain), handle: h, text: text, verdict: v),
                                  traced: true)
            default: return e
            }
        }
        let host = Seed.host(containerName: evilContainer, bridge: evilBridge, uplink: evilUplink)
        let snapshot = try Seed.snapshot(ruleset: ruleset, host: host)
        let doc = Seed.radiusDoc(id: "../../etc/passwd", title: "radius <script>|*x*`", trace: trace)
        let generator = try DocGenerator(templatesDirectory: Seed.templatesDirectory)
        let files = try generator.render(snapshot: snapshot, scenarios: [doc], png: false)

        for path in files.keys {
            XCTAssertFalse(path.split(separator: "/").contains(".."), path)
            XCTAssertLessThanOrEqual(path.split(separator: "/").count, 2, path)
        }
        for (path, bytes) in files {
            let text = String(decoding: bytes, as: UTF8.self)
            if path.hasSuffix(".md") {
                let prose = Self.withoutCode(text)
                XCTAssertFalse(prose.contains("<script>"), path)
                XCTAssertFalse(prose.contains("<b>"), path)
                XCTAssertFalse(prose.contains("<i>"), path)
                XCTAssertFalse(text.contains("\nnew"), path)
                // Every table row keeps its cell count: a `|` in a name never splits a cell.
                var expected: Int?
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    guard line.hasPrefix("|") else { expected = nil; continue }
                    if let expected { XCTAssertEqual(Self.cells(line), expected, "\(path): \(line)") } else { expected = Self.cells(line) }
                }
            }
            if path.hasSuffix(".svg") {
                XCTAssertFalse(text.contains("<script>"), path)
                XCTAssertFalse(text.contains("<b>`"), path)
            }
        }
        let page = files.first { $0.key.hasPrefix("scenarios/") }!.value
        let md = String(decoding: page, as: UTF8.self)
        XCTAssertTrue(md.contains("rad\\|ius\\*&lt;script&gt;") || md.contains("``rad|ius*<script>`x`␤new``"), md)
    }

    /// The text outside fenced code blocks and code spans: the parts Markdown interprets.
    static func withoutCode(_ text: String) -> String {
        var out = "", fence: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let ticks = String(line.prefix { $0 == "`" })
            if let f = fence {
                if ticks.count >= f.count && line.allSatisfy({ $0 == "`" }) { fence = nil }
                continue
            }
            if ticks.count >= 3 { fence = ticks; continue }
            // Drop code spans: runs of backticks and what they enclose.
            var rest = Substring(line), kept = ""
            while let start = rest.firstIndex(of: "`") {
                kept += rest[..<start]
                let run = rest[start...].prefix { $0 == "`" }
                let after = rest[run.endIndex...]
                if let close = after.range(of: String(run)) { rest = after[close.upperBound...] } else { kept += run; rest = after }
            }
            out += kept + rest + "\n"
        }
        return out
    }

    /// Unescaped `|` separators of a table row.
    static func cells(_ line: Substring) -> Int {
        var n = 0, escaped = false
        for ch in line {
            if ch == "\\" && !escaped { escaped = true; continue }
            if ch == "|" && !escaped { n += 1 }
            escaped = false
        }
        return n
    }
}
