import Foundation
import HookwalkProcess
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator

/// `hookwalk verify`: plays a snapshot's scenarios in a lab of network namespaces and compares,
/// event by event, what the kernel did with what the simulator says it does.
///
/// The simulator runs on the ruleset *as the lab kernel lists it* after loading (with hookwalk's
/// trace tables), never on the snapshot's file: handles, trace tables and nft's normalisation are
/// then the same on both sides, so every divergence is a difference of behaviour.
public struct Verifier: Sendable {
    public struct Options: Sendable, Hashable {
        /// Leave the namespaces for inspection.
        public var keep = false
        /// Force `net.bridge.bridge-nf-call-iptables` (and `-ip6tables`) in the lab and in the
        /// simulation: nil keeps the snapshot's value.
        public var brNetfilter: Bool?
        /// The external client's address; nil takes `ScenarioCatalog.defaultClients` when it is
        /// on an uplink's subnet, else the lab's default client of the first uplink.
        public var client: IPAddress?
        /// The external client's IPv6 address, for a host whose uplink has a global IPv6 address;
        /// nil takes the lab's default IPv6 client of that uplink.
        public var client6: IPAddress?
        /// Passed to the simulator (e.g. the deliberately wrong model).
        public var simulator = Simulator.Options()
        /// Only scenarios of these kinds (`published-port`, `direct`, `hairpin`, `host-local`,
        /// `egress`, `unpublished-port`); nil plays them all.
        public var kinds: Set<String>?
        /// Bound of every wait of one scenario, in seconds (a dropped request costs about this).
        public var timeout: Double = 1.5
        /// Exchanges to play besides the catalog's (`kind` `extra`), e.g. a broadcast.
        public var extraScenarios: [Scenario] = []
        /// When set, each scenario's kernel capture and simulated lines are written there
        /// (`NAME.kernel.txt`, `NAME.hookwalk.txt`), to read a divergence in full.
        public var saveDirectory: String?

        public init(keep: Bool = false, brNetfilter: Bool? = nil, client: IPAddress? = nil, client6: IPAddress? = nil,
                    simulator: Simulator.Options = Simulator.Options(), kinds: Set<String>? = nil, timeout: Double = 1.5,
                    extraScenarios: [Scenario] = [], saveDirectory: String? = nil) {
            self.keep = keep
            self.brNetfilter = brNetfilter
            self.client = client
            self.client6 = client6
            self.simulator = simulator
            self.kinds = kinds
            self.timeout = timeout
            self.extraScenarios = extraScenarios
            self.saveDirectory = saveDirectory
        }
    }

    public let snapshotPath: String
    public let options: Options

    public init(snapshotPath: String, options: Options = Options()) {
        self.snapshotPath = snapshotPath
        self.options = options
    }

    /// One scenario in full: what was played, what the kernel did, what hookwalk says.
    public struct Verified: Sendable {
        public var item: VerifyPlan.Item
        public var capture: LabCapture
        public var trace: Trace
        public var comparison: ScenarioComparison
        /// The lab's namespace prefix (`hw` + 6 hex digits), to check that none is left behind
        /// while other labs may run.
        public var labPrefix: String = ""
    }

    /// Builds the lab, plays every scenario, removes the lab (unless `keep`). `progress` gets one
    /// line per scenario as it finishes, for a person watching a long run.
    public func run(progress: ((String) -> Void)? = nil) throws -> VerifyReport {
        VerifyReport(scenarios: try runScenarios(progress: progress).map(\.comparison))
    }

