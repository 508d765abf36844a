import HookwalkModel
import HookwalkSimulator
import Mustache

/// What `scenario.mustache` is rendered with. Every string is final Markdown (host names escaped,
/// excerpts fenced), so a template only arranges them and must use triple braces.
struct ScenarioPage: Sendable {
    struct Section: Sendable {
        var heading: String
        /// A fenced code block, or nil when no base chain is attached at this hook.
        var excerpt: String?
        /// Unnumbered sentences before the first numbered step (conntrack's first look), as a
        /// paragraph; nil when there are none.
        var lead: String?
        var steps: [String]
        /// Unnumbered sentences after the last numbered step (the routing decision).
        var trail: String?
        var communication: String
    }

    struct Direction: Sendable {
        /// The Markdown heading marks of the direction (`##`) and of its hook sections (`###`):
        /// one level deeper inside docker-proxy's section.
        var marks: String
        var sectionMarks: String
        var name: String
        var intro: [String]
        var path: String
        var diagram: String
        var sections: [Section]
        var outcome: String
    }

    var id: String
    var title: String
    var kind: String
    var verdict: String
    /// The link back to the host's index page.
    var hostPage: String
    var requestDiagram: String
    var replyDiagram: String?
    /// Every diagram of the page as Markdown links, `·`-separated.
    var diagramLinks: String
    /// The "not fully evaluated" block quote, when the paths met constructs hookwalk skips.
    var callout: String?
    var directions: [Direction]
    /// docker-proxy's own connection to the container, when the request ends at docker-proxy.
    var proxyLeg: ProxyLeg?
    /// The "Branches" section (`BranchesSection`), when the branches lead to different places.
    var branches: String?

    struct ProxyLeg: Sendable {
        var heading: String
        var explanation: String
        var directions: [Direction]
    }
}

extension ScenarioPage {
    /// The explanations that only make sense across a whole path: why no nat chain shows up on a
    /// reply and where conntrack rewrote it; why bridge hooks appear. All of it is read from the
    /// walkthroughs' steps.
    static func intro(_ walk: Walkthrough, request: Walkthrough?, host: HostModel) -> [String] {
        var out: [String] = []
        let natChains = walk.sections.flatMap(\.steps).compactMap { step -> BaseChainRef? in
            if case .baseChain(let ref) = step.kind, ref.type == .nat { return ref }
            return nil
        }
        let implicit = walk.sections.flatMap { section in
            section.steps.compactMap { step -> String? in
                guard case .nat(let kind, true) = step.kind, let b = step.natBefore, let a = step.natAfter else { return nil }
                return "at \(section.hookLabel) (\(Markdown.escape(kind.description))): \(Sentences.changes(b, a))"
            }
        }
        let untracked = walk.sections.flatMap(\.steps).contains { step in
            if case .conntrack(.off) = step.kind { return true }
            return false
        }
        if walk.direction == .reply {
            if natChains.isEmpty, untracked {
                out.append("No nat chain appears on the reply's path: the kernel does not track connections of this family "
                           + "here (nothing in the ruleset uses conntrack), so there is no connection, no stored mapping, and "
                           + "nothing to rewrite.")
            } else if natChains.isEmpty {
                var s = "No nat chain appears on the reply's path. nat chains are consulted only for the first packet "
                    + "of a connection (conntrack state new); the reply belongs to the connection the request opened, "
                    + "so conntrack rewrites it from the mapping it stored, without any rule."
                let requestNat = (request?.sections ?? []).flatMap { section in
                    section.steps.compactMap { step -> String? in
                        guard let b = step.natBefore, let a = step.natAfter else { return nil }
                        return "at \(section.hookLabel): \(Sentences.changes(b, a))"
                    }
                }
                if !requestNat.isEmpty {
                    s += " The request was rewritten " + Sentences.list(requestNat) + "."
                }
                out.append(s)
            }
            if !implicit.isEmpty {
                out.append("Conntrack undoes those rewrites on the reply " + Sentences.list(implicit) + ".")
            }
        } else if !implicit.isEmpty {
            out.append("Conntrack rewrites this packet without a rule " + Sentences.list(implicit) + ".")
        }
        var bridgeHooks: [String] = []
        for s in walk.sections where s.family == .bridge && !bridgeHooks.contains(s.hookLabel) { bridgeHooks.append(s.hookLabel) }
        if !bridgeHooks.isEmpty {
            let value = host.sysctl("net.bridge.bridge-nf-call-iptables")
            var s = "The path crosses bridge hooks (\(bridgeHooks.map(Markdown.escape).joined(separator: ", "))) because "
                + "the packet travels through a Linux bridge, and the bridge family's hooks see every frame on a bridge."
            if value == 1 {
                s += " With br\\_netfilter (`net.bridge.bridge-nf-call-iptables = 1` on this host) the bridge also hands "
                    + "bridged IPv4 frames to the ip hooks, which is why ip hooks and bridge hooks appear in the same path."
            } else {
                s += " `net.bridge.bridge-nf-call-iptables` is \(value) on this host, so bridged frames do not pass "
                    + "the ip hooks."
            }
            out.append(s)
        }
        return out
    }

