import HookwalkModel

/// Conntrack's NAT hook (docs/kernel-facts.md, facts 3, 4, 9-11). For the first packet of a connection it calls
/// the nat-type chains of the hook in priority order until one makes a mapping; every other packet
/// gets the stored mapping applied, or undone in the reply direction, without any nat chain.
extension PathWalker {
    enum Manip {
        /// Destination NAT: prerouting and output, at -100.
        case destination
        /// Source NAT: postrouting and input, at 100.
        case source
    }

    mutating func natHook(_ hook: Hook, manip: Manip) -> HookEnd {
        if case .none = ct, !ruleset.conntrack(v4: packet.v4) {
            for i in ruleset.ipBaseChains(v4: packet.v4, hook: hook) where ruleset.chains[i].base?.type == .nat {
                emit(.note(.natChainNotConsulted(ruleset.chains[i].ref, v4: packet.v4)))
            }
        }
        if case .related = ct, connection != nil { return relatedNat(hook, manip: manip) }
        guard case .tracked(let reply, let new) = ct, connection != nil else { return .pass }
        let decided = manip == .destination ? connection!.dstDecided : connection!.srcDecided
        if new && !reply && !decided && !options.natChainsAtDeclaredPriority {
            let natChains = ruleset.ipBaseChains(v4: packet.v4, hook: hook).filter { ruleset.chains[$0].base?.type == .nat }
            chains: for i in natChains {
                let request: NatRequest?
                switch runNatChain(i, hook: hook) {
                case .success(let r): request = r
                case .failure(let stop): return stop.end
                }
                if let req = request {
                    switch makeMapping(req, hook: hook, manip: manip, chain: ruleset.chains[i].ref) {
                    case .success(let mapping):
                        if manip == .destination { connection!.dnat = mapping } else { connection!.snat = mapping }
                        let remaining = natChains.drop { $0 != i }.dropFirst()
                        if !remaining.isEmpty {
                            emit(.note(.natChainsSkipped(req.kind, remaining.map { ruleset.chains[$0].ref })))
                        }
                    case .failure(let why):
                        return .stop(.dropped(chain: ruleset.chains[i].ref, handle: nil, text: why.message, rejected: false))
                    }
                    break chains
                }
            }
            if manip == .destination { connection!.dstDecided = true } else { connection!.srcDecided = true }
            if let m = manip == .destination ? connection!.dnat : connection!.snat {
                apply(m, manip: manip, kind: manip == .destination ? .dnat : .snat, implicit: false)
            }
            return .pass
        }
        // Not the first packet: conntrack applies what is stored.
        let conn = connection!
        switch (manip, reply) {
        case (.destination, true):
            if conn.snat != nil {
                apply(conn.original.src, manip: .destination, kind: .undoSNAT(icmpError: false), implicit: true)
            }
        case (.source, true):
            if conn.dnat != nil {
                apply(conn.original.dst, manip: .source, kind: .undoDNAT(icmpError: false), implicit: true)
            }
        case (.destination, false):
            if let m = conn.dnat { apply(m, manip: .destination, kind: .dnat, implicit: true) }
        case (.source, false):
            if let m = conn.snat { apply(m, manip: .source, kind: .snat, implicit: true) }
        }
        return .pass
    }

    /// A hook's end that stops the packet, as a failure value.
    struct NatChainStop: Error { var end: HookEnd }

    /// Runs nat chain `i` for the NAT hook: the mapping it asks for (if any), or the end of the
    /// packet when the chain drops it or meets what is not modelled.
    mutating func runNatChain(_ i: Int, hook: Hook) -> Result<NatRequest?, NatChainStop> {
        let run = runChain(i, hook: hook)
        switch run.end {
        case .accept:
            return .success(run.nat)
        case .drop(let decidedIn, let handle, let text, let rejected):
            return .failure(NatChainStop(end: .stop(.dropped(chain: decidedIn, handle: handle, text: text, rejected: rejected))))
        case .notModelled(let why):
            emit(.notModelled(chain: ruleset.chains[i].ref, handle: nil, text: .construct(why), assumption: "the simulation stops here"))
            return .failure(NatChainStop(end: .stop(.notModelled(why))))
        }
    }

