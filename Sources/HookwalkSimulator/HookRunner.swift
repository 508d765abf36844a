import HookwalkModel

/// What a hook's traversal came to.
enum HookEnd {
    case pass
    case stop(Outcome)
}

/// Runs the base chains of one hook in priority order together with the kernel's own hook
/// functions that sit between them: conntrack at -200, the NAT hook at -100 (prerouting, output)
/// or 100 (postrouting, input) that calls every nat-type chain (docs/kernel-facts.md, fact 3), conntrack's confirm at
/// the end, and br_netfilter's entry points in the bridge hooks (docs/kernel-facts.md, facts 16-19).
extension PathWalker {
    /// A position in a hook: a base chain, or one of the kernel's hook functions.
    enum HookEntry {
        case chain(Int)
        /// A nat chain run at its own priority: only with the deliberately wrong model.
        case natChainAtOwnPriority(Int)
        case conntrack
        case natDestination
        case natSource
        case confirm
        case brnfPrerouting
        case brnfForward
        case brnfPostrouting
    }

    func ipEntries(_ hook: Hook) -> [(priority: Int, entry: HookEntry)] {
        let reg = ruleset.registration
        // (priority, registration sequence, entry): at equal priority the later registered first.
        var out: [(Int, Int, HookEntry)] = []
        switch hook {
        case .prerouting, .output:
            out.append((-200, reg.conntrack(v4: packet.v4), .conntrack))
            out.append((-100, reg.nat(v4: packet.v4), .natDestination))
        case .postrouting, .input:
            out.append((100, reg.nat(v4: packet.v4), .natSource))
            out.append((Int.max, reg.conntrack(v4: packet.v4), .confirm))
        default:
            break
        }
        for i in ruleset.ipBaseChains(v4: packet.v4, hook: hook) {
            if ruleset.chains[i].base?.type != .nat {
                out.append((ruleset.chains[i].base!.priority, reg.chain[i], .chain(i)))
            } else if options.natChainsAtDeclaredPriority {
                out.append((ruleset.chains[i].base!.priority, reg.chain[i], .natChainAtOwnPriority(i)))
            }
        }
        return out.sorted { a, b in a.0 != b.0 ? a.0 < b.0 : a.1 > b.1 }.map { ($0.0, $0.2) }
    }

    func bridgeEntries(_ hook: Hook, brnf: Bool) -> [(priority: Int, entry: HookEntry)] {
        var out: [(Int, HookEntry)] = []
        if brnf {
            switch hook {
            case .prerouting: out.append((0, .brnfPrerouting))
            case .forward: out.append((-1, .brnfForward))
            case .postrouting: out.append((Int.max, .brnfPostrouting))
            default: break
            }
        }
        for i in ruleset.bridgeBaseChains(hook: hook) {
            out.append((ruleset.chains[i].base!.priority, .chain(i)))
        }
        return out.enumerated().sorted { a, b in
            a.element.0 != b.element.0 ? a.element.0 < b.element.0 : a.offset < b.offset
        }.map { ($0.element.0, $0.element.1) }
    }

    /// An IP-layer hook (ip/ip6 and inet tables).
    mutating func ipHook(_ hook: Hook, iif: String?, oif: String?) -> HookEnd {
        currentIif = iif
        currentOif = oif
        emit(.hook(family: packet.v4 ? .ip : .ip6, hook: hook))
        for (_, entry) in ipEntries(hook) {
            if case .stop(let o) = runEntry(entry, hook: hook) { return .stop(o) }
        }
        return .pass
    }

    /// A bridge-family hook; with br_netfilter the IP hooks run from inside it.
    mutating func bridgeHook(_ hook: Hook, inPort: String?, outPort: String?, bridge: String, brnf: Bool) -> HookEnd {
        emit(.hook(family: .bridge, hook: hook))
        // After br_netfilter's detour through the IP hooks, the bridge hook is marked again only
        // when one of its own chains follows.
        var back = false
        for (_, entry) in bridgeEntries(hook, brnf: brnf) {
            currentIif = inPort
            currentOif = outPort
            if case .chain = entry {
                if back { emit(.hook(family: .bridge, hook: hook)); back = false }
            } else {
                currentBridge = bridge
                back = true
            }
            if case .stop(let o) = runEntry(entry, hook: hook) { return .stop(o) }
        }
        return .pass
    }

