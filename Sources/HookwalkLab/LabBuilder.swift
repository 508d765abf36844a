import Foundation
import HookwalkProcess
import HookwalkModel

/// Builds a `LabTopology` out of network namespaces. Every command runs with `ip -n NS` or
/// `ip netns exec NS`, and every link is created inside the lab's host namespace and moved straight
/// to its peer namespace, so nothing of the root namespace (interfaces, sysctls, ruleset) is ever
/// touched and no interface of the lab is connected to it: no packet can leave.
public enum LabBuilder {
    /// Root, `ip`, `nft` and `python3`: one clear error when something is missing.
    public static func checkRequirements() throws {
        guard geteuid() == 0 else {
            throw HookwalkError(.none, "the kernel lab needs root to create network namespaces: run it with sudo")
        }
        for tool in ["ip", "nft", "python3"] where ProcessRunner.lookup(tool) == nil {
            throw HookwalkError(.none, "the kernel lab needs `\(tool)`, which is not on PATH")
        }
    }

    /// Creates the lab. On any failure, what was created is removed before the error is thrown.
    public static func build(_ topology: LabTopology, keep: Bool = false) throws -> Lab {
        try checkRequirements()
        let work = NSTemporaryDirectory() + "hookwalk-\(topology.prefix)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        LabCleanup.shared.track(dir: work)
        let lab = Lab(topology: topology, shell: LabCommands(workDir: work), keep: keep)
        do {
            try lab.create()
        } catch {
            lab.teardown(force: true)
            throw error
        }
        return lab
    }

    /// Builds the lab, runs `body`, and removes the lab whatever happens (unless `keep`).
    public static func withLab<T>(_ topology: LabTopology, keep: Bool = false, _ body: (Lab) throws -> T) throws -> T {
        let lab = try build(topology, keep: keep)
        defer { lab.teardown() }
        return try body(lab)
    }
}

/// A built lab. Remove it with `teardown()` (or use `LabBuilder.withLab`); SIGINT and SIGTERM
/// remove it too.
public final class Lab {
    public let topology: LabTopology
    /// Leave the namespaces for inspection (`ip netns exec <prefix>-host nft list ruleset`).
    public let keep: Bool
    let shell: LabCommands
    /// The trace table's name once the ruleset is loaded (`__hw_trace`).
    public private(set) var traceTable: String?
    /// The stand-in docker-proxies, running until teardown.
    var proxies: [RunningProcess] = []
    private var tornDown = false

    init(topology: LabTopology, shell: LabCommands, keep: Bool) {
        self.topology = topology
        self.shell = shell
        self.keep = keep
    }

    var host: String { topology.hostNamespace }

    func ip(_ ns: String, _ args: String...) throws { try shell.check(["ip", "-n", ns] + args) }
    func exec(_ ns: String, _ argv: [String], timeout: Double = 10) throws -> String {
        try shell.check(["ip", "netns", "exec", ns] + argv, timeout: timeout)
    }

