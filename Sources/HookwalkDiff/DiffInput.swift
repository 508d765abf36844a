import HookwalkModel
import HookwalkParsers
import HookwalkSimulator

/// One side of `hookwalk diff`: a host, the clients its scenarios were made for, and each
/// scenario with its trace. Built by simulating a snapshot, or from a folder `hookwalk generate`
/// wrote (its `scenarios.json` and traces, read by the command), so a published site can be
/// compared as it was published, without the snapshot it came from.
public struct DiffInput: Sendable {
    /// The folder, as given: the report names it.
    public var path: String
    /// Only names (interfaces, networks, containers and their addresses), versions, sysctls and
    /// userland-proxy are read.
    public var host: HostModel
    public var clients: [IPAddress]
    public var scenarios: [SimulatedScenario]

    public init(path: String, host: HostModel, clients: [IPAddress], scenarios: [SimulatedScenario]) {
        self.path = path
        self.host = host
        self.clients = clients
        self.scenarios = scenarios
    }

    /// The catalog's scenarios of a snapshot for `clients`, simulated.
    public static func simulating(_ snapshot: Snapshot, clients: [IPAddress]) -> DiffInput {
        let simulator = Simulator(snapshot: snapshot)
        let items = ScenarioCatalog.scenarios(for: snapshot, clients: clients).map { simulator.simulate($0) }
        return DiffInput(path: snapshot.path, host: snapshot.host, clients: clients, scenarios: items)
    }
}
