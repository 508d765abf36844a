import HookwalkModel

/// `-j TARGET [options]` and `-g CHAIN`: verdicts, jumps, and the targets nft translates (REJECT,
/// LOG, the NAT targets, MARK, NOTRACK) as `nft list ruleset` shows them; other targets, and options
/// hookwalk does not model, become one not-modelled `xt` statement with the target as written.
enum IptTarget {
    static func translate(name: IptToken, goto: Bool, options: [IptOption], rule: IptRuleParser, start: IptToken) throws -> [Stmt] {
        let n = name.text
        if rule.chainExists(n) {
            guard options.isEmpty else { throw rule.error(options[0].name, "unknown option '\(options[0].name.text)' after \(start.text) \(n)") }
            return [.verdict(goto ? .goto(n) : .jump(n))]
        }
        if goto { throw rule.error(name, "-g \(n): no chain \(n) in this table") }
        let notModelled = [Stmt.notModelled(NotModelled(kind: "xt", text: IptRuleParser.text(start, name, options)))]
        guard IptablesBuiltins.knownTargets.contains(n) || !options.isEmpty else {
            throw rule.error(name, "-j \(n): no chain \(n) in this table and no such target")
        }
        var stmt: Stmt?
        switch n {
        case "ACCEPT", "DROP", "RETURN":
            guard options.isEmpty else { throw rule.error(options[0].name, "unknown option '\(options[0].name.text)' after -j \(n)") }
            return [.verdict(n == "ACCEPT" ? .accept : n == "DROP" ? .drop : .return)]
        case "REJECT": stmt = reject(options, family: rule.family)
        case "LOG": stmt = log(options)
        case "DNAT", "SNAT": stmt = nat(n == "DNAT" ? .dnat : .snat, options, rule: rule)
        case "MASQUERADE", "REDIRECT": stmt = nat(n == "MASQUERADE" ? .masquerade : .redirect, options, rule: rule)
        case "MARK": stmt = mark(options)
        case "CONNMARK": stmt = connmark(options)
        case "NOTRACK": stmt = options.isEmpty ? .notrack : nil
        case "CT": stmt = options.count == 1 && options[0].name.text == "--notrack" && options[0].values.isEmpty ? .notrack : nil
        default: stmt = nil
        }
        return stmt.map { [$0] } ?? notModelled
    }

    /// `--reject-with icmp-host-prohibited` -> `reject with icmp type host-prohibited`; the default
    /// (port unreachable) lists as a bare `reject`.
    static func reject(_ options: [IptOption], family: Family) -> Stmt? {
        guard !options.isEmpty else { return .reject(type: nil, code: nil) }
        guard options.count == 1, options[0].name.text == "--reject-with", options[0].values.count == 1, !options[0].negated else { return nil }
        let with = options[0].values[0].text
        if with == "tcp-reset" { return .reject(type: "tcp reset", code: nil) }
        let v4: [String: String] = [
            "icmp-net-unreachable": "net-unreachable", "icmp-host-unreachable": "host-unreachable",
            "icmp-port-unreachable": "port-unreachable", "icmp-proto-unreachable": "prot-unreachable",
            "icmp-net-prohibited": "net-prohibited", "icmp-host-prohibited": "host-prohibited",
            "icmp-admin-prohibited": "admin-prohibited",
        ]
        let v6: [String: String] = [
            "icmp6-no-route": "no-route", "no-route": "no-route", "icmp6-adm-prohibited": "admin-prohibited",
            "adm-prohibited": "admin-prohibited", "icmp6-addr-unreachable": "addr-unreachable",
            "addr-unreach": "addr-unreachable", "icmp6-port-unreachable": "port-unreachable", "port-unreach": "port-unreachable",
        ]
        guard let code = (family == .ip ? v4 : v6)[with] else { return nil }
        if code == "port-unreachable" { return .reject(type: nil, code: nil) }
        return .reject(type: family == .ip ? "icmp" : "icmpv6", code: code)
    }

    /// `--log-prefix P --log-level L` -> `log prefix "P" level L` (nft omits the default level warn).
    static func log(_ options: [IptOption]) -> Stmt? {
        let levels = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"]
        let aliases = ["error": "err", "warning": "warn", "panic": "emerg"]
        var opts: [String: String] = [:]
        for o in options {
            guard !o.negated, o.values.count == 1 else { return nil }
            let v = o.values[0].text
            switch o.name.text {
            case "--log-prefix": opts["prefix"] = v
            case "--log-level":
                let level = Int(v).flatMap { $0 >= 0 && $0 < 8 ? levels[$0] : nil } ?? aliases[v] ?? (levels.contains(v) ? v : nil)
                guard let level else { return nil }
                if level != "warn" { opts["level"] = level }
            default:
                return nil
            }
        }
        return .log(opts)
    }

