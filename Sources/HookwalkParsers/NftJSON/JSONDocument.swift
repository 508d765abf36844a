/// A parsed JSON document held flat: every value is one `Node` in one array, in document order,
/// and strings and numbers stay in the input bytes until a reader asks for them.
///
/// Why: a 3.4 MB `nft -j list ruleset` holds about half a million values. As a `JSONValue` tree
/// that is as many arrays and strings to allocate, reference-count and free again, which cost more
/// than reading the bytes; the `nft -j` front end walks this form instead (through `JSONNode`),
/// and `JSONReader.parse` builds the tree from it for the readers that want one.
///
/// Layout: a container's children follow it directly, each child's subtree ending where its
/// `next` says; an object's children alternate key (a string node) and value. Each node knows
/// its parent, so the JSON path of a value is worked out only when an error names it.
public final class JSONDocument: Sendable {
    enum Kind: UInt8, Sendable {
        case object, array, string, escapedString, number, `true`, `false`, null
    }

    struct Node: Sendable {
        var kind: Kind
        /// A string or number: its first byte (for `escapedString`: its index in `decoded`);
        /// a container: the offset of its bracket.
        var start: Int32
        /// A string or number: one past its last byte; a container: its number of members or
        /// elements.
        var end: Int32
        /// The index of the first node after this one's subtree.
        var next: Int32
        /// The container holding this node; -1 for the root.
        var parent: Int32
    }

    public let bytes: [UInt8]
    let nodes: [Node]
    /// Strings that had escapes, decoded once while reading.
    let decoded: [String]
    public let file: String?

    init(bytes: [UInt8], nodes: [Node], decoded: [String], file: String?) {
        self.bytes = bytes
        self.nodes = nodes
        self.decoded = decoded
        self.file = file
    }

    // MARK: scalars

    /// The text of string node `i`.
    func string(at i: Int) -> String {
        let n = nodes[i]
        if n.kind == .escapedString { return decoded[Int(n.start)] }
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[Int(n.start)..<Int(n.end)]), as: UTF8.self)
        }
    }

    /// Whether string node `i` starts with the byte `c` (`@set` references).
    func string(at i: Int, startsWith c: UInt8) -> Bool {
        let n = nodes[i]
        if n.kind == .escapedString { return decoded[Int(n.start)].utf8.first == c }
        return n.end > n.start && bytes[Int(n.start)] == c
    }

    /// The literal text of number node `i`.
    func numberText(at i: Int) -> String {
        let n = nodes[i]
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[Int(n.start)..<Int(n.end)]), as: UTF8.self)
        }
    }

    /// Number node `i` as `UInt64(text)` reads it; plain digits are read from the bytes, anything
    /// else (a sign, a fraction, an exponent, overflow) goes through `UInt64(String)`.
    func uint64(at i: Int) -> UInt64? {
        let n = nodes[i]
        let start = Int(n.start), end = Int(n.end)
        let fast: UInt64? = bytes.withUnsafeBufferPointer { b in
            var v: UInt64 = 0
            var k = start
            while k < end {
                let d = b[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 { return nil }
                v = a
                k += 1
            }
            return v
        }
        return fast ?? UInt64(numberText(at: i))
    }

    /// Number node `i` as `Int(text)` reads it.
    func int(at i: Int) -> Int? {
        if let u = uint64(at: i) { return u <= UInt64(Int.max) ? Int(u) : nil }
        return Int(numberText(at: i))
    }

    // MARK: containers

    /// The index of the value stored under `key` in object node `i` (the first one), or nil.
    /// Keys are the reader's own literals, compared byte by byte with the input: this lookup runs
    /// for every member a reader asks for, so it builds no `String`.
    func member(of i: Int, _ key: StaticString) -> Int? {
        key.withUTF8Buffer { key in
            nodes.withUnsafeBufferPointer { nodes in
                let n = nodes[i]
                guard n.kind == .object else { return nil }
                return bytes.withUnsafeBufferPointer { b in
                    var k = i + 1
                    var left = n.end
                    while left > 0 {
                        let name = nodes[k]
                        if name.kind == .string {
                            let start = Int(name.start)
                            if Int(name.end) - start == key.count {
                                var j = 0
                                while j < key.count, b[start + j] == key[j] { j += 1 }
                                if j == key.count { return k + 1 }
                            }
                        } else if decoded[Int(name.start)].utf8.elementsEqual(key) {
                            return k + 1
                        }
                        k = Int(nodes[k + 1].next)
                        left -= 1
                    }
                    return nil
                }
            }
        }
    }

    /// The index of the first child of container `i` (for an object, its first key).
    func firstChild(of i: Int) -> Int { i + 1 }

    // MARK: the tree

    /// The subtree at node `i` as a `JSONValue` (for the readers that want a tree, and for the
    /// compact text a not-modelled construct keeps).
    func value(at i: Int) -> JSONValue {
        let n = nodes[i]
        switch n.kind {
        case .object:
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(Int(n.end))
            var k = i + 1
            for _ in 0..<Int(n.end) {
                members.append((key: string(at: k), value: value(at: k + 1)))
                k = Int(nodes[k + 1].next)
            }
            return .object(members)
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(Int(n.end))
            var k = i + 1
            for _ in 0..<Int(n.end) {
                elements.append(value(at: k))
                k = Int(nodes[k].next)
            }
            return .array(elements)
        case .string, .escapedString: return .string(string(at: i))
        case .number: return .number(JSONNumber(text: numberText(at: i)))
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .null: return .null
        }
    }

    // MARK: paths

    /// Where node `i` sits, as `$.nftables[12].chain.hook`: built only for an error message.
    func path(of i: Int) -> String {
        var parts: [String] = []
        var child = i
        var parent = Int(nodes[i].parent)
        while parent >= 0 {
            if nodes[parent].kind == .object {
                // The key is the node just before its value.
                let k = string(at: child - 1)
                parts.append(Self.isIdentifier(k) ? "." + k : "[\"" + k + "\"]")
            } else {
                var position = 0
                var c = parent + 1
                while c != child {
                    c = Int(nodes[c].next)
                    position += 1
                }
                parts.append("[\(position)]")
            }
            child = parent
            parent = Int(nodes[parent].parent)
        }
        return "$" + parts.reversed().joined()
    }

    static func isIdentifier(_ k: String) -> Bool {
        !k.isEmpty && k.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
        }
    }
}
