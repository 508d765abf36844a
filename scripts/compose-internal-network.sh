#!/bin/sh
# Adds a `docker network create --internal` network to a Docker-era fixture by replaying, in a
# scratch network namespace, the firewall calls moby makes for it, and prints the result:
#
#   docker network create --internal backend     (Docker's defaults: bridge br-d89c083e1057, the
#                                                 next free pool 172.18.0.0/16, gateway 172.18.0.1,
#                                                 icc on)
#   docker run --network backend --name db ...;  docker run --network backend --name worker ...
#
# era a (Docker 20.10, iptables; moby v20.10 vendored libnetwork drivers/bridge/setup_ip_tables.go):
#   setupIPTables takes the config.Internal branch, setupInternalNetworkRules:
#     programChainRule(inDropRule)   (-I when absent): -I DOCKER-ISOLATION-STAGE-1 -i BR ! -d SUBNET -j DROP
#     programChainRule(outDropRule)  (-I when absent): -I DOCKER-ISOLATION-STAGE-1 -o BR ! -s SUBNET -j DROP
#     setIcc(icc=true, insert)       -D FORWARD -i BR -o BR -j DROP (fails, ignored), then
#                                    -I FORWARD -i BR -o BR -j ACCEPT when absent
#   then EnsureJumpRule("FORWARD", DOCKER-ISOLATION-STAGE-1) (delete, insert at the top), and
#   libnetwork controller.go NewNetwork ends with arrangeUserFilterRule (firewall_linux.go):
#   EnsureJumpRule("FORWARD", DOCKER-USER). bridge.go isolateNetwork returns early for an internal
#   network (no setINC), setupIPTablesInternal (MASQUERADE, outRule) and ProgramChain are not
#   called, and Join sets no gateway on an internal network's endpoint (so no port mapping).
#   Loaded from Tests/Fixtures/docker-eras/iptables-save/a.iptables-save; output as for era c.
#
# era c (Docker 28.x, iptables backend; moby v28.x libnetwork/drivers/bridge/internal/iptabler/
#   network.go): setupIPTables takes the Internal branch only, setupInternalNetworkRules:
#     programChainRule(inDropRule)   = Rule.Insert: -I DOCKER-ISOLATION-STAGE-1 -i BR ! -d SUBNET -j DROP
#     programChainRule(outDropRule)  = Rule.Insert: -I DOCKER-ISOLATION-STAGE-1 -o BR ! -s SUBNET -j DROP
#     setIcc(icc, internal=true)     = acceptRule.Append: -A DOCKER-FORWARD -i BR -o BR -j ACCEPT
#       (dropRule.Delete and the FORWARD-chain deletions find nothing to delete)
#   No NAT (setupNonInternalNetworkRules, with MASQUERADE and SKIP DNAT, is not called), no
#   DOCKER-CT / DOCKER-BRIDGE / default DROP in DOCKER, no setINC. The endpoints add nothing:
#   endpoint.go filterDirectAccess returns early for an internal network (no raw PREROUTING drop),
#   and no ports are published (the bridge driver's Join gives an internal network's endpoint no
#   gateway, so the sandbox has no gateway endpoint and ProgramExternalConnectivity never runs).
#   Rule.Insert puts a rule at the head of the chain (skipped when present), Rule.Append at the end.
#   Loaded from Tests/Fixtures/docker-eras/iptables-save/c.iptables-save with iptables-nft-restore;
#   output is iptables-nft-save, counters zeroed. IPv4 only (the network has no IPv6).
#
# era c6 (the IPv6 half of era c: `docker network create --internal --ipv6 --subnet fd00:18::/64
#   --gateway fd00:18::1 backend` on a daemon with ip6tables on, the host dual-stack like
#   Tests/Fixtures/docker-eras/iptables-save/c-ipv6-infranet.ip6tables-save). Same moby v28.x
#   iptabler/network.go: ReapplyNetworkLevelRules calls configure for IPv6 too (the network's
#   Config6 prefix is valid), setupIPTables takes the Internal branch, and
#   setupInternalNetworkRules, for a prefix that is not IPv4, writes its two drops with the
#   other direction's interface negated as well:
#     programChainRule(inDropRule)  = Rule.Insert: -I DOCKER-ISOLATION-STAGE-1 -i BR ! -o BR ! -d SUBNET6 -j DROP
#     programChainRule(outDropRule) = Rule.Insert: -I DOCKER-ISOLATION-STAGE-1 ! -i BR -o BR ! -s SUBNET6 -j DROP
#     setIcc(icc, internal=true)    = acceptRule.Append: -A DOCKER-FORWARD -i BR -o BR -j ACCEPT (ip6tables)
#   (so bridged traffic between two endpoints, e.g. from link-local fe80:: addresses outside the
#   subnet, is not dropped). As in IPv4: no ip6 nat rules, no DOCKER-CT / DOCKER-BRIDGE / DOCKER
#   rules, no ip6 raw drops (endpoint.go filterDirectAccess returns early for an internal
#   network), no ports. Loaded from c-ipv6-infranet.ip6tables-save with ip6tables-nft-restore;
#   output is ip6tables-nft-save, counters zeroed. The IPv4 half is era c's output unchanged
#   (c-ipv6-infranet.iptables-save is c.iptables-save).
#
# era d (Docker 29.x, --firewall-backend=nftables; moby daemon/libnetwork/drivers/bridge/internal/
#   nftabler/network.go configure, Internal branch): the four per-bridge chains and their vmap
#   elements as for any network, the conntrack accepts (initialRuleGroup), then
#     filter-forward-in__BR:  iifname != BR counter drop comment "INTERNAL NETWORK INGRESS"  (initialRuleGroup)
#                             counter accept comment "ICC"                                  (fwdInICCRuleGroup)
#     filter-forward-out__BR: oifname != BR counter drop comment "INTERNAL NETWORK EGRESS"   (initialRuleGroup)
#   and nothing in the nat chains (no masquerade; "MASQUERADE FROM HOST" is in the non-internal
#   branch). nftabler/endpoint.go filterDirectAccess also returns early for an internal network.
#   Same layout as moby's integration/network/bridge/nftablesdoc/generated/usernet-internal.md.
#   Applied with nft to Tests/Fixtures/docker-eras/d-docker29-nftables.nft; output is
#   `nft list ruleset` (the ip6 table has no rules for an IPv4-only network and is left as it was).
#
# Usage: scripts/compose-internal-network.sh a|c|c6|d [fixtures-dir] > Tests/HookwalkLabTests/Fixtures/...
# Needs root, ip netns, iptables-nft(-restore/-save) (eras a, c), ip6tables-nft(-restore/-save)
# (era c6) or nft (era d).
set -eu
era=${1:?usage: $0 a|c|c6|d [fixtures-dir]}
fixtures=${2:-Tests/Fixtures}
br=br-d89c083e1057
subnet=172.18.0.0/16
subnet6=fd00:18::/64
ns="hwinternal-compose-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"

