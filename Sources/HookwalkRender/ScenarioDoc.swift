import HookwalkModel
import HookwalkSimulator

/// One scenario to document and its simulated trace. Mirrors the catalog's `DocScenario` plus the
/// trace, so the generator does not care where scenarios came from (catalog, tests, a user file).
public struct ScenarioDoc: Sendable, Hashable {
    /// Becomes a file name: anything but `A-Z a-z 0-9 . _ -` is replaced (see `DocGenerator`).
    public var id: String
    public var title: String
    /// `published-port`, `direct`, `hairpin`, `host-local`, `egress`.
    public var kind: String
    public var network: String?
    public var container: String?
    public var trace: Trace
    /// Every branch's trace when the path has branches (`Simulator.branches`; `trace` is branch
    /// 0), empty otherwise.
    public var branches: [Trace]

    public init(id: String, title: String, kind: String, network: String? = nil, container: String? = nil, trace: Trace,
                branches: [Trace] = []) {
        self.branches = branches
        self.id = id
        self.title = title
        self.kind = kind
        self.network = network
        self.container = container
        self.trace = trace
    }
}
