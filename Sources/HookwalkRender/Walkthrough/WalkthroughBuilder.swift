import HookwalkFindings
import HookwalkModel
import HookwalkSimulator

/// What the builder needs besides the trace: the rules of every chain (for the excerpt and for
/// the rules the packet passed over) and the host (to say why `fib daddr type local` held).
public struct RenderContext: Sendable {
    public let ruleset: Ruleset
    public let host: HostModel
    /// Every chain's printed rules, handles and fold summaries, computed once for all scenarios.
    let index: ExcerptIndex
    /// Who wrote each rule: the owner badges of the excerpts.
    public let provenance: Provenance
    /// Every chain's owner and its rules' owners, computed once: excerpts of a big host print the
    /// same long chains on thousands of pages.
    let owners: [ChainRef: (chain: Owner, rules: [Owner])]
    /// The interface of each of the host's addresses (the first that has it), for the sentences
    /// of `fib daddr type local`: a big host has thousands of interfaces.
    let localInterfaces: [IPAddress: String]

    public init(ruleset: Ruleset, host: HostModel) {
        self.ruleset = ruleset
        self.host = host
        index = ExcerptIndex(ruleset: ruleset)
        let provenance = Provenance(ruleset: ruleset, host: host)
        self.provenance = provenance
        var owners: [ChainRef: (chain: Owner, rules: [Owner])] = [:]
        for t in ruleset.tables {
            for c in t.chains {
                // The first table and chain of a name, as `chain(_:)` finds them.
                let key = ChainRef(family: t.family, table: t.name, chain: c.name)
                guard owners[key] == nil else { continue }
                owners[key] = (provenance.owner(chain: c.name, in: t), c.rules.map { provenance.owner(rule: $0, chain: c.name, in: t) })
            }
        }
        self.owners = owners
        var local: [IPAddress: String] = [:]
        for (interface, address) in host.localAddresses where local[address.address] == nil { local[address.address] = interface }
        localInterfaces = local
    }

    /// The badge of rule `r` of a chain: its owner where that says more than the chain's own.
    func badge(_ chain: ChainRef, rule r: Int) -> String {
        guard let o = owners[chain], r < o.rules.count, o.rules[r] != o.chain else { return "" }
        return o.rules[r].badge
    }

    /// The badge of a chain's header: its owner, except for iptables' own shared chains, whose
    /// rules say who wrote them.
    func badge(_ chain: ChainRef) -> String {
        guard let o = owners[chain], let table = ruleset.table(chain.family, chain.table) else { return "" }
        return Provenance.isShared(chain.chain, in: table) && o.chain.tool == .handWritten ? "" : o.chain.badge
    }

    func chain(_ ref: ChainRef) -> Chain? {
        ruleset.table(ref.family, ref.table)?.chain(ref.chain)
    }
}

/// Turns a packet trace into numbered sections. Only presentation happens here: which rule
/// matched, what changed and where is read from the events; the builder decides marks, numbers and
/// wording.
public struct WalkthroughBuilder: Sendable {
    let context: RenderContext

    public init(context: RenderContext) {
        self.context = context
    }

