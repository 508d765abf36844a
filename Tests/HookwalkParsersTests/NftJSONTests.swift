import Foundation
import HookwalkModel
@testable import HookwalkParsers
import HookwalkTestSupport
import XCTest

/// The nft JSON front end and writer against real `nft -j` listings (the external nft corpus and
/// snapshot fixtures) and against broken input, where the error must say where.
final class NftJSONTests: XCTestCase {
    // MARK: fixtures

    /// The external nft corpus folder, or a skip saying how to get one.
    static func corpusDirectory() throws -> URL { URL(fileURLWithPath: try NftCorpus.path("")) }

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    /// Parses `relative` from the corpus (`corpus/...`) or else from `Tests/Fixtures`.
    static func parseFixture(_ relative: String) throws -> Ruleset {
        let url = relative.hasPrefix("corpus/")
            ? try corpusDirectory().appendingPathComponent(String(relative.dropFirst("corpus/".count)))
            : URL(fileURLWithPath: TestPaths.fixture(relative))
        return try NftJSON.parse(try bytes(url), file: url.lastPathComponent)
    }

    static func counts(_ r: Ruleset) -> (tables: Int, chains: Int, rules: Int) {
        let chains = r.tables.flatMap(\.chains)
        return (r.tables.count, chains.count, chains.reduce(0) { $0 + $1.rules.count })
    }

    /// Asserts that `body` throws a `HookwalkError` at `location` whose message contains `text`.
    func assertError(_ location: SourceLocation, containing text: String, file: StaticString = #filePath,
                     line: UInt = #line, _ body: () throws -> Any) {
        do {
            _ = try body()
            XCTFail("expected an error at \(location)", file: file, line: line)
        } catch let e as HookwalkError {
            XCTAssertEqual(e.location, location, "\(e)", file: file, line: line)
            XCTAssertTrue(e.message.contains(text), "message \"\(e.message)\" lacks \"\(text)\"", file: file, line: line)
            XCTAssertFalse(e.description.contains("\n"), "not one line: \(e)", file: file, line: line)
        } catch {
            XCTFail("unexpected error type: \(error)", file: file, line: line)
        }
    }

    // MARK: corpus

    func testCorpusEveryCanonicalJSONParsesAndRoundTrips() throws {
        let dir = try Self.corpusDirectory().appendingPathComponent("nft-canonical")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThan(files.count, 50)
        var rules = 0
        for name in files {
            let ruleset: Ruleset
            do {
                ruleset = try NftJSON.parse(try Self.bytes(dir.appendingPathComponent(name)), file: name)
            } catch {
                XCTFail("\(name): \(error)")
                continue
            }
            rules += Self.counts(ruleset).rules
            let written = NftJSONWriter.write(ruleset)
            XCTAssertEqual(written, NftJSONWriter.write(ruleset), "\(name): writer is not deterministic")
            do {
                let again = try NftJSON.parse(written, file: name + " (written)")
                XCTAssertEqual(again, ruleset, "\(name): parse(write(parse(x))) != parse(x)")
            } catch {
                XCTFail("\(name): written JSON does not parse: \(error)")
            }
        }
        XCTAssertGreaterThan(rules, 100)
    }

    func testCorpusNotModelledStatementsAreKeptNotRejected() throws {
        let r = try Self.parseFixture("corpus/nft-canonical/sets__0024named_objects_0.json")
        let table = try XCTUnwrap(r.table(.inet, "x"))
        XCTAssertEqual(table.objects.map(\.kind), ["counter", "counter", "quota", "quota", "synproxy", "synproxy"])
        let kinds = table.chains.flatMap(\.rules).flatMap(\.stmts).compactMap { s -> String? in
            if case .notModelled(let nm) = s { return nm.kind }
            return nil
        }
        XCTAssertEqual(Set(kinds), ["counter", "synproxy", "quota"])

        // nft 1.0.6 lists a chain binding as a bare string inside the expr array.
        let binding = try Self.parseFixture("corpus/nft-canonical/chains__0041chain_binding_0.json")
        let stmts = binding.tables.flatMap(\.chains).flatMap(\.rules).flatMap(\.stmts)
        XCTAssertTrue(stmts.contains { if case .notModelled(let nm) = $0 { return nm.kind == "jump" && nm.text.hasPrefix("jump {") } else { return false } })
    }

