import HookwalkModel

/// `ss-listen.txt`: what `ss -H -ltnup` prints, one socket a line:
/// `tcp LISTEN 0 4096 0.0.0.0:8080 0.0.0.0:* users:(("docker-proxy",pid=812,fd=4))`.
/// Columns: protocol, state, receive and send queues, local address:port, peer, process (only
/// as root). A line that does not have this shape is an error naming its line and column.
public enum SsListenFile {
    public static let fileName = "ss-listen.txt"

    public static func parse(_ text: String, file: String) throws -> [Listener] {
        var out: [Listener] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in lines.enumerated() {
            // Fields with their columns (1-based), split on blanks.
            var fields: [(Substring, Int)] = []
            var i = line.startIndex
            var column = 1
            while i < line.endIndex {
                if line[i] == " " || line[i] == "\t" { i = line.index(after: i); column += 1; continue }
                let start = i, startColumn = column
                while i < line.endIndex, line[i] != " ", line[i] != "\t" { i = line.index(after: i); column += 1 }
                fields.append((line[start..<i], startColumn))
            }
            if fields.isEmpty || fields[0].0.hasPrefix("#") { continue }
            func fail(_ column: Int, _ message: String) -> HookwalkError {
                HookwalkError(file: file, .line(index + 1, column: column), message)
            }
            // A header line (ss without -H) is skipped.
            if fields[0].0 == "Netid" || fields[0].0 == "State" { continue }
            let proto = fields[0].0
            guard proto == "tcp" || proto == "udp" else {
                throw fail(fields[0].1, "expected `tcp` or `udp` (the output of `ss -H -ltnup`), found `\(proto.prefix(40))`")
            }
            guard fields.count >= 6 else {
                throw fail(fields.last!.1 + fields.last!.0.count, "expected protocol, state, two queue sizes, local and peer address (`ss -H -ltnup`)")
            }
            let (local, localColumn) = fields[4]
            guard let colon = local.lastIndex(of: ":") else { throw fail(localColumn, "expected ADDRESS:PORT") }
            let portText = local[local.index(after: colon)...]
            if portText == "*" { continue }    // an unbound UDP socket: no port yet
            guard let port = Int(portText), port >= 0, port <= 65535 else {
                throw fail(localColumn + local.distance(from: local.startIndex, to: colon) + 1, "expected a port number, found `\(portText.prefix(20))`")
            }
            var host = local[..<colon]
            var device: String?
            if let percent = host.lastIndex(of: "%") {
                device = String(host[host.index(after: percent)...])
                host = host[..<percent]
            }
            if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
            var address: IPAddress?
            var wildcard: String?
            switch host {
            case "*": wildcard = "4+6"
            case "0.0.0.0": wildcard = "4"
            case "::": wildcard = "6"
            default:
                guard let a = IPAddress(String(host)) else { throw fail(localColumn, "expected an address, found `\(host.prefix(60))`") }
                address = a
            }
            var process: String?
            if let users = fields.dropFirst(6).first(where: { $0.0.hasPrefix("users:((\"") })?.0 {
                let rest = users.dropFirst(9)
                if let end = rest.firstIndex(of: "\"") { process = String(rest[..<end]) }
            }
            out.append(Listener(proto: String(proto), address: address, wildcard: wildcard, port: port, device: device, process: process))
        }
        return out
    }
}
