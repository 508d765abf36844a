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
    static func outcome(_ o: Outcome, what: String) -> String {
        switch o {
        case .delivered(let endpoint, let state):
            return "the \(what) reaches \(receiver(endpoint)) as \(Sentences.flow(state))"
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

    /// The verdict of a whole scenario, first on its page.
    static func verdict(_ trace: Trace) -> String {
        let request = outcome(trace.request.outcome, what: "request")
        switch (trace.request.outcome, trace.reply) {
        case (.delivered, let reply?):
            let head = reply.outcome.isDelivered ? "**Delivered.**" : "**Request delivered, reply lost.**"
            return "\(head) \(capitalised(request)); \(outcome(reply.outcome, what: "reply"))."
        case (.delivered, nil):
            return "**Delivered.** \(capitalised(request)); no reply is simulated."
        case (.dropped, _):
            return "**Dropped.** \(capitalised(request))."
        case (.unroutable, _):
            return "**Not routable.** \(capitalised(request))."
        case (.notModelled, _):
            return "**Not modelled.** \(capitalised(request))."
        }
    }

    /// A few words for the index table.
    static func shortVerdict(_ trace: Trace) -> String {
        func one(_ o: Outcome) -> String {
            switch o {
            case .delivered: return "delivered"
            case .dropped(let chain, _, _, let rejected):
                return (rejected ? "rejected in " : "dropped in ") + Markdown.escape(chain.description)
            case .unroutable: return "not routable"
            case .notModelled: return "not modelled"
            }
        }
        guard let reply = trace.reply else { return one(trace.request.outcome) }
        if trace.request.outcome.isDelivered && reply.outcome.isDelivered { return "delivered both ways" }
        return "request \(one(trace.request.outcome)), reply \(one(reply.outcome))"
    }

    static func capitalised(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst()
    }
}
