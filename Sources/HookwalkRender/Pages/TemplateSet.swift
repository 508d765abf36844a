import Foundation
import HookwalkModel
import Mustache

/// The page templates, read from a folder at run time so that a user can restyle the pages
/// (`--templates DIR`) without rebuilding hookwalk.
public struct TemplateSet: Sendable {
    public static let required = ["scenario", "index"]

    let library: MustacheLibrary
    public let directory: String

    /// Reads every `*.mustache` of `directory` (the others can be used as partials).
    public init(directory: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw HookwalkError(file: directory, .none, "templates folder not found (give one with --templates DIR)")
        }
        let names = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        var templates: [String: MustacheTemplate] = [:]
        var partials: [String: [(name: String, line: Int, column: Int)]] = [:]
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw HookwalkError(file: path, .none, "cannot read template (not UTF-8 text?)")
            }
            // Checked before the Mustache parser sees it: it recurses once per nested section.
            partials[String(name.dropLast(".mustache".count))] = try Self.scan(text, file: path)
            do {
                templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
            } catch let e as MustacheTemplate.ParserError {
                throw HookwalkError(file: path, .line(e.context.lineNumber, column: e.context.columnNumber),
                                    "template does not parse: \(Self.describe(e.error))")
            } catch {
                throw HookwalkError(file: path, .none, "template does not parse")
            }
        }
        for name in Self.required where templates[name] == nil {
            throw HookwalkError(file: (directory as NSString).appendingPathComponent(name + ".mustache"), .none,
                                "template missing")
        }
        try Self.checkPartials(partials, directory: directory)
        library = MustacheLibrary(templates: templates)
        self.directory = directory
    }

    /// The Mustache parser's error in words (its own names are Swift identifiers).
    static func describe(_ error: Error) -> String {
        guard let e = error as? MustacheTemplate.Error else { return "malformed template" }
        switch e {
        case .sectionCloseNameIncorrect: return "a {{/...}} closes a different section than the one open"
        case .unfinishedName: return "a tag is not closed with }}"
        case .expectedSectionEnd: return "a section is not closed ({{/...}} missing)"
        case .invalidSetDelimiter: return "a malformed delimiter tag"
        case .transformAppliedToInheritanceSection: return "a transform on an inherited section"
        case .illegalTokenInsideInheritSection, .textInsideInheritSection: return "text or tags inside a partial's inherited section"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: return "an unknown {{% ... }} configuration tag"
        }
    }

    /// Sections nested deeper than this are refused (the pages nest three or four).
    static let maximumNesting = 64

    /// The partials a template includes, with where; refuses sections nested deeper than
    /// `maximumNesting` and delimiter changes (which would hide tags from this scan).
    static func scan(_ text: String, file: String) throws -> [(name: String, line: Int, column: Int)] {
        let b = Array(text.utf8)
        var out: [(name: String, line: Int, column: Int)] = []
        var depth = 0
        var line = 1
        var lineStart = 0
        var i = 0
        while i + 1 < b.count {
            if b[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1; i += 1; continue }
            guard b[i] == UInt8(ascii: "{"), b[i + 1] == UInt8(ascii: "{") else { i += 1; continue }
            let column = i - lineStart + 1
            var j = i + 2
            while j < b.count, b[j] == UInt8(ascii: " ") { j += 1 }
            let sigil = j < b.count ? b[j] : 0
            var end = j
            while end + 1 < b.count, !(b[end] == UInt8(ascii: "}") && b[end + 1] == UInt8(ascii: "}")) { end += 1 }
            let name = String(decoding: b[min(j + 1, end)..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            func fail(_ message: String) -> HookwalkError { HookwalkError(file: file, .line(line, column: column), message) }
            switch sigil {
            case UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "<"):
                depth += 1
                if depth > maximumNesting { throw fail("template sections nested more than \(maximumNesting) deep") }
                if sigil == UInt8(ascii: "<") { out.append((name, line, column)) }
            case UInt8(ascii: "/"):
                depth -= 1
            case UInt8(ascii: ">"):
                out.append((name, line, column))
            case UInt8(ascii: "="):
                throw fail("template changes its delimiters ({{=...=}}), which hookwalk does not support")
            default:
                break
            }
            // Skip the tag's body, counting its lines.
            for k in i..<min(end, b.count) where b[k] == UInt8(ascii: "\n") { line += 1; lineStart = k + 1 }
            i = end + 2
        }
        return out
    }

    /// Refuses a template that includes itself, directly or through other partials: the pages'
    /// data is not recursive, so such a template could only recurse without end.
    static func checkPartials(_ partials: [String: [(name: String, line: Int, column: Int)]], directory: String) throws {
        var state: [String: Int] = [:]  // 1 on the current path, 2 done
        for root in partials.keys.sorted() where state[root] == nil {
            var path: [(name: String, next: Int)] = [(root, 0)]
            state[root] = 1
            while let top = path.last {
                let refs = partials[top.name] ?? []
                if top.next < refs.count {
                    path[path.count - 1].next += 1
                    let ref = refs[top.next]
                    guard partials[ref.name] != nil else { continue }  // a missing partial renders as nothing
                    if state[ref.name] == 1 {
                        let from = path.firstIndex { $0.name == ref.name } ?? 0
                        let cycle = (path[from...].map(\.name) + [ref.name]).joined(separator: " -> ")
                        throw HookwalkError(file: (directory as NSString).appendingPathComponent(top.name + ".mustache"),
                                            .line(ref.line, column: ref.column), "template partials include themselves: \(cycle)")
                    }
                    if state[ref.name] == nil {
                        state[ref.name] = 1
                        path.append((ref.name, 0))
                    }
                } else {
                    state[top.name] = 2
                    path.removeLast()
                }
            }
        }
    }

    func render(_ object: Any, template: String) throws -> String {
        guard let text = library.render(object, withTemplate: template) else {
            throw HookwalkError(file: (directory as NSString).appendingPathComponent(template + ".mustache"), .none,
                                "template missing")
        }
        return text
    }
}
