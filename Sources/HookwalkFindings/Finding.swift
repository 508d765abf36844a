import HookwalkModel
import HookwalkSimulator

/// How much a finding matters, for `--fail-on` and the order of the report.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, warning, critical

    var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// What a host really does that its owner may not expect, read from the simulator's traces.
public struct Finding: Sendable, Hashable, Codable {
    /// A scenario (of `ScenarioCatalog`, or a probe the findings engine ran) that shows it.
    public struct ScenarioRef: Sendable, Hashable, Codable {
        /// The catalog id (its walkthrough is `scenarios/<id>.md`); nil for a probe, which has no page.
        public var id: String?
        public var title: String
        /// `delivered`, `dropped`, `rejected`, `unroutable`, `not-modelled`.
        public var outcome: String

        public init(id: String?, title: String, outcome: String) {
            self.id = id
            self.title = title
            self.outcome = outcome
        }

        /// Every key always present (`null` when unknown), so the JSON form has one shape.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(title, forKey: .title)
            try c.encode(outcome, forKey: .outcome)
        }
    }

    /// A rule (or a policy, `handle` nil and `text` `policy drop`) that decides the finding.
    public struct RuleRef: Sendable, Hashable, Codable {
        /// What the rule does here: `dnat`, `accept`, `drop`, `would drop`, `covers`, `shadowed`,
        /// `never matches`, `not modelled`.
        public var role: String
        public var family: String
        public var table: String
        public var chain: String
        public var handle: Int?
        public var text: String
        public var owner: Owner

        public init(role: String, chain: ChainRef, handle: Int?, text: String, owner: Owner) {
            self.role = role
            family = chain.family.rawValue
            table = chain.table
            self.chain = chain.chain
            self.handle = handle
            self.text = text
            self.owner = owner
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(family, forKey: .family)
            try c.encode(table, forKey: .table)
            try c.encode(chain, forKey: .chain)
            try c.encode(handle, forKey: .handle)
            try c.encode(text, forKey: .text)
            try c.encode(owner, forKey: .owner)
        }

        public var chainRef: ChainRef { ChainRef(family: Family(rawValue: family) ?? .ip, table: table, chain: chain) }
    }

    /// A standard way to close or fix it, as the command to type.
    public struct Remedy: Sendable, Hashable, Codable {
        /// `docker-user-drop`, `raw-prerouting-drop`, `publish-on-address`, `internal-network`,
        /// `nft-forward-drop`.
        public var kind: String
        public var command: String
        /// One sentence: what the command does.
        public var explanation: String

        public init(kind: String, command: String, explanation: String) {
            self.kind = kind
            self.command = command
            self.explanation = explanation
        }
    }

    /// Stable: derived from the kind and what the finding is about (container, port, rule), never
    /// from its position, so the same host gives the same ids.
    public var id: String
    public var kind: String
    public var severity: Severity
    public var statement: String
    public var scenarios: [ScenarioRef]
    public var rules: [RuleRef]
    public var remedies: [Remedy]

    public init(id: String, kind: String, severity: Severity, statement: String, scenarios: [ScenarioRef], rules: [RuleRef],
                remedies: [Remedy] = []) {
        self.id = id
        self.kind = kind
        self.severity = severity
        self.statement = statement
        self.scenarios = scenarios
        self.rules = rules
        self.remedies = remedies
    }

    static func makeID(kind: String, identity: [String]) -> String { ID.make(kind: kind, identity: identity) }

    public enum ID {
    /// `<kind>-<8 hex digits of the identity>`: file-name and Markdown safe whatever the names.
    public static func make(kind: String, identity: [String]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in (kind + "\u{1f}" + identity.joined(separator: "\u{1f}")).utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h & 0xffff_ffff, radix: 16)
        return kind + "-" + String(repeating: "0", count: 8 - hex.count) + hex
    }
    }
}

/// Every finding of a host, most severe first.
public struct FindingsReport: Sendable, Hashable, Codable {
    public var host: String
    public var findings: [Finding]
    /// What the host has that the findings depend on (`no Docker`, `ss-listen.txt absent`...).
    public var notes: [String]

    public init(host: String, findings: [Finding], notes: [String] = []) {
        self.host = host
        self.findings = findings.sorted { a, b in
            a.severity != b.severity ? a.severity > b.severity : a.kind != b.kind ? a.kind < b.kind : a.id < b.id
        }
        self.notes = notes
    }

    public func count(_ s: Severity) -> Int { findings.filter { $0.severity == s }.count }
    public var worst: Severity? { findings.map(\.severity).max() }
}