    public func build(_ trace: PacketTrace, direction: Direction, from sender: Endpoint) -> Walkthrough {
        var sections: [WalkSection] = []
        var current: SectionState?
        var state = trace.initial
        var previousWasRule = false

        func finish() {
            if var s = current {
                s.closeVisit()
                sections.append(s.section(stateAfter: state, context: context))
            }
            current = nil
        }

        for event in trace.events {
            let kind = event.kind
            if case .hook(let family, let hook) = kind {
                finish()
                current = SectionState(family: family, hook: hook)
                previousWasRule = false
                continue
            }
            if current == nil { current = SectionState(family: nil, hook: nil) }
            switch kind {
            case .hook:
                break
            case .chain(let ref, let packet):
                state = packet
                current!.startVisit(ref, packet: packet, context: context)
            case .rule(let chain, let handle, let text, let verdict):
                current!.rule(chain: chain, handle: handle, text: SectionState.normalise(text), verdict: verdict,
                              packet: state, context: context)
            case .policy(let chain, let policy):
                current!.policy(chain: chain, policy: policy, context: context)
            case .nat(let natKind, let before, let after, let implicit):
                state = after
                if !implicit && previousWasRule {
                    current!.foldNat(kind: natKind, before: before, after: after)
                } else {
                    current!.addNat(kind: natKind, before: before, after: after, implicit: implicit)
                }
            case .route(let decision):
                current!.add(.route(decision), numbered: false, sentence: Sentences.route(decision, packet: state))
            case .conntrack(let fact):
                current!.add(.conntrack(fact), numbered: false, sentence: Sentences.conntrack(fact), detail: "conntrack: \(fact)")
            case .note(let note):
                current!.add(.note(note), numbered: false, sentence: Sentences.note(note.description), detail: note.description)
            case .notModelled(let chain, _, let text, let assumption):
                let place = chain.map { " in " + Markdown.codeSpan($0.description) } ?? ""
                current!.add(.notModelled, chain: chain,
                             sentence: "hookwalk does not evaluate \(Markdown.codeSpan(text.description))\(place); it assumes "
                                 + Markdown.prose(assumption) + ".",
                             detail: "not modelled: \(text); assumed: \(assumption)")
            }
            if case .rule = kind { previousWasRule = true } else { previousWasRule = false }
        }
        finish()
        return Walkthrough(direction: direction, sender: Phrases.sender(sender), senderPlain: Phrases.senderPlain(sender),
                           initial: trace.initial, sections: sections,
                           outcome: trace.outcome)
    }
}

/// The marks of one excerpt line, kept apart so incoming arrows print before the line's own mark
/// (`->(3)(4)->`).
struct LineMarks {
    var incoming: [String] = []
    var own: [String] = []
    /// A rule the packet returns to is marked `->(n)`, not also `↓` (as in the article).
    var gutter: String {
        let mine = incoming.isEmpty ? own : own.filter { $0 != "↓" }
        return incoming.joined() + mine.joined()
    }
}

/// Where a mark goes in a visit's excerpt.
enum LineKey: Hashable {
    case header(String)
    case typeLine
    case rule(String, Int)
    case close(String)
}

/// One base chain's evaluation within a section: the chains it entered and the marks.
struct Visit {
    var base: BaseChainRef
    var chainOrder: [String]
    var marks: [LineKey: LineMarks] = [:]
    /// The rules passed over (`↓`) in long chains (`ExcerptIndex.longChain`), as ranges: marking
    /// them one by one would cost the size of the chain for every packet.
    var passed: [String: [Range<Int>]] = [:]
    /// Call stack: chain name and the index of the next rule evaluation would reach.
    var frames: [(chain: String, next: Int)]
    var ended = false

    mutating func mark(_ key: LineKey, own: String) { marks[key, default: LineMarks()].own.append(own) }
    mutating func mark(_ key: LineKey, incoming: String) { marks[key, default: LineMarks()].incoming.append(incoming) }
}

/// Builds one section as its events arrive.
struct SectionState {
    let family: Family?
    let hook: Hook?
    var steps: [WalkStep] = []
    var visits: [Visit] = []
    var open: Visit?
    /// Whether the previous base chain of this hook accepted the packet (explains why the next one
    /// runs at all).
    var previousAccepted = false

    init(family: Family?, hook: Hook?) {
        self.family = family
        self.hook = hook
    }

    var nextNumber: Int { (steps.last { $0.number != nil }?.number ?? 0) + 1 }

    mutating func add(_ kind: StepKind, chain: ChainRef? = nil, numbered: Bool = true, sentence: String,
                      detail: String? = nil) {
        steps.append(WalkStep(number: numbered ? nextNumber : nil, kind: kind, chain: chain, ruleText: nil, sentence: sentence,
                              detail: detail))
    }

    mutating func closeVisit() {
        if let v = open { visits.append(v) }
        open = nil
    }

