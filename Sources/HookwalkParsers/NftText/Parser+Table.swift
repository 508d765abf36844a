import HookwalkModel

/// Tables, chains, sets/maps and stateful objects.
extension Parser {
    mutating func parseRuleset() throws -> Ruleset {
        while true {
            skipNewlines()
            if kind == .eof { break }
            if kind == .handleComment { advance(); continue }
            if at("table") {
                try parseTable()
            } else if at("flush") && isWord(peek(), "ruleset") {
                advance(); advance()
            } else if at("include") {
                throw error(tok, "'include' is not supported: paste the included file's contents instead")
            } else {
                throw unexpected("'table'")
            }
        }
        try checkJumps()
        if !sawHandles { assignHandles() }
        return Ruleset(tables: tables)
    }

    mutating func parseFamily() throws -> Family {
        if kind == .word, let f = Family(rawValue: text(tok)) {
            advance()
            return f
        }
        // `table name {` means family ip.
        if kind == .word || kind == .string, peek().kind == .lbrace { return .ip }
        throw unexpected("a family (ip, ip6, inet, arp, bridge, netdev)")
    }

    mutating func parseTable() throws {
        advance()  // table
        let family = try parseFamily()
        let name = try name("a table name")
        try expect(.lbrace, "'{' after the table name")
        let key = "\(family.rawValue) \(name)"
        let ti: Int
        if let i = tableIndex[key] {
            ti = i
        } else {
            ti = tables.count
            tables.append(Table(family: family, name: name))
            tableIndex[key] = ti
            chainIndex.append([:])
            setIndex.append([:])
        }
        if let h = takeHandle() { tables[ti].handle = h }
        var plan = HandlePlan(table: ti)
        while true {
            skipNewlines()
            if kind == .rbrace { advance(); break }
            if kind == .handleComment { advance(); continue }
            guard kind == .word else { throw unexpected("'chain', 'set', 'map' or '}'") }
            let t = tok
            switch text(t) {
            case "chain": try parseChain(ti, &plan)
            case "set": try parseSet(ti, &plan, isMap: false)
            case "map": try parseSet(ti, &plan, isMap: true)
            case "flags":
                advance()
                tables[ti].flags += try flagList()
            case "comment":
                advance()
                guard kind == .string else { throw unexpected("a quoted comment") }
                tables[ti].comment = text(tok)
                advance()
            case "flowtable": try parseObject(ti, &plan, kind: "flowtable", words: 1)
            case "counter", "quota", "limit", "secmark", "synproxy":
                try parseObject(ti, &plan, kind: text(t), words: 1)
            case "ct":
                let sub = text(peek())
                guard ["helper", "timeout", "expectation"].contains(sub) else {
                    throw error(peek(), "unexpected \(describe(peek())): expected 'helper', 'timeout' or 'expectation' after 'ct'")
                }
                try parseObject(ti, &plan, kind: "ct " + sub, words: 2)
            default:
                throw error(t, "unexpected \(describe(t)) in table: expected 'chain', 'set', 'map', 'flowtable', an object or '}'")
            }
        }
        plans.append(plan)
    }

    /// `a,b,c` (flags of tables, sets, chains).
    mutating func flagList() throws -> [String] {
        var out: [String] = []
        repeat {
            if kind == .comma { advance() }
            guard kind == .word else { throw unexpected("a flag name") }
            out.append(text(tok))
            advance()
        } while kind == .comma
        return out
    }

