import Foundation
import HookwalkModel
import HookwalkSimulator

/// The first place where two event sequences of one packet part ways.
public struct Divergence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Position in the sequences (0-based).
    public var index: Int
    /// What differs: `chain`, `kind`, `handle`, `verdict`, `policy`, `iif`, `saddr`... or `length`
    /// when one side ends first.
    public var field: String
    public var kernel: TraceLine?
    public var simulated: TraceLine?

    public init(index: Int, field: String, kernel: TraceLine?, simulated: TraceLine?) {
        self.index = index
        self.field = field
        self.kernel = kernel
        self.simulated = simulated
    }

    public var description: String {
        let k = kernel.map(\.description) ?? "(no more events)"
        let s = simulated.map(\.description) ?? "(no more events)"
        return "event \(index + 1) differs in \(field)\n  kernel:   \(k)\n  hookwalk: \(s)"
    }
}

public enum ComparisonResult: Sendable, Hashable, Codable {
    case match
    case diverge(Divergence)

    public var isMatch: Bool { self == .match }
}

/// Compares the kernel's trace of one packet with hookwalk's, on what both can know: the chain,
/// the kind of event, rule handles, verdicts, policies, and at every `packet:` line the interfaces,
/// addresses, ports and protocol. The rule text is not compared (nft prints counters with live
/// values); it is shown in a divergence so a person sees which rule.
public struct TraceComparator: Sendable {
    /// Lab name -> snapshot name of bridge ports. The lab names a container's host-side veth as
    /// the snapshot does when it can, but a snapshot name longer than 15 characters cannot exist
    /// and gets a short one; the simulator speaks the snapshot's names.
    public var portAliases: [String: String]

    public init(portAliases: [String: String] = [:]) {
        self.portAliases = portAliases
    }

    public func compare(kernel: [TraceLine], simulated: [TraceLine]) -> ComparisonResult {
        for i in 0..<max(kernel.count, simulated.count) {
            guard i < kernel.count, i < simulated.count else {
                return .diverge(Divergence(index: i, field: "length", kernel: i < kernel.count ? kernel[i] : nil,
                                           simulated: i < simulated.count ? simulated[i] : nil))
            }
            if let field = difference(kernel[i], simulated[i]) {
                return .diverge(Divergence(index: i, field: field, kernel: kernel[i], simulated: simulated[i]))
            }
        }
        return .match
    }

    /// The name of the first differing field, or nil.
    func difference(_ k: TraceLine, _ s: TraceLine) -> String? {
        if k.family != s.family { return "family" }
        if k.table != s.table { return "table" }
        if k.chain != s.chain { return "chain" }
        switch (k.kind, s.kind) {
        case (.rule(let kh, let kv, _), .rule(let sh, let sv, _)):
            if kh != sh { return "handle" }
            if kv != sv { return "verdict" }
            return nil
        case (.policy(let kp), .policy(let sp)):
            return kp == sp ? nil : "policy"
        case (.packet(let kp), .packet(let sp)):
            return packetDifference(kp, sp, bridge: k.family == .bridge)
        default:
            return "kind"
        }
    }

    func packetDifference(_ k: PacketFields, _ s: PacketFields, bridge: Bool) -> String? {
        func sameInterface(_ a: String?, _ b: String?) -> Bool {
            let a2 = a.map { portAliases[$0] ?? $0 }
            if a2 == b { return true }
            // Bridge family: the simulator may not know which port a frame uses.
            return bridge && (a2 == nil || b == nil)
        }
        if !sameInterface(k.iif, s.iif) { return "iif" }
        if !sameInterface(k.oif, s.oif) { return "oif" }
        if k.saddr != s.saddr { return "saddr" }
        if k.daddr != s.daddr { return "daddr" }
        if k.sport != s.sport { return "sport" }
        if k.dport != s.dport { return "dport" }
        if let kp = k.proto, let sp = s.proto, kp != sp { return "proto" }
        return nil
    }
}

/// What the two ends of a scenario saw: whether the server got the request and from where, and
/// whether the client got a reply and from where. The kernel side comes from the lab's server and
/// client; hookwalk's from the simulated outcome.
public struct EndpointObservation: Sendable, Hashable, Codable {
    public var serverGotRequest: Bool
    /// `172.20.0.1` (the address only: source ports of masqueraded flows are kept here anyway).
    public var serverSawFrom: String?
    public var clientGotReply: Bool
    /// `10.254.10.252:1812`.
    public var clientSawFrom: String?
    /// The client's request was refused at once: `tcp reset`, or the ICMP error its socket got
    /// (`icmp destination-unreachable port-unreachable`). Nil when it was not (a reply, or the
    /// client timed out).
    public var clientRefused: String?
    /// The sender of that ICMP error, as the client's socket reports it (nil for a reset).
    public var clientRefusedFrom: String?

    public init(serverGotRequest: Bool, serverSawFrom: String? = nil, clientGotReply: Bool, clientSawFrom: String? = nil,
                clientRefused: String? = nil, clientRefusedFrom: String? = nil) {
        self.serverGotRequest = serverGotRequest
        self.serverSawFrom = serverSawFrom
        self.clientGotReply = clientGotReply
        self.clientSawFrom = clientSawFrom
        self.clientRefused = clientRefused
        self.clientRefusedFrom = clientRefusedFrom
    }
}

