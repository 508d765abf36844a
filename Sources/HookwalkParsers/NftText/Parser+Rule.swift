import HookwalkModel

/// Rules and their statements.
extension Parser {
    /// One rule up to the end of its line, `;` or `}`; returns it with its `# handle` if present.
    mutating func parseRule(_ ti: Int) throws -> (Rule, Int?) {
        var stmts: [Stmt] = []
        var comment: String?
        while !endsStatement(tok) {
            if at("comment") {
                advance()
                guard kind == .string else { throw unexpected("a quoted comment after 'comment'") }
                comment = text(tok)
                advance()
                continue
            }
            stmts.append(try parseStatement(ti))
        }
        let handle = takeHandle()
        return (Rule(stmts: stmts, comment: comment), handle)
    }

    mutating func parseStatement(_ ti: Int) throws -> Stmt {
        let t = tok
        let start = p
        if t.kind == .word {
            let w = text(t)
            switch w {
            case "accept", "drop", "continue", "return", "jump", "goto":
                if (w == "jump" || w == "goto"), peek().kind == .lbrace {
                    try parseChainBinding(ti)
                    // Kind as the JSON front end names it: nft -j prints a bound chain as the bare string "jump {...}".
                    return .notModelled(NotModelled(kind: w, text: source(from: start)))
                }
                return .verdict(try parseVerdict(checkTable: ti))
            case "counter", "COUNTER":
                return try parseCounter(start)
            case "log":
                return try parseLog()
            case "limit":
                return try parseLimit(start)
            case "snat", "dnat", "masquerade", "redirect":
                return try parseNat()
            case "reject":
                return try parseReject()
            case "notrack":
                advance()
                return .notrack
            case "xt" where ["match", "target"].contains(text(peek())) && [.word, .string].contains(peek(2).kind):
                // nft lists an xt match or target it cannot translate as just `xt match NAME`; what
                // follows is the rule's next statement (`xt match icmp6 ip6 hoplimit 255`).
                advance()
                let type = text(tok)
                advance()
                let xtName = text(tok)
                advance()
                return .notModelled(nm("xt", ["type": .expr(.value(.string(type))), "name": .expr(.value(Value.token(xtName)))], from: start))
            case "quota": return try parseQuota(start)
            case "synproxy": return try parseSynproxy(start)
            case "tproxy": return try parseTproxy(start)
            case "dup": return try parseDup(start)
            case "fwd": return try parseFwd(start)
            case "meter": return try parseMeter(ti, start)
            case "flow" where isWord(peek(), "add"): return try parseFlow(start)
            case "reset": return try parseReset(start)
            case "queue", "xt", "flow":
                return notModelled(w, from: start)
            case "add" where peek().kind == .at, "update" where peek().kind == .at, "delete" where peek().kind == .at:
                return try parseSetUpdate(ti, start)
            case "ct" where isWord(peek(), "count"):
                return try parseCtCount(start)
            case "ct" where ["helper", "timeout", "expectation"].contains(text(peek())) && isWord(peek(2), "set"):
                return try parseCtObjectSet(start)
            default:
                break
            }
            if !startsExpr(t) {
                throw error(t, "unknown statement '\(w)': expected a match (such as ip saddr, meta, ct), a verdict or a statement such as counter, log, dnat")
            }
        } else if !startsExpr(t) {
            throw unexpected("a match, a verdict or a statement")
        }
        return try parseExprStatement(start)
    }

    /// A construct hookwalk does not evaluate: everything up to the next statement or the end of
    /// the rule, with its source text.
    mutating func notModelled(_ kindName: String, from start: Int) -> Stmt {
        if p == start { advance() }
        var depth = 0
        while true {
            if depth == 0 && endsStatement(tok) { break }
            if kind == .eof { break }
            if depth == 0, kind == .word, Keywords.statementStarts.contains(text(tok)), p > start + 1 { break }
            if kind == .lbrace {
                if p > start, isWord(toks[p - 1], "map") || isWord(toks[p - 1], "vmap") { anonCount += 1 }
                if kindName == "meter" && depth == 0 { anonCount += 1 }
                depth += 1
            } else if kind == .rbrace {
                if depth == 0 { break }
                depth -= 1
            }
            advance()
        }
        return .notModelled(NotModelled(kind: kindName, text: source(from: start)))
    }

