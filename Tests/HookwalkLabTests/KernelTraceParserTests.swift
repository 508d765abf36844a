import HookwalkLab
import HookwalkSimulator
import HookwalkModel
import XCTest

final class KernelTraceParserTests: XCTestCase {
    func testPacketLineWithoutIPProtocolTakesItFromTransportHeader() throws {
        let line = #"trace id 2a038b00 ip nat PREROUTING packet: iif "ens192" ether saddr d2:ea:50:8f:66:d2 ip saddr 10.254.10.105 ip daddr 10.254.10.252 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 33352 ip length 60 tcp sport 41001 tcp dport 8080 tcp flags == syn tcp window 64240 "#
        let l = try XCTUnwrap(KernelTraceParser.parseLine(line))
        XCTAssertEqual(l.traceID, "2a038b00")
        XCTAssertEqual(l.family, .ip)
        XCTAssertEqual(l.table, "nat")
        XCTAssertEqual(l.chain, "PREROUTING")
        XCTAssertEqual(l.kind, .packet(PacketFields(iif: "ens192", saddr: IPAddress("10.254.10.105"), daddr: IPAddress("10.254.10.252"),
                                                    proto: "tcp", sport: 41001, dport: 8080, tcpFlags: 0x02, ipID: 33352)))
    }

    func testRulePolicyAndSimulatedLinesWithoutTraceID() throws {
        let r = try XCTUnwrap(KernelTraceParser.parseLine(
            "ip firewalld nat_POSTROUTING_ZONES rule goto nat_POST_public # handle 7 (verdict goto nat_POST_public)"))
        XCTAssertNil(r.traceID)
        XCTAssertEqual(r.kind, .rule(handle: 7, verdict: "goto nat_POST_public", text: "goto nat_POST_public"))
        let p = try XCTUnwrap(KernelTraceParser.parseLine("trace id 2a038b00 ip nat POSTROUTING policy accept "))
        XCTAssertEqual(p.kind, .policy("accept"))
    }

    func testIPv6AndUnknownTokens() throws {
        let l = try XCTUnwrap(KernelTraceParser.parseLine(
            #"trace id 1 ip6 filter INPUT packet: iif "eth0" oif "lo" meta mark 0x00000001 ip6 saddr fd00::1 ip6 daddr fd00::2 ip6 dscp cs0 ip6 flowlabel 0 ip6 nexthdr udp ip6 length 20 udp sport 5000 udp dport 53 udp length 20 frobnicate 7 "#))
        guard case .packet(let f) = l.kind else { return XCTFail("not a packet line") }
        XCTAssertEqual(f.saddr, IPAddress("fd00::1"))
        XCTAssertEqual(f.proto, "udp")
        XCTAssertEqual(f.oif, "lo")
        XCTAssertNil(f.ipID)
        XCTAssertEqual(f.dport, 53)
    }

    func testCommentsAndOddLinesAreNotEvents() {
        let r = KernelTraceParser.parse("# scenario: x\n\ntrace id 1 ip filter FORWARD return \nnot a trace line\n")
        XCTAssertEqual(r.lines, [])
        XCTAssertEqual(r.skipped.count, 2)
    }

    func testTCPFlagSpellings() {
        XCTAssertEqual(TCPFlags.parse("syn"), 0x02)
        XCTAssertEqual(TCPFlags.parse("0x12"), 0x12)
        XCTAssertEqual(TCPFlags.parse("syn,ack"), 0x12)
        XCTAssertEqual(TCPFlags.parse("syn | ack"), 0x12)
    }
}
