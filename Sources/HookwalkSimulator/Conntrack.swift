import HookwalkModel

/// An address and port: one side of a conntrack tuple.
struct SocketAddress: Hashable, Sendable {
    var addr: IPAddress
    var port: UInt16?
}

/// A conntrack tuple: what conntrack keys a connection by in one direction.
struct Tuple: Hashable, Sendable {
    var src: SocketAddress
    var dst: SocketAddress
    var proto: L4Proto
}

/// One connection, as conntrack holds it after the request (docs/kernel-facts.md, facts 9-12). NAT is stored as
/// the mapping of each manipulation type; the reply tuple follows from them.
struct Connection: Sendable {
    var original: Tuple
    /// Destination mapping (dnat, redirect), made in prerouting/output.
    var dnat: SocketAddress?
    /// Source mapping (snat, masquerade), made in postrouting/input.
    var snat: SocketAddress?
    /// The manipulation types whose NAT decision was taken (a mapping or a null binding): once
    /// taken, later nat chains of that hook are not consulted (docs/kernel-facts.md, fact 4).
    var dstDecided = false
    var srcDecided = false
    var mark: UInt32 = 0
    /// Set when the request left conntrack's confirm point (postrouting or input).
    var confirmed = false
    var seenReply = false

    /// The tuple the reply is expected to carry.
    var reply: Tuple {
        let replySrc = dnat ?? original.dst
        let replyDst = snat ?? original.src
        return Tuple(src: replySrc, dst: replyDst, proto: original.proto)
    }

    /// `ct status` bits.
    var statusBits: UInt64 {
        var s: UInt64 = 0
        if seenReply { s |= 2 }
        if confirmed { s |= 8 }
        if snat != nil { s |= 16 }
        if dnat != nil { s |= 32 }
        return s
    }
}

/// The packet's conntrack attachment as the expressions see it.
enum CtAttachment: Sendable {
    /// Before conntrack ran (chains below priority -200): `ct state` reads invalid, other keys break.
    case none
    /// `notrack` was applied.
    case untracked
    /// The packet belongs to the connection, in this direction.
    case tracked(reply: Bool, new: Bool)
    /// An answer the host generates about the connection (reject's ICMP error or TCP reset):
    /// `ct state related`, in the reply direction (IP_CT_RELATED_REPLY: nf_ct_attach for the reset,
    /// the ICMP error's embedded packet for an ICMP error).
    case related
}

extension Tuple {
    /// The tuple as trace events carry it.
    var flow: FlowTuple { FlowTuple(proto: proto, saddr: src.addr, sport: src.port, daddr: dst.addr, dport: dst.port) }
}