    /// DNAT/SNAT `--to-destination|--to-source A[-B][:P[-Q]]` (not `:P-Q/BASE`), MASQUERADE/REDIRECT `--to-ports P[-Q]`,
    /// `--random`, `--random-fully`, `--persistent`.
    static func nat(_ kind: NatKind, _ options: [IptOption], rule: IptRuleParser) -> Stmt? {
        var stmt = NatStmt(kind: kind)
        var seenTo = false
        for o in options {
            guard !o.negated else { return nil }
            switch o.name.text {
            case "--to-destination" where kind == .dnat, "--to-source" where kind == .snat, "--to" where kind == .dnat || kind == .snat:
                guard o.values.count == 1, !seenTo else { return nil }
                seenTo = true
                let text = o.values[0].text
                // `A:P-Q/BASE` shifts ports (NF_NAT_RANGE_PROTO_OFFSET, DNAT revision 2): nft lists
                // it as `xt target DNAT` and hookwalk leaves it not modelled too.
                if text.contains("/") { return nil }
                if text.hasPrefix(":") && !text.hasPrefix("::") {
                    stmt.port = .value(portValue(String(text.dropFirst())))
                } else {
                    let (addr, port) = Parser.splitAddrPort(text)
                    stmt.addr = .value(Value.atom(addr))
                    if let port { stmt.port = .value(portValue(port)) }
                }
            case "--to-ports" where kind == .masquerade || kind == .redirect:
                guard o.values.count == 1 else { return nil }
                stmt.port = .value(portValue(o.values[0].text))
            case "--random", "--random-fully", "--persistent":
                guard o.values.isEmpty else { return nil }
                stmt.flags.append(o.name.text == "--random-fully" ? "fully-random" : String(o.name.text.dropFirst(2)))
            default:
                return nil
            }
        }
        if (kind == .dnat || kind == .snat) && !seenTo { return nil }
        return .nat(stmt)
    }

    static func portValue(_ s: String) -> Value {
        Value.atom(s.replacingColonRange())
    }

    /// `-j MARK` with `--set-xmark V/M` (what iptables-save prints for every form: `--set-mark V/M`
    /// is `V/(M|V)`, `--or-mark V` is `V/V`, `--and-mark V` is `0/~V`, `--xor-mark V` is `V/0`).
    /// The kernel computes `mark = (mark & ~M) ^ V` (xt_MARK); the statement is the form
    /// iptables-nft lists (libxtables' MARK_xlate): `meta mark set V` for a full mask, else `mark and
    /// ~M`, `mark or V`, `mark xor V` or `mark and ~M xor V`, which compute the same.
    static func mark(_ options: [IptOption]) -> Stmt? {
        guard let (v, m) = xmark(options) else { return nil }
        return .mangle(key: .meta("mark"), value: xmarkValue(.meta("mark"), value: v, mask: m))
    }

    /// `-j CONNMARK`: `--set-xmark V/M` (and the other set forms, as for MARK) on the conntrack
    /// entry's mark; `--save-mark` (`ct mark set mark`) and `--restore-mark` (`meta mark set ct
    /// mark`) with full masks, the only ones iptables-nft translates; masked ones stay `xt`, as
    /// the kernel lists them. For `--set-xmark` with a partial mask nft 1.0.6 lists `ct mark xor V
    /// and ~M` (xor first), which is not what xt_connmark computes, `(ctmark & ~M) ^ V`: the model
    /// keeps the kernel's order.
    static func connmark(_ options: [IptOption]) -> Stmt? {
        if let (v, m) = xmark(options) {
            return .mangle(key: .ct(key: "mark", dir: nil, family: nil), value: xmarkValue(.ct(key: "mark", dir: nil, family: nil), value: v, mask: m))
        }
        guard let first = options.first, !first.negated, first.values.isEmpty,
              ["--save-mark", "--restore-mark"].contains(first.name.text) else { return nil }
        var nfmask: UInt64 = 0xffff_ffff, ctmask: UInt64 = 0xffff_ffff
        for o in options.dropFirst() {
            guard !o.negated, o.values.count == 1, let x = IptMatch.number(o.values[0].text) else { return nil }
            switch o.name.text {
            case "--nfmask": nfmask = x
            case "--ctmask": ctmask = x
            case "--mask": nfmask = x; ctmask = x
            default: return nil
            }
        }
        guard nfmask == 0xffff_ffff, ctmask == 0xffff_ffff else { return nil }
        return first.name.text == "--save-mark"
            ? .mangle(key: .ct(key: "mark", dir: nil, family: nil), value: .meta("mark"))
            : .mangle(key: .meta("mark"), value: .ct(key: "mark", dir: nil, family: nil))
    }

    /// The value and mask of MARK's and CONNMARK's set forms, as the kernel holds them.
    static func xmark(_ options: [IptOption]) -> (UInt64, UInt64)? {
        guard options.count == 1, !options[0].negated, options[0].values.count == 1 else { return nil }
        let o = options[0]
        let parts = o.values[0].text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let v = IptMatch.number(parts[0]), v <= 0xffff_ffff else { return nil }
        var mask: UInt64 = 0xffff_ffff
        if parts.count == 2 {
            guard let m = IptMatch.number(parts[1]), m <= 0xffff_ffff else { return nil }
            mask = m
        }
        switch o.name.text {
        case "--set-xmark": return (v, mask)
        case "--set-mark": return (v, parts.count == 2 ? mask | v : 0xffff_ffff)
        case "--or-mark" where parts.count == 1: return (v, v)
        case "--and-mark" where parts.count == 1: return (0, ~v & 0xffff_ffff)
        case "--xor-mark" where parts.count == 1: return (v, 0)
        default: return nil
        }
    }

    static func xmarkValue(_ field: Expr, value v: UInt64, mask m: UInt64) -> Expr {
        if m == 0xffff_ffff { return .value(.number(v)) }
        let inverse = Expr.value(.number(~m & 0xffff_ffff))
        if v == 0 { return .binop(op: "&", left: field, right: inverse) }
        if v == m { return .binop(op: "|", left: field, right: .value(.number(v))) }
        if m == 0 { return .binop(op: "^", left: field, right: .value(.number(v))) }
        return .binop(op: "^", left: .binop(op: "&", left: field, right: inverse), right: .value(.number(v)))
    }
}

extension String {
    /// `1000:2000` (the old port range syntax) as nft's `1000-2000`.
    fileprivate func replacingColonRange() -> String {
        String(map { $0 == ":" ? "-" : $0 })
    }
}
