import HookwalkModel

/// The packet while it is being simulated.
struct Packet: Sendable {
    var saddr: IPAddress
    var daddr: IPAddress
    var proto: L4Proto
    var sport: UInt16?
    var dport: UInt16?
    var tcpFlags: UInt8?
    /// An ICMP or ICMPv6 packet's type and code (reject's answers carry them).
    var icmp: (type: UInt8, code: UInt8)?
    var mark: UInt32 = 0
    var nftrace = false
    /// Which outcome of a nondeterministic expression (`numgen`, `meta random`) this walk
    /// follows; 0 by default.
    var branch: UInt64 = 0

    var v4: Bool { saddr.isV4 }

    func state(iif: String?, oif: String?) -> PacketState {
        PacketState(iif: iif, oif: oif, saddr: saddr, daddr: daddr, proto: proto, sport: sport, dport: dport,
                    tcpFlags: tcpFlags.map(Packet.flagsText), mark: mark, nftrace: nftrace)
    }

    /// TCP flags as nft prints them: `syn`, else hex (`0x12`).
    static func flagsText(_ f: UInt8) -> String {
        switch f {
        case 0x02: return "syn"
        case 0x10: return "ack"
        case 0x01: return "fin"
        case 0x04: return "rst"
        default: return "0x" + String(f, radix: 16)
        }
    }
}

/// What a chain sees besides the packet: its family and hook, the devices, conntrack.
struct PacketContext: Sendable {
    var packet: Packet
    var family: Family
    var hook: Hook
    var iif: String?
    var oif: String?
    var ct: CtAttachment
    var connection: Connection?
    let routing: Routing
    /// The dynamic sets' elements so far in the scenario.
    var sets = DynamicSets()
}

typealias FieldEval = FieldReading

/// Reads expressions for the current packet. What a family's expression reads is its
/// descriptor's (`Reading`, Expressions/); this maps the packet fields to the simulated packet,
/// conntrack and routing.
enum ExpressionEvaluator {
    static func eval(_ e: Expr, _ c: PacketContext) -> FieldEval {
        if let reading = ExprFamilies.reading(e) {
            switch reading {
            case .field(let f, let req):
                guard c.meets(req) else { return .absent }
                return c.read(f)
            case .notModelled(let req):
                guard c.meets(req) else { return .absent }
                return .notModelled(NftTextWriter.exprText(e))
            case .absent:
                return .absent
            case .computed:
                guard case .keyed(let k) = e else { return .notModelled(NftTextWriter.exprText(e)) }
                return ExprFamilies.evaluate(k, c)
            }
        }
        switch e {
        case .concat(let parts):
            var vs: [FieldValue] = []
            for p in parts {
                switch eval(p, c) {
                case .value(let v): vs.append(v)
                case .absent: return .absent
                case .notModelled(let s): return .notModelled(s)
                }
            }
            return .value(.concat(vs))
        case .binop(let op, let left, .value(let rv)):
            guard case .value(.int(let l)) = eval(left, c) else { return eval(left, c).nonValue }
            // A symbolic operand (`tcp flags & rst`, `ct state & (new | related)`) is read by the
            // left side's type, as a match's right side is.
            var operand: UInt64?
            if case .number(let n) = rv { operand = n }
            else if let kind = FieldKind.of(left), case .exact(.int(let n))? = try? Constants.pattern(rv, kind: kind) { operand = n }
            guard let r = operand else { return .notModelled("binary operand \(NftTextWriter.valueText(rv))") }
            switch op {
            case "&": return .value(.int(l & r))
            case "|": return .value(.int(l | r))
            case "^": return .value(.int(l ^ r))
            // Marks are 32-bit registers: a left shift drops the bits shifted out of them.
            case "<<": return .value(.int(Self.is32Bit(left) ? UInt64(UInt32(truncatingIfNeeded: l << r)) : l << r))
            case ">>": return .value(.int(l >> r))
            default: return .notModelled("operator \(op) in \(NftTextWriter.exprText(e))")
            }
        default:
            return .notModelled(NftTextWriter.exprText(e))
        }
    }

    /// Whether an expression reads a 32-bit field (`meta mark`, `ct mark`), or a binary operation
    /// on one.
    static func is32Bit(_ e: Expr) -> Bool {
        switch e {
        case .meta("mark"), .ct("mark", nil, _): return true
        case .binop(_, let l, _): return is32Bit(l)
        default: return false
        }
    }

}

extension PacketContext: PacketView {
    /// Whether the packet has what an expression needs (`tcp dport` needs TCP).
    func meets(_ r: Requirement?) -> Bool {
        switch r {
        case nil: return true
        case .ipv4?: return packet.v4
        case .ipv6?: return !packet.v4
        case .l4(let protos)?: return protos.contains { SymbolTable.protocols.names[$0] == UInt64(packet.proto.number) }
        }
    }

