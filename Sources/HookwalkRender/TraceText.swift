import HookwalkFindings
import HookwalkModel
import HookwalkSimulator

/// The trace for people at a terminal: one line per step, indented under the hook it belongs to,
/// ending in the plain outcome.
public enum TraceText {
    /// - Parameter owners: when given, each rule and policy line ends with who wrote it
    ///   (`[Docker: container radius]`).
    public static func render(_ trace: Trace, owners: Provenance? = nil) -> String {
        var out: [String] = []
        let s = trace.scenario
        out.append("scenario: \(s.from.label) -> \(s.to.isV4 ? s.to.description : "[\(s.to)]"):\(s.port)/\(s.proto.rawValue)")
        out.append("request: \(trace.request.initial.flowText)")
        out += lines(trace.request, owners: owners)
        if let r = trace.reply {
            out.append("reply: \(r.initial.flowText)")
            out += lines(r, owners: owners)
        } else if let a = trace.answer {
            out.append("reply: none (the request was rejected)")
            out.append("reject's answer: \(a.kind), \(a.trace.initial.flowText)")
            out += lines(a.trace, owners: owners)
        } else {
            out.append("reply: none (the request did not reach a receiver that answers)")
        }
        if case .dropped(_, _, _, let rejected) = trace.request.outcome {
            out.append("client: " + clientSide(trace, rejected: rejected))
        }
        for leg in trace.proxyLeg {
            out.append("second leg: docker-proxy's own connection")
            out += render(leg, owners: owners).split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func lines(_ p: PacketTrace, owners: Provenance? = nil) -> [String] {
        var out: [String] = []
        for e in p.events {
            switch e.kind {
            case .hook(let family, let hook):
                out.append("  [\(family.rawValue) \(hook.rawValue)]")
            case .chain(let ref, let state):
                out.append("    \(ref.chain) (type \(ref.type.rawValue) hook \(ref.hook.rawValue) priority \(ref.priority))  \(devices(state)) \(state.flowText)")
            case .rule(let chain, let handle, let text, let verdict):
                let owner = owners.map { "  [\($0.owner(chain, handle: handle, text: text).badge)]" } ?? ""
                out.append("      \(chain.chain) #\(handle.map(String.init) ?? "?"): \(text)  -> \(verdict.traceText)\(owner)")
            case .policy(let chain, let policy):
                let owner = owners.map { "  [\($0.policyOwner(chain).badge)]" } ?? ""
                out.append("      \(chain.chain): policy \(policy.rawValue)\(owner)")
            case .route(let r):
                var s = "  route: \(r.kind)"
                if let o = r.oif { s += " via \(o)" }
                if let rt = r.route { s += " (\(rt))" }
                if let rule = r.rule { s += " [rule \(rule)]" }
                out.append(s)
            case .conntrack(let text):
                out.append("    conntrack: \(text)")
            case .nat(let kind, let before, let after, let implicit):
                out.append("    \(implicit ? "conntrack applies" : "NAT") \(kind): \(before.flowText) => \(after.flowText)")
            case .notModelled(let chain, let handle, let text, let assumption):
                let at = chain.map { " in \($0)" + (handle.map { " #\($0)" } ?? "") } ?? ""
                out.append("    NOT MODELLED\(at): \(text); \(assumption)")
            case .note(let text):
                out.append("    note: \(text)")
            }
        }
        out.append("  => \(outcome(p.outcome))")
        return out
    }

    /// What the client sees of a dropped or rejected request: `refused (TCP RST)`, or `dropped
    /// (the client times out)`.
    public static func clientSide(_ trace: Trace, rejected: Bool) -> String {
        if let a = trace.answer {
            if a.reachedClient { return a.refusal }
            return "dropped (the client times out): reject's answer (\(a.kind)) did not reach it"
        }
        if rejected && trace.rejectAnswerNotSimulated { return "not simulated: the answer the kernel sends for this reject (see the not-modelled step)" }
        return rejected ? "dropped (the client times out): the kernel sends no answer to this reject" : "dropped (the client times out)"
    }

    static func devices(_ s: PacketState) -> String {
        var d: [String] = []
        if let i = s.iif { d.append("iif=\(i)") }
        if let o = s.oif { d.append("oif=\(o)") }
        return d.joined(separator: " ")
    }

    /// The outcome in one plain sentence.
    public static func outcome(_ o: Outcome) -> String {
        switch o {
        case .delivered(let endpoint, let state):
            return "delivered to \(endpoint.label), which sees \(state.flowText)"
        case .dropped(let chain, let handle, let text, let rejected):
            let how = rejected ? "rejected" : "dropped"
            if let handle { return "\(how) by rule #\(handle) of \(chain): \(text)" }
            return "\(how) by the policy of \(chain)"
        case .unroutable(let why):
            return "not delivered: \(why)"
        case .notModelled(let why):
            return "not modelled: \(why)"
        }
    }
}
