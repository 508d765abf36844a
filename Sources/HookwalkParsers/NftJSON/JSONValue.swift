/// A parsed JSON document, kept close to the bytes it came from.
///
/// Objects keep their key order because nft's listing order is meaningful to a reader comparing
/// output with `nft -j list ruleset`, and numbers keep their literal text so that a 64-bit mark or a
/// handle never passes through a `Double`.
public enum JSONValue: Sendable, Equatable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null

    /// The first value stored under `key`, when this is an object. Objects in nft's output have a
    /// handful of keys, so a linear scan beats building a dictionary.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [(key: String, value: JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The name of the JSON type, for error messages that say what was found instead.
    public var typeName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }
}

/// A JSON number as written. Conversions are on demand so that the reader never pays for a
/// `Double` parse of the thousands of small integers an nft listing holds.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal text, e.g. `1812`, `-100`, `0.5`, `1e3`.
    public var text: String

    public init(text: String) { self.text = text }
    public init<I: BinaryInteger>(_ n: I) { self.text = String(n) }

    public var int: Int? { Int(text) }
    public var uint64: UInt64? { UInt64(text) }
    public var double: Double? { Double(text) }
    public var description: String { text }
}
