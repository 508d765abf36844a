import HookwalkModel

/// The recursive-descent parser's cursor and shared helpers. The grammar lives in the
/// `Parser+*.swift` extensions; this file holds token access, error construction and `define`.
struct Parser {
    let bytes: [UInt8]
    let file: String
    var toks: [Token]
    var p = 0

    var tables: [Table] = []
    var tableIndex: [String: Int] = [:]
    /// Whether the input carried `# handle N` comments (then those are the handles; otherwise
    /// the kernel's allocation order is replayed, see `HandlePlan`).
    var sawHandles = false
    var plans: [HandlePlan] = []
    /// Incremented for each anonymous set, map or bound chain while parsing one rule: each takes a
    /// handle from the table's counter before the rule itself.
    var anonCount = 0
    /// Jump/goto targets to check once the table is complete: (table index, chain, token).
    var jumpChecks: [(Int, String, Token)] = []
    /// How deep the expression being parsed is nested (see `InputLimits.expressionNesting`).
    var nesting = 0
    /// Where each chain was declared and each rule starts, for the errors of the validation pass
    /// that runs on the finished ruleset (`RulesetValidation`).
    var places: [RulesetPlace: Token] = [:]
    /// Per table, chain name -> index, so that a ruleset of 100,000 chains parses in linear time.
    var chainIndex: [[String: Int]] = []
    /// Per table, set name -> index (the same, for many sets).
    var setIndex: [[String: Int]] = []

    init(text: String, file: String) throws {
        var t = text
        bytes = t.withUTF8 { Array($0) }
        self.file = file
        toks = try Lexer(bytes: bytes, file: file).tokenize()
        try expandDefines()
    }

    // MARK: token access

    var tok: Token { toks[p] }
    var kind: Token.Kind { toks[p].kind }
    func peek(_ k: Int = 1) -> Token { toks[min(p + k, toks.count - 1)] }

    func text(_ t: Token) -> String {
        String(decoding: bytes[Int(t.start)..<Int(t.end)], as: UTF8.self)
    }

    /// Compares a word token with an ASCII keyword without allocating.
    func isWord(_ t: Token, _ w: StaticString) -> Bool {
        guard t.kind == .word, Int(t.end - t.start) == w.utf8CodeUnitCount else { return false }
        return w.withUTF8Buffer { buf in
            var i = 0
            var j = Int(t.start)
            while i < buf.count {
                if buf[i] != bytes[j] { return false }
                i += 1
                j += 1
            }
            return true
        }
    }

    func at(_ w: StaticString) -> Bool { isWord(tok, w) }