    func read(_ field: PacketField) -> FieldReading {
        let p = packet
        switch field {
        case .saddr: return .value(.addr(p.saddr))
        case .daddr: return .value(.addr(p.daddr))
        case .l4proto: return .value(.int(UInt64(p.proto.number)))
        case .nfproto: return .value(.int(p.v4 ? 2 : 10))
        case .etherType: return .value(.int(p.v4 ? 0x0800 : 0x86dd))
        case .sport: return p.sport.map { .value(.int(UInt64($0))) } ?? .absent
        case .dport: return p.dport.map { .value(.int(UInt64($0))) } ?? .absent
        case .tcpFlags: return .value(.int(UInt64(p.tcpFlags ?? 0)))
        // Every ICMP packet the simulator makes has its type; one without would be a gap to say.
        case .icmpType: return p.icmp.map { .value(.int(UInt64($0.type))) } ?? .notModelled("\(p.v4 ? "icmp" : "icmpv6") type")
        case .icmpCode: return p.icmp.map { .value(.int(UInt64($0.code))) } ?? .notModelled("\(p.v4 ? "icmp" : "icmpv6") code")
        case .mark: return .value(.int(UInt64(p.mark)))
        // A missing device reads as an empty name / index 0 (nft_meta_store_ifname), so
        // `oifname != "docker1"` is true in prerouting.
        case .iifname: return .value(.name(iif ?? ""))
        case .oifname: return .value(.name(oif ?? ""))
        case .pkttype:
            let t = routing.addressType(p.daddr)
            return .value(.int(t == .broadcast ? 1 : t == .multicast ? 2 : 0))
        case .ct(let key, let dir): return ExpressionEvaluator.ct(key, dir, self)
        case .fib(let result, let flags): return ExpressionEvaluator.fib(result, flags, self)
        case .branch: return .value(.int(p.branch))
        }
    }
}

extension ExpressionEvaluator {
    static func ct(_ key: String, _ dir: String?, _ c: PacketContext) -> FieldEval {
        switch c.ct {
        case .none:
            return key == "state" && dir == nil ? .value(.int(1)) : .absent
        case .untracked:
            return key == "state" && dir == nil ? .value(.int(64)) : .absent
        case .tracked, .related:
            guard let conn = c.connection else { return .absent }
            let isReply: Bool, isNew: Bool, related: Bool
            if case .tracked(let r, let n) = c.ct { (isReply, isNew, related) = (r, n, false) } else { (isReply, isNew, related) = (true, false, true) }
            switch (key, dir) {
            case ("state", nil): return .value(.int(related ? 4 : isNew ? 8 : 2))
            case ("status", nil): return .value(.int(conn.statusBits))
            case ("direction", nil): return .value(.int(isReply ? 1 : 0))
            case ("mark", nil): return .value(.int(UInt64(conn.mark)))
            case (_, let d?):
                let t = d == "reply" ? conn.reply : conn.original
                switch key {
                case "saddr", "ip saddr", "ip6 saddr": return .value(.addr(t.src.addr))
                case "daddr", "ip daddr", "ip6 daddr": return .value(.addr(t.dst.addr))
                case "proto-src": return t.src.port.map { .value(.int(UInt64($0))) } ?? .absent
                case "proto-dst": return t.dst.port.map { .value(.int(UInt64($0))) } ?? .absent
                case "protocol": return .value(.int(UInt64(t.proto.number)))
                default: return .notModelled("ct \(d) \(key)")
                }
            default: return .notModelled("ct \(key)")
            }
        }
    }

    static func fib(_ result: String, _ flags: [String], _ c: PacketContext) -> FieldEval {
        let p = c.packet
        let useSaddr = flags.contains("saddr")
        let addr = useSaddr ? p.saddr : p.daddr
        let restricted = flags.contains("iif") || flags.contains("oif")
        switch result {
        case "type":
            if flags.contains("mark") { return .notModelled("fib with mark") }
            let t = c.routing.addressType(addr)
            if restricted {
                // With iif/oif the lookup is restricted to that device's addresses.
                let dev = flags.contains("iif") ? c.iif : c.oif
                if t == .local, let owner = c.routing.localAddresses[addr], owner != dev { return .value(.int(1)) }
            }
            return .value(.int(t.number))
        case "oif", "oifname":
            // The same lookup as the kernel's routing (nft_fib4/6: input device lo, the other
            // address as source, the packet's mark with the `mark` flag).
            let other = useSaddr ? p.daddr : p.saddr
            guard let route = c.routing.lookup(addr, source: other, iif: "lo", mark: flags.contains("mark") ? p.mark : 0),
                  route.type == .unicast || route.type == .local else {
                return .value(.name(""))
            }
            let dev = route.type == .local ? "lo" : (route.device ?? "")
            if flags.contains("iif"), dev != (c.iif ?? "") { return .value(.name("")) }
            return .value(.name(dev))
        default:
            return .notModelled("fib \(result)")
        }
    }
}

extension FieldEval {
    /// The same result for a non-value (passes absence and not-modelled through).
    var nonValue: FieldEval {
        switch self {
        case .value: return .notModelled("operand is not an integer")
        default: return self
        }
    }
}
