import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// `hookwalk generate` on generated scale hosts: `--jobs` does not change a byte, the filters
/// document exactly the subset asked for, a bad filter is one line and exit 2; and the scale
/// host's ruleset is one real `nft` accepts.
final class BigHostCommandTests: XCTestCase {
    /// The built `hookwalk`, run as `CommandLineTests` runs it.
    struct CLI {
        func run(_ args: [String]) throws -> CommandLineTests.Run { try TestProcess.runHookwalk(args) }

        func assertCleanFailure(_ r: CommandLineTests.Run, mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
            XCTAssertEqual(r.stdout, "", file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
            XCTAssertTrue(r.stderr.hasPrefix("hookwalk: "), r.stderr, file: file, line: line)
            for m in mentions { XCTAssertTrue(r.stderr.contains(m), "\(r.stderr) should mention \(m)", file: file, line: line) }
        }
    }

    let cli = CLI()

    func scaleHost(containers: Int, bridges: Int) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hw-scale-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try ScaleSnapshot(containers: containers, bridges: bridges).write(to: dir)
        return dir
    }

    func outDir() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hw-out-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Every file below `dir`, relative path -> bytes.
    func tree(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = try XCTUnwrap(FileManager.default.enumerator(atPath: dir))
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + p, isDirectory: &isDir), !isDir.boolValue {
                out[p] = FileManager.default.contents(atPath: dir + "/" + p)
            }
        }
        return out
    }

    func scenarioPages(_ dir: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/scenarios").map { String($0.dropLast(3)) })
    }

    func testJobsTwoAndOneGiveTheSameTree() throws {
        let snap = try scaleHost(containers: 12, bridges: 2)
        let one = outDir(), two = outDir()
        let r1 = try cli.run(["generate", snap, "--out", one, "--jobs", "1"])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        let r2 = try cli.run(["generate", snap, "--out", two, "--jobs", "2"])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        let a = try tree(one), b = try tree(two)
        XCTAssertGreaterThan(a.keys.filter { $0.hasSuffix(".svg") }.count, 16, "enough diagrams for workers to run")
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        for (path, bytes) in a { XCTAssertEqual(bytes, b[path], path) }
        // Not a terminal: no progress line, only the summary.
        let lines = r2.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r2.stderr)
        XCTAssertTrue(lines[0].hasPrefix("hookwalk: \(a.keys.filter { $0.hasSuffix(".md") }.count) pages, "
                                          + "\(a.keys.filter { $0.hasSuffix(".dot") }.count) diagrams, "), r2.stderr)
        XCTAssertTrue(lines[0].contains(" layout "), r2.stderr)
        XCTAssertFalse(r2.stderr.contains("\r"), r2.stderr)
    }

    /// The catalog's scenarios for the host's default client.
    func catalog(_ path: String) throws -> [DocScenario] {
        let snapshot = try SnapshotLoader.load(path: path)
        return ScenarioCatalog.scenarios(for: snapshot, clients: ScenarioCatalog.defaultClients(for: snapshot))
    }

    func testFiltersDocumentExactlyTheSubset() throws {
        let snap = try scaleHost(containers: 12, bridges: 3)
        let all = try catalog(snap)
        let cases: [([String], (DocScenario) -> Bool)] = [
            (["--container", "web-0003"], { $0.container == "web-0003" }),
            (["--container", "web-0003", "--container", "web-0010"], { $0.container == "web-0003" || $0.container == "web-0010" }),
            (["--network", "scale-net1"], { $0.network == "scale-net1" }),
            (["--network", "scale-net0", "--port", "10004"], { $0.network == "scale-net0" && $0.scenario.port == 10004 }),
            (["--port", "10002", "--port", "10008"], { $0.scenario.port == 10002 || $0.scenario.port == 10008 }),
        ]
        for (args, wanted) in cases {
            let expected = Set(all.filter(wanted).map(\.id))
            XCTAssertFalse(expected.isEmpty, "\(args)")
            XCTAssertLessThan(expected.count, all.count, "\(args)")
            let out = outDir()
            let r = try cli.run(["generate", snap, "--out", out, "--jobs", "1"] + args)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try scenarioPages(out), expected, "\(args)")
        }
    }

    func testBadFilterIsOneLineAndExitTwo() throws {
        let snap = try scaleHost(containers: 4, bridges: 2)
        let out = outDir()
        for (args, mention) in [
            (["--container", "nosuch"], "--container \"nosuch\": no such container"),
            (["--network", "nonet"], "--network \"nonet\": no such Docker network"),
            (["--port", "70000"], "--port 70000: not a port number"),
            (["--container", "web-0001", "--port", "10003"], "no documented scenario passes the filters"),
            (["--jobs", "0"], "--jobs 0"),
        ] {
            let r = try cli.run(["generate", snap, "--out", out] + args)
            cli.assertCleanFailure(r, mentions: [mention])
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(args): nothing written")
        }
    }

    /// The scale host's ruleset as real nft reads it, in a scratch network namespace.
    func testScaleRulesetLoadsInNft() throws {
        let snap = try scaleHost(containers: 300, bridges: 13)
        func which(_ name: String) -> String? {
            ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + name }.first { access($0, X_OK) == 0 }
        }
        guard getuid() == 0 else { throw LabRequirement.unmet("loading the scale ruleset into nft needs root (a network namespace)") }
        guard let nft = which("nft"), let ip = which("ip") else { throw LabRequirement.unmet("nft and ip are needed (scripts/deps)") }
        let ns = "hw-scale-\(getpid())"
        func run(_ exe: String, _ args: [String]) throws -> (Int32, String) {
            let r = try TestProcess.run([exe] + args)
            return (r.status, r.output)
        }
        let (added, why) = try run(ip, ["netns", "add", ns])
        XCTAssertEqual(added, 0, why)
        defer { _ = try? run(ip, ["netns", "del", ns]) }
        let file = snap + "/nft-ruleset.nft"
        let (checked, message) = try run(ip, ["netns", "exec", ns, nft, "-c", "-f", file])
        XCTAssertEqual(checked, 0, message)
        // Loaded and listed again, it is the same ruleset hookwalk reads from the file.
        let (loaded, loadMessage) = try run(ip, ["netns", "exec", ns, nft, "-f", file])
        XCTAssertEqual(loaded, 0, loadMessage)
        let (listed, listing) = try run(ip, ["netns", "exec", ns, nft, "-j", "list", "ruleset"])
        XCTAssertEqual(listed, 0, listing)
        let fromKernel = try NftJSON.parse(Array(listing.utf8), file: "nft -j list ruleset")
        let fromFile = try NftText.parse(try String(contentsOfFile: file, encoding: .utf8), file: file)
        XCTAssertEqual(NftTextWriter.write(fromKernel), NftTextWriter.write(fromFile))
    }

    func testScaleSnapshotIsComplete() throws {
        let snapshot = try SnapshotLoader.load(path: try scaleHost(containers: 300, bridges: 13))
        let docker = snapshot.host.docker
        XCTAssertEqual(docker.networks.count, 13)
        XCTAssertEqual(docker.containers.count, 300)
        XCTAssertEqual(docker.containers.flatMap(\.ports).map(\.hostPort).sorted(), Array(10000..<10300))
        XCTAssertEqual(snapshot.ruleset.table(.ip, "nat")?.chain("DOCKER")?.rules.count, 300)
        XCTAssertEqual(snapshot.ruleset.table(.ip, "filter")?.chain("DOCKER")?.rules.count, 300)
        XCTAssertEqual(snapshot.ruleset.table(.ip, "raw")?.chain("PREROUTING")?.rules.count, 300)
        XCTAssertEqual(docker.userlandProxy, false)
        // Every container is delivered from the default client and answers.
        let simulator = Simulator(snapshot: snapshot)
        let client = try XCTUnwrap(ScenarioCatalog.defaultClients(for: snapshot).first)
        XCTAssertEqual(client, IPAddress("203.0.113.10"))
        for c in docker.containers.prefix(300) where c.name.hasSuffix("7") {
            let t = simulator.simulate(Scenario(from: .external(address: client, interface: nil), to: IPAddress("192.0.2.1")!,
                                                port: UInt16(c.ports[0].hostPort), proto: .tcp, sport: 41000))
            guard case .delivered(.container(let name), _) = t.request.outcome else { return XCTFail("\(c.name): \(t.request.outcome)") }
            XCTAssertEqual(name, c.name)
            XCTAssertEqual(t.reply?.outcome.isDelivered, true, c.name)
        }
        XCTAssertThrowsError(try ScaleSnapshot(containers: 3000, bridges: 2))
    }
}
