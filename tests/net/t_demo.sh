#!/usr/bin/env bash
# make demo, as a new user runs it: it succeeds, shows both daemons stopping on SIGTERM with
# status 0 and their last log lines, and leaves nothing behind: no vnet or vnetclient process
# (tests/net/leftovers.sh) and none of its network namespaces.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require

vn_section "run the demo"
out=$(VNET="$VNET" VNETCLIENT="$VNETCLIENT" timeout --foreground -k 5 $((120 * VN_SLOW)) \
    bash "$VN_ROOT/tests/demo/demo.sh" </dev/null 2>&1)
rc=$?
printf '%s\n' "$out" >"$VN_TMP/demo.out"
printf '%s\n' "$out" | tail -n 20
vn_eq "the demo exits 0" 0 "$rc"
vn_match "the demo says Done" '^Done\.' "$out"
vn_match "it shows h2 pinging the VM across the bridge" '3 packets transmitted, 3 received' "$out"
n=$(printf '%s\n' "$out" | grep -c "daemon (pid [0-9]*) exited with status 0")
vn_eq "both daemons reported as exited with status 0" 2 "$n"
vn_match "their last log lines are shown (vnet logs 'stopped')" 'vnet.*stopped' "$out"

vn_section "nothing left behind"
left=$(bash "$VN_LIB_DIR/leftovers.sh" "$VNET" "$VNETCLIENT")
vn_eq "no vnet or vnetclient process left running after the demo" "" "$left"
pfx=$(printf '%s\n' "$out" | sed -n 's/.*(ns \(vndemo[0-9]*-\)m44).*/\1/p' | head -n 1)
vn_check "the demo named its namespaces (prefix ${pfx:-none})" test -n "$pfx"
if [ -n "$pfx" ]; then
    ns_left=$(ip netns list | awk '{print $1}' | grep -c "^$pfx")
    vn_eq "none of the demo's namespaces is left" 0 "$ns_left"
fi
vn_finish