    func testCorpusMapsSetsAndExpressions() throws {
        let vmap = try Self.parseFixture("corpus/nft-canonical/maps__0011vmap_0.json")
        let portmap = try XCTUnwrap(vmap.table(.inet, "filter")?.set("portmap"))
        XCTAssertEqual(portmap.keyType, ["inet_service"])
        XCTAssertEqual(portmap.dataType, "verdict")
        XCTAssertEqual(portmap.elements, [
            SetElement(key: .number(22), data: .verdict(.jump("ssh_input")), stmts: [.counter(name: nil)]),
            SetElement(key: .wildcard, data: .verdict(.drop), stmts: [.counter(name: nil)]),
        ])

        let concat = try Self.parseFixture("corpus/nft-canonical/maps__0013map_0.json")
        let forwport = try XCTUnwrap(concat.table(.ip, "filter")?.set("forwport"))
        XCTAssertEqual(forwport.keyType, ["ipv4_addr", "inet_proto", "inet_service"])
        XCTAssertEqual(forwport.flags, ["interval"])
        XCTAssertEqual(forwport.elements.first,
                       SetElement(key: .concat([.string("10.133.89.138"), .string("tcp"), .number(8081)]), data: .verdict(.accept),
                                  stmts: [.counter(name: nil)]))

        let tcpFlags = try Self.parseFixture("corpus/nft-canonical/sets__0055tcpflags_0.json")
        let good = try XCTUnwrap(tcpFlags.table(.ip, "test")?.set("tcp_good_flags"))
        XCTAssertEqual(good.elements.count, 18)
        XCTAssertEqual(good.elements[1].key, .list([.string("fin"), .string("ack"), .string("urg")]))
        XCTAssertEqual(good.elements[4].key, .string("syn"))

        let shift = try Self.parseFixture("corpus/nft-canonical/chains__0040mark_shift_0.json")
        let mangle = shift.tables.flatMap(\.chains).flatMap(\.rules).flatMap(\.stmts).first {
            if case .mangle = $0 { return true } else { return false }
        }
        XCTAssertEqual(mangle, .mangle(key: .ct(key: "mark", dir: nil, family: nil),
                                       value: .binop(op: "<<", left: .binop(op: "|", left: .meta("mark"), right: .value(.number(16))),
                                                     right: .value(.number(8)))))
    }

    // MARK: snapshots

    func testSeedSnapshot() throws {
        let r = try Self.parseFixture("seed-centos8/snapshot/nft-ruleset.json")
        let c = Self.counts(r)
        XCTAssertEqual(c.tables, 6)
        XCTAssertEqual(c.chains, 21)
        XCTAssertEqual(c.rules, 52)
        XCTAssertEqual(r.tables.map { "\($0.family.rawValue) \($0.name)" },
                       ["ip nat", "ip filter", "inet firewalld", "ip firewalld", "inet __oracle_trace", "bridge __oracle_trace"])

        let nat = try XCTUnwrap(r.table(.ip, "nat"))
        XCTAssertEqual(nat.chain("PREROUTING")?.base,
                       BaseChainSpec(type: .nat, hook: .prerouting, priority: -100, policy: .accept))
        let docker = try XCTUnwrap(nat.chain("DOCKER"))
        XCTAssertNil(docker.base)
        let rule = try XCTUnwrap(docker.rules.first { $0.handle == 10 })
        XCTAssertEqual(rule.stmts, [
            .match(left: .payload(proto: "udp", field: "dport"), op: .eq, right: .value(.number(1812))),
            .counter(name: nil),
            .nat(NatStmt(kind: .dnat, addr: .value(.string("172.20.0.4")), port: .value(.number(1812)))),
        ])
    }

