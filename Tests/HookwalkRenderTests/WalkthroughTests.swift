import HookwalkModel
import HookwalkParsers
@testable import HookwalkRender
import HookwalkSimulator
import XCTest

/// The radius request of the article, from a hand-built trace of the kernel's events: the
/// excerpts must carry the article's marks on the article's lines.
final class WalkthroughTests: XCTestCase {
    func walk(_ direction: Direction = .request) throws -> Walkthrough {
        let snapshot = try Seed.snapshot()
        let context = RenderContext(ruleset: snapshot.ruleset, host: snapshot.host)
        let trace = Seed.radiusTrace()
        if direction == .request {
            return WalkthroughBuilder(context: context).build(trace.request, direction: .request, from: trace.scenario.from)
        }
        return WalkthroughBuilder(context: context).build(trace.reply!, direction: .reply, from: .container("radius"))
    }

    /// The gutter of the excerpt line whose text (trimmed) is `text`, the `n`th such line.
    func gutter(_ section: WalkSection, _ text: String, _ n: Int = 0) -> String? {
        let lines = section.excerpt.filter { $0.text.trimmingCharacters(in: .whitespaces) == text }
        return n < lines.count ? lines[n].gutter : nil
    }

    func testPreroutingMarksAsInTheArticle() throws {
        let w = try walk()
        let pre = w.sections[0]
        XCTAssertEqual(pre.hookLabel, "ip prerouting")
        XCTAssertEqual(gutter(pre, "type nat hook prerouting priority -100; policy accept;"), "(1)")
        XCTAssertEqual(gutter(pre, "fib daddr type local counter jump DOCKER"), "(2)->")
        XCTAssertEqual(gutter(pre, "chain DOCKER {"), "->(2)")
        XCTAssertEqual(gutter(pre, "udp dport 514 counter dnat to 172.20.0.3:514"), "↓")
        XCTAssertEqual(gutter(pre, "udp dport 67 counter dnat to 172.20.0.5:67"), "↓")
        XCTAssertEqual(gutter(pre, "tcp dport 8080 counter dnat to 172.20.0.2:8080"), "↓")
        XCTAssertEqual(gutter(pre, "udp dport 1812 counter dnat to 172.20.0.4:1812"), "(3)")
        XCTAssertEqual(pre.stateAfter.flowText, "10.254.10.105:41003 -> 172.20.0.4:1812")
        let sentences = pre.steps.map(\.sentence)
        XCTAssertTrue(sentences[1].contains("10.254.10.252 is an address of this host (on `ens192`)"), sentences[1])
        XCTAssertTrue(sentences[1].contains("jumps to `DOCKER`"), sentences[1])
        XCTAssertTrue(sentences[2].contains("destination 10.254.10.252:1812 to 172.20.0.4:1812"), sentences[2])
        XCTAssertEqual(pre.steps.map(\.number), [1, 2, 3, nil], "the routing decision is told, not numbered")
    }

    func testForwardMarksAsInTheArticle() throws {
        let fwd = try walk().sections[1]
        XCTAssertEqual(gutter(fwd, "type filter hook forward priority 0; policy drop;"), "(1)")
        XCTAssertEqual(gutter(fwd, "counter jump DOCKER-USER"), "(2)->")
        XCTAssertEqual(gutter(fwd, "chain DOCKER-USER {"), "->(2)")
        XCTAssertEqual(gutter(fwd, "counter return", 0), "(3)->")
        XCTAssertEqual(gutter(fwd, "counter jump DOCKER-ISOLATION-STAGE-1"), "->(3)(4)->")
        XCTAssertEqual(gutter(fwd, "chain DOCKER-ISOLATION-STAGE-1 {"), "->(4)")
        XCTAssertEqual(gutter(fwd, "counter return", 1), "(5)->")
        XCTAssertEqual(gutter(fwd, "oifname \"docker1\" ct state established,related counter accept"), "->(5)")
        XCTAssertEqual(gutter(fwd, "oifname \"docker1\" counter jump DOCKER"), "(6)->")
        XCTAssertEqual(gutter(fwd, "chain DOCKER {"), "->(6)")
        XCTAssertEqual(gutter(fwd, "iifname != \"docker1\" oifname \"docker1\" ip daddr 172.20.0.3 udp dport 514 counter accept"), "↓")
        XCTAssertEqual(gutter(fwd, "iifname != \"docker1\" oifname \"docker1\" ip daddr 172.20.0.4 udp dport 1812 counter accept"), "(7)")
        XCTAssertEqual(gutter(fwd, "iifname \"docker1\" oifname != \"docker1\" counter accept"), "", "not reached: no mark")
        XCTAssertEqual(gutter(fwd, "type filter hook forward priority 10; policy accept;"), "(8)")
        XCTAssertEqual(gutter(fwd, "ct state established,related accept"), "↓")
        XCTAssertEqual(gutter(fwd, "ct status dnat accept"), "(9)")
        XCTAssertEqual(fwd.steps.compactMap(\.number).max(), 9)
    }

