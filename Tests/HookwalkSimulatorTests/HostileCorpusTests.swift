import Foundation
import HookwalkTestSupport
import XCTest

/// The hostile-input campaign of issue 14 as a test: every command (`ruleset`, `trace`,
/// `generate`, `diff`) on every case of the corpus (Tests/Fixtures/hostile/cases, plus the large
/// cases `scripts/make-hostile-corpus` writes into a temporary folder), each run as a child
/// process under a time and a memory limit. Each run must exit 0, 1 or 2 (never a signal, never
/// killed for time or memory); an exit 2 must print exactly one line on stderr naming the place
/// and nothing on stdout, and leave no output folder behind; and each case's `case.conf` says
/// which answer every command must give (see the corpus README).
final class HostileCorpusTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let base = repository.appendingPathComponent("Tests/Fixtures/hostile/base")

    /// Seconds and KiB of address space a child may use.
    static let timeLimit = 30
    static let memoryLimitKiB = 3 * 1024 * 1024

    struct Case: Sendable {
        var name: String
        var folder: URL
        var conf: [String: String]
    }

    struct Outcome {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    func testEveryCommandOnEveryCase() throws {
        guard let binary = CommandLineTests.binary else {
            XCTFail("the hookwalk executable is not beside the test bundle")
            return
        }
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("hw-hostile-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        let generated = work.appendingPathComponent("generated")
        let script = Self.repository.appendingPathComponent("scripts/make-hostile-corpus")
        let gen = try Self.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, generated.path], limits: false)
        XCTAssertEqual(gen.status, 0, "scripts/make-hostile-corpus failed: \(gen.stderr)")

        var cases: [Case] = []
        for dir in [Self.repository.appendingPathComponent("Tests/Fixtures/hostile/cases"), generated] {
            for name in try fm.contentsOfDirectory(atPath: dir.path).sorted() {
                let folder = dir.appendingPathComponent(name)
                let text = try String(contentsOf: folder.appendingPathComponent("case.conf"), encoding: .utf8)
                var conf: [String: String] = [:]
                for line in text.split(separator: "\n") {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    conf[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                cases.append(Case(name: name, folder: folder, conf: conf))
            }
        }
        XCTAssertGreaterThan(cases.count, 40)

        // Two children at a time: the machine is shared.
        let failures = Failures()
        let all = cases
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            let c = all[i]
            do {
                for problem in try Self.check(c, binary: binary, work: work) { failures.add("\(c.name): \(problem)") }
            } catch {
                failures.add("\(c.name): \(error)")
            }
        }
        for f in failures.all.sorted() { XCTFail(f) }
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }

    /// Runs the case's commands; returns what went wrong.
    static func check(_ c: Case, binary: URL, work: URL) throws -> [String] {
        let fm = FileManager.default
        let snap = work.appendingPathComponent("snap/\(c.name)")
        try fm.createDirectory(at: snap, withIntermediateDirectories: true)
        for f in try fm.contentsOfDirectory(atPath: Self.base.path) {
            try fm.copyItem(at: Self.base.appendingPathComponent(f), to: snap.appendingPathComponent(f))
        }
        var templates: URL?
        for f in try fm.contentsOfDirectory(atPath: c.folder.path) where f != "case.conf" {
            if f == "templates" {
                let t = work.appendingPathComponent("templates/\(c.name)")
                try fm.createDirectory(at: t.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(at: Self.repository.appendingPathComponent("Templates"), to: t)
                for p in try fm.contentsOfDirectory(atPath: c.folder.appendingPathComponent(f).path) {
                    try? fm.removeItem(at: t.appendingPathComponent(p))
                    try fm.copyItem(at: c.folder.appendingPathComponent("\(f)/\(p)"), to: t.appendingPathComponent(p))
                }
                templates = t
                continue
            }
            if f == "nft-ruleset.json" { try? fm.removeItem(at: snap.appendingPathComponent("nft-ruleset.nft")) }
            try? fm.removeItem(at: snap.appendingPathComponent(f))
            try fm.copyItem(at: c.folder.appendingPathComponent(f), to: snap.appendingPathComponent(f))
        }
        if let link = c.conf["symlink"] {
            let parts = link.split(separator: " ").map(String.init)
            try fm.createSymbolicLink(atPath: snap.appendingPathComponent(parts[0]).path, withDestinationPath: parts[1])
        }

        let traceArgs = (c.conf["trace"] ?? "--from 192.0.2.50 --to 192.0.2.1:22/tcp").split(separator: " ").map(String.init)
        let commands = (c.conf["commands"] ?? "ruleset trace generate diff").split(separator: " ").map(String.init)
        let out = work.appendingPathComponent("out/\(c.name)")
        var problems: [String] = []
        for command in commands {
            var args: [String]
            switch command {
            case "ruleset": args = ["ruleset", snap.path]
            case "trace": args = ["trace", snap.path] + traceArgs
            case "generate":
                args = ["generate", snap.path, "--out", out.path] + (templates.map { ["--templates", $0.path] } ?? [])
                    + (c.conf["layout"].map { ["--layout", $0] } ?? [])
            case "diff": args = ["diff", snap.path, Self.base.path]
            default: problems.append("unknown command \(command) in case.conf"); continue
            }
            let r = try Self.run(binary, args, limits: true)
            let say = { (what: String) in problems.append("\(command): \(what) (exit \(r.status), stderr: \(r.stderr.prefix(300)))") }
            guard [0, 1, 2].contains(r.status) else {
                say(r.status == 137 ? "killed after \(Self.timeLimit) s or out of memory" : "died (a signal, or an exit code hookwalk never uses)")
                continue
            }
            if let control = Self.rawControl(r.stdout) ?? Self.rawControl(Data(r.stderr.utf8)) {
                say("wrote the raw control character \(control) to the terminal")
            }
            let expect = c.conf["expect-\(command)"] ?? c.conf["expect"] ?? "ok"
            if r.status == 2 {
                let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.count != 2 || !lines[1].isEmpty || !r.stderr.hasPrefix("hookwalk: ") { say("not exactly one error line") }
                if !r.stdout.isEmpty { say("wrote to stdout before failing") }
                if fm.fileExists(atPath: out.path) { say("left an output folder behind") }
                if !r.stderr.contains(snap.path) && !r.stderr.contains(work.path) && !r.stderr.contains("--") {
                    say("the error names neither the file nor the option")
                }
            }
            if expect == "ok" {
                if r.status == 2 { say("refused a valid input") }
            } else {
                let parts = expect.split(separator: " ", maxSplits: 1).map(String.init)
                if r.status != Int32(parts[0]) { say("expected exit \(parts[0])") }
                if parts.count > 1, !r.stderr.contains(parts[1]) { say("the error should mention \"\(parts[1])\"") }
            }
            if command == "trace", let want = c.conf["trace-contains"], r.status != 2,
               !String(decoding: r.stdout, as: UTF8.self).contains(want) {
                say("the trace should mention \"\(want)\"")
            }
            // YAML allows implicit keys (the nav titles) of at most 1024 characters.
            if command == "generate", r.status == 0, let yaml = try? String(contentsOf: out.appendingPathComponent("mkdocs.yml"), encoding: .utf8) {
                for line in yaml.split(separator: "\n") {
                    let key = line.hasSuffix(":") ? String(line) : line.range(of: "\": \"").map { String(line[..<$0.lowerBound]) } ?? ""
                    if key.count > 1030 { problems.append("generate: mkdocs.yml has a key of \(key.count) characters") }
                }
            }
            try? fm.removeItem(at: out)
        }
        return problems
    }

    /// The first byte below 0x20 other than tab and newline, or DEL, or a C1 control / bidi
    /// override character: what a terminal would act on.
    static func rawControl(_ data: Data) -> String? {
        let s = String(decoding: data, as: UTF8.self)
        for u in s.unicodeScalars {
            let v = u.value
            if (v < 0x20 && v != 0x0A && v != 0x09) || v == 0x7F || (0x80...0x9F).contains(v) {
                return String(format: "U+%04X", v)
            }
        }
        return nil
    }

    /// Runs a child; with `limits`, under `ulimit -v` and `timeout -s KILL`.
    static func run(_ binary: URL, _ args: [String], limits: Bool) throws -> Outcome {
        let argv = limits ? ["/bin/sh", "-c", "ulimit -v \(memoryLimitKiB) && exec timeout -s KILL \(timeLimit) \"$0\" \"$@\"", binary.path] + args
            : [binary.path] + args
        // Both pipes are read at once (ProcessRunner): a full stderr cannot block stdout.
        let r = try TestProcess.run(argv)
        return Outcome(status: r.status, stdout: Data(r.stdoutBytes), stderr: r.stderr)
    }
}
