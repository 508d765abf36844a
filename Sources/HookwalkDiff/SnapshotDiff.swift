import HookwalkModel
import HookwalkSimulator

/// `hookwalk diff`: simulates the documented scenarios of two hosts and compares them pair by pair.
///
/// Scenarios are paired by what a person calls them (kind, network, container, port), never by
/// address, because the same service has different addresses on different hosts; paths are
/// compared as normalized steps (`StepKey`), so counters, handles and host addresses never count.
public enum SnapshotDiff {
    /// `clients` nil: each side uses its own default clients (the scenarios pair by client number).
    public static func compare(_ a: Snapshot, _ b: Snapshot, clients: [IPAddress]? = nil) -> DiffReport {
        compare(DiffInput.simulating(a, clients: clients ?? ScenarioCatalog.defaultClients(for: a)),
                DiffInput.simulating(b, clients: clients ?? ScenarioCatalog.defaultClients(for: b)))
    }

    /// Two sides as simulated from snapshots or as read back from generated folders.
    public static func compare(_ a: DiffInput, _ b: DiffInput) -> DiffReport {
        let sideA = SideRun(a), sideB = SideRun(b)
        let keys = Set(sideA.entries.keys).union(sideB.entries.keys).sorted()
        let scenarios = keys.map { comparePair(key: $0, sideA.entries[$0], sideB.entries[$0]) }
            .enumerated().sorted { ($0.element.status, $0.offset) < ($1.element.status, $1.offset) }.map(\.element)
        return DiffReport(a: sideA.info, b: sideB.info, settings: settings(a.host, b.host), scenarios: scenarios)
    }

    static func comparePair(key: ScenarioKey, _ a: SideRun.Entry?, _ b: SideRun.Entry?) -> ScenarioDiff {
        var d = ScenarioDiff(status: .same, key: key, titleA: a?.doc.title, titleB: b?.doc.title, worksA: a?.works, worksB: b?.works,
                             outcomeA: a?.outcomeText, outcomeB: b?.outcomeText, firstDivergence: nil, onlyOnA: [], onlyOnB: [])
        guard let a, let b else {
            d.status = a == nil ? .onlyOnB : .onlyOnA
            return d
        }
        for packet in SideRun.packetNames {
            let stepsA = a.packets[packet]?.steps ?? [], stepsB = b.packets[packet]?.steps ?? []
            let endA = a.packets[packet]?.end, endB = b.packets[packet]?.end
            if d.firstDivergence == nil, let divergence = firstDivergence(packet, stepsA, stepsB, endA, endB) {
                d.firstDivergence = divergence
            }
            let (onlyA, onlyB) = StepAlignment.unmatched(stepsA, stepsB)
            d.onlyOnA += onlyA.map { "\(packet): \($0.text)" }
            d.onlyOnB += onlyB.map { "\(packet): \($0.text)" }
        }
        if a.works != b.works {
            d.status = .verdictChange
        } else if d.firstDivergence != nil {
            d.status = .differentPath
        }
        if d.status != .same {
            d.paths = SideRun.packetNames.compactMap { PacketOverlay.make($0, a.packets[$0], b.packets[$0]) }
        }
        return d
    }

    /// The first step where the two packets' paths differ, or where they end differently.
    static func firstDivergence(_ packet: String, _ a: [PathStep], _ b: [PathStep],
                                _ endA: (key: String, text: String)?, _ endB: (key: String, text: String)?) -> Divergence? {
        for i in 0..<max(a.count, b.count) {
            let sa = i < a.count ? a[i] : nil, sb = i < b.count ? b[i] : nil
            if sa?.key != sb?.key {
                return Divergence(packet: packet, step: i + 1, a: sa?.text ?? endA.map { "end: \($0.text)" },
                                  b: sb?.text ?? endB.map { "end: \($0.text)" })
            }
        }
        if endA?.key != endB?.key {
            return Divergence(packet: packet, step: a.count + 1, a: endA.map { "end: \($0.text)" } ?? "no \(packet)",
                              b: endB.map { "end: \($0.text)" } ?? "no \(packet)")
        }
        return nil
    }