    func testPostroutingMarksAsInTheArticle() throws {
        let post = try walk().sections[2]
        XCTAssertEqual(gutter(post, "type nat hook postrouting priority 100; policy accept;"), "(1)")
        XCTAssertEqual(gutter(post, "oifname \"docker1\" fib saddr type local counter masquerade"), "↓")
        XCTAssertEqual(gutter(post, "ip saddr 172.20.0.4 ip daddr 172.20.0.4 udp dport 1812 counter masquerade"), "↓")
        XCTAssertEqual(gutter(post, "type nat hook postrouting priority 110; policy accept;"), "(2)")
        XCTAssertEqual(gutter(post, "jump nat_POSTROUTING_ZONES"), "(3)->")
        XCTAssertEqual(gutter(post, "chain nat_POSTROUTING_ZONES {"), "->(3)")
        XCTAssertEqual(gutter(post, "oifname \"ens192\" goto nat_POST_public"), "↓")
        XCTAssertEqual(gutter(post, "goto nat_POST_public"), "(4)->")
        XCTAssertEqual(gutter(post, "chain nat_POST_public {"), "->(4)")
        XCTAssertEqual(gutter(post, "jump nat_POST_public_allow"), "(5)->")
        XCTAssertEqual(gutter(post, "chain nat_POST_public_allow {"), "->(5)")
        XCTAssertEqual(gutter(post, "oifname != \"lo\" masquerade"), "(6)")
        XCTAssertEqual(post.steps.compactMap(\.number).max(), 6)
        XCTAssertEqual(post.stateAfter.flowText, "172.20.0.1:41003 -> 172.20.0.4:1812")
        XCTAssertEqual(try walk().sections.map(\.hookLabel),
                       ["ip prerouting", "ip forward", "ip postrouting", "bridge output", "bridge postrouting"])
    }

    func testReplyExplainsConntrackAndBridgeHooks() throws {
        let reply = try walk(.reply)
        let intro = ScenarioPage.intro(reply, request: try walk(), host: Seed.host())
        let text = intro.joined(separator: "\n")
        XCTAssertTrue(text.contains("No nat chain appears on the reply's path"), text)
        XCTAssertTrue(text.contains("at ip prerouting (reverse of the source NAT): the destination 172.20.0.1:41003 to 10.254.10.105:41003"), text)
        XCTAssertTrue(text.contains("at ip postrouting (reverse of the destination NAT): the source 172.20.0.4:1812 to 10.254.10.252:1812"), text)
        XCTAssertTrue(text.contains("bridge prerouting, bridge input"), text)
        XCTAssertTrue(text.contains("br\\_netfilter"), text)
        let fwd = reply.sections.first { $0.hookLabel == "ip forward" }!
        XCTAssertEqual(gutter(fwd, "oifname \"docker1\" ct state established,related counter accept"), "->(5)")
        XCTAssertEqual(gutter(fwd, "oifname \"docker1\" counter jump DOCKER"), "↓")
        XCTAssertEqual(gutter(fwd, "iifname \"docker1\" oifname != \"docker1\" counter accept"), "(6)")
        XCTAssertEqual(gutter(fwd, "ct state established,related accept"), "(8)")
    }

    func testRenderedPageHasMarksAndSentences() throws {
        let generator = try DocGenerator(templatesDirectory: Seed.templatesDirectory)
        let files = try generator.render(snapshot: try Seed.snapshot(), scenarios: [Seed.radiusDoc()], png: false)
        let page = String(decoding: files["scenarios/radius-udp-1812-from-10.254.10.105.md"]!, as: UTF8.self)
        XCTAssertTrue(page.contains("### Request from an external client 10.254.10.105 on `ens192` (prerouting)"), page)
        let lines = page.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("(2)-> ") && $0.hasSuffix(" fib daddr type local counter jump DOCKER  # Docker") }, page)
        XCTAssertTrue(lines.contains { $0.hasPrefix("->(2) ") && $0.hasSuffix(" chain DOCKER {  # Docker") }, page)
        XCTAssertTrue(lines.contains { $0.hasPrefix("->(3)(4)-> ") && $0.hasSuffix(" counter jump DOCKER-ISOLATION-STAGE-1  # Docker") }, page)
        XCTAssertTrue(page.contains("- (2) `fib daddr type local counter jump DOCKER` matches because 10.254.10.252 is an address of this host (on `ens192`), so the packet jumps to `DOCKER`"), page)
        XCTAssertTrue(page.contains("The communication at this point is 10.254.10.105:41003 -> 172.20.0.4:1812."), page)
        XCTAssertTrue(page.contains("## Reply"), page)
        let verdictLine = page.split(separator: "\n").dropFirst(1).first { !$0.isEmpty }!
        XCTAssertTrue(verdictLine.hasPrefix("**Delivered.**"), String(verdictLine))
    }
}