    mutating func parseChain(_ ti: Int, _ plan: inout HandlePlan) throws {
        advance()  // chain
        let nameTok = tok
        let name = try name("a chain name")
        let ci: Int
        if let i = chainIndex[ti][name] {
            ci = i
        } else {
            ci = tables[ti].chains.count
            tables[ti].chains.append(Chain(name: name))
            chainIndex[ti][name] = ci
            plan.chains.append(ci)
            places[.chain(ti, ci)] = nameTok
        }
        if kind == .newline || kind == .semicolon || kind == .eof || kind == .rbrace {
            return  // `chain x` declaration without a body
        }
        try expect(.lbrace, "'{' after the chain name")
        if let h = takeHandle() { tables[ti].chains[ci].handle = h }
        let family = tables[ti].family
        while true {
            skipNewlines()
            if kind == .rbrace { advance(); break }
            if kind == .eof { throw unexpected("'}' to close chain \"\(name)\"") }
            if kind == .handleComment { advance(); continue }
            if at("type") {
                try parseBaseSpec(ti, ci, family)
            } else if at("policy") {
                advance()
                let pol = try parsePolicy()
                if tables[ti].chains[ci].base == nil {
                    throw error(tok, "'policy' in a chain without 'type ... hook ...': expected a base chain")
                }
                tables[ti].chains[ci].base?.policy = pol
            } else if at("comment") && (peek().kind == .string) && endsStatement(peek(2)) {
                advance()
                tables[ti].chains[ci].comment = text(tok)
                advance()
            } else if at("flags") && isWord(peek(), "offload") {
                advance(); advance()
            } else {
                anonCount = 0
                let ruleTok = tok
                let (rule, handle) = try parseRule(ti)
                places[.rule(ti, ci, tables[ti].chains[ci].rules.count)] = ruleTok
                var r = rule
                r.handle = handle
                tables[ti].chains[ci].rules.append(r)
                plan.rules.append((ci, tables[ti].chains[ci].rules.count - 1, anonCount))
            }
        }
    }

    func endsStatement(_ t: Token) -> Bool {
        t.kind == .newline || t.kind == .semicolon || t.kind == .rbrace || t.kind == .eof || t.kind == .handleComment
    }

    mutating func parsePolicy() throws -> Policy {
        guard kind == .word, let pol = Policy(rawValue: text(tok)) else { throw unexpected("'accept' or 'drop'") }
        advance()
        return pol
    }

    /// `type filter hook forward [device X | devices = { ... }] priority filter + 10; [policy drop;]`
    mutating func parseBaseSpec(_ ti: Int, _ ci: Int, _ family: Family) throws {
        advance()  // type
        guard kind == .word, let type = ChainType(rawValue: text(tok)) else { throw unexpected("a chain type (filter, nat, route)") }
        advance()
        try expectWord("hook")
        guard kind == .word, let hook = Hook(rawValue: text(tok)) else {
            throw unexpected("a hook (prerouting, input, forward, output, postrouting, ingress, egress)")
        }
        advance()
        var devices: [String] = []
        if at("device") {
            advance()
            devices.append(try name("a device name"))
        } else if at("devices") {
            advance()
            try expect(.assign, "'=' after 'devices'")
            if kind == .lbrace {
                advance()
                while true {
                    while kind == .newline { advance() }
                    if kind == .rbrace { advance(); break }
                    devices.append(try name("a device name"))
                    while kind == .newline { advance() }
                    if kind == .comma { advance() }
                }
            } else {
                devices.append(try name("a device name"))
            }
        }
        try expectWord("priority")
        let prioTok = tok
        var parts: [String] = []
        while kind == .word || kind == .plus || kind == .variable {
            parts.append(kind == .plus ? "+" : text(tok))
            advance()
        }
        let prioText = parts.joined(separator: " ")
        guard !parts.isEmpty else { throw error(prioTok, "unexpected \(describe(prioTok)): expected a priority (a number or a name such as filter, dstnat)") }
        guard let prio = Priority.resolve(prioText, family: family) else {
            throw error(prioTok, "unknown priority '\(prioText)' for family \(family.rawValue): expected a number from -2147483648 to 2147483647 (the kernel's priority is 32-bit) or a standard priority name")
        }
        var spec = BaseChainSpec(type: type, hook: hook, priority: prio, devices: devices)
        if kind == .semicolon { advance() }
        while kind == .newline { advance() }
        if let old = tables[ti].chains[ci].base {
            spec.policy = old.policy
            if old != spec {
                throw error(prioTok, "chain \(tables[ti].chains[ci].name) declared twice with a different type, hook or priority "
                            + "(the kernel refuses it: EOPNOTSUPP, \"Operation not supported\")")
            }
        } else if !tables[ti].chains[ci].rules.isEmpty {
            throw error(prioTok, "chain \(tables[ti].chains[ci].name) declared twice, the second time as a base chain "
                        + "(the kernel refuses it: EOPNOTSUPP, \"Operation not supported\")")
        }
        if at("policy") {
            advance()
            spec.policy = try parsePolicy()
            if kind == .semicolon { advance() }
        }
        tables[ti].chains[ci].base = spec
    }

