import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import XCTest

/// ufw next to Docker (Docker 28, `ufw default deny incoming`, `deny routed`, `allow 22/tcp`; the
/// composed iptables-save of the lab case, `Tests/HookwalkLabTests/Fixtures/c-ufw.iptables-save`):
/// the trace must say which of ufw's chains or policies decided, since that is what a reader of
/// the docs needs to change, and a published port must still pass (Docker's FORWARD jumps first).
final class UfwTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HookwalkLabTests/Fixtures/c-ufw.iptables-save").path
    static let client = Endpoint.external(address: IPAddress("10.254.10.105")!, interface: nil)
    static let host = IPAddress("10.254.10.252")!

    func simulator() throws -> Simulator {
        var snap = try Fixtures.snapshot("docker-eras/snapshots/docker-c")
        snap.ruleset = try SnapshotLoader.loadRuleset(path: Self.fixture).ruleset
        return Simulator(snapshot: snap)
    }

    /// 5432/tcp: no ufw rule, ufw-skip-to-policy is not met, so `ip filter INPUT`'s policy drops it.
    func testUnallowedHostPortDroppedByInputPolicy() throws {
        let t = try simulator().simulate(Scenario(from: Self.client, to: Self.host, port: 5432, proto: .tcp))
        guard case .dropped(let chain, nil, _, false) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertEqual(chain.description, "ip filter INPUT")
        XCTAssertTrue(t.request.events.contains { if case .policy(let c, .drop) = $0.kind { c.description == "ip filter INPUT" } else { false } })
        // ufw's chains ran (and returned) before the policy.
        XCTAssertTrue(t.request.events.contains { if case .rule(let c, _, _, _) = $0.kind { c.chain == "ufw-not-local" } else { false } })
    }

    /// 22/tcp: accepted by the rule `ufw allow 22/tcp` wrote into ufw-user-input.
    func testAllowedHostPortAcceptedByUfwUserInput() throws {
        let t = try simulator().simulate(Scenario(from: Self.client, to: Self.host, port: 22, proto: .tcp))
        guard case .delivered(.host, _) = t.request.outcome else { return XCTFail("\(t.request.outcome)") }
        XCTAssertTrue(t.request.events.contains {
            if case .rule(let c, _, _, .accept) = $0.kind { c.description == "ip filter ufw-user-input" } else { false }
        })
        XCTAssertTrue(t.reply?.outcome.isDelivered ?? false)
    }

    /// A published port is forwarded and accepted by Docker's chains before ufw's FORWARD chains.
    func testPublishedPortPassesDespiteDenyRouted() throws {
        let t = try simulator().simulate(Scenario(from: Self.client, to: Self.host, port: 8080, proto: .tcp))
        XCTAssertTrue(t.request.outcome.isDelivered, "\(t.request.outcome)")
        XCTAssertFalse(t.request.events.contains { if case .rule(let c, _, _, _) = $0.kind { c.chain.hasPrefix("ufw-") && c.chain.hasSuffix("forward") } else { false } })
    }
}
