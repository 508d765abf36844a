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
        let unmarked = pasted.unicodeScalars.first == "\u{FEFF}" ? String(pasted.unicodeScalars.dropFirst()) : pasted
        // CRLF line ends: nft's lexer skips "\r", but Swift's "\r\n" is one Character.
        let text = unmarked.utf8.contains(13) ? String(String.UnicodeScalarView(unmarked.unicodeScalars.filter { $0 != "\r" })) : unmarked
        guard text.contains("#") || text.contains("$") else { return text }
        var changed = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            guard let first = line.first, first != " ", first != "\t" else { return line }
            let word = line.prefix { $0 != " " && $0 != "\t" }
            var prompt = word == "$" || ((word.hasSuffix("#") || word.hasSuffix("$")) && word.count > 1
                && (word.contains("@") || word.contains("]") || word.contains(":")))
            // `[root@host ~]# ...`
            if first == "[", let close = line.firstIndex(of: "]"), line.index(after: close) < line.endIndex,
               ["#", "$"].contains(line[line.index(after: close)]) {
                prompt = true
            }
            guard prompt else { return line }
            changed = true
            return ""
        }
        return changed ? lines.joined(separator: "\n") : text
    }
}
