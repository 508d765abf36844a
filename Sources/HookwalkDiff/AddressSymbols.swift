import HookwalkModel

/// Names for the addresses of one host, so that the same rule on two hosts compares equal when
/// only the addresses differ: `ip daddr 172.20.0.4` on one host and `ip daddr 172.21.0.9` on the
/// other both read `ip daddr <radius@infranet>` when they are radius's address on its network.
///
/// Containers and networks are named by what the user calls them; host addresses by their
/// interface; external clients by their position in the client list (the sides may use
/// different default clients).
struct AddressSymbols: Sendable {
    private(set) var names: [String: String] = [:]

    init(host: HostModel, clients: [IPAddress]) {
        for i in host.interfaces {
            for (n, a) in i.addresses.enumerated() {
                let suffix = i.addresses.count > 1 ? " \(n + 1)" : ""
                names[a.address.description] = "<\(i.name) address\(suffix)>"
                if let network = IPPrefix("\(a.prefix.network)/\(a.prefix.length)") {
                    names[network.description] = "<\(i.name) subnet\(suffix)>"
                }
            }
        }
        // Docker's names win over interface names: a bridge's address is its network's gateway.
        for net in host.docker.networks {
            for s in net.subnets { names[s.description] = "<subnet \(net.name)>" }
            for g in net.gateways { names[g.description] = "<gateway \(net.name)>" }
        }
        for c in host.docker.containers {
            for e in c.endpoints {
                for a in [e.ipv4, e.ipv6].compactMap({ $0 }) { names[a.description] = "<\(c.name)@\(e.network)>" }
            }
        }
        for (n, c) in clients.enumerated() { names[c.description] = "<client \(n + 1)>" }
    }

    /// `text` with every address or prefix this host names replaced by its name. Addresses are
    /// found as whole runs of address characters, so `172.20.0.2` never matches inside
    /// `172.20.0.25`; `a.b.c.d:port` (nft's `dnat to`) keeps its port.
    func normalize(_ text: String) -> String {
        guard !names.isEmpty else { return text }
        var out = ""
        var run = ""
        func flush() {
            defer { run = "" }
            if let n = names[run] { out += n; return }
            if run.contains("."), let colon = run.firstIndex(of: ":"), let n = names[String(run[..<colon])] {
                out += n + run[colon...]
                return
            }
            out += run
        }
        for ch in text {
            if ch.isHexDigit || ch == "." || ch == ":" || ch == "/" { run.append(ch) } else {
                flush()
                out.append(ch)
            }
        }
        flush()
        return out
    }
}