    /// The settings that shape paths, where the hosts differ (effective values: defaults filled in).
    static func settings(_ a: HostModel, _ b: HostModel) -> [DiffReport.Setting] {
        func sysctl(_ h: HostModel, _ key: String) -> String {
            h.sysctls[key] == nil ? "\(h.sysctl(key)) (default)" : String(h.sysctl(key))
        }
        var out: [DiffReport.Setting] = []
        for key in Sysctl.defaults.keys.sorted() where a.sysctl(key) != b.sysctl(key) {
            out.append(DiffReport.Setting(name: key, a: sysctl(a, key), b: sysctl(b, key)))
        }
        func proxy(_ h: HostModel) -> String { h.docker.userlandProxy.map { String($0) } ?? "true (default)" }
        if a.docker.runsUserlandProxy != b.docker.runsUserlandProxy {
            out.append(DiffReport.Setting(name: "userland-proxy", a: proxy(a), b: proxy(b)))
        }
        for (name, va, vb) in [("docker version", a.info.dockerVersion, b.info.dockerVersion), ("kernel", a.info.kernel, b.info.kernel)]
        where va != vb {
            out.append(DiffReport.Setting(name: name, a: va ?? "unknown", b: vb ?? "unknown"))
        }
        return out
    }
}

/// One side of the comparison: its scenarios simulated and keyed.
struct SideRun {
    struct Entry {
        var doc: DocScenario
        /// By `packetNames`: the request, the reply, and docker-proxy's own connection when the
        /// request ends at the proxy (userland-proxy), so a host with the proxy on compares whole.
        var packets: [String: (steps: [PathStep], end: (key: String, text: String))]
        /// Every packet reaches its receiver: the connection works.
        var works: Bool
        var outcomeText: String
    }

    static let packetNames = ["request", "reply", "proxy request", "proxy reply"]

    var info: DiffReport.Side
    var entries: [ScenarioKey: Entry] = [:]

    init(_ input: DiffInput) {
        let clients = input.clients
        info = DiffReport.Side(snapshot: input.path, hostname: input.host.info.hostname,
                               dockerVersion: input.host.info.dockerVersion, clients: clients.map(\.description))
        let extractor = StepExtractor(symbols: AddressSymbols(host: input.host, clients: clients))
        for item in input.scenarios {
            let doc = item.entry, trace = item.trace
            var key = Self.key(doc, clients: clients)
            while entries[key] != nil { key.occurrence += 1 }
            let leg = trace.proxyLeg.first
            let named: [(String, PacketTrace?)] = [("request", trace.request), ("reply", trace.reply),
                                                   ("proxy request", leg?.request), ("proxy reply", leg?.reply)]
            var packets: [String: (steps: [PathStep], end: (key: String, text: String))] = [:]
            for case let (name, packet?) in named { packets[name] = (extractor.steps(packet), extractor.outcome(packet)) }
            let works = trace.request.outcome.isDelivered && (trace.reply?.outcome.isDelivered ?? false)
                && (leg.map { $0.request.outcome.isDelivered && ($0.reply?.outcome.isDelivered ?? false) } ?? true)
            var text = packets["request"]!.end.text
            if let r = packets["reply"], trace.reply?.outcome.isDelivered == false { text += "; the reply is \(r.end.text)" }
            if let p = packets["proxy request"] { text += "; docker-proxy's connection: \(p.end.text)" }
            if let r = packets["proxy reply"], leg?.reply?.outcome.isDelivered == false { text += "; its reply is \(r.end.text)" }
            entries[key] = Entry(doc: doc, packets: packets, works: works, outcomeText: text)
        }
    }

    static func key(_ doc: DocScenario, clients: [IPAddress]) -> ScenarioKey {
        var client = 0
        if case .external(let address, _) = doc.scenario.from, let i = clients.firstIndex(of: address) { client = i + 1 }
        if doc.kind == .egress, let i = clients.firstIndex(of: doc.scenario.to) { client = i + 1 }
        return ScenarioKey(kind: doc.kind, network: doc.network ?? "", container: doc.container ?? "", port: Int(doc.scenario.port),
                           proto: doc.scenario.proto.rawValue, client: client, occurrence: 1)
    }
}