    /// The source text from the start of token `from` to the end of the token before the cursor.
    func source(from: Int) -> String {
        guard from < p else { return "" }
        var s = Int(toks[from].start)
        var e = Int(toks[p - 1].end)
        if toks[from].kind == .string || toks[from].kind == .variable { s -= 1 }
        if toks[p - 1].kind == .string { e += 1 }
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    /// One level deeper into an expression; refused past `InputLimits.expressionNesting`, before
    /// the recursion (or a tree that deep) can exhaust the stack.
    mutating func enterNesting(_ t: Token) throws {
        nesting += 1
        if nesting > InputLimits.expressionNesting {
            throw error(t, "expression nested more than \(InputLimits.expressionNesting) levels deep (parentheses, chained operators or bound chains): "
                        + "the kernel holds at most 128 expressions in a rule")
        }
    }

    func error(_ t: Token, _ message: String) -> HookwalkError {
        HookwalkError(file: file, .line(Int(t.line), column: Int(t.column)), message)
    }

    /// How a token is named in an error message.
    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of input"
        case .newline: return "end of line"
        case .string: return "\"\(text(t))\""
        default: return "'\(text(t))'"
        }
    }

    func unexpected(_ expected: String) -> HookwalkError {
        if tok.kind == .eof {
            return error(tok, "unexpected end of input: expected \(expected) (unterminated block?)")
        }
        return error(tok, "unexpected \(describe(tok)): expected \(expected)")
    }

    mutating func advance() { if p < toks.count - 1 { p += 1 } }

    mutating func expect(_ k: Token.Kind, _ what: String) throws {
        guard kind == k else { throw unexpected(what) }
        advance()
    }

    mutating func expectWord(_ w: StaticString) throws {
        guard at(w) else { throw unexpected("'\(w)'") }
        advance()
    }

    /// A name: a word or a quoted string (chain names that are keywords are quoted; docs/kernel-facts.md, fact 7).
    mutating func name(_ what: String) throws -> String {
        guard kind == .word || kind == .string else { throw unexpected(what) }
        defer { advance() }
        return text(tok)
    }

    mutating func skipNewlines() {
        while kind == .newline || kind == .semicolon { advance() }
    }

    /// Takes `# handle N` if it is the next token.
    mutating func takeHandle() -> Int? {
        guard kind == .handleComment else { return nil }
        defer { advance() }
        sawHandles = true
        return Int(tok.number)
    }

    // MARK: define / $variable

    /// Replaces `define name = value` lines and `$name` uses at the token level, which is all
    /// that nft's own variables do.
    mutating func expandDefines() throws {
        guard toks.contains(where: { $0.kind == .variable || isWord($0, "define") }) else { return }
        var defs: [String: [Token]] = [:]
        // How deep each define's value nests other defines, and how many tokens expansion has
        // produced so far: both bounded (`InputLimits`), since nft itself has no budget.
        var depths: [String: Int] = [:]
        var produced = 0
        func spend(_ v: [Token], at t: Token) throws {
            produced += v.count
            if produced > InputLimits.defineExpansionTokens {
                throw error(t, "expanding $\(text(t)) exceeds hookwalk's budget of \(InputLimits.defineExpansionTokens) tokens of define expansion "
                            + "(defines that use a define twice double in size; nft itself does not stop)")
            }
        }
        var out: [Token] = []
        out.reserveCapacity(toks.count)
        var i = 0
        var lineStart = true
        while i < toks.count {
            let t = toks[i]
            if lineStart, isWord(t, "define") || isWord(t, "redefine"), i + 2 < toks.count, toks[i + 1].kind == .word,
               toks[i + 2].kind == .assign {
                let name = text(toks[i + 1])
                var j = i + 3
                var value: [Token] = []
                var depth = 1
                while toks[j].kind != .newline && toks[j].kind != .eof && toks[j].kind != .semicolon {
                    if toks[j].kind == .variable {
                        guard let v = defs[text(toks[j])] else { throw error(toks[j], "undefined variable $\(text(toks[j]))") }
                        try spend(v, at: toks[j])
                        depth = max(depth, (depths[text(toks[j])] ?? 1) + 1)
                        if depth > InputLimits.defineNesting {
                            throw error(toks[j], "define \(name) nests defines more than \(InputLimits.defineNesting) deep (nft 1.0.6 itself overflows its stack on deeper ones)")
                        }
                        value += v
                    } else if toks[j].kind != .handleComment {
                        value.append(toks[j])
                    }
                    j += 1
                }
                guard !value.isEmpty else { throw error(toks[j], "expected a value after 'define \(name) ='") }
                defs[name] = value
                depths[name] = depth
                i = j
                continue
            }
            if lineStart, isWord(t, "undefine"), i + 1 < toks.count {
                defs[text(toks[i + 1])] = nil
                i += 2
                continue
            }
            if t.kind == .variable {
                guard let v = defs[text(t)] else { throw error(t, "undefined variable $\(text(t)): expected a 'define \(text(t)) = ...' before its use") }
                try spend(v, at: t)
                out += v
            } else {
                out.append(t)
            }
            lineStart = t.kind == .newline || t.kind == .semicolon || t.kind == .lbrace
            i += 1
        }
        toks = out
    }
}