    /// Stateful objects and flowtables: their kind, name and parts (`Objects`); a body this does
    /// not read is skipped, and the object keeps only its kind and name.
    mutating func parseObject(_ ti: Int, _ plan: inout HandlePlan, kind objKind: String, words: Int) throws {
        for _ in 0..<words { advance() }
        let name = try name("a name for the \(objKind)")
        var obj = NamedObject(kind: objKind, name: name)
        if kind == .lbrace {
            let open = tok
            advance()
            if let h = takeHandle() { obj.handle = h }
            if let parts = objKind == "flowtable" ? flowtableParts() : objectParts(objKind), kind == .rbrace {
                obj.parts = parts
            }
            var depth = 1
            while depth > 0 {
                switch kind {
                case .lbrace: depth += 1
                case .rbrace: depth -= 1
                case .eof: throw error(open, "unterminated block: expected '}' to close \(objKind) \"\(name)\"")
                default: break
                }
                advance()
            }
        }
        if let i = tables[ti].objects.firstIndex(where: { $0.kind == objKind && $0.name == name }) {
            if obj.handle != nil { tables[ti].objects[i].handle = obj.handle }
            return
        }
        tables[ti].objects.append(obj)
        if objKind == "flowtable" {
            plan.flowtables.append(tables[ti].objects.count - 1)
        } else {
            plan.objects.append(tables[ti].objects.count - 1)
        }
    }

