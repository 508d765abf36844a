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
                out.append(ExcerptLine(gutter: gutter(.header(chainName)), text: "  chain \(name(chainName)) {", badge: context.badge(chainRef)))
                guard let chain = context.chain(chainRef) else {
                    out.append(ExcerptLine(gutter: "", text: "    # not in the ruleset snapshot"))
                    out.append(ExcerptLine(gutter: gutter(.close(chainName)), text: "  }"))
                    continue
                }
                if chainName == ref.chain {
                    out.append(ExcerptLine(gutter: gutter(.typeLine), text: "    " + typeLine(visit.base, spec: chain.base)))
                }
                // Counter values are noise here: rules are shown as the trace prints them.
                if let info = context.index.info(chainRef), let runs = info.runs {
                    folded(chainName, info: info, runs: runs, visit: visit, into: &out) { context.badge(chainRef, rule: $0) }
                } else {
                    for (r, rule) in chain.rules.enumerated() {
                        out.append(ExcerptLine(gutter: gutter(.rule(chainName, r)),
                                               text: "    " + (context.index.info(chainRef)?.texts[r]
                                                   ?? SectionState.normalise(NftTextWriter.ruleText(rule))),
                                               badge: context.badge(chainRef, rule: r)))
                    }
                }
                out.append(ExcerptLine(gutter: gutter(.close(chainName)), text: "  }"))
            }
            out.append(ExcerptLine(gutter: "", text: "}"))
        }
        return out
    }

    /// A long chain: the rules that matter to the packet (those with a mark: the one that
    /// decided, jumps, gotos, returns, the rules returned to) with the rule before and after
    /// each, and every other run of rules as one line saying how many and what they test, marked
    /// `↓` when the packet passed over them. A rule that looks the packet up in a set or verdict
    /// map says so: the kernel does not walk the elements.
    static func folded(_ chainName: String, info: ExcerptIndex.ChainInfo, runs: RunSummaries, visit: Visit,
                       into out: inout [ExcerptLine], badge: (Int) -> String = { _ in "" }) {
        let count = info.texts.count
        var marked: Set<Int> = []
        for (key, marks) in visit.marks {
            guard case .rule(let c, let i) = key, c == chainName, !marks.incoming.isEmpty || marks.own.contains(where: { $0 != "↓" })
            else { continue }
            marked.insert(i)
        }
        var shown: Set<Int> = []
        for i in marked { for j in (i - 1)...(i + 1) where j >= 0 && j < count { shown.insert(j) } }
        // Disjoint and sorted, so a run is cut where the packet's passing starts or stops
        // without looking at each rule of it.
        var ranges: [Range<Int>] = []
        for r in (visit.passed[chainName] ?? []).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = ranges.last, r.lowerBound <= last.upperBound {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                ranges.append(r)
            }
        }
        func passed(_ i: Int) -> Bool { ranges.contains { $0.contains(i) } }
        /// The first rule after `i` whose passed state differs from `i`'s.
        func change(after i: Int) -> Int {
            if let r = ranges.first(where: { $0.contains(i) }) { return r.upperBound }
            return ranges.first(where: { $0.lowerBound > i })?.lowerBound ?? count
        }
        func gutter(_ i: Int) -> String {
            let marks = visit.marks[.rule(chainName, i)] ?? LineMarks()
            if !marks.incoming.isEmpty { return marks.gutter }
            return (passed(i) && !marks.own.contains("↓") ? "↓" : "") + marks.gutter
        }
        func rule(_ i: Int) {
            out.append(ExcerptLine(gutter: gutter(i), text: "    " + info.texts[i], badge: badge(i)))
            if marked.contains(i), let lookup = lookupNote(info.texts[i]) {
                out.append(ExcerptLine(gutter: "", text: "    # " + lookup))
            }
        }
        /// Rules a..<b, none shown: folded by whether the packet passed over them.
        func gap(_ a: Int, _ b: Int) {
            var i = a
            while i < b {
                let p = passed(i)
                let j = min(b, change(after: i))
                if j - i < ExcerptIndex.minimumFold {
                    for k in i..<j { rule(k) }
                } else {
                    let what = p ? "rules that do not match" : "rules the packet does not reach"
                    out.append(ExcerptLine(gutter: p ? "↓" : "",
                                           text: "    # \((j - i).grouped) \(what) (\(runs.pattern(i, j)))"))
                }
                i = j
            }
        }
        var next = 0
        for i in shown.sorted() {
            gap(next, i)
            rule(i)
            next = i + 1
        }
        gap(next, count)
    }

    /// A rule that looks the packet up in a named set, an anonymous set or a verdict map.
    static func lookupNote(_ text: String) -> String? {
        if text.contains(" vmap ") {
            return "a verdict map: the kernel looks the packet up in it in one step, it does not walk its elements"
        }
        if text.contains(" @") || text.contains("{ ") {
            return "a set: the kernel looks the packet up in it in one step, it does not walk its elements"
        }
        return nil
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
