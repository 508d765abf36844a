import HookwalkModel
import HookwalkSimulator

/// Short Markdown phrases shared by the pages: who sends, who receives, what happened.
enum Phrases {
    static func sender(_ e: Endpoint) -> String {
        switch e {
        case .external(let a, let i):
            return "an external client \(a)" + (i.map { " on \(Markdown.codeSpan($0))" } ?? "")
        case .container(let n): return "container \(Markdown.codeSpan(n))"
        case .host: return "the host itself"
        }
    }

    /// The same, without Markdown, for diagram labels.
    static func senderPlain(_ e: Endpoint) -> String {
        switch e {
        case .external(let a, _): return "external client \(a)"
        case .container(let n): return "container \(n)"
        case .host: return "the host itself"
        }
    }

    static func receiver(_ e: Endpoint) -> String {
        switch e {
        case .external(let a, _): return "the external client \(a)"
        case .container(let n): return "container \(Markdown.codeSpan(n))"
        case .host: return "a process on the host"
        }
    }

    /// One plain sentence: where the packet ends up and how it looks there.
    /// `receiver` replaces the endpoint's wording (docker-proxy, a host-network container).
    static func outcome(_ o: Outcome, what: String, receiver: String? = nil) -> String {
        switch o {
        case .delivered(let endpoint, let state):
            return "the \(what) reaches \(receiver ?? Self.receiver(endpoint)) as \(Sentences.flow(state))"
        case .dropped(let chain, let handle, let text, let rejected):
            let verb = rejected ? "rejected" : "dropped"
            if handle == nil {
                return "the \(what) is **\(verb)** by the policy of table \(Markdown.codeSpan("\(chain.family.rawValue) \(chain.table)")), chain \(Markdown.codeSpan(chain.chain))"
            }
            return "the \(what) is **\(verb)** by the rule \(Markdown.codeSpan(text)) in table "
                + "\(Markdown.codeSpan("\(chain.family.rawValue) \(chain.table)")), chain \(Markdown.codeSpan(chain.chain))"
        case .unroutable(let why):
            return "the \(what) is **not routable**: \(Markdown.prose(why))"
        case .notModelled(let why):
            return "the \(what) is **not modelled** by hookwalk: \(Markdown.prose(why))"
        }
    }

    /// The verdict of a whole scenario, first on its page. With docker-proxy in the middle the
    /// scenario works only if all four packets arrive: the client's request and docker-proxy's
    /// reply, the proxy's request and the container's reply.
    static func verdict(_ trace: Trace, roles: ScenarioRoles) -> String {
        let request = outcome(trace.request.outcome, what: "request", receiver: roles.requestReceiver?.markdown)
        if let container = roles.proxyContainer, let leg = trace.proxyLeg.first {
            var parts = [capitalised(request)]
            parts.append("docker-proxy's own connection: "
                + outcome(leg.request.outcome, what: "request", receiver: nil))
            if let r = leg.reply { parts.append(outcome(r.outcome, what: "container's reply", receiver: "docker-proxy")) }
            if let r = trace.reply { parts.append(outcome(r.outcome, what: "reply of docker-proxy", receiver: nil)) }
            let head = worksViaProxy(trace) ? "**Delivered via docker-proxy.**"
                : "**Not delivered via docker-proxy** (to container \(Markdown.codeSpan(container)))."
            return "\(head) " + parts.joined(separator: "; ") + "."
        }
        switch (trace.request.outcome, trace.reply) {
        case (.delivered, let reply?):
            let head = reply.outcome.isDelivered ? "**Delivered.**" : "**Request delivered, reply lost.**"
            return "\(head) \(capitalised(request)); \(outcome(reply.outcome, what: "reply"))."
        case (.delivered, nil):
            return "**Delivered.** \(capitalised(request)); no reply is simulated."
        case (.dropped, _):
            if let a = trace.answer {
                if a.reachedClient { return "**Refused.** \(capitalised(request)); the kernel's answer (\(a.kind)) reaches the client: \(a.refusal)." }
                return "**Dropped.** \(capitalised(request)); the kernel's answer (\(a.kind)) does not reach the client, which times out."
            }
            if trace.rejectAnswerNotSimulated { return "**Rejected.** \(capitalised(request)); the kernel's answer is not simulated." }
            return "**Dropped.** \(capitalised(request)); the client times out."
        case (.unroutable, _):
            return "**Not routable.** \(capitalised(request))."
        case (.notModelled, _):
            return "**Not modelled.** \(capitalised(request))."
        }
    }

    /// Every packet of the scenario arrives, docker-proxy's leg included.
    static func works(_ trace: Trace) -> Bool {
        trace.request.outcome.isDelivered && (trace.reply?.outcome.isDelivered ?? false)
            && trace.proxyLeg.allSatisfy { $0.request.outcome.isDelivered && ($0.reply?.outcome.isDelivered ?? false) }
    }

    static func worksViaProxy(_ trace: Trace) -> Bool { !trace.proxyLeg.isEmpty && works(trace) }

    /// A few words for the index table.
    static func shortVerdict(_ trace: Trace, roles: ScenarioRoles) -> String {
        func one(_ o: Outcome) -> String {
            switch o {
            case .delivered: return "delivered"
            case .dropped(let chain, _, _, let rejected):
                return (rejected ? "rejected in " : "dropped in ") + Markdown.escape(chain.description)
            case .unroutable: return "not routable"
            case .notModelled: return "not modelled"
            }
        }
        if roles.proxyContainer != nil, let leg = trace.proxyLeg.first {
            if works(trace) { return "delivered via docker-proxy" }
            let steps: [(String, Outcome?)] = [("proxy's connection", leg.request.outcome), ("container's reply", leg.reply?.outcome),
                                                ("proxy's reply", trace.reply?.outcome)]
            let failed = steps.first { !($0.1?.isDelivered ?? false) }.map { "\($0.0) \($0.1.map(one) ?? "missing")" } ?? ""
            return "via docker-proxy: \(failed)"
        }
        if let a = trace.answer { return one(trace.request.outcome) + (a.reachedClient ? ", \(a.refusal)" : ", the client times out") }
        guard let reply = trace.reply else { return one(trace.request.outcome) }
        if trace.request.outcome.isDelivered && reply.outcome.isDelivered { return "delivered both ways" }
        return "request \(one(trace.request.outcome)), reply \(one(reply.outcome))"
    }

    static func capitalised(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst()
    }
}