iptables=iptables-nft
ipt() { ip netns exec "$ns" "$iptables" -w "$@"; }
# Rule.Insert / Rule.Append (and 20.10's programChainRule): only when the rule is not there yet.
insert() { chain=$1; shift; ipt -C "$chain" "$@" 2>/dev/null || ipt -I "$chain" "$@"; }
append() { chain=$1; shift; ipt -C "$chain" "$@" 2>/dev/null || ipt -A "$chain" "$@"; }
# EnsureJumpRule: delete the jump when present, insert it at the top.
jump_on_top() { ipt -D "$1" -j "$2" 2>/dev/null || true; ipt -I "$1" -j "$2"; }

case "$era" in
a)
    base="$fixtures/docker-eras/iptables-save/a.iptables-save"
    [ -r "$base" ] || { echo "no $base" >&2; exit 1; }
    ip netns exec "$ns" iptables-nft-restore < "$base"
    insert DOCKER-ISOLATION-STAGE-1 -i "$br" ! -d "$subnet" -j DROP
    insert DOCKER-ISOLATION-STAGE-1 -o "$br" ! -s "$subnet" -j DROP
    ipt -D FORWARD -i "$br" -o "$br" -j DROP 2>/dev/null || true
    insert FORWARD -i "$br" -o "$br" -j ACCEPT
    jump_on_top FORWARD DOCKER-ISOLATION-STAGE-1
    jump_on_top FORWARD DOCKER-USER
    echo "# Docker 20.10 (Tests/Fixtures/docker-eras/iptables-save/a.iptables-save) plus an --internal network"
    echo "# 'backend' on $br $subnet (containers db, worker; nothing published). The rules are"
    echo "# moby v20.10 setup_ip_tables.go setupInternalNetworkRules + setIcc + EnsureJumpRule, and"
    echo "# arrangeUserFilterRule, replayed by scripts/compose-internal-network.sh a with iptables-nft in a"
    echo "# scratch netns (see the script's header), then iptables-nft-save. IPv4 only; counters zeroed."
    ip netns exec "$ns" iptables-nft-save | grep -v '^# ' | sed -e 's/\[[0-9]*:[0-9]*\]$/[0:0]/'
    ;;
