/// What one `table ... { }` block creates, in the order nft hands it to the kernel on `nft -f`.
///
/// nft expands a table block into commands in this order: the chains of the block, then its
/// stateful objects, named sets and maps, flowtables, and finally every chain's rules. The kernel
/// gives each new object the next value of the table's handle counter, and an anonymous set, map
/// or bound chain in a rule takes its handle just before the rule (verified with `nft -a list
/// ruleset` after `nft -f` in a scratch netns; see the report in the commit history).
struct HandlePlan: Sendable {
    var table: Int
    var chains: [Int] = []
    var objects: [Int] = []
    var sets: [Int] = []
    var flowtables: [Int] = []
    /// (chain index, rule index, handles taken by anonymous sets/maps/bound chains before it).
    var rules: [(chain: Int, rule: Int, anon: Int)] = []
}