    mutating func startVisit(_ ref: BaseChainRef, packet: PacketState, context: RenderContext) {
        closeVisit()
        var v = Visit(base: ref, chainOrder: [ref.chain.chain], frames: [(ref.chain.chain, 0)])
        let n = nextNumber
        v.mark(.typeLine, own: "(\(n))")
        open = v
        let spec = context.chain(ref.chain)?.base
        steps.append(WalkStep(number: n, kind: .baseChain(ref), chain: ref.chain, ruleText: nil,
                              sentence: Sentences.baseChain(ref, spec: spec, packet: packet, first: !steps.contains {
                                  if case .baseChain = $0.kind { return true } else { return false }
                              }, previousAccepted: previousAccepted)))
        previousAccepted = false
    }

    /// Marks `↓` on the rules of the top frame from its next rule up to (not including) `index`.
    mutating func passOver(upTo index: Int?, context: RenderContext) -> Int {
        guard var v = open, let top = v.frames.last else { return 0 }
        let ref = ChainRef(family: v.base.chain.family, table: v.base.chain.table, chain: top.chain)
        let count = context.chain(ref)?.rules.count ?? 0
        let end = min(index ?? count, count)
        var passed = 0
        if top.next < end, context.index.isLong(ref) {
            v.passed[top.chain, default: []].append(top.next..<end)
            // A rule the packet came back to shows `->(n)`, not `↓`: only count what is shown.
            passed = end - top.next - v.marks.reduce(0) { n, entry in
                guard case .rule(let c, let i) = entry.key, c == top.chain, (top.next..<end).contains(i),
                      !entry.value.incoming.isEmpty else { return n }
                return n + 1
            }
        } else if top.next < end {
            for i in top.next..<end {
                v.mark(.rule(top.chain, i), own: "↓")
                // A rule the packet came back to shows `->(n)`, not `↓`: only count what is shown.
                if v.marks[.rule(top.chain, i)]?.incoming.isEmpty ?? true { passed += 1 }
            }
        }
        open = v
        return passed
    }

    mutating func rule(chain: ChainRef, handle: Int?, text: String, verdict: Verdict, packet: PacketState,
                       context: RenderContext) {
        guard open != nil else {
            steps.append(WalkStep(number: nextNumber, kind: .verdict(verdict), chain: chain, ruleText: text,
                                  sentence: Sentences.rule(text: text, rule: nil, verdict: verdict, chain: chain,
                                                           caller: nil, passedOver: 0, packet: packet, context: context)))
            return
        }
        // A rule of a chain lower on the stack: the chains above it fell off their end (no event).
        while let top = open!.frames.last, top.chain != chain.chain, open!.frames.count > 1 {
            _ = passOver(upTo: nil, context: context)
            open!.frames.removeLast()
        }
        if open!.frames.last?.chain != chain.chain {
            open!.frames = [(chain.chain, 0)]
            if !open!.chainOrder.contains(chain.chain) { open!.chainOrder.append(chain.chain) }
        }
        let chainModel = context.chain(chain)
        let index = chainModel.flatMap { Self.ruleIndex(in: $0, ref: chain, handle: handle, text: text,
                                                         from: open!.frames.last!.next, context: context) }
        let passed = passOver(upTo: index, context: context)
        if let index { open!.frames[open!.frames.count - 1].next = index + 1 }
        let n = nextNumber
        let key: LineKey? = index.map { .rule(chain.chain, $0) }
        let caller = open!.frames.count > 1 ? open!.frames[open!.frames.count - 2] : nil
        let rule = index.flatMap { chainModel?.rules[$0] }
        var kind: StepKind = .verdict(verdict)
        switch verdict {
        case .jump(let target), .goto(let target):
            if let key { open!.mark(key, own: "(\(n))->") }
            open!.mark(.header(target), incoming: "->(\(n))")
            if !open!.chainOrder.contains(target) { open!.chainOrder.append(target) }
            let targetRef = ChainRef(family: chain.family, table: chain.table, chain: target)
            if case .jump = verdict {
                open!.frames.append((target, 0))
                kind = .jump(to: targetRef)
            } else {
                open!.frames[open!.frames.count - 1] = (target, 0)
                kind = .goto(to: targetRef)
            }
        case .return:
            if let key { open!.mark(key, own: "(\(n))->") }
            kind = .returnRule
            if open!.frames.count > 1 {
                open!.frames.removeLast()
                let back = open!.frames.last!
                let backCount = context.chain(ChainRef(family: chain.family, table: chain.table, chain: back.chain))?
                    .rules.count ?? 0
                open!.mark(back.next < backCount ? .rule(back.chain, back.next) : .close(back.chain), incoming: "->(\(n))")
            } else {
                open!.mark(.close(chain.chain), incoming: "->(\(n))")
            }
        case .accept, .drop, .queue:
            if let key { open!.mark(key, own: "(\(n))") }
            previousAccepted = verdict == .accept
            open!.ended = true
        case .continue:
            if let key { open!.mark(key, own: "(\(n))") }
        }
        steps.append(WalkStep(number: n, kind: kind, chain: chain, ruleText: text,
                              sentence: Sentences.rule(text: text, rule: rule, verdict: verdict, chain: chain,
                                                       caller: caller?.chain, passedOver: passed, packet: packet,
                                                       context: context)))
    }

