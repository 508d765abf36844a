/// The routes the kernel adds by itself for each address (`fib_add_ifaddr` for IPv4,
/// `addrconf` for IPv6): the one derivation of them. The loader uses it when a snapshot has no
/// `ip-route.json` (without them the simulator could not even tell local addresses from
/// forwarded ones) and to complete a listing that leaves some out (`completing`); the simulator
/// uses it for a host built in code without routes, from what the model knows of each address.
///
/// Static and default routes cannot be derived; a snapshot without `ip-route.json` has none, and the
/// loader says so in its notes.
public enum KernelRoutes {
    /// What the kernel's derivation reads of one address. `ip -j addr` says all of it; a model
    /// built in code says what `facts(of:)` can tell.
    public struct AddressFacts: Sendable, Hashable {
        public var device: String
        public var address: InterfaceAddress
        public var deviceUp: Bool
        public var loopback: Bool
        public var secondary: Bool
        public var noPrefixRoute: Bool
        /// The broadcast address `ip` shows when one was assigned explicitly.
        public var broadcast: IPAddress?
        /// The address's route metric (`ip addr add ... metric N`).
        public var metric: Int

        public init(device: String, address: InterfaceAddress, deviceUp: Bool, loopback: Bool, secondary: Bool = false,
                    noPrefixRoute: Bool = false, broadcast: IPAddress? = nil, metric: Int = 0) {
            self.device = device
            self.address = address
            self.deviceUp = deviceUp
            self.loopback = loopback
            self.secondary = secondary
            self.noPrefixRoute = noPrefixRoute
            self.broadcast = broadcast
            self.metric = metric
        }
    }

    /// The facts the model holds of each address: none is secondary, none has `noprefixroute`, an
    /// explicit broadcast or a metric (the model does not keep those; `ip -j addr` does).
    public static func facts(of interfaces: [Interface]) -> [AddressFacts] {
        interfaces.flatMap { i in
            i.addresses.map { AddressFacts(device: i.name, address: $0, deviceUp: i.up, loopback: i.isLoopback) }
        }
    }

    /// `routes` with the kernel's own routes a listing leaves out: `ip route show table all`
    /// lists IPv4 only, so without an IPv6 route the IPv6 ones are derived; and the local table
    /// always holds the host's own addresses, so a listing without IPv4 local routes (plain `ip
    /// route show`) gets them, which would otherwise make those addresses look remote.
    public static func completing(_ routes: [Route], with facts: [AddressFacts]) -> [Route] {
        let hasV6 = routes.contains { !$0.destination.address.isV4 }
        let hasLocalV4 = routes.contains { $0.table == "local" && $0.destination.address.isV4 }
        if hasV6 && hasLocalV4 { return routes }
        return routes + derive(from: facts).filter {
            $0.destination.address.isV4 ? !hasLocalV4 && $0.table == "local" : !hasV6
        }
    }

    /// Main-table routes first, then the local table, each ordered by destination, as
    /// `ip route show table all` lists them.
    public static func derive(from facts: [AddressFacts]) -> [Route] {
        var routes: [Route] = []
        func add(_ r: Route) { if !routes.contains(r) { routes.append(r) } }
        for f in facts {
            let a = f.address.address, length = f.address.prefix.length
            if a.isV4 {
                // The local route exists even while the device is down; the rest only once it is up.
                add(Route(table: "local", type: .local, destination: IPPrefix(a, 32), device: f.device, preferredSource: a))
                guard f.deviceUp else { continue }
                if let b = f.broadcast, b != .v4(.max) {
                    add(Route(table: "local", type: .broadcast, destination: IPPrefix(b, 32), device: f.device, preferredSource: a))
                }
                let network = a.masked(length)
                guard network != .v4(0), !f.secondary, network != a || length < 32 else { continue }
                if !f.noPrefixRoute {
                    add(f.loopback
                        ? Route(table: "local", type: .local, destination: IPPrefix(network, length), device: f.device,
                                preferredSource: a, metric: f.metric)
                        : Route(table: "main", type: .unicast, destination: IPPrefix(network, length), device: f.device,
                                preferredSource: a, metric: f.metric))
                }
                if length < 31, case .v4(let n) = network {
                    let hostBits: UInt32 = UInt32.max >> UInt32(length)
                    add(Route(table: "local", type: .broadcast, destination: IPPrefix(.v4(n | hostBits), 32), device: f.device,
                              preferredSource: a))
                }
            } else {
                guard f.deviceUp else { continue }
                add(Route(table: "local", type: .local, destination: IPPrefix(a, 128), device: f.device))
                if !f.noPrefixRoute, length < 128, !f.loopback {
                    add(Route(table: "main", type: .unicast, destination: IPPrefix(a.masked(length), length), device: f.device,
                              metric: f.metric == 0 ? 256 : f.metric))
                }
            }
        }
        let main = routes.filter { $0.table == "main" }, local = routes.filter { $0.table == "local" }
        return main.sorted(by: order) + local.sorted(by: order)
    }

    private static func order(_ x: Route, _ y: Route) -> Bool {
        if x.destination.address != y.destination.address { return x.destination.address < y.destination.address }
        if x.destination.length != y.destination.length { return x.destination.length < y.destination.length }
        return (x.device ?? "") < (y.device ?? "")
    }
}
