import HookwalkModel
import HookwalkSimulator

/// What the walkthroughs of one host need of every chain, computed once per host instead of once
/// per scenario: each rule as the excerpt prints it, where a handle is, and for long chains what
/// a run of rules has in common (for the fold lines). With it, documenting a scenario costs about
/// the rules its packet decides on, not the size of the ruleset.
final class ExcerptIndex: Sendable {
    /// A chain with more rules than this is folded in excerpts: the rules that matter to the
    /// packet and their neighbours are shown, every run of others is one line. The article's
    /// chains (and a Docker host's with a few dozen containers) stay whole.
    static let longChain = 40

    /// A fold replaces at least this many rules; shorter runs are shown as they are.
    static let minimumFold = 3

    struct ChainInfo: Sendable {
        /// The rules as printed (counter values dropped).
        let texts: [String]
        let byHandle: [Int: Int]
        /// Every rule of each printed text, in chain order: a big host's chains hold thousands
        /// of rules without handles, and a trace names a rule by its text.
        let byText: [String: [Int]]

        /// The first rule of printed text `text`.
        func first(_ text: String) -> Int? { byText[text]?.first }

        /// The first rule of printed text `text` at or after `from`, else the first before it
        /// (a rule evaluation came back to), as a scan of `texts` from `from` would find it.
        func index(of text: String, from: Int) -> Int? {
            guard let all = byText[text] else { return nil }
            var low = 0, high = all.count
            while low < high {
                let mid = (low + high) / 2
                if all[mid] < from { low = mid + 1 } else { high = mid }
            }
            return low < all.count ? all[low] : all.first
        }
        /// Long chains only.
        let runs: RunSummaries?
    }

    private let chains: [ChainRef: ChainInfo]

    init(ruleset: Ruleset) {
        var chains: [ChainRef: ChainInfo] = [:]
        for table in ruleset.tables {
            for chain in table.chains {
                let texts = chain.rules.map { SectionState.normalise(NftTextWriter.ruleText($0)) }
                var byHandle: [Int: Int] = [:]
                for (i, r) in chain.rules.enumerated() {
                    if let h = r.handle, byHandle[h] == nil { byHandle[h] = i }
                }
                var byText: [String: [Int]] = [:]
                for (i, t) in texts.enumerated() { byText[t, default: []].append(i) }
                let ref = ChainRef(family: table.family, table: table.name, chain: chain.name)
                // The first chain of a name wins, as `Ruleset.table(_:_:)?.chain(_:)` finds it.
                if chains[ref] == nil {
                    chains[ref] = ChainInfo(texts: texts, byHandle: byHandle, byText: byText,
                                            runs: texts.count > Self.longChain ? RunSummaries(texts) : nil)
                }
            }
        }
        self.chains = chains
    }

    func info(_ ref: ChainRef) -> ChainInfo? { chains[ref] }

    func isLong(_ ref: ChainRef) -> Bool { chains[ref]?.runs != nil }
}

/// Answers "what do rules a..<b test" in constant time: the word positions at which any two
/// neighbouring rules of the run differ, from a sparse table of OR-ed difference masks.
struct RunSummaries: Sendable {
    let words: [[String]]
    /// levels[k][i]: the OR of the masks of pairs i ..< i + 2^k; a pair's mask has bit p set
    /// when rules i and i+1 differ at word p, and bit 63 when their words do not line up.
    let levels: [[UInt64]]

    static let shapeBit: UInt64 = 1 << 63

    init(_ texts: [String]) {
        words = texts.map { $0.split(separator: " ").map(String.init) }
        var pairs: [UInt64] = []
        pairs.reserveCapacity(max(0, words.count - 1))
        for i in 0..<max(0, words.count - 1) {
            let a = words[i], b = words[i + 1]
            guard a.count == b.count else {
                pairs.append(Self.shapeBit)
                continue
            }
            var mask: UInt64 = 0
            for p in a.indices where a[p] != b[p] { mask |= 1 << UInt64(min(p, 62)) }
            pairs.append(mask)
        }
        var levels = [pairs]
        var width = 1
        while width * 2 <= pairs.count {
            let previous = levels[levels.count - 1]
            levels.append((0...(pairs.count - width * 2)).map { previous[$0] | previous[$0 + width] })
            width *= 2
        }
        self.levels = levels
    }

    /// The OR of the pair masks of rules a..<b (b - a >= 2).
    func mask(_ a: Int, _ b: Int) -> UInt64 {
        let n = b - 1 - a  // pairs a ..< b-1
        guard n > 0 else { return 0 }
        var k = 0
        while (2 << k) <= n { k += 1 }
        return levels[k][a] | levels[k][b - 1 - (1 << k)]
    }

    /// `iifname != "br0" … "br11" ip daddr 172.20.0.2 … 172.31.0.251 counter drop`: the run's
    /// rules as one pattern, the words that change shown as first … last.
    func pattern(_ a: Int, _ b: Int) -> String {
        let m = mask(a, b)
        let first = words[a], last = words[b - 1]
        let varying = first.indices.filter { m & (1 << UInt64(min($0, 62))) != 0 }.count
        // Rules of different shapes, or mostly different words: a pattern would say nothing.
        if m & Self.shapeBit != 0 || first.count != last.count || varying * 2 > first.count {
            return "from " + first.joined(separator: " ") + " to " + last.joined(separator: " ")
        }
        var out: [String] = []
        for p in first.indices {
            let varies = m & (1 << UInt64(min(p, 62))) != 0
            if !varies {
                out.append(first[p])
            } else if first[p] == last[p] {
                out.append(first[p] + " …")
            } else {
                out.append(first[p] + " … " + last[p])
            }
        }
        return out.joined(separator: " ")
    }
}

extension Int {
    /// `2,998`.
    var grouped: String {
        let digits = String(Swift.abs(self))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
