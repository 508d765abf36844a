import HookwalkModel

/// A catalog scenario with what the simulator made of it: the one value the pages, the findings
/// and `hookwalk diff` take, whether the scenario came from the catalog, a test or a generated
/// folder read back (`GeneratedOutput.load`). The description is `entry`'s alone; the forwarding
/// properties spare readers the `entry.` and keep its fields listed once.
public struct SimulatedScenario: Sendable, Hashable {
    public var entry: DocScenario
    /// Branch 0's trace (the only one when the path has no branch point); its `scenario` is
    /// `entry.scenario`.
    public var trace: Trace
    /// Every branch's trace when the path has branches (`Simulator.branches`; `trace` is branch
    /// 0), empty otherwise or when they were not asked for.
    public var branches: [Trace]

    public init(_ entry: DocScenario, trace: Trace, branches: [Trace] = []) {
        self.entry = entry
        self.trace = trace
        self.branches = branches
    }

    /// A scenario known by its trace (a test's, a generated folder's): the entry's packet is the
    /// trace's.
    public init(id: String, title: String, kind: ScenarioKind, network: String? = nil, container: String? = nil, trace: Trace,
                branches: [Trace] = []) {
        self.init(DocScenario(id: id, title: title, kind: kind, network: network, container: container, scenario: trace.scenario),
                  trace: trace, branches: branches)
    }

    public var id: String { entry.id }
    public var title: String { entry.title }
    public var kind: ScenarioKind { entry.kind }
    public var network: String? { entry.network }
    public var container: String? { entry.container }
    public var scenario: Scenario { entry.scenario }
}

extension Simulator {
    /// `entry` simulated: its trace, and with `branches` every branch's when its path has more
    /// than one (`Simulator.branches`).
    public func simulate(_ entry: DocScenario, branches: Bool = false) -> SimulatedScenario {
        guard branches else { return SimulatedScenario(entry, trace: simulate(entry.scenario)) }
        let b = self.branches(entry.scenario)
        return SimulatedScenario(entry, trace: b.traces[0], branches: b.count > 1 ? b.traces : [])
    }
}
