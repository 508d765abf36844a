import HookwalkModel

/// A snapshot and what the loader had to assume to build it (missing optional files, ignored
/// files), so that `trace` and the documents can say what they rest on.
public struct LoadedSnapshot: Sendable, Hashable {
    public var snapshot: Snapshot
    /// One line each, e.g. `ip-route.json missing: ...`.
    public var notes: [String]
}

/// Reads a snapshot folder (the engine issue's "Host snapshot" table) into the model.
///
/// Every input is untrusted text from another host: anything malformed is a one-line
/// `HookwalkError` naming the file and the line:column or JSON path, never a trap. Names (interfaces,
/// containers, networks) are kept verbatim; escaping them is the renderers' business.
public enum SnapshotLoader {
    public static let rulesetJSON = "nft-ruleset.json"
    public static let rulesetText = "nft-ruleset.nft"
    public static let iptablesSave = ["iptables-save.txt", "ip6tables-save.txt"]
    /// iptables-legacy rules on a host that also has an nftables ruleset (both run).
    public static let iptablesLegacySave = ["iptables-legacy-save.txt", "ip6tables-legacy-save.txt"]
    public static let addresses = "ip-addr.json"
    public static let routes = "ip-route.json"
    public static let routes6 = "ip6-route.json"
    public static let rules = "ip-rule.json"
    public static let rules6 = "ip6-rule.json"
    public static let sysctls = "sysctl.txt"
    public static let dockerNetworks = "docker-networks.json"
    public static let dockerContainers = "docker-containers.json"
    public static let dockerDaemon = "docker-daemon.json"
    public static let hostInfo = "host.json"

    public static func load(path: String) throws -> Snapshot {
        try loadWithNotes(path: path).snapshot
    }

    public static func loadWithNotes(path: String) throws -> LoadedSnapshot {
        let folder = try SnapshotFolder(path)
        // The cheap checks first: a folder missing its required files fails before any parsing.
        _ = try rulesetFile(in: folder)
        let (host, hostNotes) = try loadHost(from: folder)
        let (ruleset, rulesetNotes) = try loadRuleset(from: folder)
        let notes = hostNotes + rulesetNotes
        let snapshot = Snapshot(ruleset: ruleset.ruleset, host: host, rulesetFile: ruleset.file, path: path)
        return LoadedSnapshot(snapshot: snapshot, notes: notes)
    }

    /// Everything but the ruleset, which is parsed last because it is by far the largest input.
    static func loadHost(from folder: SnapshotFolder) throws -> (host: HostModel, notes: [String]) {
        guard let addressBytes = try folder.bytes(addresses) else {
            throw HookwalkError(file: folder.pathOf(addresses), .none, "missing (make it with: ip -j addr show > \(addresses))")
        }
        var notes: [String] = []
        var host = HostModel()

        let parsedAddresses = try IPAddrFile.parse(addressBytes, file: folder.pathOf(addresses))
        host.interfaces = parsedAddresses.interfaces

        if let bytes = try folder.bytes(routes) {
            let parsed = try IPRouteFile.parse(bytes, file: folder.pathOf(routes))
            host.routes = parsed.routes
            notes += parsed.notes
        } else {
            host.routes = KernelRoutes.derive(from: parsedAddresses.facts)
            notes.append("\(routes) missing: routes derived from the addresses (connected routes in main, "
                         + "local and broadcast routes in local); no default or static routes")
        }
        if let bytes = try folder.bytes(routes6) {
            let parsed = try IPRouteFile.parse(bytes, file: folder.pathOf(routes6), ipv6: true)
            host.routes.removeAll { !$0.destination.address.isV4 }
            host.routes += parsed.routes
            notes += parsed.notes
        }
        // What the listings leave out (IPv6 without `ip6-route.json`, a listing without the local
        // table), from the same facts as a snapshot without any: one derivation.
        host.routes = KernelRoutes.completing(host.routes, with: parsedAddresses.facts)

        // Policy routing rules; a family without its file has the kernel's default rules.
        for (name, v6) in [(rules, false), (rules6, true)] {
            if let bytes = try folder.bytes(name) {
                host.rules += try IPRuleFile.parse(bytes, file: folder.pathOf(name), ipv6: v6)
            }
        }

        if let bytes = try folder.bytes(sysctls) {
            let file = folder.pathOf(sysctls)
            host.sysctls = try SysctlFile.parse(SnapshotFolder.text(bytes, file: file), file: file)
        } else {
            notes.append("\(sysctls) missing: documented defaults assumed ("
                         + Sysctl.defaults.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")")
        }

        if let bytes = try folder.bytes(dockerNetworks) {
            host.docker.networks = try DockerNetworksFile.parse(bytes, file: folder.pathOf(dockerNetworks))
        }
        if let bytes = try folder.bytes(dockerContainers) {
            host.docker.containers = try DockerContainersFile.parse(bytes, file: folder.pathOf(dockerContainers))
        }
        notes += try ContainerNetnsFolder.apply(folder: folder, to: &host)
        if let bytes = try folder.bytes(dockerDaemon) {
            host.docker.userlandProxy = try DockerDaemonFile.parse(bytes, file: folder.pathOf(dockerDaemon))
        }
        if let bytes = try folder.bytes(hostInfo) {
            host.info = try HostInfoFile.parse(bytes, file: folder.pathOf(hostInfo))
        }
        if let bytes = try folder.bytes(SsListenFile.fileName) {
            let file = folder.pathOf(SsListenFile.fileName)
            host.listeners = try SsListenFile.parse(SnapshotFolder.text(bytes, file: file), file: file)
        }

        return (host, notes)
    }
}
