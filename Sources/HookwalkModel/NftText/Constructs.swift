
/// The constructs that both front ends read into parts (`NotModelled.parts`, named as libnftables'
/// JSON names them) and that both writers print back: stateful statements (`quota`, `ct count`,
/// named `limit`/`counter`/`synproxy`), `tproxy`, `dup`, `fwd`, `ct helper set`, `reset`, dynamic
/// set updates (`add @s { ... }`, `update @s { ... }`), `meter`, `flow add`, `queue`, and the
/// expressions `tcp option`, `sctp chunk`, `ip option`. The expression families that are not
/// evaluated (`socket`, `osf`, `jhash`...) are described in Expressions/Unevaluated.swift.
///
/// `text(kind:parts:)` prints a construct as `nft list ruleset` does; the parser builds the same
/// parts from that text (Parser+Constructs.swift) and the JSON reader from the JSON.
public enum Constructs {
    /// The JSON keys read into parts: statements and expressions.
    public static let statementKinds: Set<String> = [
        "quota", "ct count", "limit", "counter", "synproxy", "tproxy", "dup", "fwd", "ct helper", "ct timeout",
        "ct expectation", "reset", "set", "meter", "flow", "queue", "secmark", "xt",
    ]
    public static let expressionKinds: Set<String> = [
        "tcp option", "sctp chunk", "ip option", "exthdr", "socket", "rt", "ipsec", "osf", "numgen", "jhash", "symhash",
        "elem",
    ]

