import HookwalkModel

/// Writes a trace as `nft -a monitor trace` prints the same packets (without the `trace id`
/// prefix): a `packet:` line when a base chain first prints something for the packet, one `rule`
/// line per matching rule, `policy` lines (docs/kernel-facts.md, fact 20). This is the form `hookwalk verify` compares
/// with the kernel, so it stays in the simulator's module, next to the events it prints.
public enum NftTraceFormat {
    /// - Parameter onlyTraced: print only events of packets that had nftrace set, as the kernel
    ///   does; pass `Simulator.rulesetSetsNftrace` (a ruleset without `meta nftrace set` would
    ///   otherwise print nothing).
    public static func lines(_ packet: PacketTrace, onlyTraced: Bool) -> [String] {
        var out: [String] = []
        var pending: (BaseChainRef, PacketState)?
        var printedPacketLine = false
        for e in packet.events {
            switch e.kind {
            case .chain(let ref, let state):
                pending = (ref, state)
                printedPacketLine = false
            case .rule(let chain, let handle, let text, let verdict):
                guard !onlyTraced || e.traced, let p = pending else { continue }
                if !printedPacketLine { out.append(packetLine(p.0, p.1)); printedPacketLine = true }
                let h = handle.map { " # handle \($0)" } ?? ""
                out.append("\(chain.family.rawValue) \(chain.table) \(chain.chain) rule \(text)\(h) (verdict \(verdict.traceText))")
            case .policy(let chain, let policy):
                guard !onlyTraced || e.traced, let p = pending else { continue }
                if !printedPacketLine { out.append(packetLine(p.0, p.1)); printedPacketLine = true }
                out.append("\(chain.family.rawValue) \(chain.table) \(chain.chain) policy \(policy.rawValue)")
            default:
                continue
            }
        }
        return out
    }

    /// The request's lines, then the reply's.
    public static func lines(_ trace: Trace, onlyTraced: Bool) -> [String] {
        lines(trace.request, onlyTraced: onlyTraced) + (trace.back.map { lines($0, onlyTraced: onlyTraced) } ?? [])
    }

    static func packetLine(_ ref: BaseChainRef, _ s: PacketState) -> String {
        var parts = ["\(ref.chain.family.rawValue) \(ref.chain.table) \(ref.chain.chain) packet:"]
        if let i = s.iif { parts.append("iif \"\(i)\"") }
        if let o = s.oif { parts.append("oif \"\(o)\"") }
        let l3 = s.saddr.isV4 ? "ip" : "ip6"
        parts.append("\(l3) saddr \(s.saddr) \(l3) daddr \(s.daddr)")
        if ref.chain.family != .ip && ref.chain.family != .ip6 {
            parts.append(s.saddr.isV4 ? "ip protocol \(s.proto.rawValue)" : "ip6 nexthdr \(s.proto.rawValue)")
        }
        switch s.proto {
        case .tcp, .udp:
            let p = s.proto.rawValue
            if let sp = s.sport { parts.append("\(p) sport \(sp)") }
            if let dp = s.dport { parts.append("\(p) dport \(dp)") }
            if s.proto == .tcp, let f = s.tcpFlags { parts.append("tcp flags == \(f)") }
        default:
            break
        }
        if s.mark != 0 { parts.append("meta mark 0x\(String(s.mark, radix: 16, uppercase: false))") }
        return parts.joined(separator: " ")
    }
}
