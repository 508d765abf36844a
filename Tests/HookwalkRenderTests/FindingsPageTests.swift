import Foundation
import HookwalkFindings
import HookwalkModel
import HookwalkParsers
@testable import HookwalkRender
import HookwalkSimulator
import XCTest

/// The Findings section of the index pages: its scenario links reach the walkthroughs in every
/// layout, hostile names stay inert, and a host without Docker says so.
final class FindingsPageTests: XCTestCase {
    /// A copy of docker-c with the ufw lab ruleset (published ports reachable despite ufw), and
    /// `edit` applied to its docker-containers.json text.
    func ufwHost(edit: (String) -> String = { $0 }) throws -> String {
        let source = try ExampleSite.fixture("docker-eras/snapshots/docker-c")
        let dir = NSTemporaryDirectory() + "hookwalk-findings-page-\(UInt32.random(in: 0...0xFFFFFF))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in try fm.contentsOfDirectory(atPath: source) where !f.hasPrefix("nft-ruleset") {
            try fm.copyItem(atPath: source + "/" + f, toPath: dir + "/" + f)
        }
        try fm.copyItem(atPath: ExampleSite.repository + "/Tests/HookwalkLabTests/Fixtures/c-ufw.iptables-save", toPath: dir + "/iptables-save.txt")
        let containers = try String(contentsOfFile: dir + "/docker-containers.json", encoding: .utf8)
        try edit(containers).write(toFile: dir + "/docker-containers.json", atomically: true, encoding: .utf8)
        return dir
    }

    /// The lines of a page's `## Findings` section.
    static func findingsSection(_ page: String) -> String {
        var out: [Substring] = [], inside = false
        for line in page.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "## Findings" { inside = true; continue }
            if inside, line.hasPrefix("## ") { break }
            if inside { out.append(line) }
        }
        return out.joined(separator: "\n")
    }

    func testEveryFindingScenarioLinkResolvesInEveryLayout() throws {
        let dir = try ufwHost()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hosts = [try ExampleSite.host(ExampleSite.examplePath), try ExampleSite.host(dir)]
        for layout in SiteLayout.allCases {
            let files = try ExampleSite.generator().render(hosts: hosts, layout: layout, png: false)
            let paths = SitePaths(layout: layout, hostCount: 2)
            var checked = 0
            for page in files.keys.sorted() where page.hasSuffix(".md") {
                let section = Self.findingsSection(String(decoding: files[page]!, as: UTF8.self))
                guard !section.isEmpty else { continue }
                for target in SiteLayoutTests.links(section) {
                    let parts = target.split(separator: "#", omittingEmptySubsequences: false)
                    if parts[0].isEmpty {
                        // An anchor on the page: a `### <id>` heading of the section.
                        XCTAssertTrue(section.contains("\n### \(parts[1])\n"), "\(layout) \(page): no heading for #\(parts[1])")
                        continue
                    }
                    let file: String? = layout == .githubWiki ? String(parts[0]) + ".md" : SiteLayoutTests.join(page, String(parts[0]))
                    XCTAssertNotNil(file.flatMap { files[$0] }, "\(layout) \(page): broken finding link \(target)")
                    checked += 1
                }
            }
            XCTAssertGreaterThan(checked, 8, "\(layout): the findings link their scenarios")
            // The hosts index counts each host's findings and links its Findings section.
            let index = String(decoding: try XCTUnwrap(files[try XCTUnwrap(paths.hostsIndex)]), as: UTF8.self)
            XCTAssertTrue(index.contains("4 critical") && index.contains("#findings)"), index)
        }
    }

    /// A big host (more findings than the index holds): a summary on the index, one line per
    /// finding on findings pages, each page in the nav and the sidebar, every link resolving.
    func testBigHostFindingsPages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hw-scale-findings-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ScaleSnapshot(containers: 60, bridges: 2).write(to: dir)
        let snapshot = try SnapshotLoader.load(path: dir)
        let docs = HostDocuments.scenarios(snapshot: snapshot, clients: [])
        let host = SiteHost(name: "scale-host", snapshot: snapshot, scenarios: docs)
        for layout in SiteLayout.allCases {
            let files = try ExampleSite.generator().render(hosts: [host], layout: layout, png: false)
            let paths = SitePaths(layout: layout, hostCount: 1)
            let index = String(decoding: try XCTUnwrap(files[paths.hostIndex("scale-host")]), as: UTF8.self)
            let section = Self.findingsSection(index)
            XCTAssertTrue(section.contains("| Severity | Kind | Findings |"), section)
            let page = paths.findingsPage("scale-host", part: 1)
            let text = String(decoding: try XCTUnwrap(files[page], "\(layout): no \(page)"), as: UTF8.self)
            let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Severity") }
            XCTAssertGreaterThan(rows.count, FindingsSection.inlineLimit, "\(layout)")
            var checked = 0
            for target in SiteLayoutTests.links(text) + SiteLayoutTests.links(section) {
                let from = SiteLayoutTests.links(text).contains(target) ? page : paths.hostIndex("scale-host")
                let plain = String(target.split(separator: "#", omittingEmptySubsequences: false)[0])
                let file: String? = layout == .githubWiki ? plain + ".md" : SiteLayoutTests.join(from, plain)
                XCTAssertNotNil(file.flatMap { files[$0] }, "\(layout) \(from): broken link \(target)")
                checked += 1
            }
            XCTAssertGreaterThan(checked, FindingsSection.inlineLimit)
            if layout == .mkdocs {
                XCTAssertTrue(String(decoding: files["mkdocs.yml"]!, as: UTF8.self).contains("\"Findings\": \"scale-host/findings.md\""))
            }
            if layout == .githubWiki {
                XCTAssertTrue(String(decoding: files["_Sidebar.md"]!, as: UTF8.self).contains("[Findings](scale-host--findings)"))
            }
        }
    }

    /// Walkthrough excerpts and diagrams say who wrote the rules that decide.
    func testExcerptsAndDiagramsNameTheOwners() throws {
        let files = try ExampleSite.outputTree()
        let page = String(decoding: try XCTUnwrap(files["scenarios/radius-udp-1812-from-10.254.10.105.md"]), as: UTF8.self)
        XCTAssertTrue(page.contains("udp dport 1812 counter dnat to 172.20.0.4:1812  # Docker: container radius"), page)
        XCTAssertTrue(page.contains("chain nat_POST_public_allow {  # firewalld: zone public"), page)
        let dot = String(decoding: try XCTUnwrap(files["diagrams/radius-udp-1812-from-10.254.10.105-request.dot"]), as: UTF8.self)
        XCTAssertTrue(dot.contains("counter dnat to 172.20.0.4:1812<BR ALIGN=\"CENTER\"/>by Docker: container radius>"), dot)
    }

    func testHostileNamesInFindingsAreInert() throws {
        let evil = "pro|xy*<script>`x`_[a](b)\\u001b[2J"
        let dir = try ufwHost { $0.replacingOccurrences(of: "\"/proxy\"", with: "\"/\(evil)\"") }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let host = try ExampleSite.host(dir)
        XCTAssertTrue(host.snapshot.host.docker.containers.contains { $0.name.contains("<script>") })
        let files = try ExampleSite.generator().render(hosts: [host], layout: .plain, png: false)
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        let section = Self.findingsSection(index)
        XCTAssertTrue(section.contains("pro\\|xy\\*&lt;script&gt;"), section)
        let prose = EscapingTests.withoutCode(section)
        XCTAssertFalse(prose.contains("<script>"))
        XCTAssertFalse(prose.contains("[a](b)"), "a name never becomes a link")
        XCTAssertTrue(prose.contains("\\[a\\](b)"), prose)
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("|") }
        XCTAssertGreaterThan(rows.count, 3)
        for line in rows { XCTAssertEqual(EscapingTests.cells(line), EscapingTests.cells(rows[0]), String(line)) }
        // The text form shows control characters as `?`.
        let snap = try SnapshotLoader.load(path: dir)
        let report = FindingsEngine.run(snapshot: snap, clients: HostDocuments.clients(snapshot: snap, given: []), host: "h")
        XCTAssertFalse(FindingsOutput.text([report]).unicodeScalars.contains { $0.value == 0x1b })
    }

    /// A host without Docker: its index says so instead of empty tables, and still has findings
    /// (here: its own listeners, from ss-listen.txt).
    func testHostWithoutDockerSaysSo() throws {
        let dir = NSTemporaryDirectory() + "hookwalk-nodocker-\(UInt32.random(in: 0...0xFFFFFF))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try ExampleSite.fixture("docker-eras/snapshots/docker-c")
        try FileManager.default.copyItem(atPath: source + "/ip-addr.json", toPath: dir + "/ip-addr.json")
        try "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n"
            .write(toFile: dir + "/nft-ruleset.nft", atomically: true, encoding: .utf8)
        try "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=1,fd=3))\n"
            .write(toFile: dir + "/ss-listen.txt", atomically: true, encoding: .utf8)
        let host = try ExampleSite.host(dir)
        let files = try ExampleSite.generator().render(hosts: [host], layout: .plain, png: false)
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        XCTAssertTrue(index.contains("no Docker networks and no containers"), index)
        XCTAssertFalse(index.contains("## Containers"), index)
        XCTAssertTrue(Self.findingsSection(index).contains("sshd listening on all addresses 22/tcp is reachable"), index)
        XCTAssertTrue(index.contains("No scenario: the host publishes no port"), index)
        XCTAssertFalse(index.contains("| Scenario | Kind |\n|---|---|---|---|\n\n"), "no empty table")
    }

    /// Docker networks but no container: the containers table says so, and so do the findings.
    func testHostWithoutContainersSaysSo() throws {
        let dir = try ufwHost { _ in "[]" }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try ExampleSite.generator().render(hosts: [try ExampleSite.host(dir)], layout: .plain, png: false)
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        XCTAssertTrue(index.contains("No container runs on this host: nothing is published."), index)
        XCTAssertTrue(Self.findingsSection(index).contains("no running container: nothing is published"), index)
    }
}
