import HookwalkModel
import HookwalkSimulator

/// The scenario page's "Branches" section: when the path meets a rule that spreads connections
/// (`numgen`, iptables' `statistic`) and its branches end in different places, each branch, where
/// it leads and the chains it goes through; the page itself follows branch 0 (docs/trace.md).
enum BranchesSection {
    static func markdown(_ traces: [Trace], level: Int = 2) -> String? {
        guard traces.count > 1, Set(traces.map(\.destination)).count > 1 else { return nil }
        let s = traces[0].scenario
        let from: String
        switch s.from {
        case .external(let a, _): from = a.description
        case .container(let n): from = n
        case .host: from = "host"
        }
        let to = (s.to.isV4 ? s.to.description : "[\(s.to)]") + ":\(s.port)/\(s.proto.rawValue)"
        var lines = [String(repeating: "#", count: level) + " Branches", "",
                     "The request meets a rule that spreads connections over several targets: the kernel picks one branch per "
                     + "packet it evaluates, at random or by counting. This page follows branch 0 (each `numgen` gives its first "
                     + "value); the \(traces.count) branches lead to different places:", ""]
        // The chains each branch's request passes (rules that matched); the first one not every
        // branch passes is where the branches part.
        let chains = traces.map { t -> [String] in
            var out: [String] = []
            for e in t.request.events {
                if case .rule(let c, _, _, _) = e.kind, !out.contains(c.description) { out.append(c.description) }
            }
            return out
        }
        let common = chains.dropFirst().reduce(Set(chains[0])) { $0.intersection($1) }
        for (k, t) in traces.enumerated() {
            let via = chains[k].first { !common.contains($0) }.map { " It parts from the others at " + Markdown.codeSpan($0) + "." } ?? ""
            let page = k == 0 ? " (this page)" : ""
            lines.append("- Branch \(k)\(page): \(Phrases.outcome(t.request.outcome, what: "request")).\(via)"
                         + (k == 0 ? "" : " See " + Markdown.codeSpan("hookwalk trace SNAPSHOT --from \(from) --to \(to) --branch \(k)") + "."))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
