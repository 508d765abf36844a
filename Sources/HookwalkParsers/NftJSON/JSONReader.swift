import HookwalkModel

/// A strict JSON reader over UTF-8 bytes (RFC 8259).
///
/// Hand-written rather than Foundation's `JSONSerialization` because hookwalk needs key order,
/// literal number text and, when the input is broken, the line and column of the offending byte;
/// it is also several times faster on multi-megabyte `nft -j` listings.
///
/// It reads into a flat `JSONDocument` (one array of nodes, strings left in the bytes until asked
/// for); `parse` turns that into the `JSONValue` tree for readers that want one, so both share
/// one grammar and one set of errors.
public enum JSONReader {
    /// Nesting deeper than this is refused instead of overflowing the stack on hostile input.
    public static let maximumDepth = 512

    /// Parses one JSON document; `file` only names the input in errors.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws -> JSONValue {
        try document(bytes, file: file).value(at: 0)
    }

    public static func parse(_ text: String, file: String? = nil) throws -> JSONValue {
        try parse(Array(text.utf8), file: file)
    }

    /// Parses one JSON document into its flat form, which the `nft -j` front end walks without
    /// building (and later freeing) a tree of arrays and strings.
    public static func document(_ bytes: [UInt8], file: String? = nil) throws -> JSONDocument {
        // Node fields are 32-bit; a larger input is refused rather than wrapped.
        guard bytes.count < Int(Int32.max) else {
            throw HookwalkError(file: file, .none, "JSON input larger than 2 GiB")
        }
        var nodes: [JSONDocument.Node] = []
        var decoded: [String] = []
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = ByteParser(bytes: buffer, file: file)
            // nft's listing has about one node per 6 bytes; reserving avoids regrowing the array.
            parser.nodes.reserveCapacity(buffer.count / 6 + 8)
            try parser.parseDocument()
            nodes = parser.nodes
            decoded = parser.decoded
        }
        return JSONDocument(bytes: bytes, nodes: nodes, decoded: decoded, file: file)
    }
}

