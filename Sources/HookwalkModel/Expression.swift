/// Expressions and statements of a rule, shaped after libnftables' JSON schema so that the JSON
/// front end maps one to one and the text front end builds the same values.

/// A constant as nftables lists it. Constants stay untyped here (an address, an interface name,
/// a keyword such as `local` or `tcp`, a number); the simulator interprets them by the type of the
/// expression they are compared with, as nft's evaluation step does.
public indirect enum Value: Sendable, Hashable {
    /// A word, quoted string, address or keyword, without quotes.
    case string(String)
    case number(UInt64)
    /// `addr/len`.
    case prefix(String, Int)
    /// `low-high`.
    case range(Value, Value)
    /// `a . b . c`.
    case concat([Value])
    /// A comma list of flags: `established,related`.
    case list([Value])
    /// `*`, the catch-all element of sets and maps.
    case wildcard

    /// Normalises a bare token from either syntax: decimal and hexadecimal numbers that fit in
    /// 64 bits become `.number`, everything else stays a string. Both front ends call this, so
    /// `0x14` (text) and `20` (JSON) compare equal.
    public static func token(_ s: String) -> Value {
        if let n = UInt64(s) { return .number(n) }
        if s.hasPrefix("0x") || s.hasPrefix("0X"), s.count > 2 {
            if let n = UInt64(s.dropFirst(2), radix: 16) { return .number(n) }
            return .string("0x" + s.dropFirst(2).lowercased())
        }
        return .string(s)
    }
}

/// The verdicts of nftables.
public enum Verdict: Sendable, Hashable {
    case accept, drop, `continue`, `return`
    case jump(String)
    case goto(String)
    /// `queue` (and anything that hands the packet out of the ruleset).
    case queue

    /// How `nft monitor trace` spells it: `accept`, `jump DOCKER`.
    public var traceText: String {
        switch self {
        case .accept: return "accept"
        case .drop: return "drop"
        case .continue: return "continue"
        case .return: return "return"
        case .jump(let c): return "jump \(c)"
        case .goto(let c): return "goto \(c)"
        case .queue: return "queue"
        }
    }
}

/// An element of a set, map or verdict map, with its options: `1.2.3.4 counter packets 0 bytes 0
/// timeout 1h expires 59m comment "x" : accept`.
public struct SetElement: Sendable, Hashable {
    public var key: Value
    public var data: MapData?
    /// `timeout` in seconds.
    public var timeout: UInt64?
    /// `expires` in seconds: how long the element has left when listed. Two listings taken a
    /// moment apart differ, so `normalized()` leaves it out.
    public var expires: UInt64?
    public var comment: String?
    /// Per-element stateful statements (`counter`, `quota`, `limit`).
    public var stmts: [Stmt]

    public init(key: Value, data: MapData? = nil, timeout: UInt64? = nil, expires: UInt64? = nil,
                comment: String? = nil, stmts: [Stmt] = []) {
        self.key = key
        self.data = data
        self.timeout = timeout
        self.expires = expires
        self.comment = comment
        self.stmts = stmts
    }

    public func hash(into h: inout Hasher) { h.combine(key); h.combine(data) }
}

/// The data side of a map element.
public enum MapData: Sendable, Hashable {
    case value(Value)
    case verdict(Verdict)
}

/// Something hookwalk parses but does not evaluate. It keeps the construct's kind (`synproxy`,
/// `quota`, `xt match`, `exthdr`...), its text as nft prints it, and, for the constructs both front
/// ends read into parts, those parts (`parts`), from which both writers print it back.
///
/// Without parts, the text is how it was written (nft text, or compact JSON when read from JSON).
/// `==` compares all three; `normalized()` drops the text, so the two front ends' nodes compare
/// by kind and parts.
public struct NotModelled: Sendable, Hashable {
    public var kind: String
    public var text: String
    /// The construct's members as libnftables' JSON names them (`val`, `val_unit`, `inv` of a
    /// `quota`); nil when hookwalk holds only its text.
    public var parts: [String: Part]?

    public init(kind: String, text: String, parts: [String: Part]? = nil) {
        self.kind = kind
        self.text = text
        self.parts = parts
    }

    public func hash(into h: inout Hasher) { h.combine(kind) }
}

/// One member of a not-modelled construct held by its parts: a constant or expression, a
/// statement (a meter's, a dynamic set update's), a boolean (`inv`), a flag list, or an object of
/// members (a `ct timeout` policy). The key `""` holds a construct whose JSON body is a single value
/// (`{"limit": "lim1"}`).
public indirect enum Part: Sendable, Hashable {
    case expr(Expr)
    case stmts([Stmt])
    case bool(Bool)
    case flags([String])
    case object([String: Part])
    case null
}

