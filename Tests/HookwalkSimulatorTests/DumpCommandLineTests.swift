import Foundation
import XCTest

/// Bad input of each iptables dump format (`iptables -S`, `iptables -L`) and of pasted nft text:
/// one located line on stderr, exit 2, nothing on stdout.
extension CommandLineTests {
    func check(_ name: String, _ content: String, mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try snapshot(ruleset: name, content)
        assertCleanFailure(try run(["ruleset", s]), mentions: mentions, file: file, line: line)
    }

    func testSDumpBadInput() throws {
        // truncated: an option without its value
        try check("iptables-S.txt", "-P INPUT ACCEPT\n-A INPUT -s\n", mentions: ["iptables-S.txt:2:"])
        // an unknown option
        try check("iptables-S.txt", "-P INPUT ACCEPT\n-A INPUT --frobnicate 1 -j ACCEPT\n", mentions: ["iptables-S.txt:2:", "frobnicate"])
        // a rule line before its chain
        try check("iptables-S.txt", "-P INPUT ACCEPT\n-A DOCKER -j ACCEPT\n-N DOCKER\n", mentions: ["iptables-S.txt:2:", "DOCKER"])
    }

    func testLListingBadInput() throws {
        let head = "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination\n"
        // truncated: a row cut short
        try check("iptables-L.txt", head + "    0     0 ACCEPT     6    --  *\n", mentions: ["iptables-L.txt:3:", "truncated"])
        // an unknown value in the opt column, an unknown policy
        try check("iptables-L.txt", head + "    0     0 ACCEPT     6    xx  *      *       0.0.0.0/0            0.0.0.0/0\n",
                  mentions: ["iptables-L.txt:3:", "opt"])
        try check("iptables-L.txt", "Chain INPUT (policy MAYBE 0 packets, 0 bytes)\n", mentions: ["iptables-L.txt:1:", "MAYBE"])
        // a rule line before its chain
        try check("iptables-L.txt", "    0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0\n" + head,
                  mentions: ["iptables-L.txt:1:", "before its chain"])
    }
}