    /// `jump { ... }`: an anonymous chain bound to the rule. Its rules are parsed only to count the
    /// handles the kernel allocates for them (the chain, each of its rules and their anonymous sets).
    mutating func parseChainBinding(_ ti: Int) throws {
        try enterNesting(tok)
        defer { nesting -= 1 }
        advance()
        let open = tok
        advance()
        let saved = anonCount
        anonCount = 0
        var rules = 0
        while true {
            skipNewlines()
            if kind == .rbrace { advance(); break }
            if kind == .eof { throw error(open, "unterminated block: expected '}' to close the bound chain") }
            if kind == .handleComment { advance(); continue }
            _ = try parseRule(ti)
            rules += 1
        }
        anonCount = saved + anonCount + rules + 1
    }

    /// `accept`, `jump X`... When `checkTable` is set, the target is checked once the table is read.
    mutating func parseVerdict(checkTable: Int?) throws -> Verdict {
        let w = text(tok)
        advance()
        switch w {
        case "accept": return .accept
        case "drop": return .drop
        case "continue": return .continue
        case "return": return .return
        default:
            let t = tok
            let target = try name("a chain name after '\(w)'")
            if let ti = checkTable { jumpChecks.append((ti, target, t)) }
            return w == "jump" ? .jump(target) : .goto(target)
        }
    }

    /// `counter`, `counter packets N bytes M`, `counter name X`, `counter name <expr> map {...}`.
    mutating func parseCounter(_ start: Int) throws -> Stmt {
        advance()
        if at("packets") {
            advance()
            advance()
            try expectWord("bytes")
            advance()
            return .counter(name: nil)
        }
        if at("name") {
            if (peek().kind == .word || peek().kind == .string) && !startsExpr(peek()) {
                advance()
                return .counter(name: try name("a counter name"))
            }
            advance()
            return try objectReference("counter", from: start)
        }
        return .counter(name: nil)
    }

    /// `log [prefix "x"] [level L] [group N] [snaplen N] [queue-threshold N] [flags ...]`.
    mutating func parseLog() throws -> Stmt {
        advance()
        var opts: [String: String] = [:]
        while kind == .word {
            let k = text(tok)
            switch k {
            case "prefix", "level", "group", "snaplen", "queue-threshold":
                advance()
                guard kind == .word || kind == .string else { throw unexpected("a value for log \(k)") }
                opts[k] = text(tok)
                advance()
            case "flags":
                advance()
                var flags: [String] = []
                var proto = ""
                while kind == .word {
                    let f = text(tok)
                    if f == "tcp" || f == "ip" {
                        proto = f
                        advance()
                        continue
                    }
                    guard ["sequence", "options", "skuid", "ether", "all"].contains(f) else { break }
                    flags.append(proto.isEmpty || f == "skuid" || f == "ether" || f == "all" ? f : proto + " " + f)
                    advance()
                    if kind == .comma { advance() } else { break }
                }
                opts["flags"] = ((opts["flags"].map { [$0] } ?? []) + flags).joined(separator: ",")
            default:
                return .log(opts)
            }
        }
        return .log(opts)
    }

    /// `limit rate [over] N/unit [burst M packets]`, `limit rate [over] N bytes/unit [burst M bytes]`.
    mutating func parseLimit(_ start: Int) throws -> Stmt {
        advance()
        if at("name") { advance(); return try objectReference("limit", from: start) }
        try expectWord("rate")
        return try parseLimitRate()
    }

    /// After `rate`: `[over|until] N/unit [burst M ...]`, `N bytes/unit [burst M bytes]`.
    mutating func parseLimitRate() throws -> Stmt {
        var over = false
        if at("over") {
            over = true
            advance()
        } else if at("until") {
            advance()
        }
        guard kind == .word else { throw unexpected("a rate such as 10/second") }
        var word = text(tok)
        advance()
        var unit: String?
        if !word.contains("/") {
            // `1200 bytes/second` or `1 mbytes/second`
            guard kind == .word else { throw unexpected("a unit such as bytes/second") }
            let w2 = text(tok)
            advance()
            guard let slash = w2.firstIndex(of: "/") else { throw error(toks[p - 1], "expected unit/time such as bytes/second") }
            unit = String(w2[..<slash])
            word += w2[slash...]
        }
        let parts = word.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let rate = UInt64(parts[0]) else {
            throw error(toks[p - 1], "malformed limit rate '\(word)': expected N/second, N/minute, ...")
        }
        var burst: UInt64?
        if at("burst") {
            advance()
            guard kind == .word, let b = UInt64(text(tok)) else { throw unexpected("a burst size") }
            burst = b
            advance()
            if at("packets") || at("bytes") || at("kbytes") || at("mbytes") { advance() }
        }
        return .limit(rate: rate, per: parts[1], burst: burst, unit: unit, over: over)
    }

