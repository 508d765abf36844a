import HookwalkModel

/// The front end for `nft -j list ruleset` output (the libnftables JSON schema, as nftables 1.0.x
/// prints it).
///
/// Usage: `let ruleset = try NftJSON.parse(bytes, file: "nft-ruleset.json")`. Syntax errors name the
/// line and column; schema errors (unknown hook, missing key, wrong type, a rule for a chain that
/// does not exist) name the JSON path, e.g. `$.nftables[12].chain.hook`. Statements and
/// expressions that hookwalk does not evaluate are kept as not modelled, never rejected.
public enum NftJSON {
    public static func parse(_ data: [UInt8], file: String) throws -> Ruleset {
        // JSON is UTF-8 (RFC 8259); a bad byte is an error at its place, never a silent U+FFFD.
        let text = try SnapshotFolder.text(data, file: file)
        let root: JSONDocument
        do {
            root = try JSONReader.document(data, file: file)
        } catch let first {
            // A pasted `nft -j list ruleset` with its shell prompt lines (blanked, line numbers
            // kept). Tried only when the bytes as given are not JSON: the scan costs as much as a
            // parse, and a listing from nft itself never has a prompt.
            let pasted = NftText.withoutPrompts(text)
            guard pasted != text else { throw first }
            root = try JSONReader.document(Array(pasted.utf8), file: file)
        }
        var assembler = RulesetAssembler()
        try assembler.load(JSONNode(root, 0))
        if let problem = RulesetValidation.firstProblem(in: assembler.ruleset) {
            let path = assembler.places[problem.place]
                ?? (problem.place.kind == .rule ? assembler.places[.chain(problem.place.table, problem.place.index)] : nil)
            throw HookwalkError(file: file, path.map { .jsonPath(root.path(of: $0)) } ?? .none, problem.message)
        }
        return assembler.ruleset
    }

    public static func parse(_ text: String, file: String) throws -> Ruleset {
        try parse(Array(text.utf8), file: file)
    }
}
