import HookwalkModel

/// A value read from one of the snapshot's small JSON files, with the JSON path that reached it.
///
/// The snapshot files come from other programs (`ip`, `docker`) whose output changes between versions,
/// so every access is checked, and a surprise becomes a one-line `HookwalkError` naming the file and
/// the path (`$[2].NetworkSettings.Ports`) instead of a crash or a silently wrong model.
struct SnapshotJSON {
    let value: JSONValue
    let path: String
    let file: String

    /// Parses a whole file with the one JSON reader (`JSONReader`, also nft's `-j` listings): a
    /// syntax error names the file and its line:column, bytes that are not UTF-8 too.
    static func parse(_ bytes: [UInt8], file: String) throws -> SnapshotJSON {
        _ = try SnapshotFolder.text(bytes, file: file)
        return SnapshotJSON(value: try JSONReader.parse(bytes, file: file), path: "$", file: file)
    }

    func fail(_ message: String) -> HookwalkError {
        HookwalkError(file: file, .jsonPath(path), message)
    }

    var isNull: Bool { value.isNull }
    var isNumber: Bool { value.numberValue != nil }

    func object() throws -> SnapshotJSONObject {
        guard let members = value.objectValue else { throw fail("expected an object, found \(kind)") }
        var entries: [String: JSONValue] = [:]
        // A repeated key: the last one counts, as in most JSON readers (and Foundation's).
        for m in members { entries[m.key] = m.value }
        return SnapshotJSONObject(entries: entries, path: path, file: file)
    }

    func array() throws -> [SnapshotJSON] {
        guard let a = value.arrayValue else { throw fail("expected an array, found \(kind)") }
        return a.enumerated().map { SnapshotJSON(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string() throws -> String {
        guard let s = value.stringValue else { throw fail("expected a string, found \(kind)") }
        return s
    }

    func int() throws -> Int {
        guard let n = value.numberValue else { throw fail("expected an integer, found \(kind)") }
        if let i = n.int { return i }
        // `1.0` or `1e3` written for an integer: accepted when exact.
        if let d = n.double, d.rounded() == d, let i = Int(exactly: d) { return i }
        if n.double.map({ $0.rounded() == $0 }) ?? false {
            throw fail("expected an integer that fits in 64 bits, found the number \(n.text)")
        }
        throw fail("expected an integer, found the number \(n.text)")
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw fail("expected true or false, found \(kind)") }
        return b
    }

    /// `[String: String]` maps such as Docker's `Options` and `Labels`; null counts as empty.
    func stringMap() throws -> [String: String] {
        if isNull { return [:] }
        let o = try object()
        var out: [String: String] = [:]
        for key in o.keys { out[key] = try o.required(key).string() }
        return out
    }

    var kind: String { value.typeName }
}

/// A JSON object whose members are looked up by name, absent and null alike meaning "not given".
struct SnapshotJSONObject {
    let entries: [String: JSONValue]
    let path: String
    let file: String

    /// Member names sorted, so that the model never depends on the file's key order (`ip` and
    /// `docker` do not promise one).
    var keys: [String] { entries.keys.sorted() }

    func fail(_ message: String) -> HookwalkError {
        HookwalkError(file: file, .jsonPath(path), message)
    }

    /// The member, or nil when it is absent or null.
    func optional(_ key: String) -> SnapshotJSON? {
        guard let v = entries[key], !v.isNull else { return nil }
        return SnapshotJSON(value: v, path: SnapshotJSONObject.memberPath(path, key), file: file)
    }

    func required(_ key: String) throws -> SnapshotJSON {
        guard let v = entries[key] else { throw fail("missing \"\(key)\"") }
        return SnapshotJSON(value: v, path: SnapshotJSONObject.memberPath(path, key), file: file)
    }

    func string(_ key: String) throws -> String { try required(key).string() }
    func int(_ key: String) throws -> Int { try required(key).int() }
    func optionalString(_ key: String) throws -> String? { try optional(key)?.string() }
    func optionalInt(_ key: String) throws -> Int? { try optional(key)?.int() }
    func optionalBool(_ key: String) throws -> Bool? { try optional(key)?.bool() }
    func optionalObject(_ key: String) throws -> SnapshotJSONObject? { try optional(key)?.object() }
    func optionalArray(_ key: String) throws -> [SnapshotJSON] { try optional(key)?.array() ?? [] }

    /// A string that Docker writes as `""` when it has nothing to say.
    func nonEmptyString(_ key: String) throws -> String? {
        guard let s = try optionalString(key), !s.isEmpty else { return nil }
        return s
    }

    /// `$.a.b` for plain names, `$.a["8080/tcp"]` for the rest, so a path can be pasted into jq.
    static func memberPath(_ base: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_"
        } && !(key.unicodeScalars.first.map { ("0"..."9").contains($0) } ?? false)
        if plain { return base + "." + key }
        var escaped = ""
        for c in key.unicodeScalars {
            switch c {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where c.value < 0x20: escaped += "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16)
            default: escaped.unicodeScalars.append(c)
            }
        }
        return base + "[\"" + escaped + "\"]"
    }
}

extension SnapshotJSON {
    /// An address field: `"not an IP address"` errors point at the field.
    func ipAddress() throws -> IPAddress {
        let s = try string()
        guard let a = IPAddress(s) else { throw fail("not an IP address: \(s)") }
        return a
    }

    /// A prefix field such as Docker's `Subnet`. `IPPrefix.init` is not given empty text (it would trap).
    func ipPrefix() throws -> IPPrefix {
        let s = try string()
        guard !s.isEmpty, let p = IPPrefix(s) else { throw fail("not an IP prefix: \(s)") }
        return p
    }
}
