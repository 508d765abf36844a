import HookwalkModel

/// `sysctl.txt`: what `sysctl KEY...` prints, `key = value` per line (the sysctl.conf syntax).
enum SysctlFile {
    static func parse(_ text: String, file: String) throws -> [String: String] {
        var values: [String: String] = [:]
        // "\r\n" is one Character in Swift, so a file saved on Windows needs it named as a separator.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            func fail(at position: Substring.Index, _ message: String) -> HookwalkError {
                HookwalkError(file: file, .line(lineNumber, column: line.distance(from: line.startIndex, to: position) + 1), message)
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw fail(at: trimmed.startIndex, "expected `key = value`")
            }
            let keyPart = trimmed[..<equals]
            let key = keyPart.trimmingSuffix { $0 == " " || $0 == "\t" }
            if key.isEmpty { throw fail(at: equals, "missing key before '='") }
            if let space = key.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                throw fail(at: space, "a key has no spaces: expected `key = value`")
            }
            let value = trimmed[trimmed.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
                .trimmingSuffix { $0 == " " || $0 == "\t" }
            values[dotted(String(key))] = String(value)
        }
        return values
    }
}

extension SysctlFile {
    /// sysctl also accepts `net/ipv4/ip_forward`; there, dots stand for themselves (a VLAN
    /// `eth0.5`), so it swaps the two separators. The model uses the dotted name.
    static func dotted(_ key: String) -> String {
        guard let first = key.first(where: { $0 == "." || $0 == "/" }), first == "/" else { return key }
        return String(key.map { $0 == "/" ? "." : $0 == "." ? "/" : $0 })
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
