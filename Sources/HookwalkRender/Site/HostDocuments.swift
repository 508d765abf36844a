import HookwalkModel
import HookwalkSimulator

/// The scenarios `hookwalk generate` documents for a host, simulated. Shared by the command and
/// the test that checks `Output/` is current, so both render from exactly the same input.
public enum HostDocuments {
    /// Every catalog scenario for `clients` (the catalog's default client when empty), with its
    /// trace.
    /// `filter`: only the catalog scenarios it admits (`generate --container/--network/--port`).
    public static func scenarios(snapshot: Snapshot, clients: [IPAddress], where filter: ((DocScenario) -> Bool)? = nil) -> [ScenarioDoc] {
        var catalog = ScenarioCatalog.scenarios(for: snapshot, clients: Self.clients(snapshot: snapshot, given: clients))
        if let filter { catalog = catalog.filter(filter) }
        let simulator = Simulator(snapshot: snapshot)
        return catalog.map { simulator.simulate($0, branches: true) }
    }

    /// The clients a host is documented for: those given, else the catalog's default.
    public static func clients(snapshot: Snapshot, given: [IPAddress]) -> [IPAddress] {
        given.isEmpty ? ScenarioCatalog.defaultClients(for: snapshot) : given
    }

    /// The name a host's files get: its hostname, else the snapshot folder's name.
    public static func name(snapshot: Snapshot, path: String) -> String {
        if let h = snapshot.host.info.hostname, !h.isEmpty { return h }
        return path.lastComponent
    }
}
