import HookwalkModel

/// Expressions (left sides, map keys, NAT targets) and constants (right sides, set elements).
extension Parser {
    /// Whether the current token starts an expression rather than a constant.
    func startsExpr(_ t: Token) -> Bool {
        switch t.kind {
        case .at: return peek().kind == .word && peek(2).kind == .comma
        case .lparen: return true
        case .word: break
        default: return false
        }
        return ExprFamilies.keywords.contains(text(t))
    }

    /// `a . b . c` of expressions, optionally followed by `map { ... }` / `map @m`.
    mutating func parseExpr() throws -> Expr {
        var e = try parseBinopExpr()
        if kind == .dot {
            var parts = [e]
            while kind == .dot {
                advance()
                parts.append(try parseBinopExpr())
            }
            e = .concat(parts)
        }
        if at("map") {
            advance()
            e = .map(key: e, data: try parseMapData(verdicts: false))
        }
        return e
    }

    /// Binary operators with nft's precedence (its grammar's `shift_expr`, `and_expr`,
    /// `exclusive_or_expr`, `inclusive_or_expr`): `<<`/`>>` bind tighter than `&`, `&` than `^`,
    /// `^` than `|`; each level is left-associative (`a & b & c` is `(a & b) & c`). As nft does,
    /// an operation on two numbers is folded into one (`meta mark | 0x10 & 0xff` is
    /// `meta mark | 0x10`, which `nft -j` lists as `{"|": [mark, 16]}`).
    mutating func parseBinopExpr() throws -> Expr {
        let outer = nesting
        defer { nesting = outer }
        return try parseBinop(level: 0, first: true)
    }

    static func precedence(_ op: String) -> Int {
        switch op {
        case "|": return 0
        case "^": return 1
        case "&": return 2
        default: return 3
        }
    }

    mutating func parseBinop(level: Int, first: Bool) throws -> Expr {
        var e: Expr
        if level > 3 {
            if first || startsExpr(tok) {
                e = try parsePrimaryExpr()
            } else {
                // A constant operand: `ip6 dscp >> 6 . ip6 daddr` concatenates the shifted value.
                e = .value(try parseAtom())
            }
            return e
        }
        e = try parseBinop(level: level + 1, first: first)
        while let op = binopText(tok), Self.precedence(op) == level {
            try enterNesting(tok)
            advance()
            let right = try parseBinop(level: level + 1, first: false)
            e = Self.folded(op, e, right)
        }
        return e
    }

    /// `op` applied to two numbers is their result; anything else stays an operation.
    static func folded(_ op: String, _ left: Expr, _ right: Expr) -> Expr {
        guard case .value(.number(let l)) = left, case .value(.number(let r)) = right else {
            return .binop(op: op, left: left, right: right)
        }
        switch op {
        case "&": return .value(.number(l & r))
        case "|": return .value(.number(l | r))
        case "^": return .value(.number(l ^ r))
        case "<<" where r < 64: return .value(.number(l << r))
        case ">>" where r < 64: return .value(.number(l >> r))
        default: return .binop(op: op, left: left, right: right)
        }
    }

    /// A binary operator: `&`, `|`, `^`, `<<`, `>>`, or the words nft accepts for them (`and`,
    /// `or`, `xor`, `lshift`, `rshift`), which iptables-nft's translations print (`meta mark set
    /// mark or 0x2000`).
    func binopText(_ t: Token) -> String? {
        // Asked after every primary expression: a switch, not a dictionary built per call.
        guard t.kind == .op || t.kind == .word else { return nil }
        switch text(t) {
        case "&", "and": return "&"
        case "|", "or": return "|"
        case "^", "xor": return "^"
        case "<<", "lshift": return "<<"
        case ">>", "rshift": return ">>"
        default: return nil
        }
    }

    /// The expression part of `typeof` in set declarations.
    mutating func parseTypeofExpr() throws -> Expr { try parseBinopExpr() }

    mutating func parsePrimaryExpr() throws -> Expr {
        let t = tok
        if t.kind == .lparen {
            try enterNesting(t)
            defer { nesting -= 1 }
            advance()
            let e: Expr
            if startsExpr(tok) {
                e = try parseExpr()
            } else {
                e = .value(try parseValue(allowList: true))
            }
            try expect(.rparen, "')'")
            return e
        }
        if t.kind == .at {
            return try parseRawPayload()
        }
        guard t.kind == .word else { throw unexpected("an expression (ip saddr, tcp dport, meta ..., ct ...)") }
        let w = text(t)
        switch w {
        case "tcp" where isWord(peek(), "option"), "ip" where isWord(peek(), "option"), "sctp" where isWord(peek(), "chunk"):
            return try parseOptionExpr(p)
        default:
            break
        }
        if let e = try ExprFamilies.parse(&self) { return e }
        throw error(t, "unknown expression or statement '\(w)': expected a match (ip saddr ..., meta ..., ct ...) or a statement")
    }

    func looksLikeField(_ s: String) -> Bool {
        ["kind", "length", "size", "value", "left", "right", "count", "tsval", "tsecr", "type", "addr", "ptr",
         "mss", "wscale", "sack-perm", "timestamp"].contains(s) || s.hasPrefix("left") || s.hasPrefix("right")
    }

