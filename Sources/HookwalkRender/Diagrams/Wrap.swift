/// Splits long text (rule text, notes) into label lines, so diagram nodes stay narrow enough that
/// Graphviz does not spread a hook's cluster across the page.
public enum Wrap {
    public static func lines(_ text: String, width: Int = 46) -> [String] {
        var out: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var w = String(word)
            while w.count > width {
                if !line.isEmpty { out.append(line); line = "" }
                out.append(String(w.prefix(width)))
                w = String(w.dropFirst(width))
            }
            if line.isEmpty { line = w } else if line.count + 1 + w.count <= width { line += " " + w } else {
                out.append(line)
                line = w
            }
        }
        if !line.isEmpty { out.append(line) }
        return out.isEmpty ? [""] : out
    }
}
