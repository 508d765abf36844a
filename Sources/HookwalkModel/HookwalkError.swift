import Foundation

/// Where in an input file something went wrong: a text position or a JSON path.
public enum SourceLocation: Sendable, Hashable, CustomStringConvertible {
    case line(Int, column: Int)
    case jsonPath(String)
    case none

    public var description: String {
        switch self {
        case .line(let l, let c): return "\(l):\(c)"
        case .jsonPath(let p): return p
        case .none: return ""
        }
    }
}

/// The error every part of hookwalk reports: one line for the person at the terminal, naming the
/// file and the place in it. The command line prints `description` and exits 2.
public struct HookwalkError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String?
    public var location: SourceLocation
    public var message: String

    public init(file: String? = nil, _ location: SourceLocation = .none, _ message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    /// An error about a whole file (no position in it).
    public init(file: String, _ message: String) {
        self.init(file: file, .none, message)
    }

    /// An error that belongs to no file (a bad command-line argument).
    public init(_ message: String) {
        self.init(file: nil, .none, message)
    }

    /// `file:line:col: message`, `file: at $.nftables[3].rule: message` or `message`.
    public var description: String {
        var s = ""
        if let file { s += TerminalText.escaped(file, keepLines: false) }
        switch location {
        case .line: s += (s.isEmpty ? "" : ":") + location.description
        case .jsonPath(let p): s += (s.isEmpty ? "at " : ": at ") + TerminalText.escaped(p, keepLines: false)
        case .none: break
        }
        // One line, and nothing a terminal would act on (names in messages come from the host).
        let oneLine = TerminalText.escaped(message, keepLines: false)
        return s.isEmpty ? oneLine : s + ": " + oneLine
    }

    /// The same error, attributed to a file (parsers of in-memory text do not know the name).
    public func inFile(_ name: String) -> HookwalkError {
        var e = self
        if e.file == nil { e.file = name }
        return e
    }
}
