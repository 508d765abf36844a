import Foundation
import XCTest

/// Where the tests find their inputs. Everything a test needs lives in the repository
/// (`Tests/Fixtures`, see its README for where each file came from); the only outside input is the
/// external nftables listing corpus, found through `NftCorpus` alone. One file, so a path outside
/// the repository cannot creep into a test unnoticed.
public enum TestPaths {
    /// The repository root (this file is `Tests/HookwalkTestSupport/TestPaths.swift`).
    public static let repository: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `Tests/Fixtures`.
    public static let fixtures: String = repository + "/Tests/Fixtures"

    /// `Tests/Fixtures/<relative>`.
    public static func fixture(_ relative: String) -> String { fixtures + "/" + relative }

    /// The example host the README's first command documents (`Examples/seed-centos8`).
    public static let example: String = repository + "/Examples/seed-centos8"
}

/// The external conformance corpora (nftables' own listings: `nft-canonical/`, `nft-py/`). They
/// are third-party test material and are not in the repository: `HOOKWALK_NFT_CORPUS` names the
/// folder, else the `shared/corpus` folder beside the repository is used when it exists. Without either,
/// the corpus tests skip with one line saying how to point at a corpus (even where
/// `HOOKWALK_REQUIRE_LAB` is set: a missing corpus is not a missing lab).
public enum NftCorpus {
    public static let variable = "HOOKWALK_NFT_CORPUS"

    /// The corpus folder, or nil.
    public static let directory: String? = {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment[variable], !env.isEmpty {
            return fm.fileExists(atPath: env) ? URL(fileURLWithPath: env).standardizedFileURL.path : nil
        }
        let beside = URL(fileURLWithPath: TestPaths.repository).deletingLastPathComponent()
            .appendingPathComponent("shared/corpus").path
        return fm.fileExists(atPath: beside + "/nft-canonical") ? beside : nil
    }()

    /// `<corpus>/<relative>` (e.g. `nft-canonical`), or a skip that says how to get one.
    public static func path(_ relative: String) throws -> String {
        guard let directory else {
            let env = ProcessInfo.processInfo.environment[variable] ?? ""
            let why = env.isEmpty ? "no \(variable) and no shared/corpus folder beside the repository"
                : "\(variable)=\(env) does not exist"
            throw SkipLog.skip("nft corpus tests skipped: \(why); set \(variable) to a folder holding nft-canonical/ and nft-py/")
        }
        return directory + "/" + relative
    }

    public static func url(_ relative: String) throws -> URL { URL(fileURLWithPath: try path(relative)) }
}

/// Whether a test that needs the kernel lab (root, network namespaces, nft, a tool) may skip.
/// CI sets `HOOKWALK_REQUIRE_LAB=1`: there a missing requirement is a failure, so a skip cannot
/// hide a test that did not run. Elsewhere (a developer without root) the test skips, saying why.
public enum LabRequirement {
    public static var required: Bool {
        let v = ProcessInfo.processInfo.environment["HOOKWALK_REQUIRE_LAB"] ?? ""
        return !v.isEmpty && v != "0"
    }

    /// The error to throw when a lab requirement is missing: an `XCTSkip`, or with
    /// `HOOKWALK_REQUIRE_LAB` a failure naming the requirement.
    public static func unmet(_ reason: String) -> Error {
        required ? Unmet(reason: reason) : SkipLog.skip(reason)
    }

    public struct Unmet: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "HOOKWALK_REQUIRE_LAB is set, and this lab test cannot run: \(reason)" }
    }
}

/// A test's own precondition failed (a fixture lacks what the test needs): a failure, never a skip.
public struct HookwalkTestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Every skip of the suite goes through here. `swift test --parallel` reports no skips (its xUnit
/// file lists a skipped test as passed), so with `HOOKWALK_SKIP_LOG` set each skip also appends
/// `<test>\t<reason>` to that file, and `scripts/test` prints them and counts them.
public enum SkipLog {
    public static func skip(_ reason: String) -> XCTSkip {
        if let path = ProcessInfo.processInfo.environment["HOOKWALK_SKIP_LOG"], !path.isEmpty {
            // The parallel runner starts one process per test, naming it as the last argument.
            let test = ProcessInfo.processInfo.arguments.last { $0.contains("/") && !$0.hasPrefix("/") } ?? "(unknown test)"
            let line = "\(test)\t\(reason.replacingOccurrences(of: "\n", with: " "))\n"
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            if fd >= 0 {
                _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
                close(fd)
            }
        }
        return XCTSkip(reason)
    }
}
