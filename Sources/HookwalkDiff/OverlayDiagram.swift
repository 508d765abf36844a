import HookwalkRender

/// The overlay diagram of one scenario whose path differs between two hosts: per packet, the union
/// of both paths top to bottom, steps only on A in orange, only on B in blue, common steps white,
/// and the edges each host's packet takes coloured the same way (grey where both take it). Long
/// runs of common steps are folded into one node so that the differences stay in view. Node ids
/// come from counters and labels are escaped HTML-like labels, so the text is deterministic and
/// names from a host cannot inject DOT.
public enum OverlayDiagram {
    static let colourA = "#d9480f", fillA = "#fde0c5"
    static let colourB = "#1c64b0", fillB = "#d0e4f7"
    static let colourBoth = "gray35"
    /// Common runs longer than this are folded, keeping `keep` steps at each end.
    static let foldAbove = 6, keep = 2

    public static func dot(_ s: ScenarioDiff, hostA: String, hostB: String) -> String {
        var w = Writer()
        w.line("digraph \"overlay\" {")
        w.line("  graph [rankdir=\"TB\", fontname=\"Helvetica\", fontsize=\"12\", labelloc=\"t\", nodesep=\"0.3\", ranksep=\"0.3\", "
               + "label=\(label([s.key.label, "A: \(hostA)   B: \(hostB)"], boldLines: 1))];")
        w.line("  node [shape=\"box\", style=\"rounded,filled\", fillcolor=\"white\", fontname=\"Helvetica\", fontsize=\"10\", color=\"gray50\"];")
        w.line("  edge [color=\"\(colourBoth)\", penwidth=\"1.4\"];")
        legend(&w, hostA: hostA, hostB: hostB)
        for packet in s.paths { self.packet(packet, &w) }
        w.line("}")
        return w.text
    }

    static func legend(_ w: inout Writer, hostA: String, hostB: String) {
        w.line("  subgraph \"cluster_legend\" {")
        w.line("    graph [label=\(label(["legend"], boldLines: 1)), style=\"rounded\", color=\"gray70\", labeljust=\"l\"];")
        w.line("    \"legend_both\" [label=\(label(["on both hosts"]))];")
        w.line("    \"legend_a\" [fillcolor=\"\(fillA)\", color=\"\(colourA)\", penwidth=\"2\", label=\(label(["only on A", hostA], boldLines: 1))];")
        w.line("    \"legend_b\" [fillcolor=\"\(fillB)\", color=\"\(colourB)\", penwidth=\"2\", style=\"rounded,filled,dashed\", "
               + "label=\(label(["only on B", hostB], boldLines: 1))];")
        w.line("    { rank=same; \"legend_a\"; \"legend_b\"; \"legend_both\"; }")
        // Invisible edges keep the legend in reading order: A, B, both.
        w.edge("  \"legend_a\" -> \"legend_b\" -> \"legend_both\" [style=\"invis\"];")
        w.line("  }")
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

    static func packet(_ p: PacketOverlay, _ w: inout Writer) {
        let cluster = w.next("p")
        w.line("  subgraph \"cluster_\(cluster)\" {")
        w.line("    graph [label=\(label([p.packet], boldLines: 1)), style=\"rounded\", color=\"gray60\", labeljust=\"l\"];")
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
            let id = w.next("n")
            ids.append(id)
            var attrs: [String] = []
            switch item.side {
            case .both: if item.folded { attrs.append("style=\"rounded,filled,dotted\"") }
            case .a: attrs += ["fillcolor=\"\(fillA)\"", "color=\"\(colourA)\"", "penwidth=\"2\""]
            case .b: attrs += ["fillcolor=\"\(fillB)\"", "color=\"\(colourB)\"", "penwidth=\"2\"", "style=\"rounded,filled,dashed\""]
            }
            attrs.append("label=\(label(item.lines, boldLines: item.bold))")
            w.line("    \"\(id)\" [\(attrs.joined(separator: ", "))];")
        }
        w.line("  }")
        // Each host's packet goes through the common steps and its own ones, in order.
        var edges: [String] = []
        var sides: [String: Set<PacketOverlay.Side>] = [:]
        for side in [PacketOverlay.Side.a, .b] {
            let path = zip(nodes, ids).filter { $0.0.side == .both || $0.0.side == side }.map(\.1)
            for (from, to) in zip(path, path.dropFirst()) {
                let e = "\"\(from)\" -> \"\(to)\""
                if sides[e] == nil { edges.append(e) }
                sides[e, default: []].insert(side)
            }
        }
        for e in edges {
            switch sides[e] ?? [] {
            case [.a]: w.edge("  \(e) [color=\"\(colourA)\", penwidth=\"2\"];")
            case [.b]: w.edge("  \(e) [color=\"\(colourB)\", penwidth=\"2\", style=\"dashed\"];")
            default: w.edge("  \(e);")
            }
        }
    }

    /// Collects lines; edges go after every cluster, at the top level (an edge declared inside a
    /// cluster belongs to it).
    struct Writer {
        var lines: [String] = []
        var edges: [String] = []
        var counter = 0

        mutating func line(_ s: String) { lines.append(s) }
        mutating func edge(_ s: String) { edges.append(s) }
        mutating func next(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)\(counter)"
        }

        var text: String {
            var all = lines
            let close = all.removeLast()
            return (all + edges + [close]).joined(separator: "\n") + "\n"
        }
    }

    /// An HTML-like label of lines escaped by Render's one DOT escaper (`DOT.escape`).
    static func label(_ lines: [String], boldLines: Int = 0) -> String {
        let body = lines.enumerated().map { i, l in i < boldLines ? "<B>\(DOT.escape(l))</B>" : DOT.escape(l) }
        return "<" + body.joined(separator: "<BR/>") + ">"
    }

    /// Label lines of at most `width` characters, so nodes stay narrow (the doc diagrams' wrapping).
    static func wrap(_ text: String, width: Int = 52) -> [String] {
        Wrap.lines(text, width: width)
    }
}
