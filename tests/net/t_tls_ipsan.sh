#!/usr/bin/env bash
# TLS certificates for an IP address (--ca, dialled by address): only an IP subjectAltName that
# holds the very address counts, in IPv4 and IPv6 (any spelling of it). A certificate of the
# right CA that carries the address only as its CN, as a DNS name, or under a wildcard, is
# refused before HELLO, by vnetclient -s --ca and by a daemon dialling a HANDLE with --ca, with
# "the certificate is not for ADDRESS"; the daemon dialled never sees the password.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v openssl >/dev/null || vn_die "openssl is needed (apt-get install openssl)"
vn_topology

# IPv6 on the underlay: unique local addresses on the test's own veth.
UL6_A=fd00:76:6e::1
UL6_B=fd00:76:6e::2
for n in gA gB; do
    vn_in "$n" sysctl -qw net.ipv6.conf.ul.disable_ipv6=0
done
vn_ip gA addr add "$UL6_A/64" dev ul nodad
vn_ip gB addr add "$UL6_B/64" dev ul nodad
vn_check "IPv6 underlay: gB reaches $UL6_A" vn_in gB ping -6 -c 1 -W 3 -q "$UL6_A"

vn_section "a CA and certificates for gA in every form"
PKI=$VN_TMP/pki
mkdir -p "$PKI"
(
    cd "$PKI" || exit 1
    ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -days 2 -subj /CN=vnet-test-ca -keyout ca.key -out ca.crt
    mk() { # NAME SUBJECT EXTENSION
        openssl req "${ec[@]}" -subj "$2" -keyout "$1.key" -out "$1.csr"
        printf 'basicConstraints=CA:FALSE\n%s\n' "$3" >"$1.ext"
        openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile "$1.ext" -out "$1.crt"
    }
    mk cnonly "/CN=$UL_A" ""
    mk dnsip "/CN=gwA" "subjectAltName=DNS:$UL_A"
    mk wild "/CN=gwA" "subjectAltName=DNS:*.19.0.1"
    mk cnwild "/CN=*.19.0.1" ""
    mk v6 "/CN=gwA" "subjectAltName=IP:$UL6_A"
    mk v6cn "/CN=$UL6_A" ""
    mk v6dns "/CN=gwA" "subjectAltName=DNS:$UL6_A"
    mk mapped "/CN=gwA" "subjectAltName=DNS:gwa.example,IP:::ffff:$UL_A"
    chmod 600 ./*.key
) >"$VN_TMP/pki.log" 2>&1
vn_check "openssl made the CA and the certificates" test -s "$PKI/mapped.crt"

vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/ca.crt" -h "$UL_B" -p "$PORT" -d eth0

# start_A CERT ADDR: daemon A (-v, so that a HELLO shows as "authenticated") with CERT on ADDR.
start_A() {
    : >"$VN_TMP/vnet-A.log"
    vn_start_daemon A gA "$PASS_A" -v -s --cert "$PKI/$1.crt" --key "$PKI/$1.key" -h "$2" \
        -p "$PORT" -d vmnet1
}
no_hello() { ! grep -q authenticated "$VN_TMP/vnet-A.log"; }
handle_A() { # ADDR: HANDLE through B (-s), which dials A at ADDR with --ca
    vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$1" -e eth0 -f vmnet1 \
        -g local -j "$VM_MAC" "$BCAST"
}

# refused CERT ADDR WHAT: neither vnetclient nor a HANDLE gets past the certificate.
refused() {
    local cert=$1 addr=$2 what=$3
    vn_section "$what: refused for $addr"
    start_A "$cert" "$addr"
    vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$addr" -c devices
    vn_eq "vnetclient -s --ca -h $addr ($what): exit 3" 3 "$VN_RC"
    vn_match "... says the certificate is not for $addr" "certificate is not for $addr" "$VN_ERR"
    handle_A "$addr"
    vn_eq "HANDLE -d $addr through B --ca ($what): NOK (exit 1)" 1 "$VN_RC"
    vn_match "... says the certificate is not for $addr" "certificate is not for $addr" "$VN_ERR"
    vn_check "... no HELLO reached A (no 'authenticated' in its -v log)" no_hello
    vn_stop_daemon A
}

refused cnonly "$UL_A" "CN=$UL_A, no subjectAltName"
refused dnsip "$UL_A" "DNS:$UL_A"
refused wild "$UL_A" "DNS:*.19.0.1"
refused cnwild "$UL_A" "CN=*.19.0.1, no subjectAltName"
refused v6cn "$UL6_A" "CN=$UL6_A, no subjectAltName"
refused v6dns "$UL6_A" "DNS:$UL6_A"

vn_section "IP:$UL6_A: accepted however the address is written"
start_A v6 "$UL6_A"
for addr in "$UL6_A" fd00:76:6e:0:0::1 fd00:0076:006e:0000:0000:0000:0000:0001; do
    vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$addr" -c devices
    vn_eq "vnetclient -s --ca -h $addr: exit 0" 0 "$VN_RC"
    vn_match "... and DEVICES? answers" '^OK devices' "$VN_OUT"
done
: >"$VN_TMP/vnet-A.log"
handle_A fd00:76:6e:0::1
vn_eq "HANDLE -d fd00:76:6e:0::1 through B --ca: exit 0" 0 "$VN_RC"
vn_match "... and A's log shows B's HELLO (authenticated)" authenticated "$(cat "$VN_TMP/vnet-A.log")"
vn_stop_daemon A
vn_stop_daemon B
vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/ca.crt" -h "$UL_B" -p "$PORT" -d eth0

vn_section "IP:::ffff:$UL_A is the IPv4 host $UL_A"
start_A mapped "$UL_A"
vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$UL_A" -c devices
vn_eq "vnetclient -s --ca -h $UL_A: exit 0" 0 "$VN_RC"
: >"$VN_TMP/vnet-A.log"
handle_A "$UL_A"
vn_eq "HANDLE -d $UL_A through B --ca: exit 0" 0 "$VN_RC"
vn_match "... and A's log shows B's HELLO (authenticated)" authenticated "$(cat "$VN_TMP/vnet-A.log")"

vn_finish