    /// The NAT hook for reject's answer (`ct state related`, reply direction; nf_nat_inet_fn). An
    /// ICMP error never meets a nat chain: nf_nat_icmp_reply_translation rewrites its outer header
    /// (and the packet it quotes) with the connection's mapping reversed, at postrouting when the
    /// connection was DNATed. A TCP reset is not ICMP, so it is handled as a new packet would be:
    /// when its connection has no decision of this hook's type yet (the request was rejected before
    /// reaching it), the nat chains are consulted (lab: Docker's nat-POSTROUTING sees the reset);
    /// then the stored mapping is undone as for any reply.
    mutating func relatedNat(_ hook: Hook, manip: Manip) -> HookEnd {
        let conn = connection!
        if packet.proto == .icmp || packet.proto == .icmpv6 {
            if manip == .source, conn.dnat != nil {
                apply(SocketAddress(addr: conn.original.dst.addr, port: nil), manip: .source,
                      kind: .undoDNAT(icmpError: true), implicit: true)
            } else if manip == .destination, conn.snat != nil {
                apply(SocketAddress(addr: conn.original.src.addr, port: nil), manip: .destination,
                      kind: .undoSNAT(icmpError: true), implicit: true)
            }
            return .pass
        }
        let decided = manip == .destination ? conn.dstDecided : conn.srcDecided
        if !decided && !options.natChainsAtDeclaredPriority {
            for i in ruleset.ipBaseChains(v4: packet.v4, hook: hook) where ruleset.chains[i].base?.type == .nat {
                let request: NatRequest?
                switch runNatChain(i, hook: hook) {
                case .success(let r): request = r
                case .failure(let stop): return stop.end
                }
                // The mapping goes on the connection (nf_nat_setup_info: its original direction's
                // source or destination). nf_nat_packet applies to a reply-direction packet only
                // the other kind's mapping, so the reset, sent in the reply direction, keeps its
                // addresses here and only the dnat is undone below (lab: VerifyRejectIPv6Tests).
                if let req = request {
                    emit(.note(.answerMappingNotApplied(ruleset.chains[i].ref, req.kind)))
                    break
                }
            }
            if manip == .destination { connection!.dstDecided = true } else { connection!.srcDecided = true }
        }
        if manip == .source, conn.dnat != nil {
            apply(conn.original.dst, manip: .source, kind: .undoDNAT(icmpError: false), implicit: true)
        } else if manip == .destination, conn.snat != nil {
            apply(conn.original.src, manip: .destination, kind: .undoSNAT(icmpError: false), implicit: true)
        }
        return .pass
    }

    /// The deliberately wrong model: a nat chain evaluated where its priority puts it, its mapping
    /// applied at once.
    mutating func natChainAtOwnPriority(_ i: Int, hook: Hook) -> HookEnd {
        guard case .tracked(false, true) = ct, connection != nil else { return .pass }
        let manip: Manip = (hook == .prerouting || hook == .output) ? .destination : .source
        if manip == .destination ? connection!.dstDecided : connection!.srcDecided { return .pass }
        let run = runChain(i, hook: hook)
        if case .drop(let decidedIn, let handle, let text, let rejected) = run.end {
            return .stop(.dropped(chain: decidedIn, handle: handle, text: text, rejected: rejected))
        }
        guard let req = run.nat, case .success(let m) = makeMapping(req, hook: hook, manip: manip, chain: ruleset.chains[i].ref) else { return .pass }
        if manip == .destination { connection!.dnat = m; connection!.dstDecided = true } else { connection!.snat = m; connection!.srcDecided = true }
        apply(m, manip: manip, kind: manip == .destination ? .dnat : .snat, implicit: false)
        return .pass
    }

    mutating func apply(_ m: SocketAddress, manip: Manip, kind: NatRewrite, implicit: Bool) {
        let before = packet.state(iif: currentIif, oif: currentOif)
        if manip == .destination {
            packet.daddr = m.addr
            if let p = m.port { packet.dport = p }
        } else {
            packet.saddr = m.addr
            if let p = m.port { packet.sport = p }
        }
        let after = packet.state(iif: currentIif, oif: currentOif)
        guard before.saddr != after.saddr || before.daddr != after.daddr || before.sport != after.sport
            || before.dport != after.dport else { return }
        emit(.nat(kind: kind, before: before, after: after, implicit: implicit))
    }

