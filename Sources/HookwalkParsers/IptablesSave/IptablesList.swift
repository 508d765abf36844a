import Foundation
import HookwalkModel

/// The `iptables -L -n [-v] [--line-numbers] [-x]` front end: the column listing people paste.
///
/// Each row is turned back into the iptables-save options it was printed from (`prot 6` is
/// `-p tcp`, `!docker1` under `in` is `! -i docker1`, `tcp dpt:80` is `-m tcp --dport 80`,
/// `to:172.20.0.2:80` is `--to-destination 172.20.0.2:80`...) and read by the same rule parser as
/// iptables-save, so both give the same model. What the listing does not show is stated in the
/// ruleset's `gaps`, never guessed silently: without `-v` there are no interface columns (rules
/// are read as matching any interface), option text hookwalk cannot translate back stays a
/// not-modelled statement naming the text, and the tables the dump leaves out are named.
enum IptablesList {
    /// Whether `text` looks like an `iptables -L` listing (a `Chain NAME (...)` header).
    static func isListing(_ text: String) -> Bool {
        text.split(separator: "\n", maxSplits: 40, omittingEmptySubsequences: true).contains { l in
            let t = l.drop { $0 == " " || $0 == "\t" }
            return t.hasPrefix("Chain ") && t.contains("(")
        }
    }

    /// iptables prints `prot` as a number for most protocols (1.8.9 even for tcp); the names are
    /// iptables-save's.
    static let protocolNames: [String: String] = [
        "0": "all", "1": "icmp", "2": "igmp", "6": "tcp", "17": "udp", "33": "dccp", "47": "gre", "50": "esp", "51": "ah",
        "58": "ipv6-icmp", "132": "sctp", "136": "udplite",
    ]

