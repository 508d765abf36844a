import HookwalkModel
import HookwalkSimulator

/// The diagram of one packet's path: a cluster per hook in traversal order, the base chains met,
/// the regular chains entered, verdict and NAT nodes, edges numbered like the walkthrough.
/// jump = solid, goto = dashed, return = dotted; the packet's flow between chains and hooks is
/// drawn bold. Node ids come from counters, so the same walkthrough gives the same text.
public enum ScenarioDiagram {
    public static func dot(_ walk: Walkthrough, title: String, context: RenderContext) -> String {
        var builder = Builder(walk: walk, context: context)
        return builder.build(title: title)
    }

    struct Builder {
        let walk: Walkthrough
        let context: RenderContext
        var dot = DOT(name: "hookwalk")
        var counter = 0
        var flow = "start"

        init(walk: Walkthrough, context: RenderContext) {
            self.walk = walk
            self.context = context
        }

        /// `by Docker: container radius`: who wrote the rule that decided (nothing for a policy).
        func owner(_ step: WalkStep) -> [String] {
            guard let chain = step.chain, let text = step.ruleText, !text.isEmpty else { return [] }
            // From the owners computed once per host (as `Provenance.owner(_:handle:text:)` finds
            // them: the first rule of that printed text, else the chain's owner), not by printing
            // the chain's rules again for every diagram.
            if let info = context.index.info(chain), let cached = context.owners[chain] {
                let owner = info.first(SectionState.normalise(text)).map { cached.rules[$0] } ?? cached.chain
                return Wrap.lines("by " + owner.badge, width: 30)
            }
            return Wrap.lines("by " + context.provenance.owner(chain, handle: nil, text: text).badge, width: 30)
        }

        mutating func newID(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)\(counter)"
        }

        mutating func build(title: String) -> String {
            DiagramStyle.graphDefaults(&dot, title: [title, "\(walk.direction.title) from \(walk.senderPlain)"])
            dot.node("start", [("shape", "box"), ("style", "filled"), ("fillcolor", DiagramStyle.endpointFill),
                               ("label", DOT.label(["\(walk.direction.title) from \(walk.senderPlain)", walk.initial.flowText],
                                                   boldLines: 1))])
            for (index, section) in walk.sections.enumerated() {
                dot.beginCluster("hook\(index + 1)", [
                    ("label", DOT.label([section.hookLabel], boldLines: 1)), ("style", "rounded,filled"),
                    ("fillcolor", DiagramStyle.clusterFill(section.family)), ("color", "gray60"),
                    ("fontsize", "12"), ("labeljust", "l"),
                ])
                self.section(section)
                dot.endCluster()
            }
            outcome()
            return dot.text
        }

        mutating func flowEdge(to id: String, label: String? = nil) {
            var attrs: [(String, String)] = [("style", "bold"), ("color", "gray20")]
            if let label { attrs.append(("label", DOT.label([label]))) }
            dot.edge(flow, id, attrs)
            flow = id
        }

