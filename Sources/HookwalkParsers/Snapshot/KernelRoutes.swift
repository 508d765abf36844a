import HookwalkModel

/// The routes the kernel adds by itself for each address (`fib_add_ifaddr` for IPv4,
/// `addrconf` for IPv6), used when a snapshot has no `ip-route.json`: without them the simulator
/// could not even tell local addresses from forwarded ones.
///
/// Static and default routes cannot be derived; a snapshot without `ip-route.json` has none, and the
/// loader says so in its notes.
enum KernelRoutes {
    struct AddressFacts {
        var device: String
        var address: InterfaceAddress
        var deviceUp: Bool
        var loopback: Bool
        var secondary: Bool
        var noPrefixRoute: Bool
        /// The broadcast address `ip` shows when one was assigned explicitly.
        var broadcast: IPAddress?
        /// The address's route metric (`ip addr add ... metric N`).
        var metric: Int
    }

    /// Main-table routes first, then the local table, each ordered by destination, as
    /// `ip route show table all` lists them.
    static func derive(from facts: [AddressFacts]) -> [Route] {
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
