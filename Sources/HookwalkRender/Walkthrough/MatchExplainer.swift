import HookwalkModel
import HookwalkSimulator

/// Says, for a rule the trace reports as matching, what each of its conditions was true of: the
/// packet's field values at that point. It does not decide whether a rule matches (the trace did);
/// it only words the match, so a condition it cannot word is quoted as it stands.
enum MatchExplainer {
    static func clauses(_ rule: Rule, packet: PacketState, host: HostModel) -> [String] {
        rule.stmts.compactMap { stmt in
            guard case .match(let left, let op, let right) = stmt else { return nil }
            return clause(left, op, right, packet: packet, host: host)
        }
    }

    static func code(_ s: String) -> String { Markdown.codeSpan(s) }

    static func clause(_ left: Expr, _ op: MatchOp, _ right: Expr, packet: PacketState, host: HostModel) -> String {
        let r = exprText(right)
        switch left {
        case .meta(let key) where ["iifname", "iif", "oifname", "oif"].contains(key):
            let input = key.hasPrefix("i")
            let subject = input ? "the input interface" : "the output interface"
            let actual = input ? packet.iif : packet.oif
            let shown = actual.map(code) ?? "(none)"
            return compare(subject: subject, actual: shown, op: op, right: code(r), isSet: isSet(right))
        case .meta("l4proto"), .meta("protocol"), .payload(_, "protocol"), .payload(_, "nexthdr"):
            return compare(subject: "the protocol", actual: packet.proto.rawValue, op: op, right: code(r), isSet: isSet(right))
        case .payload(let proto, let field) where field == "saddr" || field == "daddr":
            let addr = field == "saddr" ? packet.saddr : packet.daddr
            let subject = field == "saddr" ? "the source address" : "the destination address"
            if case .value(.prefix) = right {
                return op == .ne ? "\(subject) \(addr) is not in \(code(r))" : "\(subject) \(addr) is in \(code(r))"
            }
            _ = proto
            return compare(subject: subject, actual: "\(addr)", op: op, right: code(r), isSet: isSet(right))
        case .payload(_, let field) where field == "sport" || field == "dport":
            let port = field == "sport" ? packet.sport : packet.dport
            let subject = field == "sport" ? "the source port" : "the destination port"
            return compare(subject: subject, actual: port.map { "\($0)" }, op: op, right: code(r), isSet: isSet(right))
        case .fib(let result, let flags) where result == "type" && r == "local":
            let addr = flags.contains("saddr") ? packet.saddr : packet.daddr
            let local = host.localAddresses.first { $0.address.address == addr }
            let whose = local.map { "an address of this host (on \(code($0.interface)))" } ?? "an address of this host"
            return op == .ne ? "\(addr) is not an address of this host" : "\(addr) is \(whose)"
        case .ct("state", _, _):
            return op == .ne ? "the packet's conntrack state is not \(code(r))"
                : "the packet's conntrack state is one of \(code(r))"
        case .ct("status", _, _):
            return op == .ne ? "the connection's conntrack status lacks \(code(r))"
                : "the connection's conntrack status has \(code(r)) (the connection was rewritten by \(code(r)))"
        default:
            return "\(code(exprText(left) + opText(op) + r)) holds"
        }
    }

    static func compare(subject: String, actual: String?, op: MatchOp, right: String, isSet: Bool) -> String {
        let shown = actual.map { " (\($0))" } ?? ""
        switch op {
        case .eq, .flags:
            if isSet { return "\(subject)\(shown) is one of \(right)" }
            if let actual { return "\(subject) is \(actual)" }
            return "\(subject) is \(right)"
        case .ne: return "\(subject)\(shown) is not \(right)"
        case .lt: return "\(subject)\(shown) is below \(right)"
        case .gt: return "\(subject)\(shown) is above \(right)"
        case .le: return "\(subject)\(shown) is at most \(right)"
        case .ge: return "\(subject)\(shown) is at least \(right)"
        }
    }

    static func isSet(_ e: Expr) -> Bool {
        switch e {
        case .set, .setRef: return true
        case .value(.list): return true
        default: return false
        }
    }

    static func opText(_ op: MatchOp) -> String {
        switch op {
        case .eq: return " "
        case .flags: return " "
        default: return " \(op.rawValue) "
        }
    }

    /// A compact nft-like text of an expression, for wording only.
    static func exprText(_ e: Expr) -> String {
        switch e {
        case .value(let v): return valueText(v)
        case .payload(let p, let f): return "\(p) \(f)"
        case .rawPayload(let b, let o, let l): return "@\(b),\(o),\(l)"
        case .exthdr(let name, let field): return "\(name) \(field)"
        case .meta(let k): return ["iifname", "oifname", "iif", "oif"].contains(k) ? k : "meta \(k)"
        case .ct(let key, let dir, let fam): return (["ct", dir, fam, key].compactMap { $0 }).joined(separator: " ")
        case .fib(let result, let flags): return "fib \(flags.joined(separator: " . ")) \(result)"
        case .concat(let es): return es.map(exprText).joined(separator: " . ")
        case .set(let elements): return "{ " + elements.map { valueText($0.key) }.joined(separator: ", ") + " }"
        case .setRef(let n): return "@\(n)"
        case .map(let k, let d): return "\(exprText(k)) map \(exprText(d))"
        case .binop(let op, let l, let r): return "\(exprText(l)) \(op) \(exprText(r))"
        case .notModelled(let n): return n.text
        }
    }

    static func valueText(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return "\(n)"
        case .prefix(let a, let l): return "\(a)/\(l)"
        case .range(let a, let b): return "\(valueText(a))-\(valueText(b))"
        case .concat(let vs): return vs.map(valueText).joined(separator: " . ")
        case .list(let vs): return vs.map(valueText).joined(separator: ",")
        case .wildcard: return "*"
        }
    }
}
