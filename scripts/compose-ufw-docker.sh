#!/bin/sh
# Composes the iptables-save (IPv4) of a Docker 28 host with ufw enabled:
#   ufw default deny incoming; ufw default deny routed; ufw allow 22/tcp; ufw enable
# from ufw's own files, without enabling ufw and without touching the root namespace:
#
# 1. A scratch network namespace gets Docker's rules first:
#    Tests/Fixtures/docker-eras/iptables-save/c.iptables-save (Docker inserts its FORWARD jumps
#    at the top, so they end up before ufw's whatever the start order).
# 2. ufw's boot script runs in that namespace: `ufw_start` of /lib/ufw/ufw-init-functions, with
#    DATA_DIR pointing at a private copy of /etc/default/ufw and /etc/ufw (the real before.rules,
#    after.rules, *.init). The copy differs from the installed files only in what the ufw commands
#    above write: ENABLED=yes, DEFAULT_INPUT_POLICY/DEFAULT_FORWARD_POLICY=DROP, and user.rules as
#    ufw's backend (backend_iptables.py, _write_rules, loglevel "low") writes it. IPV6=no (this
#    file is the IPv4 half) and IPT_SYSCTL empty (ufw's sysctls are no rules).
# 3. iptables-nft-save of the namespace, counters zeroed, is the output; the namespace and the copy
#    are removed, even on failure.
#
# Usage: scripts/compose-ufw-docker.sh [fixtures-dir] > Tests/HookwalkLabTests/Fixtures/c-ufw.iptables-save
# Needs root, ip netns, iptables-nft(-restore/-save) and the ufw package (not enabled).
set -eu
fixtures=${1:-Tests/Fixtures}
docker="$fixtures/docker-eras/iptables-save/c.iptables-save"
[ -r "$docker" ] || { echo "no $docker" >&2; exit 1; }
ns="hwufw-compose-$$"
data=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT INT TERM

mkdir -p "$data/etc/default" "$data/etc/ufw"
cp -a /etc/ufw/. "$data/etc/ufw/"
sed -e 's/^DEFAULT_INPUT_POLICY=.*/DEFAULT_INPUT_POLICY="DROP"/' \
    -e 's/^DEFAULT_FORWARD_POLICY=.*/DEFAULT_FORWARD_POLICY="DROP"/' \
    -e 's/^IPV6=.*/IPV6=no/' -e 's/^IPT_SYSCTL=.*/IPT_SYSCTL=/' /etc/default/ufw > "$data/etc/default/ufw"
sed -e 's/^ENABLED=.*/ENABLED=yes/' -e 's/^LOGLEVEL=.*/LOGLEVEL=low/' /etc/ufw/ufw.conf > "$data/etc/ufw/ufw.conf"
# user.rules after `ufw allow 22/tcp` with both default policies deny, loglevel low: the template's
# header and rate-limit chains, the rule's tuple, and the logging rules of _get_logging_rules("low").
cat > "$data/etc/ufw/user.rules" <<'EOF'
*filter
:ufw-user-input - [0:0]
:ufw-user-output - [0:0]
:ufw-user-forward - [0:0]
:ufw-before-logging-input - [0:0]
:ufw-before-logging-output - [0:0]
:ufw-before-logging-forward - [0:0]
:ufw-user-logging-input - [0:0]
:ufw-user-logging-output - [0:0]
:ufw-user-logging-forward - [0:0]
:ufw-after-logging-input - [0:0]
:ufw-after-logging-output - [0:0]
:ufw-after-logging-forward - [0:0]
:ufw-logging-deny - [0:0]
:ufw-logging-allow - [0:0]
:ufw-user-limit - [0:0]
:ufw-user-limit-accept - [0:0]
### RULES ###

### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in
-A ufw-user-input -p tcp --dport 22 -j ACCEPT

### END RULES ###

### LOGGING ###
-A ufw-after-logging-input -j LOG --log-prefix "[UFW BLOCK] " -m limit --limit 3/min --limit-burst 10
-A ufw-after-logging-forward -j LOG --log-prefix "[UFW BLOCK] " -m limit --limit 3/min --limit-burst 10
-I ufw-logging-deny -m conntrack --ctstate INVALID -j RETURN -m limit --limit 3/min --limit-burst 10
-A ufw-logging-deny -j LOG --log-prefix "[UFW BLOCK] " -m limit --limit 3/min --limit-burst 10
-A ufw-logging-allow -j LOG --log-prefix "[UFW ALLOW] " -m limit --limit 3/min --limit-burst 10
### END LOGGING ###

### RATE LIMITING ###
-A ufw-user-limit -m limit --limit 3/minute -j LOG --log-prefix "[UFW LIMIT BLOCK] "
-A ufw-user-limit -j REJECT
-A ufw-user-limit-accept -j ACCEPT
### END RATE LIMITING ###
COMMIT
EOF
chmod +x "$data/etc/ufw/before.init" "$data/etc/ufw/after.init"

ip netns add "$ns"
ip netns exec "$ns" iptables-nft-restore < "$docker"
ip netns exec "$ns" env DATA_DIR="$data" sh -c '. /lib/ufw/ufw-init-functions; ufw_start' >&2
echo "# Docker 28 (Tests/Fixtures/docker-eras/iptables-save/c.iptables-save) with ufw enabled:"
echo "# 'ufw default deny incoming', 'ufw default deny routed', 'ufw allow 22/tcp', loglevel low."
echo "# Composed by scripts/compose-ufw-docker.sh: Docker's rules loaded with iptables-nft-restore in a"
echo "# scratch netns, then ufw's own ufw_start (/lib/ufw/ufw-init-functions) with a private copy of"
echo "# /etc/ufw (before.rules, after.rules as installed; user.rules as ufw writes it for those"
echo "# commands), then iptables-nft-save. IPv4 only; counters zeroed."
ip netns exec "$ns" iptables-nft-save | grep -v '^# ' | sed -e 's/\[[0-9]*:[0-9]*\]$/[0:0]/'
