#!/bin/bash
# Kernel fact behind CompiledRuleset.conntrackV4/V6: conntrack is registered in a network
# namespace per family only when the ruleset asks for it (nf_ct_netns_get), and without it the
# NAT hook returns before its nat chains.
#
# Two scratch namespaces joined by a veth, IPv4 and IPv6 on it. Namespace A gets an ip and an ip6
# nat PREROUTING chain that only count. B sends one IPv4 and one IPv6 datagram: both counters stay
# 0. Then A gets an ip6 filter chain matching `ct state new`, B sends again: the ip6 nat counter
# moves, the ip one does not. The namespaces are removed on exit, even on failure.
# Seen on 6.18: "only nat tables": 0 and 0; "after the ip6 ct rule": ip6 nat 1, ip nat 0.
# With `inet` as argument the `ct state` rule is in an inet table: both counters move (seen: 1, 1).
# (A bridge-family `ct` rule is refused by that kernel, "Protocol error", without nf_conntrack_bridge.)
# Usage (root): scripts/repro-conntrack-per-family.sh [ip6|inet]
set -u
A=hwct-a-$$; B=hwct-b-$$
cleanup() { ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; }
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
ip -n $A link set va up; ip -n $B link set vb up; ip -n $A link set lo up
ip -n $A addr add 2001:db8:9::1/64 dev va nodad; ip -n $B addr add 2001:db8:9::2/64 dev vb nodad
ip -n $A addr add 192.0.2.1/24 dev va; ip -n $B addr add 192.0.2.2/24 dev vb
ip netns exec $A nft -f - <<'NFT'
table ip6 nat {
  chain PREROUTING { type nat hook prerouting priority dstnat; policy accept; counter; }
}
table ip nat {
  chain PREROUTING { type nat hook prerouting priority dstnat; policy accept; counter; }
}
NFT
send() {
    ip netns exec $B python3 -c "
import socket
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'x', ('2001:db8:9::1', $1))
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('192.0.2.1', $1))"
    sleep 0.3
}
counters() { ip netns exec $A nft list ruleset | awk '/^table/ { t = $2 " " $3 } /counter packets/ { print "  " t ": " $0 }'; }
send 7001
echo "only nat tables (nothing uses conntrack):"; counters
ip netns exec $A nft -f - <<NFT
table ${1:-ip6} f {
  chain c { type filter hook input priority 0; policy accept; ct state new counter; }
}
NFT
send 7002
echo "after an ${1:-ip6} 'ct state' rule:"; counters
