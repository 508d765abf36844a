import HookwalkModel

/// A `reject` that ended a packet, as the chain saw the packet: what the kernel builds its answer
/// from (nf_reject_ipv4/ipv6).
struct Rejection: Sendable {
    /// `tcp reset`, `icmp`, `icmpv6`, `icmpx`, or nil for a bare `reject`.
    var type: String?
    var code: String?
    var hook: Hook
    /// The family of the chain (a bare `reject` in an inet table is `icmpx port-unreachable`).
    var family: Family
    var packet: Packet
    var iif: String?
}

/// The answer the kernel sends for a `reject`: an ICMP destination-unreachable error or a TCP
/// reset, built by the host and sent back to the client through output and postrouting.
public struct RejectAnswer: Sendable, Hashable, Codable {
    /// `tcp reset`, or the ICMP error: `icmp destination-unreachable port-unreachable`,
    /// `icmpv6 destination-unreachable admin-prohibited`.
    public var kind: String
    /// The answer's own path (it starts in the output hook).
    public var trace: PacketTrace

    public init(kind: String, trace: PacketTrace) {
        self.kind = kind
        self.trace = trace
    }

    /// Whether the answer reached the client: the client's connection is refused at once.
    public var reachedClient: Bool { trace.outcome.isDelivered }

    /// What the client's socket sees: `refused (TCP RST)`, `refused (ICMP destination-unreachable
    /// port-unreachable)`.
    public var refusal: String {
        kind == "tcp reset" ? "refused (TCP RST)" : "refused (\(kind.uppercasedFirstWord))"
    }
}

extension String {
    /// `icmp destination-unreachable x` -> `ICMP destination-unreachable x`.
    fileprivate var uppercasedFirstWord: String {
        guard let sp = firstIndex(of: " ") else { return uppercased() }
        return self[..<sp].uppercased() + self[sp...]
    }
}

extension Simulator {
    /// The ICMP code a `reject` sends for a packet of this family: `reject with icmp|icmpv6 CODE`
    /// as given, `icmpx` mapped per family (nft_reject_inet: port-unreachable, admin-prohibited,
    /// no-route -> net-unreachable / no-route, host-unreachable -> host-unreachable /
    /// addr-unreachable), port-unreachable for a bare `reject` (and iptables' REJECT default).
    static func icmpCode(_ r: Rejection) -> String {
        let v4 = r.packet.v4
        guard let code = r.code else { return "port-unreachable" }
        guard r.type == "icmpx" else { return code }
        switch code {
        case "no-route": return v4 ? "net-unreachable" : "no-route"
        case "host-unreachable": return v4 ? "host-unreachable" : "addr-unreachable"
        default: return code
        }
    }

    /// Builds and walks the answer to `r` (nil when the kernel sends none), or a note on the
    /// request's events saying why it is not simulated.
    func rejectAnswer(_ r: Rejection, connection: Connection?, requestEvents: inout [TraceEvent]) -> RejectAnswer? {
        func notSimulated(_ why: String) -> RejectAnswer? {
            requestEvents.append(TraceEvent(.notModelled(chain: nil, handle: nil, text: "reject's answer \(why)",
                                                         assumption: "no answer is shown; the client's side is not simulated"),
                                            traced: false))
            return nil
        }
        guard r.family != .bridge, r.hook == .input || r.hook == .forward else {
            return notSimulated("from the \(r.family.rawValue) \(r.hook.rawValue) hook")
        }
        guard let connection else { return notSimulated("for an untracked packet") }
        let p = r.packet
        var answer: Packet
        let kind: String
        if r.type == "tcp reset" {
            // nf_send_reset answers TCP only; any other packet is just dropped.
            guard p.proto == .tcp else {
                requestEvents.append(TraceEvent(.note("reject with tcp reset: the packet is not TCP, so the kernel sends no reset; it is only dropped"),
                                                traced: false))
                return nil
            }
            // The reset answers from the address and port the packet was sent to (after any dnat);
            // to a SYN it is rst,ack.
            answer = Packet(saddr: p.daddr, daddr: p.saddr, proto: .tcp, sport: p.dport, dport: p.sport,
                            tcpFlags: (p.tcpFlags ?? 0) & 0x10 != 0 ? 0x04 : 0x14)
            kind = "tcp reset"
        } else {
            // icmp_send / icmp6_send: from the packet's destination when it is the host's own
            // address (input), else from the address routing picks towards the sender.
            let source: IPAddress
            if r.hook == .input {
                source = p.daddr
            } else {
                let back = routing.lookup(p.saddr, device: p.saddr.isLinkLocal ? r.iif : nil)
                guard let s = routing.sourceAddress(device: back?.device, destination: p.saddr, route: back) else {
                    return notSimulated("(no source address towards \(p.saddr))")
                }
                source = s
            }
            let code = Self.icmpCode(r)
            answer = Packet(saddr: source, daddr: p.saddr, proto: p.v4 ? .icmp : .icmpv6)
            // destination-unreachable is type 3 in ICMP, 1 in ICMPv6; the code by its name (a code
            // without one leaves the header unknown: a rule reading it says so).
            let codes: SymbolTable = p.v4 ? .icmpCodes : .icmpv6Codes
            answer.icmp = codes.names[code].map { (p.v4 ? 3 : 1, UInt8($0)) }
            kind = "\(p.v4 ? "icmp" : "icmpv6") destination-unreachable \(code)"
        }
        var walker = PathWalker(ruleset: compiled, routing: routing, topology: topology, packet: answer, connection: connection,
                                isReply: true, options: options)
        walker.ct = .related
        if answer.daddr.isLinkLocal { walker.linkDevice = r.iif }
        walker.emit(.note("reject's answer: the kernel sends \(kind == "tcp reset" ? "a TCP reset" : "an " + kind) "
                          + "from \(answer.saddr) to \(answer.daddr) through the output and postrouting hooks; conntrack attaches it to "
                          + "the rejected connection (ct state related)"))
        let outcome = walker.fromHost()
        return RejectAnswer(kind: kind, trace: PacketTrace(initial: answer.state(iif: nil, oif: nil), events: walker.events, outcome: outcome))
    }
}
