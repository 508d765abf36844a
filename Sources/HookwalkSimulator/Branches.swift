import HookwalkModel

/// Every branch of a scenario whose path meets a nondeterministic choice (`numgen random|inc mod
/// N`, in a `vmap`, a `map` of a NAT statement or a match; iptables' `-m statistic`, which the
/// reader turns into `numgen`): the kernel picks one per packet, a trace follows one.
///
/// The rule (docs/trace.md, "Branches"): branch K gives every `numgen ... mod N [offset O]` the
/// value `O + K % N`, so branch 0, the default, takes the first element of each map. The branches
/// are 0 up to the least common multiple of the `mod`s met (every combination of values for
/// coprime ones), at most `maxCount`.
public struct Branches: Sendable, Hashable {
    /// One trace per branch, by branch index; one trace when the path has no branch point.
    public var traces: [Trace]

    public static let maxCount = 64

    public var count: Int { traces.count }

    /// Whether the branches end in different places (another endpoint, another address, dropped
    /// by another rule): then the walkthrough lists each.
    public var leadToDifferentPlaces: Bool { Set(traces.map(\.destination)).count > 1 }
}

extension Trace {
    /// Where the request ended, and the reply: a short description that tells branches apart.
    public var destination: String {
        func end(_ o: Outcome) -> String {
            switch o {
            case .delivered(let e, let s): return "delivered to \(e.label) as \(s.flowText)"
            case .dropped(let c, _, let text, let rejected): return "\(rejected ? "rejected" : "dropped") in \(c) by \(text)"
            case .unroutable(let why): return "unroutable: \(why)"
            case .notModelled(let why): return "not modelled: \(why)"
            }
        }
        return end(request.outcome) + (reply.map { "; the reply is " + end($0.outcome) } ?? "")
    }
}

extension Simulator {
    /// Every branch of `scenario` (see `Branches`).
    public func branches(_ scenario: Scenario) -> Branches {
        var traces: [Trace] = []
        var count: UInt64 = 1
        var k: UInt64 = 0
        while k < count {
            let (trace, moduli) = walk(scenario, branch: k)
            traces.append(trace)
            for m in moduli { count = min(UInt64(Branches.maxCount), Self.lcm(count, m)) }
            k += 1
        }
        return Branches(traces: traces)
    }

    static func lcm(_ a: UInt64, _ b: UInt64) -> UInt64 {
        func gcd(_ x: UInt64, _ y: UInt64) -> UInt64 { y == 0 ? x : gcd(y, x % y) }
        let g = gcd(a, b)
        let (r, overflow) = (a / g).multipliedReportingOverflow(by: b)
        return overflow ? UInt64.max : r
    }
}
