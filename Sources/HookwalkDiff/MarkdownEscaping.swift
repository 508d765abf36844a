/// Escaping for text that comes from a host (container, network and host names, rule comments):
/// a name like `web|1` or `<script>` must not break a table or inject HTML into the wiki the
/// report is pasted into.
enum MarkdownEscaping {
    /// Plain text: Markdown's punctuation backslash-escaped, `<`/`>` as entities (a backslash
    /// does not stop every renderer from reading a tag), newlines shown as `\n`.
    static func text(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~": out += "\\" + String(ch)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r\n", "\r": out += "\\\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Code (rule text) as `<code>` with every character Markdown or a table could act on written
    /// as an entity: a code span cannot hold a backtick safely, and a `|` splits a table cell even
    /// inside one.
    static func code(_ s: String) -> String {
        var out = "<code>"
        for ch in s {
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
            case "\n", "\r\n", "\r": out += "&#10;"
            default: out.append(ch)
            }
        }
        return out + "</code>"
    }
}
