import HookwalkModel

/// A table being built: its chains and the kernel's handle counter for it.
struct IptTableBuild {
    var name: String
    var chains: [Chain] = []
    var index: [String: Int] = [:]
    var nextHandle = 1
    /// The ipsets its `-m set` rules match against, as named sets, in order of first use.
    var sets: [NamedSet] = []
    /// The line of the `*table` header, for the missing-COMMIT error.
    var headerLine: Int

    mutating func next() -> Int {
        defer { nextHandle += 1 }
        return nextHandle
    }

    /// Creates `name` if it is not there yet; the kernel gives a chain its handle when it is created.
    mutating func create(_ name: String, base: BaseChainSpec?) {
        guard index[name] == nil else { return }
        index[name] = chains.count
        chains.append(Chain(name: name, handle: next(), base: base))
    }
}

/// Reads the lines of either input form. The save form is recognised by any `*table`, `:CHAIN` or
/// `COMMIT` line; without one the text is an `iptables -S` listing of one table.
struct IptReader {
    let file: String
    let family: Family
    let ipsets: IpsetSave?
    var done: [IptTableBuild] = []
    var open: IptTableBuild?
    var seen: Set<String> = []
    /// Whether the input was iptables-save output (else an `iptables -S` dump).
    var saveForm = true

    init(file: String, family: Family, ipsets: IpsetSave? = nil) {
        self.ipsets = ipsets
        self.file = file
        self.family = family
    }

    func error(_ line: Int, _ column: Int, _ message: String) -> HookwalkError {
        HookwalkError(file: file, .line(line, column: column), message)
    }

    mutating func read(_ text: String, defaultTable: String) throws -> Ruleset {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        saveForm = lines.contains { l in
            let t = l.drop { $0 == " " || $0 == "\t" }
            return t.hasPrefix("*") || t.hasPrefix(":") || t == "COMMIT"
        }
        var tableOfLine: [String] = []
        if !saveForm {
            guard IptablesBuiltins.tables[defaultTable] != nil else {
                throw HookwalkError(file: file, "unknown iptables table '\(defaultTable)'")
            }
            tableOfLine = try IptListing.tablesOfSLines(lines, defaultTable: defaultTable, file: file)
        }
        for (i, raw) in lines.enumerated() {
            let n = i + 1
            let indent = raw.prefix { $0 == " " || $0 == "\t" }.count
            let line = String(raw.dropFirst(indent)).trimmingTrailingBlanks()
            if line.isEmpty || line.hasPrefix("#") || IptListing.isPrompt(line) { continue }
            if !saveForm, open?.name != tableOfLine[i] {
                // `iptables -S` of several tables, one after the other: a new table's -P lines.
                if let t = open { done.append(t) }
                guard !seen.contains(tableOfLine[i]) else { throw error(n, indent + 1, "table \(tableOfLine[i]) appears twice") }
                seen.insert(tableOfLine[i])
                open = IptTableBuild(name: tableOfLine[i], headerLine: n)
            }
            let col = indent + 1
            if line.hasPrefix("*") && saveForm {
                if let t = open { throw error(n, col, "table \(t.name) (line \(t.headerLine)) has no COMMIT before this table header") }
                let name = String(line.dropFirst()).trimmingTrailingBlanks()
                guard IptablesBuiltins.tables[name] != nil else {
                    throw error(n, col + 1, "unknown iptables table '\(name)': expected filter, nat, mangle, raw or security")
                }
                guard !seen.contains(name) else { throw error(n, col, "table \(name) appears twice") }
                seen.insert(name)
                open = IptTableBuild(name: name, headerLine: n)
                continue
            }
            if line.trimmingTrailingBlanks() == "COMMIT" && saveForm {
                guard let t = open else { throw error(n, col, "COMMIT without a table header before it") }
                done.append(t)
                open = nil
                continue
            }
            guard open != nil else {
                throw error(n, col, "'\(line.prefix(20))' before its table header: expected a *filter, *nat, ... line first")
            }
            if line.hasPrefix(":") && saveForm {
                try chainDeclaration(line, line: n, column: col)
            } else {
                try command(line, line: n, indent: indent)
            }
        }
        if let t = open {
            if saveForm { throw error(t.headerLine, 1, "table \(t.name) has no COMMIT: the file ends before it") }
            done.append(t)
        }
        return ruleset()
    }

    func ruleset() -> Ruleset {
        var tables: [(Int, Table)] = []
        for t in done where !t.chains.isEmpty {
            tables.append((t.chains.compactMap(\.handle).min() ?? 0, Table(family: family, name: t.name, chains: t.chains, sets: t.sets)))
        }
        // Tables in the order they were created; every table here is created by its first chain.
        var out = tables.map(\.1)
        for i in out.indices { out[i].handle = i + 1 }
        return Ruleset(tables: out)
    }

    /// `:NAME POLICY [packets:bytes]`.
    mutating func chainDeclaration(_ line: String, line n: Int, column: Int) throws {
        let toks = try IptTokenizer.split(String(line.dropFirst()), line: n, file: file).map {
            IptToken(text: $0.text, column: $0.column + column, quoted: $0.quoted)
        }
        guard toks.count >= 2, toks.count <= 3 else {
            throw error(n, column, "expected ':CHAIN POLICY [packets:bytes]'")
        }
        try declare(toks[0], policy: toks[1], line: n, userPolicy: "-")
    }