        mutating func section(_ section: WalkSection) {
            if section.steps.isEmpty {
                let id = newID("n")
                dot.node(id, [("shape", "plaintext"), ("style", ""), ("label", DOT.label(["no base chain at this hook"]))])
                flowEdge(to: id)
                return
            }
            var stack: [(chain: String, node: String)] = []
            for step in section.steps {
                // Explanatory steps (routing, conntrack, notes) carry no number, as on the page.
                let num = step.number.map { "(\($0))" } ?? ""
                switch step.kind {
                case .baseChain(let ref):
                    let id = newID("c")
                    let policy = context.chain(ref.chain)?.base?.policy
                    dot.node(id, [("fillcolor", DiagramStyle.chainFill(ref.type)),
                                  ("label", DOT.label(DiagramStyle.baseChainLines(ref.chain, type: ref.type, hook: ref.hook,
                                                                                  priority: ref.priority, policy: policy),
                                                      bold: [1]))])
                    flowEdge(to: id, label: num)
                    stack = [(ref.chain.chain, id)]
                case .jump(let target), .goto(let target):
                    unwind(&stack, to: step.chain)
                    let id = newID("r")
                    dot.node(id, [("fillcolor", DiagramStyle.regularChainFill),
                                  ("label", DOT.label(["chain \(target.chain)"], boldLines: 1))])
                    let isJump: Bool = { if case .jump = step.kind { return true } else { return false } }()
                    dot.edge(stack.last?.node ?? flow, id,
                             [("style", isJump ? "solid" : "dashed"),
                              ("label", DOT.label(["\(num) \(isJump ? "jump" : "goto")"] + Wrap.lines(step.ruleText ?? "", width: 30)))])
                    if isJump || stack.isEmpty { stack.append((target.chain, id)) } else { stack[stack.count - 1] = (target.chain, id) }
                case .returnRule:
                    unwind(&stack, to: step.chain)
                    if stack.count > 1 {
                        let from = stack.removeLast()
                        returnEdge(from: from.node, to: stack.last!.node, label: "\(num) return")
                    }
                case .verdict(let verdict):
                    unwind(&stack, to: step.chain)
                    let from = stack.last?.node ?? flow
                    if verdict == .continue {
                        let id = newID("n")
                        dot.node(id, [("shape", "note"), ("fillcolor", DiagramStyle.noteFill),
                                      ("label", DOT.label(["\(num) continue"] + Wrap.lines(step.ruleText ?? ""), boldLines: 1))])
                        dot.edge(from, id, [("style", "solid"), ("arrowhead", "none"), ("label", DOT.label([num]))])
                        continue
                    }
                    var source = from
                    var edgeLabel: String? = num
                    if let before = step.natBefore, let after = step.natAfter {
                        let nat = natNode(before: before, after: after, heading: "\(num) NAT")
                        dot.edge(from, nat, [("style", "bold"), ("color", "gray20"), ("label", DOT.label([num]))])
                        source = nat
                        edgeLabel = nil
                    }
                    let id = newID("v")
                    let accepted = verdict == .accept
                    dot.node(id, [("shape", "box"), ("style", "filled"),
                                  ("fillcolor", accepted ? DiagramStyle.acceptFill : DiagramStyle.dropFill),
                                  ("label", DOT.label(["\(num) \(verdict.traceText)"] + Wrap.lines(step.ruleText ?? "") + owner(step),
                                                      boldLines: 1))])
                    var attrs: [(String, String)] = [("style", "bold"), ("color", "gray20")]
                    if let edgeLabel { attrs.append(("label", DOT.label([edgeLabel]))) }
                    dot.edge(source, id, attrs)
                    flow = id
                    stack = []
                case .policy(let policy):
                    let from = stack.first?.node ?? flow
                    let id = newID("v")
                    dot.node(id, [("shape", "box"), ("style", "filled"),
                                  ("fillcolor", policy == .accept ? DiagramStyle.acceptFill : DiagramStyle.dropFill),
                                  ("label", DOT.label(["\(num) policy \(policy.rawValue)"], boldLines: 1))])
                    dot.edge(from, id, [("style", "bold"), ("color", "gray20")])
                    flow = id
                    stack = []
                case .nat(let kind, let implicit):
                    guard let before = step.natBefore, let after = step.natAfter else { continue }
                    let heading = "\(num) \(implicit ? "conntrack " : "")\(kind)"
                    let id = natNode(before: before, after: after, heading: heading)
                    flowEdge(to: id)
                case .route(let d):
                    let id = newID("n")
                    var lines = ["routing: \(d.kind)" + (d.oif.map { " via \($0)" } ?? "")]
                    if let rule = d.rule { lines += Wrap.lines("rule " + rule) }
                    if let r = d.route { lines += Wrap.lines(r) }
                    dot.node(id, [("shape", "note"), ("fillcolor", DiagramStyle.noteFill), ("label", DOT.label(lines, boldLines: 1))])
                    flowEdge(to: id)
                case .conntrack, .note, .notModelled:
                    let id = newID("n")
                    let text = Wrap.lines(step.detail ?? "")
                    dot.node(id, [("shape", "note"), ("fillcolor", DiagramStyle.noteFill),
                                  ("label", DOT.label(num.isEmpty ? text : [num] + text, boldLines: num.isEmpty ? 0 : 1))])
                    flowEdge(to: id)
                }
            }
        }

        /// Chains above the one a step happens in fell off their end (the trace has no event for
        /// that): drop them, drawing the implicit return.
        mutating func unwind(_ stack: inout [(chain: String, node: String)], to chain: ChainRef?) {
            guard let chain, stack.contains(where: { $0.chain == chain.chain }) else { return }
            while stack.count > 1, stack.last!.chain != chain.chain {
                let from = stack.removeLast()
                returnEdge(from: from.node, to: stack.last!.node, label: "end of chain")
            }
        }

        /// A return to the calling chain, drawn dotted. Declared caller -> callee with the arrow
        /// reversed, so Graphviz lays it out beside the jump it undoes instead of looping it
        /// upwards across the other jumps' labels.
        mutating func returnEdge(from callee: String, to caller: String, label: String) {
            dot.edge(caller, callee, [("style", "dotted"), ("dir", "back"), ("color", "gray45"),
                                      ("fontcolor", "gray30"), ("label", DOT.label([label]))])
        }

        /// A NAT node: the packet before and after. A box, not a hexagon: a hexagon grows to twice
    /// the width of two address lines and pushes the hook cluster wide.
        mutating func natNode(before: PacketState, after: PacketState, heading: String) -> String {
            let id = newID("t")
            dot.node(id, [("shape", "box"), ("style", "filled,bold"), ("fillcolor", DiagramStyle.natFill),
                          ("label", DOT.label([heading, before.flowText, "becomes", after.flowText], bold: [0]))])
            return id
        }

        mutating func outcome() {
            let lines: [String]
            let fill: String
            switch walk.outcome {
            case .delivered(let endpoint, let state):
                lines = ["delivered to \(walk.receiverPlain ?? endpoint.label)", "it sees \(state.flowText)"]
                fill = DiagramStyle.acceptFill
            case .dropped(let chain, let handle, let text, let rejected):
                let by = handle == nil ? "policy of \(chain)" : "\(chain): \(text)"
                lines = [rejected ? "rejected" : "dropped"] + Wrap.lines(by)
                fill = DiagramStyle.dropFill
            case .unroutable(let why):
                lines = ["not routable"] + Wrap.lines(why)
                fill = DiagramStyle.dropFill
            case .notModelled(let why):
                lines = ["not modelled"] + Wrap.lines(why)
                fill = DiagramStyle.endpointFill
            }
            dot.node("end", [("style", "filled"), ("fillcolor", fill), ("label", DOT.label(lines, boldLines: 1))])
            flowEdge(to: "end")
        }
    }
}