/// An expression: what a match compares, what a map is keyed with, what a NAT statement
/// translates to.
public indirect enum Expr: Sendable, Hashable {
    case value(Value)
    /// `ip saddr`, `tcp dport`, `th dport`, `icmp type`, `ip6 nexthdr`...
    case payload(proto: String, field: String)
    /// Raw payload `@nh,32,32`: base `ll`/`nh`/`th`/`ih`, offset and length in bits.
    case rawPayload(base: String, offset: Int, length: Int)
    /// A field of an IPv6 extension header: `rt type`, `frag id`, `hbh nexthdr` (JSON `exthdr` with
    /// a field). Kept apart from `payload` because the kernel finds it by walking the header chain
    /// and breaks the rule when the header is not there.
    case exthdr(name: String, field: String)
    /// `meta l4proto`, `iifname`, `oif`, `meta mark`, `meta nfproto`, `meta pkttype`...
    /// (bare `iifname` in text is `meta iifname`).
    case meta(String)
    /// `ct state`, `ct status`, `ct mark`, `ct direction`, `ct original ip saddr`...
    case ct(key: String, dir: String?, family: String?)
    /// `fib daddr type`, `fib saddr . iif oif`.
    case fib(result: String, flags: [String])
    /// `a . b`.
    case concat([Expr])
    /// An anonymous set `{ a, b }` (as a match's right side, or a map's data).
    case set([SetElement])
    /// `@name`.
    case setRef(String)
    /// `key map { ... }` / `key map @m` (a data map lookup, e.g. in `dnat to ip daddr map {...}`).
    case map(key: Expr, data: Expr)
    /// `left & right`, `left | right`, `left ^ right`, `left << n`, `left >> n`.
    case binop(op: String, left: Expr, right: Expr)
    /// An expression its family's descriptor holds by its members (Expressions/: `numgen`).
    case keyed(KeyedExpr)
    /// A prefix whose address is itself an expression (rare; constants use `Value.prefix`).
    case notModelled(NotModelled)
}

/// An expression of a `KeyedFamily` (Expressions/), by its members as libnftables' JSON names
/// them: `numgen random mod 2` is family `numgen`, `mode` random, `mod` 2, `offset` 0.
public struct KeyedExpr: Sendable, Hashable {
    public var family: String
    public var parts: [String: Part]

    public init(family: String, parts: [String: Part]) {
        self.family = family
        self.parts = parts
    }
}

/// The comparison of a match.
public enum MatchOp: String, Sendable, Hashable {
    /// Equality, or membership when the right side is a set.
    case eq = "=="
    case ne = "!="
    case lt = "<"
    case gt = ">"
    case le = "<="
    case ge = ">="
    /// Flag test: true when any of the right side's bits are set (`ct state established,related`,
    /// JSON's `in`).
    case flags = "in"
}

/// The kind of a NAT statement.
public enum NatKind: String, Sendable, Hashable {
    case snat, dnat, masquerade, redirect
}

public struct NatStmt: Sendable, Hashable {
    public var kind: NatKind
    /// `ip`/`ip6` in inet tables (`dnat ip to ...`).
    public var family: String?
    public var addr: Expr?
    public var port: Expr?
    /// `random`, `fully-random`, `persistent`.
    public var flags: [String]
    /// `prefix`, `interval`, `netmap` (`snat ip prefix to ...`).
    public var typeFlags: [String]

    public init(kind: NatKind, family: String? = nil, addr: Expr? = nil, port: Expr? = nil,
                flags: [String] = [], typeFlags: [String] = []) {
        self.kind = kind
        self.family = family
        self.addr = addr
        self.port = port
        self.flags = flags
        self.typeFlags = typeFlags
    }
}

/// One element of a rule, in order: a match or a statement.
public indirect enum Stmt: Sendable, Hashable {
    case match(left: Expr, op: MatchOp, right: Expr)
    case verdict(Verdict)
    /// `counter` (anonymous; packet and byte values are not kept) or `counter name "x"`.
    case counter(name: String?)
    /// `log` with its options (prefix, level, group...), kept as key/value text.
    case log([String: String])
    /// `limit rate [over] N/unit [burst M ...]`; `over` inverts it.
    case limit(rate: UInt64, per: String, burst: UInt64?, unit: String?, over: Bool)
    /// `meta mark set X`, `meta nftrace set 1`, `ct mark set X`, `ip dscp set X`...
    case mangle(key: Expr, value: Expr)
    case nat(NatStmt)
    /// `reject [with <type> <code>]`.
    case reject(type: String?, code: String?)
    case notrack
    /// `key vmap { ... }` or `key vmap @m`.
    case vmap(key: Expr, data: Expr)
    case notModelled(NotModelled)
}
