import Foundation
import HookwalkModel
import HookwalkParsers

extension HostCollection {
    /// `ip -j addr show`, required: without addresses there is no routing and no snapshot. It is
    /// parsed here, so that output hookwalk cannot read fails now, naming the command.
    mutating func addresses() throws -> [Interface] {
        let o = run(["ip", "-j", "addr", "show"], file: SnapshotLoader.addresses)
        guard o.ok else { throw HookwalkError("`ip -j addr show`: \(why(o)); a snapshot needs the addresses, nothing was written") }
        let interfaces = try CollectSupport.interfaces(ipAddr: o.stdout, file: "output of `ip -j addr show`")
        files[SnapshotLoader.addresses] = o.stdout
        return interfaces
    }

    /// `ip -j route show table all`; without it the loader derives the connected routes.
    mutating func routes() {
        let o = run(["ip", "-j", "route", "show", "table", "all"], file: SnapshotLoader.routes)
        if o.ok { files[SnapshotLoader.routes] = o.stdout }
        // `ip route show table all` lists IPv4 only.
        let o6 = run(["ip", "-6", "-j", "route", "show", "table", "all"], file: SnapshotLoader.routes6)
        if o6.ok { files[SnapshotLoader.routes6] = o6.stdout }
        // The policy routing rules that decide which of those tables a packet uses.
        let r = run(["ip", "-j", "rule", "show"], file: SnapshotLoader.rules)
        if r.ok { files[SnapshotLoader.rules] = r.stdout }
        let r6 = run(["ip", "-6", "-j", "rule", "show"], file: SnapshotLoader.rules6)
        if r6.ok { files[SnapshotLoader.rules6] = r6.stdout }
    }

    /// The sysctls the simulator reads (`Sysctl.defaults`, and `route_localnet` per interface),
    /// without `-w`. `sysctl` exits non-zero when a key does not exist but still prints the others.
    /// When the `net.bridge` keys are missing, br_netfilter is not loaded and bridged packets never
    /// reach the ip hooks: the file then says `= 0` with a comment, instead of letting hookwalk
    /// assume Docker's setting of 1.
    mutating func sysctls(interfaces: [Interface]) {
        // sysctl reads a key with a `/` as a path, where a dot in an interface name (`eth0.5`) stays a dot.
        let perInterface = interfaces.map { i in
            i.name.contains(".") ? "net/ipv4/conf/\(i.name)/route_localnet" : "net.ipv4.conf.\(i.name).route_localnet"
        }
        let keys = Sysctl.defaults.keys.sorted() + perInterface
        let o = run(["sysctl"] + keys, file: SnapshotLoader.sysctls)
        var text = String(decoding: o.stdout, as: UTF8.self)
        guard !text.isEmpty else { return }
        if o.record.result == .failed { records[records.count - 1].file = SnapshotLoader.sysctls }
        let bridgeKeys = ["net.bridge.bridge-nf-call-ip6tables", "net.bridge.bridge-nf-call-iptables"]
        let present = (try? CollectSupport.sysctls(text, file: SnapshotLoader.sysctls)) ?? [:]
        if bridgeKeys.allSatisfy({ present[$0] == nil }) {
            if !text.hasSuffix("\n") { text += "\n" }
            text += "# hookwalk collect: the net.bridge keys do not exist, so br_netfilter is not loaded and\n"
                + "# bridged packets skip the ip/ip6 hooks; hookwalk would otherwise assume Docker's 1.\n"
                + bridgeKeys.sorted().reversed().map { "\($0) = 0\n" }.joined()
            warnings.append("br_netfilter is not loaded: sysctl.txt records bridge-nf-call-iptables/ip6tables = 0")
        }
        files[SnapshotLoader.sysctls] = Array(text.utf8)
    }

