import HookwalkRender

/// The overlay diagram of one scenario whose path differs between two hosts: per packet, the union
/// of both paths top to bottom, steps only on A in orange, only on B in blue, common steps white,
/// and the edges each host's packet takes coloured the same way (grey where both take it). Long
/// runs of common steps are folded into one node so that the differences stay in view. Written
/// through Render's one DOT writer (`DOT`: escaped HTML-like labels, quoted ids and values, edges
/// after the clusters); node ids come from counters, so the text is deterministic and names from
/// a host cannot inject DOT.
public enum OverlayDiagram {
    static let colourA = "#d9480f", fillA = "#fde0c5"
    static let colourB = "#1c64b0", fillB = "#d0e4f7"
    static let colourBoth = "gray35"
    /// Common runs longer than this are folded, keeping `keep` steps at each end.
    static let foldAbove = 6, keep = 2

    public static func dot(_ s: ScenarioDiff, hostA: String, hostB: String) -> String {
        var w = DOT(name: "overlay")
        w.graph([("rankdir", "TB"), ("fontname", "Helvetica"), ("fontsize", "12"), ("labelloc", "t"), ("nodesep", "0.3"),
                 ("ranksep", "0.3"), ("label", DOT.label([s.key.label, "A: \(hostA)   B: \(hostB)"], boldLines: 1))])
        w.nodeDefaults([("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "white"), ("fontname", "Helvetica"),
                        ("fontsize", "10"), ("color", "gray50")])
        w.edgeDefaults([("color", colourBoth), ("penwidth", "1.4")])
        legend(&w, hostA: hostA, hostB: hostB)
        var ids = Counter()
        for packet in s.paths { self.packet(packet, &w, &ids) }
        return w.text
    }

    /// The look of a step only on A, only on B.
    static let sideA = [("fillcolor", fillA), ("color", colourA), ("penwidth", "2")]
    static let sideB = [("fillcolor", fillB), ("color", colourB), ("penwidth", "2"), ("style", "rounded,filled,dashed")]

    static func legend(_ w: inout DOT, hostA: String, hostB: String) {
        w.beginCluster("legend", [("label", DOT.label(["legend"], boldLines: 1)), ("style", "rounded"), ("color", "gray70"), ("labeljust", "l")])
        w.node("legend_both", [("label", DOT.label(["on both hosts"]))])
        w.node("legend_a", sideA + [("label", DOT.label(["only on A", hostA], boldLines: 1))])
        w.node("legend_b", sideB + [("label", DOT.label(["only on B", hostB], boldLines: 1))])
        w.sameRank(["legend_a", "legend_b", "legend_both"])
        w.endCluster()
        // Invisible edges keep the legend in reading order: A, B, both.
        w.edge("legend_a", "legend_b", [("style", "invis")])
        w.edge("legend_b", "legend_both", [("style", "invis")])
    }

    /// A node to draw: a step, a folded run, or an end.
    struct Item {
        var side: PacketOverlay.Side
        var lines: [String]
        var bold: Int
        var folded = false
    }

    static func items(_ p: PacketOverlay) -> [Item] {
        var out: [Item] = []
        var run: [PacketOverlay.Step] = []
        func flush() {
            if run.count > foldAbove {
                out += run.prefix(keep).map(item)
                out.append(Item(side: .both, lines: ["… \(run.count - 2 * keep) more steps on both …"], bold: 0, folded: true))
                out += run.suffix(keep).map(item)
            } else {
                out += run.map(item)
            }
            run = []
        }
        for step in p.steps {
            if step.side == .both { run.append(step) } else {
                flush()
                out.append(item(step))
            }
        }
        flush()
        return out
    }

    static func item(_ step: PacketOverlay.Step) -> Item {
        let head: [String]
        switch step.side {
        case .both: head = []
        case .a: head = ["only on A"]
        case .b: head = ["only on B"]
        }
        return Item(side: step.side, lines: head + wrap(step.text), bold: head.count)
    }

    static func packet(_ p: PacketOverlay, _ w: inout DOT, _ counter: inout Counter) {
        w.beginCluster(counter.next("p"), [("label", DOT.label([p.packet], boldLines: 1)), ("style", "rounded"), ("color", "gray60"),
                                            ("labeljust", "l")])
        var nodes = items(p)
        let same = !p.steps.contains { $0.side != .both } && p.sameEnd
        if same {
            nodes = [Item(side: .both, lines: ["same path on both hosts (\(p.steps.count) steps)", "end: \(p.endA ?? "")"],
                          bold: 0, folded: true)]
        } else if p.sameEnd {
            nodes.append(Item(side: .both, lines: wrap("end: \(p.endA ?? "")"), bold: 0))
        } else {
            if let e = p.endA { nodes.append(Item(side: .a, lines: ["A ends"] + wrap(e), bold: 1)) }
            if let e = p.endB { nodes.append(Item(side: .b, lines: ["B ends"] + wrap(e), bold: 1)) }
        }
        var ids: [String] = []
        for item in nodes {
            let id = counter.next("n")
            ids.append(id)
            let look: [(String, String)]
            switch item.side {
            case .both: look = item.folded ? [("style", "rounded,filled,dotted")] : []
            case .a: look = sideA
            case .b: look = sideB
            }
            w.node(id, look + [("label", DOT.label(item.lines, boldLines: item.bold))])
        }
        w.endCluster()
        // Each host's packet goes through the common steps and its own ones, in order.
        struct Edge: Hashable { var from, to: String }
        var edges: [Edge] = []
        var sides: [Edge: Set<PacketOverlay.Side>] = [:]
        for side in [PacketOverlay.Side.a, .b] {
            let path = zip(nodes, ids).filter { $0.0.side == .both || $0.0.side == side }.map(\.1)
            for (from, to) in zip(path, path.dropFirst()) {
                let e = Edge(from: from, to: to)
                if sides[e] == nil { edges.append(e) }
                sides[e, default: []].insert(side)
            }
        }
        for e in edges {
            switch sides[e] ?? [] {
            case [.a]: w.edge(e.from, e.to, [("color", colourA), ("penwidth", "2")])
            case [.b]: w.edge(e.from, e.to, [("color", colourB), ("penwidth", "2"), ("style", "dashed")])
            default: w.edge(e.from, e.to)
            }
        }
    }

    /// Node and cluster ids from one counter per diagram (never from names), so the text is stable.
    struct Counter {
        var n = 0
        mutating func next(_ prefix: String) -> String {
            n += 1
            return "\(prefix)\(n)"
        }
    }

    /// Label lines of at most `width` characters, so nodes stay narrow (the doc diagrams' wrapping).
    static func wrap(_ text: String, width: Int = 52) -> [String] {
        Wrap.lines(text, width: width)
    }
}