    static func parse(_ text: String, file: String, family: Family, defaultTable: String, ipsets: IpsetSave?) throws -> Ruleset {
        var reader = IptReader(file: file, family: family, ipsets: ipsets)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        var sawVerbose = false, sawBrief = false
        var columns: [String] = []
        var chain: IptToken?
        var seen: Set<String> = []
        var header: String?
        var blockBuiltins: Set<String> = []
        var lastWasUser = false
        var untranslated = 0

        func error(_ n: Int, _ c: Int, _ m: String) -> HookwalkError { HookwalkError(file: file, .line(n, column: c), m) }

        // The table of each block: the builtin chains of its `(policy ...)` headers.
        func tableOf(block start: Int) -> String {
            var builtins: Set<String> = []
            var j = start
            while j < lines.count {
                let l = lines[j].trimmingCharacters(in: " \t")
                if l.hasPrefix("Chain "), l.contains("(policy ") {
                    let name = String(l.dropFirst(6).prefix { $0 != " " })
                    if builtins.contains(name) { break }
                    builtins.insert(name)
                } else if l.hasPrefix("Chain ") {
                    break
                } else if !l.isEmpty, IptListing.isPrompt(l) {
                    break
                }
                j += 1
            }
            return IptListing.table(of: builtins, seen: seen) ?? (seen.isEmpty ? defaultTable : "filter")
        }

        // The chain headers of the block starting at line index `start`.
        func headers(from start: Int) -> [(line: Int, name: IptToken, policy: IptToken?)] {
            var out: [(line: Int, name: IptToken, policy: IptToken?)] = []
            var builtins: Set<String> = []
            var user = false
            for j in start..<lines.count {
                let raw = lines[j]
                let ind = raw.prefix { $0 == " " || $0 == "\t" }.count
                let l = String(raw.dropFirst(ind)).trimmingTrailingBlanks()
                if j > start, !l.hasPrefix("Chain "), IptListing.isPrompt(l) { break }
                guard l.hasPrefix("Chain ") else { continue }
                let w = l.split(separator: " ").map(String.init)
                guard w.count >= 3 else { continue }
                let name = IptToken(text: w[1], column: ind + 7)
                if w[2] == "(policy" {
                    if j > start, user || builtins.contains(w[1]) { break }
                    builtins.insert(w[1])
                    let policy = w.count >= 4 ? IptToken(text: w[3].trimmingCharacters(in: ")"), column: ind + 1 + l.distance(to: w[3])) : nil
                    out.append((j + 1, name, policy))
                } else {
                    user = true
                    out.append((j + 1, name, nil))
                }
            }
            return out
        }

        for (i, raw) in lines.enumerated() {
            let n = i + 1
            let indent = raw.prefix { $0 == " " || $0 == "\t" }.count
            let line = String(raw.dropFirst(indent)).trimmingTrailingBlanks()
            if line.isEmpty { continue }
            if !line.hasPrefix("Chain "), let named = IptListing.promptTable(line) {
                header = named ?? "filter"
                continue
            }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("Chain ") {
                let words = line.split(separator: " ").map(String.init)
                guard words.count >= 3, words[2].hasPrefix("(") else {
                    throw error(n, indent + 1, "expected 'Chain NAME (policy P ...)' or 'Chain NAME (N references)'")
                }
                let name = IptToken(text: words[1], column: indent + 7)
                let isBuiltin = words[2] == "(policy"
                // A new table: a builtin chain after user chains, or one this table already has.
                if reader.open == nil || header != nil || (isBuiltin && (lastWasUser || blockBuiltins.contains(name.text))) {
                    if let t = reader.open { reader.done.append(t) }
                    let table = header ?? tableOf(block: i)
                    header = nil
                    guard IptablesBuiltins.tables[table] != nil else { throw error(n, 1, "unknown iptables table '\(table)'") }
                    guard !seen.contains(table) else { throw error(n, indent + 1, "table \(table) appears twice") }
                    seen.insert(table)
                    reader.open = IptTableBuild(name: table, headerLine: n)
                    blockBuiltins = []
                    // Rules jump to chains listed after them: every chain of the block first.
                    for h in headers(from: i) {
                        if let policy = h.policy {
                            guard IptablesBuiltins.spec(table: table, chain: h.name.text) != nil else {
                                throw error(h.line, h.name.column, "chain \(h.name.text) has a policy but is not a builtin chain of table \(table)")
                            }
                            try reader.declare(h.name, policy: policy, line: h.line, userPolicy: "")
                        } else if reader.open!.index[h.name.text] == nil {
                            try reader.declare(h.name, policy: nil, line: h.line, userPolicy: "-")
                        }
                    }
                }
                if isBuiltin {
                    guard words.count >= 4 else { throw error(n, indent + 1, "expected a policy after '(policy'") }
                    blockBuiltins.insert(name.text)
                }
                lastWasUser = !isBuiltin
                chain = name
                columns = []
                continue
            }
            guard let current = chain else {
                throw error(n, indent + 1, "'\(line.prefix(20))' before its chain: expected a 'Chain NAME (...)' header first")
            }
            let words = splitColumns(line, indent: indent)
            if columns.isEmpty {
                let names = words.map(\.text)
                guard names.contains("target"), names.contains("source"), names.contains("destination") else {
                    throw error(n, indent + 1, "expected the column header (target prot opt ... source destination) after 'Chain \(current.text)'")
                }
                columns = names
                if names.contains("in") { sawVerbose = true } else { sawBrief = true }
                continue
            }
            let (toks, extra) = try row(words, columns: columns, line: n, file: file, family: family)
            if extra != nil { untranslated += 1 }
            try reader.appendRule(chain: current, options: toks, line: n, insertAt: nil,
                                  extra: extra.map { [.notModelled(NotModelled(kind: "xt", text: "iptables -L: \($0)"))] } ?? [])
        }
        if let t = reader.open { reader.done.append(t) }
        guard !reader.done.isEmpty else { throw HookwalkError(file: file, .line(1, column: 1), "no 'Chain NAME (...)' header: not an iptables -L listing") }
        var ruleset = reader.ruleset()
        let tool = family == .ip ? "iptables" : "ip6tables"
        ruleset.gaps.append("read from an `\(tool) -L` listing: rules are rebuilt from its columns and option text; counters, and anything the listing prints only in part, are not in it")
        if sawBrief {
            ruleset.gaps.append("the listing has no in/out columns (`\(tool) -L` without `-v`): interface matches are unknown and its rules are read as matching any interface, so every path that depends on an interface (Docker's `-i`/`-o docker0` rules, isolation) is uncertain; list with `-L -n -v`")
        } else if !sawVerbose {
            ruleset.gaps.append("the listing has no rules")
        }
        if untranslated > 0 {
            ruleset.gaps.append("\(untranslated) rule(s) carry option text hookwalk cannot translate back into iptables options: they are not modelled (`iptables -L: ...` in the rule)")
        }
        ruleset.gaps += IptablesList.absentTables(seen, tool: tool)
        return ruleset
    }

