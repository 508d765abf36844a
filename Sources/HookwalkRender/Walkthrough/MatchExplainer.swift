import HookwalkModel
import HookwalkSimulator

/// Says, for a rule the trace reports as matching, what each of its conditions was true of: the
/// packet's field values at that point. It does not decide whether a rule matches (the trace did);
/// it only words the match, so a condition it cannot word is quoted as it stands.
enum MatchExplainer {
    /// `localInterface`: the interface of a host address (`RenderContext.localInterfaces`).
    static func clauses(_ rule: Rule, packet: PacketState, localInterface: [IPAddress: String]) -> [String] {
        rule.stmts.compactMap { stmt in
            guard case .match(let left, let op, let right) = stmt else { return nil }
            return clause(left, op, right, packet: packet, localInterface: localInterface)
        }
    }

    static func code(_ s: String) -> String { Markdown.codeSpan(s) }

    static func clause(_ left: Expr, _ op: MatchOp, _ right: Expr, packet: PacketState,
                       localInterface: [IPAddress: String]) -> String {
        let r = NftTextWriter.exprText(right)
        if case .fib(let result, let flags) = left, result == "type", r == "local" {
            let addr = flags.contains("saddr") ? packet.saddr : packet.daddr
            let whose = localInterface[addr].map { "an address of this host (on \(code($0)))" } ?? "an address of this host"
            return op == .ne ? "\(addr) is not an address of this host" : "\(addr) is \(whose)"
        }
        switch ExprFamilies.phrase(left) {
        case .subject(let subject, let field)?:
            let actual = field.flatMap { shown($0, packet) }
            if field == .saddr || field == .daddr, case .value(.prefix) = right, let actual {
                return op == .ne ? "\(subject) \(actual) is not in \(code(r))" : "\(subject) \(actual) is in \(code(r))"
            }
            if field == .iifname || field == .oifname {
                return compare(subject: subject, actual: actual.map(code) ?? "(none)", op: op, right: code(r), isSet: isSet(right))
            }
            return compare(subject: subject, actual: actual, op: op, right: code(r), isSet: isSet(right))
        case .sentence(let eq, let ne)?:
            return (op == .ne ? ne : eq).replacingOccurrences(of: "{}", with: code(r))
        case nil:
            return "\(code(NftTextWriter.stmtText(.match(left: left, op: op, right: right)))) holds"
        }
    }

    /// The packet's value of a field, as the walkthrough shows it.
    static func shown(_ field: PacketField, _ packet: PacketState) -> String? {
        switch field {
        case .iifname: return packet.iif
        case .oifname: return packet.oif
        case .saddr: return "\(packet.saddr)"
        case .daddr: return "\(packet.daddr)"
        case .sport: return packet.sport.map { "\($0)" }
        case .dport: return packet.dport.map { "\($0)" }
        case .l4proto: return packet.proto.rawValue
        case .etherType: return packet.saddr.isV4 ? "ip" : "ip6"
        default: return nil
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
}
