import HookwalkModel

/// `ip-addr.json`, the output of `ip -j addr show`: the host's interfaces and their addresses.
enum IPAddrFile {
    struct Parsed {
        var interfaces: [Interface]
        /// What the kernel knows about each address beyond the model, for `KernelRoutes`.
        var facts: [KernelRoutes.AddressFacts]
    }

    static func parse(_ bytes: [UInt8], file: String) throws -> Parsed {
        var parsed = Parsed(interfaces: [], facts: [])
        for node in try SnapshotJSON.parse(bytes, file: file).array() {
            let o = try node.object()
            // iproute2 prints `{}` for links that vanish while it lists them; they hold nothing.
            if o.entries.isEmpty { continue }
            let (interface, facts) = try interface(o)
            parsed.interfaces.append(interface)
            parsed.facts += facts
        }
        return parsed
    }

    private static func interface(_ o: SnapshotJSONObject) throws -> (Interface, [KernelRoutes.AddressFacts]) {
        let name = try o.string("ifname")
        let flags = try o.optionalArray("flags").map { try $0.string() }
        let operstate = try o.optionalString("operstate")
        let linkType = try o.optionalString("link_type") ?? "ether"
        // Administratively up is what decides whether the kernel routes through it; operstate says
        // UNKNOWN for lo and for bridges without carrier, which are up all the same.
        let up = flags.contains("UP") || operstate == "UP"
        let loopback = flags.contains("LOOPBACK") || linkType == "loopback"
        var addresses: [InterfaceAddress] = []
        var facts: [KernelRoutes.AddressFacts] = []
        for a in try o.optionalArray("addr_info") {
            let ao = try a.object()
            let family = try ao.optionalString("family")
            // Other families (none today) are not netfilter's business here.
            guard family == nil || family == "inet" || family == "inet6" else { continue }
            let local = try ao.required("local").ipAddress()
            let lengthNode = try ao.required("prefixlen")
            let length = try lengthNode.int()
            guard length >= 0, length <= local.bitWidth else {
                throw lengthNode.fail("prefix length \(length) out of range for \(local)")
            }
            let address = InterfaceAddress(prefix: IPPrefix(local, length), scope: try ao.optionalString("scope") ?? "global")
            addresses.append(address)
            facts.append(KernelRoutes.AddressFacts(
                device: name, address: address, deviceUp: up, loopback: loopback,
                secondary: try ao.optionalBool("secondary") ?? false,
                noPrefixRoute: try ao.optionalBool("noprefixroute") ?? false,
                broadcast: try ao.optional("broadcast")?.ipAddress(),
                metric: try ao.optionalInt("metric") ?? 0))
        }
        let interface = Interface(
            index: try o.int("ifindex"), name: name, linkType: linkType,
            kind: try o.optionalObject("linkinfo")?.optionalString("info_kind"),
            master: try o.optionalString("master"), mac: try o.optionalString("address"),
            up: up, addresses: addresses, linkIndex: try o.optionalInt("link_index"))
        return (interface, facts)
    }
}
