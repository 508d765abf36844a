import Foundation
import HookwalkModel

/// `ip-route.json`, the output of `ip -j route show table all` (IPv4 only), and `ip6-route.json`,
/// the output of `ip -6 -j route show table all`.
enum IPRouteFile {
    struct Parsed {
        var routes: [Route]
        var notes: [String]
    }

    static func parse(_ bytes: [UInt8], file: String, ipv6: Bool = false) throws -> Parsed {
        var parsed = Parsed(routes: [], notes: [])
        for node in try SnapshotJSON.parse(bytes, file: file).array() {
            let o = try node.object()
            var gatewayNode = o.optional("gateway")
            var device = try o.optionalString("dev")
            // A multipath route: the model holds one next hop, so the first one stands for all.
            if gatewayNode == nil, let hops = o.optional("nexthops"), let first = try hops.array().first {
                let hop = try first.object()
                gatewayNode = hop.optional("gateway")
                device = try device ?? hop.optionalString("dev")
                parsed.notes.append("\(file): at \(node.path): multipath route, only its first next hop is modelled")
            }
            let gateway = try gatewayNode?.ipAddress()
            let source = try o.optional("prefsrc")?.ipAddress()
            let dstNode = try o.required("dst")
            let destination = try destination(dstNode, v6: ipv6 || (gateway.map { !$0.isV4 } ?? source.map { !$0.isV4 } ?? false))
            parsed.routes.append(Route(
                table: try table(o), type: try type(o), destination: destination,
                device: device, gateway: gateway, preferredSource: source, metric: try o.optionalInt("metric") ?? 0))
        }
        return parsed
    }

    /// `ip` writes `default` instead of `0.0.0.0/0`; the family is not in the JSON, so it comes from
    /// the gateway or source address when there is one.
    private static func destination(_ node: SnapshotJSON, v6: Bool) throws -> IPPrefix {
        let text = try node.string()
        if text == "default" { return v6 ? IPPrefix(.v6(0, 0), 0) : IPPrefix(.v4(0), 0) }
        return try node.ipPrefix()
    }

    /// `ip` leaves out `unicast` and prints the other kernel types by name (`rtnl_rtntype_n2a`), a
    /// number only for one it does not know, which no kernel hookwalk models makes.
    private static func type(_ o: SnapshotJSONObject) throws -> RouteType {
        guard let node = o.optional("type") else { return .unicast }
        let word = try node.string()
        guard let type = RouteType(rawValue: word) else {
            throw node.fail("route type \"\(word)\" is not one the kernel has (" + RouteType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        return type
    }

    /// `ip` prints table names from rt_tables, but a number when the name is unknown.
    private static func table(_ o: SnapshotJSONObject) throws -> String {
        guard let node = o.optional("table") else { return "main" }
        if node.isNumber { return String(try node.int()) }
        return try node.string()
    }
}
