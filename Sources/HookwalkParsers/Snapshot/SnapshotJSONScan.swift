/// Finds where a JSON text first goes wrong, so a truncated or hand-edited snapshot file gets an
/// error with a line:column. Run only after Foundation has refused the file: it checks the RFC 8259
/// grammar and nothing else, and builds no values.
struct SnapshotJSONScan {
    struct Problem: Equatable {
        var offset: Int
        var message: String
    }

    /// Deeper nesting than any `ip`/`docker` output, and shallow enough for the recursion.
    static let maxDepth = 512

    private let bytes: [UInt8]
    private var i = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The first problem, or nil when the text is well-formed JSON.
    static func firstError(in bytes: [UInt8]) -> Problem? {
        var scan = SnapshotJSONScan(bytes)
        do throws(Problem) {
            scan.skipSpace()
            try scan.value(depth: 0)
            scan.skipSpace()
            if scan.i < bytes.count { return Problem(offset: scan.i, message: "unexpected text after the JSON value") }
            return nil
        } catch {
            return error
        }
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private func problem(_ message: String) -> Problem {
        if i >= bytes.count { return Problem(offset: i, message: "unexpected end of file (truncated?): \(message)") }
        return Problem(offset: i, message: message)
    }

    private mutating func value(depth: Int) throws(Problem) {
        guard i < bytes.count else { throw problem("expected a value") }
        guard depth < SnapshotJSONScan.maxDepth else { throw problem("nested too deeply") }
        switch bytes[i] {
        case UInt8(ascii: "{"): try object(depth: depth)
        case UInt8(ascii: "["): try array(depth: depth)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw problem("expected a value")
        }
    }

    private mutating func object(depth: Int) throws(Problem) {
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
        while true {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw problem("expected a member name in double quotes") }
            try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw problem("expected ':'") }
            i += 1
            skipSpace()
            try value(depth: depth + 1)
            skipSpace()
            guard i < bytes.count else { throw problem("expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            guard bytes[i] == UInt8(ascii: ",") else { throw problem("expected ',' or '}'") }
            i += 1
            skipSpace()
        }
    }

    private mutating func array(depth: Int) throws(Problem) {
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
        while true {
            try value(depth: depth + 1)
            skipSpace()
            guard i < bytes.count else { throw problem("expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return }
            guard bytes[i] == UInt8(ascii: ",") else { throw problem("expected ',' or ']'") }
            i += 1
            skipSpace()
        }
    }

    private mutating func string() throws(Problem) {
        i += 1
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return
            case UInt8(ascii: "\\"):
                i += 1
                guard i < bytes.count else { throw problem("unterminated string") }
                switch bytes[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 1
                case UInt8(ascii: "u"):
                    i += 1
                    for _ in 0..<4 {
                        guard i < bytes.count else { throw problem("unterminated string") }
                        guard isHexDigit(bytes[i]) else { throw problem("expected four hex digits after \\u") }
                        i += 1
                    }
                default:
                    throw problem("invalid escape in string")
                }
            case 0..<0x20:
                throw problem("control character in string (unterminated string?)")
            default:
                i += 1
            }
        }
        throw problem("unterminated string")
    }

    private func isHexDigit(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }

    /// A misspelt literal is reported where it starts, where the reader's eye goes.
    private mutating func literal(_ word: String) throws(Problem) {
        let start = i
        for expected in word.utf8 {
            guard i < bytes.count, bytes[i] == expected else {
                i = start
                throw problem("expected \(word)")
            }
            i += 1
        }
    }

    private mutating func number() throws(Problem) {
        func digits(_ scan: inout SnapshotJSONScan) -> Int {
            var n = 0
            while scan.i < scan.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(scan.bytes[scan.i]) {
                scan.i += 1
                n += 1
            }
            return n
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits(&self) == 0 {
            throw problem("invalid number")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            if digits(&self) == 0 { throw problem("invalid number: expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { throw problem("invalid number: expected digits in the exponent") }
        }
    }
}

extension SnapshotJSONScan.Problem: Error {}
