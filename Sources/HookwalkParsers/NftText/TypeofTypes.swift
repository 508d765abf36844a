import HookwalkModel

/// The datatype names that `nft -j` prints for a `typeof` set key, so that text and JSON give
/// the same `NamedSet.keyType`.
enum TypeofTypes {
    static func datatype(of e: Expr) -> String {
        switch e {
        case .payload(let proto, let field):
            switch (proto, field) {
            case ("ip", "saddr"), ("ip", "daddr"), ("arp", "saddr ip"), ("arp", "daddr ip"): return "ipv4_addr"
            case ("ip6", "saddr"), ("ip6", "daddr"): return "ipv6_addr"
            case (_, "sport"), (_, "dport"): return "inet_service"
            case ("ip", "protocol"), ("ip6", "nexthdr"): return "inet_proto"
            case ("ether", "saddr"), ("ether", "daddr"), ("arp", "saddr ether"), ("arp", "daddr ether"): return "ether_addr"
            case ("ether", "type"), ("vlan", "type"): return "ether_type"
            case ("tcp", "flags"): return "tcp_flag"
            case ("icmp", "type"): return "icmp_type"
            case ("icmpv6", "type"): return "icmpv6_type"
            case ("icmp", "code"): return "icmp_code"
            case ("icmpv6", "code"): return "icmpv6_code"
            case ("ip", "dscp"), ("ip6", "dscp"): return "dscp"
            case ("ip", "ecn"), ("ip6", "ecn"): return "ecn"
            default: return "integer"
            }
        case .meta(let key):
            switch key {
            case "iifname", "oifname", "ibrname", "obrname", "sdifname": return "ifname"
            case "iif", "oif", "sdif": return "iface_index"
            case "mark": return "mark"
            case "l4proto": return "inet_proto"
            case "protocol": return "ether_type"
            case "nfproto": return "nf_proto"
            case "pkttype": return "pkt_type"
            case "iiftype", "oiftype": return "iface_type"
            case "skuid": return "uid"
            case "skgid": return "gid"
            case "iifgroup", "oifgroup": return "devgroup"
            case "cpu": return "integer"
            case "secmark": return "integer"
            case "day": return "day"
            case "hour": return "hour"
            case "time": return "time"
            case "cgroup": return "cgroupv2"
            case "realm", "rtclassid": return "realm"
            default: return "integer"
            }
        case .ct(let key, _, _):
            switch key {
            case "state": return "ct_state"
            case "status": return "ct_status"
            case "mark": return "mark"
            case "direction": return "ct_dir"
            case "ip saddr", "ip daddr": return "ipv4_addr"
            case "ip6 saddr", "ip6 daddr": return "ipv6_addr"
            case "l3proto": return "nf_proto"
            case "protocol": return "inet_proto"
            case "proto-src", "proto-dst": return "inet_service"
            case "label": return "ct_label"
            case "event": return "ct_event"
            case "helper": return "string"
            default: return "integer"
            }
        case .fib(let result, _):
            switch result {
            case "oif": return "iface_index"
            case "oifname": return "ifname"
            case "type": return "fib_addrtype"
            default: return "integer"
            }
        default:
            return "integer"
        }
    }
}
