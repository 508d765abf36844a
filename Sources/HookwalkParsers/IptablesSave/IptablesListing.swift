import HookwalkModel

/// What `iptables -S` and `iptables -L` dumps need beyond iptables-save's syntax: which table a
/// block of lines belongs to (neither listing names it), and the shell prompts people paste with.
enum IptListing {
    /// The tables iptables knows, with their builtin chains in listing order.
    static let builtinChains: [(table: String, chains: Set<String>)] = [
        ("filter", ["INPUT", "FORWARD", "OUTPUT"]),
        ("nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]),
        ("mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]),
        ("raw", ["PREROUTING", "OUTPUT"]),
    ]

    /// The table whose builtin chains are exactly `chains` (`-P` lines of `iptables -t T -S`, the
    /// `(policy ...)` chains of `iptables -t T -L`); filter's chains are security's too, so a second
    /// such block is security.
    static func table(of chains: Set<String>, seen: Set<String>) -> String? {
        guard let t = builtinChains.first(where: { $0.chains == chains })?.table else { return nil }
        return t == "filter" && seen.contains("filter") ? "security" : t
    }

    /// A shell prompt or command line pasted with the dump (`# iptables -t nat -S`,
    /// `root@host:~# sudo iptables -L -n -v`): nil when the line is not one, else the table it names
    /// (`filter` when it names none).
    static func promptTable(_ line: String) -> String?? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let i = words.firstIndex(where: { w in
            let base = w.split(separator: "/").last.map(String.init) ?? w
            return ["iptables", "ip6tables", "iptables-nft", "ip6tables-nft", "iptables-legacy", "ip6tables-legacy"].contains(base)
        }) else { return nil }
        // A command of a listing, after a prompt or nothing (not a rule line).
        guard words[..<i].allSatisfy({ !$0.hasPrefix("-") }), words[(i + 1)...].contains(where: { $0.hasPrefix("-") }) || words.count == i + 1 else {
            return nil
        }
        let args = Array(words[(i + 1)...])
        if let t = args.firstIndex(where: { $0 == "-t" || $0 == "--table" }), t + 1 < args.count { return .some(args[t + 1]) }
        if let t = args.first(where: { $0.hasPrefix("--table=") }) { return .some(String(t.dropFirst(8))) }
        return .some(nil)
    }

    /// A pasted command line or bare shell prompt (`root@host:~# `, `[root@h ~]$ sudo ...`, `$`).
    static func isPrompt(_ line: String) -> Bool {
        guard !line.hasPrefix("-") else { return false }
        if promptTable(line) != nil { return true }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return words.prefix(2).contains { w in w.hasSuffix("#") || w.hasSuffix("$") || w.hasSuffix("]#") || w.hasSuffix("]$") }
    }

    /// For each line of an `iptables -S` dump, the table it belongs to: a block of `-P` lines starts
    /// a table (named by a pasted `iptables -t T -S` line before it, else by its builtin chains);
    /// lines before any block belong to `defaultTable`.
    static func tablesOfSLines(_ lines: [String], defaultTable: String, file: String) throws -> [String] {
        var out = [String](repeating: defaultTable, count: lines.count)
        var current = defaultTable
        var seen: Set<String> = []
        var header: String?
        var i = 0
        var previousWasPolicy = false
        var blockEnd = 0
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: " \t")
            if let named = promptTable(line), !line.hasPrefix("-") {
                header = named ?? "filter"
                current = header!
                out[i] = current
                i += 1
                continue
            }
            if line.hasPrefix("-P "), !previousWasPolicy {
                // The block of -P lines: its chains name the table.
                // A chain named twice starts the next table's block (an empty mangle before raw).
                var chains: Set<String> = []
                var j = i
                while j < lines.count, lines[j].trimmingCharacters(in: " \t").hasPrefix("-P ") {
                    let w = lines[j].trimmingCharacters(in: " \t").split(separator: " ")
                    if w.count > 1 {
                        if chains.contains(String(w[1])) { break }
                        chains.insert(String(w[1]))
                    }
                    j += 1
                }
                blockEnd = j
                if let h = header {
                    current = h
                } else if let t = table(of: chains, seen: seen) {
                    current = t
                } else {
                    current = seen.isEmpty ? defaultTable : current
                }
                header = nil
                seen.insert(current)
            }
            previousWasPolicy = line.hasPrefix("-P ") && i + 1 < blockEnd
            out[i] = current
            i += 1
        }
        return out
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
