/// A listening socket of the host itself (`ss -H -ltnup`, `ss-listen.txt`): which of its own
/// services the host's input path exposes.
public struct Listener: Sendable, Hashable, Codable {
    /// `tcp` or `udp`.
    public var proto: String
    /// The bound address; nil for a wildcard (`0.0.0.0`, `[::]`, `*`).
    public var address: IPAddress?
    /// For a wildcard: `4` (`0.0.0.0`), `6` (`[::]`, an IPv6-only socket) or `4+6` (`*`, a
    /// dual-stack IPv6 socket); nil for a bound address.
    public var wildcard: String?
    public var port: Int
    /// `%dev` of the local address (`SO_BINDTODEVICE`), if any.
    public var device: String?
    /// The first process of `users:(("sshd",pid=1,fd=3))`, if ss showed one.
    public var process: String?

    public init(proto: String, address: IPAddress?, wildcard: String?, port: Int, device: String? = nil, process: String? = nil) {
        self.proto = proto
        self.address = address
        self.wildcard = wildcard
        self.port = port
        self.device = device
        self.process = process
    }

    /// Whether an IPv4 packet to any address reaches a wildcard socket: not for `[::]`.
    public var v6Only: Bool { wildcard == "6" }
}
