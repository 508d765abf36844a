import Foundation
import HookwalkLab
import HookwalkTestSupport
import XCTest

/// The repository's fixtures and the lab's requirements, for the lab tests.
enum LabFixtures {
    /// The repository root.
    static let repository = TestPaths.repository

    /// `Tests/Fixtures/<relative>`.
    static func path(_ relative: String) throws -> String { TestPaths.fixture(relative) }

    /// Skips with the reason where the lab cannot run: not root, no `ip`/`nft`/`python3`, or
    /// network namespaces unavailable. With `HOOKWALK_REQUIRE_LAB` (CI) that is a failure instead.
    static func skipUnlessLabPossible() throws {
        if geteuid() != 0 { throw LabRequirement.unmet("needs root and network namespaces: not running as root") }
        do {
            try LabBuilder.checkRequirements()
        } catch {
            throw LabRequirement.unmet("needs root and network namespaces: \(error)")
        }
        let probe = "hwprobe\(UInt32.random(in: 0...0xFFFFFF))"
        guard run(["ip", "netns", "add", probe]) == 0 else {
            throw LabRequirement.unmet("needs root and network namespaces: `ip netns add` failed")
        }
        _ = run(["ip", "netns", "del", probe])
    }

    /// Skips with the reason when `tool` (e.g. `iptables-nft-restore`) is not installed.
    static func skipUnless(tool: String) throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }) else {
            throw LabRequirement.unmet("needs `\(tool)` (Debian/Ubuntu package \(tool == "ipset" ? "ipset" : "iptables")), which is not installed")
        }
    }

    /// Namespaces that exist now (to check that a run left none behind).
    static func namespaces() -> Set<String> {
        let out = TestProcess.status(["ip", "netns", "list"]).stdout
        return Set(out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    @discardableResult
    static func run(_ argv: [String]) -> Int32 {
        TestProcess.status(argv).status
    }
}

extension LabFixtures {
    /// Runs `hookwalk verify` on a snapshot folder and asserts what every lab case needs: the lab
    /// removed its namespaces, and every scenario agreed with the kernel (else the report, under
    /// `label`, says where not).
    /// Only a snapshot built by `LabCases.build` is accepted, so every verified case is documented too.
    @discardableResult
    static func verifyAgreeing(_ snap: DerivedSnapshot, _ options: Verifier.Options, _ label: String? = nil,
                               file: StaticString = #filePath, line: UInt = #line) throws -> [Verifier.Verified] {
        let results = try verify(snap, options)
        let label = label ?? snap.labCase ?? snap.path
        let prefix = try XCTUnwrap(results.first?.labPrefix, "\(label): no scenario ran", file: file, line: line)
        XCTAssertEqual(namespaces().filter { $0.hasPrefix(prefix) }, [], "\(label): namespaces left behind", file: file, line: line)
        let report = VerifyReport(scenarios: results.map(\.comparison))
        XCTAssertTrue(report.allMatch, "\(label):\n\(report.text)", file: file, line: line)
        return results
    }
}

extension LabFixtures {
    /// `Verifier.runScenarios` on a registered lab case's snapshot; a snapshot not built by
    /// `LabCases.build` is refused (register the case, so `LabCaseDocsTests` documents it).
    static func verify(_ snap: DerivedSnapshot, _ options: Verifier.Options) throws -> [Verifier.Verified] {
        guard let name = snap.labCase, LabCases.all.contains(where: { $0.name == name }) else {
            throw HookwalkTestErrorLab("the snapshot \(snap.path) was not built by LabCases.build: register its lab case in LabCases.all")
        }
        return try Verifier(snapshotPath: snap.path, options: options).runScenarios()
    }
}
