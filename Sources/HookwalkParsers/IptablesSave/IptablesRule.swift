import HookwalkModel

/// One part of a rule in the order iptables-nft puts it into the kernel. `native` parts are nft
/// expressions (iptables-nft 1.8.9 writes interfaces, addresses, `-p`, `-m tcp/udp` ports and flags
/// and `-m mark` natively); `xt` parts are xt matches that nft translates when it lists the rule.
/// The difference matters: nft drops a `meta l4proto tcp` that a later native `tcp dport` implies,
/// but an xt statement in between stops that (nft's payload dependency is reset by any statement
/// that is not an expression), so `-p tcp -m comment ... -m tcp --dport 22` lists with it.
enum IptPiece {
    case native([Stmt])
    case xt([Stmt])
}

/// An option with its arguments, as given after `-m NAME` or `-j NAME`.
struct IptOption {
    var negated: Bool
    var name: IptToken
    var values: [IptToken]
}

/// Reads the options of one `-A`/`-I` rule (everything after the chain name) into statements.
struct IptRuleParser {
    let family: Family
    let file: String
    let line: Int
    let toks: [IptToken]
    /// Chains of the table, to tell `-j CHAIN` from `-j TARGET`.
    let chainExists: (String) -> Bool
    /// `ipset-save.txt`, for `-m set`; nil when the snapshot has none.
    let ipsets: IpsetSave?
    var p = 0

    var iif: Stmt?
    var oif: Stmt?
    var proto: (stmt: Stmt, name: String, negated: Bool)?
    var saddr: Stmt?
    var daddr: Stmt?
    var pieces: [IptPiece] = []
    var target: [Stmt] = []
    var comment: String?

    static let generic: Set<String> = [
        "-i", "--in-interface", "-o", "--out-interface", "-s", "--source", "--src", "-d", "--destination", "--dst",
        "-p", "--protocol", "-m", "--match", "-j", "--jump", "-g", "--goto", "-f", "--fragment", "-c", "--set-counters",
    ]

    init(family: Family, file: String, line: Int, toks: [IptToken], ipsets: IpsetSave? = nil, chainExists: @escaping (String) -> Bool) {
        self.ipsets = ipsets
        self.family = family
        self.file = file
        self.line = line
        self.toks = toks
        self.chainExists = chainExists
    }

    func error(_ t: IptToken, _ message: String) -> HookwalkError {
        HookwalkError(file: file, .line(line, column: t.column), message)
    }

    /// The statements in iptables-nft's order (interfaces, protocol, addresses, matches as written,
    /// a counter, the target) with nft's dependency elimination applied, and the `-m comment` text.
    mutating func parse() throws -> (stmts: [Stmt], comment: String?) {
        var negation: IptToken?
        while p < toks.count {
            let t = toks[p]
            if t.text == "!" && !t.quoted {
                if negation != nil { throw error(t, "'!' twice") }
                negation = t
                p += 1
                continue
            }
            guard t.isOption else { throw error(t, "unexpected '\(t.text)': expected an option such as -p, -m or -j") }
            let neg = negation != nil
            negation = nil
            p += 1
            switch t.text {
            case "-i", "--in-interface": iif = .match(left: .meta("iifname"), op: neg ? .ne : .eq, right: try interface(t))
            case "-o", "--out-interface": oif = .match(left: .meta("oifname"), op: neg ? .ne : .eq, right: try interface(t))
            case "-s", "--source", "--src": saddr = try address(t, field: "saddr", negated: neg)
            case "-d", "--destination", "--dst": daddr = try address(t, field: "daddr", negated: neg)
            case "-p", "--protocol": try l4proto(t, negated: neg)
            case "-f", "--fragment": pieces.append(.native([.notModelled(NotModelled(kind: "xt", text: (neg ? "! " : "") + "-f"))]))
            case "-c", "--set-counters": _ = try value(after: t); _ = try value(after: t)
            case "-m", "--match":
                if neg { throw error(t, "'!' cannot negate -m; put it before the match's option") }
                let name = try value(after: t)
                let opts = try options(owner: name)
                pieces.append(try IptMatch.translate(name: name.text, options: opts, rule: self, start: t))
                if comment == nil, let c = IptMatch.comment(name: name.text, options: opts) { comment = c }
            case "-j", "--jump", "-g", "--goto":
                if neg { throw error(t, "'!' cannot negate \(t.text)") }
                let name = try value(after: t)
                let opts = try options(owner: name)
                target = try IptTarget.translate(name: name, goto: t.text == "-g" || t.text == "--goto",
                                                 options: opts, rule: self, start: t)
            default:
                // `-p tcp --dport 80`: iptables loads the protocol's match implicitly.
                guard let implicit = proto?.name, ["tcp", "udp", "icmp"].contains(implicit), t.text.hasPrefix("--") else {
                    throw error(t, "unknown option '\(t.text)'"
                                + (t.text.hasPrefix("--") ? ": expected -m MODULE before it (or -p tcp/udp for ports)" : ""))
                }
                p -= 1
                var opts = try options(owner: t)
                if neg { opts[0].negated = true }
                pieces.append(try IptMatch.translate(name: implicit, options: opts, rule: self, start: t))
            }
        }
        if let negation { throw error(negation, "'!' at the end of the rule: expected an option after it") }
        return (assemble(), comment)
    }

