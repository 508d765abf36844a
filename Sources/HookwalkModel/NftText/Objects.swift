
/// Stateful objects by their parts (see `NamedObject.parts`): the body nft lists for each kind,
/// read and printed, and what both front ends leave out (state).
public enum Objects {
    /// Members that are state, not configuration, or the object's identity.
    public static let skipped: Set<String> = ["family", "name", "table", "handle", "packets", "bytes-used", "used"]

    /// The JSON members of an object, as parts.
    public static func normalize(_ kind: String, _ parts: inout [String: Part]) {
        for k in skipped { parts[k] = nil }
        if kind == "counter" { parts["bytes"] = nil }
        if parts["inv"] == .bool(false) { parts["inv"] = nil }
        // A packet limit's default burst (5), which nft's text listing leaves out.
        if kind == "limit", parts["rate_unit"] == nil, parts["burst"] == .expr(.value(.number(5))) { parts["burst"] = nil }
    }

    public static let byteUnits: [String: UInt64] = ["bytes": 1, "kbytes": 1024, "mbytes": 1024 * 1024, "gbytes": 1024 * 1024 * 1024]

    /// The order nft lists a ct timeout policy's states in: the kernel's (TCP's, then UDP's);
    /// names it does not know after them, by name.
    static func policyOrder(_ a: String, _ b: String) -> Bool {
        let states = ["syn_sent", "syn_recv", "established", "fin_wait", "close_wait", "last_ack", "time_wait",
                      "close", "syn_sent2", "retrans", "unacknowledged", "unreplied", "replied"]
        switch (states.firstIndex(of: a), states.firstIndex(of: b)) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        case (nil, nil): return a < b
        }
    }

    /// A byte count as nft prints it (its `get_rate`): in the largest of bytes, kbytes, mbytes
    /// that divides it (`25 mbytes`, `1500 bytes`).
    static func byteText(_ n: UInt64) -> String {
        var n = n
        var unit = 0
        let names = ["bytes", "kbytes", "mbytes"]
        while n != 0, unit < names.count - 1, n % 1024 == 0 {
            n /= 1024
            unit += 1
        }
        return "\(n) \(names[unit])"
    }

    /// The body lines of `kind NAME { ... }` as nft lists them, or nil for a kind or shape this
    /// does not know.
    public static func body(kind: String, parts p: [String: Part]) -> [String]? {
        func v(_ k: String) -> String? {
            guard case .expr(let e)? = p[k] else { return nil }
            return NftTextWriter.exprText(e)
        }
        func quoted(_ k: String) -> String? {
            guard case .expr(.value(let val))? = p[k] else { return nil }
            if case .string(let s) = val { return NftTextWriter.quote(s) }
            return NftTextWriter.quote(NftTextWriter.valueText(val))
        }
        var out: [String] = []
        if let c = quoted("comment") { out.append("comment \(c)") }
        let known: Set<String>
        switch kind {
        case "counter":
            known = ["comment"]
            out.append("packets 0 bytes 0")
        case "quota":
            known = ["comment", "bytes", "inv"]
            guard case .expr(.value(.number(let b)))? = p["bytes"] else { return nil }
            out.append((p["inv"] == .bool(true) ? "over " : "") + byteText(b))
        case "limit":
            known = ["comment", "rate", "per", "rate_unit", "burst", "burst_unit", "inv"]
            guard let rate = v("rate"), let per = v("per") else { return nil }
            var line = "rate " + (p["inv"] == .bool(true) ? "over " : "") + rate
            line += v("rate_unit").map { " \($0)/\(per)" } ?? "/\(per)"
            if let burst = v("burst") { line += " burst \(burst) \(v("burst_unit") ?? "packets")" }
            out.append(line)
        case "ct helper":
            known = ["comment", "type", "protocol", "l3proto"]
            guard let t = quoted("type"), let proto = v("protocol") else { return nil }
            out.append("type \(t) protocol \(proto)")
            if let l3 = v("l3proto") { out.append("l3proto \(l3)") }
        case "ct timeout":
            known = ["comment", "protocol", "l3proto", "policy"]
            guard let proto = v("protocol") else { return nil }
            out.append("protocol \(proto)")
            if let l3 = v("l3proto") { out.append("l3proto \(l3)") }
            if case .object(let pol)? = p["policy"] {
                let items = pol.keys.sorted(by: Objects.policyOrder).compactMap { k -> String? in
                    guard case .expr(let e)? = pol[k] else { return nil }
                    return "\(k) : \(NftTextWriter.exprText(e))"
                }
                out.append("policy = { " + items.joined(separator: ", ") + " }")
            }
        case "ct expectation":
            known = ["comment", "protocol", "dport", "timeout", "size", "l3proto"]
            guard let proto = v("protocol") else { return nil }
            out.append("protocol \(proto)")
            if let d = v("dport") { out.append("dport \(d)") }
            if case .expr(.value(.number(let ms)))? = p["timeout"] {
                out.append("timeout " + (ms % 1000 == 0 ? Constructs.duration(ms / 1000) : "\(ms)ms"))
            }
            if let s = v("size") { out.append("size \(s)") }
            if let l3 = v("l3proto") { out.append("l3proto \(l3)") }
        case "flowtable":
            // nft 1.0.6's `flowtable_print_declaration` (src/rule.c): hook and priority, devices,
            // `flags offload`, `counter`, each on its line.
            known = ["hook", "prio", "dev", "flags", "counter"]
            guard case .expr(.value(.string(let hook)))? = p["hook"], let h = Hook(rawValue: hook),
                  case .expr(.value(.string(let prioText)))? = p["prio"], let prio = Int(prioText) else { return nil }
            out.append("hook \(hook) priority \(Priority.text(prio, family: .netdev, hook: h))")
            if case .flags(let devs)? = p["dev"], !devs.isEmpty {
                out.append("devices = { " + devs.map(NftTextWriter.name).joined(separator: ", ") + " }")
            }
            if case .flags(let f)? = p["flags"], !f.isEmpty { out.append("flags " + f.joined(separator: ",")) }
            if p["counter"] == .bool(true) { out.append("counter") }
        case "synproxy":
            known = ["comment", "mss", "wscale", "flags"]
            if let mss = v("mss") { out.append("mss \(mss)") }
            if let w = v("wscale") { out.append("wscale \(w)") }
            if case .flags(let f)? = p["flags"], !f.isEmpty { out.append(f.joined(separator: " ")) }
        default:
            return nil
        }
        guard Set(p.keys).isSubset(of: known) else { return nil }
        return out
    }
}

extension Constructs {
    /// `100ms`, `2m`, `1s500ms` -> milliseconds.
    public static func milliseconds(_ text: String) -> UInt64? {
        var total: UInt64 = 0
        var number: UInt64 = 0
        var digits = 0
        let u = Array(text.utf8)
        var i = 0
        guard !u.isEmpty else { return nil }
        while i < u.count {
            let c = u[i]
            if c >= 48 && c <= 57 {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(c - 48))
                guard !o1, !o2 else { return nil }
                number = a
                digits += 1
                i += 1
                continue
            }
            guard digits > 0 else { return nil }
            var size: UInt64
            switch c {
            case UInt8(ascii: "d"): size = 86_400_000
            case UInt8(ascii: "h"): size = 3_600_000
            case UInt8(ascii: "m") where i + 1 < u.count && u[i + 1] == UInt8(ascii: "s"): size = 1; i += 1
            case UInt8(ascii: "m"): size = 60_000
            case UInt8(ascii: "s"): size = 1000
            default: return nil
            }
            let (m, o) = number.multipliedReportingOverflow(by: size)
            guard !o else { return nil }
            total = total &+ m
            number = 0
            digits = 0
            i += 1
        }
        return digits == 0 ? total : nil
    }
}
