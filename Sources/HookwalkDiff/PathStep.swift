import HookwalkModel
import HookwalkSimulator

/// One step of a packet's path in the form two hosts are compared on: where it happened (hook,
/// family, table, chain), what it was (chain entry, rule, policy, routing, NAT), the verdict and the
/// rule text, with host addresses replaced by their names. Handles, counters and packet contents
/// are left out: they differ between hosts without the path differing.
public struct StepKey: Sendable, Hashable, Codable {
    public var kind: String
    public var hook: String?
    public var family: String?
    public var table: String?
    public var chain: String?
    public var verdict: String?
    public var rule: String?
}

/// A step, with the text a person reads: as on its own host (real addresses), counters stripped.
public struct PathStep: Sendable, Hashable {
    public var key: StepKey
    public var text: String
}

/// Turns a simulated packet path into the steps that are compared.
struct StepExtractor: Sendable {
    let symbols: AddressSymbols

    func steps(_ packet: PacketTrace) -> [PathStep] {
        var hook: Hook?
        var family: Family?
        var out: [PathStep] = []
        func add(_ kind: String, _ ref: ChainRef?, verdict: String? = nil, rule: String? = nil, text: String) {
            let key = StepKey(kind: kind, hook: hook?.rawValue, family: (ref?.family ?? family)?.rawValue, table: ref?.table,
                              chain: ref?.chain, verdict: verdict, rule: rule.map { symbols.normalize(Self.withoutCounters($0)) })
            out.append(PathStep(key: key, text: text))
        }
        // Routing and implicit NAT belong to no chain: their place is the last hook met.
        func at() -> String { hook.map { " after the \((family ?? .ip).rawValue) \($0.rawValue) hook" } ?? "" }
        for event in packet.events {
            switch event.kind {
            case .hook(let f, let h):
                // Kept as a step: with br_netfilter on or off the same chains run, but at other hooks.
                family = f
                hook = h
                add("hook", nil, text: "\(f.rawValue) \(h.rawValue) hook")
            case .chain(let base, _):
                hook = base.hook
                family = base.chain.family
                add("chain", base.chain, text: "\(base.chain) (\(base.type.rawValue) hook \(base.hook.rawValue) priority \(base.priority))")
            case .rule(let chain, _, let text, let verdict):
                let rule = Self.withoutCounters(text)
                add("rule", chain, verdict: verdict.traceText, rule: rule, text: "\(chain): \(rule) (\(verdict.traceText))")
            case .policy(let chain, let policy):
                add("policy", chain, verdict: policy.rawValue, text: "\(chain): policy \(policy.rawValue)")
            case .route(let r):
                add("route", nil, verdict: r.kind.rawValue, text: "routing\(at()): \(r.kind)" + (r.oif.map { " via \($0)" } ?? ""))
            case .nat(let kind, let before, let after, let implicit):
                let how = implicit ? "\(kind) (conntrack)" : kind.description
                add("nat", nil, verdict: how, text: "\(how)\(at()): \(before.flowText) to \(after.flowText)")
            case .notModelled(let chain, _, let what, let assumption):
                let text = what.description
                add("not-modelled", chain, verdict: symbols.normalize(assumption), rule: text,
                    text: "not modelled: \(Self.withoutCounters(text)) (assumed: \(assumption))")
            case .conntrack, .note:
                // Explanations of the path, not steps of it; their text carries addresses.
                continue
            }
        }
        return out
    }

    /// How the packet ended, on this host (`text`) and in comparable form (`key`).
    func outcome(_ packet: PacketTrace) -> (key: String, text: String) {
        switch packet.outcome {
        case .delivered(let endpoint, _):
            let text = "delivered to \(endpoint.label)"
            return (symbols.normalize(text), text)
        case .dropped(let base, let handle, let rule, let rejected):
            // The outcome names the base chain; the rule that dropped may sit in a chain it jumped to.
            let chain = handle == nil ? base : packet.events.reversed().lazy.compactMap { e -> ChainRef? in
                if case .rule(let c, handle, _, _) = e.kind { return c } else { return nil }
            }.first ?? base
            let verb = rejected ? "rejected" : "dropped"
            let by = handle == nil ? "the policy of \(chain)" : "rule in \(chain): \(Self.withoutCounters(rule))"
            let key = handle == nil ? "\(verb) by the policy of \(chain)" : "\(verb) by rule in \(chain): \(symbols.normalize(Self.withoutCounters(rule)))"
            return (key, "\(verb) by \(by)")
        case .unroutable(let why):
            return ("unroutable: " + symbols.normalize(why), "unroutable: \(why)")
        case .notModelled(let why):
            return ("not modelled: " + symbols.normalize(why), "not modelled: \(why)")
        }
    }

    /// Rule text without counter values (`counter packets 12 bytes 720` -> `counter`) or quota
    /// use, which change with traffic and not with the path.
    static func withoutCounters(_ text: String) -> String {
        guard text.contains("packets") || text.contains(" used ") else { return text }
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        while i < words.count {
            if (words[i] == "packets" || words[i] == "bytes") && i + 1 < words.count && words[i + 1].allSatisfy(\.isNumber) {
                words.removeSubrange(i...i + 1)
            } else if words[i] == "used" && i + 2 < words.count && words[i + 1].allSatisfy(\.isNumber) {
                words.removeSubrange(i...i + 2)
            } else {
                i += 1
            }
        }
        return words.joined(separator: " ")
    }
}
