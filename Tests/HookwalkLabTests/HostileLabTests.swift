import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkTestSupport
import XCTest

/// What the kernel refuses at load, once per kind, in a scratch namespace: `nft -f` of each case of
/// the hostile corpus must fail with the kernel's reason, and hookwalk must refuse the same file
/// (issue 14). The cases hookwalk accepts (15 jumps deep, a loop no base chain reaches) must
/// load in the kernel too.
final class HostileLabTests: XCTestCase {
    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile/cases")

    /// (case, what `nft -f` prints, what hookwalk's error says).
    static let refused: [(String, String, String)] = [
        ("jump-self", "Too many links", "jump loop in table ip t: x -> x"),
        ("jump-loop", "Too many links", "jump loop in table ip t: a -> b -> a"),
        ("vmap-loop-anonymous", "Too many links", "jump loop"),
        ("vmap-loop-named", "Too many links", "jump loop"),
        ("jump-loop-json", "Too many links", "jump loop"),
        ("jump-depth-17", "Too many links", "jumps nested 16 deep"),
        ("jump-to-base", "Operation not supported", "jump to base chain d"),
        ("chain-twice-json", "Operation not supported", "declared twice"),
        ("missing-set", "No such file or directory", "@nosuch is not a set"),
        ("missing-set-json", "No such file or directory", "@nosuch is not a set"),
        ("missing-map", "No such file or directory", "@nomap is not a set or map"),
        ("missing-object", "No such file or directory", "counter \"nocounter\" is not defined"),
        ("prefix-33", "Prefix length 33 is invalid", "prefix length 33"),
        ("port-huge", "Service out of range", "tcp dport value 99999"),
        ("mark-huge", "exceeds valid range 0-4294967295", "mark value 8589934591"),
    ]

    static let accepted = ["jump-depth-15", "jump-loop-unreachable"]

    func testKernelAndHookwalkRefuseTheSameRulesets() throws {
        try LabFixtures.skipUnlessLabPossible()
        let ns = "hwhostile\(String(UInt32.random(in: 0...0xFFFFFF), radix: 16))"
        XCTAssertEqual(LabFixtures.run(["ip", "netns", "add", ns]), 0)
        defer { LabFixtures.run(["ip", "netns", "del", ns]) }

        for (name, kernel, ours) in Self.refused {
            let file = try rulesetFile(name)
            let (status, output) = load(file, in: ns)
            XCTAssertNotEqual(status, 0, "\(name): the kernel loaded it")
            XCTAssertTrue(output.contains(kernel), "\(name): nft said \(output)")
            XCTAssertThrowsError(try parse(file), name) { error in
                XCTAssertTrue("\(error)".contains(ours), "\(name): hookwalk said \(error)")
            }
        }
        for name in Self.accepted {
            let file = try rulesetFile(name)
            let (status, output) = load(file, in: ns)
            XCTAssertEqual(status, 0, "\(name): \(output)")
            XCTAssertNoThrow(try parse(file), name)
        }
        // The boundary: 16 jumps below the base chain is one too many, 15 is fine.
        for (depth, refused) in [(16, true), (15, false)] {
            var text = "table ip t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tjump j1\n\t}\n"
            for i in 1..<depth { text += "\tchain j\(i) {\n\t\tjump j\(i + 1)\n\t}\n" }
            text += "\tchain j\(depth) {\n\t\taccept\n\t}\n}\n"
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("hw-depth-\(depth)-\(UUID().uuidString).nft")
            try text.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let (status, output) = load(file.path, in: ns)
            XCTAssertEqual(status != 0, refused, "depth \(depth): \(output)")
            if refused { XCTAssertTrue(output.contains("Too many links"), output) }
            XCTAssertEqual((try? NftText.parse(text, file: "x.nft")) == nil, refused, "depth \(depth)")
        }
    }

