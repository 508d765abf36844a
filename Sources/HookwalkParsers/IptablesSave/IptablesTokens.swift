import HookwalkModel

/// One word of an iptables command line, with the column it starts at (1-based, in characters)
/// so that errors can point at it.
struct IptToken: Sendable, Equatable {
    var text: String
    var column: Int
    /// Whether the word was quoted: `"-x"` is a value, never an option.
    var quoted: Bool = false

    var isOption: Bool { !quoted && text.hasPrefix("-") && text.count > 1 }
}

enum IptTokenizer {
    /// Splits a line the way iptables-restore does: on blanks, with double quotes grouping words
    /// and a backslash escaping the next character inside quotes (iptables-save writes comments and
    /// log prefixes that way).
    static func split(_ line: String, line lineNo: Int, file: String) throws -> [IptToken] {
        var out: [IptToken] = []
        var current = ""
        var start = 0
        var inWord = false
        var quoted = false
        var inQuotes = false
        var escaped = false
        var quoteColumn = 0
        for (i, c) in line.enumerated() {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            if inQuotes {
                if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false } else { current.append(c) }
                continue
            }
            if c == " " || c == "\t" {
                if inWord { out.append(IptToken(text: current, column: start + 1, quoted: quoted)) }
                inWord = false
                quoted = false
                current = ""
                continue
            }
            if !inWord {
                inWord = true
                start = i
            }
            if c == "\"" {
                inQuotes = true
                quoted = true
                quoteColumn = i + 1
            } else {
                current.append(c)
            }
        }
        if inQuotes {
            throw HookwalkError(file: file, .line(lineNo, column: quoteColumn), "unterminated quoted string: expected a closing '\"'")
        }
        if inWord { out.append(IptToken(text: current, column: start + 1, quoted: quoted)) }
        return out
    }
}