    /// The nft text of a construct held by its parts, or nil for a kind or shape this does not know.
    public static func text(kind: String, parts p: [String: Part]) -> String? {
        func e(_ k: String) -> String? {
            guard case .expr(let x)? = p[k] else { return nil }
            return NftTextWriter.exprText(x)
        }
        func q(_ k: String) -> String? {
            guard case .expr(.value(let v))? = p[k] else { return e(k) }
            if case .string(let s) = v { return NftTextWriter.quote(s) }
            return NftTextWriter.valueText(v)
        }
        func flag(_ k: String) -> Bool { p[k] == .bool(true) }
        // A device, or a map to devices: their names quoted (`fwd to meta mark map { 0x00000001 : "lo" }`).
        func device(_ k: String) -> String? {
            guard case .expr(.map(let key, .set(let elems)))? = p[k] else { return q(k) }
            return NftTextWriter.exprText(key) + " map "
                + NftTextWriter.styledSet(elems, key: NftTextWriter.valueStyles(key), data: [.quoted])
        }
        // An object reference by a map: nft quotes the objects' names (`{ 80 : "http" }`).
        func objectMap() -> String? {
            guard case .expr(.map(let key, .set(let elems)))? = p["map"] else { return e("map") }
            return NftTextWriter.exprText(key) + " map { " + elems.map { el in
                var out = NftTextWriter.valueText(el.key, inSet: true)
                if case .value(.string(let name))? = el.data { out += " : " + NftTextWriter.quote(name) }
                else if case .value(let v)? = el.data { out += " : " + NftTextWriter.valueText(v, inSet: true) }
                return out
            }.joined(separator: ", ") + " }"
        }
        func flags(_ k: String) -> [String] {
            if case .flags(let f)? = p[k] { return f }
            return []
        }
        // The expression families held by their members print through their descriptors.
        if let family = ExprFamilies.keyed(kind) { return family.text(parts: p) }
        let single = p.count == 1 ? p[""] : nil
        switch kind {
        case "xt":
            // nft 1.0.6 prints the name quoted: `xt match "owner"`.
            guard let t = e("type"), case .expr(.value(let v))? = p["name"] else { return nil }
            return "xt \(t) \(NftTextWriter.quote(NftTextWriter.valueText(v)))"
        case "match":
            guard let l = e("left"), let r = e("right"), p["op"] == .expr(.value(.string("!"))) else { return nil }
            return "\(l) ! \(r)"
        case "quota":
            if single != nil { return "quota name \(q("")!)" }
            if let m = objectMap() { return "quota name \(m)" }
            guard let val = e("val"), let unit = e("val_unit") else { return nil }
            var out = "quota \(flag("inv") ? "over " : "")\(val) \(unit)"
            if let used = e("used"), used != "0", let uu = e("used_unit") { out += " used \(used) \(uu)" }
            return out
        case "ct count":
            guard let val = e("val") else { return nil }
            return "ct count \(flag("inv") ? "over " : "")\(val)"
        case "limit", "counter", "synproxy":
            if single != nil { return "\(kind) name \(q("")!)" }
            if let m = objectMap() { return "\(kind) name \(m)" }
            guard kind == "synproxy" else { return nil }
            var out = "synproxy"
            if let mss = e("mss") { out += " mss \(mss)" }
            if let w = e("wscale") { out += " wscale \(w)" }
            for f in flags("flags") { out += " \(f)" }
            return out
        case "ct helper", "ct timeout", "ct expectation":
            guard let v = single.flatMap({ _ in q("") }) ?? objectMap() else { return nil }
            return "\(kind) set \(v)"
        case "secmark":
            guard let v = single.flatMap({ _ in q("") }) ?? e("map") else { return nil }
            return "meta secmark set \(v)"
        case "tproxy":
            var out = "tproxy"
            if let f = e("family") { out += " \(f)" }
            out += " to "
            if let a = e("addr") { out += a.contains(":") && !a.contains(" ") ? "[\(a)]" : a }
            if let port = e("port") { out += ":\(port)" }
            return out
        case "dup":
            guard let a = e("addr") else { return nil }
            var out = "dup to \(a)"
            if let d = device("dev") { out += " device \(d)" }
            return out
        case "fwd":
            guard let d = device("dev") else { return nil }
            if let a = e("addr") { return "fwd \(e("family") ?? "ip") to \(a) device \(d)" }
            return "fwd to \(d)"
        case "reset":
            guard case .expr(let x)? = p["tcp option"] ?? p["ip option"] else { return nil }
            return "reset \(NftTextWriter.exprText(x))"
        case "set":
            guard let op = e("op"), let set = e("set"), let elem = e("elem") else { return nil }
            var inner = elem
            // A counter in a set update prints without values, as in a set declaration.
            if case .stmts(let s)? = p["stmt"] {
                inner += s.map { st in
                    if case .counter(nil) = st { return " counter" }
                    return " " + NftTextWriter.stmtText(st)
                }.joined()
            }
            return "\(op) \(set) { \(inner) }"
        case "meter":
            guard let name = e("name"), let key = e("key"), case .stmts(let s)? = p["stmt"] else { return nil }
            var out = "meter \(name)"
            if let size = e("size") { out += " size \(size)" }
            return out + " { \(key) " + s.map(NftTextWriter.stmtText).joined(separator: " ") + " }"
        case "flow":
            guard let op = e("op"), let ft = e("flowtable") else { return nil }
            return "flow \(op) \(ft)"
        case "queue":
            var out = "queue"
            let f = flags("flags")
            if !f.isEmpty { out += " flags \(f.joined(separator: ","))" }
            if let n = e("num") { out += " to \(n)" }
            return out
        case "elem":
            guard let val = e("val") else { return nil }
            var out = val
            if let t = p["timeout"], case .expr(.value(.number(let s))) = t { out += " timeout \(duration(s))" }
            if let t = p["expires"], case .expr(.value(.number(let s))) = t { out += " expires \(duration(s))" }
            if let c = p["comment"], case .expr(.value(.string(let s))) = c { out += " comment \(NftTextWriter.quote(s))" }
            return out
        case "tcp option", "sctp chunk", "ip option":
            if let name = e("name") {
                return "\(kind) \(name)" + (e("field").map { " \($0)" } ?? "")
            }
            guard kind == "tcp option", let base = e("base") else { return nil }
            // `tcp option 255 exists` (nft's JSON: length 8) and `reset tcp option 123` (length 0).
            if let len = e("len"), len != "0", len != "8" || e("offset") != "0", let off = e("offset") {
                return "tcp option @\(base),\(off),\(len)"
            }
            return "tcp option \(base)"
        default:
            return nil
        }
    }

    /// The text of a not-modelled node: printed from its parts when it has them, else as written.
    public static func text(_ n: NotModelled) -> String {
        if let p = n.parts, let t = text(kind: n.kind, parts: p) { return t }
        return n.text
    }

    /// Seconds as nft prints a duration: `1d2h3m4s`, `30s`, `0s`.
    public static func duration(_ seconds: UInt64) -> String {
        if seconds == 0 { return "0s" }
        var s = seconds
        var out = ""
        for (unit, size) in [("d", UInt64(86400)), ("h", 3600), ("m", 60), ("s", 1)] where s >= size {
            out += "\(s / size)\(unit)"
            s %= size
        }
        return out
    }

    /// `1d2h3m4s`, `30s`, `1h`, `250ms` -> seconds, rounded down as nft's JSON prints them (nft
    /// keeps durations in milliseconds); nil when it is not a duration.
    public static func seconds(_ text: String) -> UInt64? {
        milliseconds(text).map { $0 / 1000 }
    }
}
