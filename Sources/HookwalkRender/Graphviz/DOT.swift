/// A small DOT writer. Every label is an HTML-like label built from escaped text, so names from the
/// host (which may hold quotes, backslashes, `<`, newlines) can neither end a string nor inject
/// attributes or escape sequences such as `\N`. Node ids are chosen by the caller from counters,
/// never from names or pointers, so output is stable.
public struct DOT {
    private var lines: [String] = []
    /// Edges are written after all clusters, at the top level: an edge declared inside a cluster
    /// belongs to it, and Graphviz 2.42 crashes on some layouts when edges leaving a cluster are
    /// declared inside it.
    private var edgeLines: [String] = []
    private var depth = 1
    private let name: String

    public init(name: String) {
        self.name = name
    }

    /// Text for an HTML-like label: `& < > " '` as entities, newlines and control characters as
    /// spaces.
    public static func escape(_ text: String) -> String {
        var out = ""
        for u in text.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if u.value < 0x20 || u.value == 0x7f { out += " " } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// A quoted DOT string: `"` and `\` escaped, newlines neutralised. For attribute values that
    /// are not labels (colours, styles) and ids.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for u in text.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if u.value < 0x20 || u.value == 0x7f { out += " " } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// An HTML-like label of escaped lines; the first `boldLines` are bold.
    public static func label(_ lines: [String], boldLines: Int = 0, align: String = "CENTER") -> String {
        label(lines, bold: Set(0..<max(0, boldLines)), align: align)
    }

    /// An HTML-like label of escaped lines; the lines at `bold` are bold.
    public static func label(_ lines: [String], bold: Set<Int>, align: String = "CENTER") -> String {
        let br = "<BR ALIGN=\"\(align)\"/>"
        let body = lines.enumerated().map { i, l in
            bold.contains(i) ? "<B>" + escape(l) + "</B>" : escape(l)
        }.joined(separator: br)
        return "<" + body + (align == "CENTER" ? "" : br) + ">"
    }

    /// `key=value` pairs in the given order. Values that start with `<` are taken as HTML labels
    /// built by `label`; others are quoted.
    static func attributes(_ attrs: [(String, String)]) -> String {
        attrs.map { k, v in "\(k)=\(v.hasPrefix("<") ? v : quoted(v))" }.joined(separator: ", ")
    }

    public mutating func graph(_ attrs: [(String, String)]) { emit("graph [\(Self.attributes(attrs))];") }
    public mutating func nodeDefaults(_ attrs: [(String, String)]) { emit("node [\(Self.attributes(attrs))];") }
    public mutating func edgeDefaults(_ attrs: [(String, String)]) { emit("edge [\(Self.attributes(attrs))];") }

    public mutating func node(_ id: String, _ attrs: [(String, String)]) {
        emit("\(Self.quoted(id)) [\(Self.attributes(attrs))];")
    }

    public mutating func edge(_ from: String, _ to: String, _ attrs: [(String, String)] = []) {
        let a = attrs.isEmpty ? "" : " [\(Self.attributes(attrs))]"
        edgeLines.append("  \(Self.quoted(from)) -> \(Self.quoted(to))\(a);")
    }

    /// Opens a cluster: Graphviz draws subgraphs whose name starts with `cluster` as boxes.
    /// Close it with `endCluster`.
    public mutating func beginCluster(_ id: String, _ attrs: [(String, String)]) {
        emit("subgraph \(Self.quoted("cluster_" + id)) {")
        depth += 1
        emit("graph [\(Self.attributes(attrs))];")
    }

    public mutating func endCluster() {
        depth -= 1
        emit("}")
    }

    /// Nodes that share a rank (drawn side by side).
    public mutating func sameRank(_ ids: [String]) {
        emit("{ rank=same; " + ids.map { Self.quoted($0) + ";" }.joined(separator: " ") + " }")
    }

    private mutating func emit(_ line: String) {
        lines.append(String(repeating: "  ", count: depth) + line)
    }

    public var text: String {
        "digraph \(Self.quoted(name)) {\n" + (lines + edgeLines).joined(separator: "\n") + "\n}\n"
    }
}
