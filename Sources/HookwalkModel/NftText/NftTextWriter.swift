
/// Prints the model as `nft list ruleset` does: tabs, sets before chains, base chain line with
/// named priorities, counters as `counter packets 0 bytes 0` (the form `nft monitor trace` shows).
public enum NftTextWriter {
    public static func write(_ ruleset: Ruleset) -> String {
        var out = ""
        // What the listing it was read from could not tell, as comments (the text still loads).
        for g in ruleset.gaps { out += "# not in the listing: \(g)\n" }
        for table in ruleset.tables {
            guard table.legacy else { writeTable(table, into: &out); continue }
            // Not nftables: shown as hookwalk reads it, commented out so the text still loads.
            var text = ""
            writeTable(table, into: &text)
            out += "# iptables-legacy (x_tables), not nftables: read from iptables-legacy-save output\n"
            out += text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "# " + $0 + "\n" }.joined()
        }
        return out
    }

    public static func writeTable(_ t: Table, into out: inout String) {
        out += "table \(t.family.rawValue) \(name(t.name)) {\n"
        var blocks: [String] = []
        var head = ""
        if !t.flags.isEmpty { head += "\tflags \(t.flags.joined(separator: ","))\n" }
        if let c = t.comment { head += "\tcomment \(quote(c))\n" }
        // nft's order (`table_print` in its src/rule.c): objects, sets and maps, flowtables, chains.
        func objectText(_ o: NamedObject) -> String {
            let body = o.parts.flatMap { Objects.body(kind: o.kind, parts: $0) } ?? []
            return "\t\(o.kind) \(name(o.name)) {\n" + body.map { "\t\t\($0)\n" }.joined() + "\t}\n"
        }
        for o in t.objects where o.kind != "flowtable" { blocks.append(objectText(o)) }
        for s in t.sets { blocks.append(setText(s)) }
        for o in t.objects where o.kind == "flowtable" { blocks.append(objectText(o)) }
        for c in t.chains { blocks.append(chainText(c, family: t.family)) }
        out += head
        // nft's `table_print_options`: a blank line after the flags, none after a comment alone.
        if !t.flags.isEmpty && !blocks.isEmpty { out += "\n" }
        out += blocks.joined(separator: "\n")
        out += "}\n"
    }

    public static func setText(_ s: NamedSet) -> String {
        var out = "\t\(s.isMap ? "map" : "set") \(name(s.name)) {\n"
        if let k = s.keyTypeof {
            out += "\t\ttypeof \(k.map(exprText).joined(separator: " . "))"
            if let d = s.dataTypeof {
                out += " : \(d.map(exprText).joined(separator: " . "))"
            } else if let d = s.dataType {
                out += " : \(d)"
            }
        } else {
            out += "\t\ttype \(s.keyType.joined(separator: " . "))"
            if let d = s.dataType { out += " : \(d)" }
        }
        out += "\n"
        if let p = s.policy { out += "\t\tpolicy \(p)\n" }
        if let n = s.size { out += "\t\tsize \(n)\n" }
        // nft leaves the timeout flag out when it is the only flag of a set with a default
        // timeout (`timeout 1m`), and lists it with the others (`flags dynamic,timeout`).
        let flags = s.timeout != nil && s.flags.allSatisfy({ $0 == "timeout" }) ? [] : s.flags
        if !flags.isEmpty { out += "\t\tflags \(flags.joined(separator: ","))\n" }
        // A set's own statements print without state (`counter`, not its values).
        for st in s.stmts {
            if case .counter(nil) = st { out += "\t\tcounter\n" } else { out += "\t\t\(stmtText(st))\n" }
        }
        if let t = s.timeout { out += "\t\ttimeout \(Constructs.duration(t))\n" }
        if let g = s.gcInterval { out += "\t\tgc-interval \(Constructs.duration(g))\n" }
        if s.autoMerge { out += "\t\tauto-merge\n" }
        if let c = s.comment { out += "\t\tcomment \(quote(c))\n" }
        if !s.elements.isEmpty {
            out += "\t\telements = { "
            let perLine = elementsPerLine(s.keyType)
            for (i, e) in s.elements.enumerated() {
                if i > 0 { out += i % perLine == 0 ? ",\n\t\t\t     " : ", " }
                out += declaredElementText(e, s)
            }
            out += " }\n"
        }
        out += "\t}\n"
        return out
    }

    public static func chainText(_ c: Chain, family: Family) -> String {
        var out = "\tchain \(name(c.name)) {\n"
        if let b = c.base {
            out += "\t\ttype \(b.type.rawValue) hook \(b.hook.rawValue)"
            if b.devices.count == 1 {
                out += " device \(quote(b.devices[0]))"
            } else if b.devices.count > 1 {
                out += " devices = { " + b.devices.map(name).joined(separator: ", ") + " }"
            }
            out += " priority \(Priority.text(b.priority, family: family, hook: b.hook)); policy \(b.policy.rawValue);\n"
        }
        if let cm = c.comment { out += "\t\tcomment \(quote(cm))\n" }
        for r in c.rules { out += "\t\t" + ruleText(r) + "\n" }
        out += "\t}\n"
        return out
    }

    /// One rule as nft prints it in listings and in `nft monitor trace`.
    public static func ruleText(_ rule: Rule) -> String {
        var parts = rule.stmts.map(stmtText)
        if let c = rule.comment { parts.append("comment \(quote(c))") }
        return parts.joined(separator: " ")
    }

    public static func stmtText(_ s: Stmt) -> String {
        switch s {
        case .match(let left, let op, let right):
            let l = exprText(left)
            let r = rhsText(left, right)
            // nft 1.0.6 lists a masked flag test as `value / mask` only when the mask has several
            // flags and the value is not a set (`tcp flags syn / fin,syn`); with one flag or a set
            // it lists the operation (`tcp flags & syn == syn`, `tcp flags & (fin | syn) == { fin }`),
            // and `tcp flags syn / syn` does not even parse back.
            var slashed: (inner: Expr, mask: Value)?
            if case .binop("&", let inner, .value(let mask)) = left, NftTextWriter.isBitmask(inner), case .list = mask {
                if case .set = right {} else { slashed = (inner, mask) }
            }
            switch op {
            case .eq, .flags:
                if let slashed { return "\(exprText(slashed.inner)) \(r) / \(valueText(slashed.mask))" }
                if op == .eq, NftTextWriter.isBitmask(left), case .value(.string) = right { return "\(l) == \(r)" }
                // A flag combination with no name of its own: `tcp flags == 0xff`.
                if op == .eq, NftTextWriter.isBitmask(left), case .value(.number(let n)) = right {
                    return "\(l) == 0x" + String(n, radix: 16)
                }
                if op == .eq, case .binop = left { return "\(l) == \(r)" }
                return "\(l) \(r)"
            default:
                if let slashed { return "\(exprText(slashed.inner)) \(op.rawValue) \(r) / \(valueText(slashed.mask))" }
                return "\(l) \(op.rawValue) \(r)"
            }
        case .verdict(let v):
            return verdictText(v)
        case .counter(let name):
            if let name { return "counter name \(quote(name))" }
            return "counter packets 0 bytes 0"
        case .log(let opts):
            var out = "log"
            for k in ["prefix", "level", "group", "snaplen", "queue-threshold"] {
                guard let v = opts[k] else { continue }
                out += k == "prefix" ? " prefix \(quote(v))" : " \(k) \(v)"
            }
            if let f = opts["flags"], !f.isEmpty { out += logFlags(f) }
            return out
        case .limit(let rate, let per, let burst, let unit, let over):
            var out = "limit rate \(over ? "over " : "")\(rate)"
            out += unit.map { " \($0)/\(per)" } ?? "/\(per)"
            if let burst { out += " burst \(burst) \(unit ?? "packets")" }
            return out
        case .mangle(let key, let value):
            // `ip protocol set icmp` does not parse back (nft reads `icmp` as an expression): the
            // protocol's number does.
            if case .value(.string(let w)) = value, let n = protocolNumber(w) { return "\(exprText(key)) set \(n)" }
            return "\(exprText(key)) set \(rhsText(key, value))"
        case .nat(let n):
            return natText(n)
        case .reject(let type, let code):
            guard let type else { return "reject" }
            if type == "tcp reset" { return "reject with tcp reset" }
            return "reject with \(type) \(code ?? "")".trimmingTrailingSpace()
        case .notrack:
            return "notrack"
        case .vmap(let key, let data):
            // The keys in the key's style (`iif vmap { "lo" : jump wan_input }`).
            if case .set(let elems) = data { return "\(exprText(key)) vmap " + styledSet(elems, key: valueStyles(key), data: []) }
            return "\(exprText(key)) vmap \(exprText(data))"
        case .notModelled(let n):
            return Constructs.text(n)
        }
    }

    /// nft's `flags` groups: `flags tcp sequence,options flags ip options flags skuid flags ether`,
    /// or `flags all`.
    public static func logFlags(_ f: String) -> String {
        let flags = f.split(separator: ",").map(String.init)
        if flags.contains("all") { return " flags all" }
        var out = ""
        let tcp = flags.filter { $0.hasPrefix("tcp ") }.map { String($0.dropFirst(4)) }
        if !tcp.isEmpty { out += " flags tcp " + tcp.joined(separator: ",") }
        for flag in flags where !flag.hasPrefix("tcp ") { out += " flags \(flag)" }
        return out
    }

    public static func natText(_ n: NatStmt) -> String {
        var out = n.kind.rawValue
        if let f = n.family { out += " \(f)" }
        for t in n.typeFlags { out += " \(t)" }
        if n.addr != nil || n.port != nil {
            out += " to "
            if let a = n.addr {
                var at = exprText(a)
                if case .value(let v) = a, case .string(let s) = v, s.contains(":"), n.port != nil { at = "[\(s)]" }
                if case .value(.range(.string(let lo), .string(let hi))) = a, lo.contains(":"), n.port != nil { at = "[\(lo)]-[\(hi)]" }
                out += at
            }
            if let p = n.port { out += ":" + exprText(p) }
        }
        let flags = n.typeFlags.contains("prefix") ? n.flags.filter { $0 != "netmap" } : n.flags
        if !flags.isEmpty { out += " " + flags.joined(separator: ",") }
        return out
    }

    public static func exprText(_ e: Expr) -> String {
        if let t = ExprFamilies.text(e) { return t }
        switch e {
        case .value(let v): return valueText(v)
        case .payload, .rawPayload, .exthdr, .meta, .ct, .fib, .keyed:
            // A family expression its descriptor cannot print (a keyed family's odd shape).
            if case .keyed(let k) = e { return k.family }
            return ""
        case .concat(let parts):
            return parts.map(exprText).joined(separator: " . ")
        case .set(let elems):
            return "{ " + elems.map(elementText).joined(separator: ", ") + " }"
        case .setRef(let name):
            return "@\(name)"
        case .map(let key, let data):
            // The keys in the key's style (`dnat ip to ct mark map { 0x00000014 : 1.2.3.4 }`).
            if case .set(let elems) = data { return "\(exprText(key)) map " + styledSet(elems, key: valueStyles(key), data: []) }
            return "\(exprText(key)) map \(exprText(data))"
        case .binop(let op, let left, let right):
            var l = exprText(left)
            // nft 1.0.6 leaves out the parentheses of a left operand that binds tighter (shifts, then
            // `&`, `^`, `|`): `@ih,48,16 & 0xffc1 | 0x1`, `meta mark >> 4 & 0xf`, but
            // `(meta mark & 0xf0) >> 4`.
            if case .binop(let inner, _, _) = left, !(precedence(inner) > precedence(op)) { l = "(\(l))" }
            // A mask is printed in its operand's style (`meta mark & 0x000000ff`), as nft lists it.
            var r = ["&", "|", "^"].contains(op) ? rhsText(left, right) : exprText(right)
            if case .binop = right { r = "(\(r))" }
            // A flag list in an operation is nft's `(fin | syn)`.
            if case .value(let v) = right, case .list = v { r = "(" + styled(v, valueStyles(left), inSet: true) + ")" }
            return "\(l) \(op) \(r)"
        case .notModelled(let n):
            return Constructs.text(n)
        }
    }

    /// How tightly a binary operator binds in nft's grammar (shifts over `&` over `^` over `|`).
    static func precedence(_ op: String) -> Int {
        switch op {
        case "<<", ">>": return 4
        case "&": return 3
        case "^": return 2
        case "|": return 1
        default: return 0
        }
    }

    /// The number of a protocol name that nft would read as an expression if printed
    /// (`ip protocol set icmp`).
    public static func protocolNumber(_ w: String) -> UInt64? {
        Payload.protocols.contains(w) ? SymbolTable.protocols.names[w] : nil
    }

    /// The right side of a match or a `set` statement, printed in the style nft uses for the left
    /// side's type: interface names quoted, marks as `0x%08x`; each component of a concatenation
    /// in its own type's style (`meta mark . tcp dport { 0x0000000a . 80 }`), and a map's keys in
    /// its key's style, its data in the left side's (`ct mark set meta mark map { 0x00000001 :
    /// 0x0000000a }`).
    public static func rhsText(_ left: Expr, _ right: Expr) -> String {
        // `fib daddr oif exists`: the presence test's words stay bare.
        if case .fib = left, case .value(.string(let w)) = right, w == "exists" || w == "missing" { return w }
        let styles = valueStyles(left)
        switch right {
        case .value(let v) where styles.contains(where: { $0 != nil }): return styled(v, styles, inSet: false)
        case .set(let elems) where styles.contains(where: { $0 != nil }): return styledSet(elems, key: styles, data: [])
        case .map(let key, .set(let elems)):
            return "\(exprText(key)) map " + styledSet(elems, key: valueStyles(key), data: styles)
        default: return exprText(right)
        }
    }

    /// The style of each value an expression's constants have: one per component of a
    /// concatenation, nil where nft prints the plain value.
    static func valueStyles(_ e: Expr) -> [ValueStyle?] {
        if case .concat(let parts) = e { return parts.flatMap(valueStyles) }
        switch ExprFamilies.printedDatatype(of: e)?.style {
        case .quoted?: return [.quoted]
        case .mark?: return [.mark]
        case .duration?: return [.duration]
        case .hex(let digits)?: return [.hex(digits: digits)]
        default: return [nil]
        }
    }

    /// A value in the styles of its expression's components (a concatenation's parts each in its
    /// own, a single style for the whole value otherwise).
    static func styled(_ v: Value, _ styles: [ValueStyle?], inSet: Bool) -> String {
        if styles.count > 1, case .concat(let parts) = v, parts.count == styles.count {
            return zip(parts, styles).map { styled($0, [$1], inSet: inSet) }.joined(separator: " . ")
        }
        guard styles.count == 1, let style = styles[0] else { return valueText(v, inSet: inSet) }
        return styled(v, style, inSet: inSet)
    }

    /// An anonymous set or map, keys and data each in their styles (no style: plain).
    static func styledSet(_ elems: [SetElement], key: [ValueStyle?], data: [ValueStyle?]) -> String {
        "{ " + elems.map { styledElement($0, key: key, data: data) }.joined(separator: ", ") + " }"
    }

    /// One element, key and data each in their styles, with its options (`timeout 1m`...).
    static func styledElement(_ e: SetElement, key: [ValueStyle?], data: [ValueStyle?]) -> String {
        var out = styled(e.key, key, inSet: true) + elementOptions(e)
        switch e.data {
        case .none: break
        case .value(let v): out += " : " + styled(v, data, inSet: true)
        case .verdict(let v): out += " : " + verdictText(v)
        }
        return out
    }

    public enum ValueStyle { case quoted, mark, duration, hex(digits: Int) }

    public static func styled(_ v: Value, _ style: ValueStyle, inSet: Bool) -> String {
        switch (v, style) {
        case (.string(let s), .quoted): return quote(s)
        case (.number(let n), .mark) where n <= UInt64(UInt32.max):
            let hex = String(n, radix: 16)
            return "0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        case (.number(let n), .duration): return Constructs.duration(n)
        // nft 1.0.6 lists a range of durations in plain seconds: `ct expiration 60s-3600s`.
        case (.range(.number(let a), .number(let b)), .duration): return "\(a)s-\(b)s"
        case (.number(let n), .hex(let digits)):
            let hex = String(n, radix: 16)
            return "0x" + String(repeating: "0", count: max(0, digits - hex.count)) + hex
        case (.range(let a, let b), _): return styled(a, style, inSet: inSet) + "-" + styled(b, style, inSet: inSet)
        case (.concat(let parts), _): return parts.map { styled($0, style, inSet: inSet) }.joined(separator: " . ")
        case (.list(let items), _): return items.map { styled($0, style, inSet: inSet) }.joined(separator: inSet ? " | " : ",")
        default: return valueText(v, inSet: inSet)
        }
    }

    /// How many elements of a named set nft prints on one line (its `calculate_delim`): five of
    /// an integer-like key, two addresses, states or packet types, else one.
    static func elementsPerLine(_ keyType: [String]) -> Int {
        guard keyType.count == 1 else { return 1 }
        switch keyType[0] {
        case "nf_proto", "integer", "arp_op", "inet_proto", "inet_service", "tcp_flag", "dccp_pkttype", "mark",
             "iface_index", "classid", "uid", "gid", "ct_dir": return 5
        case "ipv4_addr", "ct_state", "ct_status", "pkt_type": return 2
        default: return 1
        }
    }

    /// The style nft prints a declared set's values of a type in: marks as `0x%08x`, interface
    /// names and the names of stateful objects (a `: counter` map's data) quoted.
    static func declaredStyle(_ type: String?) -> ValueStyle? {
        switch type {
        case "mark": return .mark
        case "ifname": return .quoted
        case "counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "synproxy", "secmark": return .quoted
        default: return nil
        }
    }

    /// An element of a named set or map, in the style of its key and data types; a `typeof` set
    /// in the style of its expressions (`typeof udp length . @ih,32,32`: `20-80 . 0x14`).
    static func declaredElementText(_ e: SetElement, _ s: NamedSet) -> String {
        let key = s.keyTypeof.map { $0.flatMap(valueStyles) } ?? s.keyType.map(declaredStyle)
        let data = s.dataTypeof.map { $0.flatMap(valueStyles) }
            ?? s.dataType.map { $0.components(separatedBy: " . ").map(declaredStyle) } ?? []
        return styledElement(e, key: key, data: data)
    }

    public static func elementText(_ e: SetElement) -> String {
        var out = valueText(e.key, inSet: true) + elementOptions(e)
        switch e.data {
        case .none: break
        case .value(let v): out += " : " + valueText(v, inSet: true)
        case .verdict(let v): out += " : " + verdictText(v)
        }
        return out
    }

    /// ` counter packets 0 bytes 0 timeout 1h expires 59m comment "x"`, in nft's order.
    public static func elementOptions(_ e: SetElement) -> String {
        var out = ""
        for st in e.stmts { out += " " + stmtText(st) }
        if let t = e.timeout { out += " timeout \(Constructs.duration(t))" }
        if let x = e.expires { out += " expires \(Constructs.duration(x))" }
        if let c = e.comment { out += " comment \(quote(c))" }
        return out
    }

    /// A constant. Inside set elements a flag combination prints as `a | b` (a comma would
    /// separate elements); elsewhere as nft's `a,b` flag list.
    public static func valueText(_ v: Value) -> String { valueText(v, inSet: false) }

    public static func valueText(_ v: Value, inSet: Bool) -> String {
        switch v {
        case .string(let s): return stringText(s)
        case .number(let n): return String(n)
        case .prefix(let a, let l): return "\(a)/\(l)"
        case .range(let a, let b): return "\(valueText(a, inSet: inSet))-\(valueText(b, inSet: inSet))"
        case .concat(let parts): return parts.map { valueText($0, inSet: inSet) }.joined(separator: " . ")
        case .list(let items): return items.map { valueText($0, inSet: inSet) }.joined(separator: inSet ? " | " : ",")
        case .wildcard: return "*"
        }
    }

    /// Strings that are not plain words (interface names with dots, anything with spaces, words
    /// that look like numbers) are quoted, as nft quotes interface names.
    public static func stringText(_ s: String) -> String {
        if s.isEmpty { return "\"\"" }
        let plain = s.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
                || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") || c == UInt8(ascii: "/")
        }
        if plain && !(Value.atom(s) != .string(s)) { return s }
        return quote(s)
    }

    public static func quote(_ s: String) -> String {
        // Not Foundation's `replacingOccurrences`: a ruleset prints thousands of quoted names.
        guard s.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + s + "\"" }
        var out = "\""
        for c in s.unicodeScalars {
            if c == "\"" { out += "\\\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }

    /// A verdict; a jump target is a name like any other (a target `a b` must not read as a
    /// jump to `a` followed by a statement `b`).
    public static func verdictText(_ v: Verdict) -> String {
        switch v {
        case .jump(let c): return "jump " + name(c)
        case .goto(let c): return "goto " + name(c)
        default: return v.traceText
        }
    }

    /// Names that are keywords or not plain words are quoted (docs/kernel-facts.md, fact 7).
    public static func name(_ s: String) -> String {
        let plain = !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
                || c == UInt8(ascii: ".")
        }
        return plain ? s : quote(s)
    }
}

extension String {
    fileprivate func trimmingTrailingSpace() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
