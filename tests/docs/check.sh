#!/usr/bin/env bash
# tests/docs/check.sh - the man pages render without warnings, and every option that
# --help shows (and every vnetclient command) appears in the rendered page.
#   bash tests/docs/check.sh [BUILD_DIR]      (default build)
# Prints "ok"/"FAIL" lines and "N passed, N failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   - %s\n' "$*"; }
ko() { fail=$((fail + 1)); printf 'FAIL - %s\n' "$*"; }

render() { # PAGE: the page as a reader sees it (warnings to stderr)
    MANWIDTH=200 man --warnings -l "$1" 2>"$2" | col -b
}

for page in man/vnet.8 man/vnetclient.1; do
    render "$page" /tmp/vnet-docs.$$ >/dev/null
    if [ -s /tmp/vnet-docs.$$ ]; then
        ko "$page renders with warnings: $(head -3 /tmp/vnet-docs.$$ | tr '\n' ' ')"
    else
        ok "$page renders without warnings"
    fi
    if groff -man -ww -z "$page" 2>/tmp/vnet-docs.$$ && [ ! -s /tmp/vnet-docs.$$ ]; then
        ok "$page: groff -ww finds nothing"
    else
        ko "$page: groff -ww: $(head -3 /tmp/vnet-docs.$$ | tr '\n' ' ')"
    fi
done
rm -f /tmp/vnet-docs.$$

check_options() { # PROGRAM PAGE
    local text opts o
    text=$(render "$2" /dev/null)
    opts=$("$1" --help | grep -oE '(^|[[ ])--?[a-z][a-z-]*' | sed 's/^[[ ]//' | sort -u)
    [ -n "$opts" ] || { ko "$1 --help shows no option"; return; }
    for o in $opts; do
        if grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" <<<"$text"; then
            ok "$(basename "$1") $o is in $2"
        else
            ko "$(basename "$1") $o (from --help) is missing from $2"
        fi
    done
}
check_options "$build/vnet" man/vnet.8
check_options "$build/vnetclient" man/vnetclient.1

# The commands vnetclient --help lists are documented too.
text=$(render man/vnetclient.1 /dev/null)
for c in echo handlers devices stats close handle; do
    if "$build/vnetclient" --help | grep -qE "^ +$c( |\$)" && grep -qE "(^|[^a-z])$c([^a-z]|\$)" <<<"$text"; then
        ok "command $c: in --help and in man/vnetclient.1"
    else
        ko "command $c: missing from --help or from man/vnetclient.1"
    fi
done

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