    func create() throws {
        let t = topology
        for ns in t.namespaces {
            try shell.check(["ip", "netns", "add", ns])
            LabCleanup.shared.track(namespace: ns)
            try ip(ns, "link", "set", "lo", "up")
        }
        for b in t.bridges {
            try ip(host, "link", "add", b.name, "type", "bridge")
            for a in b.addresses { try addAddress(host, a, dev: b.name) }
            try ip(host, "link", "set", b.name, "up")
        }
        for u in t.uplinks {
            try ip(host, "link", "add", u.name, "type", "veth", "peer", "name", u.clientInterface, "netns", u.clientNamespace)
            for a in u.addresses + u.linkLocal { try addAddress(host, a, dev: u.name) }
            try ip(host, "link", "set", u.name, "up")
            for a in u.clientAddresses { try addAddress(u.clientNamespace, a, dev: u.clientInterface) }
            try ip(u.clientNamespace, "link", "set", u.clientInterface, "up")
        }
        for c in t.containers {
            for a in c.attachments {
                try ip(host, "link", "add", a.port, "type", "veth", "peer", "name", a.interface, "netns", c.namespace)
                try ip(host, "link", "set", a.port, "master", a.bridge, "up")
                if t.hairpin { try ip(host, "link", "set", a.port, "type", "bridge_slave", "hairpin", "on") }
                if let mac = a.mac, !mac.isEmpty { try ip(c.namespace, "link", "set", a.interface, "address", mac) }
                try addAddress(c.namespace, a.address, dev: a.interface)
                if let v6 = a.address6 { try addAddress(c.namespace, v6, dev: a.interface) }
                try ip(c.namespace, "link", "set", a.interface, "up")
            }
            if let gw = c.attachments.first(where: { $0.gateway != nil }) {
                try ip(c.namespace, "route", "add", "default", "via", gw.gateway!.description, "dev", gw.interface)
            }
            if let gw = c.attachments.first(where: { $0.gateway6 != nil }) {
                try ip(c.namespace, "-6", "route", "add", "default", "via", gw.gateway6!.description, "dev", gw.interface)
            }
        }
        for (k, v) in t.sysctls.sorted(by: { $0.key < $1.key }) {
            _ = try exec(host, ["sysctl", "-q", "-w", "\(k)=\(v)"])
        }
        for r in t.routes {
            var args = ["route", "replace", r.destination.length == 0 ? "default" : r.destination.description]
            if let gw = r.gateway { args += ["via", gw.description] }
            if let dev = r.device { args += ["dev", dev] }
            if r.gateway != nil { args.append("onlink") }
            if r.metric > 0 { args += ["metric", String(r.metric)] }
            try shell.check(["ip", "-n", host] + args)
        }
        // Policy routing: the other tables' routes, then the rules (ip rule add), in the host.
        for r in t.tableRoutes {
            let family = r.destination.address.isV4 ? [] : ["-6"]
            var args = ["route", "replace"] + (r.type == .unicast ? [] : [r.type.rawValue])
            args.append(r.destination.length == 0 ? "default" : r.destination.description)
            if let gw = r.gateway { args += ["via", gw.description] }
            if let dev = r.device { args += ["dev", dev] }
            if r.gateway != nil { args.append("onlink") }
            if r.metric > 0 { args += ["metric", String(r.metric)] }
            args += ["table", r.table]
            try shell.check(["ip", "-n", host] + family + args)
        }
        for r in t.removedDefaultRules {
            guard case .table(let table) = r.action else { continue }
            try shell.check(["ip", "-n", host] + (r.v4 ? [] : ["-6"]) + ["rule", "del", "priority", String(r.priority), "table", table])
        }
        for r in t.rules {
            try shell.check(["ip", "-n", host] + (r.v4 ? [] : ["-6"]) + ["rule", "add"] + Lab.ruleArguments(r))
        }
        // The clients reach the container subnets through the host, so direct access can be tried,
        // and have a default route through it, as a client on the host's LAN has one: without it
        // the client cannot send a limited broadcast (255.255.255.255) at all. Per family.
        for u in t.uplinks {
            // A link-local client reaches only its link: it gets no routes.
            for client in u.clientAddresses where !client.address.isLinkLocal {
                let v4 = client.address.isV4
                guard let via = u.addresses.first(where: { $0.address.isV4 == v4 && $0.contains(client.address) }) else { continue }
                let subnets = Set(t.bridges.flatMap { $0.addresses.filter { $0.address.isV4 == v4 }.map { IPPrefix($0.network, $0.length) } })
                let family = v4 ? [] : ["-6"]
                for s in subnets.sorted(by: { $0.description < $1.description }) where !s.contains(client.address) {
                    try shell.check(["ip", "-n", u.clientNamespace] + family + ["route", "add", s.description, "via", via.address.description])
                }
                try shell.check(["ip", "-n", u.clientNamespace] + family + ["route", "add", "default", "via", via.address.description])
            }
        }
    }