    /// `reject [with icmp|icmpv6|icmpx [type] CODE | with tcp reset]`.
    mutating func parseReject() throws -> Stmt {
        advance()
        guard at("with") else { return .reject(type: nil, code: nil) }
        advance()
        if at("tcp") {
            advance()
            try expectWord("reset")
            return .reject(type: "tcp reset", code: nil)
        }
        guard at("icmp") || at("icmpv6") || at("icmpx") else { throw unexpected("icmp, icmpv6, icmpx or tcp reset after 'reject with'") }
        let type = text(tok)
        advance()
        if at("type") { advance() }
        guard kind == .word else { throw unexpected("a reject code such as port-unreachable") }
        let code = text(tok)
        advance()
        return .reject(type: type, code: code)
    }

    /// `snat|dnat [ip|ip6] [prefix] to addr[:port]`, `masquerade [to :ports] [flags]`, `redirect [to :port]`.
    mutating func parseNat() throws -> Stmt {
        let kindWord = text(tok)
        advance()
        var nat = NatStmt(kind: NatKind(rawValue: kindWord)!)
        if (at("ip") || at("ip6")), isWord(peek(), "to") || isWord(peek(), "prefix") || isWord(peek(), "interval") {
            nat.family = text(tok)
            advance()
        }
        while at("prefix") || at("interval") {
            nat.typeFlags.append(text(tok))
            advance()
        }
        // `prefix` is how nft prints the kernel's NF_NAT_RANGE_NETMAP flag, which `nft -j` lists.
        if nat.typeFlags.contains("prefix") { nat.flags.append("netmap") }
        if at("to") {
            advance()
            if kind == .word, text(tok).hasPrefix(":") {
                let s = String(text(tok).dropFirst())
                advance()
                nat.port = .value(Value.atom(s))
            } else if startsExpr(tok) {
                nat.addr = try parseExpr()
            } else if kind == .word {
                let s = text(tok)
                advance()
                let (a, port) = Parser.splitAddrPort(s)
                if kind == .dot {
                    // `1.1.1.1 . 80`: a concatenated constant target
                    var parts = [Value.atom(s)]
                    while kind == .dot {
                        advance()
                        parts.append(try parseAtom())
                    }
                    nat.addr = .value(.concat(parts))
                } else {
                    nat.addr = .value(Value.atom(a))
                    if let port { nat.port = .value(Value.atom(port)) }
                }
            } else {
                throw unexpected("an address, ':port' or a map after 'to'")
            }
        }
        while kind == .word, ["random", "fully-random", "persistent"].contains(text(tok)) {
            nat.flags.append(text(tok))
            advance()
            if kind == .comma { advance() }
        }
        return .nat(nat)
    }

