import Foundation
import HookwalkProcess
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator

/// What the kernel did with one scenario: its trace, grouped into request and reply, and what the
/// server and the client saw.
public struct LabCapture: Sendable, Hashable {
    public var scenario: LabScenario
    /// `nft -a monitor trace` output as printed.
    public var rawTrace: String
    public var lines: [TraceLine]
    public var context: FlowContext
    public var selection: FlowSelection
    /// The stand-in docker-proxy's connection to the container, when the lab runs a proxy for the
    /// scenario's port (empty when the request never reached the proxy).
    public var proxyLeg: FlowSelection?
    public var observation: EndpointObservation
    /// The server's and client's JSON reports, and anything that went wrong on their side.
    public var serverReport: String
    public var clientReport: String
    public var problems: [String]

    /// The capture with a `# scenario:` header, in the format of the lab's `raw-trace.txt`, so a
    /// capture can be saved and read back with `CaptureFile.scenarios`.
    public var captureText: String {
        func join<T: CustomStringConvertible>(_ xs: [T]) -> String { xs.map(\.description).joined(separator: ",") }
        return "# scenario: \(scenario.name) proto=\(context.proto) cports=\(join(context.clientPorts)) sports=\(join(context.serverPorts)) "
            + "caddrs=\(join(context.clientAddresses)) saddrs=\(join(context.serverAddresses))\n" + rawTrace
    }
}

extension Lab {
    /// Plays one scenario: starts `nft -a monitor trace` in the host namespace and waits until it
    /// is subscribed, starts the server, runs the client, stops the monitor once its output is
    /// quiet. Every wait is bounded by `timeout` (seconds) or a small multiple of it.
    public func run(_ s: LabScenario, timeout: Double = 2) throws -> LabCapture {
        guard let clientNS = topology.namespace(of: s.client) else {
            throw HookwalkError(.none, "scenario \(s.name): no lab namespace for the client (\(s.client))")
        }
        guard let serverNS = topology.namespace(of: s.server) else {
            throw HookwalkError(.none, "scenario \(s.name): no lab namespace for the server (\(s.server))")
        }
        guard s.proto == .tcp || s.proto == .udp else {
            throw HookwalkError(.none, "scenario \(s.name): the lab plays tcp and udp only, not \(s.proto.rawValue)")
        }
        var problems: [String] = []

        let monitor = try shell.start(["ip", "netns", "exec", host, "nft", "-a", "monitor", "trace"])
        defer { shell.stop(monitor) }
        if !waitSubscribed(pid: monitor.pid, timeout: timeout) {
            problems.append("nft monitor did not show its trace subscription within \(timeout) s: " + monitor.stderr())
        }

        let proto = s.proto.rawValue
        let fam = s.destination.isV4 ? "4" : "6"
        let server = try shell.start(["ip", "netns", "exec", serverNS, "python3", "-c", LabScripts.server,
                                      proto, String(s.serverPort), String(timeout), fam])
        defer { shell.stop(server) }
        if !server.wait(timeout: timeout + 3, until: { $0.contains("READY") }) {
            throw HookwalkError(.none, "scenario \(s.name): the server in \(serverNS) did not start: \(server.stderr())")
        }

        // Link-local addresses are meaningful on one link only: the client names its interface
        // (`fe80::1%eth0`), as any program must.
        let link: String? = if case .external(let u) = s.client {
            (u.flatMap { u in topology.uplinks.first { $0.name == u } } ?? topology.uplinks.first)?.clientInterface
        } else { nil }
        func scoped(_ a: IPAddress) -> String { a.isLinkLocal ? a.description + (link.map { "%" + $0 } ?? "") : a.description }
        let client = try shell.run(["ip", "netns", "exec", clientNS, "python3", "-c", LabScripts.client,
                                    proto, scoped(s.destination), String(s.port), String(s.clientPort), String(timeout),
                                    s.source.map(scoped) ?? ""],
                                   timeout: timeout + 5)
        // The server waits until it is ended: after the client, a moment for a late request (a
        // reply the client gave up on), then SIGTERM, on which it reports what it saw.
        server.finish(timeout: 0.5)

        // Trace events arrive asynchronously: wait until the output has been quiet for 150 ms.
        monitor.waitQuiet(0.15, timeout: timeout)
        shell.stop(monitor)
        let raw = monitor.stdout()

        let serverJSON = server.stdout().split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        let clientJSON = client.stdoutText.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        if serverJSON.isEmpty { problems.append("server: no report; stderr: \(server.stderr())") }
        if clientJSON.isEmpty { problems.append("client: no report; stderr: \(client.stderrText)") }
        let sr = Self.object(serverJSON), cr = Self.object(clientJSON)
        if let e = sr["error"]?.stringValue { problems.append("server: \(e)") }
        if let e = cr["error"]?.stringValue { problems.append("client: \(e)") }
        func endpoint(_ v: JSONValue?, withPort: Bool) -> String? {
            guard let a = v?.arrayValue, var addr = a.first?.stringValue else { return nil }
            // Python writes a link-local peer with its scope (`fe80::105%ens192`); the packet had none.
            if let scope = addr.firstIndex(of: "%") { addr = String(addr[..<scope]) }
            // An IPv6 socket that also takes IPv4 (the server listens on `::` when the scenario's
            // destination is IPv6) reports an IPv4 peer as `::ffff:a.b.c.d`; on the wire it was IPv4,
            // as docker-proxy's 6-to-4 leg is.
            if addr.hasPrefix("::ffff:"), addr.contains(".") { addr = String(addr.dropFirst("::ffff:".count)) }
            guard withPort, a.count > 1, let port = a[1].numberValue?.int else { return addr }
            return addr.contains(":") ? "[\(addr)]:\(port)" : "\(addr):\(port)"
        }
        var observation = EndpointObservation(
            serverGotRequest: sr["got"] == .bool(true), serverSawFrom: endpoint(sr["from"], withPort: false),
            clientGotReply: cr["got_reply"] == .bool(true), clientSawFrom: endpoint(cr["from"], withPort: true))
        if let refused = cr["refused"], refused.objectValue != nil {
            if refused["tcp_reset"] == .bool(true) {
                observation.clientRefused = "tcp reset"
            } else if let origin = refused["origin"]?.numberValue?.int, let type = refused["type"]?.numberValue?.int,
                      let code = refused["code"]?.numberValue?.int {
                observation.clientRefused = Self.icmpErrorName(v6: origin == 3, type: type, code: code)
                observation.clientRefusedFrom = refused["from"]?.stringValue.map { $0.hasPrefix("::ffff:") && $0.contains(".") ? String($0.dropFirst(7)) : $0 }
            }
        }

        let ctx = flowContext(s)
        let parsed = KernelTraceParser.parse(raw)
        var lines = parsed.lines
        var leg: FlowSelection?
        if let proxy = topology.proxy(for: s) {
            // The proxy's flow first, by its source port (no packet of the scenario's own flow has
            // it), then the scenario's flow from what is left: by addresses alone the proxy's
            // connection (host -> container) would pass for the request.
            let legPort = Simulator.proxyLegSourcePort(s.clientPort)
            let parts = FlowGrouping.split(lines) { $0.sport == legPort || $0.dport == legPort }
            let legContext = FlowContext(proto: s.proto.rawValue, clientPorts: [legPort], serverPorts: [proxy.targetPort],
                                         clientAddresses: topology.hostAddresses, serverAddresses: [proxy.target])
            leg = FlowGrouping.select(parts.matching, context: legContext)
            lines = parts.rest
        }
        return LabCapture(scenario: s, rawTrace: raw, lines: parsed.lines, context: ctx,
                          selection: FlowGrouping.select(lines, context: ctx), proxyLeg: leg, observation: observation,
                          serverReport: serverJSON, clientReport: clientJSON, problems: problems)
    }