    /// `run`, keeping each scenario's capture and simulated trace (for tests and diagnostics).
    public func runScenarios(progress: ((String) -> Void)? = nil) throws -> [Verified] {
        try LabBuilder.checkRequirements()
        var snapshot = try SnapshotLoader.load(path: snapshotPath)
        if let on = options.brNetfilter {
            for key in ["net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables"] {
                snapshot.host.sysctls[key] = on ? "1" : "0"
            }
        }
        let plan = try VerifyPlan(snapshot: snapshot, client: options.client, client6: options.client6, kinds: options.kinds, extra: options.extraScenarios)
        if let dir = options.saveDirectory { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let ruleset = LabRuleset.of(snapshot)
        for tool in ruleset.tools where ProcessRunner.lookup(tool) == nil {
            let what = tool == "ipset" ? "ruleset includes iptables-save output with \(IpsetSave.fileName)" : "ruleset includes iptables-save output"
            throw HookwalkError(.none, "the snapshot's \(what), and loading it in the lab needs `\(tool)` "
                                + "(Debian/Ubuntu package \(tool == "ipset" ? "ipset" : "iptables")), which is not on PATH")
        }
        let rulesetFile = ruleset.paths[0]

        return try LabBuilder.withLab(plan.topology, keep: options.keep) { lab -> [Verified] in
            let listing = try lab.loadRuleset(ruleset, tracePorts: plan.tracePorts)
            // The listing the simulation runs on (the kernel's handles, with the lab's trace
            // tables): a saved capture is re-simulated on it (Tests/Fixtures/seed-centos8/recorded).
            if let dir = options.saveDirectory {
                let file = (dir as NSString).appendingPathComponent(ruleset.listsAsText ? Self.savedListingText : Self.savedListingJSON)
                do { try listing.write(toFile: file, atomically: true, encoding: .utf8) } catch {
                    throw HookwalkError(file: file, "cannot write: \(error.localizedDescription)")
                }
            }
            try lab.startProxies(timeout: options.timeout)
            var listed = ruleset.listsAsText
                ? try NftText.parse(listing, file: "nft -a list ruleset (lab \(plan.topology.prefix))")
                : try NftJSON.parse(listing, file: "nft -j list ruleset (lab \(plan.topology.prefix))")
            if ruleset.ipsetSave != nil { listed = Self.withSetMatches(listed, from: snapshot.ruleset) }
            // x_tables are not in nft's listing: the loader's reading of the legacy files stands in.
            listed.tables += snapshot.ruleset.tables.filter(\.legacy)
            let labSnapshot = Snapshot(ruleset: listed, host: snapshot.host, rulesetFile: rulesetFile, path: snapshot.path)
            let simulator = Simulator(snapshot: labSnapshot, options: options.simulator)
            let comparator = TraceComparator(portAliases: plan.topology.portAliases)
            var results: [Verified] = []
            for item in plan.items {
                try lab.flushDynamicSets(listed)
                let capture = try lab.run(item.lab, timeout: options.timeout)
                // A path with branches: the kernel picked one at random; it agrees when it took any.
                let branches = simulator.branches(item.scenario)
                var chosen = 0
                var result = Self.compare(capture: capture, trace: branches.traces[0], item: item, comparator: comparator, topology: plan.topology,
                                        ruleset: listed)
                if branches.count > 1 {
                    for k in 1..<branches.count where !result.isMatch {
                        let r = Self.compare(capture: capture, trace: branches.traces[k], item: item, comparator: comparator, topology: plan.topology,
                                        ruleset: listed)
                        if r.isMatch { chosen = k; result = r }
                    }
                    result.branch = chosen
                    result.branches = branches.count
                }
                let trace = branches.traces[chosen]
                if let dir = options.saveDirectory { try Self.save(capture, trace, to: dir) }
                results.append(Verified(item: item, capture: capture, trace: trace, comparison: result, labPrefix: plan.topology.prefix))
                let legEvents = capture.proxyLeg.map { ", proxy \($0.request.count)+\($0.reply.count)" } ?? ""
                let events = "(kernel: \(capture.selection.request.count)+\(capture.selection.reply.count) events\(legEvents))"
                progress?((result.isMatch ? "MATCH    " : "DIVERGE  ") + result.name + " " + events)
            }
            return results
        }
    }

    /// Whether the rule the kernel's trace names (by its chain and handle in the listing the lab
    /// loaded) ends in a `reject` statement.
    static func isReject(_ ruleset: Ruleset, family: Family, table: String, chain: String, handle: Int) -> Bool {
        let rule = ruleset.tables.first { $0.family == family && $0.name == table && !$0.legacy }?
            .chains.first { $0.name == chain }?.rules.first { $0.handle == handle }
        return rule?.stmts.contains { if case .reject = $0 { true } else { false } } ?? false
    }

    /// The kernel's listing with the loader's reading of ipset matches: iptables-nft keeps
    /// `-m set` as an xt match, which nft lists as an opaque `xt match set`, while the loader
    /// translated it (`ip saddr @NAME` against the set from `ipset-save.txt`). iptables-nft-restore
    /// builds the rules in the file's order, so the rule at the same place of the same chain is
    /// the same rule: it replaces the opaque one (keeping the kernel's handle, which the traces
    /// name), and the table gets the loader's sets. A rule the loader did not translate (unknown
    /// set, unmodelled type), or a chain whose rules do not line up, keeps the kernel's not-modelled
    /// statement.
    static func withSetMatches(_ listed: Ruleset, from model: Ruleset) -> Ruleset {
        var out = listed
        for ti in out.tables.indices {
            let table = out.tables[ti]
            guard let own = model.tables.first(where: { !$0.legacy && $0.family == table.family && $0.name == table.name }) else { continue }
            var used = false
            for ci in table.chains.indices {
                guard let ownChain = own.chain(table.chains[ci].name), ownChain.rules.count == table.chains[ci].rules.count else { continue }
                for (ri, rule) in table.chains[ci].rules.enumerated() where rule.stmts.contains(where: isSetMatch) {
                    let translated = ownChain.rules[ri]
                    guard translated.stmts.contains(where: refersToSet) else { continue }
                    out.tables[ti].chains[ci].rules[ri] = Rule(handle: rule.handle, stmts: translated.stmts, comment: translated.comment)
                    used = true
                }
            }
            if used { out.tables[ti].sets += own.sets.filter { table.set($0.name) == nil } }
        }
        return out
    }

    /// nft's listing of iptables-nft's `-m set` match (`xt match set`, or quoted by other nft versions).
    static func isSetMatch(_ s: Stmt) -> Bool {
        guard case .notModelled(let n) = s, n.kind == "xt" else { return false }
        return n.text.replacingOccurrences(of: "\"", with: "").split(separator: " ").prefix(3) == ["xt", "match", "set"]
    }

    static func refersToSet(_ s: Stmt) -> Bool {
        if case .match(_, _, .setRef) = s { return true }
        return false
    }

    /// The names `--save` gives the lab's own listing of the loaded ruleset (`nft -a list ruleset`,
    /// or `nft -j list ruleset` for a JSON snapshot).
    public static let savedListingText = "lab-ruleset.nft"
    public static let savedListingJSON = "lab-ruleset.json"

    static func save(_ capture: LabCapture, _ trace: Trace, to dir: String) throws {
        let base = (dir as NSString).appendingPathComponent(capture.scenario.name)
        var sim = ["# request"] + NftTraceFormat.lines(trace.request, onlyTraced: true)
            + ["# reply"] + (trace.reply.map { NftTraceFormat.lines($0, onlyTraced: true) } ?? [])
        if let answer = trace.answer { sim += ["# reject's answer: \(answer.kind)"] + NftTraceFormat.lines(answer.trace, onlyTraced: true) }
        if let leg = trace.proxyLeg.first {
            sim += ["# proxy request"] + NftTraceFormat.lines(leg.request, onlyTraced: true)
                + ["# proxy reply"] + (leg.reply.map { NftTraceFormat.lines($0, onlyTraced: true) } ?? [])
        }
        do {
            try (capture.captureText + "# server: \(capture.serverReport)\n# client: \(capture.clientReport)\n")
                .write(toFile: base + ".kernel.txt", atomically: true, encoding: .utf8)
            try (sim.joined(separator: "\n") + "\n").write(toFile: base + ".hookwalk.txt", atomically: true, encoding: .utf8)
        } catch {
            throw HookwalkError(file: base + ".kernel.txt", "cannot write: \(error.localizedDescription)")
        }
    }

    /// One scenario: the kernel's request and reply against the simulated ones, and the outcome.
    static func compare(capture: LabCapture, trace: Trace, item: VerifyPlan.Item, comparator: TraceComparator,
                        topology: LabTopology, ruleset: Ruleset) -> ScenarioComparison {
        func parsed(_ p: PacketTrace?) -> [TraceLine] {
            guard let p else { return [] }
            return NftTraceFormat.lines(p, onlyTraced: true).compactMap(KernelTraceParser.parseLine)
        }
        var result = ScenarioComparison(
            name: item.lab.name,
            request: comparator.compare(kernel: capture.selection.request, simulated: parsed(trace.request)),
            reply: comparator.compare(kernel: capture.selection.reply, simulated: parsed(trace.reply)),
            kernelOutcome: capture.observation,
            simulatedOutcome: SimulatedObservation.of(trace, lab: item.lab, topology: topology),
            problems: capture.problems)
        // docker-proxy's own connection: the kernel's (found by the stand-in's source port) against
        // the simulator's second leg; one side without it is a divergence of length.
        // reject's answer: compared when the simulation has one, or the kernel's request ended at
        // a reject rule (a reset the TCP stack sends for a port nobody listens on is not one).
        let kernelRejected: Bool = {
            guard let last = capture.selection.request.last, case .rule(let handle, "drop", _) = last.kind else { return false }
            return Self.isReject(ruleset, family: last.family, table: last.table, chain: last.chain, handle: handle)
        }()
        if trace.answer != nil || kernelRejected {
            result.answer = comparator.compare(kernel: capture.selection.answer, simulated: parsed(trace.answer?.trace))
        } else {
            // Refused by the host's own stack (no listener: a port-unreachable, a reset), which the
            // simulation does not claim to know: not part of the comparison.
            result.kernelOutcome?.clientRefused = nil
            result.kernelOutcome?.clientRefusedFrom = nil
        }
        let leg = trace.proxyLeg.first
        result.proxyRequest = comparator.compare(kernel: capture.proxyLeg?.request ?? [], simulated: parsed(leg?.request))
        result.proxyReply = comparator.compare(kernel: capture.proxyLeg?.reply ?? [], simulated: parsed(leg?.reply))
        return result
    }
}