    /// The address and port a NAT statement maps the packet to.
    private mutating func makeMapping(_ req: NatRequest, hook: Hook, manip: Manip, chain: ChainRef) -> Result<SocketAddress, ConstantError> {
        switch req.kind {
        case .dnat, .redirect:
            guard manip == .destination else { return .failure(ConstantError(message: "\(req.kind.rawValue) in a source NAT hook")) }
            var addr = req.addr ?? packet.daddr
            if req.kind == .redirect {
                if hook == .output {
                    addr = packet.v4 ? IPAddress("127.0.0.1")! : IPAddress("::1")!
                } else if let iif = currentIif, let a = routing.interface(iif)?.addresses.first(where: { $0.address.isV4 == packet.v4 }) {
                    addr = a.address
                } else {
                    return .failure(ConstantError(message: "redirect: the input interface has no address"))
                }
            }
            return .success(SocketAddress(addr: addr, port: destinationPort(req, chain: chain)))
        case .snat, .masquerade:
            guard manip == .source else { return .failure(ConstantError(message: "\(req.kind.rawValue) in a destination NAT hook")) }
            var addr: IPAddress
            if req.kind == .masquerade {
                guard let a = routing.sourceAddress(device: currentOif, destination: packet.daddr, route: routing.lookup(packet.daddr)) else {
                    return .failure(ConstantError(message: "masquerade: \(currentOif ?? "the output interface") has no address"))
                }
                addr = a
            } else {
                guard let a = req.addr else { return .failure(ConstantError(message: "snat without an address")) }
                addr = a
            }
            let port = sourcePort(req, chain: chain)
            if req.kind == .masquerade, addr == packet.saddr, req.port == nil { addr = packet.saddr }
            return .success(SocketAddress(addr: addr, port: port))
        }
    }

    /// The source port an snat or masquerade gives. The kernel keeps the packet's port when it
    /// lies in the range (or no range is given) and its tuple is free, as for a destination; but
    /// a source port outside the range, or any port with `random`/`fully-random`, gets a random
    /// offset (`nf_nat_l4proto_unique_tuple` draws one for every source mapping), which no
    /// snapshot can predict: said so, with the port the simulation goes on with.
    private mutating func sourcePort(_ req: NatRequest, chain: ChainRef) -> UInt16? {
        if let p = req.port { return p }
        guard let original = packet.sport else { return nil }
        let random = req.flags.filter { $0 == "random" || $0 == "fully-random" }
        if !random.isEmpty {
            emit(.notModelled(chain: chain, handle: nil,
                              text: TraceProse.randomSourcePort(req.kind, flags: random),
                              assumption: "the source port stays \(original)"))
            return original
        }
        guard let range = req.portRange, !range.contains(original) else { return original }
        emit(.notModelled(chain: chain, handle: nil,
                          text: TraceProse.sourcePortOutsideRange(req.kind, range, port: original),
                          assumption: "the first port of the range, \(range.lowerBound)"))
        return range.lowerBound
    }

    /// The destination port a dnat or redirect gives. To a port range, nf_nat (get_unique_tuple)
    /// keeps the packet's port when it lies inside the range and its tuple is free; otherwise
    /// nf_nat_l4proto_unique_tuple tries the range from its first port (offset 0 for a destination
    /// mapping), so every port outside the range lands on the first one: ports are shifted only
    /// with NF_NAT_RANGE_PROTO_OFFSET, which nft's `dnat to` never sets (iptables' `DNAT
    /// --to-destination A:P-Q/BASE` does, and stays not modelled). The simulator plays one
    /// connection, so the tuple is free. Checked in a lab netns with real packets (tcp and udp,
    /// nft and iptables-nft): 8001 to `:8000-8002` kept 8001; 9001 to `:5000-5001` became 5000.
    private mutating func destinationPort(_ req: NatRequest, chain: ChainRef) -> UInt16? {
        if let p = req.port { return p }
        guard let range = req.portRange, range.count > 1, let original = packet.dport else {
            return req.portRange?.lowerBound ?? packet.dport
        }
        let random = req.flags.filter { $0 == "random" || $0 == "fully-random" }
        if !random.isEmpty {
            emit(.notModelled(chain: chain, handle: nil,
                              text: TraceProse.randomPortRange(req.kind, range, flags: random),
                              assumption: "the first port of the range, \(range.lowerBound)"))
            return range.lowerBound
        }
        if range.contains(original) {
            emit(.note(.portRange(req.kind, range, port: original, inside: true)))
            return original
        }
        emit(.note(.portRange(req.kind, range, port: original, inside: false)))
        return range.lowerBound
    }
}