    /// Client side: the client's addresses and the host's (a masquerade source); server side: the
    /// destination and the server's addresses (a dnat target).
    public func flowContext(_ s: LabScenario) -> FlowContext {
        func unique<T: Hashable>(_ xs: [T]) -> [T] { var seen = Set<T>(); return xs.filter { seen.insert($0).inserted } }
        // A local process sending to 127.0.0.1 (or ::1) sends from it too.
        let loopback = s.client == .host && s.destination.isLoopbackAddress ? [s.destination] : []
        return FlowContext(proto: s.proto.rawValue, clientPorts: [s.clientPort], serverPorts: unique([s.port, s.serverPort]),
                           clientAddresses: unique(topology.addresses(of: s.client) + topology.hostAddresses + loopback),
                           serverAddresses: unique([s.destination] + topology.addresses(of: s.server)))
    }

    /// True once the process has a NETLINK_NETFILTER socket in the NFNLGRP_NFTRACE group (bit
    /// 0x100 of the groups column): from then on no trace event can be missed. `/proc/PID/net`
    /// shows the process's own namespace, so this needs no command.
    func waitSubscribed(pid: Int32, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/net/netlink", encoding: .utf8) {
                for line in text.split(separator: "\n").dropFirst() {
                    let f = line.split(separator: " ", omittingEmptySubsequences: true)
                    if f.count > 3, f[1] == "12", let groups = UInt32(f[3], radix: 16), groups & 0x100 != 0 { return true }
                }
            }
            usleep(5_000)
        }
        return false
    }

    /// `icmp destination-unreachable port-unreachable`, as the simulator names reject's answers,
    /// from the ICMP type and code a socket's error queue reports.
    static func icmpErrorName(v6: Bool, type: Int, code: Int) -> String {
        let v4Codes = [0: "net-unreachable", 1: "host-unreachable", 2: "prot-unreachable", 3: "port-unreachable",
                       9: "net-prohibited", 10: "host-prohibited", 13: "admin-prohibited"]
        let v6Codes = [0: "no-route", 1: "admin-prohibited", 3: "addr-unreachable", 4: "port-unreachable", 5: "policy-fail", 6: "reject-route"]
        if (v6 && type == 1) || (!v6 && type == 3) {
            return "\(v6 ? "icmpv6" : "icmp") destination-unreachable \((v6 ? v6Codes : v4Codes)[code] ?? "code \(code)")"
        }
        return "\(v6 ? "icmpv6" : "icmp") type \(type) code \(code)"
    }

    /// A probe's one-line JSON report, through the one JSON reader; an empty object when it is
    /// missing or broken (the caller has already noted a missing report).
    static func object(_ json: String) -> JSONValue {
        guard let v = try? JSONReader.parse(json), v.objectValue != nil else { return .object([]) }
        return v
    }
}

extension IPAddress {
    /// 127.0.0.0/8 or ::1.
    var isLoopbackAddress: Bool {
        switch self {
        case .v4(let v): return v >> 24 == 127
        case .v6(let hi, let lo): return hi == 0 && lo == 1
        }
    }
}