    private mutating func runEntry(_ entry: HookEntry, hook: Hook) -> HookEnd {
        switch entry {
        case .chain(let i):
            let run = runChain(i, hook: hook)
            if run.notrack, case .none = ct { untrackedRequested = true }
            if let r = run.reject, case .drop = run.end {
                rejection = Rejection(type: r.type, code: r.code, hook: hook, family: ruleset.chains[i].ref.family, packet: packet,
                                      iif: currentIif)
            }
            return end(of: run, chain: i)
        case .natChainAtOwnPriority(let i):
            return natChainAtOwnPriority(i, hook: hook)
        case .conntrack:
            conntrackIn()
            return .pass
        case .natDestination:
            return natHook(hook, manip: .destination)
        case .natSource:
            return natHook(hook, manip: .source)
        case .confirm:
            if !isReply, connection != nil, !(connection!.confirmed) {
                connection!.confirmed = true
            }
            return .pass
        case .brnfPrerouting:
            let bridge = currentBridge ?? ""
            emit(.note(.brNetfilterPrerouting(bridge: bridge, v4: packet.v4)))
            let saved = (currentIif, currentOif)
            if case .stop(let o) = ipHook(.prerouting, iif: bridge, oif: nil) { return .stop(o) }
            brnfPreroutingDone = true
            (currentIif, currentOif) = saved
            return .pass
        case .brnfForward:
            let bridge = currentBridge ?? ""
            emit(.note(.brNetfilterForward(bridge: bridge)))
            let saved = (currentIif, currentOif)
            if case .stop(let o) = ipHook(.forward, iif: bridge, oif: bridge) { return .stop(o) }
            (currentIif, currentOif) = saved
            return .pass
        case .brnfPostrouting:
            let bridge = currentBridge ?? ""
            emit(.note(.brNetfilterPostrouting(bridge: bridge)))
            let saved = (currentIif, currentOif)
            if case .stop(let o) = ipHook(.postrouting, iif: nil, oif: bridge) { return .stop(o) }
            (currentIif, currentOif) = saved
            return .pass
        }
    }

    private mutating func end(of run: ChainRun, chain: Int) -> HookEnd {
        switch run.end {
        case .accept:
            return .pass
        case .drop(let decidedIn, let handle, let text, let rejected):
            return .stop(.dropped(chain: decidedIn, handle: handle, text: text, rejected: rejected))
        case .notModelled(let why):
            emit(.notModelled(chain: ruleset.chains[chain].ref, handle: nil, text: .construct(why), assumption: "the simulation stops here"))
            return .stop(.notModelled(why))
        }
    }

    mutating func runChain(_ i: Int, hook: Hook) -> ChainRun {
        let c = ruleset.chains[i]
        if c.legacy, !legacyNoted {
            legacyNoted = true
            emit(.note(.legacyTables(c.ref.family, table: c.ref.table)))
        }
        emit(.chain(BaseChainRef(chain: c.ref, type: c.base!.type, hook: hook, priority: c.base!.priority),
                    packet.state(iif: currentIif, oif: currentOif)))
        var context = PacketContext(packet: packet, family: c.ref.family, hook: hook, iif: currentIif, oif: currentOif,
                                    ct: ct, connection: connection, routing: routing, sets: sets)
        let run = ChainEvaluator(ruleset: ruleset).run(chainIndex: i, context: &context, events: &events)
        // nft_chain_route: a route chain at output that changed the mark or an address re-routes.
        if hook == .output, c.base?.type == .route,
           context.packet.mark != packet.mark || context.packet.saddr != packet.saddr || context.packet.daddr != packet.daddr {
            rerouteRequested = true
        }
        packet = context.packet
        connection = context.connection
        branchModuli += run.branchModuli
        sets = context.sets
        return run
    }

    /// nf_conntrack_in: attaches the packet to its connection, or starts one.
    mutating func conntrackIn() {
        if untrackedRequested {
            ct = .untracked
            emit(.conntrack(.untracked))
            return
        }
        if case .tracked = ct { return }  // already attached (e.g. looped back through lo)
        if case .related = ct { return }  // reject's answer, attached to its connection when built
        guard ruleset.conntrack(v4: packet.v4) else {
            if !conntrackOffNoted {
                conntrackOffNoted = true
                emit(.conntrack(.off(v4: packet.v4)))
            }
            return
        }
        let tuple = Tuple(src: SocketAddress(addr: packet.saddr, port: packet.sport),
                          dst: SocketAddress(addr: packet.daddr, port: packet.dport), proto: packet.proto)
        if isReply, let conn = connection, conn.reply == tuple {
            ct = .tracked(reply: true, new: false)
            connection!.seenReply = true
            emit(.conntrack(.reply(original: conn.original.flow)))
            return
        }
        if isReply, let conn = connection {
            emit(.conntrack(.unexpectedReply(tuple.flow, expected: conn.reply.flow)))
        } else {
            emit(.conntrack(.new(tuple.flow)))
        }
        connection = Connection(original: tuple)
        isReply = false
        ct = .tracked(reply: false, new: true)
    }

}
