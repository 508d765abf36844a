/// Bounds on what hookwalk accepts from an input file, so that hostile or broken input is refused
/// with a located error instead of exhausting the stack, the memory or the time (issue 14).
///
/// Where the kernel or nft has a limit of its own, the bound is that limit; elsewhere it is far
/// beyond anything a real host lists, and says so in the error.
public enum InputLimits {
    /// Nesting of one rule's expressions: parentheses, chained operators (`& 1 & 1 ...`), bound
    /// chains. The kernel holds at most 128 expressions in a rule (NFT_RULE_MAXEXPRS), and nft
    /// 1.0.6 itself overflows its stack on about 130 chained `&`; real rules nest 3 or 4 deep.
    public static let expressionNesting = 64

    /// The kernel's jump stack (NFT_JUMP_STACK_SIZE): a chain reached through 16 jumps or gotos
    /// from a base chain makes the kernel refuse the ruleset at commit (EMLINK), and so does a loop.
    public static let jumpStack = 16

    /// Tokens that `define` expansion may produce in one file. nft has no budget: 41 lines of
    /// `define dN = { $dN-1, $dN-1 }` make `nft -c -f` grow past 1 GB within 30 s.
    public static let defineExpansionTokens = 2_000_000

    /// Defines that use defines, nested: nft 1.0.6 handles 5,000 and overflows its stack on 100,000.
    public static let defineNesting = 10_000

    /// Priorities are the kernel's signed 32-bit integers (nft wraps 2147483648 to -2147483648).
    public static let priorityRange = Int(Int32.min)...Int(Int32.max)
}
