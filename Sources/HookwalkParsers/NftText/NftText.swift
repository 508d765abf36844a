import HookwalkModel

/// The `nft list ruleset` text front end: reads what `nft list ruleset` and `nft -a list ruleset`
/// print, and what people paste from them (comments, `COUNTER` placeholders, `define`).
public enum NftText {
    /// Parses a whole ruleset. Rules without `# handle N` comments get the handles the kernel
    /// would give them on a fresh `nft -f` of this text.
    public static func parse(_ text: String, file: String) throws -> Ruleset {
        var parser = try Parser(text: text, file: file)
        let ruleset = try parser.parseRuleset()
        if let problem = RulesetValidation.firstProblem(in: ruleset) {
            let t = parser.places[problem.place]
                ?? (problem.place.kind == .rule ? parser.places[.chain(problem.place.table, problem.place.index)] : nil)
            if let t { throw parser.error(t, problem.message) }
            throw HookwalkError(file: file, problem.message)
        }
        return ruleset
    }
}