    /// Docker's networks and running containers. When the daemon does not answer (not installed,
    /// not running, no permission) the Docker files are left out: a host without Docker is a valid
    /// snapshot. Returns the server version.
    mutating func docker() -> String? {
        let version = run(["docker", "version", "--format", "{{.Server.Version}}"])
        let later = [["docker", "network", "ls", "-q"], ["docker", "network", "inspect", "ID..."],
                     ["docker", "ps", "-q"], ["docker", "inspect", "ID..."]]
        guard version.ok else {
            let reason = version.record.result == .missing ? "docker is not installed" : "the Docker daemon did not answer"
            for argv in later { skip(argv, because: "not run: \(reason)") }
            if version.stderr.contains("permission denied") {
                warnings.append("docker: permission denied: run as root or as a member of the docker group")
            } else {
                warnings.append("no Docker: \(why(version)); the snapshot has no Docker files")
            }
            return nil
        }
        inspect(list: ["docker", "network", "ls", "-q"], inspect: ["docker", "network", "inspect"], file: SnapshotLoader.dockerNetworks)
        inspect(list: ["docker", "ps", "-q"], inspect: ["docker", "inspect"], file: SnapshotLoader.dockerContainers)
        return CollectorCommands.firstLine(String(decoding: version.stdout, as: UTF8.self))
    }

    /// `docker … inspect $(docker … -q)`, written as `[]` when the list is empty (`docker inspect`
    /// refuses no arguments). An object that vanished between the two commands makes `inspect`
    /// fail while it still prints the others: that output is kept when it is a JSON array.
    mutating func inspect(list: [String], inspect: [String], file: String) {
        let ids = run(list)
        guard ids.ok else { skip(inspect + ["ID..."], because: "not run: `\(list.joined(separator: " "))` failed"); return }
        let names = String(decoding: ids.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace).map(String.init)
        if names.isEmpty { files[file] = Array("[]\n".utf8); return }
        let o = run(inspect + names, file: file)
        if o.ok || (try? JSONReader.parse(o.stdout))?.arrayValue != nil {
            if !o.ok { records[records.count - 1].file = file }
            files[file] = o.stdout
        }
    }

    /// `docker-netns/<id>.json`: `ip -j addr show` inside each running container's network
    /// namespace, entered with `nsenter` by the pid `docker inspect` gave. It names each
    /// container interface's veth peer on the host, the only way to know a container's bridge port.
    /// Optional: a container that exits meanwhile or a host without nsenter loses only the names.
    mutating func containerNamespaces() {
        guard let bytes = files[SnapshotLoader.dockerContainers],
              let list = (try? JSONReader.parse(bytes))?.arrayValue,
              list.allSatisfy({ $0.objectValue != nil }) else { return }
        for c in list {
            // The id becomes a file name: hex only, whatever the daemon said.
            guard let id = c["Id"]?.stringValue, id.count >= 12, id.allSatisfy(\.isHexDigit),
                  let state = c["State"], state.objectValue != nil, state["Running"] == .bool(true),
                  let pid = state["Pid"]?.numberValue?.int, pid > 0,
                  c["HostConfig"]?["NetworkMode"]?.stringValue != "host" else { continue }
            let file = "\(CollectSupport.containerNetnsFolder)/\(id.prefix(12)).json"
            let o = run(["nsenter", "-t", String(pid), "-n", "ip", "-j", "addr", "show"], file: file)
            if o.ok, (try? CollectSupport.interfaces(ipAddr: o.stdout, file: file)) != nil { files[file] = o.stdout }
        }
    }

    /// `ss -H -ltnup`: the host's own listening sockets (kept when hookwalk can read them), for
    /// the findings about what the host's input path exposes. Optional, like the routes.
    mutating func listeners() {
        let o = run(["ss", "-H", "-ltnup"], file: SsListenFile.fileName)
        let text = String(decoding: o.stdout, as: UTF8.self)
        if o.ok, (try? SsListenFile.parse(text, file: SsListenFile.fileName)) != nil { files[SsListenFile.fileName] = o.stdout }
    }

    /// `/etc/docker/daemon.json` (only `userland-proxy` is read). Absent is Docker's default, not a failure.
    mutating func daemonConfig() {
        let path = "/etc/docker/daemon.json"
        let o = runner.run(["cat", path], file: SnapshotLoader.dockerDaemon)
        var record = o.record
        if o.ok {
            files[SnapshotLoader.dockerDaemon] = o.stdout
        } else if o.stderr.contains("No such file") {
            record = CommandRecord(command: record.command, result: .absent, status: record.status, error: "\(path) does not exist")
        }
        records.append(record)
    }
}
