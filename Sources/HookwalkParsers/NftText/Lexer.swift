import HookwalkModel

/// Splits nft text into tokens, tracking line:column for error messages. Works on UTF-8 bytes:
/// nft's syntax is ASCII, and anything else can only appear inside strings and comments.
struct Lexer {
    let bytes: [UInt8]
    let file: String

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Bytes that continue a word. `/`, `-`, `:` and `.` are part of words so that prefixes,
    /// ranges, IPv6 addresses and `addr:port` stay one token; a lone `.` or `:` is re-classified.
    static let wordByte: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] = true }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = true }
        for c in "_.:/-[]*~%".utf8 { t[Int(c)] = true }
        return t
    }()

    func tokenize() throws -> [Token] {
        // Tokens hold 32-bit offsets.
        guard bytes.count < Int(Int32.max) else { throw HookwalkError(file: file, "larger than 2 GiB: not an nft listing") }
        var out: [Token] = []
        out.reserveCapacity(bytes.count / 4)
        var i = 0
        var line: Int32 = 1
        var lineStart = 0
        let n = bytes.count
        let wordByte = Lexer.wordByte
        func col(_ p: Int) -> Int32 { Int32(p - lineStart + 1) }
        while i < n {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            case UInt8(ascii: "\n"):
                out.append(Token(kind: .newline, start: Int32(i), end: Int32(i + 1), line: line, column: col(i)))
                i += 1
                line += 1
                lineStart = i
            case UInt8(ascii: "\\") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "\n"):
                // A continued line: no newline token.
                i += 2
                line += 1
                lineStart = i
            case UInt8(ascii: "#"):
                let s = i
                while i < n && bytes[i] != UInt8(ascii: "\n") { i += 1 }
                if let h = try handleNumber(s, i, line: line, column: col(s)) {
                    out.append(Token(kind: .handleComment, start: Int32(s), end: Int32(i), line: line, column: col(s), number: h))
                }
            case UInt8(ascii: "\""):
                let s = i
                i += 1
                // As nft's scanner: a quoted string has no escapes (`"a\"` is the string `a\`).
                while i < n && bytes[i] != UInt8(ascii: "\"") && bytes[i] != UInt8(ascii: "\n") {
                    i += 1
                }
                guard i < n && bytes[i] == UInt8(ascii: "\"") else {
                    throw HookwalkError(file: file, .line(Int(line), column: Int(col(s))), "unterminated string: expected a closing '\"' on the same line")
                }
                out.append(Token(kind: .string, start: Int32(s + 1), end: Int32(i), line: line, column: col(s)))
                i += 1
            case UInt8(ascii: "$"):
                let s = i
                i += 1
                while i < n && wordByte[Int(bytes[i])] { i += 1 }
                out.append(Token(kind: .variable, start: Int32(s + 1), end: Int32(i), line: line, column: col(s)))
            default:
                let s = i
                if wordByte[Int(c)] {
                    while i < n && wordByte[Int(bytes[i])] { i += 1 }
                    var kind = Token.Kind.word
                    if i - s == 1 {
                        if c == UInt8(ascii: ".") { kind = .dot } else if c == UInt8(ascii: ":") { kind = .colon }
                    }
                    out.append(Token(kind: kind, start: Int32(s), end: Int32(i), line: line, column: col(s)))
                    continue
                }
                var kind: Token.Kind
                var len = 1
                let next: UInt8 = i + 1 < n ? bytes[i + 1] : 0
                switch c {
                case UInt8(ascii: "{"): kind = .lbrace
                case UInt8(ascii: "}"): kind = .rbrace
                case UInt8(ascii: "("): kind = .lparen
                case UInt8(ascii: ")"): kind = .rparen
                case UInt8(ascii: ";"): kind = .semicolon
                case UInt8(ascii: ","): kind = .comma
                case UInt8(ascii: "@"): kind = .at
                case UInt8(ascii: "+"): kind = .plus
                case UInt8(ascii: "="):
                    if next == UInt8(ascii: "=") { kind = .op; len = 2 } else { kind = .assign }
                case UInt8(ascii: "!"):
                    kind = .op
                    if next == UInt8(ascii: "=") { len = 2 }
                case UInt8(ascii: "<"), UInt8(ascii: ">"):
                    kind = .op
                    if next == UInt8(ascii: "=") || next == c { len = 2 }
                case UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "^"):
                    kind = .op
                default:
                    let scalar = String(decoding: bytes[s..<min(n, s + 4)], as: UTF8.self).first.map(String.init) ?? "?"
                    throw HookwalkError(file: file, .line(Int(line), column: Int(col(s))), "unexpected character '\(scalar)': expected a word, string, brace or operator")
                }
                out.append(Token(kind: kind, start: Int32(s), end: Int32(s + len), line: line, column: col(s)))
                i += len
            }
        }
        out.append(Token(kind: .eof, start: Int32(n), end: Int32(n), line: line, column: col(n)))
        return out
    }

    /// `# handle 12` (as `nft -a` prints it) -> 12; any other comment -> nil.
    private func handleNumber(_ s: Int, _ e: Int, line: Int32, column: Int32) throws -> Int32? {
        var i = s + 1
        while i < e && (bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t")) { i += 1 }
        let word = Array("handle".utf8)
        guard e - i > word.count, Array(bytes[i..<(i + word.count)]) == word else { return nil }
        i += word.count
        guard i < e, bytes[i] == UInt8(ascii: " ") else { return nil }
        while i < e && bytes[i] == UInt8(ascii: " ") { i += 1 }
        var v: Int32 = 0
        var digits = 0
        while i < e, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (times10, o1) = v.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int32(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 {
                throw HookwalkError(file: file, .line(Int(line), column: Int(column)),
                                    "handle out of range: hookwalk reads rule handles up to 2147483647")
            }
            v = next
            i += 1
            digits += 1
        }
        while i < e && (bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t")) { i += 1 }
        return digits > 0 && i == e ? v : nil
    }
}
