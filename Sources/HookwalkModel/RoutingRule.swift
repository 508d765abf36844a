/// One policy routing rule, as `ip -j rule show` (IPv4) and `ip -6 -j rule show` list it. The
/// kernel tries the rules in priority order; the first whose selectors match decides: look a table
/// up (and go on when it has no route, or only one `suppress_prefixlength` rejects), jump to a
/// later rule (`goto`), or fail the lookup (`unreachable`, `prohibit`, `blackhole`).
public struct RoutingRule: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// `lookup TABLE`.
        case table(String)
        /// `goto PRIORITY`: continue at the first rule of that priority or later.
        case goto(Int)
        /// `unreachable`, `prohibit`, `blackhole`.
        case fail(String)
        /// `nop`.
        case nop
    }

    public var v4: Bool
    public var priority: Int
    /// `not`: the rule applies when its selectors do not match.
    public var inverted: Bool
    /// `from PREFIX` (nil: all).
    public var source: IPPrefix?
    /// `to PREFIX` (nil: all).
    public var destination: IPPrefix?
    public var fwmark: UInt32?
    /// The mask of `fwmark V/M` (all ones when not given).
    public var fwmask: UInt32
    public var iif: String?
    public var oif: String?
    public var action: Action
    /// `suppress_prefixlength N`: a route found in the table with a prefix of N bits or fewer is
    /// ignored and the lookup goes on with the next rule.
    public var suppressPrefixLength: Int?
    /// Selectors hookwalk does not evaluate (`uidrange`, `ipproto`, `sport`, `tos`...), as listed:
    /// such a rule is taken not to match, and the trace says so.
    public var notModelled: [String]

    public init(v4: Bool, priority: Int, inverted: Bool = false, source: IPPrefix? = nil, destination: IPPrefix? = nil,
                fwmark: UInt32? = nil, fwmask: UInt32 = 0xffff_ffff, iif: String? = nil, oif: String? = nil,
                action: Action, suppressPrefixLength: Int? = nil, notModelled: [String] = []) {
        self.v4 = v4
        self.priority = priority
        self.inverted = inverted
        self.source = source
        self.destination = destination
        self.fwmark = fwmark
        self.fwmask = fwmask
        self.iif = iif
        self.oif = oif
        self.action = action
        self.suppressPrefixLength = suppressPrefixLength
        self.notModelled = notModelled
    }

    /// The kernel's rules of a namespace nobody changed: local, main, default (IPv6: local, main).
    public static func defaults(v4: Bool) -> [RoutingRule] {
        var rules = [RoutingRule(v4: v4, priority: 0, action: .table("local")), RoutingRule(v4: v4, priority: 32766, action: .table("main"))]
        if v4 { rules.append(RoutingRule(v4: v4, priority: 32767, action: .table("default"))) }
        return rules
    }

    /// `100: from all fwmark 0x1/0xff lookup 100`, as `ip rule show` prints it.
    public var text: String {
        var s = "\(priority):"
        if inverted { s += " not" }
        s += " from " + (source.map(Self.prefixText) ?? "all")
        if let d = destination { s += " to " + Self.prefixText(d) }
        if let m = fwmark {
            s += " fwmark 0x" + String(m, radix: 16)
            if fwmask != 0xffff_ffff { s += "/0x" + String(fwmask, radix: 16) }
        }
        if let i = iif { s += " iif \(i)" }
        if let o = oif { s += " oif \(o)" }
        for n in notModelled { s += " \(n)" }
        switch action {
        case .table(let t): s += " lookup \(t)"
        case .goto(let p): s += " goto \(p)"
        case .fail(let a): s += " \(a)"
        case .nop: s += " nop"
        }
        if let n = suppressPrefixLength { s += " suppress_prefixlength \(n)" }
        return s
    }

    static func prefixText(_ p: IPPrefix) -> String {
        p.length == p.address.bitWidth ? p.address.description : p.description
    }

    /// Whether these are the kernel's default rules only (then the trace need not name them).
    public static func areDefaults(_ rules: [RoutingRule]) -> Bool {
        let v4 = rules.filter(\.v4), v6 = rules.filter { !$0.v4 }
        return (v4.isEmpty || v4 == defaults(v4: true)) && (v6.isEmpty || v6 == defaults(v4: false))
    }
}
