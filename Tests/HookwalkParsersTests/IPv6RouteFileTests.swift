import Foundation
import HookwalkModel
import HookwalkParsers
import XCTest

/// `ip route show table all` lists IPv4 only, so IPv6 routes come from `ip6-route.json`
/// (`ip -6 -j route show table all`), where `default` means `::/0`.
final class IPv6RouteFileTests: XCTestCase {
    func testIPv6RoutesAreRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hw-v6routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let addr = """
            [{"ifindex":2,"ifname":"eth0","flags":["UP"],"operstate":"UP","link_type":"ether","addr_info":[
              {"family":"inet","local":"192.0.2.1","prefixlen":24,"scope":"global"},
              {"family":"inet6","local":"2001:db8::1","prefixlen":64,"scope":"global"}]}]
            """
        let v4 = #"[{"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.1","flags":[]}]"#
        let v6 = #"[{"dst":"2001:db8::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[]},{"dst":"default","gateway":"fe80::1","dev":"eth0","metric":1024,"flags":[]},{"type":"local","dst":"2001:db8::1","table":"local","dev":"eth0","flags":[]}]"#
        try addr.write(to: dir.appendingPathComponent("ip-addr.json"), atomically: true, encoding: .utf8)
        try v4.write(to: dir.appendingPathComponent("ip-route.json"), atomically: true, encoding: .utf8)
        try v6.write(to: dir.appendingPathComponent("ip6-route.json"), atomically: true, encoding: .utf8)
        try "table inet t {\n}\n".write(to: dir.appendingPathComponent("nft-ruleset.nft"), atomically: true, encoding: .utf8)
        let host = try SnapshotLoader.load(path: dir.path).host
        let six = host.routes.filter { !$0.destination.address.isV4 }
        XCTAssertEqual(six.count, 3)
        let def = try XCTUnwrap(six.first { $0.destination.length == 0 })
        XCTAssertEqual(def.destination.address, IPAddress("::"))
        XCTAssertEqual(def.gateway, IPAddress("fe80::1"))
        XCTAssertEqual(six.first { $0.table == "local" }?.type, .local)
        // The listing has no local table: the kernel's local and broadcast routes are derived.
        XCTAssertEqual(host.routes.filter { $0.destination.address.isV4 }.map { "\($0.table) \($0.type) \($0.destination)" },
                       ["main unicast 192.0.2.0/24", "local local 192.0.2.1/32", "local broadcast 192.0.2.255/32"])
    }
}
