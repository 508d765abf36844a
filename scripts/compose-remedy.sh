#!/bin/sh
# Applies a finding's remedy command to a ruleset in a scratch network namespace and prints the
# ruleset as the kernel lists it back: `iptables-save` (its date comments left out) or
# `nft list ruleset`. Nothing outside the namespace changes; the namespace goes even on failure.
# usage: sudo scripts/compose-remedy.sh iptables-save|nft RULESET_FILE 'COMMAND'
# (VerifyRemedyTests runs it and compares with the committed Tests/HookwalkLabTests/Fixtures/remedy-*.)
set -eu
format=$1 file=$2 command=$3
ns=hwremedy$$
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT INT TERM
case $format in
    iptables-save)
        ip netns exec "$ns" iptables-nft-restore < "$file"
        ip netns exec "$ns" sh -ec "$command"
        ip netns exec "$ns" iptables-save | grep -v '^#' ;;
    nft)
        ip netns exec "$ns" nft -f "$file"
        ip netns exec "$ns" sh -ec "$command"
        ip netns exec "$ns" nft list ruleset ;;
    *) echo "usage: $0 iptables-save|nft RULESET_FILE 'COMMAND'" >&2; exit 2 ;;
esac