    /// The next word, as the value of option `t`.
    mutating func value(after t: IptToken) throws -> IptToken {
        guard p < toks.count, !toks[p].isOption, toks[p].text != "!" || toks[p].quoted else {
            throw error(t, "missing value after '\(t.text)'")
        }
        p += 1
        return toks[p - 1]
    }

    /// The options of a match or target: everything up to the next generic option.
    mutating func options(owner: IptToken) throws -> [IptOption] {
        var out: [IptOption] = []
        var neg = false
        while p < toks.count {
            let t = toks[p]
            if t.isOption && Self.generic.contains(t.text) { break }
            if t.text == "!" && !t.quoted {
                if p + 1 < toks.count, toks[p + 1].isOption, Self.generic.contains(toks[p + 1].text) { break }
                neg = true
            } else if t.isOption {
                out.append(IptOption(negated: neg, name: t, values: []))
                neg = false
            } else {
                guard !out.isEmpty else { throw error(t, "unexpected '\(t.text)' after '\(owner.text)': expected an option") }
                out[out.count - 1].values.append(t)
            }
            p += 1
        }
        return out
    }

    mutating func interface(_ t: IptToken) throws -> Expr {
        let v = try value(after: t).text
        // iptables' `eth+` wildcard is nft's `eth*`.
        return .value(.string(v.hasSuffix("+") ? String(v.dropLast()) + "*" : v))
    }

    mutating func address(_ t: IptToken, field: String, negated: Bool) throws -> Stmt? {
        let v = try value(after: t)
        let value: Value
        switch IptValues.address(v.text, family: family) {
        case .any: return nil
        case .value(let a): value = a
        case .invalid:
            if v.text.contains(",") { throw error(v, "address lists ('\(v.text)') are not supported: give one address per rule") }
            throw error(v, "'\(v.text)' is not an \(family == .ip ? "IPv4" : "IPv6") address or prefix")
        }
        return .match(left: .payload(proto: family.rawValue, field: field), op: negated ? .ne : .eq, right: .value(value))
    }

    mutating func l4proto(_ t: IptToken, negated: Bool) throws {
        let v = try value(after: t)
        guard let name = IptValues.protocolName(v.text.lowercased(), family: family) else {
            throw error(v, "unknown protocol '\(v.text)'")
        }
        if name == "all" || name == "0" { proto = nil; return }
        let right: Value = UInt64(name).map { .number($0) } ?? .string(name)
        proto = (.match(left: .meta("l4proto"), op: negated ? .ne : .eq, right: .value(right)), name, negated)
    }

    func assemble() -> [Stmt] {
        // (statement, native); a nil statement is an xt match that lists as nothing (`-m comment`)
        // but still separates a `meta l4proto` from the match that implies it.
        var parts: [(Stmt?, Bool)] = []
        for s in [iif, oif, proto?.stmt, saddr, daddr].compactMap({ $0 }) { parts.append((s, true)) }
        for piece in pieces {
            switch piece {
            case .native(let ss): for s in ss { parts.append((s, true)) }
            case .xt(let ss):
                if ss.isEmpty { parts.append((nil, false)) }
                for s in ss { parts.append((s, false)) }
            }
        }
        var out: [Stmt] = []
        var dependency: (index: Int, proto: String)?
        for (stmt, native) in parts {
            guard let s = stmt else { dependency = nil; continue }
            guard native else {
                dependency = nil
                out.append(s)
                continue
            }
            if case .match(.meta("l4proto"), .eq, .value(.string(let name))) = s {
                dependency = (out.count, name)
            } else if let d = dependency, Self.transportProto(s) == d.proto {
                out.remove(at: d.index)
                dependency = nil
            }
            out.append(s)
        }
        return out + [.counter(name: nil)] + target
    }

    /// The protocol of a transport-header match (`tcp dport 80`, `tcp flags & ... == syn`).
    static func transportProto(_ s: Stmt) -> String? {
        guard case .match(let left, _, _) = s else { return nil }
        switch left {
        case .payload(let proto, _): return proto
        case .binop(_, .payload(let proto, _), _): return proto
        default: return nil
        }
    }

    /// The words of a match or target as written, for not-modelled statements.
    static func text(_ start: IptToken, _ name: IptToken, _ options: [IptOption]) -> String {
        var words = [start.text, quote(name)]
        for o in options {
            if o.negated { words.append("!") }
            words.append(o.name.text)
            words += o.values.map(quote)
        }
        return words.joined(separator: " ")
    }

    static func quote(_ t: IptToken) -> String {
        t.quoted || t.text.contains(" ") || t.text.isEmpty ? "\"" + t.text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\\\"") + "\"" : t.text
    }
}
