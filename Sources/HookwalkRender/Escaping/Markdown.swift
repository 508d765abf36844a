import HookwalkModel

/// Escaping for text that comes from the host (container, interface, chain and table names, rule
/// text): a snapshot is untrusted input, and a name must never become a link, a table cell break,
/// raw HTML or a code fence in the generated pages.
public enum Markdown {
    /// Plain text, inert in paragraphs, headings and table cells.
    public static func escape(_ text: String) -> String {
        // Most names and sentences hold nothing to escape: they are returned as they are.
        if text.utf8.allSatisfy({ isPlain($0) && !isEscaped($0) }) { return text }
        var out = ""
        out.reserveCapacity(text.count)
        for ch in neutraliseNewlines(text) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~":
                out.append("\\")
                out.append(ch)
            default: out.append(ch)
            }
        }
        return out
    }

    /// `escape` for a sentence hookwalk wrote around untrusted values (a simulator note, a
    /// conntrack tuple): the `->` arrows hookwalk writes read as `->`, not `-&gt;`. A lone `>` is
    /// inert in Markdown except at the start of a line (a block quote), and such a sentence never
    /// starts a line with `>`; `<` stays escaped, so no tag or autolink can form.
    public static func prose(_ text: String) -> String {
        // Only a `>` of the text becomes `&gt;`; most sentences have none to look for.
        let escaped = escape(text)
        let out = text.utf8.contains(UInt8(ascii: ">")) ? escaped.replacingOccurrences(of: "-&gt;", with: "->") : escaped
        return out.hasPrefix(">") ? "\\" + out : out
    }

    /// An inline code span whose delimiter is longer than any backtick run inside, padded with
    /// spaces so that a leading or trailing backtick stays content. Not for table cells: GitHub
    /// splits cells on `|` even inside code spans (use `escape` there).
    public static func codeSpan(_ text: String) -> String {
        let body = neutraliseNewlines(text)
        let fence = String(repeating: "`", count: longestRun(of: "`", in: body) + 1)
        let pad = body.hasPrefix("`") || body.hasSuffix("`") || body.hasPrefix(" ") ? " " : ""
        return fence + pad + body + pad + fence
    }

    /// Code for a table cell (rule text in a diff table): `<code>` with every character Markdown or
    /// a table could act on written as an entity, since a code span cannot hold a backtick safely
    /// and a `|` splits a cell even inside one.
    public static func tableCode(_ text: String) -> String {
        var out = "<code>"
        for ch in neutraliseNewlines(text) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "&#124;"
            case "`": out += "&#96;"
            case "*": out += "&#42;"
            case "_": out += "&#95;"
            case "\\": out += "&#92;"
            case "[": out += "&#91;"
            case "]": out += "&#93;"
            case "~": out += "&#126;"
            default: out.append(ch)
            }
        }
        return out + "</code>"
    }

    /// A fenced code block whose fence is longer than any backtick run inside (and at least three).
    public static func codeBlock(_ lines: [String], info: String = "") -> String {
        let body = lines.map(neutraliseNewlines).joined(separator: "\n")
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: body) + 1))
        return fence + info + "\n" + body + "\n" + fence
    }

    /// A link target inside the generated tree: ids are file-name safe already, but a stray
    /// space or parenthesis would end the link, so percent-encode them.
    public static func linkTarget(_ path: String) -> String {
        var out = ""
        for u in path.unicodeScalars {
            switch u {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", "~": out.unicodeScalars.append(u)
            default:
                for b in String(u).utf8 { out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2) }
            }
        }
        return out
    }

    /// Newlines and other control characters would start a new Markdown block; they become a
    /// visible symbol. Bidi overrides and isolates would make a name read as something else
    /// (`a\u{202E}gnp.exe`): they are shown by their code point.
    static func neutraliseNewlines(_ text: String) -> String {
        // Most text holds no such character (excerpts hold `↓` and `…`, so not only ASCII):
        // looking costs far less than copying it scalar by scalar.
        if text.utf8.allSatisfy(isPlain) || !text.unicodeScalars.contains(where: { TerminalText.isUnsafe($0.value) }) {
            return text
        }
        var out = ""
        for u in text.unicodeScalars {
            if u == "\n" || u == "\r" { out += "␤" } else if u.value < 0x20 || u.value == 0x7f || (0x80...0x9f).contains(u.value) { out += "�" } else if TerminalText.isBidiControl(u.value) {
                out += "⟨U+" + String(u.value, radix: 16, uppercase: true).leftPadded(to: 4) + "⟩"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A byte of printable ASCII (space to `~`).
    static func isPlain(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x7f }

    /// Whether `escape` acts on an ASCII byte.
    static func isEscaped(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"),
             UInt8(ascii: "_"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func longestRun(of ch: Character, in text: String) -> Int {
        // A character that is one ASCII byte cannot occur where that byte does not.
        if let a = ch.asciiValue, !text.utf8.contains(a) { return 0 }
        var best = 0, run = 0
        for c in text {
            if c == ch { run += 1; best = max(best, run) } else { run = 0 }
        }
        return best
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }

    func rightPadded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