    /// The list items and the prose around them. A policy that applies right after its base
    /// chain shares the chain's number, as in the article. An unnumbered step before the first
    /// number goes into the lead paragraph, after the last into the trailing one, and between two
    /// numbers it is appended to the item before it, so the list keeps the article's numbers.
    static func numbered(_ steps: [WalkStep]) -> (lead: String?, items: [String], trail: String?) {
        var lead: [String] = []
        var items: [(Int, String)] = []
        var pending: [String] = []
        for step in steps {
            guard let number = step.number else {
                if items.isEmpty { lead.append(step.sentence) } else { pending.append(step.sentence) }
                continue
            }
            if !pending.isEmpty, !items.isEmpty {
                items[items.count - 1].1 += " " + pending.joined(separator: " ")
                pending = []
            }
            if let last = items.last, last.0 == number {
                items[items.count - 1].1 += " " + step.sentence
            } else {
                items.append((number, "(\(number)) " + step.sentence))
            }
        }
        return (lead.isEmpty ? nil : lead.joined(separator: " "), items.map(\.1),
                pending.isEmpty ? nil : pending.joined(separator: " "))
    }

    static func path(_ walk: Walkthrough) -> String {
        let hooks = walk.sections.filter { $0.hook != nil }.map { Markdown.escape($0.hookLabel) }
        return hooks.isEmpty ? "no hook" : hooks.joined(separator: " → ")
    }

    /// `extraIntro` goes first: what the scenario's roles explain (docker-proxy, host network).
    /// `level` 2 for the scenario's own packets, 3 inside docker-proxy's section.
    static func direction(_ walk: Walkthrough, request: Walkthrough?, diagram: String, host: HostModel,
                          extraIntro: [String] = [], level: Int = 2) -> Direction {
        let sections = walk.sections.map { s in
            let (lead, items, trail) = numbered(s.steps)
            let noChain = s.hook != nil && !s.steps.contains { if case .baseChain = $0.kind { true } else { false } }
                && items.isEmpty
            let passedOver = s.steps.contains { step in
                if case .note(.natChainNotConsulted) = step.kind { return true }
                return false
            }
            return Section(
                heading: "\(walk.direction.title) from \(walk.sender) (\(Markdown.escape(s.titleLabel)))",
                excerpt: s.excerpt.isEmpty ? nil : Markdown.codeBlock(Excerpt.text(s.excerpt)),
                lead: lead,
                steps: noChain ? [passedOver ? "No chain evaluates the packet at this hook: the nat chains attached to it are "
                                      + "not consulted without conntrack, so the packet passes it unchanged."
                                  : "No base chain is attached to this hook on this host: the packet passes it unchanged."] : items,
                trail: trail,
                communication: Sentences.flow(s.stateAfter)
            )
        }
        return Direction(marks: String(repeating: "#", count: level), sectionMarks: String(repeating: "#", count: level + 1),
                         name: walk.direction.title, intro: extraIntro + intro(walk, request: request, host: host),
                         path: path(walk), diagram: diagram, sections: sections,
                         outcome: Phrases.capitalised(Phrases.outcome(walk.outcome, what: walk.direction.rawValue.lowercased(),
                                                                      receiver: walk.receiver)) + ".")
    }
}

// The template reads every value by name. Without these, the Mustache library finds a name by
// reflecting the whole value (`Mirror`, which copies every field, arrays included) for each tag,
// and on a big host that was half the time of a scenario page. Each answers what the reflection
// would: the field of that name, nil for an absent optional or an unknown name (the library then
// looks in the enclosing value, as before). `ScenarioPageTemplateTests` checks them against
// `Mirror`.
extension ScenarioPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": return id
        case "title": return title
        case "kind": return kind
        case "verdict": return verdict
        case "hostPage": return hostPage
        case "requestDiagram": return requestDiagram
        case "replyDiagram": return replyDiagram
        case "diagramLinks": return diagramLinks
        case "callout": return callout
        case "directions": return directions
        case "proxyLeg": return proxyLeg
        case "branches": return branches
        default: return nil
        }
    }
}

extension ScenarioPage.Direction: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "marks": return marks
        case "sectionMarks": return sectionMarks
        case "name": return self.name
        case "intro": return intro
        case "path": return path
        case "diagram": return diagram
        case "sections": return sections
        case "outcome": return outcome
        default: return nil
        }
    }
}

extension ScenarioPage.Section: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": return heading
        case "excerpt": return excerpt
        case "lead": return lead
        case "steps": return steps
        case "trail": return trail
        case "communication": return communication
        default: return nil
        }
    }
}

extension ScenarioPage.ProxyLeg: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": return heading
        case "explanation": return explanation
        case "directions": return directions
        default: return nil
        }
    }
}
