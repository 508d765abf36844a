import HookwalkModel
import HookwalkSimulator

/// The constructs hookwalk could not evaluate on a scenario's paths, gathered so that a reader
/// sees them before trusting the verdict: a callout at the top of the page and a section on the
/// index. Each is already a numbered step where it happens; this only says where those steps are
/// and what the verdict assumed there.
struct NotModelledConstruct: Hashable, Sendable {
    var chain: ChainRef?
    var handle: Int?
    var text: String
    var assumption: String

    /// `ip filter DOCKER-USER`, rule handle 12: where to find it in the ruleset. In a table cell
    /// without a code span (GitHub splits cells on `|` even inside one).
    func place(inTable: Bool = false) -> String {
        var s = chain.map { inTable ? Markdown.escape($0.description) : Markdown.codeSpan($0.description) } ?? "outside any chain"
        if let handle { s += ", rule handle \(handle)" }
        return s
    }

    /// The simulator writes "assumed the rule does not match; ..."; after "the verdict assumes" the
    /// leading "assumed" would repeat itself.
    var assumptionPhrase: String {
        let a = assumption.hasPrefix("assumed ") ? String(assumption.dropFirst("assumed ".count)) : assumption
        return Markdown.prose(a)
    }
}

enum NotModelledNotes {
    /// A packet of the scenario: `request`, `reply`, `docker-proxy's request`...
    struct Packet {
        var name: String
        var trace: PacketTrace
        var walk: Walkthrough
    }

    /// Each construct met, with the steps where it was met (`request, forward (3)`), in the order
    /// first met. The walkthrough has exactly one `.notModelled` step per event, in event order,
    /// so the two are paired by position.
    static func constructs(_ packets: [Packet]) -> [(construct: NotModelledConstruct, steps: [String])] {
        var order: [NotModelledConstruct] = []
        var steps: [NotModelledConstruct: [String]] = [:]
        for packet in packets {
            let events = packet.trace.events.compactMap { e -> NotModelledConstruct? in
                guard case .notModelled(let chain, let handle, let text, let assumption) = e.kind else { return nil }
                return NotModelledConstruct(chain: chain, handle: handle, text: text.description, assumption: assumption)
            }
            let places = packet.walk.sections.flatMap { section in
                section.steps.compactMap { step -> String? in
                    guard case .notModelled = step.kind else { return nil }
                    return "\(packet.name), \(Markdown.escape(section.titleLabel))" + (step.number.map { " (\($0))" } ?? "")
                }
            }
            for (i, c) in events.enumerated() {
                if steps[c] == nil { order.append(c) }
                steps[c, default: []].append(i < places.count ? places[i] : packet.name)
            }
        }
        return order.map { ($0, steps[$0] ?? []) }
    }

    /// The callout at the top of a page, a Markdown block quote; nil when everything was evaluated.
    static func callout(_ found: [(construct: NotModelledConstruct, steps: [String])]) -> String? {
        guard !found.isEmpty else { return nil }
        let n = found.count
        var lines = ["> **Not fully evaluated.** hookwalk could not evaluate \(n) construct\(n == 1 ? "" : "s") on this path; "
                     + "the verdict assumes what \(n == 1 ? "its step says" : "their steps say"):", ">"]
        for (c, steps) in found {
            lines.append("> - \(Markdown.codeSpan(c.text)) in \(c.place()) (\(steps.joined(separator: "; "))): \(c.assumptionPhrase).")
        }
        return lines.joined(separator: "\n")
    }
}
