import HookwalkModel
import HookwalkSimulator

/// The plain-English sentences of a walkthrough. Each states why a step happened, using only what
/// the trace says happened (which rule matched, what changed) and the packet's fields at that
/// point; host-provided names go into code spans or are escaped.
enum Sentences {
    /// `10.254.10.105:41003 -> 172.20.0.4:1812`, safe in Markdown (IPv6 brackets escaped).
    static func flow(_ p: PacketState) -> String {
        p.flowText.replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
    }

    static func code(_ s: String) -> String { Markdown.codeSpan(s) }

    static func interfaces(_ p: PacketState) -> String {
        var parts: [String] = []
        if let i = p.iif { parts.append("iif " + code(i)) }
        if let o = p.oif { parts.append("oif " + code(o)) }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    static func baseChain(_ ref: BaseChainRef, spec: BaseChainSpec?, packet: PacketState, first: Bool,
                          previousAccepted: Bool) -> String {
        let what = "\(code(ref.chain.description)) (type \(ref.type.rawValue) hook \(ref.hook.rawValue) priority \(ref.priority))"
        let sees = "it sees \(flow(packet))\(interfaces(packet))."
        if first {
            return "The packet meets \(what), the first base chain at this hook; \(sees)"
        }
        if previousAccepted {
            return "Accept ends only the base chain that gave it, so the packet goes on to \(what), "
                + "the next base chain at this hook; \(sees)"
        }
        return "The packet goes on to \(what), the next base chain at this hook; \(sees)"
    }

    static func rule(text: String, rule: Rule?, verdict: Verdict, chain: ChainRef, caller: String?, passedOver: Int,
                     packet: PacketState, context: RenderContext) -> String {
        var s = ""
        if passedOver == 1 { s += "The rule marked ↓ does not match. " }
        if passedOver > 1 { s += "The \(passedOver) rules marked ↓ do not match. " }
        let clauses = rule.map { MatchExplainer.clauses($0, packet: packet, localInterface: context.localInterfaces) }
        let because: String
        switch clauses {
        case .none: because = "matches"
        case .some(let c) where c.isEmpty: because = "has no condition"
        case .some(let c): because = "matches because " + list(c)
        }
        s += "\(code(text)) \(because), "
        let here = code(chain.chain)
        switch verdict {
        case .jump(let target):
            s += "so the packet jumps to \(code(target)); at the end of \(code(target)) evaluation comes back to the rule after this one."
        case .goto(let target):
            let back = caller.map { "to \(code($0)), the chain that called \(here)" } ?? "to the base chain's policy"
            s += "so the packet goes to \(code(target)) with goto: evaluation does not come back to \(here); "
                + "at the end of \(code(target)) it returns \(back)."
        case .return:
            if let caller {
                s += "so evaluation returns to \(code(caller)), at the rule after the one that jumped to \(here)."
            } else {
                s += "and a return in a base chain applies the chain's policy."
            }
        case .accept:
            s += "so the packet is **accepted** by this base chain (accept ends only this base chain; "
                + "later base chains at the hook still run)."
        case .drop:
            s += rule?.stmts.contains(where: { if case .reject = $0 { true } else { false } }) == true
                ? "so the packet is **rejected**: it is dropped and an error goes back to the sender."
                : "so the packet is **dropped**."
        case .continue:
            s += "but it has no verdict, so evaluation goes on with the next rule."
        case .queue:
            s += "so the packet is handed to a userspace queue."
        }
        return s
    }

    static func policy(chain: ChainRef, policy: Policy) -> String {
        let head = "No rule of \(code(chain.description)) gives a verdict, so its policy **\(policy.rawValue)** applies"
        return policy == .accept ? head + ": the packet leaves this base chain accepted." : head + ": the packet is dropped."
    }

    static func route(_ d: RouteDecision, packet: PacketState) -> String {
        let via = d.gateway.map { " via \($0)" } ?? ""
        var route = d.route.map { " (route \(code($0)))" } ?? ""
        // With policy routing, the rule whose table gave the route (or that failed the lookup).
        if let rule = d.rule {
            route = d.route.map { " (routing rule \(code(rule)) chose route \(code($0)))" } ?? " (routing rule \(code(rule)))"
        }
        let oif = d.oif.map(code) ?? "its output interface"
        switch d.kind {
        case .input:
            return "The routing decision looks up the destination \(packet.daddr): it is an address of this host, "
                + "so the packet is delivered locally, through the input hook\(route)."
        case .forward:
            return "The routing decision looks up the destination \(packet.daddr) (after any DNAT): it is not an address "
                + "of this host, so the packet is forwarded out of \(oif)\(via)\(route), through the forward hook."
        case .output:
            return "The locally generated packet is routed out of \(oif)\(via)\(route)."
        case .bridge:
            return "The frame stays on the bridge: it is bridged to \(oif) rather than routed."
        case .unreachable:
            return "The routing decision finds no usable route to \(packet.daddr)\(route): the packet is dropped."
        }
    }

    /// A conntrack event of the simulator as a sentence. Not numbered: it is the kernel's
    /// bookkeeping before the chains run, not a step of the ruleset (the article does not count it).
    static func conntrack(_ fact: ConntrackFact) -> String {
        switch fact {
        case .new: return "Conntrack starts tracking a " + Markdown.prose(fact.description) + "."
        case .reply: return "Conntrack recognises the packet as the " + Markdown.prose(fact.description) + "."
        case .unexpectedReply, .untracked, .off: return "Conntrack: " + Markdown.prose(fact.description) + "."
        }
    }

    /// A simulator note as a sentence: capitalised (unless it starts with a name such as
    /// `br_netfilter` or an address, which keep their spelling) and ending in a full stop.
    static func note(_ text: String) -> String {
        var s = text
        if let word = s.split(separator: " ").first, word.allSatisfy({ ("a"..."z").contains($0) }) {
            s = Phrases.capitalised(s)
        }
        s = Markdown.prose(s)
        if let last = s.last, !".!?:".contains(last) { s += "." }
        return s
    }

    static func nat(kind: NatRewrite, before: PacketState, after: PacketState, implicit: Bool, hook: Hook?) -> String {
        if implicit {
            let at = hook.map { " at the \($0.rawValue) hook" } ?? ""
            return "Conntrack rewrites the packet\(at) without any rule (\(Markdown.escape(kind.description))): "
                + changes(before, after) + ". No nat chain runs for this packet: nat chains see only the first "
                + "packet of a connection, and conntrack applies the stored mapping to every packet after it."
        }
        return "The packet is rewritten (\(Markdown.escape(kind.description))): " + changes(before, after) + "."
    }

    /// Appended to the sentence of the NAT rule that made the change.
    static func rewrite(kind: NatRewrite, before: PacketState, after: PacketState) -> String {
        "The \(Markdown.escape(kind.description)) rewrites " + changes(before, after) + "."
    }

    static func changes(_ before: PacketState, _ after: PacketState) -> String {
        func ep(_ a: IPAddress, _ p: UInt16?) -> String {
            let s = a.isV4 ? a.description : "\\[\(a)\\]"
            return p.map { "\(s):\($0)" } ?? s
        }
        var parts: [String] = []
        if before.saddr != after.saddr || before.sport != after.sport {
            parts.append("the source \(ep(before.saddr, before.sport)) to \(ep(after.saddr, after.sport))")
        }
        if before.daddr != after.daddr || before.dport != after.dport {
            parts.append("the destination \(ep(before.daddr, before.dport)) to \(ep(after.daddr, after.dport))")
        }
        return parts.isEmpty ? "no address or port changes" : parts.joined(separator: " and ")
    }

    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}
