import HookwalkModel

// TEMPORARY: stands in for NftJSON.parse and NftText.parse until the parser engineers land them.
// The names differ from the real ones on purpose, so that their files can appear in the shared tree
// before this one is deleted without a redeclaration error. Delete this file and point
// `RulesetFrontEnds` at `NftJSON.parse` / `NftText.parse` when they land.
enum RulesetFrontEnds {
    static func parseJSON(_ data: [UInt8], file: String) throws -> Ruleset {
        throw HookwalkError(file: file, .none, "nft JSON parser not implemented yet")
    }

    static func parseText(_ text: String, file: String) throws -> Ruleset {
        throw HookwalkError(file: file, .none, "nft text parser not implemented yet")
    }
}
