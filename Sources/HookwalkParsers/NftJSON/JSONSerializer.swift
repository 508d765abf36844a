/// Turns a `JSONValue` back into text.
///
/// Two spacings: `.compact` (no spaces) is what a not-modelled node keeps as its text, short enough
/// for a one-line message; `.nft` puts a space after `:` and `,` on one line, as `nft -j` prints,
/// so hookwalk's output diffs cleanly against the kernel's.
public enum JSONSerializer {
    public enum Style: Sendable {
        case compact
        case nft
    }

    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(value, style: style, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func write(_ value: JSONValue, style: Style, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { separator(style, into: &out) }
                write(e, style: style, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, m) in members.enumerated() {
                if i > 0 { separator(style, into: &out) }
                writeString(m.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if style == .nft { out.append(UInt8(ascii: " ")) }
                write(m.value, style: style, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func separator(_ style: Style, into out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        if style == .nft { out.append(UInt8(ascii: " ")) }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
