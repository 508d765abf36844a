/// One expression family (meta, ct, fib, payload, exthdr, numgen...), described in one file under
/// Expressions/ as nftables' userspace describes one in `meta.c`, `ct.c`, `fib.c`: its key names,
/// their datatypes, how it reads from nft text and from JSON, how it prints in both, what the
/// simulator reads for it, and how the walkthrough words a match on it. The nft text parser, the
/// JSON reader and writer, the text printer, the simulator and the walkthrough all go through
/// `ExprFamilies` (Registry.swift), so adding a family is its file plus one line there
/// (ARCHITECTURE.md, "Adding an expression").
public protocol ExprFamily: SendableMetatype {
    /// The words that start one of its expressions in nft text (`meta`, and the meta keys nft
    /// accepts bare: `iifname`, `mark`...).
    static var keywords: Set<String> { get }
    /// The keys of the JSON objects that hold one (`{"meta": {"key": "mark"}}`).
    static var jsonKeys: Set<String> { get }
    /// Reads one from nft text; the current word is one of `keywords`.
    static func parse<R: ExprTextReader>(_ r: inout R) throws -> Expr
    /// Builds one from `{key: {members}}` (members as `NotModelled.parts` hold them); nil to
    /// keep the object as a not-modelled construct.
    static func expr(json key: String, _ members: [String: Part]) throws(FamilyError) -> Expr?
    /// How nft prints it; nil when `e` is not this family's.
    static func text(_ e: Expr) -> String?
    /// Its JSON, `{key: {members in nft's order}}`; nil when `e` is not this family's.
    static func json(_ e: Expr) -> JSONShape?
    /// Its datatype; nil when hookwalk cannot type it.
    static func datatype(_ e: Expr) -> Datatype?
    /// What the simulator reads for it.
    static func reading(_ e: Expr) -> Reading
    /// How the walkthrough words a match on it; nil to quote the match as it stands.
    static func phrase(_ e: Expr) -> Phrase?
}

/// The JSON of an expression: `{key: {name: value, ...}}`, members in the order nft prints them.
public struct JSONShape: Sendable, Hashable {
    public var key: String
    public var members: [Member]

    public struct Member: Sendable, Hashable {
        public var name: String
        public var value: Part
        public init(_ name: String, _ value: Part) {
            self.name = name
            self.value = value
        }
    }

    public init(_ key: String, _ members: [Member]) {
        self.key = key
        self.members = members
    }
}

/// Why a JSON expression object does not make an expression of its family.
public struct FamilyError: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// What the nft text parser offers a family reading its expression (the parser conforms).
public protocol ExprTextReader {
    /// The word `ahead` tokens from the current one (0: the current one), nil when that is not a word.
    func word(_ ahead: Int) -> String?
    /// Whether the current token is a `.` (of `fib saddr . iif`).
    var atDot: Bool { get }
    mutating func advance()
    /// The current word or quoted string, consumed; an error naming `what` otherwise.
    mutating func name(_ what: String) throws -> String
    /// A constant: a number, word, prefix or range.
    mutating func atom() throws -> Value
    /// A whole expression (`jhash ip saddr . tcp dport mod 2`).
    mutating func expr() throws -> Expr
    /// An error at the current token: "unexpected X: expected `expected`".
    func failure(expected: String) -> any Error
}

extension ExprTextReader {
    /// Whether the current token is the word `w`.
    public func at(_ w: String) -> Bool { word(0) == w }

    /// Consumes the word `w` or fails.
    public mutating func expect(_ w: String) throws {
        guard at(w) else { throw failure(expected: "'\(w)'") }
        advance()
    }
}

/// A packet field the simulator reads (it maps each to the simulated packet or its context).
public enum PacketField: Sendable, Hashable {
    case saddr, daddr
    /// The layer-4 protocol number (`meta l4proto`, `ip protocol`, `ip6 nexthdr`).
    case l4proto
    /// 2 for IPv4, 10 for IPv6 (`meta nfproto`).
    case nfproto
    /// The link-layer protocol: 0x0800, 0x86dd (`meta protocol`).
    case etherType
    case sport, dport
    case tcpFlags
    /// The ICMP or ICMPv6 header's type and code (`icmp type`, `icmpv6 code`).
    case icmpType, icmpCode
    case mark
    /// The input and output devices by name (`iif` too: nft lists indexes by name).
    case iifname, oifname
    case pkttype
    /// A conntrack key, with its direction (`ct state`, `ct original saddr`).
    case ct(key: String, dir: String?)
    /// A fib lookup (`fib daddr type`).
    case fib(result: String, flags: [String])
    /// Which outcome of a nondeterministic expression (numgen, meta random) this walk follows:
    /// 0 unless the scenario picks another.
    case branch
}

/// What the simulator reads for an expression.
public enum Reading: Sendable, Hashable {
    /// A packet field, when the packet has what the expression needs (`tcp dport` needs TCP, as
    /// nft's hidden payload dependency does; without it the rule breaks).
    case field(PacketField, requires: Requirement? = nil)
    /// Not modelled: the simulator says so, naming the expression. With a requirement the
    /// packet does not meet, the rule breaks instead.
    case notModelled(requires: Requirement? = nil)
    /// The simulated packets never carry it (an IPv6 extension header): the rule breaks.
    case absent
    /// Computed by the family from the packet (`ExprFamilies.evaluate`).
    case computed
}

/// What an expression needs the packet to be.
public enum Requirement: Sendable, Hashable {
    case ipv4, ipv6
    /// One of these layer-4 protocols, by nft's name (`tcp`, `udp`).
    case l4([String])
}

/// A packet field's value at run time.
public enum FieldValue: Hashable, Sendable {
    case addr(IPAddress)
    case int(UInt64)
    case name(String)
    case concat([FieldValue])
}

/// The result of reading an expression for the current packet.
public enum FieldReading: Sendable, Hashable {
    case value(FieldValue)
    /// The expression does not apply to this packet (`tcp dport` on a UDP packet, `ct mark`
    /// before conntrack): the rule breaks, as the kernel's hidden dependency or NFT_BREAK does.
    case absent
    case notModelled(String)
}

/// The simulated packet as a family's evaluation sees it.
public protocol PacketView {
    func read(_ field: PacketField) -> FieldReading
}

/// How the walkthrough words a match on an expression.
public enum Phrase: Sendable, Hashable {
    /// "the input interface (`eth0`) is one of ...": a subject, and the field whose value the
    /// walkthrough shows.
    case subject(String, shows: PacketField?)
    /// A sentence for `==` / flag tests and one for `!=`, with `{}` standing for the right side.
    case sentence(eq: String, ne: String)
}
