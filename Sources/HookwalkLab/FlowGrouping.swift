import HookwalkModel
import HookwalkSimulator

/// Who talks to whom in a scenario, as the flow grouping needs it. Address and port lists hold
/// every value a side can have along the path: the client's address and the masquerade address it
/// may be rewritten to; the published address and the container's address behind the dnat.
public struct FlowContext: Sendable, Hashable, Codable {
    /// `tcp`, `udp`.
    public var proto: String
    public var clientPorts: [UInt16]
    public var serverPorts: [UInt16]
    public var clientAddresses: [IPAddress]
    public var serverAddresses: [IPAddress]

    public init(proto: String, clientPorts: [UInt16], serverPorts: [UInt16], clientAddresses: [IPAddress], serverAddresses: [IPAddress]) {
        self.proto = proto
        self.clientPorts = clientPorts
        self.serverPorts = serverPorts
        self.clientAddresses = clientAddresses
        self.serverAddresses = serverAddresses
    }

    public enum Direction: Sendable, Hashable { case request, reply }

    /// The direction of a packet line. Addresses decide first (a DHCP relay sends from 67 to 67,
    /// so ports alone are ambiguous); ports decide when the addresses do (host-local traffic has
    /// the same address on both ends). Nil when neither decides or the protocol differs.
    public func direction(of p: PacketFields) -> Direction? {
        if let proto = p.proto, proto != self.proto { return nil }
        let c = Set(clientAddresses), s = Set(serverAddresses)
        if let sa = p.saddr, let da = p.daddr {
            let req = c.contains(sa) && s.contains(da)
            let rep = s.contains(sa) && c.contains(da)
            if req != rep { return req ? .request : .reply }
            if !req { return nil }
        }
        let cp = Set(clientPorts), sp = Set(serverPorts)
        guard let sport = p.sport, let dport = p.dport else { return nil }
        let req = cp.contains(sport) && sp.contains(dport)
        let rep = sp.contains(sport) && cp.contains(dport)
        if req != rep { return req ? .request : .reply }
        return nil
    }
}

/// What survives NAT of a packet: the IPv4 id, the protocol, the TCP flags and the two ports as a
/// set (NAT rewrites one side's port at most, and the set makes the comparison indifferent to
/// which side).
public struct PacketIdentity: Sendable, Hashable {
    public var proto: String?
    public var ipID: Int?
    public var tcpFlags: UInt8?
    public var ports: Set<UInt16>
    public var sport: UInt16?
    public var dport: UInt16?

    public init(_ p: PacketFields) {
        proto = p.proto
        ipID = p.ipID
        tcpFlags = p.tcpFlags
        ports = Set([p.sport, p.dport].compactMap { $0 })
        sport = p.sport
        dport = p.dport
    }

    /// Same packet, possibly after NAT changed one of its ports. Without an IPv4 id (IPv6 has
    /// none) a UDP request and its reply have the same protocol, flags and port set, so the ports
    /// must also keep their direction: NAT rewrites one side, the other stays where it was.
    public func matches(_ o: PacketIdentity) -> Bool {
        guard proto == o.proto, ipID == o.ipID, tcpFlags == o.tcpFlags else { return false }
        if ports.isEmpty && o.ports.isEmpty { return true }
        if ipID == nil, sport != nil || dport != nil, sport != o.sport, dport != o.dport { return false }
        return !ports.isDisjoint(with: o.ports)
    }
}

/// The trace lines of one packet's life through the host, in order, whatever trace ids it had.
public struct KernelPacket: Sendable, Hashable {
    public var lines: [TraceLine]
    /// The trace ids the life was printed under, in order of appearance.
    public var traceIDs: [String]

    public var firstPacket: PacketFields? {
        for l in lines { if case .packet(let p) = l.kind { return p } }
        return nil
    }
}

/// The request and the reply of one scenario, as the kernel printed them.
public struct FlowSelection: Sendable, Hashable {
    /// Empty when no request was traced.
    public var request: [TraceLine]
    public var reply: [TraceLine]
    /// The answer to a rejected request: the first packet after it that is an ICMP error to a
    /// client address, or a TCP reset from the server's side to the client's port. Empty when
    /// there is none.
    public var answer: [TraceLine] = []
    /// All packet lives of the capture, for diagnostics.
    public var packets: [KernelPacket]
}

public enum FlowGrouping {
    /// Splits a capture into packet lives. A line joins the life currently printed under its
    /// trace id when it is not a `packet:` line or when its packet is the same (identity match);
    /// a `packet:` line with a new id joins the latest life with the same identity (the kernel
    /// gave the skb a new id after NAT, as for the SYN-ACK of `proxy-tcp8080`), else it starts a
    /// new life. An id that comes back with another packet (ids are reused) starts a new life.
    public static func packets(_ lines: [TraceLine]) -> [KernelPacket] {
        var lives: [KernelPacket] = []
        var identities: [PacketIdentity?] = []
        var current: [String: Int] = [:]
        for line in lines {
            let id = line.traceID ?? ""
            if case .packet(let f) = line.kind {
                let ident = PacketIdentity(f)
                let chain = (line.family, line.table, line.chain)
                func metChain(_ li: Int) -> Bool {
                    lives[li].lines.contains { l in
                        if case .packet = l.kind { return (l.family, l.table, l.chain) == chain } else { return false }
                    }
                }
                // Same id, same packet, but at a base chain this life already met: a retransmission
                // that got the id again (a SYN retried after its reset was dropped, and that reset).
                if let li = current[id], identities[li].map({ $0.matches(ident) }) ?? true, !metChain(li) {
                    if identities[li] == nil { identities[li] = ident }
                    lives[li].lines.append(line)
                    continue
                }
                // A packet never meets the same base chain twice in one life: an identical packet
                // that starts at a chain its look-alike already passed is a new one (a TCP
                // retransmission: a SYN-ACK always has ip id 0, so only this tells them apart).
                if let li = identities.lastIndex(where: { $0?.matches(ident) ?? false }), !lives[li].traceIDs.contains(id), !metChain(li) {
                    lives[li].lines.append(line)
                    lives[li].traceIDs.append(id)
                    current[id] = li
                    continue
                }
                lives.append(KernelPacket(lines: [line], traceIDs: [id]))
                identities.append(ident)
                current[id] = lives.count - 1
            } else if let li = current[id] {
                lives[li].lines.append(line)
            } else {
                lives.append(KernelPacket(lines: [line], traceIDs: [id]))
                identities.append(nil)
                current[id] = lives.count - 1
            }
        }
        return lives
    }

