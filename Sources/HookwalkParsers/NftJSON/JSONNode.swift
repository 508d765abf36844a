import HookwalkModel

/// One value of a `JSONDocument` with the document it lives in, so that every "missing key" or
/// "wrong type" error can name the exact place (`$.nftables[12].chain.hook`, worked out from the
/// document only when the error is raised) without each caller assembling it.
struct JSONNode {
    let doc: JSONDocument
    let index: Int

    init(_ doc: JSONDocument, _ index: Int) {
        self.doc = doc
        self.index = index
    }

    var kind: JSONDocument.Kind { doc.nodes[index].kind }

    /// The JSON path of this value.
    var path: String { doc.path(of: index) }

    func error(_ message: String) -> HookwalkError {
        HookwalkError(file: doc.file, .jsonPath(path), message)
    }

    /// The value as a tree, for the rare reader that needs one (compact text, tests).
    var value: JSONValue { doc.value(at: index) }

    var isNull: Bool { kind == .null }
    var isObject: Bool { kind == .object }
    var isArray: Bool { kind == .array }
    var isString: Bool { kind == .string || kind == .escapedString }

    /// The name of the JSON type, for error messages that say what was found instead.
    var typeName: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .string, .escapedString: return "a string"
        case .number: return "a number"
        case .true, .false: return "a boolean"
        case .null: return "null"
        }
    }

    var stringValue: String? { isString ? doc.string(at: index) : nil }

    /// Whether this is a string that starts with `@` (a set reference). The byte test rules out
    /// nearly every string; `hasPrefix` then decides as it always did (an `@` carrying a
    /// combining mark is one Character, not a reference).
    var isSetReference: Bool {
        isString && doc.string(at: index, startsWith: UInt8(ascii: "@")) && doc.string(at: index).hasPrefix("@")
    }

    /// The number of members of an object or elements of an array; 0 otherwise.
    var count: Int {
        let n = doc.nodes[index]
        return n.kind == .object || n.kind == .array ? Int(n.end) : 0
    }

    /// The one member of an object that has exactly one (nft's `{"kind": {...}}` wrappers).
    var onlyMember: (key: String, value: JSONNode)? {
        let n = doc.nodes[index]
        guard n.kind == .object, n.end == 1 else { return nil }
        return (doc.string(at: index + 1), JSONNode(doc, index + 2))
    }

    /// Calls `body` with each member of an object in order; nothing for other values.
    func forEachMember(_ body: (String, JSONNode) throws -> Void) rethrows {
        let n = doc.nodes[index]
        guard n.kind == .object else { return }
        var k = index + 1
        for _ in 0..<Int(n.end) {
            try body(doc.string(at: k), JSONNode(doc, k + 1))
            k = Int(doc.nodes[k + 1].next)
        }
    }

    /// The member `key`, or nil when absent (JSON `null` counts as present).
    func optional(_ key: StaticString) -> JSONNode? {
        doc.member(of: index, key).map { JSONNode(doc, $0) }
    }

    func required(_ key: StaticString) throws -> JSONNode {
        guard isObject else { throw error("expected an object with \"\(key)\", found \(typeName)") }
        guard let v = doc.member(of: index, key) else { throw error("missing required key \"\(key)\"") }
        return JSONNode(doc, v)
    }

    /// An object's members (an error for anything else).
    func members() throws -> [(key: String, value: JSONNode)] {
        guard isObject else { throw error("expected an object, found \(typeName)") }
        var out: [(key: String, value: JSONNode)] = []
        out.reserveCapacity(count)
        forEachMember { out.append(($0, $1)) }
        return out
    }

    /// An array's elements, as nodes.
    func elements() throws -> [JSONNode] {
        let n = doc.nodes[index]
        guard n.kind == .array else { throw error("expected an array, found \(typeName)") }
        var out: [JSONNode] = []
        out.reserveCapacity(Int(n.end))
        var k = index + 1
        for _ in 0..<Int(n.end) {
            out.append(JSONNode(doc, k))
            k = Int(doc.nodes[k].next)
        }
        return out
    }

    func string() throws -> String {
        guard isString else { throw error("expected a string, found \(typeName)") }
        return doc.string(at: index)
    }

    var intValue: Int? { kind == .number ? doc.int(at: index) : nil }
    var uint64Value: UInt64? { kind == .number ? doc.uint64(at: index) : nil }
    var numberText: String? { kind == .number ? doc.numberText(at: index) : nil }

    func int() throws -> Int {
        guard let i = intValue else { throw error("expected an integer, found \(describeFound())") }
        return i
    }

    func uint64() throws -> UInt64 {
        guard let i = uint64Value else { throw error("expected a non-negative integer, found \(describeFound())") }
        return i
    }

    func bool() throws -> Bool {
        switch kind {
        case .true: return true
        case .false: return false
        default: throw error("expected a boolean, found \(typeName)")
        }
    }

    /// nft prints a one-element flag list as a bare string and longer ones as arrays.
    func stringList() throws -> [String] {
        switch kind {
        case .string, .escapedString: return [doc.string(at: index)]
        case .array: return try elements().map { try $0.string() }
        default: throw error("expected a string or an array of strings, found \(typeName)")
        }
    }

    /// A number or a string, as text: used for log options and reject codes, which nft prints
    /// either way depending on version.
    func scalarText() throws -> String {
        switch kind {
        case .string, .escapedString: return doc.string(at: index)
        case .number: return doc.numberText(at: index)
        case .true: return "true"
        case .false: return "false"
        default: throw error("expected a string or a number, found \(typeName)")
        }
    }

    func describeFound() -> String {
        switch kind {
        case .number: return "the number \(doc.numberText(at: index))"
        case .string, .escapedString: return "the string \"\(doc.string(at: index))\""
        case .true: return "true"
        case .false: return "false"
        default: return typeName
        }
    }

    /// The compact JSON of this value, which is what a not-modelled node keeps as its text.
    var compactText: String { JSONSerializer.string(value, style: .compact) }
}
