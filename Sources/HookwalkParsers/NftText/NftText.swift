import HookwalkModel

/// The `nft list ruleset` text front end: reads what `nft list ruleset` and `nft -a list ruleset`
/// print, and what people paste from them (comments, `COUNTER` placeholders, `define`).
public enum NftText {
    /// Parses a whole ruleset. Rules without `# handle N` comments get the handles the kernel
    /// would give them on a fresh `nft -f` of this text.
    public static func parse(_ text: String, file: String) throws -> Ruleset {
        var parser = try Parser(text: text, file: file)
        return try parser.parseRuleset()
    }
}
