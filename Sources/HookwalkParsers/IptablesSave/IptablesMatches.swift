import HookwalkModel

/// `-m NAME ...`: the matches nft can translate become the statements `nft list ruleset` shows for
/// them (verified against iptables-nft 1.8.9 + nft 1.0.6); the rest, and any option hookwalk does not
/// model, become one not-modelled statement of kind `xt` holding the match as written.
enum IptMatch {
    static func translate(name: String, options: [IptOption], rule: IptRuleParser, start: IptToken) throws -> IptPiece {
        let nameTok = IptToken(text: name, column: start.column)
        let text = start.text == "-m" || start.text == "--match" ? IptRuleParser.text(start, nameTok, options)
            : options.map { ($0.negated ? "! " : "") + ([$0.name] + $0.values).map(IptRuleParser.quote).joined(separator: " ") }
                .joined(separator: " ")
        let notModelled = IptPiece.xt([.notModelled(NotModelled(kind: "xt", text: text))])
        for o in options where o.values.contains(where: { $0.text.isEmpty }) {
            throw rule.error(o.name, "empty value for '\(o.name.text)'")
        }
        let result: IptPiece?
        switch name {
        case "tcp", "udp": result = try ports(name, options, rule)
        case "conntrack", "state": result = ctstate(options)
        case "addrtype": result = addrtype(options)
        case "multiport": result = multiport(options, rule)
        case "comment":
            guard options.count == 1, options[0].name.text == "--comment", options[0].values.count == 1 else { return notModelled }
            return .xt([])
        case "mark": result = mark(options)
        case "connmark": result = connmark(options)
        case "limit": result = limit(options)
        case "icmp": result = icmp(options)
        case "icmp6": result = icmp6(options)
        case "hl": result = hl(options)
        case "rt": result = rt(options)
        case "set": return set(options, rule: rule, text: text)
        case "statistic": result = statistic(options)
        default: result = nil
        }
        return result ?? notModelled
    }

    /// `-m statistic --mode nth --every N [--packet K]` -> `numgen inc mod N K`, and `--mode random
    /// --probability P` -> `meta random & 2147483647 < lround(P * 2^31)`: what nft lists for them
    /// (libxt_statistic's xlate; checked with iptables-nft 1.8.9 and nft 1.0.6). Both are branch
    /// points the simulator follows one way and lists every way (docs/trace.md, "Branches"). A
    /// negation, or an option besides these, stays not modelled.
    static func statistic(_ options: [IptOption]) -> IptPiece? {
        var mode: String?, every: UInt64?, packet: UInt64 = 0, probability: Double?
        for o in options {
            guard !o.negated, o.values.count == 1 else { return nil }
            let v = o.values[0].text
            switch o.name.text {
            case "--mode": mode = v
            case "--every": every = UInt64(v)
            case "--packet": guard let k = UInt64(v) else { return nil }; packet = k
            case "--probability": probability = Double(v)
            default: return nil
            }
        }
        switch mode {
        case "nth":
            guard let n = every, n >= 1, packet < n, probability == nil else { return nil }
            let e = Expr.keyed(KeyedExpr(family: Numgen.name, parts: ["mode": .word("inc"), "mod": .atom(.number(n)), "offset": .atom(.number(0))]))
            return .xt([.match(left: e, op: .eq, right: .value(.number(packet)))])
        case "random":
            guard let p = probability, p >= 0, p <= 1, every == nil else { return nil }
            let threshold = UInt64((p * 2_147_483_648).rounded())
            let draw = Expr.binop(op: "&", left: .meta("random"), right: .value(.number(2_147_483_647)))
            return .xt([.match(left: draw, op: .lt, right: .value(.number(threshold)))])
        default:
            return nil
        }
    }

    /// The comment of a `-m comment` match, if that is what this is.
    static func comment(name: String, options: [IptOption]) -> String? {
        guard name == "comment", options.count == 1, options[0].name.text == "--comment", options[0].values.count == 1 else { return nil }
        return options[0].values[0].text
    }

