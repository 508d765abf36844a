import Foundation
@testable import HookwalkRender
import HookwalkTestSupport
import XCTest

/// Two hosts (the example and the Docker 25-27 era fixture) published as a GitHub wiki, an MkDocs
/// project and plain folders: every Markdown link and image of every page must reach a file of
/// the tree, the way each publisher resolves it.
final class SiteLayoutTests: XCTestCase {
    nonisolated(unsafe) static var cache: [SiteLayout: [String: [UInt8]]] = [:]

    func site(_ layout: SiteLayout) throws -> [String: [UInt8]] {
        if let files = Self.cache[layout] { return files }
        let hosts = [try ExampleSite.host(ExampleSite.examplePath),
                     try ExampleSite.host(try ExampleSite.fixture("docker-eras/snapshots/docker-c"))]
        let files = try ExampleSite.generator().render(hosts: hosts, layout: layout, png: false)
        Self.cache[layout] = files
        return files
    }

    /// Link targets of a Markdown page: `[text](target)` and `![alt](target)`, outside fenced
    /// code, skipping a `]` that is escaped (host names are escaped, not links).
    static func links(_ page: String) -> [String] {
        var out: [String] = []
        var inFence = false
        for line in page.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if inFence { continue }
            let chars = Array(line)
            var i = 0
            while i + 1 < chars.count {
                if chars[i] == "]", chars[i + 1] == "(", i == 0 || chars[i - 1] != "\\" {
                    if let end = chars[(i + 2)...].firstIndex(of: ")") {
                        out.append(String(chars[(i + 2)..<end]))
                        i = end
                    }
                }
                i += 1
            }
        }
        return out
    }

    /// Fails with the page and link that do not resolve; `resolve` returns the file a link
    /// reaches, or nil for a link that is not into the tree.
    func assertLinksResolve(_ files: [String: [UInt8]], pages: (String) -> Bool,
                            resolve: (_ page: String, _ target: String) -> String?) -> Int {
        var checked = 0
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) where pages(path) {
            for target in Self.links(String(decoding: bytes, as: UTF8.self)) {
                XCTAssertFalse(target.contains("://"), "\(path): link out of the tree: \(target)")
                let plain = String(target.split(separator: "#", omittingEmptySubsequences: false)[0])
                if plain.isEmpty { continue }
                guard let file = resolve(path, plain) else { XCTFail("\(path): cannot resolve \(target)"); continue }
                XCTAssertNotNil(files[file], "\(path): broken link \(target) (no \(file))")
                checked += 1
            }
        }
        return checked
    }

    static func join(_ page: String, _ target: String) -> String? {
        var parts = page.split(separator: "/").map(String.init).dropLast()
        for p in target.split(separator: "/").map(String.init) {
            if p == ".." { guard !parts.isEmpty else { return nil }; parts.removeLast() } else if p != "." { parts.append(p) }
        }
        return parts.joined(separator: "/")
    }

    func testGitHubWikiHasNoBrokenLinks() throws {
        let files = try site(.githubWiki)
        XCTAssertNotNil(files["Home.md"])
        XCTAssertNotNil(files["_Sidebar.md"])
        // Pages and images are flat; the traces for `hookwalk diff` sit under data/<host>/, which
        // the wiki stores as plain files and never shows as pages.
        let nested = files.keys.filter { $0.contains("/") && !$0.hasPrefix("data/") }
        XCTAssertTrue(nested.isEmpty, "a wiki is flat: \(nested)")
        XCTAssertNotNil(files["data/docker-host/scenarios.json"])
        // The wiki resolves a page by name (no `.md`, no folder); images are files beside the pages.
        let checked = assertLinksResolve(files, pages: { $0.hasSuffix(".md") }) { _, target in
            if target.contains("/") || target.hasSuffix(".md") { return nil }
            return target.hasSuffix(".svg") || target.hasSuffix(".png") ? target : target + ".md"
        }
        XCTAssertGreaterThan(checked, 100)
        let home = String(decoding: files["Home.md"]!, as: UTF8.self)
        XCTAssertTrue(home.contains("| radius | 1812/udp | [delivered both ways](docker-host--radius-udp-1812-from-10-254-10-105) |"), home)
    }

    func testMkDocsHasNoBrokenLinksAndANav() throws {
        let files = try site(.mkdocs)
        let yaml = String(decoding: try XCTUnwrap(files["mkdocs.yml"]), as: UTF8.self)
        XCTAssertFalse(files.keys.contains { $0 != "mkdocs.yml" && !$0.hasPrefix("docs/") }, "\(files.keys.sorted())")
        let checked = assertLinksResolve(files, pages: { $0.hasSuffix(".md") }) { page, target in
            Self.join(page, target).flatMap { $0.hasPrefix("docs/") ? $0 : nil }
        }
        XCTAssertGreaterThan(checked, 100)
        // Every page is in the nav and every nav entry is a page.
        let navPages = yaml.split(separator: "\n").compactMap { line -> String? in
            guard line.hasSuffix(".md\"") else { return nil }
            return "docs/" + line.split(separator: "\"").last!
        }
        XCTAssertEqual(Set(navPages), Set(files.keys.filter { $0.hasSuffix(".md") }))
    }

    func testPlainWithTwoHostsHasNoBrokenLinks() throws {
        let files = try site(.plain)
        XCTAssertNotNil(files["index.md"])
        XCTAssertNotNil(files["docker-host/index.md"])
        let checked = assertLinksResolve(files, pages: { $0.hasSuffix(".md") }) { page, target in Self.join(page, target) }
        XCTAssertGreaterThan(checked, 100)
    }

    func testSameInputSameBytes() throws {
        let again = try ExampleSite.generator().render(
            hosts: [try ExampleSite.host(ExampleSite.examplePath),
                    try ExampleSite.host(try ExampleSite.fixture("docker-eras/snapshots/docker-c"))],
            layout: .githubWiki, png: false)
        let first = try site(.githubWiki)
        XCTAssertEqual(first.keys.sorted(), again.keys.sorted())
        for (k, v) in first where k.hasSuffix(".md") || k.hasSuffix(".dot") { XCTAssertEqual(v, again[k], k) }
    }

    /// `mkdocs build --strict` on the generated project, when mkdocs is installed
    /// (`pip install mkdocs`); skipped otherwise.
    func testMkDocsBuildStrict() throws {
        let mkdocs = ["/usr/local/bin/mkdocs", "/usr/bin/mkdocs", NSHomeDirectory() + "/.local/bin/mkdocs"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/mkdocs" }
        guard let tool = mkdocs.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw LabRequirement.unmet("mkdocs is not installed (pip install mkdocs)")
        }
        let dir = NSTemporaryDirectory() + "hookwalk-mkdocs-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (path, bytes) in try site(.mkdocs) {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: full, contents: Data(bytes)))
        }
        let r = try TestProcess.run([tool, "build", "--strict", "--quiet", "-f", dir + "/mkdocs.yml", "-d", dir + "/site"])
        XCTAssertEqual(r.status, 0, r.output)
    }
}

/// Host names are untrusted: they become file names, wiki page names and YAML strings.
final class SiteNamingTests: XCTestCase {
    func testHostSlugsAreSafeUniqueAndAvoidTheSitePages() {
        let slugs = DocGenerator.hostSlugs(["Home", "web.1", "web-1", "a--b", "../etc", "WEB-1", "_Sidebar"], layout: .githubWiki)
        XCTAssertEqual(slugs.count, Set(slugs.map { $0.lowercased() }).count, "\(slugs)")
        for s in slugs {
            XCTAssertFalse(["home", "_sidebar"].contains(s.lowercased()), s)
            XCTAssertFalse(s.contains("/") || s.contains("--") || s.contains(".") || s.hasPrefix("_"), s)
        }
    }

    func testMkDocsTitlesAreInertYAML() {
        let q = MkDocsConfig.quoted("a\"b\\c\n<script>: - [x]")
        XCTAssertEqual(q, "\"a\\\"b\\\\c ‹script›: - [x]\"")
    }
}
