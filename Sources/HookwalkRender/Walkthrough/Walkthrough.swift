import HookwalkModel
import HookwalkSimulator

/// The presentation of one packet's path: numbered steps grouped by hook, with the ruleset excerpt
/// each group met. Built once from a `PacketTrace`; the Markdown page and the diagram both read it,
/// so their step numbers agree.

public enum Direction: String, Sendable, Hashable {
    case request, reply
    /// The ICMP error or TCP reset the kernel sends back for a `reject`.
    case answer

    public var title: String {
        switch self {
        case .request: return "Request"
        case .reply: return "Reply"
        case .answer: return "Reject's answer"
        }
    }
}

/// What a step is, for marks and diagram shapes.
public enum StepKind: Sendable, Hashable {
    /// A base chain starts evaluating the packet.
    case baseChain(BaseChainRef)
    case jump(to: ChainRef)
    case goto(to: ChainRef)
    /// An explicit `return` rule.
    case returnRule
    /// A rule with a final or no verdict: accept, drop, continue, queue.
    case verdict(Verdict)
    case policy(Policy)
    /// Addresses changed (an explicit NAT rule folds its change into its own step instead).
    case nat(kind: NatRewrite, implicit: Bool)
    case route(RouteDecision)
    case conntrack(ConntrackFact)
    case note(TraceNote)
    case notModelled
}

public struct WalkStep: Sendable, Hashable {
    /// The number printed as `(n)`, restarting at 1 in every section, as in the article. Nil for
    /// an explanatory step (conntrack's bookkeeping, the routing decision, a simulator note): the
    /// article numbers only what the ruleset does to the packet, so these are told in prose
    /// around the numbered list and drawn unnumbered, which keeps the article's numbers.
    public var number: Int?
    public var kind: StepKind
    /// The chain the step happens in (rule, policy and base-chain steps).
    public var chain: ChainRef?
    /// The rule as the trace printed it.
    public var ruleText: String?
    /// The explanation sentence, Markdown, host names already escaped, without the `(n)` prefix.
    public var sentence: String
    /// The packet before and after a rewrite (NAT steps, and NAT rules).
    public var natBefore: PacketState?
    public var natAfter: PacketState?
    /// The raw (unescaped) text of a note, conntrack or not-modelled step, for diagram labels.
    public var detail: String?
}

/// One line of a ruleset excerpt: the gutter marks and the nft text.
public struct ExcerptLine: Sendable, Hashable {
    public var gutter: String
    public var text: String
    /// The owner badge printed after the text as an nft comment (`Docker: container radius`),
    /// empty for none.
    public var badge: String = ""
}

/// The steps of one hook crossed (or, for events before the first hook, a preamble).
public struct WalkSection: Sendable, Hashable {
    public var family: Family?
    public var hook: Hook?
    public var steps: [WalkStep]
    public var excerpt: [ExcerptLine]
    /// The packet as the section leaves it.
    public var stateAfter: PacketState

    /// `ip prerouting`, `bridge input`: how diagrams label a hook.
    public var hookLabel: String {
        guard let hook else { return "start" }
        return "\(family?.rawValue ?? "ip") \(hook.rawValue)"
    }

    /// `prerouting` for the ip families (as the article titles them), `bridge input` otherwise.
    public var titleLabel: String {
        guard let hook else { return "before the first hook" }
        switch family {
        case .ip, .ip6, .inet, nil: return hook.rawValue
        case .some(let f): return "\(f.rawValue) \(hook.rawValue)"
        }
    }
}

public struct Walkthrough: Sendable, Hashable {
    public var direction: Direction
    /// Who sends this packet, as a Markdown phrase: `an external client 10.254.10.105`.
    public var sender: String
    /// The same phrase without Markdown, for diagrams.
    public var senderPlain: String
    public var initial: PacketState
    public var sections: [WalkSection]
    public var outcome: Outcome
    /// Who receives the packet when the endpoint alone says too little (`docker-proxy on the
    /// host`, a host-network container's process), as Markdown and as plain text; nil: the
    /// endpoint's own wording.
    public var receiver: String? = nil
    public var receiverPlain: String? = nil
}
