import HookwalkModel

/// The `nft list ruleset` text front end: reads what `nft list ruleset` and `nft -a list ruleset`
/// print, and what people paste from them (comments, `COUNTER` placeholders, `define`).
public enum NftText {
    /// Parses a whole ruleset. Rules without `# handle N` comments get the handles the kernel
    /// would give them on a fresh `nft -f` of this text.
    public static func parse(_ text: String, file: String) throws -> Ruleset {
        var parser = try Parser(text: withoutPrompts(text), file: file)
        let ruleset = try parser.parseRuleset()
        if let problem = RulesetValidation.firstProblem(in: ruleset) {
            let t = parser.places[problem.place]
                ?? (problem.place.kind == .rule ? parser.places[.chain(problem.place.table, problem.place.index)] : nil)
            if let t { throw parser.error(t, problem.message) }
            throw HookwalkError(file: file, problem.message)
        }
        return ruleset
    }

    /// A pasted listing often carries the shell prompt and command it came from
    /// (`root@host:~# nft list table ip nat`, `$ sudo nft -a list ruleset`, a bare prompt after it).
    /// Such lines are blanked (so line numbers stay right); nft's listing never starts a line with
    /// a word ending in `#` or `$`.
    /// A byte order mark (what some editors save a pasted listing with) is dropped too.
    static func withoutPrompts(_ pasted: String) -> String {
        // Byte-level: this runs over every listing read (9,000-rule rulesets included), and a
        // prompt is ASCII, so lines are told apart by their first word's bytes alone.
        var bytes = Array(pasted.utf8)
        var changed = false
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3); changed = true }
        // CRLF line ends: nft's lexer skips "\r", but Swift's "\r\n" is one Character.
        if bytes.contains(13) { bytes.removeAll { $0 == 13 }; changed = true }
        let hash = UInt8(ascii: "#"), dollar = UInt8(ascii: "$"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        let newline = UInt8(ascii: "\n")
        if bytes.contains(hash) || bytes.contains(dollar) {
            // A prompt line is emptied (its newline kept, so line numbers stay right).
            var out: [UInt8] = []
            var copied = 0, start = 0
            let n = bytes.count
            while start < n {
                var end = start
                while end < n, bytes[end] != newline { end += 1 }
                if end > start, bytes[start] != space, bytes[start] != tab, isPrompt(bytes, start, end) {
                    if out.isEmpty { out.reserveCapacity(n) }
                    out.append(contentsOf: bytes[copied..<start])
                    copied = end
                }
                start = end + 1
            }
            if copied > 0 {
                out.append(contentsOf: bytes[copied...])
                bytes = out
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : pasted
    }

    /// Whether the line `bytes[start..<end]` (not starting with a blank) is a shell prompt line.
    private static func isPrompt(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Bool {
        let hash = UInt8(ascii: "#"), dollar = UInt8(ascii: "$"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var wordEnd = start
        while wordEnd < end, bytes[wordEnd] != space, bytes[wordEnd] != tab { wordEnd += 1 }
        let word = bytes[start..<wordEnd]
        if word.count == 1, word.first == dollar { return true }
        if word.count > 1, word.last == hash || word.last == dollar,
           word.contains(UInt8(ascii: "@")) || word.contains(UInt8(ascii: "]")) || word.contains(UInt8(ascii: ":")) {
            return true
        }
        // `[root@host ~]# ...`
        if bytes[start] == UInt8(ascii: "["), let close = bytes[start..<end].firstIndex(of: UInt8(ascii: "]")), close + 1 < end,
           bytes[close + 1] == hash || bytes[close + 1] == dollar {
            return true
        }
        return false
    }
}
