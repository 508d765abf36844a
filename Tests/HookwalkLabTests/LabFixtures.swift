import Foundation
import HookwalkLab
import XCTest

/// Finds the repository and `shared/` (the fixtures laid beside it) from this file's location, so
/// the lab tests run the same in a developer's tree and in CI's fresh clone with `../shared`.
enum LabFixtures {
    /// The repository root (this file is `Tests/HookwalkLabTests/LabFixtures.swift`).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let shared: String? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            for candidate in [dir.appendingPathComponent("shared"), dir.deletingLastPathComponent().appendingPathComponent("shared")]
            where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("fixtures").path) {
                return candidate.path
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    /// `shared/<relative>`, or a skip when the fixtures are not beside the repository.
    static func path(_ relative: String) throws -> String {
        guard let shared else { throw XCTSkip("the shared fixtures folder is not beside the repository") }
        return shared + "/" + relative
    }

    /// Skips with the reason where the lab cannot run: not root, no `ip`/`nft`/`python3`, or
    /// network namespaces unavailable.
    static func skipUnlessLabPossible() throws {
        if geteuid() != 0 { throw XCTSkip("needs root and network namespaces: not running as root") }
        do {
            try LabBuilder.checkRequirements()
        } catch {
            throw XCTSkip("needs root and network namespaces: \(error)")
        }
        let probe = "hwprobe\(UInt32.random(in: 0...0xFFFFFF))"
        guard run(["ip", "netns", "add", probe]) == 0 else {
            throw XCTSkip("needs root and network namespaces: `ip netns add` failed")
        }
        _ = run(["ip", "netns", "del", probe])
    }

    /// Skips with the reason when `tool` (e.g. `iptables-nft-restore`) is not installed.
    static func skipUnless(tool: String) throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }) else {
            throw XCTSkip("needs `\(tool)` (Debian/Ubuntu package \(tool == "ipset" ? "ipset" : "iptables")), which is not installed")
        }
    }

    /// Namespaces that exist now (to check that a run left none behind).
    static func namespaces() -> Set<String> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ip", "netns", "list"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return [] }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Set(String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    @discardableResult
    static func run(_ argv: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

extension LabFixtures {
    /// Runs `hookwalk verify` on a snapshot folder and asserts what every lab case needs: the lab
    /// removed its namespaces, and every scenario agreed with the kernel (else the report, under
    /// `label`, says where not).
    @discardableResult
    static func verifyAgreeing(_ path: String, _ options: Verifier.Options, _ label: String,
                               file: StaticString = #filePath, line: UInt = #line) throws -> [Verifier.Verified] {
        let results = try Verifier(snapshotPath: path, options: options).runScenarios()
        let prefix = try XCTUnwrap(results.first?.labPrefix, "\(label): no scenario ran", file: file, line: line)
        XCTAssertEqual(namespaces().filter { $0.hasPrefix(prefix) }, [], "\(label): namespaces left behind", file: file, line: line)
        let report = VerifyReport(scenarios: results.map(\.comparison))
        XCTAssertTrue(report.allMatch, "\(label):\n\(report.text)", file: file, line: line)
        return results
    }
}
