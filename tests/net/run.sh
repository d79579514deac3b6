#!/usr/bin/env bash
# tests/net/run.sh - run the vnet network-namespace scenarios (tests/net/t_*.sh).
#
#   bash tests/net/run.sh [SCENARIO...]     e.g. run.sh seed_scenario t_errors t_protocol.sh
#
# Each scenario runs in its own bash process. The report is TAP, as the kernel selftests print it:
# "TAP version 13", the plan "1..N" (the scenarios, then the check for leftover processes), one
# "ok N - name", "ok N - name # SKIP reason" or "not ok N - name" line a scenario (a failure
# followed by its FAIL lines and the tail of its log as "#" comments), "# ..." notes, and last
# the line "N passed, N failed, N skipped" (scenarios; the leftover check counts as one more
# failure when it fails). A scenario skips (exit status 4) when it cannot run here: not root, or
# no working "ip netns". Exit status 1 when any scenario failed, else 0 (also when some were
# skipped).
# Environment: VNET, VNETCLIENT (default build/vnet, build/vnetclient of the repository, resolved
# to absolute paths), VNET_WRAP (optional command prefix for both programs, e.g. valgrind),
# VN_SCENARIO_TIMEOUT (seconds per scenario, default 150; 5x under VNET_WRAP).
# Needs root (network namespaces); without it every scenario is skipped. Logs are kept in a temporary directory printed at the end.
# After each scenario, and once more at the end, no process of $VNET or $VNETCLIENT may still run
# (tests/net/leftovers.sh): a scenario that leaves one behind fails, naming it.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
abs() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$root/$1" ;;
    esac
}
VNET=$(abs "${VNET:-build/vnet}")
VNETCLIENT=$(abs "${VNETCLIENT:-build/vnetclient}")
VNET_WRAP=${VNET_WRAP:-}
export VNET VNETCLIENT VNET_WRAP

limit=${VN_SCENARIO_TIMEOUT:-150}
[ -n "$VNET_WRAP" ] && [ -z "${VN_SCENARIO_TIMEOUT:-}" ] && limit=$((limit * 5))

# The scenarios to run: all of them, or the ones named (with or without t_ and .sh).
scripts=()
if [ $# -eq 0 ]; then
    for f in "$here"/t_*.sh; do
        [ -e "$f" ] && scripts+=("$f")
    done
else
    for a in "$@"; do
        n=${a##*/}
        n=${n%.sh}
        n=${n#t_}
        if [ -f "$here/t_$n.sh" ]; then
            scripts+=("$here/t_$n.sh")
        else
            echo "run.sh: no scenario named '$a' (tests/net/t_$n.sh)" >&2
            exit 2
        fi
    done
fi

# One run at a time per build: the check for leftover processes (below) would take another
# run's daemons for this one's.
if command -v flock >/dev/null && [ -d "$(dirname "$VNET")" ]; then
    exec 9>"$(dirname "$VNET")/.netns-run.lock"
    if ! flock -n 9; then
        echo "run.sh: another run of the netns tests uses $VNET; wait for it to end" >&2
        exit 2
    fi
fi

logdir=$(mktemp -d /tmp/vnet-netns.XXXXXX)
export VN_LOGDIR="$logdir"
# Every namespace of this run starts with vnPID- (PID of this runner).
export VN_RUN_PREFIX="vn$$-"
passed=0
failed=0
skipped=0
failed_names=()
child=""
# sweep: remove what a scenario left behind when it could not clean up itself (killed after its
# time limit): the processes inside this run's namespaces (by pid), then the namespaces.
sweep() {
    local ns p
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        case $ns in "$VN_RUN_PREFIX"*) ;; *) continue ;; esac
        echo "# run.sh: removing leftover namespace $ns"
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
        rm -rf -- "/etc/netns/$ns"
    done
}
on_signal() {
    trap - INT TERM
    # The scenario's own trap tears its namespaces down; sweep() catches the rest.
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    sweep
    echo "Bail out! run.sh: interrupted"
    echo "$passed passed, $((failed + 1)) failed, $skipped skipped"
    exit 130
}
trap on_signal INT TERM

echo "TAP version 13"
echo "1..$((${#scripts[@]} + 1))"
echo "# vnet netns tests: vnet=$VNET vnetclient=$VNETCLIENT${VNET_WRAP:+ wrap=\"$VNET_WRAP\"}"
n=0
for f in "${scripts[@]}"; do
    n=$((n + 1))
    name=$(basename "$f" .sh)
    log="$logdir/$name.log"
    start=$(date +%s)
    timeout -k 60 "$limit" bash "$f" >"$log" 2>&1 </dev/null &
    child=$!
    wait "$child"
    rc=$?
    child=""
    sweep >>"$log"
    # Every scenario stops what it started: a vnet or vnetclient still running now is a leak
    # (named in the log, then killed so that the next scenario does not inherit it).
    if ! bash "$here/leftovers.sh" --kill "$VNET" "$VNETCLIENT" >"$logdir/leftovers" 2>&1; then
        { echo "FAIL - processes left running after the scenario:"; cat "$logdir/leftovers"; } >>"$log"
        [ "$rc" -eq 0 ] && rc=3
    fi
    secs=$(( $(date +%s) - start ))
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok $n - $name"
    elif [ "$rc" -eq 4 ]; then
        skipped=$((skipped + 1))
        why=$(sed -n 's/^RESULT: SKIP [^ ]* (\(.*\))$/\1/p' "$log" | tail -n 1)
        echo "ok $n - $name # SKIP ${why:-no reason given}"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        [ "$rc" -eq 124 ] && echo "  (timed out after ${limit}s)" >>"$log"
        echo "not ok $n - $name"
        echo "#   exit $rc after ${secs}s"
        grep '^FAIL - ' "$log" | head -n 20 | sed 's/^/#   /'
        echo "#   --- last lines of $log:"
        tail -n 40 "$log" | sed 's/^/#   /'
    fi
done

n=$((n + 1))
if bash "$here/leftovers.sh" "$VNET" "$VNETCLIENT" >"$logdir/leftovers" 2>&1; then
    echo "ok $n - no vnet or vnetclient left running"
else
    failed=$((failed + 1))
    failed_names+=("leftover-processes")
    echo "not ok $n - no vnet or vnetclient left running"
    sed 's/^/#   /' "$logdir/leftovers"
fi
echo "# logs: $logdir"
[ "$failed" -gt 0 ] && echo "# failed: ${failed_names[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
