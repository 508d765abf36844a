import HookwalkFindings
import HookwalkModel
import HookwalkSimulator

/// The ruleset excerpt of a section, laid out like the article: each base chain the packet met
/// with its table, followed by the regular chains it entered, with the gutter marks on the left.
enum Excerpt {
    static func lines(visits: [Visit], context: RenderContext) -> [ExcerptLine] {
        var out: [ExcerptLine] = []
        for (i, visit) in visits.enumerated() {
            if i > 0 { out.append(ExcerptLine(gutter: "", text: "")) }
            let ref = visit.base.chain
            out.append(ExcerptLine(gutter: "", text: "table \(ref.family.rawValue) \(name(ref.table)) {"))
            for chainName in visit.chainOrder {
                let chainRef = ChainRef(family: ref.family, table: ref.table, chain: chainName)
                let gutter = { (key: LineKey) in visit.marks[key]?.gutter ?? "" }
                let table = context.ruleset.table(ref.family, ref.table)
                let owners = context.owners[chainRef]
                let chainOwner = owners?.chain ?? table.map { context.provenance.owner(chain: chainName, in: $0) }
                let shared = table.map { Provenance.isShared(chainName, in: $0) } == true && chainOwner?.tool == .handWritten
                out.append(ExcerptLine(gutter: gutter(.header(chainName)), text: "  chain \(name(chainName)) {",
                                       badge: shared ? "" : chainOwner?.badge ?? ""))
                guard let chain = context.chain(chainRef) else {
                    out.append(ExcerptLine(gutter: "", text: "    # not in the ruleset snapshot"))
                    out.append(ExcerptLine(gutter: gutter(.close(chainName)), text: "  }"))
                    continue
                }
                if chainName == ref.chain {
                    out.append(ExcerptLine(gutter: gutter(.typeLine), text: "    " + typeLine(visit.base, spec: chain.base)))
                }
                // Counter values are noise here: rules are shown as the trace prints them.
                for (r, rule) in chain.rules.enumerated() {
                    // The owner badge where the rule's owner says more than its chain's.
                    let owner = owners.flatMap { r < $0.rules.count ? $0.rules[r] : nil } ?? table.map { context.provenance.owner(rule: rule, chain: chainName, in: $0) }
                    out.append(ExcerptLine(gutter: gutter(.rule(chainName, r)), text: "    " + SectionState.normalise(context.ruleText(rule)),
                                           badge: owner == chainOwner ? "" : owner?.badge ?? ""))
                }
                out.append(ExcerptLine(gutter: gutter(.close(chainName)), text: "  }"))
            }
            out.append(ExcerptLine(gutter: "", text: "}"))
        }
        return out
    }

    /// `type nat hook prerouting priority -100; policy accept;` with the numeric priority, as the
    /// article prints it (the priority that orders the chains is the number).
    static func typeLine(_ ref: BaseChainRef, spec: BaseChainSpec?) -> String {
        var s = "type \(ref.type.rawValue) hook \(ref.hook.rawValue) priority \(ref.priority);"
        if let spec { s += " policy \(spec.policy.rawValue);" }
        return s
    }

    /// A table or chain name as nft would accept it back: quoted when it is not a plain word.
    static func name(_ n: String) -> String {
        let plain = !n.isEmpty && n.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)
        }
        return plain ? n : "\"" + n.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The excerpt as the lines of a code block, gutters padded to one column.
    static func text(_ lines: [ExcerptLine]) -> [String] {
        let width = lines.map(\.gutter.count).max() ?? 0
        return lines.map { l in
            // The badge is an nft comment, so the excerpt stays nft syntax; the code block it is
            // printed in neutralises newlines of host-given names.
            let text = l.badge.isEmpty ? l.text : l.text + "  # " + l.badge
            return width == 0 ? text : (l.gutter.rightPadded(to: width + 1) + text)
        }.map { $0.trailingSpacesTrimmed }
    }
}

extension String {
    var trailingSpacesTrimmed: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
