import Foundation
import HookwalkModel
import HookwalkParsers
import HookwalkSimulator
import HookwalkProcess

/// Runs `exe` through the project's one runner (`ProcessRunner`), which the timings around it
/// include: on this machine a spawn costs about 2 ms there, against about 40 ms with Foundation's
/// `Process` (which the bench used before), so the anchors (`nft -c -f`, `dot -Tsvg`, one process
/// per file) no longer carry that overhead. Both pipes are read into memory; with `discardOutput`
/// stdout is dropped after (`hookwalk ruleset`'s few MB: a few ms, charged to hookwalk, not to
/// the anchor; nft -c and dot -o /dev/null print nothing). No time limit worth the name: a big
/// `generate` runs for minutes.
@discardableResult
func runProgram(_ exe: String, _ args: [String], discardOutput: Bool = false) throws -> (status: Int32, out: Data, err: String) {
    let r = try ProcessRunner.runBlocking([exe] + args, timeout: 24 * 3600, outputLimit: 1 << 32)
    return (r.status, discardOutput ? Data() : Data(r.stdout), r.stderrText)
}

func which(_ name: String) -> String? { ProcessRunner.lookup(name) }

/// The best of `n` runs (the machine is shared; the minimum is the least disturbed).
func best(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<n { times.append(try seconds(body)) }
    return times.min() ?? 0
}

func fail(_ message: String) -> Int32 {
    FileHandle.standardError.write(Data("hookwalk-bench: \(message)\n".utf8))
    return 2
}

