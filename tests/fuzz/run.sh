#!/usr/bin/env bash
# tests/fuzz/run.sh - run the libFuzzer targets built by `make fuzz-build` (tests/fuzz/fuzz.mk).
#
#   bash tests/fuzz/run.sh DIR SECONDS NAME...     (make fuzz runs it)
#
# Each DIR/fuzz_NAME runs for SECONDS on a copy of its seed corpus tests/fuzz/corpus/NAME (the
# committed corpus is left as it is), with the largest input that makes sense for it. Prints one
# line a target, then "N passed, N failed"; a failing target shows the end of its log and the
# input that made it fail, kept in DIR/artifacts/NAME/. Exit status 1 when any failed.
set -u

[ $# -ge 3 ] || { echo "usage: run.sh DIR SECONDS NAME..." >&2; exit 2; }
dir=$1
secs=$2
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# max_len NAME: the largest input worth trying.
max_len() {
    case $1 in
        proto) echo 8192 ;;      # a request line (4096) and more
        frame) echo 140000 ;;    # a 64 KiB offloaded frame, twice
        hfile) echo 16384 ;;     # a few lines of up to 4096 bytes
        gso) echo 66000 ;;       # a 64 KiB super-frame and its metadata
        *) echo 4096 ;;
    esac
}

pass=0
fail=0
for t in "$@"; do
    max=$(max_len "$t")
    corpus=$dir/corpus/$t
    art=$dir/artifacts/$t
    log=$dir/fuzz_$t.log
    rm -rf "$corpus" "$art"
    mkdir -p "$corpus" "$art"
    cp "$here/corpus/$t"/* "$corpus/"
    seeds=$(find "$corpus" -type f | wc -l)
    echo "== fuzz_$t: $secs s, -max_len=$max, $seeds seeds"
    if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$dir/fuzz_$t" -max_total_time="$secs" -max_len="$max" \
        -print_final_stats=1 -artifact_prefix="$art/" "$corpus" >"$log" 2>&1; then
        pass=$((pass + 1))
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        echo "   ok: $runs runs, $rate exec/s, corpus $seeds -> $(find "$corpus" -type f | wc -l) (log $log)"
    else
        fail=$((fail + 1))
        echo "   FAILED (log $log):"
        tail -n 60 "$log" | sed 's/^/   | /'
        for a in "$art"/*; do
            [ -f "$a" ] || continue
            echo "   input $a:"
            od -An -tx1 "$a" | head -n 32
        done
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