    /// Splits a capture into the lines of packets that `belongs` claims and the rest, before any
    /// grouping: each `packet:` line decides for the lines printed after it under its trace id.
    /// Grouping by identity alone would merge look-alikes (two SYN-ACKs share ip id 0 and a port),
    /// e.g. docker-proxy's connection with the client's, which the stand-in proxy's source port
    /// tells apart.
    public static func split(_ lines: [TraceLine], where belongs: (PacketFields) -> Bool) -> (matching: [TraceLine], rest: [TraceLine]) {
        var owner: [String: Bool] = [:]
        var matching: [TraceLine] = [], rest: [TraceLine] = []
        for line in lines {
            let id = line.traceID ?? ""
            if case .packet(let f) = line.kind { owner[id] = belongs(f) }
            if owner[id] ?? false { matching.append(line) } else { rest.append(line) }
        }
        return (matching, rest)
    }

    /// The scenario's request (TCP: the first SYN) and its reply (TCP: the first SYN-ACK after
    /// the request; UDP: the first packet server -> client after it).
    public static func select(_ lines: [TraceLine], context: FlowContext) -> FlowSelection {
        let lives = packets(lines)
        let tcp = context.proto == "tcp"
        var request: Int?
        var reply: Int?
        for (i, life) in lives.enumerated() {
            guard let p = life.firstPacket, let dir = context.direction(of: p) else { continue }
            if dir == .request, request == nil, !tcp || p.tcpFlags == TCPFlags.syn {
                request = i
            } else if dir == .reply, reply == nil, request.map({ $0 < i }) ?? true, !tcp || p.tcpFlags == TCPFlags.synAck {
                reply = i
            }
        }
        var selection = FlowSelection(request: request.map { lives[$0].lines } ?? [], reply: reply.map { lives[$0].lines } ?? [], packets: lives)
        if let r = request {
            let clients = Set(context.clientAddresses), cports = Set(context.clientPorts)
            let answer = lives.indices.first { i in
                guard i > r, let p = lives[i].firstPacket else { return false }
                if p.proto == "icmp" || p.proto == "ipv6-icmp" { return p.daddr.map(clients.contains) ?? false }
                return tcp && p.proto == "tcp" && (p.tcpFlags ?? 0) & 0x04 != 0 && p.dport.map(cports.contains) ?? false
                    && context.direction(of: p) == .reply
            }
            selection.answer = answer.map { lives[$0].lines } ?? []
        }
        return selection
    }
}

/// One scenario's part of a capture file such as the lab's `raw-trace.txt`.
public struct CapturedScenario: Sendable, Hashable {
    public var name: String
    public var context: FlowContext
    public var lines: [TraceLine]
}

public enum CaptureFile {
    /// Splits a capture at its `# scenario: NAME proto=udp cports=41003 sports=1812
    /// caddrs=a,b saddrs=c,d` headers. Lines before the first header are ignored.
    public static func scenarios(_ text: String) throws -> [CapturedScenario] {
        var out: [CapturedScenario] = []
        var lineNo = 0
        var chunk: [String] = []
        func flush() {
            guard !out.isEmpty else { chunk = []; return }
            out[out.count - 1].lines = KernelTraceParser.parse(chunk.joined(separator: "\n")).lines
            chunk = []
        }
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNo += 1
            let s = String(raw)
            if s.hasPrefix("# scenario:") {
                flush()
                out.append(try header(s, line: lineNo))
            } else {
                chunk.append(s)
            }
        }
        flush()
        return out
    }

    static func header(_ s: String, line: Int) throws -> CapturedScenario {
        let words = s.dropFirst("# scenario:".count).split(separator: " ").map(String.init)
        guard let name = words.first else { throw HookwalkError(.line(line, column: 1), "scenario header without a name") }
        var kv: [String: String] = [:]
        for w in words.dropFirst() {
            let p = w.split(separator: "=", maxSplits: 1).map(String.init)
            if p.count == 2 { kv[p[0]] = p[1] }
        }
        func list(_ k: String) -> [String] { (kv[k] ?? "").split(separator: ",").map(String.init) }
        func ports(_ k: String) throws -> [UInt16] {
            try list(k).map {
                guard let n = UInt16($0) else { throw HookwalkError(.line(line, column: 1), "\(k): not a port: \($0)") }
                return n
            }
        }
        func addrs(_ k: String) throws -> [IPAddress] {
            try list(k).map {
                guard let a = IPAddress($0) else { throw HookwalkError(.line(line, column: 1), "\(k): not an address: \($0)") }
                return a
            }
        }
        let ctx = FlowContext(proto: kv["proto"] ?? "udp", clientPorts: try ports("cports"), serverPorts: try ports("sports"),
                              clientAddresses: try addrs("caddrs"), serverAddresses: try addrs("saddrs"))
        return CapturedScenario(name: name, context: ctx, lines: [])
    }
}
