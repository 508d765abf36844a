import HookwalkModel

extension Parser {
    /// The body of an object as parts, from the token after `{` to its `}`; nil (and the body
    /// skipped by the caller) when the kind or a line is not one this reads.
    mutating func objectParts(_ objKind: String) -> [String: Part]? {
        let save = p
        var parts: [String: Part] = [:]
        func fail() -> [String: Part]? { p = save; return nil }
        func atom() -> Part? {
            guard let v = try? parseAtom() else { return nil }
            return .expr(.value(v))
        }
        while true {
            skipNewlines()
            if kind == .rbrace { break }
            guard kind == .word || kind == .string else { return fail() }
            let w = text(tok)
            advance()
            switch (objKind, w) {
            case (_, "comment"):
                guard kind == .string else { return fail() }
                parts["comment"] = .expr(.value(.string(text(tok))))
                advance()
            case ("counter", "packets"):
                advance()
                guard at("bytes") else { return fail() }
                advance(); advance()
            case ("quota", "over"), ("quota", "until"):
                if w == "over" { parts["inv"] = .bool(true) }
                continue
            case ("quota", _) where UInt64(w) != nil:
                guard kind == .word, let unit = Objects.byteUnits[text(tok)] else { return fail() }
                advance()
                parts["bytes"] = .expr(.value(.number(UInt64(w)! * unit)))
                if at("used") { advance(); advance(); advance() }
            case ("limit", "rate"):
                guard let stmt = try? parseLimitRate(), case .limit(let rate, let per, let burst, let unit, let over) = stmt else { return fail() }
                parts["rate"] = .expr(.value(.number(rate)))
                parts["per"] = .expr(.value(.string(per)))
                if let unit { parts["rate_unit"] = .expr(.value(.string(unit))) }
                if let burst {
                    parts["burst"] = .expr(.value(.number(burst)))
                    if unit != nil { parts["burst_unit"] = .expr(.value(.string("bytes"))) }
                }
                if over { parts["inv"] = .bool(true) }
            case ("ct helper", "type"), ("ct helper", "protocol"), ("ct helper", "l3proto"),
                 ("ct timeout", "protocol"), ("ct timeout", "l3proto"),
                 ("ct expectation", "protocol"), ("ct expectation", "dport"), ("ct expectation", "size"), ("ct expectation", "l3proto"),
                 ("synproxy", "mss"), ("synproxy", "wscale"):
                guard let a = atom() else { return fail() }
                parts[w] = a
            case ("ct expectation", "timeout"):
                guard kind == .word, let ms = Constructs.milliseconds(text(tok)) else { return fail() }
                advance()
                parts["timeout"] = .expr(.value(.number(ms)))
            case ("ct timeout", "policy"):
                guard kind == .assign else { return fail() }
                advance()
                guard kind == .lbrace else { return fail() }
                advance()
                var pol: [String: Part] = [:]
                while true {
                    while kind == .newline || kind == .comma { advance() }
                    if kind == .rbrace { advance(); break }
                    guard kind == .word else { return fail() }
                    let state = text(tok)
                    advance()
                    guard kind == .colon else { return fail() }
                    advance()
                    guard kind == .word, let secs = Constructs.seconds(text(tok)) ?? UInt64(text(tok)) else { return fail() }
                    advance()
                    pol[state] = .expr(.value(.number(secs)))
                }
                parts["policy"] = .object(pol)
            case ("synproxy", "timestamp"), ("synproxy", "sack-perm"):
                var f: [String] = []
                if case .flags(let old)? = parts["flags"] { f = old }
                parts["flags"] = .flags(f + [w])
            default:
                return fail()
            }
        }
        Objects.normalize(objKind, &parts)
        return parts
    }
}

extension Parser {
    /// The body of a flowtable as parts (`hook`, `prio` as a decimal text, `dev`, `flags`,
    /// `counter`), from the token after `{` to its `}`; nil when a line is not one nft lists.
    mutating func flowtableParts() -> [String: Part]? {
        let save = p
        var parts: [String: Part] = [:]
        func fail() -> [String: Part]? { p = save; return nil }
        while true {
            skipNewlines()
            if kind == .rbrace { break }
            guard kind == .word else { return fail() }
            let w = text(tok)
            advance()
            switch w {
            case "hook":
                guard kind == .word, let hook = Hook(rawValue: text(tok)) else { return fail() }
                advance()
                guard at("priority") else { return fail() }
                advance()
                var words: [String] = []
                while kind == .word || kind == .plus {
                    words.append(kind == .plus ? "+" : text(tok))
                    advance()
                }
                guard let prio = Priority.resolve(words.joined(separator: " "), family: .netdev) else { return fail() }
                parts["hook"] = .expr(.value(.string(hook.rawValue)))
                parts["prio"] = .expr(.value(.string(String(prio))))
            case "devices":
                guard kind == .assign else { return fail() }
                advance()
                var devs: [String] = []
                if kind == .lbrace {
                    advance()
                    while true {
                        while kind == .newline || kind == .comma { advance() }
                        if kind == .rbrace { advance(); break }
                        guard kind == .word || kind == .string else { return fail() }
                        devs.append(text(tok))
                        advance()
                    }
                } else {
                    guard kind == .word || kind == .string else { return fail() }
                    devs.append(text(tok))
                    advance()
                }
                parts["dev"] = .flags(devs)
            case "flags":
                guard kind == .word else { return fail() }
                parts["flags"] = .flags(text(tok).split(separator: ",").map(String.init))
                advance()
            case "counter":
                parts["counter"] = .bool(true)
            default:
                return fail()
            }
        }
        return parts
    }
}

