import HookwalkModel
@testable import HookwalkParsers
import XCTest

/// `ss-listen.txt` (`ss -H -ltnup`): the host's listening sockets.
final class SsListenFileTests: XCTestCase {
    func testParsesWhatSsPrints() throws {
        let text = """
            tcp   LISTEN 0      4096         0.0.0.0:8080       0.0.0.0:*    users:(("docker-proxy",pid=812,fd=4))
            udp   UNCONN 0      0            0.0.0.0:1812       0.0.0.0:*    users:(("docker-proxy",pid=901,fd=4))
            tcp   LISTEN 0      128             [::]:22            [::]:*    users:(("sshd",pid=1,fd=4))
            tcp   LISTEN 0      128                *:9100             *:*
            tcp   LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*    users:(("systemd-resolve",pid=5,fd=14))
            udp   UNCONN 0      0      10.254.10.252%ens192:68  0.0.0.0:*
            tcp   LISTEN 0      4096   [fe80::1]%ens192:179      [::]:*
            udp   UNCONN 0      0            0.0.0.0:*          0.0.0.0:*

            """
        let l = try SsListenFile.parse(text, file: "ss-listen.txt")
        XCTAssertEqual(l.count, 7, "the unbound UDP socket (port *) is no listener")
        XCTAssertEqual(l[0], Listener(proto: "tcp", address: nil, wildcard: "4", port: 8080, process: "docker-proxy"))
        XCTAssertEqual(l[1].proto, "udp")
        XCTAssertEqual(l[2].wildcard, "6")
        XCTAssertTrue(l[2].v6Only)
        XCTAssertEqual(l[3].wildcard, "4+6")
        XCTAssertNil(l[3].process)
        XCTAssertEqual(l[4].address, IPAddress("127.0.0.53"))
        XCTAssertEqual(l[4].device, "lo")
        XCTAssertEqual(l[5].address, IPAddress("10.254.10.252"))
        XCTAssertEqual(l[6].address, IPAddress("fe80::1"))
        XCTAssertEqual(l[6].device, "ens192")
    }

    func testBadLinesNameTheirPlace() {
        for (text, expected) in [
            ("tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\nraw UNCONN 0 0 *:1 *:*", "ss-listen.txt:2:1: expected `tcp` or `udp`"),
            ("tcp LISTEN 0 128 0.0.0.0:x22 0.0.0.0:*", "ss-listen.txt:1:26: expected a port number"),
            ("tcp LISTEN 0 128 nonsense:22 0.0.0.0:*", "ss-listen.txt:1:18: expected an address"),
            ("tcp LISTEN 0 128", "ss-listen.txt:1:17: expected protocol, state"),
            ("tcp LISTEN 0 128 0.0.0.0:70000 0.0.0.0:*", "ss-listen.txt:1:26: expected a port number"),
        ] {
            XCTAssertThrowsError(try SsListenFile.parse(text, file: "ss-listen.txt")) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }
}