c)
    base="$fixtures/docker-eras/iptables-save/c.iptables-save"
    [ -r "$base" ] || { echo "no $base" >&2; exit 1; }
    ip netns exec "$ns" iptables-nft-restore < "$base"
    insert DOCKER-ISOLATION-STAGE-1 -i "$br" ! -d "$subnet" -j DROP
    insert DOCKER-ISOLATION-STAGE-1 -o "$br" ! -s "$subnet" -j DROP
    append DOCKER-FORWARD -i "$br" -o "$br" -j ACCEPT
    echo "# Docker 28 (Tests/Fixtures/docker-eras/iptables-save/c.iptables-save) plus an --internal network"
    echo "# 'backend' on $br $subnet (containers db, worker; nothing published). The rules are"
    echo "# moby v28.x iptabler/network.go setupInternalNetworkRules + setIcc(internal=true), replayed by"
    echo "# scripts/compose-internal-network.sh c with iptables-nft in a scratch netns (see the script's"
    echo "# header for the calls and their source), then iptables-nft-save. IPv4 only; counters zeroed."
    ip netns exec "$ns" iptables-nft-save | grep -v '^# ' | sed -e 's/\[[0-9]*:[0-9]*\]$/[0:0]/'
    ;;
c6)
    base="$fixtures/docker-eras/iptables-save/c-ipv6-infranet.ip6tables-save"
    [ -r "$base" ] || { echo "no $base" >&2; exit 1; }
    iptables=ip6tables-nft
    ip netns exec "$ns" ip6tables-nft-restore < "$base"
    insert DOCKER-ISOLATION-STAGE-1 -i "$br" ! -o "$br" ! -d "$subnet6" -j DROP
    insert DOCKER-ISOLATION-STAGE-1 ! -i "$br" -o "$br" ! -s "$subnet6" -j DROP
    append DOCKER-FORWARD -i "$br" -o "$br" -j ACCEPT
    echo "# Docker 28 dual-stack (Tests/Fixtures/docker-eras/iptables-save/c-ipv6-infranet.ip6tables-save) plus"
    echo "# an --internal --ipv6 network 'backend' on $br $subnet6 (containers db, worker; nothing"
    echo "# published). The rules are moby v28.x iptabler/network.go setupInternalNetworkRules (IPv6 form)"
    echo "# + setIcc(internal=true), replayed by scripts/compose-internal-network.sh c6 with ip6tables-nft in"
    echo "# a scratch netns (see the script's header), then ip6tables-nft-save. Counters zeroed."
    ip netns exec "$ns" ip6tables-nft-save | grep -v '^# ' | sed -e 's/\[[0-9]*:[0-9]*\]$/[0:0]/'
    ;;
d)
    base="$fixtures/docker-eras/d-docker29-nftables.nft"
    [ -r "$base" ] || { echo "no $base" >&2; exit 1; }
    ip netns exec "$ns" nft -f "$base"
    t="ip docker-bridges"
    ip netns exec "$ns" nft -f - <<EOF
add chain $t filter-forward-in__$br
add chain $t filter-forward-out__$br
add element $t filter-forward-in-jumps { "$br" : jump filter-forward-in__$br }
add element $t filter-forward-out-jumps { "$br" : jump filter-forward-out__$br }
add chain $t nat-postrouting-in__$br
add element $t nat-postrouting-in-jumps { "$br" : jump nat-postrouting-in__$br }
add chain $t nat-postrouting-out__$br
add element $t nat-postrouting-out-jumps { "$br" : jump nat-postrouting-out__$br }
add rule $t filter-forward-in__$br ct state established,related counter accept
add rule $t filter-forward-in__$br iifname != "$br" counter drop comment "INTERNAL NETWORK INGRESS"
add rule $t filter-forward-in__$br counter accept comment "ICC"
add rule $t filter-forward-out__$br ct state established,related counter accept
add rule $t filter-forward-out__$br oifname != "$br" counter drop comment "INTERNAL NETWORK EGRESS"
EOF
    echo "# Docker 29 nftables backend (Tests/Fixtures/docker-eras/d-docker29-nftables.nft) plus an"
    echo "# --internal network 'backend' on $br $subnet (containers db, worker; nothing published)."
    echo "# The rules are moby docker-v29.x nftabler/network.go configure (Internal branch), applied by"
    echo "# scripts/compose-internal-network.sh d with nft in a scratch netns (see the script's header),"
    echo "# then 'nft list ruleset'."
    ip netns exec "$ns" nft list ruleset
    ;;
*) echo "era must be a, c, c6 or d" >&2; exit 2 ;;
esac