    static func match(_ left: Expr, _ negated: Bool, _ right: Value) -> Stmt {
        .match(left: left, op: negated ? .ne : .eq, right: .value(right))
    }

    /// `-m tcp|udp --sport --dport [--syn | --tcp-flags MASK COMP]`, written natively by iptables-nft
    /// as `tcp sport`, `tcp dport` and `tcp flags & MASK == COMP`, in that order.
    static func ports(_ proto: String, _ options: [IptOption], _ rule: IptRuleParser) throws -> IptPiece? {
        var sport: Stmt?
        var dport: Stmt?
        var flags: Stmt?
        for o in options {
            switch o.name.text {
            case "--sport", "--source-port", "--dport", "--destination-port":
                guard o.values.count == 1 else { return nil }
                guard let v = IptValues.ports(o.values[0].text) else {
                    throw rule.error(o.values[0], "'\(o.values[0].text)' is not a port or a range such as 1000:2000")
                }
                let field = o.name.text.hasPrefix("--s") ? "sport" : "dport"
                let s = v.map { match(.payload(proto: proto, field: field), o.negated, $0) }
                if field == "sport" { sport = s } else { dport = s }
            case "--syn" where proto == "tcp":
                guard o.values.isEmpty else { return nil }
                flags = tcpFlags(["SYN", "RST", "ACK", "FIN"], ["SYN"], o.negated)
            case "--tcp-flags" where proto == "tcp":
                guard o.values.count == 2 else { return nil }
                flags = tcpFlags(o.values[0].text.split(separator: ",").map(String.init),
                                 o.values[1].text.split(separator: ",").map(String.init), o.negated)
                if flags == nil { return nil }
            case "--tcp-option" where proto == "tcp", "--tcp-flags", "--syn":
                return nil
            default:
                throw rule.error(o.name, "unknown option '\(o.name.text)' of match \(proto)")
            }
        }
        let stmts = [sport, dport, flags].compactMap { $0 }
        return .native(stmts)
    }

    /// nft's bit order of the TCP flags, which is the order it lists them in.
    static let tcpFlagOrder = ["fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr"]

    static func tcpFlags(_ mask: [String], _ comp: [String], _ negated: Bool) -> Stmt? {
        func flags(_ names: [String]) -> [String]? {
            var set = Set<String>()
            for n in names.map({ $0.lowercased() }) {
                if n == "all" { set.formUnion(tcpFlagOrder.prefix(6)); continue }
                guard tcpFlagOrder.prefix(6).contains(n) else { return nil }
                set.insert(n)
            }
            return tcpFlagOrder.filter(set.contains)
        }
        guard let m = flags(mask), let c = flags(comp), !c.isEmpty, !m.isEmpty else { return nil }
        func value(_ f: [String]) -> Value { f.count == 1 ? .string(f[0]) : .list(f.map { .string($0) }) }
        return .match(left: .binop(op: "&", left: .payload(proto: "tcp", field: "flags"), right: .value(value(m))),
                      op: negated ? .ne : .eq, right: .value(value(c)))
    }

    /// `-m conntrack --ctstate` / `-m state --state`: `ct state a,b` in nft's order of the states,
    /// or `ct status snat|dnat`. A negated state list lists as `ct state ! x`, which hookwalk's nft
    /// text front end keeps as a not-modelled `match`; the same here.
    static func ctstate(_ options: [IptOption]) -> IptPiece? {
        guard options.count == 1, ["--ctstate", "--state"].contains(options[0].name.text), options[0].values.count == 1 else { return nil }
        let o = options[0]
        let names = o.values[0].text.lowercased().split(separator: ",").map(String.init)
        let order = ["invalid", "new", "related", "established", "untracked"]
        if names.count == 1, ["snat", "dnat"].contains(names[0]) {
            if o.negated { return nil }
            return .xt([.match(left: .ct(key: "status", dir: nil, family: nil), op: .flags, right: .value(.string(names[0])))])
        }
        guard !names.isEmpty, names.allSatisfy(order.contains) else { return nil }
        if o.negated {
            return .xt([.notModelled(NotModelled(kind: "match", text: "ct state ! " + order.filter(names.contains).joined(separator: ",")))])
        }
        let sorted = order.filter(names.contains)
        let right: Value = sorted.count == 1 ? .string(sorted[0]) : .list(sorted.map { .string($0) })
        return .xt([.match(left: .ct(key: "state", dir: nil, family: nil), op: .flags, right: .value(right))])
    }

