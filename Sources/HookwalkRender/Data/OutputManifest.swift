import Foundation
import HookwalkModel
import HookwalkSimulator

/// `scenarios.json`, written beside a host's pages: the documented scenarios, where each one's
/// trace is (`traces/<id>.json`, a `Trace` as `TraceJSON` writes it), the clients they were
/// simulated for, and the host facts `hookwalk diff` needs to compare paths across hosts (names
/// for addresses, the settings that shape paths). With it a generated folder can be diffed as it
/// was published, without the snapshot it came from. Keys sorted, no dates: byte-stable.
public struct OutputManifest: Codable, Sendable, Hashable {
    public static let fileName = "scenarios.json"
    public static let currentFormat = "hookwalk-output-1"

    public struct Entry: Codable, Sendable, Hashable {
        public var scenario: DocScenario
        /// The trace file, relative to `scenarios.json`.
        public var trace: String
    }

    /// Changes when the layout of this file does; a reader refuses formats it does not know.
    public var format: String
    public var host: HostFacts
    /// The external clients in the order they were given: scenarios pair across hosts by a
    /// client's position, not its address.
    public var clients: [IPAddress]
    public var scenarios: [Entry]
}

/// What of a host's model a diff reads, in a stable JSON form (`HostModel` itself is not
/// Codable, and its routes and full sysctl list are not needed).
public struct HostFacts: Codable, Sendable, Hashable {
    public struct Interface: Codable, Sendable, Hashable {
        public var name: String
        /// `172.20.0.1/24`: the address with its prefix length.
        public var addresses: [String]
    }

    public struct Network: Codable, Sendable, Hashable {
        public var name: String
        public var bridge: String?
        public var subnets: [String]
        public var gateways: [IPAddress]
    }

    public struct Endpoint: Codable, Sendable, Hashable {
        public var network: String
        public var ipv4: IPAddress?
        public var ipv6: IPAddress?
    }

    public struct Container: Codable, Sendable, Hashable {
        public var name: String
        public var networkMode: String
        public var endpoints: [Endpoint]
    }

    public var hostname: String?
    public var kernel: String?
    public var nftVersion: String?
    public var dockerVersion: String?
    public var userlandProxy: Bool?
    /// Only the sysctls hookwalk reads (`Sysctl.defaults`), as the snapshot had them.
    public var sysctls: [String: String]
    public var interfaces: [Interface]
    public var networks: [Network]
    public var containers: [Container]

    public init(_ h: HostModel) {
        hostname = h.info.hostname
        kernel = h.info.kernel
        nftVersion = h.info.nftVersion
        dockerVersion = h.info.dockerVersion
        userlandProxy = h.docker.userlandProxy
        sysctls = h.sysctls.filter { Sysctl.defaults[$0.key] != nil }
        interfaces = h.interfaces.map { Interface(name: $0.name, addresses: $0.addresses.map(\.prefix.description)) }
        networks = h.docker.networks.map {
            Network(name: $0.name, bridge: $0.bridge, subnets: $0.subnets.map(\.description), gateways: $0.gateways)
        }
        containers = h.docker.containers.map { c in
            Container(name: c.name, networkMode: c.networkMode,
                      endpoints: c.endpoints.map { Endpoint(network: $0.network, ipv4: $0.ipv4, ipv6: $0.ipv6) })
        }
    }

    /// A host model holding these facts and nothing else (no routes, no ports).
    public var model: HostModel {
        HostModel(
            interfaces: interfaces.enumerated().map { i, iface in
                HookwalkModel.Interface(index: i + 1, name: iface.name,
                                        addresses: iface.addresses.compactMap(IPPrefix.init).map { InterfaceAddress(prefix: $0) })
            },
            sysctls: sysctls,
            docker: DockerState(
                networks: networks.map {
                    DockerNetwork(id: $0.name, name: $0.name, bridge: $0.bridge, subnets: $0.subnets.compactMap(IPPrefix.init),
                                  gateways: $0.gateways)
                },
                containers: containers.map { c in
                    DockerContainer(id: c.name, name: c.name, networkMode: c.networkMode,
                                    endpoints: c.endpoints.map { ContainerEndpoint(network: $0.network, ipv4: $0.ipv4, ipv6: $0.ipv6) })
                },
                userlandProxy: userlandProxy),
            info: HostInfo(hostname: hostname, kernel: kernel, nftVersion: nftVersion, dockerVersion: dockerVersion))
    }
}

/// A generated output folder read back: `hookwalk diff` accepts one wherever it accepts a
/// snapshot, recognised by its `scenarios.json`.
public enum GeneratedOutput {
    public static func isOutput(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(OutputManifest.fileName))
    }

    /// The manifest and every scenario with its trace, in the manifest's order.
    public static func load(_ path: String) throws -> (manifest: OutputManifest, scenarios: [ScenarioDoc]) {
        let manifestPath = (path as NSString).appendingPathComponent(OutputManifest.fileName)
        let manifest: OutputManifest = try decode(manifestPath)
        guard manifest.format == OutputManifest.currentFormat else {
            throw HookwalkError(file: manifestPath, .none,
                                "format \(manifest.format) is not one this hookwalk reads (\(OutputManifest.currentFormat)): regenerate the folder")
        }
        let docs = try manifest.scenarios.map { entry -> ScenarioDoc in
            // The trace path comes from a file: keep it inside the folder.
            guard !entry.trace.hasPrefix("/"), !entry.trace.split(separator: "/").contains("..") else {
                throw HookwalkError(file: manifestPath, .none, "trace path \(entry.trace) leaves the folder")
            }
            let trace: Trace = try decode((path as NSString).appendingPathComponent(entry.trace))
            return SimulatedScenario(entry.scenario, trace: trace)
        }
        return (manifest, docs)
    }

    static func decode<T: Decodable>(_ file: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw HookwalkError(file: file, .none, "cannot read the file (a generated folder needs it)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw HookwalkError(file: file, .none, "not a file hookwalk generate wrote: \(error)")
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(value)) + [0x0A]
    }
}

extension DocGenerator {
    /// `scenarios.json` and `traces/<id>.json` of one host. Scenario ids are the file ids the
    /// pages use, so a trace, its page and its diagrams share a name.
    func writeData(snapshot: Snapshot, scenarios: [ScenarioDoc], ids: [String], clients: [IPAddress], host: String,
                   paths: SitePaths, into files: inout [String: [UInt8]]) throws {
        var entries: [OutputManifest.Entry] = []
        for (doc, id) in zip(scenarios, ids) {
            let file = "traces/\(id).json"
            files[paths.data(host, file)] = Array((try TraceJSON.encode(doc.trace) + "\n").utf8)
            var entry = doc.entry
            entry.id = id
            entries.append(OutputManifest.Entry(scenario: entry, trace: file))
        }
        let manifest = OutputManifest(format: OutputManifest.currentFormat, host: HostFacts(snapshot.host),
                                      clients: clients.isEmpty ? Self.clients(of: scenarios) : clients, scenarios: entries)
        files[paths.data(host, OutputManifest.fileName)] = try GeneratedOutput.encode(manifest)
    }

    /// The external clients of a set of scenarios, in the order first met: the catalog walks the
    /// clients in the order they were given.
    static func clients(of scenarios: [ScenarioDoc]) -> [IPAddress] {
        var out: [IPAddress] = []
        for doc in scenarios {
            if case .external(let a, _) = doc.trace.scenario.from, !out.contains(a) { out.append(a) }
        }
        return out
    }
}