/// The cursor over the bytes; lives only for one `parse` call, so the unsafe buffer cannot escape.
private struct ByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let file: String?
    var pos = 0
    var depth = 0
    var nodes: [JSONDocument.Node] = []
    var decoded: [String] = []

    init(bytes: UnsafeBufferPointer<UInt8>, file: String?) {
        self.bytes = bytes
        self.file = file
    }

    mutating func parseDocument() throws {
        // A UTF-8 byte order mark is tolerated: some editors add one.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { pos = 3 }
        skipWhitespace()
        try parseValue(parent: -1)
        skipWhitespace()
        if pos < bytes.count { throw error("unexpected \(describe(pos)) after the end of the JSON document") }
    }

    /// Appends a leaf node (its subtree is itself).
    mutating func leaf(_ kind: JSONDocument.Kind, _ start: Int, _ end: Int, parent: Int32) {
        let next = Int32(truncatingIfNeeded: nodes.count + 1)
        nodes.append(JSONDocument.Node(kind: kind, start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end),
                                       next: next, parent: parent))
    }

    // MARK: values

    mutating func parseValue(parent: Int32) throws {
        guard pos < bytes.count else { throw error("unexpected end of file (truncated?), expected a value") }
        let start = pos
        switch bytes[pos] {
        case UInt8(ascii: "{"): try parseObject(parent: parent)
        case UInt8(ascii: "["): try parseArray(parent: parent)
        case UInt8(ascii: "\""): try parseString(parent: parent)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
            leaf(.number, start, pos, parent: parent)
        case UInt8(ascii: "t"): try expectWord("true"); leaf(.true, start, pos, parent: parent)
        case UInt8(ascii: "f"): try expectWord("false"); leaf(.false, start, pos, parent: parent)
        case UInt8(ascii: "n"): try expectWord("null"); leaf(.null, start, pos, parent: parent)
        default: throw error("unexpected \(describe(pos)), expected a value")
        }
    }

    /// Appends a container's node, to be finished by `close` once its children are read.
    mutating func open(_ kind: JSONDocument.Kind, parent: Int32) -> Int {
        let me = nodes.count
        nodes.append(JSONDocument.Node(kind: kind, start: Int32(truncatingIfNeeded: pos), end: 0, next: 0, parent: parent))
        return me
    }

    mutating func close(_ me: Int, count: Int) {
        nodes[me].end = Int32(truncatingIfNeeded: count)
        nodes[me].next = Int32(truncatingIfNeeded: nodes.count)
    }

    mutating func parseObject(parent: Int32) throws {
        try enter()
        let me = open(.object, parent: parent)
        let meIndex = Int32(truncatingIfNeeded: me)
        var count = 0
        pos += 1  // {
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            close(me, count: 0)
            return
        }
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of file (truncated?) inside an object") }
            guard bytes[pos] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describe(pos)), expected a string key")
            }
            try parseString(parent: meIndex)
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            skipWhitespace()
            try parseValue(parent: meIndex)
            count += 1
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of file (truncated?) inside an object") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
            throw error("unexpected \(describe(pos)), expected ',' or '}'")
        }
        depth -= 1
        close(me, count: count)
    }

    mutating func parseArray(parent: Int32) throws {
        try enter()
        let me = open(.array, parent: parent)
        let meIndex = Int32(truncatingIfNeeded: me)
        var count = 0
        pos += 1  // [
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            close(me, count: 0)
            return
        }
        while true {
            skipWhitespace()
            try parseValue(parent: meIndex)
            count += 1
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of file (truncated?) inside an array") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
            throw error("unexpected \(describe(pos)), expected ',' or ']'")
        }
        depth -= 1
        close(me, count: count)
    }

    mutating func enter() throws {
        depth += 1
        if depth > JSONReader.maximumDepth {
            throw error("JSON nested more than \(JSONReader.maximumDepth) levels deep")
        }
    }

    // MARK: strings

    /// Appends a string node: the content's byte range when it has no escapes (decoded only when
    /// asked for), else its decoded text in `decoded`.
    mutating func parseString(parent: Int32) throws {
        let quote = pos
        pos += 1
        let start = pos
        // Fast path: almost every string in an nft listing is short and has no escapes.
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                leaf(.string, start, pos, parent: parent)
                pos += 1
                return
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            pos += 1
        }
        guard pos < bytes.count else { throw error("unexpected end of file (truncated?) inside the string starting at \(position(of: quote))") }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                leaf(.escapedString, decoded.count, decoded.count, parent: parent)
                decoded.append(String(decoding: out, as: UTF8.self))
                return
            }
            if c < 0x20 { throw error("control character \(describe(pos)) inside a string (must be escaped)") }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                pos += 1
                continue
            }
            pos += 1
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): appendUTF8(try parseUnicodeEscape(), to: &out)
            default:
                pos -= 1
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
            }
        }
        throw error("unexpected end of file (truncated?) inside the string starting at \(position(of: quote))")
    }

    /// Reads the `XXXX` of `\uXXXX` (and a following low surrogate) and returns the scalar.
    mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
        let first = try hex4()
        if (0xD800...0xDBFF).contains(first) {
            if pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                pos += 2
                let second = try hex4()
                if (0xDC00...0xDFFF).contains(second) {
                    let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    return Unicode.Scalar(scalar) ?? "\u{FFFD}"
                }
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    mutating func hex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw error("unexpected end of file (truncated?) in a \\u escape") }
            let c = bytes[pos]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("unexpected \(describe(pos)) in a \\u escape, expected a hex digit")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: String(Character(scalar)).utf8)
    }

    // MARK: numbers and words

    /// Checks a number's grammar; its node keeps the literal's byte range.
    mutating func parseNumber() throws {
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count else { throw error("unexpected end of file (truncated?) in a number") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
        } else if isDigit(bytes[pos]) {
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        } else {
            throw error("unexpected \(describe(pos)) in a number, expected a digit")
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            try digits(in: "the fraction of a number")
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            try digits(in: "the exponent of a number")
        }
    }

    mutating func digits(in what: String) throws {
        guard pos < bytes.count else { throw error("unexpected end of file (truncated?) in \(what)") }
        guard isDigit(bytes[pos]) else { throw error("unexpected \(describe(pos)) in \(what), expected a digit") }
        while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
    }

    func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    mutating func expectWord(_ word: StaticString) throws {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for c in w {
            guard pos < bytes.count else { throw error("unexpected end of file (truncated?), expected '\(word)'") }
            guard bytes[pos] == c else { throw error("unexpected \(describe(pos)), expected '\(word)'") }
            pos += 1
        }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws {
        guard pos < bytes.count else { throw error("unexpected end of file (truncated?), expected \(what)") }
        guard bytes[pos] == c else { throw error("unexpected \(describe(pos)), expected \(what)") }
        pos += 1
    }

    mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    // MARK: errors

    /// The byte at `offset`, as a person would want to read it in an error.
    func describe(_ offset: Int) -> String {
        let c = bytes[offset]
        if c >= 0x21, c < 0x7F { return "character '\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }

    /// 1-based line and column of a byte offset; columns count characters, not bytes, so that
    /// they match what an editor shows. Computed only when an error is raised.
    func lineColumn(of offset: Int) -> (Int, Int) {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let c = bytes[i]
            if c == 0x0A {
                line += 1
                column = 1
            } else if c & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    func position(of offset: Int) -> String {
        let (l, c) = lineColumn(of: offset)
        return "\(l):\(c)"
    }

    func error(_ message: String) -> HookwalkError {
        let (l, c) = lineColumn(of: pos)
        return HookwalkError(file: file, .line(l, column: c), message)
    }
}