    /// The tables of iptables a dump leaves out, and what that leaves uncertain.
    static func absentTables(_ present: Set<String>, tool: String) -> [String] {
        var out: [String] = []
        let why: [(String, String)] = [
            ("filter", "its INPUT, FORWARD and OUTPUT verdicts (Docker's DOCKER, DOCKER-USER and isolation chains) are unknown: every path is shown as accepted by the policies of the tables that are there"),
            ("nat", "DNAT of published ports and masquerading are unknown: paths to published ports and container egress are shown without NAT"),
            ("mangle", "its marks and rules are unknown"),
            ("raw", "its PREROUTING rules (Docker 28's drops of direct access to container addresses) and notrack are unknown"),
        ]
        for (t, what) in why where !present.contains(t) {
            out.append("table \(t) is absent from the dump (`\(tool) -t \(t) ...` was not listed): \(what)")
        }
        return out
    }

    /// Words with their columns.
    static func splitColumns(_ line: String, indent: Int) -> [IptToken] {
        var out: [IptToken] = []
        var current = ""
        var start = 0
        for (i, c) in line.enumerated() {
            if c == " " || c == "\t" {
                if !current.isEmpty { out.append(IptToken(text: current, column: indent + start + 1)); current = "" }
            } else {
                if current.isEmpty { start = i }
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(IptToken(text: current, column: indent + start + 1)) }
        return out
    }

    static func isOpt(_ s: String) -> Bool { s == "--" || s == "-f" || s == "!f" }

    /// One row: the iptables-save options it was printed from, and the option text that could not
    /// be translated back (nil when all of it was).
    static func row(_ words: [IptToken], columns: [String], line n: Int, file: String, family: Family) throws -> ([IptToken], String?) {
        var cols = columns
        var w = words
        func err(_ t: IptToken?, _ m: String) -> HookwalkError {
            HookwalkError(file: file, .line(n, column: t?.column ?? 1), m)
        }
        // A rule without a target has an empty target column: the opt column comes one early.
        if let ti = cols.firstIndex(of: "target"), let oi = cols.firstIndex(of: "opt"), oi < w.count, ti + 1 == oi - 1,
           ti + 1 < w.count, isOpt(w[ti + 1].text), !isOpt(w[oi].text) {
            cols.remove(at: ti)
        }
        guard w.count >= cols.count else {
            throw err(w.last, "truncated row: expected \(cols.count) columns (\(cols.joined(separator: " "))), found \(w.count)")
        }
        var out: [IptToken] = []
        func add(_ text: String, _ at: IptToken) { out.append(IptToken(text: text, column: at.column)) }
        var target: IptToken?
        for (i, name) in cols.enumerated() {
            let t = w[i]
            switch name {
            case "num":
                guard Int(t.text) != nil else { throw err(t, "expected a rule number under 'num', found '\(t.text)'") }
            case "pkts", "bytes":
                guard t.text.first?.isNumber == true else { throw err(t, "expected a counter under '\(name)', found '\(t.text)'") }
            case "target":
                target = t
            case "prot":
                var p = t.text
                var neg = false
                if p.hasPrefix("!") { neg = true; p.removeFirst() }
                let name = protocolNames[p] ?? p
                if name != "all" {
                    if neg { add("!", t) }
                    add("-p", t); add(name, t)
                }
            case "opt":
                guard isOpt(t.text) else { throw err(t, "expected '--', '-f' or '!f' under 'opt', found '\(t.text)'") }
                if t.text == "-f" { add("-f", t) }
                if t.text == "!f" { add("!", t); add("-f", t) }
            case "in", "out":
                guard t.text != "*" else { continue }
                var v = t.text
                if v.hasPrefix("!") { add("!", t); v.removeFirst() }
                add(name == "in" ? "-i" : "-o", t); add(v, t)
            case "source", "destination":
                var v = t.text
                if v == "anywhere" || v == "0.0.0.0/0" || v == "::/0" { continue }
                if v.hasPrefix("!") { add("!", t); v.removeFirst() }
                if !v.contains("/") { v += family == .ip ? "/32" : "/128" }
                add(name == "source" ? "-s" : "-d", t); add(v, t)
            default:
                break
            }
        }
        w.removeFirst(cols.count)
        let (options, rest) = translate(w, target: target?.text ?? "")
        out += options
        if let target { out.append(IptToken(text: "-j", column: target.column)); out.append(target) }
        out += rest.targetOptions
        return (out, rest.untranslated.isEmpty ? nil : rest.untranslated.map(\.text).joined(separator: " "))
    }

    /// The option text after the columns, back to iptables-save options: matches first, target
    /// options (`to:`, `reject-with`...) after the `-j`.
    static func translate(_ words: [IptToken], target: String) -> ([IptToken], (targetOptions: [IptToken], untranslated: [IptToken])) {
        var matches: [IptToken] = []
        var targetOpts: [IptToken] = []
        var left: [IptToken] = []
        var i = 0
        func tok(_ s: String, _ at: IptToken) -> IptToken { IptToken(text: s, column: at.column) }
        while i < words.count {
            let t = words[i]
            let s = t.text
            let next = i + 1 < words.count ? words[i + 1].text : nil
            if (s == "tcp" || s == "udp" || s == "sctp" || s == "dccp"), let nx = next, nx.contains(":") {
                // `tcp dpt:80 spt:1024` / `udp dpts:1000:2000`
                matches += [tok("-m", t), tok(s, t)]
                i += 1
                while i < words.count, let c = words[i].text.firstIndex(of: ":") {
                    let key = String(words[i].text[..<c])
                    var val = String(words[i].text[words[i].text.index(after: c)...])
                    let opt: String
                    switch key {
                    case "dpt", "dpts": opt = "--dport"
                    case "spt", "spts": opt = "--sport"
                    default: opt = ""
                    }
                    guard !opt.isEmpty else { break }
                    if val.hasPrefix("!") { matches.append(tok("!", words[i])); val.removeFirst() }
                    matches += [tok(opt, words[i]), tok(val, words[i])]
                    i += 1
                }
                continue
            }
            if (s == "ctstate" || s == "state"), let nx = next {
                matches += s == "ctstate" ? [tok("-m", t), tok("conntrack", t), tok("--ctstate", t)] : [tok("-m", t), tok("state", t), tok("--state", t)]
                matches.append(tok(nx, words[i + 1]))
                i += 2
                continue
            }
            if s == "ADDRTYPE", next == "match" {
                matches += [tok("-m", t), tok("addrtype", t)]
                i += 2
                while i + 1 < words.count, words[i].text == "dst-type" || words[i].text == "src-type" {
                    var val = words[i + 1].text
                    if val.hasPrefix("!") { matches.append(tok("!", words[i])); val.removeFirst() }
                    matches += [tok("--" + words[i].text, words[i]), tok(val, words[i + 1])]
                    i += 2
                }
                continue
            }
            if s == "multiport", let nx = next, nx == "dports" || nx == "sports", i + 2 < words.count {
                matches += [tok("-m", t), tok("multiport", t), tok("--" + nx, words[i + 1]), tok(words[i + 2].text, words[i + 2])]
                i += 3
                continue
            }
            if s == "match-set", i + 2 < words.count {
                matches += [tok("-m", t), tok("set", t), tok("--match-set", t), tok(words[i + 1].text, words[i + 1]), tok(words[i + 2].text, words[i + 2])]
                i += 3
                continue
            }
            if s == "/*", let end = words[(i + 1)...].firstIndex(where: { $0.text == "*/" }) {
                let text = words[(i + 1)..<end].map(\.text).joined(separator: " ")
                matches += [tok("-m", t), tok("comment", t), tok("--comment", t), IptToken(text: text, column: t.column, quoted: true)]
                i = end + 1
                continue
            }
            if s.hasPrefix("to:"), target == "DNAT" || target == "SNAT" {
                targetOpts += [tok(target == "DNAT" ? "--to-destination" : "--to-source", t), tok(String(s.dropFirst(3)), t)]
                i += 1
                continue
            }
            if s == "masq", next == "ports:", i + 2 < words.count {
                targetOpts += [tok("--to-ports", t), tok(words[i + 2].text, words[i + 2])]
                i += 3
                continue
            }
            if s == "redir", next == "ports", i + 2 < words.count {
                targetOpts += [tok("--to-ports", t), tok(words[i + 2].text, words[i + 2])]
                i += 3
                continue
            }
            if s == "reject-with", let nx = next {
                targetOpts += [tok("--reject-with", t), tok(nx, words[i + 1])]
                i += 2
                continue
            }
            left.append(t)
            i += 1
        }
        return (matches, (targetOpts, left))
    }
}

extension String {
    /// The offset of `word`'s first occurrence, for columns.
    func distance(to word: String) -> Int {
        guard let r = range(of: word) else { return 0 }
        return self.distance(from: startIndex, to: r.lowerBound)
    }
}
