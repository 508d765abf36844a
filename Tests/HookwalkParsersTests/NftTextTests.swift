import Foundation
import HookwalkModel
import HookwalkParsers
import XCTest

/// The nft text front end and writer against real `nft list ruleset` output, the article's pasted
/// listings, the docker-era fixtures, the kernel's handle allocation and broken input.
final class NftTextTests: XCTestCase {
    func testCorpusEveryCanonicalNftParsesAndRoundTrips() throws {
        let dir = try NftTextFixtures.corpus().appendingPathComponent("nft-canonical")
        let files = try NftTextFixtures.files(dir, ext: "nft")
        XCTAssertGreaterThan(files.count, 70)
        for url in files {
            let name = url.lastPathComponent
            do {
                let model = try NftText.parse(try NftTextFixtures.text(url), file: name)
                let printed = NftTextWriter.write(model)
                let again = try NftText.parse(printed, file: name + " (printed)")
                XCTAssertEqual(model, again, "\(name): \(NftTextFixtures.firstDifference(model, again, left: "parsed", right: "reprinted"))")
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
    }

    /// The seed host's `nft list ruleset` has no handles; the replayed allocation must give the
    /// handles the kernel printed in `nft -j` of the same host.
    func testSeedSnapshotGetsTheKernelsHandles() throws {
        let snap = try NftTextFixtures.fixtures().appendingPathComponent("seed-centos8/snapshot")
        let model = try NftText.parse(try NftTextFixtures.text(snap.appendingPathComponent("nft-ruleset.nft")), file: "nft-ruleset.nft")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: snap.appendingPathComponent("nft-ruleset.json"))) as! [String: Any]
        var checked = 0
        var ruleIndex: [String: Int] = [:]
        for item in json["nftables"] as! [[String: Any]] {
            if let c = item["chain"] as? [String: Any] {
                let t = model.table(Family(rawValue: c["family"] as! String)!, c["table"] as! String)!
                XCTAssertEqual(t.chain(c["name"] as! String)?.handle, c["handle"] as? Int, "chain \(c["name"]!)")
                checked += 1
            } else if let s = item["set"] as? [String: Any] {
                let t = model.table(Family(rawValue: s["family"] as! String)!, s["table"] as! String)!
                XCTAssertEqual(t.set(s["name"] as! String)?.handle, s["handle"] as? Int, "set \(s["name"]!)")
                checked += 1
            } else if let r = item["rule"] as? [String: Any] {
                let key = "\(r["family"]!) \(r["table"]!) \(r["chain"]!)"
                let i = ruleIndex[key, default: 0]
                ruleIndex[key] = i + 1
                let t = model.table(Family(rawValue: r["family"] as! String)!, r["table"] as! String)!
                let rules = t.chain(r["chain"] as! String)!.rules
                XCTAssertEqual(rules[i].handle, r["handle"] as? Int, "rule \(i + 1) of \(key)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 50)
        XCTAssertEqual(model.table(.ip, "nat")?.chain("PREROUTING")?.rules.first?.handle, 5)
    }

    func testHandleCommentsBecomeHandles() throws {
        let text = """
        table ip nat { # handle 7
        \tchain PREROUTING { # handle 3
        \t\ttype nat hook prerouting priority dstnat; policy accept;
        \t\tfib daddr type local counter packets 0 bytes 0 jump DOCKER # handle 12
        \t}
        \tchain DOCKER { # handle 4
        \t}
        }
        """
        let t = try NftText.parse(text, file: "a.nft").tables[0]
        XCTAssertEqual(t.handle, 7)
        XCTAssertEqual(t.chain("PREROUTING")?.handle, 3)
        XCTAssertEqual(t.chain("PREROUTING")?.rules.first?.handle, 12)
        XCTAssertEqual(t.chain("DOCKER")?.handle, 4)
    }

    func testBuildsTheSameValuesAsJSON() throws {
        let text = """
        table inet f {
        \tchain c {
        \t\ttype filter hook forward priority filter + 10; policy drop;
        \t\tct state established,related accept
        \t\tct status dnat accept
        \t\ttcp flags syn / syn,ack drop
        \t\tiifname "docker1" oifname != "docker1" meta mark 0x14 accept
        \t\tmeta l4proto { tcp, udp } th dport { 22, 80 } reject with icmpx admin-prohibited
        \t}
        }
        """
        let c = try NftText.parse(text, file: "x.nft").tables[0].chains[0]
        XCTAssertEqual(c.base, BaseChainSpec(type: .filter, hook: .forward, priority: 10, policy: .drop))
        XCTAssertEqual(c.rules[0].stmts[0], .match(left: .ct(key: "state", dir: nil, family: nil), op: .flags,
                                                   right: .value(.list([.string("established"), .string("related")]))))
        XCTAssertEqual(c.rules[1].stmts[0], .match(left: .ct(key: "status", dir: nil, family: nil), op: .flags, right: .value(.string("dnat"))))
        XCTAssertEqual(c.rules[2].stmts[0], .match(left: .binop(op: "&", left: .payload(proto: "tcp", field: "flags"),
                                                                right: .value(.list([.string("syn"), .string("ack")]))),
                                                   op: .eq, right: .value(.string("syn"))))
        XCTAssertEqual(c.rules[3].stmts[2], .match(left: .meta("mark"), op: .eq, right: .value(.number(20))))
        XCTAssertEqual(c.rules[4].stmts.last, .reject(type: "icmpx", code: "admin-prohibited"))
        XCTAssertEqual(NftTextWriter.ruleText(c.rules[3]), "iifname \"docker1\" oifname != \"docker1\" meta mark 0x00000014 accept")
    }

    func testRuleTextMatchesTraceForm() throws {
        let snap = try NftTextFixtures.fixtures().appendingPathComponent("seed-centos8")
        let model = try NftText.parse(try NftTextFixtures.text(snap.appendingPathComponent("snapshot/nft-ruleset.nft")), file: "seed")
        let trace = try NftTextFixtures.text(snap.appendingPathComponent("first-oracle/raw-trace.txt"))
        let rule = model.table(.ip, "nat")!.chain("PREROUTING")!.rules[0]
        XCTAssertEqual(NftTextWriter.ruleText(rule), "fib daddr type local counter packets 0 bytes 0 jump DOCKER")
        XCTAssertTrue(trace.contains("rule " + NftTextWriter.ruleText(rule) + " # handle 5"))
        let dnat = model.table(.ip, "nat")!.chain("DOCKER")!.rules[2]
        XCTAssertTrue(trace.contains("rule " + NftTextWriter.ruleText(dnat) + " #"), NftTextWriter.ruleText(dnat))
    }

    /// The article's listings, with the `(1)`/`->`/`↓` gutter cut off and `COUNTER` kept.
    func testArticleListingsParse() throws {
        let article = try NftTextFixtures.text(try NftTextFixtures.fixtures().appendingPathComponent("article/000_ba5586470bbcd529.txt"))
        let fragments = Self.articleFragments(article)
        XCTAssertEqual(fragments.count, 4)
        for (i, f) in fragments.enumerated() {
            do {
                let r = try NftText.parse(f, file: "article fragment \(i + 1)")
                XCTAssertFalse(r.tables.isEmpty)
                let rules = r.tables.flatMap(\.chains).flatMap(\.rules)
                XCTAssertTrue(rules.contains { $0.stmts.contains(.counter(name: nil)) } || i == 2)
            } catch {
                XCTFail("fragment \(i + 1): \(error)\n\(f)")
            }
        }
        let pre = try NftText.parse(fragments[0], file: "f1").tables[0]
        XCTAssertEqual(pre.chain("PREROUTING")?.base?.priority, -100)
        XCTAssertEqual(pre.chain("DOCKER")?.rules.last?.stmts.last,
                       .nat(NatStmt(kind: .dnat, addr: .value(.string("172.20.0.4")), port: .value(.number(1812)))))
    }

    /// Cuts the listings out of the article: from a line whose text starts with `table` to the
    /// line where braces balance, with everything left of the `table` column removed. The
    /// postrouting listing nests `table ip firewalld` inside `table ip nat` (a copy slip in the
    /// article); it is closed before the second table.
    static func articleFragments(_ article: String) -> [String] {
        var out: [String] = []
        let lines = article.components(separatedBy: "\n")
        var i = 0
        while i < lines.count {
            guard let r = lines[i].range(of: "table ") , lines[i][..<r.lowerBound].allSatisfy({ $0 == " " }) else { i += 1; continue }
            let col = lines[i].distance(from: lines[i].startIndex, to: r.lowerBound)
            var depth = 0
            var frag: [String] = []
            repeat {
                let line = lines[i]
                let body = Self.stripGutter(line, column: col)
                depth += body.filter { $0 == "{" }.count - body.filter { $0 == "}" }.count
                frag.append(body)
                i += 1
            } while depth > 0 && i < lines.count
            var text = frag.joined(separator: "\n")
            if let nested = text.range(of: "\n                     table ip firewalld") ?? text.range(of: "table ip firewalld"),
               text.components(separatedBy: "table ").count > 2, text.hasPrefix("table ip nat") {
                text.insert(contentsOf: "}\n", at: nested.lowerBound)
                if let last = text.range(of: "}", options: .backwards) { text.removeSubrange(last) }
            }
            out.append(text)
        }
        return out
    }

    /// Drops the gutter (`(1)`, `->`, `↓`) that the article put left of the listing.
    static func stripGutter(_ line: String, column: Int) -> String {
        let chars = Array(line)
        var start = min(column, chars.count)
        // Content may start a little left of the `table` column (chain lines are indented by 2).
        while start > 0 && chars[start - 1] != " " { start -= 1 }
        let rest = String(chars[start...])
        return rest.replacingOccurrences(of: "↓", with: " ")
    }

    func testDockerEraFixturesParse() throws {
        let base = try NftTextFixtures.fixtures().appendingPathComponent("docker-eras")
        var urls = try NftTextFixtures.files(base, ext: "nft") + NftTextFixtures.files(base.appendingPathComponent("variants"), ext: "nft")
        for d in try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent("snapshots").path).sorted() {
            let u = base.appendingPathComponent("snapshots/\(d)/nft-ruleset.nft")
            if FileManager.default.fileExists(atPath: u.path) { urls.append(u) }
        }
        XCTAssertGreaterThanOrEqual(urls.count, 13)
        for url in urls {
            do {
                let r = try NftText.parse(try NftTextFixtures.text(url), file: url.path)
                XCTAssertFalse(r.tables.isEmpty, url.path)
                let again = try NftText.parse(NftTextWriter.write(r), file: url.path + " (printed)")
                XCTAssertEqual(r, again, "\(url.lastPathComponent): \(NftTextFixtures.firstDifference(r, again))")
            } catch {
                XCTFail("\(url.path): \(error)")
            }
        }
    }

    func testDefinesAndCounterPlaceholder() throws {
        let text = """
        define BR = "docker1"
        define NET = 172.20.0.0/24
        table ip nat {
            chain POSTROUTING {
                type nat hook postrouting priority srcnat; policy accept;
                oifname != $BR ip saddr $NET COUNTER masquerade
            }
        }
        """
        let rule = try NftText.parse(text, file: "d.nft").tables[0].chains[0].rules[0]
        XCTAssertEqual(rule.stmts, [
            .match(left: .meta("oifname"), op: .ne, right: .value(.string("docker1"))),
            .match(left: .payload(proto: "ip", field: "saddr"), op: .eq, right: .value(.prefix("172.20.0.0", 20 + 4))),
            .counter(name: nil),
            .nat(NatStmt(kind: .masquerade)),
        ])
    }

    // MARK: errors

    func assertError(_ text: String, _ line: Int, _ column: Int, _ fragment: String,
                     file: StaticString = #filePath, fileLine: UInt = #line) {
        do {
            _ = try NftText.parse(text, file: "bad.nft")
            XCTFail("expected an error", file: file, line: fileLine)
        } catch let e as HookwalkError {
            XCTAssertEqual(e.location, .line(line, column: column), "\(e)", file: file, line: fileLine)
            XCTAssertTrue(e.message.contains(fragment), "\(e)", file: file, line: fileLine)
            XCTAssertFalse(e.description.contains("\n"), file: file, line: fileLine)
            XCTAssertTrue(e.description.hasPrefix("bad.nft:\(line):\(column): "), e.description, file: file, line: fileLine)
        } catch {
            XCTFail("\(error)", file: file, line: fileLine)
        }
    }

    func testUnknownStatementWord() {
        assertError("table ip t {\n\tchain c {\n\t\tip saddr 1.2.3.4 frobnicate accept\n\t}\n}\n", 3, 20, "unknown statement 'frobnicate'")
    }

    func testUnknownHook() {
        assertError("table ip t {\n\tchain c {\n\t\ttype filter hook sideways priority 0; policy accept;\n\t}\n}\n", 3, 20, "expected a hook")
    }

    func testUnknownFamily() {
        assertError("table ipx t {\n}\n", 1, 7, "expected a family")
    }

    func testUnterminatedBrace() {
        assertError("table ip t {\n\tchain c {\n\t\taccept\n\t}\n", 5, 1, "unterminated")
    }

    func testDanglingJumpTarget() {
        assertError("table ip t {\n\tchain c {\n\t\tcounter jump NOWHERE\n\t}\n}\n", 3, 16, "jump to unknown chain \"NOWHERE\"")
    }

    func testUnterminatedString() {
        assertError("table ip t {\n\tchain c {\n\t\tiifname \"eth0 accept\n\t}\n}\n", 3, 11, "unterminated string")
    }
}
