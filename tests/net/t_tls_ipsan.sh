#!/usr/bin/env bash
# TLS certificates for an IP address (--ca, dialled by address): only an IP subjectAltName that
# holds the very address counts, in IPv4 and IPv6 (any spelling of it). A certificate of the
# right CA that carries the address only as its CN, as a DNS name, or under a wildcard, is
# refused before HELLO, by vnetclient -s --ca and by a daemon dialling a HANDLE with --ca, with
# "the certificate is not for ADDRESS"; the daemon dialled never sees the password.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_tls.sh
. "$(dirname "$0")/lib_tls.sh"
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
vn_pki_ca
vn_pki_cert cnonly "/CN=$UL_A" ""
vn_pki_cert dnsip "/CN=gwA" "subjectAltName=DNS:$UL_A"
vn_pki_cert wild "/CN=gwA" "subjectAltName=DNS:*.19.0.1"
vn_pki_cert cnwild "/CN=*.19.0.1" ""
vn_pki_cert v6 "/CN=gwA" "subjectAltName=IP:$UL6_A"
vn_pki_cert v6cn "/CN=$UL6_A" ""
vn_pki_cert v6dns "/CN=gwA" "subjectAltName=DNS:$UL6_A"
vn_pki_cert mapped "/CN=gwA" "subjectAltName=DNS:gwa.example,IP:::ffff:$UL_A"
vn_check "openssl made the CA and the certificates" test -s "$PKI/mapped.crt"

vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/ca.crt" -h "$UL_B" -p "$PORT" -d eth0

# refused CERT ADDR WHAT: neither vnetclient nor a HANDLE gets past the certificate.
refused() {
    local cert=$1 addr=$2 what=$3
    vn_section "$what: refused for $addr"
    vn_tls_start_A "$cert" "$addr"
    vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$addr" -c devices
    vn_eq "vnetclient -s --ca -h $addr ($what): exit 3" 3 "$VN_RC"
    vn_match "... says the certificate is not for $addr" "certificate is not for $addr" "$VN_ERR"
    vn_tls_handle_A "$addr"
    vn_eq "HANDLE -d $addr through B --ca ($what): NOK (exit 1)" 1 "$VN_RC"
    vn_match "... says the certificate is not for $addr" "certificate is not for $addr" "$VN_ERR"
    vn_check "... no HELLO reached A (no 'authenticated' in its -v log)" vn_tls_no_hello
    vn_stop_daemon A
}

refused cnonly "$UL_A" "CN=$UL_A, no subjectAltName"
refused dnsip "$UL_A" "DNS:$UL_A"
refused wild "$UL_A" "DNS:*.19.0.1"
refused cnwild "$UL_A" "CN=*.19.0.1, no subjectAltName"
refused v6cn "$UL6_A" "CN=$UL6_A, no subjectAltName"
refused v6dns "$UL6_A" "DNS:$UL6_A"

vn_section "IP:$UL6_A: accepted however the address is written"
vn_tls_start_A v6 "$UL6_A"
for addr in "$UL6_A" fd00:76:6e:0:0::1 fd00:0076:006e:0000:0000:0000:0000:0001; do
    vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$addr" -c devices
    vn_eq "vnetclient -s --ca -h $addr: exit 0" 0 "$VN_RC"
    vn_match "... and DEVICES? answers" '^OK devices' "$VN_OUT"
done
: >"$VN_TMP/vnet-A.log"
vn_tls_handle_A fd00:76:6e:0::1
vn_eq "HANDLE -d fd00:76:6e:0::1 through B --ca: exit 0" 0 "$VN_RC"
vn_match "... and A's log shows B's HELLO (authenticated)" authenticated "$(cat "$VN_TMP/vnet-A.log")"
vn_stop_daemon A
vn_stop_daemon B
vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/ca.crt" -h "$UL_B" -p "$PORT" -d eth0

vn_section "IP:::ffff:$UL_A is the IPv4 host $UL_A"
vn_tls_start_A mapped "$UL_A"
vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$UL_A" -c devices
vn_eq "vnetclient -s --ca -h $UL_A: exit 0" 0 "$VN_RC"
: >"$VN_TMP/vnet-A.log"
vn_tls_handle_A "$UL_A"
vn_eq "HANDLE -d $UL_A through B --ca: exit 0" 0 "$VN_RC"
vn_match "... and A's log shows B's HELLO (authenticated)" authenticated "$(cat "$VN_TMP/vnet-A.log")"

vn_finish
