import HookwalkModel

/// How the simulator reads constants compared with an expression: by its datatype
/// (`Datatype`, Expressions/Datatype.swift), which nft's evaluation step uses to type the
/// untyped constants of a listing (`udp dport 514`, `ct state established`).
enum FieldKind: Hashable, Sendable {
    case ipv4
    case ipv6
    /// Interface names (`iifname`, and `iif`/`oif`, which nft lists by name too).
    case ifname
    /// An integer with the symbols nft prints for it (ports, protocols, ct state bits...).
    case integer(SymbolTable)
    case concat([FieldKind])

    var symbols: SymbolTable? {
        if case .integer(let t) = self { return t }
        return nil
    }

    init(_ t: Datatype) {
        switch t.base {
        case .ipv4: self = .ipv4
        case .ipv6: self = .ipv6
        case .ifname: self = .ifname
        case .integer: self = .integer(t.symbols)
        // Not read yet (MAC addresses, strings): a constant compared with it is an unknown symbol.
        case .other: self = .integer(.none)
        }
    }

    /// The kind of an expression, or nil when hookwalk cannot type it.
    static func of(_ expr: Expr) -> FieldKind? {
        if case .concat(let parts) = expr {
            var kinds: [FieldKind] = []
            for p in parts {
                guard let k = of(p) else { return nil }
                kinds.append(k)
            }
            return .concat(kinds)
        }
        return Datatype.of(expr).map(FieldKind.init)
    }
}
