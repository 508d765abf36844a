import HookwalkModel
import HookwalkSimulator

/// One picture of the host: every hook with every base chain attached to it (all families), in
/// priority order, and which scenarios cross each chain. Hooks are laid out as the kernel reaches
/// them: prerouting on top, input/forward/output in the middle, postrouting at the bottom.
public enum OverviewDiagram {
    /// A scenario's id and the base chains its request and reply met.
    public struct Crossing: Sendable {
        public var scenario: String
        public var request: Set<ChainRef>
        public var reply: Set<ChainRef>
        /// The scenario's kind (`published-port`...), by which a big host's overview counts.
        public var kind: String

        public init(scenario: String, request: Set<ChainRef>, reply: Set<ChainRef>, kind: String = "") {
            self.scenario = scenario
            self.request = request
            self.reply = reply
            self.kind = kind
        }

        /// The base chains met, read from the trace's chain events.
        public init(scenario: String, trace: Trace, kind: String = "") {
            func chains(_ t: PacketTrace?) -> Set<ChainRef> {
                Set((t?.events ?? []).compactMap { e in
                    if case .chain(let ref, _) = e.kind { return ref.chain }
                    return nil
                })
            }
            self.init(scenario: scenario, request: chains(trace.request), reply: chains(trace.reply), kind: kind)
        }
    }

    /// The ip, ip6 and inet families share the layer-3 hooks; bridge, arp and netdev have their own.
    enum Layer: String, CaseIterable {
        case ip, bridge, arp, netdev

        init(_ f: Family) {
            switch f {
            case .ip, .ip6, .inet: self = .ip
            case .bridge: self = .bridge
            case .arp: self = .arp
            case .netdev: self = .netdev
            }
        }
    }

    static let hookOrder: [Hook] = [.ingress, .prerouting, .input, .forward, .output, .postrouting, .egress]
    static let maxListed = 8
    /// More scenarios than this on a chain and it counts them by kind instead of naming any.
    static let maxNamed = 40

    /// `3,000 published-port (request 3,000, reply 3,000)`, one line per kind, in kind order.
    static func countsByKind(_ crossings: [Crossing], chain: ChainRef) -> [String] {
        var counts: [String: (all: Int, request: Int, reply: Int)] = [:]
        for c in crossings {
            let req = c.request.contains(chain), rep = c.reply.contains(chain)
            guard req || rep else { continue }
            var n = counts[c.kind, default: (0, 0, 0)]
            n.all += 1
            if req { n.request += 1 }
            if rep { n.reply += 1 }
            counts[c.kind] = n
        }
        return counts.keys.sorted().map { kind in
            let n = counts[kind]!
            return "\(n.all.grouped) \(kind.isEmpty ? "scenarios" : kind) (request \(n.request.grouped), reply \(n.reply.grouped))"
        }
    }