    func testDockerEraSnapshots() throws {
        let expected: [(String, Int, Int, Int)] = [
            ("docker-a", 2, 9, 35), ("docker-b", 4, 15, 43), ("docker-c", 5, 24, 46), ("docker-d", 2, 20, 42),
        ]
        for (name, tables, chains, rules) in expected {
            let r = try Self.parseFixture("docker-eras/snapshots/\(name)/nft-ruleset.json")
            let c = Self.counts(r)
            XCTAssertEqual(c.tables, tables, name)
            XCTAssertEqual(c.chains, chains, name)
            XCTAssertEqual(c.rules, rules, name)
            XCTAssertEqual(try NftJSON.parse(NftJSONWriter.write(r), file: name), r, "\(name) round trip")
        }

        let a = try Self.parseFixture("docker-eras/snapshots/docker-a/nft-ruleset.json")
        let forward = try XCTUnwrap(a.table(.ip, "filter")?.chain("FORWARD"))
        XCTAssertEqual(forward.rules.first { $0.handle == 18 }?.stmts, [
            .match(left: .meta("oifname"), op: .eq, right: .value(.string("docker1"))),
            .match(left: .ct(key: "state", dir: nil, family: nil), op: .flags,
                   right: .value(.list([.string("established"), .string("related")]))),
            .counter(name: nil),
            .verdict(.accept),
        ])
        let postrouting = try XCTUnwrap(a.table(.ip, "nat")?.chain("POSTROUTING"))
        XCTAssertEqual(postrouting.rules.first { $0.handle == 10 }?.stmts, [
            .match(left: .meta("oifname"), op: .ne, right: .value(.string("docker1"))),
            .match(left: .payload(proto: "ip", field: "saddr"), op: .eq, right: .value(.prefix("172.20.0.0", 24))),
            .counter(name: nil),
            .nat(NatStmt(kind: .masquerade)),
        ])

        let d = try Self.parseFixture("docker-eras/snapshots/docker-d/nft-ruleset.json")
        // Verdict maps jump to chains, so `nft -j -f` needs the chains first.
        let written = NftJSONWriter.write(d)
        XCTAssertTrue(written.hasPrefix(#"{"nftables": [{"metainfo": {"json_schema_version": 1}}, {"table": {"family": "ip", "name": "docker-bridges""#))
        let firstChain = try XCTUnwrap(written.range(of: #"{"chain": "#)?.lowerBound)
        let firstMap = try XCTUnwrap(written.range(of: #"{"map": "#)?.lowerBound)
        XCTAssertLessThan(firstChain, firstMap)
        let bridges = try XCTUnwrap(d.table(.ip, "docker-bridges"))
        XCTAssertEqual(bridges.sets.count, 4)
        XCTAssertEqual(bridges.set("filter-forward-in-jumps")?.elements, [
            SetElement(key: .string("docker0"), data: .verdict(.jump("filter-forward-in__docker0"))),
            SetElement(key: .string("docker1"), data: .verdict(.jump("filter-forward-in__docker1"))),
        ])
        XCTAssertEqual(bridges.chain("raw-PREROUTING")?.base?.priority, -300)
        XCTAssertEqual(bridges.chain("filter-FORWARD")?.rules.first?.stmts,
                       [.vmap(key: .meta("oifname"), data: .setRef("filter-forward-in-jumps"))])
        XCTAssertEqual(bridges.chain("nat-OUTPUT")?.rules.first?.stmts.first,
                       .match(left: .fib(result: "type", flags: ["daddr"]), op: .eq, right: .value(.string("local"))))
    }

    // MARK: handles, order, wrappers

    static let header = #"{"metainfo": {"json_schema_version": 1}}"#

    static func doc(_ items: String...) -> String {
        #"{"nftables": ["# + ([header] + items).joined(separator: ",\n") + "]}"
    }

    static let table = #"{"table": {"family": "ip", "name": "t", "handle": 7}}"#
    static let baseChain = #"{"chain": {"family": "ip", "table": "t", "name": "c", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}"#

    func testItemsInAnyOrderAndCommandWrappers() throws {
        let rule = #"{"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 4, "comment": "why", "expr": [{"accept": null}]}}"#
        let r = try NftJSON.parse(Self.doc(rule, Self.baseChain, Self.table), file: "order.json")
        let chain = try XCTUnwrap(r.table(.ip, "t")?.chain("c"))
        XCTAssertEqual(r.tables.first?.handle, 7)
        XCTAssertEqual(chain.base?.policy, .drop)
        XCTAssertEqual(chain.rules, [Rule(handle: 4, stmts: [.verdict(.accept)], comment: "why")])
        XCTAssertEqual(chain.rules.first?.handle, 4)

        let wrapped = try NftJSON.parse(Self.doc(#"{"add": \#(Self.table)}"#, #"{"add": \#(Self.baseChain)}"#, #"{"insert": \#(rule)}"#),
                                        file: "add.json")
        XCTAssertEqual(wrapped, r)
    }

    func testStringPriorityIsResolvedForTheFamily() throws {
        let chain = #"{"chain": {"family": "ip", "table": "t", "name": "c", "type": "nat", "hook": "prerouting", "prio": "dstnat + 5"}}"#
        let r = try NftJSON.parse(Self.doc(Self.table, chain), file: "p.json")
        XCTAssertEqual(r.tables.first?.chains.first?.base?.priority, -95)
    }

    /// Defaults that nft's JSON prints but its text listing omits are dropped, so that the text
    /// and JSON listings of one ruleset give one model.
    func testDefaultsThatTextListingsOmitAreDropped() throws {
        let rule = #"{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"limit": {"rate": 10, "burst": 5, "per": "second"}}, {"reject": {"type": "icmpx", "expr": "port-unreachable"}}, {"reject": {"type": "icmpx", "expr": "admin-prohibited"}}, {"limit": {"rate": 1, "burst": 0, "per": "second", "rate_unit": "mbytes", "inv": true}}]}}"#
        let r = try NftJSON.parse(Self.doc(Self.table, Self.baseChain, rule), file: "d.json")
        XCTAssertEqual(r.tables.first?.chains.first?.rules.first?.stmts, [
            .limit(rate: 10, per: "second", burst: nil, unit: nil, over: false),
            .reject(type: nil, code: nil),
            .reject(type: "icmpx", code: "admin-prohibited"),
            .limit(rate: 1, per: "second", burst: nil, unit: "mbytes", over: true),
        ])
    }

    // MARK: bad input

    func testTruncatedJSONNamesLineAndColumn() throws {
        let text = "{\"nftables\": [\n  {\"table\": {\"family\": \"ip\", \"na"
        assertError(.line(2, column: 33), containing: "end of file (truncated?) inside the string starting at 2:30") {
            try NftJSON.parse(text, file: "cut.json")
        }
        let cutAfterValue = "{\"nftables\": [\n  {\"table\": {\"family\": \"ip\""
        assertError(.line(2, column: 28), containing: "end of file (truncated?)") {
            try NftJSON.parse(cutAfterValue, file: "cut.json")
        }
        // A real listing cut in half still reports a position, never crashes.
        let seed = try Self.bytes(URL(fileURLWithPath: TestPaths.fixture("seed-centos8/snapshot/nft-ruleset.json")))
        XCTAssertThrowsError(try NftJSON.parse(Array(seed.prefix(seed.count / 2)), file: "half.json")) { e in
            guard case .line = (e as? HookwalkError)?.location else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".hasPrefix("half.json:1:"), "\(e)")
        }
    }

    func testBadTokenNamesLineAndColumn() {
        assertError(.line(3, column: 8), containing: "character ']', expected 'true'") {
            try NftJSON.parse("{\"nftables\":\n [\n    tru]}", file: "bad.json")
        }
        assertError(.line(1, column: 15), containing: "character '}'") {
            try JSONReader.parse("{\"a\": [1, 2,  }", file: "bad.json")
        }
        // Columns count characters, not bytes.
        assertError(.line(1, column: 11), containing: "expected ',' or '}'") {
            try JSONReader.parse("{\"ééé\": 1 2}", file: "bad.json")
        }
    }

    func testUnknownHookNamesItsPath() {
        let chain = #"{"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "prerouteing", "prio": 0}}"#
        assertError(.jsonPath("$.nftables[2].chain.hook"), containing: #"unknown hook "prerouteing""#) {
            try NftJSON.parse(Self.doc(Self.table, chain), file: "hook.json")
        }
        do {
            _ = try NftJSON.parse(Self.doc(Self.table, chain), file: "hook.json")
        } catch {
            XCTAssertEqual("\(error)", #"hook.json: at $.nftables[2].chain.hook: unknown hook "prerouteing""#)
        }
        let wrongFamily = #"{"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "egress", "prio": 0}}"#
        assertError(.jsonPath("$.nftables[2].chain.hook"), containing: "ip family") {
            try NftJSON.parse(Self.doc(Self.table, wrongFamily), file: "hook.json")
        }
    }

    func testUnknownFamilyTypeAndMissingKey() {
        assertError(.jsonPath("$.nftables[1].table.family"), containing: #"unknown family "ipv4""#) {
            try NftJSON.parse(Self.doc(#"{"table": {"family": "ipv4", "name": "t"}}"#), file: "f.json")
        }
        let badType = #"{"chain": {"family": "ip", "table": "t", "name": "c", "type": "mangle", "hook": "input", "prio": 0}}"#
        assertError(.jsonPath("$.nftables[2].chain.type"), containing: #"unknown chain type "mangle""#) {
            try NftJSON.parse(Self.doc(Self.table, badType), file: "f.json")
        }
        assertError(.jsonPath("$.nftables[2].chain"), containing: #"missing required key "name""#) {
            try NftJSON.parse(Self.doc(Self.table, #"{"chain": {"family": "ip", "table": "t"}}"#), file: "f.json")
        }
        assertError(.jsonPath("$"), containing: #"missing required key "nftables""#) {
            try NftJSON.parse(#"{"nft": []}"#, file: "f.json")
        }
    }

    func testWrongTypeForPrioNamesItsPath() {
        let chain = #"{"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": true}}"#
        assertError(.jsonPath("$.nftables[2].chain.prio"), containing: "must be an integer, found a boolean") {
            try NftJSON.parse(Self.doc(Self.table, chain), file: "prio.json")
        }
        let word = #"{"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": "banana"}}"#
        assertError(.jsonPath("$.nftables[2].chain.prio"), containing: #"unknown chain priority "banana""#) {
            try NftJSON.parse(Self.doc(Self.table, word), file: "prio.json")
        }
    }

    func testUnknownStatementIsNotModelledNotAnError() throws {
        let rule = #"{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"frobnicate": {"level": 3, "with": ["a", "b"]}}, {"queue": {"num": 2}}, {"drop": null}]}}"#
        let r = try NftJSON.parse(Self.doc(Self.table, Self.baseChain, rule), file: "x.json")
        let stmts = try XCTUnwrap(r.tables.first?.chains.first?.rules.first?.stmts)
        XCTAssertEqual(stmts.count, 3)
        guard case .notModelled(let nm) = stmts[0] else { return XCTFail("\(stmts[0])") }
        XCTAssertEqual(nm.kind, "frobnicate")
        XCTAssertEqual(nm.text, #"{"frobnicate":{"level":3,"with":["a","b"]}}"#)
        XCTAssertEqual(stmts[1], .notModelled(NotModelled(kind: "queue", text: "queue to 2", parts: ["num": .expr(.value(.number(2)))])))
        XCTAssertEqual(stmts[2], .verdict(.drop))
        XCTAssertEqual(try NftJSON.parse(NftJSONWriter.write(r), file: "w.json"), r)
    }

    func testRuleForMissingChainOrTable() {
        let rule = #"{"rule": {"family": "ip", "table": "t", "chain": "nope", "expr": []}}"#
        assertError(.jsonPath("$.nftables[3].rule.chain"), containing: #"chain "nope" is not defined in table ip t"#) {
            try NftJSON.parse(Self.doc(Self.table, Self.baseChain, rule), file: "r.json")
        }
        let other = #"{"rule": {"family": "ip6", "table": "t", "chain": "c", "expr": []}}"#
        assertError(.jsonPath("$.nftables[3].rule.table"), containing: "table ip6 t is not defined") {
            try NftJSON.parse(Self.doc(Self.table, Self.baseChain, other), file: "r.json")
        }
    }

    func testMalformedKnownStatementNamesItsPath() {
        let rule = #"{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "=~", "left": 1, "right": 2}}]}}"#
        assertError(.jsonPath("$.nftables[3].rule.expr[0].match.op"), containing: #"unknown match operator "=~""#) {
            try NftJSON.parse(Self.doc(Self.table, Self.baseChain, rule), file: "m.json")
        }
        let jump = #"{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"jump": {"target": 5}}]}}"#
        assertError(.jsonPath("$.nftables[3].rule.expr[0].jump.target"), containing: "expected a string, found a number") {
            try NftJSON.parse(Self.doc(Self.table, Self.baseChain, jump), file: "m.json")
        }
    }

    // MARK: the reader itself

    func testReaderKeepsKeyOrderNumbersAndEscapes() throws {
        let v = try JSONReader.parse(#"{"z": 1, "a": [18446744073709551615, -100, 1.5e3], "s": "\u00e9\ud83d\ude00\n\"x\"", "t": true, "n": null}"#)
        XCTAssertEqual(v.objectValue?.map(\.key), ["z", "a", "s", "t", "n"])
        let numbers = try XCTUnwrap(v["a"]?.arrayValue?.compactMap(\.numberValue))
        XCTAssertEqual(numbers.map(\.text), ["18446744073709551615", "-100", "1.5e3"])
        XCTAssertEqual(numbers[0].uint64, UInt64.max)
        XCTAssertNil(numbers[0].int)
        XCTAssertEqual(numbers[1].int, -100)
        XCTAssertEqual(numbers[2].double, 1500)
        XCTAssertEqual(v["s"]?.stringValue, "é😀\n\"x\"")
        XCTAssertEqual(v["t"], .bool(true))
        XCTAssertEqual(v["n"], .null)
        XCTAssertEqual(try JSONReader.parse(JSONSerializer.string(v)), v)
    }

    func testReaderRejectsTrailingGarbageAndDeepNesting() {
        assertError(.line(1, column: 4), containing: "after the end") { try JSONReader.parse("{} x") }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        assertError(.line(1, column: 513), containing: "nested more than") { try JSONReader.parse(deep) }
        assertError(.line(1, column: 2), containing: "expected a digit") { try JSONReader.parse("-x") }
    }

    // MARK: the flat document

    /// The `nft -j` front end reads numbers straight from the bytes; they must read as
    /// `UInt64(text)` and `Int(text)` read the literal, overflow and signs included.
    func testDocumentNumbersReadAsTheirText() throws {
        let literals = ["0", "7", "-0", "-1", "1.5", "1e3", "2E-2", "9223372036854775807", "9223372036854775808",
                        "18446744073709551615", "18446744073709551616", "-9223372036854775808", "123456789012345678901234567890"]
        let doc = try JSONReader.document(Array(("[" + literals.joined(separator: ",") + "]").utf8))
        let elements = try JSONNode(doc, 0).elements()
        XCTAssertEqual(elements.count, literals.count)
        for (node, text) in zip(elements, literals) {
            XCTAssertEqual(node.numberText, text)
            XCTAssertEqual(node.uint64Value, UInt64(text), text)
            XCTAssertEqual(node.intValue, Int(text), text)
        }
    }

    /// Paths are worked out from the nodes' parents only for an error; keys that are not
    /// identifiers are quoted, array positions counted over whole subtrees.
    func testDocumentPathOfADeepValue() throws {
        let doc = try JSONReader.document(Array(#"{"x": {"y": [1]}, "a b": [{"skip": [[], {}]}, {"c": [1, 2, "\u00e9"]}]}"#.utf8))
        let root = JSONNode(doc, 0)
        let c = try XCTUnwrap(root.optional("a b")?.elements().last?.required("c").elements())
        XCTAssertEqual(c.count, 3)
        XCTAssertEqual(c[2].path, #"$["a b"][1].c[2]"#)
        XCTAssertEqual(c[2].stringValue, "é")
        XCTAssertEqual(root.path, "$")
        XCTAssertEqual(doc.value(at: 0), try JSONReader.parse(doc.bytes))
    }

    /// `payload` and `meta` are read without the members dictionary; what they give must be
    /// what the families' own `expr(json:_:)` gives, and anything unusual goes the general way.
    func testCommonFamiliesReadAsTheirFamiliesRead() throws {
        let fast = [#"{"payload": {"protocol": "tcp", "field": "dport"}}"#, #"{"payload": {"field": "saddr", "protocol": "ip"}}"#,
                    #"{"meta": {"key": "iifname"}}"#, #"{"meta": {"key": "l4proto"}}"#]
        let general = [#"{"payload": {"protocol": 6, "field": "dport"}}"#, #"{"payload": {"protocol": "0x06", "field": "dport"}}"#,
                       #"{"payload": {"protocol": "@s", "field": "dport"}}"#, #"{"payload": {"protocol": "*", "field": "dport"}}"#,
                       #"{"payload": {"base": "nh", "offset": 0, "len": 8}}"#, #"{"meta": {"key": 5}}"#,
                       #"{"payload": {"protocol": "tcp", "field": "dport", "x": 1}}"#, #"{"meta": {}}"#,
                       #"{"payload": {"protocol": "6", "field": "dport"}}"#, #"{"meta": {"key": "\u00e9"}}"#, #"{"meta": {"key": ""}}"#]
        for text in fast + general {
            let doc = try JSONReader.document(Array(text.utf8))
            let (key, inner) = try XCTUnwrap(JSONNode(doc, 0).onlyMember)
            let common = inner.commonFamilyExpr(key)
            XCTAssertEqual(common == nil, general.contains(text), text)
            if let common { XCTAssertEqual(common, try JSONNode.familyExpr(key, inner), text) }
        }
    }
}
