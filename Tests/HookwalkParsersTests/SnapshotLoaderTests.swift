import Foundation
import HookwalkModel
@testable import HookwalkParsers
import HookwalkTestSupport
import XCTest

/// The snapshot loader against the lab snapshots in `Tests/Fixtures` (seed host and the four
/// Docker eras), and against broken copies of them: every bad input must give one line naming the
/// file and the place in it.
final class SnapshotLoaderTests: XCTestCase {
    // MARK: fixtures

    /// The repository's fixtures, `Tests/Fixtures`.
    private func fixtures() throws -> URL { URL(fileURLWithPath: TestPaths.fixtures) }

    private func seed() throws -> String {
        try fixtures().appendingPathComponent("seed-centos8/snapshot").path
    }

    private func era(_ letter: String) throws -> String {
        try fixtures().appendingPathComponent("docker-eras/snapshots/docker-\(letter)").path
    }

    private func host(_ path: String) throws -> (host: HookwalkModel.HostModel, notes: [String]) {
        try SnapshotLoader.loadHost(from: SnapshotFolder(path))
    }

    /// A writable copy of a snapshot (the fixtures are read-only), minus `dropping`.
    private func copy(_ path: String, dropping: [String] = []) throws -> String {
        let dir = try temporaryFolder()
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where !dropping.contains(name) {
            let data = try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(name))
            try data.write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
        }
        return dir
    }

    private func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hookwalk-snap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private func write(_ text: String, _ name: String, in dir: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }

    /// The error `body` throws, which must be a one-line HookwalkError.
    private func error(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> HookwalkError? {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
        } catch let e as HookwalkError {
            XCTAssertFalse(e.description.contains("\n"), "not one line: \(e.description)", file: file, line: line)
            return e
        } catch {
            XCTFail("not a HookwalkError: \(error)", file: file, line: line)
        }
        return nil
    }

    /// Literal prefixes and addresses of the tests; a typo fails the test instead of trapping.
    private func prefix(_ s: String, line: UInt = #line) -> IPPrefix {
        guard let p = IPPrefix(s) else {
            XCTFail("bad test prefix \(s)", line: line)
            return IPPrefix(.v4(0), 0)
        }
        return p
    }

    private func ip(_ s: String, line: UInt = #line) -> IPAddress {
        guard let a = IPAddress(s) else {
            XCTFail("bad test address \(s)", line: line)
            return .v4(0)
        }
        return a
    }

    // MARK: the seed host

    func testSeedInterfaces() throws {
        let h = try host(seed()).host
        XCTAssertEqual(h.interfaces.map(\.name), ["lo", "ens192", "docker1", "vethproxy", "vethsyslog", "vethradius", "vethdhcp"])
        let lo = try XCTUnwrap(h.interface(named: "lo"))
        XCTAssertEqual(lo.index, 1)
        XCTAssertTrue(lo.isLoopback)
        XCTAssertTrue(lo.up, "lo is UNKNOWN in operstate but UP in flags")
        XCTAssertEqual(lo.addresses, [InterfaceAddress(prefix: prefix("127.0.0.1/8"), scope: "host")])
        let ens = try XCTUnwrap(h.interface(named: "ens192"))
        XCTAssertEqual(ens.addresses.map(\.prefix), [prefix("10.254.10.252/24")])
        XCTAssertEqual(ens.mac, "c2:5d:61:af:cb:4c")
        XCTAssertEqual(ens.linkType, "ether")
        XCTAssertNil(ens.master)
        XCTAssertEqual(h.interface(named: "docker1")?.addresses.map(\.prefix), [prefix("172.20.0.1/24")])
        for veth in ["vethproxy", "vethsyslog", "vethradius", "vethdhcp"] {
            let i = try XCTUnwrap(h.interface(named: veth))
            XCTAssertEqual(i.master, "docker1", veth)
            XCTAssertTrue(i.addresses.isEmpty, veth)
            XCTAssertNil(i.kind, "`ip -j addr` without -d has no linkinfo")
        }
    }

    func testSeedRoutes() throws {
        let h = try host(seed()).host
        XCTAssertEqual(h.routes.count, 9)
        let main = h.routes.filter { $0.table == "main" }
        XCTAssertEqual(main.map(\.destination), [prefix("10.254.10.0/24"), prefix("172.20.0.0/24")])
        XCTAssertEqual(main.map(\.device), ["ens192", "docker1"])
        XCTAssertEqual(main.map(\.type), [RouteType.unicast, .unicast])
        XCTAssertEqual(main.first?.preferredSource, ip("10.254.10.252"))
        let local = h.routes.filter { $0.table == "local" }
        XCTAssertEqual(local.map { "\($0.type) \($0.destination) \($0.device ?? "")" }, [
            "local 10.254.10.252/32 ens192", "broadcast 10.254.10.255/32 ens192",
            "local 127.0.0.0/8 lo", "local 127.0.0.1/32 lo", "broadcast 127.255.255.255/32 lo",
            "local 172.20.0.1/32 docker1", "broadcast 172.20.0.255/32 docker1",
        ])
        XCTAssertTrue(h.routes.allSatisfy { $0.metric == 0 && $0.gateway == nil })
    }

    func testSeedSysctlsDockerAndInfo() throws {
        let (h, notes) = try host(seed())
        XCTAssertEqual(h.sysctls, [
            "net.ipv4.ip_forward": "1", "net.ipv4.conf.all.route_localnet": "0", "net.ipv4.conf.all.rp_filter": "0",
            "net.bridge.bridge-nf-call-iptables": "1", "net.bridge.bridge-nf-call-ip6tables": "1",
        ])
        XCTAssertEqual(h.sysctl("net.ipv4.ip_forward"), 1)
        XCTAssertEqual(notes, [], "a complete snapshot needs no assumptions")

        XCTAssertEqual(h.docker.networks.count, 1)
        let net = try XCTUnwrap(h.docker.networks.first)
        XCTAssertEqual(net.name, "infraserv_infranet")
        XCTAssertEqual(net.bridge, "docker1")
        XCTAssertEqual(net.driver, "bridge")
        XCTAssertEqual(net.subnets, [prefix("172.20.0.0/24")])
        XCTAssertEqual(net.gateways, [ip("172.20.0.1")])
        XCTAssertFalse(net.isInternal)
        XCTAssertEqual(net.options["com.docker.network.bridge.enable_ip_masquerade"], "true")

        XCTAssertEqual(h.docker.containers.map(\.name), ["proxy", "syslog", "radius", "dhcp"])
        let proxy = try XCTUnwrap(h.docker.containers.first)
        XCTAssertTrue(proxy.running)
        XCTAssertFalse(proxy.usesHostNetwork)
        XCTAssertEqual(proxy.networkMode, "infraserv_infranet")
        XCTAssertEqual(proxy.endpoints, [ContainerEndpoint(network: "infraserv_infranet", ipv4: ip("172.20.0.2"), ipv4PrefixLength: 24,
                                                           gateway: ip("172.20.0.1"), mac: "b6:3b:2b:fe:a1:75")])
        XCTAssertEqual(proxy.ports, [PortBinding(containerPort: 8080, proto: "tcp", hostIP: "0.0.0.0", hostPort: 8080)])
        XCTAssertEqual(h.docker.containers.map { $0.ports.map { "\($0.hostPort)/\($0.proto)" } },
                       [["8080/tcp"], ["514/udp"], ["1812/udp"], ["67/udp"]])
        XCTAssertFalse(h.docker.containers.contains { $0.usesHostNetwork }, "the seed host has no host-network container")
        XCTAssertEqual(h.docker.userlandProxy, false)
        XCTAssertEqual(h.info.hostname, "seed-centos8")
        XCTAssertEqual(h.info.kernel, "6.18.44-fc-v657")
        XCTAssertEqual(h.info.nftVersion, "nftables v1.0.6 (Lester Gooch #5)")
        XCTAssertNil(h.info.dockerVersion)
    }

    // MARK: the Docker eras

    func testDockerEras() throws {
        for letter in ["a", "b", "c", "d"] {
            let h = try host(era(letter)).host
            XCTAssertEqual(h.info.hostname, "docker-\(letter)")
            XCTAssertEqual(h.interfaces.map(\.name),
                           ["lo", "ens192", "docker0", "docker1", "vethproxy", "vethsyslog", "vethradius", "vethdhcp", "vethclient1"])
            XCTAssertEqual(h.interface(named: "docker0")?.addresses.map(\.prefix), [prefix("172.17.0.1/16")])
            XCTAssertTrue(h.interface(named: "docker0")?.up ?? false, "docker0 without carrier is still UP")
            XCTAssertEqual(h.interfaces.filter { $0.master == "docker1" }.count, 5)
            XCTAssertEqual(h.routes.count, 12)
            XCTAssertEqual(h.routes.filter { $0.table == "local" }.count, 9)
            XCTAssertEqual(h.sysctl("net.bridge.bridge-nf-call-iptables"), 1)
            XCTAssertEqual(h.docker.networks.map(\.name), ["bridge", "infranet"])
            XCTAssertEqual(h.docker.networks.map(\.bridge), ["docker0", "docker1"])
            XCTAssertEqual(h.docker.networks.map(\.subnets), [[prefix("172.17.0.0/16")], [prefix("172.20.0.0/24")]])
            XCTAssertEqual(h.docker.containers.map(\.name), ["proxy", "syslog", "radius", "dhcp", "client1"])
            XCTAssertEqual(h.docker.containers.first?.ports,
                           [PortBinding(containerPort: 8080, proto: "tcp", hostIP: "0.0.0.0", hostPort: 8080)])
            XCTAssertEqual(h.docker.containers.last?.ports, [])
            XCTAssertEqual(h.docker.containers.last?.endpoints.first?.ipv4, ip("172.20.0.6"))
            XCTAssertEqual(h.docker.userlandProxy, false)
        }
    }

    // MARK: whole snapshots

    func testLoadWholeSnapshots() throws {
        for path in try [seed(), era("a"), era("b"), era("c"), era("d")] {
            let loaded = try SnapshotLoader.loadWithNotes(path: path)
            XCTAssertEqual(loaded.snapshot.rulesetFile, path + "/nft-ruleset.json", "JSON wins over text")
            XCTAssertEqual(loaded.notes, ["ruleset read from nft-ruleset.json; nft-ruleset.nft ignored"])
            XCTAssertFalse(loaded.snapshot.ruleset.tables.isEmpty)
            let expected = try host(path).host
            XCTAssertEqual(loaded.snapshot.host, expected)
            XCTAssertEqual(loaded.snapshot.path, path)
        }
    }

    /// The repository's example host (the article's), whose ruleset is text only and which runs a
    /// tftp container on the host network.
    func testExampleSnapshotWithHostNetworkContainer() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/seed-centos8").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "no Examples/seed-centos8 in this checkout")
        let loaded = try SnapshotLoader.loadWithNotes(path: path)
        XCTAssertEqual(loaded.snapshot.rulesetFile, path + "/nft-ruleset.nft")
        XCTAssertFalse(loaded.snapshot.ruleset.tables.isEmpty)
        let docker = loaded.snapshot.host.docker
        let tftp = try XCTUnwrap(docker.containers.first { $0.name == "tftp" })
        XCTAssertTrue(tftp.usesHostNetwork)
        XCTAssertTrue(tftp.endpoints.allSatisfy { $0.ipv4 == nil })
        XCTAssertEqual(docker.containers.filter { !$0.usesHostNetwork }.flatMap(\.ports).count, 4)
        XCTAssertEqual(docker.networks.first { $0.name == "infraserv_infranet" }?.bridge, "docker1")
    }

    // MARK: derived routes

    /// Without `ip-route.json` the loader derives the routes the kernel adds for each address; on the
    /// lab snapshots that must be exactly what the kernel listed (they have no static routes).
    func testDerivedRoutesEqualTheKernels() throws {
        for path in try [seed(), era("a"), era("d")] {
            let listed = try host(path).host.routes
            let (derivedHost, notes) = try host(copy(path, dropping: ["ip-route.json"]))
            XCTAssertEqual(derivedHost.routes, listed, path)
            XCTAssertEqual(notes.count, 1)
            XCTAssertTrue(notes.first?.hasPrefix("ip-route.json missing: routes derived from the addresses") ?? false)
        }
    }

    func testDerivedRoutesForIPv6SecondaryAndDownInterfaces() throws {
        let dir = try temporaryFolder()
        try write("""
            [{"ifindex":1,"ifname":"eth0","flags":["UP"],"link_type":"ether","addr_info":[
              {"family":"inet","local":"192.0.2.10","prefixlen":24,"scope":"global"},
              {"family":"inet","local":"192.0.2.11","prefixlen":24,"scope":"global","secondary":true},
              {"family":"inet6","local":"2001:db8::10","prefixlen":64,"scope":"global"},
              {"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]},
             {"ifindex":2,"ifname":"eth1","flags":["BROADCAST"],"link_type":"ether","addr_info":[
              {"family":"inet","local":"198.51.100.1","prefixlen":30,"scope":"global"}]}]
            """, "ip-addr.json", in: dir)
        let routes = try host(dir).host.routes.map { "\($0.table) \($0.type) \($0.destination) \($0.device ?? "") \($0.metric)" }
        XCTAssertEqual(routes, [
            "main unicast 192.0.2.0/24 eth0 0",
            "main unicast 2001:db8::/64 eth0 256",
            "main unicast fe80::/64 eth0 256",
            "local local 192.0.2.10/32 eth0 0",
            "local local 192.0.2.11/32 eth0 0",
            "local broadcast 192.0.2.255/32 eth0 0",
            "local local 198.51.100.1/32 eth1 0",
            "local local 2001:db8::10/128 eth0 0",
            "local local fe80::1/128 eth0 0",
        ])
    }

    /// `ip route show table all` lists IPv4 only. A snapshot with `ip-route.json` and no
    /// `ip6-route.json` gets the IPv6 routes a snapshot without either gets: the one derivation,
    /// from all `ip -j addr` says (a metric, `noprefixroute`, which the model does not keep).
    func testIPv4RoutesWithoutIPv6FileGetTheFullIPv6Derivation() throws {
        let dir = try temporaryFolder()
        try write("""
            [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback","addr_info":[
              {"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"},
              {"family":"inet6","local":"::1","prefixlen":128,"scope":"host"}]},
             {"ifindex":2,"ifname":"eth0","flags":["UP"],"link_type":"ether","addr_info":[
              {"family":"inet","local":"192.0.2.10","prefixlen":24,"scope":"global"},
              {"family":"inet6","local":"2001:db8::10","prefixlen":64,"scope":"global","metric":100},
              {"family":"inet6","local":"2001:db8:1::10","prefixlen":64,"scope":"global","noprefixroute":true},
              {"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]}]
            """, "ip-addr.json", in: dir)
        let derived = try host(dir).host.routes.filter { !$0.destination.address.isV4 }
        try write("""
            [{"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.10","flags":[]},
             {"type":"local","dst":"192.0.2.10","table":"local","dev":"eth0","prefsrc":"192.0.2.10","flags":[]}]
            """, "ip-route.json", in: dir)
        let listed = try host(dir).host.routes.filter { !$0.destination.address.isV4 }
        XCTAssertEqual(listed, derived)
        XCTAssertEqual(listed.map { "\($0.table) \($0.type) \($0.destination) \($0.device ?? "") \($0.metric)" }, [
            "main unicast 2001:db8::/64 eth0 100",
            "main unicast fe80::/64 eth0 256",
            "local local ::1/128 lo 0",
            "local local 2001:db8::10/128 eth0 0",
            "local local 2001:db8:1::10/128 eth0 0",
            "local local fe80::1/128 eth0 0",
        ])
    }

    // MARK: smaller inputs

    func testRoutesWithDefaultGatewayTablesAndMultipath() throws {
        let dir = try temporaryFolder()
        try write("[]", "ip-addr.json", in: dir)
        try write("""
            [{"dst":"default","gateway":"10.0.0.1","dev":"eth0","metric":100},
             {"dst":"default","gateway":"fe80::1","dev":"eth0","metric":1024,"table":"main"},
             {"type":"unreachable","dst":"10.9.0.0/16","table":"250"},
             {"dst":"10.8.0.0/16","table":200,"nexthops":[{"gateway":"10.0.0.2","dev":"eth0"},{"gateway":"10.0.0.3","dev":"eth1"}]}]
            """, "ip-route.json", in: dir)
        let (h, notes) = try host(dir)
        XCTAssertEqual(h.routes, [
            Route(destination: prefix("0.0.0.0/0"), device: "eth0", gateway: ip("10.0.0.1"), metric: 100),
            Route(destination: prefix("::/0"), device: "eth0", gateway: ip("fe80::1"), metric: 1024),
            Route(table: "250", type: .unreachable, destination: prefix("10.9.0.0/16")),
            Route(table: "200", destination: prefix("10.8.0.0/16"), device: "eth0", gateway: ip("10.0.0.2")),
        ])
        XCTAssertEqual(notes.count, 2, "multipath and missing sysctl.txt: \(notes)")
    }

    func testHostNetworkContainerAndBridgeNames() throws {
        let dir = try temporaryFolder()
        try write("[{}]", "ip-addr.json", in: dir)
        try write("""
            [{"Id":"c0ffee","Name":"/tftp","State":{"Running":true},"HostConfig":{"NetworkMode":"host"},
              "NetworkSettings":{"Ports":{},"Networks":{"host":{"IPAddress":"","IPPrefixLen":0,"Gateway":"","MacAddress":""}}}},
             {"Id":"beef","Name":"/web","HostConfig":{"NetworkMode":"bridge"},
              "NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"","HostPort":"8000"},{"HostIp":"::","HostPort":"8000"}],"443/tcp":null},
                                 "Networks":{"bridge":{"IPAddress":"172.17.0.2","IPPrefixLen":16,"GlobalIPv6Address":"fd00::2"}}}}]
            """, "docker-containers.json", in: dir)
        try write("""
            [{"Name":"bridge","Id":"aaaa","Driver":"bridge","IPAM":{"Config":[{"Subnet":"172.17.0.0/16"}]},"Options":{}},
             {"Name":"web_net","Id":"0123456789abcdef","Driver":"bridge","IPAM":{"Config":null},"Options":null},
             {"Name":"host","Id":"bbbb","Driver":"host","IPAM":{"Config":[]}}]
            """, "docker-networks.json", in: dir)
        try write("", "docker-daemon.json", in: dir)
        let h = try host(dir).host
        XCTAssertEqual(h.interfaces, [], "iproute2's empty `{}` entries are skipped")
        let tftp = try XCTUnwrap(h.docker.containers.first)
        XCTAssertEqual(tftp.name, "tftp")
        XCTAssertTrue(tftp.usesHostNetwork)
        XCTAssertEqual(tftp.endpoints, [ContainerEndpoint(network: "host")])
        XCTAssertEqual(tftp.ports, [])
        let web = try XCTUnwrap(h.docker.containers.last)
        XCTAssertTrue(web.running, "docker ps lists running containers only")
        XCTAssertEqual(web.ports, [PortBinding(containerPort: 80, proto: "tcp", hostIP: "", hostPort: 8000),
                                   PortBinding(containerPort: 80, proto: "tcp", hostIP: "::", hostPort: 8000)],
                       "HostIp kept as given; exposed-only 443 has no binding")
        XCTAssertEqual(web.endpoints.first?.ipv6, ip("fd00::2"))
        XCTAssertEqual(h.docker.networks.map(\.bridge), ["docker0", "br-0123456789ab", nil])
        XCTAssertNil(h.docker.userlandProxy, "an empty daemon.json says nothing")
    }

    func testSysctlSyntax() throws {
        let values = try SysctlFile.parse("""
            # comment
            ; also a comment

              net.ipv4.ip_forward=0\r
            net/ipv4/conf/eth0.5/rp_filter = 2
            net.ipv4.ip_local_port_range = 32768\t60999
            kernel.domainname =
            """, file: "sysctl.txt")
        XCTAssertEqual(values, ["net.ipv4.ip_forward": "0", "net.ipv4.conf.eth0/5.rp_filter": "2",
                                "net.ipv4.ip_local_port_range": "32768\t60999", "kernel.domainname": ""])
    }

    /// The snapshot files go through the one JSON reader (`JSONReader`): a syntax error names the
    /// file and the line:column of the offending character (columns count characters, not bytes).
    func testJSONSyntaxErrorPositions() {
        func at(_ bytes: [UInt8]) -> String? {
            do {
                _ = try SnapshotJSON.parse(bytes, file: "f.json")
                return nil
            } catch let e as HookwalkError {
                guard e.file == "f.json", case .line(let l, let c) = e.location else { return "no file or position: \(e)" }
                return "\(l):\(c) \(e.message)"
            } catch {
                return "not a HookwalkError: \(error)"
            }
        }
        func at(_ text: String) -> String? { at(Array(text.utf8)) }
        XCTAssertNil(at(#"{"a": [1, -2.5e3, true, null, "x\u00e9\n"]}"#))
        XCTAssertEqual(at(#"{"a": tru}"#), "1:10 unexpected character '}', expected 'true'")
        XCTAssertEqual(at("[1,\n2,\n  x]")?.prefix(4), "3:3 ")
        XCTAssertEqual(at("[1,\n2"), "2:2 unexpected end of file (truncated?) inside an array")
        XCTAssertEqual(at("{\"é\": 1 2}")?.prefix(4), "1:9 ")
        XCTAssertEqual(at(""), "1:1 unexpected end of file (truncated?), expected a value")
        XCTAssertEqual(at("{} x")?.prefix(4), "1:4 ")
        XCTAssertEqual(at(String(repeating: "[", count: 600)), "1:513 JSON nested more than 512 levels deep")
        XCTAssertEqual(at([UInt8(ascii: "["), 0xFF, UInt8(ascii: "]")]), "1:2 not UTF-8 text")
    }

    // MARK: bad input: one line each, naming the file and the place

    /// Every prefix of every small JSON file is a truncated file: each must give a line:column error
    /// naming that file, and none may trap.
    func testEveryTruncationIsAnError() throws {
        let source = try seed()
        let dir = try copy(source)
        for name in ["ip-addr.json", "ip-route.json", "docker-networks.json", "docker-containers.json", "docker-daemon.json", "host.json"] {
            let full = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source + "/" + name)))
            for cut in stride(from: 1, to: full.count - 1, by: 23) {
                try Data(full[..<cut]).write(to: URL(fileURLWithPath: dir + "/" + name))
                let e = error { _ = try SnapshotLoader.loadHost(from: SnapshotFolder(dir)) }
                XCTAssertEqual(e?.file, dir + "/" + name, "cut at \(cut)")
                guard case .line = e?.location else { return XCTFail("no line:column for \(name) cut at \(cut): \(e?.description ?? "")") }
            }
            try Data(full).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
    }

    /// A route type the kernel does not have is refused where it stands, not read as unicast.
    func testUnknownRouteType() throws {
        let dir = try temporaryFolder()
        try write("[]", "ip-addr.json", in: dir)
        try write(#"[{"dst":"10.0.0.0/8","dev":"eth0"},{"type":"blackhole","dst":"10.1.0.0/16"},{"type":"anycst","dst":"10.2.0.0/16"}]"#,
                  "ip-route.json", in: dir)
        let e = error { _ = try SnapshotLoader.loadHost(from: SnapshotFolder(dir)) }
        XCTAssertEqual(e?.description, "\(dir)/ip-route.json: at $[2].type: route type \"anycst\" is not one the kernel has (unspec, unicast, "
                       + "local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw, nat, xresolve)")
    }

    func testMissingFolder() throws {
        let e = error { _ = try SnapshotLoader.load(path: "/nonexistent/snap") }
        XCTAssertEqual(e?.description, "/nonexistent/snap: no such snapshot folder")
    }

    func testMissingAddresses() throws {
        let dir = try copy(seed(), dropping: ["ip-addr.json"])
        let e = error { _ = try SnapshotLoader.load(path: dir) }
        XCTAssertEqual(e?.description, "\(dir)/ip-addr.json: missing (make it with: ip -j addr show > ip-addr.json)")
    }

    func testTruncatedContainers() throws {
        let dir = try copy(seed())
        let file = dir + "/docker-containers.json"
        let full = try String(contentsOfFile: file, encoding: .utf8)
        let truncated = String(full.prefix(1000))
        try write(truncated, "docker-containers.json", in: dir)
        let lines = truncated.split(separator: "\n", omittingEmptySubsequences: false)
        let end = "\(lines.count):\((lines.last?.count ?? 0) + 1)"
        let e = error { _ = try SnapshotLoader.load(path: dir) }
        XCTAssertEqual(e?.file, file)
        XCTAssertEqual(e?.location.description, end)
        XCTAssertTrue(e?.description.hasPrefix("\(file):\(end): unexpected end of file (truncated?)") ?? false, e?.description ?? "")
    }

    /// `docker-netns/`: a container's own `ip -j addr show` names its veth peer; a file for no
    /// container is a note, a malformed one an error naming it.
    func testContainerNamespaceFiles() throws {
        let dir = try copy(seed())
        try FileManager.default.createDirectory(atPath: dir + "/docker-netns", withIntermediateDirectories: true)
        var addrs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/ip-addr.json"))) as? [[String: Any]])
        let radiusPort = try XCTUnwrap(addrs.firstIndex { $0["ifname"] as? String == "vethradius" })
        addrs[radiusPort]["ifname"] = "veth5e1c0a9"
        try write(String(decoding: try JSONSerialization.data(withJSONObject: addrs), as: UTF8.self), "ip-addr.json", in: dir)
        let index = try XCTUnwrap(addrs[radiusPort]["ifindex"] as? Int)
        let inside = #"[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback","addr_info":[]},"#
            + #"{"ifindex":7,"link_index":\#(index),"ifname":"eth0","flags":["UP"],"link_type":"ether","#
            + #""addr_info":[{"family":"inet","local":"172.20.0.4","prefixlen":24,"scope":"global"}]}]"#
        try write(inside, "docker-netns/radius.json", in: dir)
        try write("[]", "docker-netns/0123456789abcdef.json", in: dir)
        let loaded = try SnapshotLoader.loadWithNotes(path: dir)
        let host = loaded.snapshot.host
        let radius = try XCTUnwrap(host.docker.containers.first { $0.name == "radius" })
        XCTAssertEqual(radius.endpoints.first?.bridgePort, "veth5e1c0a9")
        XCTAssertEqual(host.bridgePort(of: radius, network: radius.endpoints[0].network, bridge: "docker1"), "veth5e1c0a9")
        XCTAssertTrue(loaded.notes.contains { $0.hasPrefix("docker-netns/0123456789abcdef.json: no container") }, "\(loaded.notes)")
        // Without the file the port has no name to go by.
        try FileManager.default.removeItem(atPath: dir + "/docker-netns/radius.json")
        let guessed = try SnapshotLoader.load(path: dir).host
        let unknown = try XCTUnwrap(guessed.docker.containers.first { $0.name == "radius" })
        XCTAssertNil(guessed.bridgePort(of: unknown, network: unknown.endpoints[0].network, bridge: "docker1"))

        try write(String(inside.prefix(60)), "docker-netns/radius.json", in: dir)
        let e = error { _ = try SnapshotLoader.load(path: dir) }
        XCTAssertEqual(e?.file, dir + "/docker-netns/radius.json")
    }

    func testWrongTypeInAddresses() throws {
        let dir = try copy(seed())
        let text = try String(contentsOfFile: dir + "/ip-addr.json", encoding: .utf8)
            .replacingOccurrences(of: #""ifindex":2,"#, with: #""ifindex":"2","#)
        try write(text, "ip-addr.json", in: dir)
        let e = error { _ = try SnapshotLoader.load(path: dir) }
        XCTAssertEqual(e?.description, "\(dir)/ip-addr.json: at $[1].ifindex: expected an integer, found a string")
    }

    func testWrongTypesInDockerFiles() throws {
        let dir = try copy(seed())
        try write(#"[{"Id":"a","Name":"/a"},{"Id":"b","Name":"/b"},{"Id":"c","Name":"/c","NetworkSettings":{"Ports":[]}}]"#,
                  "docker-containers.json", in: dir)
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir)/docker-containers.json: at $[2].NetworkSettings.Ports: expected an object, found an array")
        try write(#"[{"Id":"a","Name":"/a","NetworkSettings":{"Ports":{"80/tcp":[{"HostIp":"","HostPort":"http"}]}}}]"#,
                  "docker-containers.json", in: dir)
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir)/docker-containers.json: at $[0].NetworkSettings.Ports[\"80/tcp\"][0].HostPort: not a port number: http")
        try write("[]", "docker-containers.json", in: dir)
        try write(#"[{"Id":"a","Name":"n","IPAM":{"Config":[{"Subnet":"172.20.0.0/33"}]}}]"#, "docker-networks.json", in: dir)
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir)/docker-networks.json: at $[0].IPAM.Config[0].Subnet: not an IP prefix: 172.20.0.0/33")
        try write("[]", "docker-networks.json", in: dir)
        try write(#"{"userland-proxy": "false"}"#, "docker-daemon.json", in: dir)
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir)/docker-daemon.json: at $[\"userland-proxy\"]: expected true or false, found a string")
    }

    func testBadSysctlLine() throws {
        let dir = try copy(seed())
        try write("net.ipv4.ip_forward = 1\n  net.ipv4.conf.all.route_localnet 0\n", "sysctl.txt", in: dir)
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir)/sysctl.txt:2:3: expected `key = value`")
        try write("net ipv4 = 1\n", "sysctl.txt", in: dir)
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir)/sysctl.txt:1:4: a key has no spaces: expected `key = value`")
    }

    /// Without an nft listing the loader reads iptables-save output, with ip6tables-save output
    /// merged in as the ip6 tables (handles as a restore of both would give them).
    func testIptablesSaveOnly() throws {
        let dir = try copy(seed(), dropping: ["nft-ruleset.json", "nft-ruleset.nft"])
        try write("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n-A FORWARD -o docker0 -j ACCEPT\nCOMMIT\n",
                  "iptables-save.txt", in: dir)
        try write("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", "ip6tables-save.txt", in: dir)
        let loaded = try SnapshotLoader.loadWithNotes(path: dir)
        let rs = loaded.snapshot.ruleset
        XCTAssertEqual(rs.tables.map { "\($0.family.rawValue) \($0.name) \($0.handle ?? 0)" }, ["ip filter 1", "ip6 nat 2"])
        XCTAssertEqual(rs.table(.ip, "filter")?.chain("FORWARD")?.base?.policy, .drop)
        XCTAssertEqual(rs.table(.ip, "filter")?.chain("FORWARD")?.rules.first?.stmts.last, .verdict(.accept))
        XCTAssertEqual(loaded.snapshot.rulesetFile, "\(dir)/iptables-save.txt")
        XCTAssertEqual(loaded.notes.filter { $0.hasPrefix("ruleset") }, ["ruleset read from iptables-save.txt and ip6tables-save.txt"])

        try write("*filter\n-A NOPE -j ACCEPT\nCOMMIT\n", "iptables-save.txt", in: dir)
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir)/iptables-save.txt:2:4: chain NOPE is not defined in table filter: declare it with :NOPE - or -N first")
    }

    /// An nft listing wins over iptables-save output, which is then ignored (and said so).
    func testNftWinsOverIptablesSave() throws {
        let dir = try copy(seed(), dropping: ["nft-ruleset.json"])
        try write("*filter\n-A NOPE -j ACCEPT\nCOMMIT\n", "iptables-save.txt", in: dir)
        let loaded = try SnapshotLoader.loadWithNotes(path: dir)
        XCTAssertEqual(loaded.snapshot.rulesetFile, "\(dir)/nft-ruleset.nft")
        XCTAssertTrue(loaded.notes.contains("ruleset read from nft-ruleset.nft; iptables-save.txt ignored"))
    }

    func testRulesetPathIptablesSave() throws {
        let dir = try temporaryFolder()
        try write("-P INPUT ACCEPT\n-A INPUT -s fe80::/10 -j ACCEPT\n", "host.ip6tables-save", in: dir)
        let rs = try SnapshotLoader.loadRuleset(path: "\(dir)/host.ip6tables-save").ruleset
        XCTAssertEqual(rs.table(.ip6, "filter")?.chain("INPUT")?.rules.count, 1)
    }

    func testNoRuleset() throws {
        let dir = try copy(seed(), dropping: ["nft-ruleset.json", "nft-ruleset.nft"])
        XCTAssertEqual(error { _ = try SnapshotLoader.load(path: dir) }?.description,
                       "\(dir): no ruleset: expected nft-ruleset.json (made by: nft -j list ruleset), "
                       + "nft-ruleset.nft (made by: nft list ruleset), iptables-save.txt (made by: iptables-save), "
                       + "iptables-S.txt (made by: iptables -S) or iptables-L.txt (made by: iptables -L -n -v)")
    }

    func testRulesetPathErrors() throws {
        XCTAssertEqual(error { _ = try SnapshotLoader.loadRuleset(path: "/nonexistent/x.nft") }?.description,
                       "/nonexistent/x.nft: no such file or folder")
        let dir = try temporaryFolder()
        try Data([0x74, 0x61, 0x62, 0x0A, 0x20, 0xFF]).write(to: URL(fileURLWithPath: dir + "/r.nft"))
        XCTAssertEqual(error { _ = try SnapshotLoader.loadRuleset(path: dir + "/r.nft") }?.description,
                       "\(dir)/r.nft:2:2: not UTF-8 text")
    }
}
