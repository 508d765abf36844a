import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// Behaviour found by `hookwalk verify` where the model and the lab kernel disagreed (the kernel
/// was right), on the example host (the article's ruleset, docker1 172.20.0.1/24, dhcp 172.20.0.5
/// publishing 67/udp).
final class LabFindingsTests: XCTestCase {
    func example(userlandProxy: Bool) throws -> Simulator {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/seed-centos8").path
        var snap = try SnapshotLoader.load(path: dir)
        snap.host.docker.userlandProxy = userlandProxy
        return Simulator(snapshot: snap)
    }

    /// A container calling its own published port: after the dnat the frame is for the port it
    /// came in on. The bridge sends it back only in hairpin mode, which Docker sets with
    /// userland-proxy false; otherwise the kernel's trace ends at the dnat.
    func testContainerCallingItsOwnPublishedPortNeedsHairpinMode() throws {
        let s = Scenario(from: .container("dhcp"), to: IPAddress("10.254.10.252")!, port: 67, proto: .udp, sport: 41017)
        let withHairpin = try example(userlandProxy: false).simulate(s)
        guard case .delivered(.container("dhcp"), let seen) = withHairpin.request.outcome else {
            return XCTFail("\(withHairpin.request.outcome)")
        }
        XCTAssertEqual(seen.saddr, IPAddress("172.20.0.1"), "masqueraded by `ip saddr 172.20.0.5 ip daddr 172.20.0.5 ... masquerade`")

        let without = try example(userlandProxy: true).simulate(s)
        guard case .unroutable(let why) = without.request.outcome else { return XCTFail("\(without.request.outcome)") }
        XCTAssertTrue(why.contains("hairpin mode"), why)
        XCTAssertNil(without.reply)
        let last = NftTraceFormat.lines(without.request, onlyTraced: false).last ?? ""
        XCTAssertTrue(last.contains("dnat to 172.20.0.5:67"), last)
    }

    /// The host's answer to a broadcast leaves from the address routing picks towards the sender,
    /// not from the broadcast address (kernel: `ip saddr 10.254.10.252 ip daddr 10.254.10.254`).
    func testReplyToABroadcastComesFromTheHostsAddress() throws {
        let sim = try example(userlandProxy: false)
        for to in ["255.255.255.255", "10.254.10.255"] {
            let t = sim.simulate(Scenario(from: .external(address: IPAddress("10.254.10.254")!, interface: nil), to: IPAddress(to)!,
                                          port: 6000, proto: .udp, sport: 41011))
            guard let reply = t.reply, case .delivered(_, let state) = reply.outcome else { return XCTFail("\(to): no reply") }
            XCTAssertEqual(state.saddr, IPAddress("10.254.10.252"), to)
            XCTAssertEqual(reply.initial.saddr, IPAddress("10.254.10.252"), to)
        }
    }
}
