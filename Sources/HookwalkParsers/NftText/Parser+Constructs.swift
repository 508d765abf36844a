import HookwalkModel

/// The text grammar of the constructs held by their parts (see `Constructs`): each builds exactly
/// the parts the JSON reader builds from `nft -j`'s form of the same construct.
extension Parser {
    func nm(_ kind: String, _ parts: [String: Part], from start: Int) -> NotModelled {
        var parts = parts
        Constructs.normalize(kind, &parts)
        return NotModelled(kind: kind, text: Constructs.text(kind: kind, parts: parts) ?? source(from: start), parts: parts)
    }

    mutating func atomPart() throws -> Part { .expr(.value(try parseAtom())) }

    /// An expression or, where none starts, a constant.
    mutating func exprPart() throws -> Part {
        if startsExpr(tok) { return .expr(try parseExpr()) }
        return .expr(.value(try parseValue(allowList: false)))
    }

    /// After `name`: a quoted or plain object name, or an expression mapping to names
    /// (`limit name tcp dport map { 80 : "l1" }`).
    mutating func objectReference(_ objKind: String, from start: Int) throws -> Stmt {
        if startsExpr(tok) { return .notModelled(nm(objKind, ["map": .expr(try parseExpr())], from: start)) }
        guard kind == .word || kind == .string else { throw unexpected("a name") }
        let v = Value.token(text(tok))
        advance()
        return .notModelled(nm(objKind, ["": .expr(.value(v))], from: start))
    }

    /// `quota [over|until] N UNIT [used N UNIT]`, `quota name X`.
    mutating func parseQuota(_ start: Int) throws -> Stmt {
        advance()
        if at("name") { advance(); return try objectReference("quota", from: start) }
        var parts: [String: Part] = [:]
        if at("over") { parts["inv"] = .bool(true); advance() } else if at("until") { advance() }
        parts["val"] = try atomPart()
        parts["val_unit"] = try atomPart()
        if at("used") {
            advance()
            parts["used"] = try atomPart()
            parts["used_unit"] = try atomPart()
        }
        return .notModelled(nm("quota", parts, from: start))
    }

    /// `ct count [over] N`.
    mutating func parseCtCount(_ start: Int) throws -> Stmt {
        advance(); advance()
        var parts: [String: Part] = [:]
        if at("over") { parts["inv"] = .bool(true); advance() }
        parts["val"] = try atomPart()
        return .notModelled(nm("ct count", parts, from: start))
    }

    /// `synproxy [mss N] [wscale N] [timestamp] [sack-perm]`, `synproxy name X`.
    mutating func parseSynproxy(_ start: Int) throws -> Stmt {
        advance()
        if at("name") { advance(); return try objectReference("synproxy", from: start) }
        var parts: [String: Part] = [:]
        var flags: [String] = []
        while kind == .word {
            if at("mss") || at("wscale") {
                let k = text(tok)
                advance()
                parts[k] = try atomPart()
            } else if at("timestamp") || at("sack-perm") {
                flags.append(text(tok))
                advance()
            } else {
                break
            }
        }
        if !flags.isEmpty { parts["flags"] = .flags(flags) }
        return .notModelled(nm("synproxy", parts, from: start))
    }

    /// `tproxy [ip|ip6] to [ADDR][:PORT]`.
    mutating func parseTproxy(_ start: Int) throws -> Stmt {
        advance()
        var parts: [String: Part] = [:]
        if at("ip") || at("ip6") { parts["family"] = .expr(.value(.string(text(tok)))); advance() }
        try expectWord("to")
        guard kind == .word else { throw unexpected("an address or :port after 'tproxy to'") }
        let w = text(tok)
        advance()
        if w.hasPrefix(":") {
            parts["port"] = .expr(.value(Value.atom(String(w.dropFirst()))))
        } else {
            let (a, port) = Parser.splitAddrPort(w)
            parts["addr"] = .expr(.value(Value.atom(a)))
            if let port { parts["port"] = .expr(.value(Value.atom(port))) }
        }
        return .notModelled(nm("tproxy", parts, from: start))
    }

