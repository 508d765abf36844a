import HookwalkModel

/// Where a value sits in the document, as `$.nftables[12].chain.hook`.
///
/// A linked list so that descending costs one small allocation and no string work; the text is
/// built only when an error is reported.
indirect enum JSONPath: Sendable, CustomStringConvertible {
    case root
    case key(JSONPath, String)
    case index(JSONPath, Int)

    var description: String {
        var parts: [String] = []
        var p = self
        while true {
            switch p {
            case .root:
                return "$" + parts.reversed().joined()
            case .key(let parent, let k):
                parts.append(Self.isIdentifier(k) ? "." + k : "[\"" + k + "\"]")
                p = parent
            case .index(let parent, let i):
                parts.append("[\(i)]")
                p = parent
            }
        }
    }

    static func isIdentifier(_ k: String) -> Bool {
        !k.isEmpty && k.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
        }
    }
}

/// A value together with its path and file, so that every "missing key" or "wrong type" error
/// can name the exact place without each caller assembling it.
struct JSONNode {
    let value: JSONValue
    let path: JSONPath
    let file: String

    func error(_ message: String) -> HookwalkError {
        HookwalkError(file: file, .jsonPath(path.description), message)
    }

    func child(_ key: String, _ value: JSONValue) -> JSONNode {
        JSONNode(value: value, path: .key(path, key), file: file)
    }

    /// The member `key`, or nil when absent (JSON `null` counts as present).
    func optional(_ key: String) -> JSONNode? {
        guard let v = value[key] else { return nil }
        return child(key, v)
    }

    func required(_ key: String) throws -> JSONNode {
        guard case .object = value else { throw error("expected an object with \"\(key)\", found \(value.typeName)") }
        guard let v = value[key] else { throw error("missing required key \"\(key)\"") }
        return child(key, v)
    }

    func members() throws -> [(key: String, value: JSONValue)] {
        guard case .object(let m) = value else { throw error("expected an object, found \(value.typeName)") }
        return m
    }

    func elements() throws -> [JSONNode] {
        guard case .array(let a) = value else { throw error("expected an array, found \(value.typeName)") }
        return a.enumerated().map { JSONNode(value: $0.element, path: .index(path, $0.offset), file: file) }
    }

    func string() throws -> String {
        guard case .string(let s) = value else { throw error("expected a string, found \(value.typeName)") }
        return s
    }

    func int() throws -> Int {
        guard case .number(let n) = value, let i = n.int else {
            throw error("expected an integer, found \(describeFound())")
        }
        return i
    }

    func uint64() throws -> UInt64 {
        guard case .number(let n) = value, let i = n.uint64 else {
            throw error("expected a non-negative integer, found \(describeFound())")
        }
        return i
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw error("expected a boolean, found \(value.typeName)") }
        return b
    }

    /// nft prints a one-element flag list as a bare string and longer ones as arrays.
    func stringList() throws -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array: return try elements().map { try $0.string() }
        default: throw error("expected a string or an array of strings, found \(value.typeName)")
        }
    }

    /// A number or a string, as text: used for log options and reject codes, which nft prints
    /// either way depending on version.
    func scalarText() throws -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        default: throw error("expected a string or a number, found \(value.typeName)")
        }
    }

    func describeFound() -> String {
        switch value {
        case .number(let n): return "the number \(n.text)"
        case .string(let s): return "the string \"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        default: return value.typeName
        }
    }

    /// The compact JSON of this value, which is what a not-modelled node keeps as its text.
    var compactText: String { JSONSerializer.string(value, style: .compact) }
}
