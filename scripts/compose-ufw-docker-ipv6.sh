#!/bin/sh
# Composes both halves (iptables-save and ip6tables-save) of a dual-stack Docker 28 host with ufw
# enabled, IPV6=yes:
#   ufw default deny incoming; ufw default deny routed; ufw allow 22/tcp; ufw enable
# without enabling ufw on this machine and without touching the root namespace:
#
# 1. A scratch network namespace gets Docker 28's rules for an IPv6-enabled network first:
#    Tests/Fixtures/docker-eras/iptables-save/c-ipv6-infranet.{iptables,ip6tables}-save (Docker
#    inserts its FORWARD jumps at the top, so they end up before ufw's whatever the start order).
# 2. ufw itself runs in that namespace: the four commands above, each as
#    `ufw --rootdir=/ --datadir=DATA ...` (/usr/sbin/ufw's relocation options). DATA is a private
#    copy of /etc/default/ufw and /etc/ufw (before*.rules, after*.rules, user*.rules, *.init as
#    installed), so ufw writes its settings and user.rules/user6.rules there (backend_iptables.py
#    _write_rules) and `enable` runs /lib/ufw/ufw-init --datadir DATA start (ufw_start of
#    /lib/ufw/ufw-init-functions), which loads them with iptables/ip6tables in the namespace.
#    The one change to the copy before ufw runs: IPT_SYSCTL empty (ufw's sysctls are no rules).
#    The installed /etc/default/ufw has IPV6=yes; the script checks it.
# 3. iptables-nft-save and ip6tables-nft-save of the namespace, counters zeroed, are the output,
#    with `nft list ruleset ip6` of the same state (what the parser's translation of the ip6
#    half is checked against); the namespace and the copy are removed, even on failure.
#
# Usage: scripts/compose-ufw-docker-ipv6.sh [fixtures-dir] [out-dir]
#   writes out-dir/c-ipv6-ufw.iptables-save, out-dir/c-ipv6-ufw.ip6tables-save and
#   out-dir/c-ipv6-ufw.ip6.nft (default out-dir: Tests/HookwalkLabTests/Fixtures).
# Needs root, ip netns, iptables-nft(-restore/-save), ip6tables-nft(-restore/-save) and the ufw
# package installed (not enabled).
set -eu
fixtures=${1:-Tests/Fixtures}
out=${2:-Tests/HookwalkLabTests/Fixtures}
saves="$fixtures/docker-eras/iptables-save"
for f in c-ipv6-infranet.iptables-save c-ipv6-infranet.ip6tables-save; do
    [ -r "$saves/$f" ] || { echo "no $saves/$f" >&2; exit 1; }
done
[ -d "$out" ] || { echo "no directory $out" >&2; exit 1; }
grep -q '^IPV6=yes$' /etc/default/ufw || { echo "/etc/default/ufw does not say IPV6=yes" >&2; exit 1; }
ns="hwufw6-compose-$$"
data=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$data/etc/default" "$data/etc/ufw" "$data/lib/ufw"
cp -a /etc/ufw/. "$data/etc/ufw/"
sed -e 's/^IPT_SYSCTL=.*/IPT_SYSCTL=/' /etc/default/ufw > "$data/etc/default/ufw"

ip netns add "$ns"
ip netns exec "$ns" iptables-nft-restore < "$saves/c-ipv6-infranet.iptables-save"
ip netns exec "$ns" ip6tables-nft-restore < "$saves/c-ipv6-infranet.ip6tables-save"
ufw() { ip netns exec "$ns" /usr/sbin/ufw --rootdir=/ --datadir="$data" "$@" >&2; }
ufw default deny incoming
ufw default deny routed
ufw allow 22/tcp
ufw --force enable
grep -q '^ENABLED=yes$' "$data/etc/ufw/ufw.conf" || { echo "ufw did not enable in its copy" >&2; exit 1; }

header() {
    echo "# Docker 28 with an IPv6-enabled network (Tests/Fixtures/docker-eras/iptables-save/"
    echo "# c-ipv6-infranet.$1) and ufw enabled with IPV6=yes: 'ufw default deny incoming',"
    echo "# 'ufw default deny routed', 'ufw allow 22/tcp', 'ufw enable' (loglevel low)."
    echo "# Composed by scripts/compose-ufw-docker-ipv6.sh: Docker's rules loaded with $2-nft-restore"
    echo "# in a scratch netns, then ufw 0.36.2 itself run there on a private copy of /etc/ufw and"
    echo "# /etc/default/ufw (--rootdir=/ --datadir=COPY; before6/after6.rules as installed, user6.rules"
    echo "# as ufw wrote it), then $2-nft-save. $3 half; counters zeroed."
}
# Written to temporary files first so a failure leaves no half-written fixture behind.
{ header iptables-save iptables IPv4
  ip netns exec "$ns" iptables-nft-save | grep -v '^# ' | sed -e 's/\[[0-9]*:[0-9]*\]$/[0:0]/'; } > "$data/v4"
{ header ip6tables-save ip6tables IPv6
  ip netns exec "$ns" ip6tables-nft-save | grep -v '^# ' | sed -e 's/\[[0-9]*:[0-9]*\]$/[0:0]/'; } > "$data/v6"
{ echo "# nft 1.0.6's listing (nft list ruleset ip6) of the state c-ipv6-ufw.ip6tables-save was saved from,"
  echo "# made by scripts/compose-ufw-docker-ipv6.sh in the same scratch netns."
  ip netns exec "$ns" nft list ruleset ip6 | grep -v '^# Warning: table ip6 .* is managed by iptables-nft' \
    | sed -e 's/counter packets [0-9]* bytes [0-9]*/counter packets 0 bytes 0/'; } > "$data/nft"
grep -q '^-A ufw6-user-input -p tcp -m tcp --dport 22 -j ACCEPT$' "$data/v6" || { echo "no ufw6 rule for 22/tcp" >&2; exit 1; }
cp "$data/v4" "$out/c-ipv6-ufw.iptables-save"
cp "$data/v6" "$out/c-ipv6-ufw.ip6tables-save"
cp "$data/nft" "$out/c-ipv6-ufw.ip6.nft"
