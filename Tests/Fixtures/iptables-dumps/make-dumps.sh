#!/bin/sh
# Remakes the iptables listings of this folder: loads ../docker-eras/iptables-save/c.iptables-save
# and c.ip6tables-save (Docker 28's rules) with iptables-nft-restore into a scratch network
# namespace and lists them the ways people paste them. Run as root from this folder.
set -eu
ns=hw-dumps-$$
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT INT TERM
nsx() { ip netns exec "$ns" "$@"; }
nsx iptables-nft-restore < ../docker-eras/iptables-save/c.iptables-save
nsx ip6tables-nft-restore < ../docker-eras/iptables-save/c.ip6tables-save
for t in filter nat; do
    nsx iptables-nft -t "$t" -S > "iptables-S-$t.txt"
    nsx ip6tables-nft -t "$t" -S > "ip6tables-S-$t.txt"
done
# all tables in one file, as `for t in ...; do iptables -t $t -S; done` prints them
for t in filter nat mangle raw; do nsx iptables-nft -t "$t" -S; done > iptables-S.txt
for t in filter nat mangle raw; do nsx ip6tables-nft -t "$t" -S; done > ip6tables-S.txt
nsx iptables-nft -L -n -v > iptables-L-n-v.txt
nsx iptables-nft -t nat -L -n -v > iptables-t-nat-L-n-v.txt
nsx iptables-nft -L -n -v --line-numbers -x > iptables-L-n-v-line-numbers-x.txt
nsx iptables-nft -L -n > iptables-L-n.txt
nsx ip6tables-nft -L -n -v > ip6tables-L-n-v.txt
for t in filter nat; do nsx iptables-nft -t "$t" -L -n -v; done > iptables-L.txt
for t in filter nat; do nsx ip6tables-nft -t "$t" -L -n -v; done > ip6tables-L.txt
