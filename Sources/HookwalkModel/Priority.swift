import Foundation

/// Named base-chain priorities (docs/kernel-facts.md, fact 2). They differ between the bridge family and the
/// others, so they are resolved against the table's family.
public enum Priority {
    static let inetNames: [(String, Int)] = [
        ("raw", -300), ("mangle", -150), ("dstnat", -100), ("filter", 0), ("security", 50), ("srcnat", 100),
    ]
    static let bridgeNames: [(String, Int)] = [
        ("dstnat", -300), ("filter", -200), ("out", 100), ("srcnat", 300),
    ]

    /// The value of a named priority (`dstnat`) in a family, or nil when the name is unknown.
    public static func value(named name: String, family: Family) -> Int? {
        let table = family == .bridge ? bridgeNames : inetNames
        return table.first { $0.0 == name }?.1
    }

    /// Resolves `name`, `name + n`, `name - n` or a plain integer. A result outside the kernel's
    /// signed 32-bit range (`InputLimits.priorityRange`) is nil, like an unknown name: callers
    /// report both as a bad priority.
    public static func resolve(_ text: String, family: Family) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let n = Int(t) { return InputLimits.priorityRange.contains(n) ? n : nil }
        for op in ["+", "-"] {
            if let r = t.range(of: op, options: .backwards), r.lowerBound != t.startIndex {
                let name = String(t[..<r.lowerBound]).trimmingCharacters(in: .whitespaces)
                let num = String(t[r.upperBound...]).trimmingCharacters(in: .whitespaces)
                if let base = value(named: name, family: family), let n = Int(num) {
                    let (v, overflow) = op == "+" ? base.addingReportingOverflow(n) : base.subtractingReportingOverflow(n)
                    return !overflow && InputLimits.priorityRange.contains(v) ? v : nil
                }
            }
        }
        return value(named: t, family: family)
    }

    /// How nft 1.0.6 prints a priority: the standard name for the hook when the value is one,
    /// `name + n` near it, else the number. Only the names nft uses for that hook are tried.
    public static func text(_ value: Int, family: Family, hook: Hook) -> String {
        let table = family == .bridge ? bridgeNames : inetNames
        for (name, v) in table where value == v && nameFits(name, family: family, hook: hook) {
            return name
        }
        // Values come from the parsers within the 32-bit range; the distance is computed without
        // trapping all the same.
        for (name, v) in table where nameFits(name, family: family, hook: hook) && value != v
            && value >= v - 10 && value <= v + 10 {
            return value > v ? "\(name) + \(value - v)" : "\(name) - \(v - value)"
        }
        return String(value)
    }

    static func nameFits(_ name: String, family: Family, hook: Hook) -> Bool {
        if family == .bridge {
            switch name {
            case "dstnat": return hook == .prerouting
            case "srcnat": return hook == .postrouting
            case "out": return hook == .output
            default: return true
            }
        }
        switch name {
        case "dstnat": return hook == .prerouting
        case "srcnat": return hook == .postrouting
        default: return true
        }
    }
}