    /// When no rule of the base chain matched, the policy is part of the chain's own step (the
    /// article's "(1) ... Apply policy -> accept"); after matched rules it is a step of its own,
    /// marked on the chain's closing brace.
    mutating func policy(chain: ChainRef, policy: Policy, context: RenderContext) {
        var number = nextNumber
        if let last = steps.last(where: { $0.number != nil }), case .baseChain(let ref) = last.kind, ref.chain == chain,
           let n = last.number {
            number = n
        }
        if open != nil {
            // Everything still on the stack was passed over to the end.
            while open!.frames.count > 0 {
                _ = passOver(upTo: nil, context: context)
                open!.frames.removeLast()
            }
            if number == nextNumber { open!.mark(.close(chain.chain), own: "(\(number))") }
            open!.ended = true
        }
        previousAccepted = policy == .accept
        steps.append(WalkStep(number: number, kind: .policy(policy), chain: chain, ruleText: nil,
                              sentence: Sentences.policy(chain: chain, policy: policy)))
    }

    mutating func foldNat(kind: NatRewrite, before: PacketState, after: PacketState) {
        guard !steps.isEmpty else { return addNat(kind: kind, before: before, after: after, implicit: false) }
        steps[steps.count - 1].natBefore = before
        steps[steps.count - 1].natAfter = after
        steps[steps.count - 1].sentence += " " + Sentences.rewrite(kind: kind, before: before, after: after)
    }

    mutating func addNat(kind: NatRewrite, before: PacketState, after: PacketState, implicit: Bool) {
        var step = WalkStep(number: nextNumber, kind: .nat(kind: kind, implicit: implicit), chain: nil, ruleText: nil,
                            sentence: Sentences.nat(kind: kind, before: before, after: after, implicit: implicit,
                                                    hook: hook))
        step.natBefore = before
        step.natAfter = after
        steps.append(step)
    }

    /// The rule an event names: by handle when both sides have handles, else by its printed text
    /// (the trace prints a rule without counter values, as the printer does).
    static func ruleIndex(in chain: Chain, ref: ChainRef, handle: Int?, text: String, from: Int,
                          context: RenderContext) -> Int? {
        let info = context.index.info(ref)
        if let handle {
            if let info, let i = info.byHandle[handle] { return i }
            if info == nil, let i = chain.rules.firstIndex(where: { $0.handle == handle }) { return i }
        }
        let wanted = normalise(text)
        if let info { return info.index(of: wanted, from: min(max(from, 0), info.texts.count)) }
        let texts = chain.rules.map { normalise(NftTextWriter.ruleText($0)) }
        let lower = min(max(from, 0), texts.count)
        return texts[lower...].firstIndex(of: wanted) ?? texts[..<lower].firstIndex(of: wanted)
    }

    /// As `RuleLocator.normalise`: `counter packets 0 bytes 0` lists as `counter` in traces.
    static func normalise(_ text: String) -> String { RuleLocator.normalise(text) }

    func section(stateAfter: PacketState, context: RenderContext) -> WalkSection {
        WalkSection(family: family, hook: hook, steps: steps,
                    excerpt: Excerpt.lines(visits: visits, context: context), stateAfter: stateAfter)
    }
}
