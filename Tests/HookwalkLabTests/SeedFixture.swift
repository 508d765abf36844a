import Foundation
import HookwalkLab
import HookwalkSimulator
import HookwalkModel
import HookwalkTestSupport

/// Reads the earlier lab's fixtures for the seed host, so the tests compare against what that lab
/// recorded rather than against numbers copied into the tests.
enum SeedFixture {
    /// `Tests/Fixtures/seed-centos8`: the snapshot, and the first lab's recording in `first-oracle/`.
    static var dir: String { TestPaths.fixture("seed-centos8") }

    /// A file of the first lab's recording (`raw-trace.txt`, `summary.txt`; see Tests/Fixtures/README.md).
    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: "\(dir)/first-oracle/\(name)", encoding: .utf8)
    }

    /// One event as summary.txt shows it: `ip nat PREROUTING packet iif=ens192 ...`,
    /// `ip nat DOCKER rule 9 accept`, `ip nat POSTROUTING policy accept`.
    struct Event: Hashable, CustomStringConvertible {
        var family: String, table: String, chain: String
        var kind: String
        var handle: Int?
        var verdict: String?
        var packet: String?
        var description: String {
            "\(family) \(table) \(chain) \(kind)" + (handle.map { " #\($0)" } ?? "") + (verdict.map { " \($0)" } ?? "")
                + (packet.map { " \($0)" } ?? "")
        }
    }

    struct Scenario {
        var name: String
        var request: [Event] = []
        var reply: [Event] = []
        var header: String = ""
    }

    static func collapse(_ s: Substring) -> String { s.split(separator: " ").joined(separator: " ") }

    /// Parses summary.txt: `== name`, `  [request]`/`  [reply]`, packet lines indented by 4
    /// (`family table chain   packet fields`), rule/policy lines by 8 (`chain rule #N -> verdict   text`).
    static func summary() throws -> [Scenario] {
        var out: [Scenario] = []
        var side = ""
        var family = "", table = ""
        for line in try text("summary.txt").split(separator: "\n") {
            if line.hasPrefix("== ") {
                out.append(Scenario(name: String(line.dropFirst(3).split(separator: " ")[0])))
                continue
            }
            if line.hasPrefix("  server got") { out[out.count - 1].header = String(line); continue }
            if line.hasPrefix("  [") { side = line.contains("request") ? "request" : "reply"; continue }
            var ev: Event
            if line.hasPrefix("        ") {
                let body = line.drop(while: { $0 == " " })
                let words = body.split(separator: " ", omittingEmptySubsequences: true)
                let chain = String(words[0])
                guard let arrow = body.range(of: " -> ") else { continue }
                let after = body[arrow.upperBound...]
                let verdict = after.components(separatedBy: "   ")[0].trimmingCharacters(in: .whitespaces)
                if words[1] == "rule" {
                    let h = Int(words[2].dropFirst())
                    ev = Event(family: family, table: table, chain: chain, kind: "rule", handle: h, verdict: verdict)
                } else {
                    ev = Event(family: family, table: table, chain: chain, kind: "policy", verdict: verdict)
                }
            } else if line.hasPrefix("    ") {
                let body = line.drop(while: { $0 == " " })
                if body.hasPrefix("(no traced") { continue }
                let words = body.split(separator: " ", maxSplits: 3)
                family = String(words[0]); table = String(words[1])
                ev = Event(family: family, table: table, chain: String(words[2]), kind: "packet",
                           packet: collapse(words.count > 3 ? words[3] : ""))
            } else {
                continue
            }
            if side == "request" { out[out.count - 1].request.append(ev) } else { out[out.count - 1].reply.append(ev) }
        }
        return out
    }

    /// The same shape from parsed trace lines.
    static func events(_ lines: [TraceLine]) -> [Event] {
        lines.map { l in
            switch l.kind {
            case .packet(let p):
                return Event(family: l.family.rawValue, table: l.table, chain: l.chain, kind: "packet", packet: p.description)
            case .rule(let h, let v, _):
                return Event(family: l.family.rawValue, table: l.table, chain: l.chain, kind: "rule", handle: h, verdict: v)
            case .policy(let p):
                return Event(family: l.family.rawValue, table: l.table, chain: l.chain, kind: "policy", verdict: p)
            }
        }
    }
}