    /// `ip rule add` arguments for a rule: `priority 100 fwmark 0x1/0xff lookup 100`.
    static func ruleArguments(_ r: RoutingRule) -> [String] {
        var a = ["priority", String(r.priority)]
        if r.inverted { a.append("not") }
        if let s = r.source { a += ["from", s.description] }
        if let d = r.destination { a += ["to", d.description] }
        if let m = r.fwmark { a += ["fwmark", "0x" + String(m, radix: 16) + (r.fwmask == 0xffff_ffff ? "" : "/0x" + String(r.fwmask, radix: 16))] }
        if let i = r.iif { a += ["iif", i] }
        if let o = r.oif { a += ["oif", o] }
        switch r.action {
        case .table(let t): a += ["lookup", t]
        case .goto(let p): a += ["goto", String(p)]
        case .fail(let how): a.append(how)
        case .nop: a.append("nop")
        }
        if let n = r.suppressPrefixLength { a += ["suppress_prefixlength", String(n)] }
        return a
    }

    func addAddress(_ ns: String, _ a: IPPrefix, dev: String) throws {
        if a.address.isV4 {
            try ip(ns, "addr", "add", a.description, "dev", dev)
        } else {
            try ip(ns, "-6", "addr", "add", a.description, "dev", dev, "nodad")
        }
    }

    /// Loads the snapshot's ruleset file (`.json`: `nft -j -f`, else `nft -f`) into the host
    /// namespace, adds the trace tables for `tracePorts`, and returns `nft -j list ruleset`: the
    /// simulation must run on what the kernel holds, with its handles and the trace tables.
    @discardableResult
    public func loadRuleset(path: String, tracePorts: Set<UInt16>) throws -> String {
        try loadRuleset(LabRuleset(path: path), tracePorts: tracePorts)
    }

    /// Empties the sets that packets change (`flags dynamic`, or named by an `add`/`update`/
    /// `delete @set` statement), so that every scenario starts from the ruleset's own elements,
    /// as the simulator does. A meter's set is not listed and cannot be flushed: its elements stay
    /// from one scenario to the next (a lab case keys its meters by something each scenario has
    /// of its own, such as the client's port).
    public func flushDynamicSets(_ ruleset: Ruleset) throws {
        for t in ruleset.tables where !t.legacy {
            for s in t.sets where s.flags.contains("dynamic") || Self.updated(s.name, in: t) {
                // The set's declared elements come back with the ruleset's own `add element`.
                _ = try exec(host, ["nft", "flush", "set", t.family.rawValue, t.name, s.name])
                if !s.elements.isEmpty {
                    _ = try exec(host, ["nft", "add element \(t.family.rawValue) \(NftTextWriter.name(t.name)) \(NftTextWriter.name(s.name)) { "
                                        + s.elements.map { NftTextWriter.valueText($0.key, inSet: true) }.joined(separator: ", ") + " }"])
                }
            }
        }
    }

    static func updated(_ set: String, in t: Table) -> Bool {
        t.chains.contains { c in
            c.rules.contains { r in
                r.stmts.contains { st in
                    guard case .notModelled(let nm) = st, nm.kind == "set", case .expr(let e)? = nm.parts?["set"] else { return false }
                    return NftTextWriter.exprText(e).trimmingCharacters(in: CharacterSet(charactersIn: "@\"")) == set
                }
            }
        }
    }

    /// Loads `ruleset` (nft, or iptables-save files through iptables-nft-restore), adds the trace
    /// tables and returns `nft -j list ruleset`, or `nft -a list ruleset` when `listsAsText`.
    @discardableResult
    public func loadRuleset(_ ruleset: LabRuleset, tracePorts: Set<UInt16>) throws -> String {
        for (argv, path) in ruleset.commands {
            do {
                _ = try exec(host, argv, timeout: 30)
            } catch let e as HookwalkError {
                throw HookwalkError(file: path, .none, "the kernel refused the ruleset: \(e.message)")
            }
        }
        let tables = try exec(host, ["nft", "list", "tables"])
        var name = "__hw_trace"
        var n = 1
        while tables.contains(" \(name)\n") || tables.hasSuffix(" \(name)") { name = "__hw_trace\(n)"; n += 1 }
        let file = shell.workDir + "/trace-tables.nft"
        try TraceTables.text(name: name, ports: tracePorts).write(toFile: file, atomically: true, encoding: .utf8)
        _ = try exec(host, ["nft", "-f", file])
        traceTable = name
        guard ruleset.listsAsText else { return try exec(host, ["nft", "-j", "list", "ruleset"], timeout: 30) }
        return try listTablesOneByOne()
    }

