import Foundation
import HookwalkModel

/// A value read from one of the snapshot's small JSON files, with the JSON path that reached it.
///
/// The snapshot files come from other programs (`ip`, `docker`) whose output changes between versions,
/// so every access is checked, and a surprise becomes a one-line `HookwalkError` naming the file and
/// the path (`$[2].NetworkSettings.Ports`) instead of a crash or a silently wrong model.
struct SnapshotJSON {
    let value: Any
    let path: String
    let file: String

    /// Parses a whole file. Foundation does the parsing; when it refuses, `SnapshotJSONScan` finds the
    /// line:column, because Foundation's messages do not reliably carry a position.
    static func parse(_ bytes: [UInt8], file: String) throws -> SnapshotJSON {
        do {
            let value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            return SnapshotJSON(value: value, path: "$", file: file)
        } catch {
            if let problem = SnapshotJSONScan.firstError(in: bytes) {
                let (line, column) = SnapshotTextPosition.lineColumn(of: problem.offset, in: bytes)
                throw HookwalkError(file: file, .line(line, column: column), problem.message)
            }
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw HookwalkError(file: file, .none, "not valid JSON: \(reason)")
        }
    }

    func fail(_ message: String) -> HookwalkError {
        HookwalkError(file: file, .jsonPath(path), message)
    }

    var isNull: Bool { value is NSNull }

    func object() throws -> SnapshotJSONObject {
        guard let d = value as? [String: Any] else { throw fail("expected an object, found \(kind)") }
        return SnapshotJSONObject(entries: d, path: path, file: file)
    }

    func array() throws -> [SnapshotJSON] {
        guard let a = value as? [Any] else { throw fail("expected an array, found \(kind)") }
        return a.enumerated().map { SnapshotJSON(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string() throws -> String {
        guard let s = value as? String else { throw fail("expected a string, found \(kind)") }
        return s
    }

    func int() throws -> Int {
        guard let n = value as? NSNumber, !SnapshotJSON.isBoolean(n), let i = value as? Int else {
            if let n = value as? NSNumber, !SnapshotJSON.isBoolean(n) {
                throw fail("expected an integer that fits in 64 bits, found the number \(n.stringValue)")
            }
            throw fail("expected an integer, found \(kind)")
        }
        return i
    }

    func bool() throws -> Bool {
        guard let n = value as? NSNumber, SnapshotJSON.isBoolean(n) else { throw fail("expected true or false, found \(kind)") }
        return n.boolValue
    }

    /// `[String: String]` maps such as Docker's `Options` and `Labels`; null counts as empty.
    func stringMap() throws -> [String: String] {
        if isNull { return [:] }
        let o = try object()
        var out: [String: String] = [:]
        for key in o.keys { out[key] = try o.required(key).string() }
        return out
    }

    /// Foundation hands `true` and `1` back as the same NSNumber class except for booleans, which
    /// use a distinct subclass; that class is the only way to tell them apart after parsing.
    static func isBoolean(_ n: NSNumber) -> Bool {
        ObjectIdentifier(type(of: n)) == ObjectIdentifier(type(of: NSNumber(value: true)))
    }

    var kind: String {
        switch value {
        case is NSNull: return "null"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case let n as NSNumber: return SnapshotJSON.isBoolean(n) ? "a boolean" : "a number"
        default: return "an unexpected value"
        }
    }
}

/// A JSON object whose members are looked up by name, absent and null alike meaning "not given".
struct SnapshotJSONObject {
    let entries: [String: Any]
    let path: String
    let file: String

    /// Member names sorted, because Foundation forgets the file's order and the model must not
    /// depend on hash order.
    var keys: [String] { entries.keys.sorted() }

    func fail(_ message: String) -> HookwalkError {
        HookwalkError(file: file, .jsonPath(path), message)
    }

    /// The member, or nil when it is absent or null.
    func optional(_ key: String) -> SnapshotJSON? {
        guard let v = entries[key], !(v is NSNull) else { return nil }
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
            case _ where c.value < 0x20: escaped += String(format: "\\u%04x", c.value)
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
