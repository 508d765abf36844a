/// Text from a host (names, comments, rule text) on its way to a terminal: control characters
/// would move the cursor, recolour or retitle the terminal (ANSI escape sequences), and bidi
/// overrides would make the text read differently from what it is. They are written as visible
/// escapes instead (`\x1B`, `\u{202E}`), so what the user sees is what the host holds.
public enum TerminalText {
    /// Bidirectional formatting characters (embeddings, overrides, isolates, marks).
    public static func isBidiControl(_ v: UInt32) -> Bool {
        (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
    }

    /// A character a terminal would act on rather than show: C0 controls, DEL, C1 controls, bidi.
    public static func isUnsafe(_ v: UInt32) -> Bool {
        v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || isBidiControl(v)
    }

    /// `text` with every unsafe character escaped; with `keepLines`, newlines and tabs stay (the
    /// layout of a multi-line output), else they are escaped too (one-line errors).
    public static func escaped(_ text: String, keepLines: Bool = true) -> String {
        // ASCII text (a whole ruleset listing, usually) is checked byte by byte: a byte below 0x80
        // is its own scalar, and the scalar walk below costs several times more per character.
        let safeASCII = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { b in b < 0x80 && b != 0x7F && (b >= 0x20 || (keepLines && (b == 0x0A || b == 0x09))) }
        }
        if safeASCII == true { return text }
        guard text.unicodeScalars.contains(where: { isUnsafe($0.value) && !(keepLines && ($0 == "\n" || $0 == "\t")) }) else {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for u in text.unicodeScalars {
            let v = u.value
            if !isUnsafe(v) || (keepLines && (u == "\n" || u == "\t")) {
                out.unicodeScalars.append(u)
            } else if u == "\n" {
                out += "\\n"
            } else if u == "\t" {
                out += "\\t"
            } else if v < 0x100 {
                let hex = String(v, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }
}