    /// `-m addrtype --src-type T --dst-type T [--limit-iface-in|out]` -> `fib saddr|daddr [. iif|oif] type T`.
    static func addrtype(_ options: [IptOption]) -> IptPiece? {
        var iface: String?
        var tests: [(String, IptOption)] = []
        for o in options {
            switch o.name.text {
            case "--src-type": tests.append(("saddr", o))
            case "--dst-type": tests.append(("daddr", o))
            case "--limit-iface-in": iface = "iif"
            case "--limit-iface-out": iface = "oif"
            default: return nil
            }
        }
        var stmts: [Stmt] = []
        for (addr, o) in tests {
            guard o.values.count == 1 else { return nil }
            let types = o.values[0].text.lowercased().split(separator: ",").map(String.init)
            let left = Expr.fib(result: "type", flags: [addr] + (iface.map { [$0] } ?? []))
            let right: Expr = types.count == 1 ? .value(.string(types[0]))
                : .set(types.map { SetElement(key: .string($0)) })
            stmts.append(.match(left: left, op: o.negated ? .ne : .eq, right: right))
        }
        return stmts.isEmpty ? nil : .xt(stmts)
    }

    /// `-m multiport --dports|--sports a,b,c:d` -> `tcp dport { a, b, c-d }`; `--ports` -> the
    /// `sport . dport` set nft lists for it. Needs `-p tcp|udp|sctp|dccp|udplite` before it.
    static func multiport(_ options: [IptOption], _ rule: IptRuleParser) -> IptPiece? {
        guard options.count == 1, options[0].values.count == 1,
              let proto = rule.proto?.name, !rule.proto!.negated, ["tcp", "udp", "sctp", "dccp", "udplite"].contains(proto) else { return nil }
        let o = options[0]
        var values: [Value] = []
        for item in o.values[0].text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = IptValues.ports(String(item)), let v else { return nil }
            values.append(v)
        }
        let right: Expr
        let left: Expr
        switch o.name.text {
        case "--dports", "--destination-ports", "--sports", "--source-ports":
            left = .payload(proto: proto, field: o.name.text.hasPrefix("--d") ? "dport" : "sport")
            right = values.count == 1 ? .value(values[0]) : .set(values.map { SetElement(key: $0) })
        case "--ports":
            let any = Value.range(.number(0), .number(65535))
            left = .concat([.payload(proto: proto, field: "sport"), .payload(proto: proto, field: "dport")])
            right = .set(values.flatMap { [SetElement(key: .concat([any, $0])), SetElement(key: .concat([$0, any]))] })
        default:
            return nil
        }
        return .xt([.match(left: left, op: o.negated ? .ne : .eq, right: right)])
    }

    /// `-m connmark --mark V[/M]` -> `ct mark V` or `ct mark & M == V`: an xt match that nft
    /// translates when it lists the rule (libxt_connmark's xlate).
    static func connmark(_ options: [IptOption]) -> IptPiece? {
        guard case .native(let stmts)? = mark(options), case .match(let left, let op, let right)? = stmts.first else { return nil }
        func ct(_ e: Expr) -> Expr {
            if case .binop(let o, _, let r) = e { return .binop(op: o, left: .ct(key: "mark", dir: nil, family: nil), right: r) }
            return .ct(key: "mark", dir: nil, family: nil)
        }
        return .xt([.match(left: ct(left), op: op, right: right)])
    }

    /// `-m mark --mark V[/M]` -> `meta mark V` or `meta mark & M == V` (native in iptables-nft).
    static func mark(_ options: [IptOption]) -> IptPiece? {
        guard options.count == 1, options[0].name.text == "--mark", options[0].values.count == 1 else { return nil }
        let o = options[0]
        let parts = o.values[0].text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let v = number(parts[0]) else { return nil }
        var left = Expr.meta("mark")
        if parts.count == 2 {
            guard let m = number(parts[1]) else { return nil }
            if m != 0xffff_ffff { left = .binop(op: "&", left: left, right: .value(.number(m))) }
        }
        return .native([match(left, o.negated, .number(v))])
    }

    static func number(_ s: String) -> UInt64? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt64(s.dropFirst(2), radix: 16) }
        return UInt64(s)
    }

    /// `-m limit --limit N/unit [--limit-burst B]` -> `limit rate N/unit [burst B packets]`; nft
    /// omits the default burst of 5, and so does the model.
    static func limit(_ options: [IptOption]) -> IptPiece? {
        var rate: UInt64 = 3
        var per = "hour"
        var burst: UInt64?
        for o in options where !o.negated && o.values.count == 1 {
            switch o.name.text {
            case "--limit":
                let parts = o.values[0].text.split(separator: "/").map(String.init)
                let units = ["s": "second", "m": "minute", "h": "hour", "d": "day"]
                guard let n = UInt64(parts[0]) else { return nil }
                rate = n
                if parts.count == 2 {
                    guard let unit = units[String(parts[1].prefix(1))] else { return nil }
                    per = unit
                } else {
                    per = "second"
                }
            case "--limit-burst":
                guard let b = UInt64(o.values[0].text) else { return nil }
                burst = b == 5 ? nil : b
            default:
                return nil
            }
        }
        guard options.allSatisfy({ !$0.negated && $0.values.count == 1 }) else { return nil }
        return .xt([.limit(rate: rate, per: per, burst: burst, unit: nil, over: false)])
    }

    /// `-m icmp --icmp-type T`: a type without a code lists as `icmp type NAME`; `any` as the
    /// `ip protocol icmp` nft prints for it. Codes stay not modelled (nft 1.0.6 lists `xt match "icmp"`).
    static func icmp(_ options: [IptOption]) -> IptPiece? {
        guard options.count == 1, options[0].name.text == "--icmp-type", options[0].values.count == 1 else { return nil }
        let o = options[0]
        let names = SymbolTable.icmpTypes
        let v = o.values[0].text.lowercased()
        if v == "any" { return o.negated ? nil : .xt([match(.payload(proto: "ip", field: "protocol"), false, .string("icmp"))]) }
        let name: String
        if let n = UInt64(v) {
            guard let known = names.name(of: n) else { return nil }
            name = known
        } else {
            guard names.names[v] != nil else { return nil }
            name = v
        }
        return .xt([match(.payload(proto: "icmp", field: "type"), o.negated, .string(name))])
    }

    /// `-m icmp6 --icmpv6-type T` (ip6tables-save prints the number): nft lists `icmpv6 type NAME`
    /// only for the types iptables-nft 1.8.9 translates (checked in a scratch netns: 1-4, 128, 129,
    /// 133-137, any code); any other type (130, 141, 143...) or a code lists as `xt match "icmp6"`,
    /// and stays not modelled here too.
    static func icmp6(_ options: [IptOption]) -> IptPiece? {
        guard options.count == 1, options[0].name.text == "--icmpv6-type", options[0].values.count == 1 else { return nil }
        let o = options[0]
        let translated: Set<UInt64> = [1, 2, 3, 4, 128, 129, 133, 134, 135, 136, 137]
        // ip6tables' own names for those types (what a hand-written file may say).
        let iptNames: [String: UInt64] = ["destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "ttl-exceeded": 3,
                                          "parameter-problem": 4, "echo-request": 128, "ping": 128, "echo-reply": 129, "pong": 129,
                                          "router-solicitation": 133, "router-advertisement": 134,
                                          "neighbour-solicitation": 135, "neighbor-solicitation": 135,
                                          "neighbour-advertisement": 136, "neighbor-advertisement": 136, "redirect": 137]
        let v = o.values[0].text.lowercased()
        guard let n = UInt64(v) ?? iptNames[v], translated.contains(n), let name = SymbolTable.icmpv6Types.name(of: n) else { return nil }
        return .xt([match(.payload(proto: "icmpv6", field: "type"), o.negated, .string(name))])
    }

    /// `-m hl --hl-eq|--hl-lt|--hl-gt N` -> `ip6 hoplimit N`, `ip6 hoplimit < N`, `ip6 hoplimit > N`
    /// (`! --hl-eq N` -> `!=`), as nft lists them.
    static func hl(_ options: [IptOption]) -> IptPiece? {
        guard options.count == 1, options[0].values.count == 1, let n = UInt64(options[0].values[0].text), n <= 255 else { return nil }
        let o = options[0]
        let op: MatchOp
        switch o.name.text {
        case "--hl-eq": op = o.negated ? .ne : .eq
        case "--hl-lt" where !o.negated: op = .lt
        case "--hl-gt" where !o.negated: op = .gt
        default: return nil
        }
        return .xt([.match(left: .payload(proto: "ip6", field: "hoplimit"), op: op, right: .value(.number(n)))])
    }

    /// `-m set --match-set NAME src|dst` -> `ip saddr @NAME` / `ip daddr @NAME` (ip6 for ip6tables),
    /// against the set as `ipset save` listed it (`IpsetSave`; the reader adds it to the table).
    /// iptables-nft keeps the match an xt match (`nft list ruleset` shows `xt match "set"`), so it
    /// is an xt piece. Everything else stays not modelled, and says why: the set's members are what
    /// decides, and without `ipset-save.txt` they are unknown. More than one direction flag
    /// (`src,dst`, for sets of several dimensions) and the counter options are not modelled.
    static func set(_ options: [IptOption], rule: IptRuleParser, text: String) -> IptPiece {
        func notModelled(_ why: String) -> IptPiece {
            .xt([.notModelled(NotModelled(kind: "xt", text: text + " (not modelled: \(why))"))])
        }
        guard let o = options.first(where: { $0.name.text == "--match-set" || $0.name.text == "--set" }), o.values.count == 2 else {
            return notModelled("no --match-set NAME FLAGS")
        }
        let name = o.values[0].text
        let file = IpsetSave.fileName
        guard options.count == 1 else { return notModelled("options beside --match-set") }
        guard let ipsets = rule.ipsets else { return notModelled("\(file) is missing, so the members of set '\(name)' are unknown") }
        guard let ipset = ipsets.sets[name] else { return notModelled("\(file) has no set '\(name)'") }
        if let why = ipset.unsupported { return notModelled("set '\(name)' in \(file): \(why)") }
        guard ipset.family == rule.family else {
            return notModelled("set '\(name)' is family \(ipset.family == .ip ? "inet" : "inet6") but the rule is "
                               + (rule.family == .ip ? "iptables" : "ip6tables"))
        }
        let field: String
        switch o.values[1].text {
        case "src": field = "saddr"
        case "dst": field = "daddr"
        default: return notModelled("direction flags '\(o.values[1].text)': only src or dst is modelled")
        }
        return .xt([.match(left: .payload(proto: rule.family.rawValue, field: field), op: o.negated ? .ne : .eq, right: .setRef(name))])
    }

    /// `-m rt --rt-type N [--rt-segsleft M]` -> `rt type N [rt seg-left M]`, the routing header's
    /// fields. The other options (lengths, addresses, ranges) stay not modelled.
    static func rt(_ options: [IptOption]) -> IptPiece? {
        var stmts: [Stmt] = []
        for o in options {
            guard o.values.count == 1, let n = UInt64(o.values[0].text), n <= 255 else { return nil }
            switch o.name.text {
            case "--rt-type": stmts.append(match(.exthdr(name: "rt", field: "type"), o.negated, .number(n)))
            case "--rt-segsleft": stmts.append(match(.exthdr(name: "rt", field: "seg-left"), o.negated, .number(n)))
            default: return nil
            }
        }
        return stmts.isEmpty ? nil : .xt(stmts)
    }
}
