#!/usr/bin/env bash
# TLS with certificates (vnet -s --cert --key, vnetclient -s --ca, a daemon's --ca for the peers
# it dials), a wrong CA, a certificate of the right CA for another address (refused before any
# HELLO, so the password never reaches that daemon), and handshakes that never complete: each ends within seconds with a
# clear message, and the daemon goes on serving others.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
vn_require
command -v openssl >/dev/null || vn_die "openssl is needed (apt-get install openssl)"
vn_topology

vn_section "a CA, a certificate for each daemon (IP in subjectAltName), and an unrelated CA"
PKI=$VN_TMP/pki
mkdir -p "$PKI"
(
    cd "$PKI" || exit 1
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    openssl req -x509 $ec -days 2 -subj /CN=vnet-test-ca -keyout ca.key -out ca.crt
    openssl req -x509 $ec -days 2 -subj /CN=other-ca -keyout other.key -out other.crt
    for n in A B; do
        if [ $n = A ]; then ip=$UL_A; else ip=$UL_B; fi
        openssl req $ec -subj "/CN=gw$n" -keyout "gw$n.key" -out "gw$n.csr"
        printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:%s\n' "$ip" >"gw$n.ext"
        openssl x509 -req -in "gw$n.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile "gw$n.ext" -out "gw$n.crt"
    done
    # From the same CA, for another address: right CA, wrong daemon.
    openssl req $ec -subj "/CN=elsewhere" -keyout wrong.key -out wrong.csr
    printf 'basicConstraints=CA:FALSE\nsubjectAltName=IP:198.19.0.77\n' >wrong.ext
    openssl x509 -req -in wrong.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile wrong.ext -out wrong.crt
    chmod 600 ./*.key
) >"$VN_TMP/pki.log" 2>&1
vn_check "openssl made the CA and the certificates" test -s "$PKI/gwA.crt" -a -s "$PKI/gwB.crt"

vn_start_daemon A gA "$PASS_A" -s --cert "$PKI/gwA.crt" --key "$PKI/gwA.key" -h "$UL_A" -p "$PORT" -d vmnet1
vn_start_daemon B gB "$PASS_B" -s --cert "$PKI/gwB.crt" --key "$PKI/gwB.key" --ca "$PKI/ca.crt" \
    -h "$UL_B" -p "$PORT" -d eth0

vn_section "certificate mode"
vn_client gB -s --ca "$PKI/ca.crt" -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "vnetclient -s --ca (the right CA): exit 0" 0 "$VN_RC"
vn_match "... and DEVICES? answers" '^OK devices' "$VN_OUT"
vn_client gB -s --ca "$PKI/other.crt" -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "vnetclient -s --ca (a wrong CA): exit 3" 3 "$VN_RC"
vn_match "... says the certificate did not verify" 'verif' "$VN_ERR"
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "a daemon with a certificate still takes key-mode clients: exit 0" 0 "$VN_RC"
vn_client gB -s --ca "$PKI/ca.crt" -p wrong-password -h "$UL_B" -c devices
vn_eq "certificate mode, wrong HELLO password: exit 1" 1 "$VN_RC"
vn_match "... authentication failed" 'authentication failed' "$VN_ERR"

vn_section "daemon to daemon: B verifies A's certificate (--ca)"
vn_check "handle through B (-s, B dials A with --ca)" \
    vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 \
        -g local -j "$VM_MAC" "$BCAST"
vn_eq "... exit 0" 0 "$VN_RC"
vn_check "ping vm -> h1 across the certificate-verified link" vn_ping vm "$H1_IP" 4
vn_stop_daemon B
vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/other.crt" -h "$UL_B" -p "$PORT" -d eth0
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 \
    -g local -j "$VM_MAC" "$BCAST"
vn_eq "B with a wrong CA for its peers: HANDLE answers NOK (exit 1)" 1 "$VN_RC"
vn_match "... the reason names the certificate" 'certificate' "$VN_ERR"

vn_section "a certificate of the same CA, but for another address: refused before HELLO"
vn_stop_daemon A
vn_stop_daemon B
: >"$VN_TMP/vnet-A.log"
vn_start_daemon A gA "$PASS_A" -v -s --cert "$PKI/wrong.crt" --key "$PKI/wrong.key" -h "$UL_A" \
    -p "$PORT" -d vmnet1
vn_start_daemon B gB "$PASS_B" -s --cert "$PKI/gwB.crt" --key "$PKI/gwB.key" --ca "$PKI/ca.crt" \
    -h "$UL_B" -p "$PORT" -d eth0
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 \
    -g local -j "$VM_MAC" "$BCAST"
vn_eq "HANDLE by IP (--ca) to a daemon whose certificate is for 198.19.0.77: NOK (exit 1)" 1 "$VN_RC"
vn_match "... the reason: the certificate is not for $UL_A" "certificate is not for $UL_A" "$VN_ERR"
vn_match "... B's log says so too" "certificate is not for $UL_A" "$(cat "$VN_TMP/vnet-B.log")"
vn_check "... no HELLO reached A (its -v log has no 'authenticated' line)" \
    eval "! grep -q 'authenticated' '$VN_TMP/vnet-A.log'"
vn_client gA -s --ca "$PKI/ca.crt" -p "$PASS_A" -h "$UL_A" -c devices
vn_eq "vnetclient -s --ca by IP to that daemon: exit 3" 3 "$VN_RC"
vn_match "... says the certificate is not for $UL_A" "certificate is not for $UL_A" "$VN_ERR"
vn_check "... and A still saw no HELLO" eval "! grep -q 'authenticated' '$VN_TMP/vnet-A.log'"
vn_stop_daemon A
vn_start_daemon A gA "$PASS_A" -v -s --cert "$PKI/gwA.crt" --key "$PKI/gwA.key" -h "$UL_A" \
    -p "$PORT" -d vmnet1
vn_check "the same HANDLE to A with its own certificate (IP:$UL_A) works" \
    vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$UL_A" -e eth0 -f vmnet1 \
        -g local -j "$VM_MAC" "$BCAST"
vn_eq "... exit 0" 0 "$VN_RC"
vn_match "... and A's log shows B's HELLO (authenticated)" "authenticated" "$(cat "$VN_TMP/vnet-A.log")"
vn_check "ping vm -> h1 across the checked link" vn_ping vm "$H1_IP" 4

vn_section "handshakes that never complete"
# A TCP client that connects to the -s daemon and says nothing: closed within the 10 s limit.
vn_py_checks gB tls_silent_client.py
# A listener that accepts and never answers: vnetclient -s gives up with a message.
vn_bg gB timeout 40 "$VN_PY" "$VN_VNLIB" silent 127.0.0.1 4499 30
SILENT=$VN_BG
sleep 0.5
t0=$(date +%s)
vn_client gB -s -p "$PASS_B" -o 4499 -h 127.0.0.1 -c devices
dt=$(($(date +%s) - t0))
vn_eq "vnetclient -s to a listener that never answers: exit 3" 3 "$VN_RC"
vn_match "... says the TLS handshake timed out" 'timed out' "$VN_ERR"
vn_check "... within 15 s ($dt s)" test "$dt" -le 15
kill "$SILENT" 2>/dev/null
vn_client gB -s -p "$PASS_B" -h "$UL_B" -c devices
vn_eq "the daemon still serves a good client afterwards" 0 "$VN_RC"

vn_finish
