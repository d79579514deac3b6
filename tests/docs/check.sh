#!/usr/bin/env bash
# tests/docs/check.sh - the man pages render without warnings; every option that --help shows
# (and every vnetclient command) is in its program's page; every request the daemon accepts
# (src/proto.c) is in vnet-protocol(7); vnet(8) stays a reference (a line budget); and the
# pages name each other in SEE ALSO.
#   bash tests/docs/check.sh [BUILD_DIR]      (default build)
# Prints "ok"/"FAIL" lines and "N passed, N failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${1:-build}
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   - %s\n' "$*"; }
ko() { fail=$((fail + 1)); printf 'FAIL - %s\n' "$*"; }

# The pages, and what each is for (the Makefile installs the same list).
pages="man/vnet.8 man/vnetclient.1 man/vnet.handlers.5 man/vnet-protocol.7 man/vnet-bridging.7
man/vnet-security.7"
# vnet(8) is a reference: at most this many lines as man shows it on an 80-column terminal.
VNET8_BUDGET=400

render() { # PAGE WARNINGS [WIDTH]: the page as a reader sees it (warnings to WARNINGS)
    MANWIDTH=${3:-200} man --warnings -l "$1" 2>"$2" | col -b
}
name_of() { # man/vnet-protocol.7 -> vnet-protocol(7)
    local b=${1##*/}
    printf '%s(%s)' "${b%.*}" "${b##*.}"
}

tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
for page in $pages; do
    [ -f "$page" ] || { ko "$page is missing"; continue; }
    for width in 80 200; do
        render "$page" "$tmp" "$width" >/dev/null
        if [ -s "$tmp" ]; then
            ko "$page renders with warnings at $width columns: $(head -3 "$tmp" | tr '\n' ' ')"
        else
            ok "$page renders without warnings at $width columns"
        fi
    done
    if groff -t -man -ww -z "$page" 2>"$tmp" && [ ! -s "$tmp" ]; then
        ok "$page: groff -ww finds nothing"
    else
        ko "$page: groff -ww: $(head -3 "$tmp" | tr '\n' ' ')"
    fi
done

# vnet(8) stays a reference: detail belongs in the other pages.
n=$(render man/vnet.8 /dev/null 80 | wc -l)
if [ "$n" -le "$VNET8_BUDGET" ]; then
    ok "vnet(8) is $n rendered lines at 80 columns (budget $VNET8_BUDGET)"
else
    ko "vnet(8) is $n rendered lines at 80 columns, over its budget of $VNET8_BUDGET: move detail to vnet-bridging(7), vnet-protocol(7), vnet-security(7) or vnet.handlers(5)"
fi

# Every page names every other page in SEE ALSO (vnetclient(1) names those a client user
# needs: not the handlers file, which only the daemon reads).
see_also() { # PAGE: the rendered SEE ALSO section
    render "$1" /dev/null | sed -n '/^SEE ALSO/,/^[A-Z]/p'
}
for page in $pages; do
    sa=$(see_also "$page")
    for other in $pages; do
        [ "$other" = "$page" ] && continue
        [ "$page" = man/vnetclient.1 ] && [ "$other" = man/vnet.handlers.5 ] && continue
        if grep -qF -- "$(name_of "$other")" <<<"$sa"; then
            ok "$(name_of "$page") SEE ALSO names $(name_of "$other")"
        else
            ko "$(name_of "$page") SEE ALSO does not name $(name_of "$other")"
        fi
    done
done

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

# Every request the daemon parses is documented in vnet-protocol(7) as a term of its own
# (a line that starts with it). The list comes from the parser (the request words compared
# with the first word of a line, or listed in a table), so a new request fails here until
# it is documented; the fixed list guards against a parser that moved.
reqs=$(grep -ohE '(strcasecmp\([^,]+, *"[A-Z]+\??"\)|\{ *"[A-Z]+\??" *,)' src/proto.c 2>/dev/null |
    grep -oE '"[A-Z]+\??"' | tr -d '"' | sort -u)
for r in HELLO DONE DEVICES? HANDLERS? CLOSE HANDLE RHANDLE BEGIN STATS?; do
    grep -qxF -- "$r" <<<"$reqs" || ko "request $r is no longer found in src/proto.c (update this check)"
done
text=$(render man/vnet-protocol.7 /dev/null)
for r in $reqs; do
    if grep -qE -- "^ +$(sed 's/?/\\?/' <<<"$r")( |\$)" <<<"$text"; then
        ok "request $r (src/proto.c) is described in vnet-protocol(7)"
    else
        ko "request $r (src/proto.c) is not described in vnet-protocol(7)"
    fi
done

# The STATS? fields, in the daemon's order (the format of src/handler_stats.c), are those of
# vnet-protocol(7)'s STATS? line and of every example answer in the pages, each defined in
# vnet-protocol(7); a new counter fails here until it is documented everywhere.
fields=$(sed -n '/snprintf(out, cap, "%lu /,/", h->id/p' src/handler_stats.c |
    grep -oE '[a-z_]+=%' | tr -d '=%' | tr '\n' ' ')
fields=${fields% }
if [ -z "$fields" ]; then
    ko "no STATS? field found in src/handler_stats.c (update this check)"
else
    got=$(grep -E '^\\fIid\\fP \\fBstate=' man/vnet-protocol.7 | grep -oE '\\fB[a-z_]+=' |
        sed 's/^\\fB//; s/=$//' | tr '\n' ' ')
    if [ "${got% }" = "$fields" ]; then
        ok "vnet-protocol(7)'s STATS? line has the daemon's fields in its order"
    else
        ko "vnet-protocol(7)'s STATS? line is '${got% }', the daemon sends '$fields'"
    fi
    for page in $pages; do
        while IFS= read -r line; do
            got=$(grep -oE '(^| )[a-z_]+=' <<<"$line" | tr -d ' =' | tr '\n' ' ')
            if [ "${got% }" = "$fields" ]; then
                ok "$(name_of "$page"): a STATS? example has the daemon's fields in its order"
            else
                ko "$(name_of "$page"): a STATS? example has '${got% }', the daemon sends '$fields'"
            fi
        done < <(grep -E '^[0-9]+ state=' "$page")
    done
    # Each field is a term (a .TP head) under STATS? in vnet-protocol(7).
    terms=$(awk '/^\.TP/ { getline; print }' man/vnet-protocol.7)
    for f in $fields; do
        if grep -qE "^\.BR? (.*[ \"])?$f([ \"]|\$)" <<<"$terms"; then
            ok "STATS? field $f is defined in vnet-protocol(7)"
        else
            ko "STATS? field $f is not defined in vnet-protocol(7)"
        fi
    done
fi

# The README is for the person who runs vnet: short, and its first screen shows the commands
# that bridge two networks, the two that set a machine up, and where to read on. Longer material
# lives beside what it describes: tests/bench/README, packaging/README, src/README.
README_BUDGET=250
n=$(wc -l <README)
if [ "$n" -lt "$README_BUDGET" ]; then
    ok "README is $n lines (under $README_BUDGET)"
else
    ko "README is $n lines, not under $README_BUDGET: move detail to tests/bench/README, packaging/README, src/README or a man page"
fi
screen=$(head -n 40 README)
for want in '# vnet ' 'vnetclient .*-c handle' 'make demo' 'make check' $(for p in $pages; do name_of "$p"; echo; done); do
    if grep -qE -- "$(sed 's/[()]/\\&/g' <<<"$want")" <<<"$screen"; then
        ok "the README's first 40 lines show $want"
    else
        ko "the README's first 40 lines do not show $want"
    fi
done
for f in tests/bench/README packaging/README src/README; do
    if [ -s "$f" ] && grep -qF -- "$f" README; then
        ok "$f exists and the README points to it"
    else
        ko "$f is missing, or the README does not point to it"
    fi
done

# src/README's file list names every source file (one line each: "    NAME.c   what it is").
for c in src/*.c; do
    b=${c#src/}
    if grep -qE -- "^ +${b//./\\.} " src/README 2>/dev/null; then
        ok "src/README lists $b"
    else
        ko "src/README does not list $b: add its line to Files"
    fi
done

# The top level stays small: the Makefile, README and LICENSE, the sources, tests, packaging and
# man pages, plus dot-files (where git can tell).
want="LICENSE Makefile README include man packaging src tests"
if top=$(git ls-files 2>/dev/null | cut -d/ -f1 | grep -v '^\.' | sort -u | tr '\n' ' ') &&
    [ -n "$top" ]; then
    if [ "${top% }" = "$want" ]; then
        ok "the top level is: $want"
    else
        ko "the top level is: ${top% } (expected: $want)"
    fi
fi

# No tracker numbers in the documentation or in comments: say what the text means instead.
hits=$(grep -rnIiE 'issue[[:space:]]*#?[[:space:]]*[0-9]' README man src include packaging tests \
    2>/dev/null | head -5)
if [ -z "$hits" ]; then
    ok "no issue numbers in README, man, src, include, packaging, tests"
else
    ko "issue numbers in the tree: $(tr '\n' ' ' <<<"$hits")"
fi

printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