    /// Creates a chain from `:NAME POLICY` or `-P NAME POLICY` / `-N NAME`.
    mutating func declare(_ name: IptToken, policy: IptToken?, line n: Int, userPolicy: String) throws {
        let tableName = open!.name
        if let spec = IptablesBuiltins.spec(table: tableName, chain: name.text) {
            guard let policy else { throw error(n, name.column, "chain \(name.text) already exists (builtin chain of table \(tableName))") }
            guard let p = Policy(rawValue: policy.text.lowercased()), policy.text == policy.text.uppercased() else {
                throw error(n, policy.column, "unknown policy '\(policy.text)' for builtin chain \(name.text): expected ACCEPT or DROP")
            }
            var base = spec
            base.policy = p
            open!.create(name.text, base: base)
            if let i = open!.index[name.text] { open!.chains[i].base = base }
            return
        }
        if let policy, policy.text != userPolicy {
            throw error(n, policy.column, "chain \(name.text) is not a builtin chain of table \(tableName): it cannot have policy \(policy.text)")
        }
        guard open!.index[name.text] == nil else { throw error(n, name.column, "chain \(name.text) is declared twice") }
        guard !name.text.isEmpty, !name.text.hasPrefix("-"), name.text.count <= 28 else {
            throw error(n, name.column, "invalid chain name '\(name.text)'")
        }
        open!.create(name.text, base: nil)
    }

    /// `-A CHAIN ...`, `-I CHAIN [N] ...`, `-P CHAIN POLICY`, `-N CHAIN`, optionally after `[p:b]`.
    mutating func command(_ line: String, line n: Int, indent: Int) throws {
        var toks = try IptTokenizer.split(line, line: n, file: file).map {
            IptToken(text: $0.text, column: $0.column + indent, quoted: $0.quoted)
        }
        if let first = toks.first, first.text.hasPrefix("["), first.text.hasSuffix("]") { toks.removeFirst() }
        guard let cmd = toks.first else { return }
        func arg(_ i: Int, _ what: String) throws -> IptToken {
            guard i < toks.count else { throw error(n, cmd.column, "missing \(what) after '\(cmd.text)'") }
            return toks[i]
        }
        switch cmd.text {
        case "-P", "--policy":
            let name = try arg(1, "a chain name")
            guard IptablesBuiltins.spec(table: open!.name, chain: name.text) != nil else {
                throw error(n, name.column, "-P \(name.text): not a builtin chain of table \(open!.name)")
            }
            try declare(name, policy: try arg(2, "a policy"), line: n, userPolicy: "")
            if toks.count > 3 { throw error(n, toks[3].column, "unexpected '\(toks[3].text)' after the policy") }
        case "-N", "--new-chain", "--new":
            let name = try arg(1, "a chain name")
            if IptablesBuiltins.spec(table: open!.name, chain: name.text) != nil {
                throw error(n, name.column, "-N \(name.text): chain already exists (builtin chain of table \(open!.name))")
            }
            try declare(name, policy: nil, line: n, userPolicy: "-")
            if toks.count > 2 { throw error(n, toks[2].column, "unexpected '\(toks[2].text)' after the chain name") }
        case "-A", "--append", "-I", "--insert":
            let name = try arg(1, "a chain name")
            var rest = 2
            var position: Int?
            if cmd.text.hasPrefix("-I") || cmd.text == "--insert", rest < toks.count, let pos = Int(toks[rest].text) {
                guard pos >= 1 else { throw error(n, toks[rest].column, "rule position must be 1 or more") }
                position = pos
                rest += 1
            }
            try appendRule(chain: name, options: Array(toks[rest...]), line: n, insertAt: position ?? (cmd.text.hasPrefix("-I") || cmd.text == "--insert" ? 1 : nil))
        default:
            throw error(n, cmd.column, "unknown command '\(cmd.text)': expected -A, -I, -N or -P"
                        + (cmd.text.hasPrefix("-") ? "" : " (or a *table, :CHAIN or COMMIT line)"))
        }
    }

    /// `extra`: statements the options could not express (an `iptables -L` row's untranslated
    /// option text), placed before the counter and target.
    mutating func appendRule(chain: IptToken, options: [IptToken], line n: Int, insertAt: Int?, extra: [Stmt] = []) throws {
        let tableName = open!.name
        if open!.index[chain.text] == nil {
            guard let spec = IptablesBuiltins.spec(table: tableName, chain: chain.text) else {
                throw error(n, chain.column, "chain \(chain.text) is not defined in table \(tableName): declare it with :\(chain.text) - or -N first")
            }
            // A rule in an undeclared builtin chain creates it (policy accept), as iptables-nft does.
            open!.create(chain.text, base: spec)
        }
        let known = open!.index
        var parser = IptRuleParser(family: family, file: file, line: n, toks: options, ipsets: ipsets) { known[$0] != nil }
        var (stmts, comment) = try parser.parse()
        if !extra.isEmpty {
            let at = stmts.lastIndex(where: { if case .counter = $0 { return true } else { return false } }) ?? stmts.count
            stmts.insert(contentsOf: extra, at: at)
        }
        for case .match(_, _, .setRef(let name)) in stmts where !open!.sets.contains(where: { $0.name == name }) {
            if let set = ipsets?.sets[name]?.namedSet { open!.sets.append(set) }
        }
        let rule = Rule(handle: open!.next(), stmts: stmts, comment: comment)
        let ci = open!.index[chain.text]!
        if let pos = insertAt {
            guard pos <= open!.chains[ci].rules.count + 1 else {
                throw error(n, chain.column, "rule position \(pos) is past the end of chain \(chain.text)")
            }
            open!.chains[ci].rules.insert(rule, at: pos - 1)
        } else {
            open!.chains[ci].rules.append(rule)
        }
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var s = Substring(self)
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
