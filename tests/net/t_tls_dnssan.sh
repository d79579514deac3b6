#!/usr/bin/env bash
# TLS certificates for a host name (--ca, dialled by name): only a DNS subjectAltName that is the
# name counts (letters in any case; a wildcard only as the whole left-most label, for exactly one
# label). A certificate of the right CA that carries the name only as its CN, has only IP
# entries, names another host, or has a wildcard elsewhere, is refused before HELLO, by
# vnetclient -s --ca and by a daemon dialling a HANDLE with --ca, with "the certificate is not
# for NAME: it has no DNS subjectAltName NAME"; the daemon dialled never sees the password.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_tls.sh
. "$(dirname "$0")/lib_tls.sh"
vn_require
command -v openssl >/dev/null || vn_die "openssl is needed (apt-get install openssl)"
vn_topology
# gB (vnetclient and daemon B) knows gA's underlay address by these names.
vn_hosts gB "$UL_A gw18 gw18.vnet.test a.gw18.vnet.test"
vn_check "gB resolves gw18 to $UL_A" eval "vn_in gB getent hosts gw18 | grep -q '^$UL_A '"

vn_section "a CA and certificates for gA in every form"
vn_pki_ca
vn_pki_cert cnonly "/CN=gw18" ""
vn_pki_cert iponly "/CN=gw18" "subjectAltName=IP:$UL_A"
vn_pki_cert other "/CN=gw18" "subjectAltName=DNS:gw19"
vn_pki_cert partial "/CN=gw18.vnet.test" "subjectAltName=DNS:gw*.vnet.test"
vn_pki_cert good "/CN=gwA" "subjectAltName=DNS:gw19,DNS:GW18,IP:$UL_A"
vn_pki_cert wild "/CN=gwA" "subjectAltName=DNS:*.vnet.test"
vn_check "openssl made the CA and the certificates" test -s "$PKI/wild.crt"

vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/ca.crt" -h "$UL_B" -p "$PORT" -d eth0

# refused CERT NAME WHAT [REASON]: neither vnetclient nor a HANDLE gets past the certificate.
refused() {
    local cert=$1 name=$2 what=$3 why="certificate is not for $2: it has no DNS subjectAltName $2${4:-}"
    vn_section "$what: refused for $name"
    vn_tls_start_A "$cert" "$UL_A"
    vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$name" -c devices
    vn_eq "vnetclient -s --ca -h $name ($what): exit 3" 3 "$VN_RC"
    vn_match "... says: ${why//\\/}" "$why" "$VN_ERR"
    vn_tls_handle_A "$name"
    vn_eq "HANDLE -d $name through B --ca ($what): NOK (exit 1)" 1 "$VN_RC"
    vn_match "... says: ${why//\\/}" "$why" "$VN_ERR"
    vn_check "... no HELLO reached A (no 'authenticated' in its -v log)" vn_tls_no_hello
    vn_stop_daemon A
}

none=" \\(none at all: a CN does not count\\)"   # a regular expression
refused cnonly gw18 "CN=gw18, no subjectAltName" "$none"
refused iponly gw18 "CN=gw18, IP:$UL_A only" "$none"
refused other gw18 "CN=gw18, DNS:gw19"
refused partial gw18.vnet.test "DNS:gw*.vnet.test"
refused wild a.gw18.vnet.test "DNS:*.vnet.test, two labels in its place"

# accepted CERT NAME...: vnetclient takes each NAME, a HANDLE the first one.
accepted() {
    local cert=$1 name
    shift
    vn_section "$cert certificate: accepted for $*"
    vn_tls_start_A "$cert" "$UL_A"
    for name in "$@"; do
        vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$name" -c devices
        vn_eq "vnetclient -s --ca -h $name: exit 0" 0 "$VN_RC"
        vn_match "... and DEVICES? answers" '^OK devices' "$VN_OUT"
    done
    : >"$VN_TMP/vnet-A.log"
    vn_tls_handle_A "$1"
    vn_eq "HANDLE -d $1 through B --ca: exit 0" 0 "$VN_RC"
    vn_match "... and A's log shows B's HELLO (authenticated)" authenticated \
        "$(cat "$VN_TMP/vnet-A.log")"
    vn_stop_daemon A
    # B keeps the handler it made; a fresh B for what follows.
    vn_stop_daemon B
    vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/ca.crt" -h "$UL_B" -p "$PORT" -d eth0
}

accepted good gw18 GW18 "$UL_A"
accepted wild gw18.vnet.test GW18.VNET.TEST

vn_finish
