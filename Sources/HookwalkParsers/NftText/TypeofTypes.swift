import HookwalkModel

/// The datatype names that `nft -j` prints for a `typeof` set key, so that text and JSON give
/// the same `NamedSet.keyType`: the families' datatypes (Expressions/Datatype.swift).
enum TypeofTypes {
    static func datatype(of e: Expr) -> String {
        if case .binop = e { return "integer" }
        return Datatype.of(e)?.name ?? "integer"
    }
}
