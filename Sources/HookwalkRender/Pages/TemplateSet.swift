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
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = fm.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw HookwalkError(file: path, .none, "cannot read template (not UTF-8 text?)")
            }
            do {
                templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
            } catch {
                throw HookwalkError(file: path, .none, "template does not parse: \(error)")
            }
        }
        for name in Self.required where templates[name] == nil {
            throw HookwalkError(file: (directory as NSString).appendingPathComponent(name + ".mustache"), .none,
                                "template missing")
        }
        library = MustacheLibrary(templates: templates)
        self.directory = directory
    }

    func render(_ object: Any, template: String) throws -> String {
        guard let text = library.render(object, withTemplate: template) else {
            throw HookwalkError(file: (directory as NSString).appendingPathComponent(template + ".mustache"), .none,
                                "template missing")
        }
        return text
    }
}