    /// `1.2.3.4:80` -> ("1.2.3.4", "80"); `[::1]:80` -> ("::1", "80"); `::1` -> ("::1", nil).
    static func splitAddrPort(_ s: String) -> (String, String?) {
        // `[2001:db8::1]-[2001:db8::2]:80-100`: a range of IPv6 addresses with ports.
        if s.hasPrefix("["), let close = s.firstIndex(of: "]"), s[s.index(after: close)...].hasPrefix("-[") {
            let second = s[s.index(close, offsetBy: 2)...]
            let (b, port) = splitAddrPort(String(second))
            return (String(s[s.index(after: s.startIndex)..<close]) + "-" + b, port)
        }
        if s.hasPrefix("[") {
            if let close = s.firstIndex(of: "]") {
                let addr = String(s[s.index(after: s.startIndex)..<close])
                let rest = s[s.index(after: close)...]
                if rest.hasPrefix(":") { return (addr, String(rest.dropFirst())) }
                return (addr, nil)
            }
            return (s, nil)
        }
        let colons = s.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: ":") ? 1 : 0) }
        if colons == 1, let c = s.firstIndex(of: ":") {
            return (String(s[..<c]), String(s[s.index(after: c)...]))
        }
        return (s, nil)
    }

    /// A statement that starts with an expression: a match, `set` (mangle), `vmap`.
    mutating func parseExprStatement(_ start: Int) throws -> Stmt {
        let left = try parseExpr()
        if at("set") {
            advance()
            let value: Expr
            if startsExpr(tok), !(Keywords.payloadProtocols.contains(text(tok)) && (endsStatement(peek()) || peek().kind != .word)) {
                value = try parseExpr()
            } else {
                value = .value(try parseValue(allowList: true))
            }
            return .mangle(key: left, value: value)
        }
        if at("vmap") {
            advance()
            return .vmap(key: left, data: try parseMapData(verdicts: true))
        }
        var op: MatchOp?
        if kind == .op {
            switch text(tok) {
            case "==": op = .eq
            case "!=": op = .ne
            case "<": op = .lt
            case ">": op = .gt
            case "<=": op = .le
            case ">=": op = .ge
            case "!":
                advance()
                let right = try parseValue(allowList: true)
                return .notModelled(nm("match", ["op": .expr(.value(.string("!"))), "left": .expr(left), "right": .expr(.value(right))], from: start))
            default: throw unexpected("a comparison operator")
            }
            advance()
        } else if kind == .word, let named = namedOp(text(tok)), !endsStatement(peek()) {
            op = named
            advance()
        }
        var left2 = left
        var right: Expr
        switch kind {
        case .lbrace:
            anonCount += 1
            right = .set(try parseElements())
        case .at where !(peek().kind == .word && peek(2).kind == .comma):
            advance()
            right = .setRef(try name("a set name after '@'"))
        case .word, .string, .lparen:
            right = .value(try parseValue(allowList: true))
        default:
            throw unexpected("a value to compare \(exprSummary(left)) with")
        }
        // `tcp flags syn / syn,ack`: mask then compare.
        if kind == .word, text(tok) == "/" {
            advance()
            let mask = try parseValue(allowList: true)
            left2 = .binop(op: "&", left: left, right: .value(mask))
        }
        if case .ct("expiration", _, _) = left, case .value(let v) = right { right = .value(Parser.durationValue(v)) }
        if case .ct("expiration", _, _) = left, case .set(let elems) = right {
            right = .set(elems.map { var e = $0; e.key = Parser.durationValue(e.key); return e })
        }
        if op == nil {
            op = .eq
            if case .value(let v) = right {
                if case .list = v, left2 == left {
                    op = .flags
                } else if NftTextWriter.isBitmask(left) && left2 == left, case .string = v {
                    op = .flags
                } else if case .ct("label", _, _) = left, left2 == left, case .number = v {
                    op = .flags
                }
            }
        }
        return .match(left: left2, op: op!, right: right)
    }

    /// `30s`, `1h2m` -> seconds (as `nft -j` prints `ct expiration`); ranges and lists too.
    static func durationValue(_ v: Value) -> Value {
        switch v {
        case .string(let s):
            if let secs = Constructs.seconds(s) { return .number(secs) }
            // `60s-3600s`: a range of durations.
            let ends = s.split(separator: "-", maxSplits: 1).map(String.init)
            if ends.count == 2, let lo = Constructs.seconds(ends[0]), let hi = Constructs.seconds(ends[1]) {
                return .range(.number(lo), .number(hi))
            }
            return v
        case .range(let a, let b): return .range(durationValue(a), durationValue(b))
        case .list(let l): return .list(l.map(durationValue))
        default: return v
        }
    }

    func namedOp(_ w: String) -> MatchOp? {
        switch w {
        case "eq": return .eq
        case "ne": return .ne
        case "lt": return .lt
        case "gt": return .gt
        case "le": return .le
        case "ge": return .ge
        default: return nil
        }
    }

    func exprSummary(_ e: Expr) -> String {
        NftTextWriter.exprText(e)
    }
}