    /// A packet from an uplink to 127.0.0.1: with route_localnet=0 the kernel sees it in
    /// prerouting and drops it as a martian before input; with 1 it reaches input. hookwalk says
    /// the same on the corpus's base host.
    func testLoopbackDestinationFromAnUplinkIsAMartian() throws {
        try LabFixtures.skipUnlessLabPossible()
        let tag = String(UInt32.random(in: 0...0xFFFFFF), radix: 16)
        let host = "hwmarh\(tag)", client = "hwmarc\(tag)"
        XCTAssertEqual(LabFixtures.run(["ip", "netns", "add", host]), 0)
        defer { LabFixtures.run(["ip", "netns", "del", host]) }
        XCTAssertEqual(LabFixtures.run(["ip", "netns", "add", client]), 0)
        defer { LabFixtures.run(["ip", "netns", "del", client]) }
        for argv in [["ip", "link", "add", "hC", "netns", host, "type", "veth", "peer", "name", "cH", "netns", client],
                     ["ip", "-n", host, "link", "set", "lo", "up"],
                     ["ip", "-n", host, "addr", "add", "192.0.2.1/24", "dev", "hC"], ["ip", "-n", host, "link", "set", "hC", "up"],
                     ["ip", "-n", client, "addr", "add", "192.0.2.50/24", "dev", "cH"], ["ip", "-n", client, "link", "set", "cH", "up"],
                     ["ip", "-n", client, "route", "add", "127.0.0.1/32", "via", "192.0.2.1"]] {
            XCTAssertEqual(LabFixtures.run(argv), 0, argv.joined(separator: " "))
        }
        let rules = FileManager.default.temporaryDirectory.appendingPathComponent("hw-martian-\(tag).nft")
        try ("table ip t {\n\tchain pre {\n\t\ttype filter hook prerouting priority 0;\n\t\tip daddr 127.0.0.1 counter\n\t}\n"
             + "\tchain in {\n\t\ttype filter hook input priority 0;\n\t\tip daddr 127.0.0.1 counter\n\t}\n}\n").write(to: rules, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: rules) }
        XCTAssertEqual(LabFixtures.run(["ip", "netns", "exec", host, "nft", "-f", rules.path]), 0)

        func sendAndCount() -> [Int] {
            LabFixtures.run(["ip", "netns", "exec", client, "python3", "-c",
                             "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9))"])
            usleep(300_000)
            let listing = capture(["ip", "netns", "exec", host, "nft", "list", "ruleset"])
            return listing.split(separator: "\n").compactMap { line in
                guard let r = line.range(of: "counter packets ") else { return nil }
                return Int(line[r.upperBound...].split(separator: " ")[0])
            }
        }
        XCTAssertEqual(sendAndCount(), [1, 0], "route_localnet=0: seen in prerouting, dropped before input")
        XCTAssertEqual(LabFixtures.run(["ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.conf.hC.route_localnet=1"]), 0)
        XCTAssertEqual(sendAndCount(), [2, 1], "route_localnet=1: delivered to input")

        var snap = try SnapshotLoader.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile/base").path)
        let scenario = Scenario(from: .external(address: IPAddress("192.0.2.50")!, interface: nil), to: IPAddress("127.0.0.1")!, port: 22, proto: .tcp)
        let off = Simulator(snapshot: snap).simulate(scenario)
        guard case .unroutable(let why) = off.request.outcome else { return XCTFail("\(off.request.outcome)") }
        XCTAssertTrue(why.contains("martian destination"), why)
        snap.host.sysctls["net.ipv4.conf.eth0.route_localnet"] = "1"
        let on = Simulator(snapshot: snap).simulate(scenario)
        guard case .delivered(.host, _) = on.request.outcome else { return XCTFail("\(on.request.outcome)") }
    }

    func capture(_ argv: [String]) -> String {
        TestProcess.status(argv).stdout
    }

    func rulesetFile(_ name: String) throws -> String {
        let dir = Self.cases.appendingPathComponent(name)
        for f in ["nft-ruleset.nft", "nft-ruleset.json"] where FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path) {
            return dir.appendingPathComponent(f).path
        }
        throw HookwalkError("case \(name) has no ruleset")
    }

    func parse(_ file: String) throws -> Ruleset {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        if file.hasSuffix(".json") { return try NftJSON.parse(bytes, file: file) }
        return try NftText.parse(String(decoding: bytes, as: UTF8.self), file: file)
    }

    /// `nft [-j] -f FILE` in the namespace, after flushing what the previous case left.
    func load(_ file: String, in ns: String) -> (Int32, String) {
        LabFixtures.run(["ip", "netns", "exec", ns, "nft", "flush", "ruleset"])
        let r = TestProcess.status(["ip", "netns", "exec", ns, "nft"] + (file.hasSuffix(".json") ? ["-j"] : []) + ["-f", file])
        return (r.status, r.stderr)
    }
}