    /// `@nh,32,32` (raw payload).
    mutating func parseRawPayload() throws -> Expr {
        let t = tok
        advance()
        guard kind == .word else { throw unexpected("a payload base or set name after '@'") }
        let base = text(tok)
        advance()
        try expect(.comma, "',' in a raw payload @base,offset,length")
        guard kind == .word, let off = Int(text(tok)) else { throw unexpected("an offset in bits") }
        advance()
        try expect(.comma, "',' in a raw payload @base,offset,length")
        guard kind == .word, let len = Int(text(tok)) else { throw unexpected("a length in bits") }
        advance()
        guard ["ll", "nh", "th", "ih"].contains(base) else {
            throw error(t, "unknown payload base '\(base)': expected ll, nh, th or ih")
        }
        return .rawPayload(base: base, offset: off, length: len)
    }

    // MARK: constants

    /// A constant: word, string, `*`, prefix, range, `a | b` flag combination, `a . b`
    /// concatenation, and (when `allowList`) a `a,b` flag list.
    mutating func parseValue(allowList: Bool) throws -> Value {
        var v = try parseFlagCombo()
        if kind == .dot {
            var parts = [v]
            while kind == .dot {
                advance()
                parts.append(try parseFlagCombo())
            }
            v = .concat(parts)
        }
        if allowList && kind == .comma {
            var items = [v]
            while kind == .comma {
                advance()
                items.append(try parseFlagCombo())
            }
            v = .list(items)
        }
        return v
    }

    /// `syn | ack` in a set element: a combined bitmask, held as a list of its flags.
    mutating func parseFlagCombo() throws -> Value {
        let v = try parseAtom()
        guard kind == .op, text(tok) == "|" else { return v }
        var items = [v]
        while kind == .op, text(tok) == "|" {
            advance()
            items.append(try parseAtom())
        }
        return .list(items)
    }

    mutating func parseAtom() throws -> Value {
        switch kind {
        case .string:
            let first = Value.token(text(tok))
            advance()
            // `"00:00"-"02:02"`: a range of quoted values.
            if kind == .word, text(tok) == "-", peek().kind == .string {
                advance()
                let last = Value.token(text(tok))
                advance()
                return .range(first, last)
            }
            return first
        case .word:
            let s = text(tok)
            advance()
            return Value.atom(s)
        case .lparen:
            try enterNesting(tok)
            defer { nesting -= 1 }
            advance()
            let v = try parseValue(allowList: true)
            try expect(.rparen, "')'")
            return v
        default:
            throw unexpected("a value")
        }
    }

    // MARK: sets and maps

    /// The right side of `vmap`/`map`: `{ k : v, ... }` or `@name`.
    mutating func parseMapData(verdicts: Bool) throws -> Expr {
        if kind == .at {
            advance()
            return .setRef(try name("a map name after '@'"))
        }
        guard kind == .lbrace else { throw unexpected("'{' or '@map' after 'map'/'vmap'") }
        anonCount += 1
        return .set(try parseElements())
    }

    /// `{ e1, e2 : data, ... }` with element options (`timeout`, `comment`, `counter ...`), which
    /// the model does not keep.
    mutating func parseElements() throws -> [SetElement] {
        let open = tok
        try expect(.lbrace, "'{'")
        var out: [SetElement] = []
        while true {
            while kind == .newline || kind == .handleComment { advance() }
            if kind == .rbrace { advance(); break }
            if kind == .eof { throw error(open, "unterminated set: expected '}' to close the '{' here") }
            var element = SetElement(key: try parseValue(allowList: false))
            try parseElementOptions(&element)
            if kind == .colon {
                advance()
                if kind == .word, Keywords.verdicts.contains(text(tok)) {
                    element.data = .verdict(try parseVerdict(checkTable: nil))
                } else {
                    element.data = .value(try parseValue(allowList: false))
                }
                try parseElementOptions(&element)
            }
            out.append(element)
            while kind == .newline { advance() }
            if kind == .comma {
                advance()
            } else if kind != .rbrace {
                throw unexpected("',' or '}' in the set elements")
            }
        }
        return out
    }

    /// An element's options: `counter packets 0 bytes 0`, `quota ...`, `limit rate ...`,
    /// `timeout 1h`, `expires 59m`, `comment "x"`.
    mutating func parseElementOptions(_ e: inout SetElement) throws {
        while kind == .word {
            let start = p
            switch text(tok) {
            case "timeout", "expires":
                let k = text(tok)
                advance()
                guard kind == .word, let secs = Constructs.seconds(text(tok)) else { throw unexpected("a duration such as 30s") }
                advance()
                if k == "timeout" { e.timeout = secs } else { e.expires = secs }
            case "comment":
                advance()
                guard kind == .string else { throw unexpected("a quoted comment") }
                e.comment = text(tok)
                advance()
            case "counter": e.stmts.append(try parseCounter(start))
            case "quota": e.stmts.append(try parseQuota(start))
            case "limit": e.stmts.append(try parseLimit(start))
            default:
                return
            }
        }
    }
}

/// What the expression families read their nft text through (Expressions/).
extension Parser: ExprTextReader {
    func word(_ ahead: Int) -> String? {
        let t = peek(ahead)
        return t.kind == .word ? text(t) : nil
    }
    var atDot: Bool { kind == .dot }
    mutating func atom() throws -> Value { try parseAtom() }
    mutating func expr() throws -> Expr { try parseExpr() }
    func failure(expected: String) -> any Error { unexpected(expected) }
}