/// The verdict of one scenario.
public struct ScenarioComparison: Sendable, Hashable, Codable {
    public var name: String
    public var request: ComparisonResult
    public var reply: ComparisonResult
    /// docker-proxy's connection to the container (`.match` when neither side has one).
    public var proxyRequest: ComparisonResult = .match
    public var proxyReply: ComparisonResult = .match
    /// reject's answer (ICMP error or TCP reset), compared when either side rejected the request.
    public var answer: ComparisonResult = .match
    public var kernelOutcome: EndpointObservation?
    public var simulatedOutcome: EndpointObservation?
    /// What went wrong on the lab's side (monitor not subscribed, server not started...): shown
    /// with a divergence, since it may be the reason for it.
    public var problems: [String]
    /// When the path has branches (numgen, iptables statistic: the kernel picks one at random),
    /// how many, and the one whose trace the kernel's matched (branch 0 when none did): the
    /// kernel's path agrees when it is any of them.
    public var branch: Int?
    public var branches: Int?

    public init(name: String, request: ComparisonResult, reply: ComparisonResult,
                kernelOutcome: EndpointObservation? = nil, simulatedOutcome: EndpointObservation? = nil, problems: [String] = []) {
        self.name = name
        self.request = request
        self.reply = reply
        self.kernelOutcome = kernelOutcome
        self.simulatedOutcome = simulatedOutcome
        self.problems = problems
    }

    /// Outcomes are compared only when both sides are known.
    public var outcomeMatches: Bool {
        guard let k = kernelOutcome, let s = simulatedOutcome else { return true }
        return k == s
    }

    public var isMatch: Bool { request.isMatch && reply.isMatch && proxyRequest.isMatch && proxyReply.isMatch && answer.isMatch && outcomeMatches }
}

/// The result of `hookwalk verify`: per scenario MATCH or DIVERGE, and the agreement line.
public struct VerifyReport: Sendable, Hashable, Codable {
    public var scenarios: [ScenarioComparison]

    public init(scenarios: [ScenarioComparison]) {
        self.scenarios = scenarios
    }

    public var agreeing: Int { scenarios.filter(\.isMatch).count }
    public var allMatch: Bool { agreeing == scenarios.count }
    /// `agreement: K/N scenarios`.
    public var summaryLine: String { "agreement: \(agreeing)/\(scenarios.count) scenarios" }

    public var text: String {
        var out: [String] = []
        for s in scenarios {
            let branch = s.branches.map { n in s.isMatch ? " (the kernel took branch \(s.branch ?? 0) of \(n))" : " (no branch of \(n) matches; branch 0 shown)" } ?? ""
            if s.isMatch {
                out.append("MATCH    \(s.name)\(branch)")
                continue
            }
            out.append("DIVERGE  \(s.name)\(branch)")
            for (label, r) in [("request", s.request), ("reply", s.reply), ("proxy request", s.proxyRequest), ("proxy reply", s.proxyReply),
                               ("reject's answer", s.answer)] {
                if case .diverge(let d) = r {
                    out.append("  \(label): " + d.description.replacingOccurrences(of: "\n", with: "\n  "))
                }
            }
            if !s.outcomeMatches, let k = s.kernelOutcome, let m = s.simulatedOutcome {
                out.append("  outcome:")
                out.append("    kernel:   \(Self.outcomeText(k))")
                out.append("    hookwalk: \(Self.outcomeText(m))")
            }
            for p in s.problems { out.append("  lab: \(p)") }
        }
        out.append(summaryLine)
        return out.joined(separator: "\n") + "\n"
    }

    static func outcomeText(_ o: EndpointObservation) -> String {
        let server = o.serverGotRequest ? "server got the request from \(o.serverSawFrom ?? "?")" : "server got nothing"
        var client = o.clientGotReply ? "client got the reply from \(o.clientSawFrom ?? "?")" : "client got no reply"
        if let r = o.clientRefused { client = "client refused: \(r)" + (o.clientRefusedFrom.map { " from \($0)" } ?? "") }
        return "\(server); \(client)"
    }

    /// `{"agreement": {"matching": K, "total": N}, "scenarios": [{"name", "status", ...}]}`.
    public func json() throws -> String {
        struct Doc: Encodable {
            struct Agreement: Encodable { var matching: Int; var total: Int }
            struct Item: Encodable {
                var name: String
                var status: String
                var request: Divergence?
                var reply: Divergence?
                var proxyRequest: Divergence?
                var proxyReply: Divergence?
                var answer: Divergence?
                var kernelOutcome: EndpointObservation?
                var simulatedOutcome: EndpointObservation?
                var problems: [String]
                var branch: Int?
                var branches: Int?
            }
            var agreement: Agreement
            var scenarios: [Item]
        }
        func div(_ r: ComparisonResult) -> Divergence? { if case .diverge(let d) = r { return d } else { return nil } }
        let doc = Doc(agreement: .init(matching: agreeing, total: scenarios.count), scenarios: scenarios.map {
            .init(name: $0.name, status: $0.isMatch ? "MATCH" : "DIVERGE", request: div($0.request), reply: div($0.reply),
                  proxyRequest: div($0.proxyRequest), proxyReply: div($0.proxyReply), answer: div($0.answer),
                  kernelOutcome: $0.kernelOutcome, simulatedOutcome: $0.simulatedOutcome, problems: $0.problems,
                  branch: $0.branch, branches: $0.branches)
        })
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try enc.encode(doc), as: UTF8.self)
    }
}
