import Foundation
import HookwalkRender
import XCTest

/// The radius request of the example host, simulated (not hand-built): the page must number it
/// as the article does, prerouting (1)-(3), forward (1)-(9), postrouting (1)-(6). Conntrack's
/// first look and the routing decision are told in prose, unnumbered, as the article does.
final class ExampleWalkthroughTests: XCTestCase {
    nonisolated(unsafe) static var cached: String?

    func page() throws -> String {
        if let p = Self.cached { return p }
        let files = try ExampleSite.generator().render(hosts: [try ExampleSite.host(ExampleSite.examplePath)],
                                                       layout: .plain, png: false)
        let page = String(decoding: try XCTUnwrap(files["scenarios/radius-udp-1812-from-10.254.10.105.md"]), as: UTF8.self)
        Self.cached = page
        return page
    }

    /// The section of `page` under the heading that ends with `(hook)`, up to the next heading.
    func section(_ page: String, direction: String, hook: String) throws -> [String] {
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("### \(direction) ") && $0.hasSuffix("(\(hook))") })
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("#") } ?? lines.count
        return Array(lines[(start + 1)..<end])
    }

    func marks(_ lines: [String]) -> [String] {
        lines.compactMap { l in
            l.hasPrefix("- ") || !(l.first.map { "(->↓".contains($0) } ?? false) ? nil : String(l.split(separator: " ")[0])
        }
    }

    func numbers(_ lines: [String]) -> [String] {
        lines.filter { $0.hasPrefix("- (") }.map { String($0.dropFirst(2).prefix { $0 != " " }) }
    }

    func testPreroutingAsTheArticle() throws {
        let pre = try section(try page(), direction: "Request", hook: "prerouting")
        XCTAssertEqual(marks(pre), ["(1)", "(2)->", "->(2)", "↓", "↓", "↓", "(3)"])
        XCTAssertEqual(numbers(pre), ["(1)", "(2)", "(3)"])
        XCTAssertTrue(pre.contains { $0.hasPrefix("Conntrack starts tracking a new connection udp 10.254.10.105:") && $0.hasSuffix(" -> 10.254.10.252:1812.") },
                      pre.joined(separator: "\n"))
        XCTAssertTrue(pre.contains { $0.hasPrefix("The routing decision looks up the destination 172.20.0.4") }, pre.joined(separator: "\n"))
    }

    func testForwardAndPostroutingAsTheArticle() throws {
        let fwd = try section(try page(), direction: "Request", hook: "forward")
        XCTAssertEqual(numbers(fwd), (1...9).map { "(\($0))" })
        XCTAssertEqual(marks(fwd).filter { $0 != "↓" },
                       ["(1)", "(2)->", "->(3)(4)->", "->(5)", "(6)->", "->(2)", "(3)->", "->(4)", "(5)->", "->(6)", "(7)", "(8)", "(9)"])
        let post = try section(try page(), direction: "Request", hook: "postrouting")
        XCTAssertEqual(numbers(post), (1...6).map { "(\($0))" })
        XCTAssertEqual(marks(post).filter { $0 != "↓" },
                       ["(1)", "(2)", "(3)->", "->(3)", "(4)->", "->(4)", "(5)->", "->(5)", "(6)"])
    }

    func testReplyKeepsImplicitNatNumberedAndNotesAsSentences() throws {
        let pre = try section(try page(), direction: "Reply", hook: "prerouting")
        XCTAssertEqual(numbers(pre), ["(1)"])
        XCTAssertTrue(pre.contains { $0.hasPrefix("- (1) Conntrack rewrites the packet at the prerouting hook") }, pre.joined(separator: "\n"))
        let bridge = try section(try page(), direction: "Reply", hook: "bridge prerouting")
        XCTAssertTrue(bridge.contains { $0.hasPrefix("br\\_netfilter (bridge-nf-call-iptables=1) runs") && $0.hasSuffix("docker1.") },
                      bridge.joined(separator: "\n"))
    }

    func testArrowsHookwalkWritesAreNotEscaped() throws {
        XCTAssertFalse(try page().contains("-&gt;"))
        let files = try ExampleSite.generator().render(hosts: [try ExampleSite.host(ExampleSite.examplePath)],
                                                       layout: .plain, png: false)
        let index = String(decoding: try XCTUnwrap(files["index.md"]), as: UTF8.self)
        XCTAssertTrue(index.contains("| radius | infraserv\\_infranet | 172.20.0.4 | 0.0.0.0:1812->1812/udp |"), index)
    }
}