/// The largest resident set of any waited-for child process (generate and its layout workers).
func childrenPeakMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// The default benchmark: the scale host, end to end.
func benchScaleHost(_ args: [String]) -> Int32 {
    var containers = 3000, bridges = 13, sample = 60
    var jobs: Int?
    var i = 0
    while i < args.count {
        guard i + 1 < args.count, let n = Int(args[i + 1]), n > 0 else { return fail("\(args[i]): expected a positive number after it") }
        switch args[i] {
        case "--containers": containers = n
        case "--bridges": bridges = n
        case "--jobs": jobs = n
        case "--sample": sample = n
        default: return fail("unknown option \(args[i]) (use --containers, --bridges, --jobs, --sample)")
        }
        i += 2
    }
    let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let hookwalk = (selfPath as NSString).deletingLastPathComponent + "/hookwalk"
    guard FileManager.default.isExecutableFile(atPath: hookwalk) else {
        return fail("no hookwalk beside this benchmark (\(hookwalk)): build both first with `swift build -c release`")
    }
    let work = NSTemporaryDirectory() + "hookwalk-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: work) }
    let snap = work + "/scale-host", out = work + "/site"
    do {
        let scale = try ScaleSnapshot(containers: containers, bridges: bridges)
        try scale.write(to: snap)
        let textPath = snap + "/" + SnapshotLoader.rulesetText
        let text = try String(contentsOfFile: textPath, encoding: .utf8)
        print("scale host: \(containers) containers on \(bridges) bridges, written to \(snap) (hookwalk-bench make-scale-snapshot)")

        // Parsing, side by side with nft.
        var ruleset = Ruleset()
        let tText = try best(3) { ruleset = try NftText.parse(text, file: textPath) }
        let rules = ruleset.tables.flatMap(\.chains).map(\.rules.count).reduce(0, +)
        let tTextCLI = try best(3) { try runProgram(hookwalk, ["ruleset", textPath], discardOutput: true) }
        var tNft: Double?
        var jsonSource = "hookwalk's JSON writer (no root or no nft: no kernel listing)"
        var jsonText = NftJSONWriter.write(ruleset)
        if getuid() == 0, let nft = which("nft"), let ip = which("ip") {
            let ns = "hwbench-\(getpid())"
            if try runProgram(ip, ["netns", "add", ns]).status == 0 {
                defer { _ = try? runProgram(ip, ["netns", "del", ns]) }
                var ok = true
                tNft = try best(3) {
                    let status = try runProgram(ip, ["netns", "exec", ns, nft, "-c", "-f", textPath]).status
                    ok = ok && status == 0
                }
                if !ok { tNft = nil }
                if try runProgram(ip, ["netns", "exec", ns, nft, "-f", textPath]).status == 0 {
                    let listed = try runProgram(ip, ["netns", "exec", ns, nft, "-j", "list", "ruleset"])
                    if listed.status == 0 {
                        jsonText = String(decoding: listed.out, as: UTF8.self)
                        jsonSource = "`nft -j list ruleset` after loading it into a scratch network namespace"
                    }
                }
            }
        }
        let jsonPath = work + "/nft-ruleset.json"
        try jsonText.write(toFile: jsonPath, atomically: false, encoding: .utf8)
        let jsonBytes = Array(jsonText.utf8)
        var fromJSON = Ruleset()
        let tJSON = try best(3) { fromJSON = try NftJSON.parse(jsonBytes, file: jsonPath) }
        let tJSONCLI = try best(3) { try runProgram(hookwalk, ["ruleset", jsonPath], discardOutput: true) }
        let same = NftTextWriter.write(fromJSON) == NftTextWriter.write(ruleset)
        func ratio(_ t: Double) -> String { tNft.map { String(format: "%.2fx nft", t / $0) } ?? "no nft" }
        print(String(format: "parse text        %7.3f s in process, %7.3f s `hookwalk ruleset` (%@; %d rules)", tText, tTextCLI,
                     ratio(tTextCLI), rules))
        print(String(format: "parse JSON        %7.3f s in process, %7.3f s `hookwalk ruleset` (%@; %d bytes from %@; same ruleset as the text: %@)",
                     tJSON, tJSONCLI, ratio(tJSONCLI), jsonBytes.count, jsonSource, same ? "yes" : "NO"))
        if let tNft { print(String(format: "nft -c -f         %7.3f s  (the same text, in a scratch network namespace)", tNft)) }

        // Simulation of every published port.
        let snapshot = try SnapshotLoader.load(path: snap)
        let simulator = Simulator(snapshot: snapshot)
        let client = IPAddress("203.0.113.10")!
        var delivered = 0
        let tSim = seconds {
            for c in snapshot.host.docker.containers {
                for p in c.ports {
                    let t = simulator.simulate(Scenario(from: .external(address: client, interface: nil), to: IPAddress("192.0.2.1")!,
                                                        port: UInt16(p.hostPort), proto: .tcp))
                    if t.request.outcome.isDelivered, t.reply?.outcome.isDelivered == true { delivered += 1 }
                }
            }
        }
        print(String(format: "simulate          %7.3f s  (%d published ports, request and reply; %d answered end to end)",
                     tSim, containers, delivered))

        // generate, as a user runs it.
        var generateArgs = ["generate", snap, "--out", out]
        if let jobs { generateArgs += ["--jobs", String(jobs)] }
        var generated: (status: Int32, out: Data, err: String) = (0, Data(), "")
        let tGenerate = try seconds { generated = try runProgram(hookwalk, generateArgs) }
        guard generated.status == 0 else { return fail("hookwalk generate failed: \(generated.err)") }
        let peak = childrenPeakMiB()
        let summary = generated.err.split(separator: "\n").last.map(String.init) ?? ""
        print(String(format: "generate          %7.3f s  (jobs %@; peak memory %.0f MiB)", tGenerate,
                     jobs.map(String.init) ?? "default: \(ProcessInfo.processInfo.activeProcessorCount) cores", peak))
        print("  \(summary)")

        // What it wrote.
        var pages = 0, longest = 0, longestPage = "", bytes = 0
        var dots: [String] = []
        let e = FileManager.default.enumerator(atPath: out)
        while let rel = e?.nextObject() as? String {
            let full = out + "/" + rel
            guard let attrs = try? FileManager.default.attributesOfItem(atPath: full),
                  attrs[.type] as? FileAttributeType == .typeRegular else { continue }
            bytes += (attrs[.size] as? Int) ?? 0
            if rel.hasSuffix(".md"), let data = FileManager.default.contents(atPath: full) {
                pages += 1
                let n = data.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
                if n > longest { longest = n; longestPage = rel }
            }
            if rel.hasSuffix(".dot") { dots.append(full) }
        }
        dots.sort()
        print(String(format: "site              %d pages, longest %d lines (%@), %d diagrams, %.1f MB", pages, longest, longestPage,
                     dots.count, Double(bytes) / 1e6))

        // dot -Tsvg over an even sample of the same .dot files, extrapolated to all.
        var tDot: Double?
        if let dot = which("dot"), !dots.isEmpty {
            let step = max(1, dots.count / max(1, sample))
            let picked = stride(from: 0, to: dots.count, by: step).map { dots[$0] }
            let t = try seconds { for d in picked { try runProgram(dot, ["-Tsvg", d, "-o", "/dev/null"]) } }
            tDot = t / Double(picked.count) * Double(dots.count)
            print(String(format: "dot -Tsvg         %7.3f s  for %d of the %d .dot files, so %.1f s for all of them (one process each, one core)",
                         t, picked.count, dots.count, tDot!))
        }

        // The targets.
        func line(_ ok: Bool, _ what: String) { print("  [\(ok ? "met" : "NOT MET")] \(what)") }
        print("targets (issue 15):")
        if let tNft {
            line(tTextCLI <= 0.5 * tNft, String(format: "parse text <= 0.5x nft -c -f: %.2fx", tTextCLI / tNft))
            line(tJSONCLI <= 0.5 * tNft, String(format: "parse JSON <= 0.5x nft -c -f: %.2fx", tJSONCLI / tNft))
        } else {
            print("  [not measured] parse <= 0.5x nft -c -f: needs root and nft")
        }
        if let tDot { line(tGenerate < tDot, String(format: "generate faster than dot -Tsvg alone: %.1f s vs %.1f s", tGenerate, tDot)) }
        line(longest <= 400, "no page longer than 400 lines: \(longest)")
        line(bytes < 300_000_000, String(format: "site under 300 MB: %.1f MB", Double(bytes) / 1e6))
        line(peak < 1024, String(format: "peak memory under 1 GB: %.0f MiB", peak))
        print("parsing stays linear in the number of chains (issue 14):")
        try benchManyChains()
        return 0
    } catch {
        return fail("\(error)")
    }
}
