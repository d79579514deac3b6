#!/usr/bin/env bash
# tests/net/leftovers.sh - fail when a process of the given programs is still running.
#
#   bash tests/net/leftovers.sh [--kill] PROGRAM...
#
# A process counts when its executable is PROGRAM, or when one of its arguments is PROGRAM's
# absolute path (a program run under valgrind or another wrapper). Each one found is named on
# standard output ("leftover: PID PROGRAM ARGS"); with --kill it is then killed (SIGKILL), so that
# the next test does not inherit it. Exit status 1 when any was found, 0 otherwise.
set -u

kill_them=0
if [ "${1:-}" = --kill ]; then
    kill_them=1
    shift
fi
[ $# -gt 0 ] || { echo "usage: leftovers.sh [--kill] PROGRAM..." >&2; exit 2; }

progs=()
for p in "$@"; do
    progs+=("$(realpath -m -- "$p")")
done

found=0
for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = "$$" ] && continue
    exe=$(readlink "$dir/exe" 2>/dev/null) || exe=""
    exe=${exe% (deleted)}
    # The arguments, NUL-separated; the process may be gone by now.
    mapfile -d '' -t args < <(cat "$dir/cmdline" 2>/dev/null)
    [ ${#args[@]} -gt 0 ] || continue
    hit=""
    for p in "${progs[@]}"; do
        if [ "$exe" = "$p" ]; then
            hit=$p
        else
            for a in "${args[@]}"; do [ "$a" = "$p" ] && hit=$p; done
        fi
        [ -n "$hit" ] && break
    done
    [ -n "$hit" ] || continue
    found=1
    # The daemon wipes its password argument; squeeze what is left into one line.
    echo "leftover: pid $pid $(printf '%s ' "${args[@]}" | tr -s ' ' | cut -c1-200)"
    [ "$kill_them" = 1 ] && kill -KILL "$pid" 2>/dev/null
done
exit "$found"
