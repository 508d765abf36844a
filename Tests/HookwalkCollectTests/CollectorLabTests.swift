import Foundation
@testable import HookwalkCollect
import HookwalkModel
import HookwalkProcess
@testable import HookwalkParsers
import HookwalkTestSupport
import XCTest

/// `hookwalk collect` in a lab network namespace: a veth pair, a bridge, addresses and a small
/// ruleset, no Docker. The collector runs inside it through `ip netns exec` and must write a
/// snapshot that loads and matches the namespace, and must change nothing. No traffic is sent.
final class CollectorLabTests: XCTestCase {
    var namespace = ""
    var workDir = ""

    static let ruleset = """
        table inet lab {
        \tchain input {
        \t\ttype filter hook input priority filter; policy accept;
        \t\ttcp dport 22 counter accept
        \t}
        \tchain forward {
        \t\ttype filter hook forward priority filter; policy drop;
        \t\tiifname "labbr0" oifname "labveth0" accept
        \t}
        }
        table ip labnat {
        \tchain prerouting {
        \t\ttype nat hook prerouting priority dstnat; policy accept;
        \t\ttcp dport 8080 dnat to 192.168.77.2:80
        \t}
        }

        """

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw LabRequirement.unmet("the collector lab needs root (network namespaces)") }
        guard ProcessRunner.lookup("ip") != nil, ProcessRunner.lookup("nft") != nil, ProcessRunner.lookup("sysctl") != nil else {
            throw LabRequirement.unmet("ip, nft and sysctl are needed")
        }
        namespace = "hwcollect\(getpid() % 100000)"
        workDir = FileManager.default.temporaryDirectory.appendingPathComponent("hookwalk-collect-lab-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        _ = sh(["ip", "netns", "del", namespace])
        guard sh(["ip", "netns", "add", namespace]).status == 0 else {
            throw LabRequirement.unmet("network namespaces are not available here")
        }
        let inNS = ["ip", "netns", "exec", namespace]
        for argv in [["ip", "link", "set", "lo", "up"],
                     ["ip", "link", "add", "labveth0", "type", "veth", "peer", "name", "labveth1"],
                     ["ip", "link", "add", "labbr0", "type", "bridge"],
                     ["ip", "link", "set", "labveth1", "master", "labbr0"],
                     ["ip", "addr", "add", "10.99.0.1/24", "dev", "labveth0"],
                     ["ip", "addr", "add", "192.168.77.1/24", "dev", "labbr0"],
                     ["ip", "link", "set", "labveth0", "up"], ["ip", "link", "set", "labveth1", "up"], ["ip", "link", "set", "labbr0", "up"],
                     ["ip", "route", "add", "default", "via", "10.99.0.254", "dev", "labveth0"],
                     ["ip", "route", "add", "default", "via", "192.168.77.254", "dev", "labbr0", "table", "100"],
                     ["ip", "rule", "add", "priority", "100", "fwmark", "0x1/0xff", "lookup", "100"]] {
            let o = sh(inNS + argv)
            XCTAssertEqual(o.status, 0, "\(argv.joined(separator: " ")): \(o.stderr)")
        }
        let rules = workDir + "/lab.nft"
        try Self.ruleset.write(toFile: rules, atomically: true, encoding: .utf8)
        let o = sh(inNS + ["nft", "-f", rules])
        XCTAssertEqual(o.status, 0, o.stderr)
    }

    override func tearDown() {
        // Always, whatever failed: the namespace and the temp files go.
        if !namespace.isEmpty { _ = sh(["ip", "netns", "del", namespace]) }
        if !workDir.isEmpty { try? FileManager.default.removeItem(atPath: workDir) }
    }

    func testCollectInANamespaceWithoutDocker() throws {
        let inNS = ["ip", "netns", "exec", namespace]
        let sysctlKeys = Sysctl.defaults.keys.sorted()
        let rulesBefore = sh(inNS + ["nft", "list", "ruleset"]).stdout
        let sysctlsBefore = sh(inNS + ["sysctl"] + sysctlKeys).stdout

        // DOCKER_HOST points at nothing, so a Docker on the machine running the tests is not seen.
        let options = CollectOptions(commandPrefix: inNS, environment: ["DOCKER_HOST": "unix://\(workDir)/no-docker.sock"], timeout: 20)
        let collected = try Collector.collect(options, now: Date(timeIntervalSince1970: 1_700_000_000))
        let out = workDir + "/snap"
        XCTAssertNil(try Collector.write(collected, to: out))

        // Loads, and is the namespace.
        let snapshot = try SnapshotLoader.load(path: out)
        let expected = try NftText.parse(Self.ruleset, file: "lab.nft")
        XCTAssertEqual(NftTextWriter.write(snapshot.ruleset), NftTextWriter.write(expected))
        let addresses = Set(snapshot.host.localAddresses.filter { $0.address.address.isV4 }.map { "\($0.interface) \($0.address.prefix)" })
        XCTAssertEqual(addresses, ["lo 127.0.0.1/8", "labveth0 10.99.0.1/24", "labbr0 192.168.77.1/24"])
        XCTAssertEqual(snapshot.host.interface(named: "labveth1")?.master, "labbr0")
        XCTAssertTrue(snapshot.host.routes.contains { $0.table == "main" && $0.gateway == IPAddress("10.99.0.254") })
        // Policy routing: the rule and its table's route.
        XCTAssertTrue(snapshot.host.routes.contains { $0.table == "100" && $0.gateway == IPAddress("192.168.77.254") })
        XCTAssertEqual(snapshot.host.rules.filter(\.v4).map(\.text),
                       ["0: from all lookup local", "100: from all fwmark 0x1/0xff lookup 100", "32766: from all lookup main", "32767: from all lookup default"])
        XCTAssertEqual(snapshot.host.sysctls["net.ipv4.ip_forward"], "0")
        XCTAssertNotNil(snapshot.host.sysctls["net.ipv4.conf.labbr0.route_localnet"])
        // `ss -H -ltnup` of the namespace: nothing listens there, and the file says so.
        XCTAssertEqual(snapshot.host.listeners, [])

        // No Docker: no Docker files, the commands say why, and the snapshot is still complete.
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertFalse(files.contains { $0.hasPrefix("docker-") }, "\(files)")
        XCTAssertTrue(files.contains("nft-ruleset.json") && files.contains("nft-ruleset.nft") && files.contains("ip-route.json"))
        XCTAssertTrue(snapshot.host.docker.containers.isEmpty && snapshot.host.docker.networks.isEmpty)
        let docker = collected.commands.filter { $0.command.hasPrefix("docker") }
        XCTAssertTrue(docker.first.map { $0.result == .failed || $0.result == .missing } ?? false, "\(docker)")
        XCTAssertTrue(docker.dropFirst().allSatisfy { $0.result == .skipped })
        XCTAssertEqual(collected.commands.first { $0.command == "nft -j list ruleset" }?.result, .ok)

        // host.json: metadata the loader reads, and the command record.
        XCTAssertEqual(snapshot.host.info.collectedAt, "2023-11-14T22:13:20Z")
        XCTAssertEqual(snapshot.host.info.kernel, sh(["uname", "-r"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(snapshot.host.info.nftVersion?.hasPrefix("nftables v") == true)
        XCTAssertNil(snapshot.host.info.dockerVersion)
        let host = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/host.json"))) as? [String: Any])
        let commands = try XCTUnwrap(host["commands"] as? [[String: Any]])
        XCTAssertTrue(commands.contains { $0["command"] as? String == "ip -j addr show" && $0["status"] as? Int == 0 })
        XCTAssertTrue(commands.contains { ($0["command"] as? String ?? "").hasPrefix("docker version") && $0["error"] is String })

        // Nothing changed.
        XCTAssertEqual(sh(inNS + ["nft", "list", "ruleset"]).stdout, rulesBefore)
        XCTAssertEqual(sh(inNS + ["sysctl"] + sysctlKeys).stdout, sysctlsBefore)

        // A second collection replaces the first as a whole; a folder collect did not write is refused.
        XCTAssertNil(try Collector.write(try Collector.collect(options), to: out))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workDir).filter { $0.hasPrefix(".") }, [])
        let foreign = workDir + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try "keep me".write(toFile: foreign + "/notes.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Collector.checkDestination(foreign))
        XCTAssertThrowsError(try Collector.write(collected, to: foreign))
        XCTAssertEqual(try String(contentsOfFile: foreign + "/notes.txt", encoding: .utf8), "keep me")
    }

    /// A container behind a randomly named veth on a bridge with two ports: only its own network
    /// namespace tells which port is its. A stand-in `docker` (first in PATH) reports one running
    /// container whose pid is a process in a second namespace; the collector enters it with
    /// nsenter, and the loader maps the container's interface to its host peer.
    func testBridgePortFromTheContainersNamespace() throws {
        let inNS = ["ip", "netns", "exec", namespace]
        let container = namespace + "c"
        _ = sh(["ip", "netns", "del", container])
        XCTAssertEqual(sh(["ip", "netns", "add", container]).status, 0)
        var sleeper: RunningProcess?
        defer {
            sleeper?.stop()
            _ = sh(["ip", "netns", "del", container])
        }
        for argv in [inNS + ["ip", "link", "add", "vethd41f7a2", "type", "veth", "peer", "name", "ceth0"],
                     inNS + ["ip", "link", "set", "vethd41f7a2", "master", "labbr0"], inNS + ["ip", "link", "set", "vethd41f7a2", "up"],
                     inNS + ["ip", "link", "set", "ceth0", "netns", container],
                     ["ip", "netns", "exec", container, "ip", "addr", "add", "192.168.77.2/24", "dev", "ceth0"],
                     ["ip", "netns", "exec", container, "ip", "link", "set", "ceth0", "up"]] {
            let o = sh(argv)
            XCTAssertEqual(o.status, 0, "\(argv.joined(separator: " ")): \(o.stderr)")
        }
        let p = try TestProcess.start(["ip", "netns", "exec", container, "sleep", "60"])
        sleeper = p
        Thread.sleep(forTimeInterval: 0.3)

        let id = String(repeating: "ab12", count: 16)
        let containers = #"[{"Id":"\#(id)","Name":"/web","State":{"Running":true,"Pid":\#(p.pid)},"#
            + #""HostConfig":{"NetworkMode":"labnet"},"NetworkSettings":{"Ports":{},"Networks":{"labnet":"#
            + #"{"IPAddress":"192.168.77.2","IPPrefixLen":24,"Gateway":"192.168.77.1"}}}}]"#
        let networks = #"[{"Name":"labnet","Id":"\#(String(repeating: "cd34", count: 16))","Driver":"bridge","#
            + #""Options":{"com.docker.network.bridge.name":"labbr0"},"IPAM":{"Config":[{"Subnet":"192.168.77.0/24","Gateway":"192.168.77.1"}]}}]"#
        let bin = workDir + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "[\n".write(toFile: workDir + "/empty", atomically: true, encoding: .utf8)
        try containers.write(toFile: workDir + "/containers.json", atomically: true, encoding: .utf8)
        try networks.write(toFile: workDir + "/networks.json", atomically: true, encoding: .utf8)
        let script = """
            #!/bin/sh
            case "$1 $2" in
            "version "*) echo 27.5.1 ;;
            "network ls") echo cd34cd34cd34 ;;
            "network inspect") cat '\(workDir)/networks.json' ;;
            "ps -q") echo \(id.prefix(12)) ;;
            "inspect "*) cat '\(workDir)/containers.json' ;;
            *) exit 1 ;;
            esac

            """
        try script.write(toFile: bin + "/docker", atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(bin + "/docker", 0o755), 0)

        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        let collected = try Collector.collect(CollectOptions(commandPrefix: inNS, environment: ["PATH": path], timeout: 20))
        let nsenter = collected.commands.first { $0.command.hasPrefix("nsenter") }
        XCTAssertEqual(nsenter?.result, .ok, "\(collected.commands.map { "\($0.command): \($0.result)" })")
        let out = workDir + "/snap"
        XCTAssertNil(try Collector.write(collected, to: out))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/docker-netns/\(id.prefix(12)).json"))

        let host = try SnapshotLoader.load(path: out).host
        let web = try XCTUnwrap(host.docker.containers.first { $0.name == "web" })
        XCTAssertEqual(web.endpoints.first?.bridgePort, "vethd41f7a2")
        XCTAssertEqual(host.bridgePort(of: web, network: "labnet", bridge: "labbr0"), "vethd41f7a2")
        // Without the container's namespace, two ports and no name to go by: unknown.
        try FileManager.default.removeItem(atPath: out + "/docker-netns")
        let guessed = try SnapshotLoader.load(path: out).host
        XCTAssertNil(guessed.bridgePort(of: try XCTUnwrap(guessed.docker.containers.first), network: "labnet", bridge: "labbr0"))
    }

    /// Rules in iptables-legacy tables beside the nftables ruleset: both run, so the snapshot keeps
    /// both, and the loader reads the legacy ones as `(legacy)` tables after the nftables ones.
    func testLegacyTablesBesideNftables() throws {
        guard ProcessRunner.lookup("iptables-legacy") != nil else { throw LabRequirement.unmet("iptables-legacy is not installed") }
        let inNS = ["ip", "netns", "exec", namespace]
        let add = sh(inNS + ["iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "23", "-j", "DROP"])
        guard add.status == 0 else { throw LabRequirement.unmet("iptables-legacy cannot run here: \(add.stderr)") }
        let options = CollectOptions(commandPrefix: inNS, environment: ["DOCKER_HOST": "unix://\(workDir)/no-docker.sock"], timeout: 20)
        let collected = try Collector.collect(options)
        XCTAssertNotNil(collected.files["iptables-legacy-save.txt"])
        XCTAssertTrue(collected.warnings.contains { $0.contains("both nftables and iptables-legacy") }, "\(collected.warnings)")
        let out = workDir + "/snap"
        XCTAssertNil(try Collector.write(collected, to: out))
        let ruleset = try SnapshotLoader.load(path: out).ruleset
        XCTAssertEqual(ruleset.tables.map(\.name), ["lab", "labnat", "filter (legacy)"])
        let legacy = try XCTUnwrap(ruleset.tables.last)
        XCTAssertTrue(legacy.legacy)
        XCTAssertEqual(legacy.chain("INPUT")?.rules.count, 1)
        // The nft text keeps it, commented out (it is not nftables); nft still loads the text.
        let text = NftTextWriter.write(ruleset)
        XCTAssertTrue(text.contains("# table ip \"filter (legacy)\" {") || text.contains("# table ip filter (legacy) {"), text)
        XCTAssertEqual(try NftText.parse(text, file: "written").tables.map(\.name), ["lab", "labnat"])
    }

    /// iptables-legacy rules that match an ipset: `ipset save` (ipsets are per network namespace)
    /// is kept as `ipset-save.txt`, and the loader turns the match into a lookup in that set.
    func testIpsetBesideLegacyTables() throws {
        guard ProcessRunner.lookup("iptables-legacy") != nil else { throw LabRequirement.unmet("iptables-legacy is not installed") }
        guard ProcessRunner.lookup("ipset") != nil else { throw LabRequirement.unmet("ipset is not installed (scripts/deps installs it)") }
        let inNS = ["ip", "netns", "exec", namespace]
        for argv in [["ipset", "create", "lab-trusted", "hash:net"], ["ipset", "add", "lab-trusted", "192.0.2.0/24"]] {
            let o = sh(inNS + argv)
            guard o.status == 0 else { throw LabRequirement.unmet("ipset cannot run here: \(o.stderr)") }
        }
        let add = sh(inNS + ["iptables-legacy", "-A", "INPUT", "-m", "set", "--match-set", "lab-trusted", "src", "-j", "ACCEPT"])
        guard add.status == 0 else { throw LabRequirement.unmet("iptables-legacy cannot run here: \(add.stderr)") }
        let options = CollectOptions(commandPrefix: inNS, environment: ["DOCKER_HOST": "unix://\(workDir)/no-docker.sock"], timeout: 20)
        let collected = try Collector.collect(options)
        let saved = String(decoding: try XCTUnwrap(collected.files["ipset-save.txt"]), as: UTF8.self)
        XCTAssertTrue(saved.contains("add lab-trusted 192.0.2.0/24"), saved)
        let out = workDir + "/snap"
        XCTAssertNil(try Collector.write(collected, to: out))
        let legacy = try XCTUnwrap(SnapshotLoader.load(path: out).ruleset.tables.last)
        XCTAssertEqual(legacy.chain("INPUT")?.rules.first?.stmts.first,
                       .match(left: .payload(proto: "ip", field: "saddr"), op: .eq, right: .setRef("lab-trusted")))
        XCTAssertEqual(legacy.set("lab-trusted")?.elements, [SetElement(key: .prefix("192.0.2.0", 24))])
    }

    /// A prefix that cannot run (a namespace that does not exist) fails with the reason, and
    /// writes nothing.
    /// `ss -H -ltnup` of the namespace becomes ss-listen.txt: a listener started there is in the
    /// snapshot, with its address, port and process.
    func testListeningSocketsAreCollected() throws {
        guard ProcessRunner.lookup("ss") != nil, ProcessRunner.lookup("python3") != nil else {
            throw LabRequirement.unmet("ss and python3 are needed")
        }
        let listener = try TestProcess.start(["ip", "netns", "exec", namespace, "python3", "-c",
                                              "import socket,time\ns=socket.socket()\ns.bind(('0.0.0.0',2222))\ns.listen()\ntime.sleep(60)"])
        defer { listener.stop() }
        let inNS = ["ip", "netns", "exec", namespace]
        for _ in 0..<50 where !sh(inNS + ["ss", "-H", "-ltn"]).stdout.contains(":2222") { usleep(100_000) }
        let collected = try Collector.collect(CollectOptions(commandPrefix: inNS, environment: ["DOCKER_HOST": "unix://\(workDir)/no-docker.sock"], timeout: 20))
        let text = String(decoding: try XCTUnwrap(collected.files[SsListenFile.fileName]), as: UTF8.self)
        let listeners = try SsListenFile.parse(text, file: SsListenFile.fileName)
        XCTAssertEqual(listeners.filter { $0.port == 2222 }, [Listener(proto: "tcp", address: nil, wildcard: "4", port: 2222, process: "python3")], text)
    }

    func testFailureWritesNothing() throws {
        let options = CollectOptions(commandPrefix: ["ip", "netns", "exec", namespace + "-missing"], timeout: 10)
        XCTAssertThrowsError(try Collector.collect(options)) { error in
            XCTAssertTrue("\(error)".contains("nft -j list ruleset"), "\(error)")
        }
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs a lab command (setup, teardown, before/after listings).
    func sh(_ argv: [String]) -> Result {
        let runner = CollectorCommands(prefix: [], environment: [:], timeout: 20)
        let o = runner.run(argv)
        return Result(status: o.record.status ?? -1, stdout: String(decoding: o.stdout, as: UTF8.self), stderr: o.stderr)
    }
}