    /// `dup to ADDR [device DEV]`.
    mutating func parseDup(_ start: Int) throws -> Stmt {
        advance()
        try expectWord("to")
        var parts: [String: Part] = ["addr": try exprPart()]
        if at("device") { advance(); parts["dev"] = try exprPart() }
        return .notModelled(nm("dup", parts, from: start))
    }

    /// `fwd to DEV`, `fwd ip|ip6 to ADDR device DEV`.
    mutating func parseFwd(_ start: Int) throws -> Stmt {
        advance()
        var parts: [String: Part] = [:]
        if at("ip") || at("ip6") { parts["family"] = .expr(.value(.string(text(tok)))); advance() }
        try expectWord("to")
        if parts["family"] != nil {
            parts["addr"] = try exprPart()
            try expectWord("device")
        }
        parts["dev"] = try exprPart()
        return .notModelled(nm("fwd", parts, from: start))
    }

    /// `ct helper|timeout|expectation set X`.
    mutating func parseCtObjectSet(_ start: Int) throws -> Stmt {
        advance()
        let k = "ct " + text(tok)
        advance()
        try expectWord("set")
        if startsExpr(tok) { return .notModelled(nm(k, ["map": .expr(try parseExpr())], from: start)) }
        guard kind == .word || kind == .string else { throw unexpected("a \(k) name") }
        let v = Value.token(text(tok))
        advance()
        return .notModelled(nm(k, ["": .expr(.value(v))], from: start))
    }

    /// `reset tcp option NAME`.
    mutating func parseReset(_ start: Int) throws -> Stmt {
        advance()
        guard (at("tcp") || at("ip")), isWord(peek(), "option") else { throw unexpected("'tcp option' after 'reset'") }
        let key = text(tok) + " option"
        let e = try parsePrimaryExpr()
        return .notModelled(nm("reset", [key: .expr(e)], from: start))
    }

    /// `add|update|delete @set { ELEM [timeout T] [STATEMENTS] }`: a dynamic set update.
    mutating func parseSetUpdate(_ ti: Int, _ start: Int) throws -> Stmt {
        let op = text(tok)
        advance()
        try expect(.at, "'@' and a set name")
        let setName = try name("a set name")
        let open = tok
        try expect(.lbrace, "'{' after the set name")
        var parts: [String: Part] = ["op": .expr(.value(.string(op))), "set": .expr(.setRef(setName))]
        parts["elem"] = try elementPart(from: p)
        if kind == .colon {
            // A map update (`{ k : v }`): kept as written, as nft 1.0.6's JSON does.
            while kind != .rbrace && kind != .eof && !endsStatement(tok) { advance() }
            if kind == .rbrace { advance() }
            return .notModelled(NotModelled(kind: op, text: source(from: start)))
        }
        var stmts: [Stmt] = []
        while kind != .rbrace {
            if kind == .eof || endsStatement(tok) { throw error(open, "unterminated set update: expected '}' to close the '{' here") }
            stmts.append(try parseStatement(ti))
        }
        advance()
        if !stmts.isEmpty { parts["stmt"] = .stmts(stmts) }
        return .notModelled(nm("set", parts, from: start))
    }

    /// A dynamic set's or meter's element: an expression with `timeout T` / `expires T` /
    /// `comment "c"` (JSON's `{"elem": {"val": ..., "timeout": ...}}`).
    mutating func elementPart(from start: Int) throws -> Part {
        let val = try exprPart()
        var opts: [String: Part] = [:]
        while kind == .word {
            if at("timeout") || at("expires") {
                let k = text(tok)
                advance()
                guard kind == .word, let s = Constructs.seconds(text(tok)) else { throw unexpected("a duration such as 30s") }
                advance()
                opts[k] = .expr(.value(.number(s)))
            } else if at("comment"), peek().kind == .string {
                advance()
                opts["comment"] = .expr(.value(.string(text(tok))))
                advance()
            } else {
                break
            }
        }
        guard !opts.isEmpty else { return val }
        opts["val"] = val
        return .expr(.notModelled(nm("elem", opts, from: start)))
    }

