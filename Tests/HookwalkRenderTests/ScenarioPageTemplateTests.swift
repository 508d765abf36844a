@testable import HookwalkRender
import Mustache
import XCTest

/// The scenario page's values (and a network page's rows) answer the template's names themselves (`MustacheParent`) instead
/// of being reflected: each must give what `Mirror` gives, for every field, or a page would lose
/// or change a value without any other test noticing on the example host (whose pages do not use
/// every optional).
final class ScenarioPageTemplateTests: XCTestCase {
    static let section = ScenarioPage.Section(heading: "h", excerpt: "```\nx\n```", lead: nil, steps: ["(1) a", "(2) b"],
                                              trail: "t", communication: "c")
    static let bare = ScenarioPage.Section(heading: "h2", excerpt: nil, lead: "l", steps: [], trail: nil, communication: "c2")
    static let direction = ScenarioPage.Direction(marks: "##", sectionMarks: "###", name: "Request", intro: ["i"], path: "p",
                                                  diagram: "d.svg", sections: [section, bare], outcome: "o.")

    static func page(full: Bool) -> ScenarioPage {
        ScenarioPage(id: "id", title: "T", kind: "k", verdict: "v", hostPage: "../index.md", requestDiagram: "r.svg",
                     replyDiagram: full ? "q.svg" : nil, diagramLinks: "[r](r.svg)", callout: full ? "> c" : nil,
                     directions: [direction],
                     proxyLeg: full ? ScenarioPage.ProxyLeg(heading: "ph", explanation: "pe", directions: [direction]) : nil,
                     branches: full ? "b" : nil)
    }

    /// What the library finds by reflection: the field, an optional unwrapped, nil when absent.
    static func reflected(_ value: Any, _ name: String) -> Any? {
        guard let field = Mirror(reflecting: value).children.first(where: { $0.label == name })?.value else { return nil }
        let m = Mirror(reflecting: field)
        guard m.displayStyle == .optional else { return field }
        return m.children.first?.value
    }

    func assertSameAsMirror(_ value: some MustacheParent, file: StaticString = #filePath, line: UInt = #line) {
        let labels = Mirror(reflecting: value).children.compactMap(\.label)
        XCTAssertFalse(labels.isEmpty, file: file, line: line)
        for name in labels {
            let mine = value.child(named: name), theirs = Self.reflected(value, name)
            XCTAssertEqual(mine == nil, theirs == nil, "\(type(of: value)).\(name): nil on one side only", file: file, line: line)
            if let mine, let theirs {
                XCTAssertEqual(String(describing: mine), String(describing: theirs), "\(type(of: value)).\(name)", file: file, line: line)
                XCTAssertTrue(type(of: mine) == type(of: theirs), "\(type(of: value)).\(name): \(type(of: mine))", file: file, line: line)
            }
        }
        XCTAssertNil(value.child(named: "noSuchField"), file: file, line: line)
    }

    func testEveryFieldAnswersAsReflectionWould() {
        for full in [true, false] {
            let page = Self.page(full: full)
            assertSameAsMirror(page)
            if let leg = page.proxyLeg { assertSameAsMirror(leg) }
        }
        assertSameAsMirror(Self.direction)
        assertSameAsMirror(NetworkPages.Page.Row(name: "c", addresses: "a", ports: "p", scenarios: "s"))
        assertSameAsMirror(NetworkPages.Page.ScenarioRow(title: "t", kind: "k", verdict: "v", page: "p"))
        assertSameAsMirror(Self.section)
        assertSameAsMirror(Self.bare)
    }

    /// The shipped templates give the same text from the values as from a reflected copy of them
    /// (the same fields in plain structs the library can only reflect).
    func testTemplatesRenderTheSameAsByReflection() throws {
        let templates = try TemplateSet(directory: Seed.templatesDirectory)
        for full in [true, false] {
            let page = Self.page(full: full)
            let text = try templates.render(page, template: "scenario")
            XCTAssertEqual(text, try templates.render(Reflected(page), template: "scenario"))
            XCTAssertTrue(text.contains("(2) b"))
            XCTAssertEqual(text.contains("pe"), full)
        }
    }
}

/// A scenario page as values only `Mirror` can read.
private struct Reflected {
    struct Section { var heading: String; var excerpt: String?; var lead: String?; var steps: [String]; var trail: String?; var communication: String }
    struct Direction { var marks, sectionMarks, name: String; var intro: [String]; var path, diagram: String; var sections: [Section]; var outcome: String }
    struct ProxyLeg { var heading, explanation: String; var directions: [Direction] }
    var id, title, kind, verdict, hostPage, requestDiagram: String
    var replyDiagram: String?
    var diagramLinks: String
    var callout: String?
    var directions: [Direction]
    var proxyLeg: ProxyLeg?
    var branches: String?

    init(_ p: ScenarioPage) {
        func direction(_ d: ScenarioPage.Direction) -> Direction {
            Direction(marks: d.marks, sectionMarks: d.sectionMarks, name: d.name, intro: d.intro, path: d.path, diagram: d.diagram,
                      sections: d.sections.map {
                          Section(heading: $0.heading, excerpt: $0.excerpt, lead: $0.lead, steps: $0.steps, trail: $0.trail,
                                  communication: $0.communication)
                      }, outcome: d.outcome)
        }
        id = p.id; title = p.title; kind = p.kind; verdict = p.verdict; hostPage = p.hostPage; requestDiagram = p.requestDiagram
        replyDiagram = p.replyDiagram; diagramLinks = p.diagramLinks; callout = p.callout
        directions = p.directions.map(direction)
        proxyLeg = p.proxyLeg.map { ProxyLeg(heading: $0.heading, explanation: $0.explanation, directions: $0.directions.map(direction)) }
        branches = p.branches
    }
}