    public static func dot(ruleset: Ruleset, hostname: String, crossings: [Crossing]) -> String {
        var dot = DOT(name: "overview")
        DiagramStyle.graphDefaults(&dot, title: ["\(hostname): netfilter hooks and base chains",
                                                 "ip = the ip, ip6 and inet tables; chains in priority order"])
        struct Entry { var ref: ChainRef; var spec: BaseChainSpec }
        var byHook: [Layer: [Hook: [Entry]]] = [:]
        for table in ruleset.tables {
            for chain in table.chains {
                guard let spec = chain.base else { continue }
                let ref = ChainRef(family: table.family, table: table.name, chain: chain.name)
                byHook[Layer(table.family), default: [:]][spec.hook, default: []].append(Entry(ref: ref, spec: spec))
            }
        }
        var firstNode: [String: String] = [:]
        var lastNode: [String: String] = [:]
        var counter = 0
        for layer in Layer.allCases {
            let hooks = byHook[layer] ?? [:]
            // The layer-3 path is always drawn; other families only where they have chains.
            let shown = hookOrder.filter { hooks[$0] != nil || (layer == .ip && [.prerouting, .input, .forward, .output, .postrouting].contains($0)) }
            for hook in shown {
                let key = "\(layer.rawValue) \(hook.rawValue)"
                dot.beginCluster("\(layer.rawValue)_\(hook.rawValue)", [
                    ("label", DOT.label([key], boldLines: 1)), ("style", "rounded,filled"),
                    ("fillcolor", DiagramStyle.clusterFill(layer == .bridge ? .bridge : (layer == .ip ? .ip : .netdev))),
                    ("color", "gray60"), ("labeljust", "l"),
                ])
                let entries = (hooks[hook] ?? []).sorted {
                    ($0.spec.priority, $0.ref.family.rawValue, $0.ref.table, $0.ref.chain)
                        < ($1.spec.priority, $1.ref.family.rawValue, $1.ref.table, $1.ref.chain)
                }
                var previous: String?
                if entries.isEmpty {
                    counter += 1
                    let id = "e\(counter)"
                    dot.node(id, [("shape", "plaintext"), ("style", ""), ("label", DOT.label(["no base chain"]))])
                    firstNode[key] = id
                    lastNode[key] = id
                }
                for entry in entries {
                    counter += 1
                    let id = "c\(counter)"
                    var lines = DiagramStyle.baseChainLines(entry.ref, type: entry.spec.type, hook: hook,
                                                            priority: entry.spec.priority, policy: entry.spec.policy)
                    let users = crossings.compactMap { c -> String? in
                        let req = c.request.contains(entry.ref), rep = c.reply.contains(entry.ref)
                        switch (req, rep) {
                        case (true, true): return "\(c.scenario) (request, reply)"
                        case (true, false): return "\(c.scenario) (request)"
                        case (false, true): return "\(c.scenario) (reply)"
                        default: return nil
                        }
                    }
                    if users.isEmpty {
                        lines.append("crossed by no scenario")
                    } else if users.count > maxNamed {
                        lines.append("crossed by \(users.count.grouped) scenarios:")
                        lines += countsByKind(crossings, chain: entry.ref)
                    } else {
                        lines.append("crossed by \(users.count) scenario\(users.count == 1 ? "" : "s"):")
                        lines += users.prefix(maxListed)
                        if users.count > maxListed { lines.append("and \(users.count - maxListed) more") }
                    }
                    dot.node(id, [("fillcolor", users.isEmpty ? "#f0f0f0" : DiagramStyle.chainFill(entry.spec.type)),
                                  ("style", users.isEmpty ? "rounded,filled,dashed" : "rounded,filled"),
                                  ("label", DOT.label(lines, bold: [1]))])
                    if let previous { dot.edge(previous, id, [("style", "bold"), ("color", "gray20")]) }
                    if firstNode[key] == nil { firstNode[key] = id }
                    lastNode[key] = id
                    previous = id
                }
                dot.endCluster()
            }
        }
        // The ways between hooks, as the kernel goes.
        let paths: [(String, String)] = [
            ("ip prerouting", "ip input"), ("ip prerouting", "ip forward"), ("ip forward", "ip postrouting"),
            ("ip input", "ip output"), ("ip output", "ip postrouting"),
            ("netdev ingress", "ip prerouting"), ("ip postrouting", "netdev egress"),
            ("bridge prerouting", "bridge input"), ("bridge prerouting", "bridge forward"),
            ("bridge forward", "bridge postrouting"), ("bridge output", "bridge postrouting"),
        ]
        for (a, b) in paths {
            guard let from = lastNode[a], let to = firstNode[b] else { continue }
            let local = a == "ip input" && b == "ip output"
            dot.edge(from, to, [("style", local ? "dashed" : "bold"), ("color", local ? "gray60" : "gray20"),
                                ("label", DOT.label([local ? "local process" : ""]))])
        }
        return dot.text
    }
}