    /// `nft -a list table` per table, one nft process each. nft 1.0.6 translates iptables-nft's
    /// compat targets through libxtables, which it sets up for the family of the first table
    /// that needs it: in one `nft list ruleset` of a dual-stack host, the ip6 tables' DNAT and
    /// MASQUERADE come out as `XT target DNAT not found` (on stderr) and vanish from the rules.
    func listTablesOneByOne() throws -> String {
        let tables = try exec(host, ["nft", "list", "tables"]).split(separator: "\n").compactMap { line -> [String]? in
            let f = line.split(separator: " ").map(String.init)
            return f.count == 3 && f[0] == "table" ? Array(f[1...]) : nil
        }
        return try tables.map { try exec(host, ["nft", "-a", "list", "table"] + $0, timeout: 30) }.joined(separator: "\n")
    }

    /// Deletes every namespace of the run (unless `keep`), kills what still runs. Returns the
    /// namespaces that could not be deleted.
    @discardableResult
    public func teardown(force: Bool = false) -> [String] {
        guard !tornDown else { return [] }
        tornDown = true
        for p in proxies { shell.stop(p) }
        proxies = []
        if keep && !force {
            FileHandle.standardError.write(Data("hookwalk: lab kept: namespaces \(topology.namespaces.joined(separator: " "))\n".utf8))
            return []
        }
        return LabCleanup.shared.cleanUp(prefix: topology.prefix)
    }

    /// Namespaces of this run that exist now (`ip netns list`).
    public func remainingNamespaces() -> [String] {
        Lab.namespaces(withPrefix: topology.prefix, shell: shell)
    }

    /// Namespaces whose names start with `prefix`, for checking that a run left nothing behind.
    public static func namespaces(withPrefix prefix: String) -> [String] {
        namespaces(withPrefix: prefix, shell: LabCommands(workDir: NSTemporaryDirectory()))
    }

    static func namespaces(withPrefix prefix: String, shell: LabCommands) -> [String] {
        let out = (try? shell.run(["ip", "netns", "list"]).stdoutText) ?? ""
        return out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }.filter { $0.hasPrefix(prefix) }
    }
}

/// hookwalk's own trace tables, shaped like the earlier lab's: at the lowest priority of inet
/// prerouting and output and of bridge prerouting, they set nftrace for the scenarios' ports only
/// (and ICMP, ICMPv6 errors, so errors about them show up), leaving everything else untraced.
public enum TraceTables {
    /// ICMPv6 errors (reject's answers over IPv6, a port-unreachable), but not neighbour
    /// discovery, which would fill the trace with packets no scenario is about.
    static let icmpv6Errors = "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } meta nftrace set 1"

    public static func text(name: String, ports: Set<UInt16>) -> String {
        let elements = ports.sorted().map(String.init).joined(separator: ", ")
        let set = ports.isEmpty ? "" : """
              set ports {
                type inet_service
                elements = { \(elements) }
              }

            """
        let rules = """
                meta l4proto { tcp, udp } th dport @ports meta nftrace set 1
                meta l4proto { tcp, udp } th sport @ports meta nftrace set 1
                meta l4proto icmp meta nftrace set 1
                \(icmpv6Errors)
            """
        let body = ports.isEmpty ? "    meta l4proto icmp meta nftrace set 1\n    \(icmpv6Errors)" : rules
        return """
            table inet \(name) {
            \(set)  chain pre {
                type filter hook prerouting priority -500; policy accept;
            \(body)
              }
              chain out {
                type filter hook output priority -500; policy accept;
            \(body)
              }
            }
            table bridge \(name) {
            \(set)  chain pre {
                type filter hook prerouting priority -500; policy accept;
            \(body)
              }
            }

            """
    }
}
