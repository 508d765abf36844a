import Foundation
import HookwalkModel

/// `ip-rule.json`, the output of `ip -j rule show`, and `ip6-rule.json`, of `ip -6 -j rule show`.
enum IPRuleFile {
    /// Keys that carry no selector (`iif_detached`: the device is gone, the rule still names it).
    static let ignored: Set<String> = ["priority", "src", "srclen", "dst", "dstlen", "fwmark", "fwmask", "iif", "oif", "table",
                                       "goto", "action", "not", "suppress_prefixlen", "iif_detached", "oif_detached", "protocol",
                                       "flags"]

    static func parse(_ bytes: [UInt8], file: String, ipv6: Bool) throws -> [RoutingRule] {
        var rules: [RoutingRule] = []
        for node in try SnapshotJSON.parse(bytes, file: file).array() {
            let o = try node.object()
            let priority = try o.optionalInt("priority") ?? 0
            func prefix(_ key: String, _ lenKey: String) throws -> IPPrefix? {
                guard let n = o.optional(key) else { return nil }
                let s = try n.string()
                if s == "all" { return nil }
                let a = try n.ipAddress()
                guard a.isV4 != ipv6 else { throw n.fail("\(s) is not an \(ipv6 ? "IPv6" : "IPv4") address") }
                let len = try o.optionalInt(lenKey) ?? a.bitWidth
                guard (0...a.bitWidth).contains(len) else { throw (o.optional(lenKey) ?? n).fail("prefix length \(len) out of range") }
                return IPPrefix(a, len)
            }
            func mark(_ key: String) throws -> UInt32? {
                guard let n = o.optional(key) else { return nil }
                let s: String
                if n.isNumber { s = String(try n.int()) } else { s = try n.string() }
                let v = s.hasPrefix("0x") ? UInt32(s.dropFirst(2), radix: 16) : UInt32(s)
                guard let v else { throw n.fail("not a 32-bit mark: \(s)") }
                return v
            }
            let action: RoutingRule.Action
            if let g = o.optional("goto") {
                action = .goto(try g.int())
            } else if let a = try o.optionalString("action") {
                switch a {
                case "unreachable", "prohibit", "blackhole": action = .fail(a)
                case "nop": action = .nop
                default: throw (o.optional("action") ?? node).fail("unknown rule action \(a)")
                }
            } else if let t = o.optional("table") {
                action = .table(t.isNumber ? String(try t.int()) : try t.string())
            } else {
                throw node.fail("a rule without a table, goto or action")
            }
            let suppress = try o.optionalInt("suppress_prefixlen")
            if let s = suppress, !(0...128).contains(s) { throw (o.optional("suppress_prefixlen") ?? node).fail("suppress_prefixlength \(s) out of range") }
            var notModelled: [String] = []
            for key in o.keys.sorted() where !ignored.contains(key) {
                if let v = o.optional(key)?.value {
                    notModelled.append("\(key) \(v.stringValue ?? JSONSerializer.string(v, style: .compact))")
                } else { notModelled.append(key) }
            }
            rules.append(RoutingRule(v4: !ipv6, priority: priority, inverted: o.keys.contains("not"),
                                     source: try prefix("src", "srclen"), destination: try prefix("dst", "dstlen"),
                                     fwmark: try mark("fwmark"), fwmask: try mark("fwmask") ?? 0xffff_ffff,
                                     iif: try o.optionalString("iif"), oif: try o.optionalString("oif"), action: action,
                                     suppressPrefixLength: suppress, notModelled: notModelled))
        }
        return rules
    }
}