    mutating func parseSet(_ ti: Int, _ plan: inout HandlePlan, isMap: Bool) throws {
        let what = isMap ? "map" : "set"
        advance()
        let setName = try name("a \(what) name")
        let open = tok
        try expect(.lbrace, "'{' after the \(what) name")
        var set = NamedSet(name: setName, keyType: [])
        if let h = takeHandle() { set.handle = h }
        var sawType = false
        while true {
            skipNewlines()
            if kind == .rbrace { advance(); break }
            if kind == .eof { throw error(open, "unterminated block: expected '}' to close \(what) \"\(setName)\"") }
            if kind == .handleComment { advance(); continue }
            guard kind == .word else { throw unexpected("a \(what) property (type, typeof, flags, elements...) or '}'") }
            switch text(tok) {
            case "type":
                advance()
                var key: [String] = []
                key.append(try name("a data type"))
                while kind == .dot {
                    advance()
                    key.append(try name("a data type"))
                }
                set.keyType = key
                if kind == .colon {
                    advance()
                    var data = [try name("a data type")]
                    while kind == .dot {
                        advance()
                        data.append(try name("a data type"))
                    }
                    set.dataType = data.joined(separator: " . ")
                }
                sawType = true
            case "typeof":
                advance()
                var key: [String] = []
                var exprs: [Expr] = []
                repeat {
                    if kind == .dot { advance() }
                    let e = try parseTypeofExpr()
                    exprs.append(e)
                    key.append(TypeofTypes.datatype(of: e))
                } while kind == .dot
                set.keyType = key
                set.keyTypeof = exprs
                if kind == .colon {
                    advance()
                    if at("verdict") {
                        advance()
                        set.dataType = "verdict"
                    } else {
                        var data: [String] = []
                        var dexprs: [Expr] = []
                        repeat {
                            if kind == .dot { advance() }
                            let e = try parseTypeofExpr()
                            dexprs.append(e)
                            data.append(TypeofTypes.datatype(of: e))
                        } while kind == .dot
                        set.dataType = data.joined(separator: " . ")
                        set.dataTypeof = dexprs
                    }
                }
                sawType = true
            case "flags":
                advance()
                set.flags += try flagList().filter { !set.flags.contains($0) }
            case "elements":
                advance()
                try expect(.assign, "'=' after 'elements'")
                guard kind == .lbrace else { throw unexpected("'{' to start the elements") }
                set.elements += try parseElements()
            case "size", "policy":
                let k = text(tok)
                advance()
                guard kind == .word else { throw unexpected("a value for \(k)") }
                if k == "size" {
                    guard let n = UInt64(text(tok)) else { throw unexpected("a number for size") }
                    set.size = n
                } else {
                    set.policy = text(tok)
                }
                advance()
            case "timeout", "gc-interval":
                let k = text(tok)
                advance()
                guard kind == .word, let secs = Constructs.seconds(text(tok)) else { throw unexpected("a duration such as 30s for \(k)") }
                advance()
                if k == "timeout" {
                    set.timeout = secs
                    // A default timeout makes the kernel set the timeout flag, which `nft -j` lists.
                    if !set.flags.contains("timeout") { set.flags.append("timeout") }
                } else {
                    set.gcInterval = secs
                }
            case "comment":
                advance()
                guard kind == .string else { throw unexpected("a quoted comment") }
                set.comment = text(tok)
                advance()
            case "auto-merge":
                advance()
                set.autoMerge = true
            case "counter", "quota", "limit":
                // Statements every element gets (`counter`, `quota 10 mbytes`...).
                let start = p
                switch text(tok) {
                case "counter": set.stmts.append(try parseCounter(start))
                case "quota": set.stmts.append(try parseQuota(start))
                default: set.stmts.append(try parseLimit(start))
                }
            case "ct":
                while !endsStatement(tok) { advance() }
            default:
                throw unexpected("a \(what) property (type, typeof, flags, elements, size, timeout, policy, comment) or '}'")
            }
        }
        guard sawType else { throw error(open, "\(what) \"\(setName)\" has no 'type' or 'typeof'") }
        if isMap && set.dataType == nil { throw error(open, "map \"\(setName)\" needs 'type key : data'") }
        if let i = setIndex[ti][setName] {
            tables[ti].sets[i].elements += set.elements
            return
        }
        places[.set(ti, tables[ti].sets.count)] = open
        setIndex[ti][setName] = tables[ti].sets.count
        tables[ti].sets.append(set)
        plan.sets.append(tables[ti].sets.count - 1)
    }

    mutating func checkJumps() throws {
        for (ti, target, t) in jumpChecks where chainIndex[ti][target] == nil {
            throw error(t, "jump to unknown chain \"\(target)\" in table \(tables[ti].family.rawValue) \(tables[ti].name)")
        }
    }

    /// Replays the kernel's handle allocation on a fresh `nft -f` (see `HandlePlan`).
    mutating func assignHandles() {
        var counters = [Int](repeating: 0, count: tables.count)
        for i in tables.indices { tables[i].handle = i + 1 }
        for plan in plans {
            let ti = plan.table
            func next() -> Int { counters[ti] += 1; return counters[ti] }
            for c in plan.chains { tables[ti].chains[c].handle = next() }
            for o in plan.objects { tables[ti].objects[o].handle = next() }
            for s in plan.sets { tables[ti].sets[s].handle = next() }
            for f in plan.flowtables { tables[ti].objects[f].handle = next() }
            for r in plan.rules {
                counters[ti] += r.anon
                tables[ti].chains[r.chain].rules[r.rule].handle = next()
            }
        }
    }
}