    /// `meter NAME [size N] { KEY STATEMENT }`.
    mutating func parseMeter(_ ti: Int, _ start: Int) throws -> Stmt {
        advance()
        var parts: [String: Part] = ["name": .expr(.value(Value.token(try name("a meter name"))))]
        if at("size") { advance(); parts["size"] = try atomPart() }
        let open = tok
        try expect(.lbrace, "'{' after the meter name")
        anonCount += 1
        parts["key"] = try elementPart(from: p)
        var stmts: [Stmt] = []
        while kind != .rbrace {
            if kind == .eof || endsStatement(tok) { throw error(open, "unterminated meter: expected '}' to close the '{' here") }
            stmts.append(try parseStatement(ti))
        }
        advance()
        parts["stmt"] = .stmts(stmts)
        return .notModelled(nm("meter", parts, from: start))
    }

    /// `flow add @FT`.
    mutating func parseFlow(_ start: Int) throws -> Stmt {
        advance()
        guard kind == .word else { throw unexpected("'add' after 'flow'") }
        let op = text(tok)
        advance()
        try expect(.at, "'@' and a flowtable name")
        let ft = try name("a flowtable name")
        return .notModelled(nm("flow", ["op": .expr(.value(.string(op))), "flowtable": .expr(.setRef(ft))], from: start))
    }

    // MARK: expressions

    /// `tcp option NAME [FIELD]`, `tcp option @B,O,L`, `tcp option N`, `sctp chunk NAME [FIELD]`,
    /// `ip option NAME [FIELD]`.
    mutating func parseOptionExpr(_ start: Int) throws -> Expr {
        let kindName = text(tok) + " " + text(peek())
        advance(); advance()
        var parts: [String: Part] = [:]
        if kind == .at, kindName == "tcp option" {
            advance()
            guard kind == .word else { throw unexpected("@base,offset,length") }
            parts["base"] = try atomPart()
            try expect(.comma, "','")
            parts["offset"] = try atomPart()
            try expect(.comma, "','")
            parts["len"] = try atomPart()
            return .notModelled(nm(kindName, parts, from: start))
        }
        guard kind == .word else { throw unexpected("an option name") }
        let optName = text(tok)
        advance()
        if kindName == "tcp option", UInt64(optName) != nil {
            parts["base"] = .expr(.value(Value.token(optName)))
            parts["offset"] = .expr(.value(.number(0)))
            // nft's JSON gives an existence test of a numbered option a length of 8 bits.
            parts["len"] = .expr(.value(.number(at("exists") || at("missing") ? 8 : 0)))
            return .notModelled(nm(kindName, parts, from: start))
        }
        parts["name"] = .expr(.value(.string(optName)))
        if kind == .word, !startsExpr(tok), !Keywords.statementStarts.contains(text(tok)), !isWord(tok, "set"),
           !isWord(tok, "vmap"), !isWord(tok, "map"), !at("exists"), !at("missing"), !Value.numberish(text(tok)),
           looksLikeField(text(tok)) || !endsStatement(peek()) {
            parts["field"] = .expr(.value(.string(text(tok))))
            advance()
        }
        return .notModelled(nm(kindName, parts, from: start))
    }

    /// The parts of the other expressions, after their first word.
}

extension Constructs {
    /// What nft's JSON always prints and its text leaves out (or the reverse), made the same for
    /// both front ends: `spnum 0`, `offset 0`, `inv false`.
    static func normalize(_ kind: String, _ parts: inout [String: Part]) {
        if parts["inv"] == .bool(false) { parts["inv"] = nil }
        switch kind {
        case "quota":
            // What a quota has used is state, like a counter's values (`nft -s` leaves it out).
            parts["used"] = nil
            parts["used_unit"] = nil
        default:
            // The expression families' defaults (`offset 0`) are their descriptors'.
            if let family = ExprFamilies.keyed(kind) {
                for (k, v) in family.defaults where parts[k] == nil { parts[k] = v }
            }
        }
    }
}
