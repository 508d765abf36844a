import HookwalkModel

/// A constant or set element, read for the kind of field it is compared with.
indirect enum Pattern: Hashable, Sendable {
    case exact(FieldValue)
    case prefix(IPPrefix)
    case range(FieldValue, FieldValue)
    /// `"veth*"`: interface names starting with the text.
    case namePrefix(String)
    case concat([Pattern])
    /// `*`, the catch-all element.
    case any

    func matches(_ v: FieldValue) -> Bool {
        switch (self, v) {
        case (.any, _): return true
        case (.exact(let e), _): return e == v
        case (.prefix(let p), .addr(let a)): return p.contains(a)
        case (.range(.int(let lo), .int(let hi)), .int(let x)): return lo <= x && x <= hi
        case (.range(.addr(let lo), .addr(let hi)), .addr(let x)): return lo <= x && x <= hi
        case (.namePrefix(let p), .name(let n)): return n.hasPrefix(p)
        case (.concat(let ps), .concat(let vs)):
            guard ps.count == vs.count else { return false }
            for (p, x) in zip(ps, vs) where !p.matches(x) { return false }
            return true
        default: return false
        }
    }
}

/// Why a constant could not be read; becomes a "not modelled" step.
struct ConstantError: Error, Sendable {
    var message: String
}

enum Constants {
    /// Reads `value` as a pattern for a field of `kind`.
    static func pattern(_ value: Value, kind: FieldKind) throws(ConstantError) -> Pattern {
        switch (value, kind) {
        case (.wildcard, _):
            return .any
        case (.concat(let vs), .concat(let ks)):
            guard vs.count == ks.count else { throw ConstantError(message: "concatenation of \(vs.count) values for \(ks.count) fields") }
            var out: [Pattern] = []
            for (v, k) in zip(vs, ks) { out.append(try pattern(v, kind: k)) }
            return .concat(out)
        case (.range(let lo, let hi), _):
            guard case .exact(let l) = try pattern(lo, kind: kind), case .exact(let h) = try pattern(hi, kind: kind) else {
                throw ConstantError(message: "range bounds must be plain values")
            }
            return .range(l, h)
        case (.prefix(let a, let len), .ipv4), (.prefix(let a, let len), .ipv6):
            guard let addr = IPAddress(a) else { throw ConstantError(message: "not an address: \(a)") }
            return .prefix(IPPrefix(addr, len))
        case (.string(let s), .ipv4), (.string(let s), .ipv6):
            guard let addr = IPAddress(s) else { throw ConstantError(message: "not an address: \(s)") }
            return .exact(.addr(addr))
        case (.string(let s), .ifname):
            if s.hasSuffix("*") && !s.hasSuffix("\\*") { return .namePrefix(String(s.dropLast())) }
            return .exact(.name(s))
        case (.number(let n), .ifname):
            return .exact(.name(String(n)))
        case (.number(let n), .integer):
            return .exact(.int(n))
        case (.string(let s), .integer(let table)):
            if let n = table.names[s] { return .exact(.int(n)) }
            if case .number(let n) = Value.token(s) { return .exact(.int(n)) }
            throw ConstantError(message: "unknown symbol \"\(s)\"")
        case (.list(let items), .integer):
            return .exact(.int(try mask(items, kind: kind)))
        default:
            throw ConstantError(message: "cannot compare \(NftTextWriter.valueText(value)) with this field")
        }
    }

    /// The OR of a comma list of flags (`established,related`), or of a single flag.
    static func mask(_ items: [Value], kind: FieldKind) throws(ConstantError) -> UInt64 {
        var m: UInt64 = 0
        for item in items {
            guard case .exact(.int(let n)) = try pattern(item, kind: kind) else {
                throw ConstantError(message: "flag lists take flag names")
            }
            m |= n
        }
        return m
    }
}

/// A set or map, indexed for lookups: exact elements by hash, the rest (prefixes, ranges,
/// wildcards) scanned in order. Built once per use site when the simulator is created, so a
/// packet's lookup costs a hash probe, not a scan of thousands of elements.
struct LookupTable: Sendable {
    private var exact: [FieldValue: Int] = [:]
    private var scanned: [(Pattern, Int)] = []
    private var catchAll: Int?
    let data: [MapData?]
    /// The elements' keys, in order (how a branch note lists a map's targets).
    let keys: [Value]

    init(elements: [SetElement], kind: FieldKind) throws(ConstantError) {
        data = elements.map(\.data)
        keys = elements.map(\.key)
        for (i, e) in elements.enumerated() {
            let p = try Constants.pattern(e.key, kind: kind)
            switch p {
            case .exact(let v): if exact[v] == nil { exact[v] = i }
            case .any: catchAll = i
            default: scanned.append((p, i))
            }
        }
    }

    /// The index of the element matching `v`, if any.
    func lookup(_ v: FieldValue) -> Int? {
        if let i = exact[v] { return i }
        for (p, i) in scanned where p.matches(v) { return i }
        return catchAll
    }
}
