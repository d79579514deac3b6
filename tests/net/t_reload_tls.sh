#!/usr/bin/env bash
# SIGHUP reads the certificate and key again (vnet -s --cert --key): A presents a certificate of
# one CA, B (-s --ca) dials it for a handler; the files are replaced by a certificate of another
# CA and A gets SIGHUP: a new client checks A against the new CA and not the old one, while the
# handler established before goes on (the same id, frames still pass). A certificate file that
# no longer loads, then a key file that is gone: the reload fails, saying why, and A goes
# on presenting the certificate it had.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/net/lib_tls.sh
. "$(dirname "$0")/lib_tls.sh"
vn_require
command -v openssl >/dev/null || vn_die "openssl is needed (apt-get install openssl)"
vn_topology

vn_section "two CAs, a certificate of each for A's address"
for n in 1 2; do
    vn_pki_ca || vn_die "CA $n"
    vn_pki_cert "gwA$n" "/CN=gwA$n" "subjectAltName=IP:$UL_A" || vn_die "certificate $n"
    mv "$PKI/ca.crt" "$PKI/ca$n.crt"
    mv "$PKI/ca.key" "$PKI/ca$n.key"
done
cp "$PKI/gwA1.crt" "$PKI/live.crt"
cp "$PKI/gwA1.key" "$PKI/live.key"
chmod 600 "$PKI/live.key"
: >"$VN_TMP/vnet-A.log"
vn_start_daemon A gA "$PASS_A" -s --cert "$PKI/live.crt" --key "$PKI/live.key" -h "$UL_A" \
    -p "$PORT" -d vmnet1
vn_start_daemon B gB "$PASS_B" -s --ca "$PKI/ca1.crt" -h "$UL_B" -p "$PORT" -d eth0
vn_tls_handle_A "$UL_A"
vn_match "B's handler to A (checked against CA 1)" '^OK [0-9]+$' "$VN_OUT"
vn_check "ping vm -> h1 through it" vn_ping vm "$H1_IP" 3
VN_QUERY_OPTS=(-s --ca "$PKI/ca1.crt")
vn_query gB "$UL_A" "$PASS_A" handlers
vn_eq "A lists the handler" 1 "$VN_COUNT"
BEFORE=$VN_LINES

# hup: SIGHUP to A, wait (bounded) until it logs the outcome.
hup() {
    local n
    n=$(grep -c "reload [0-9]* \(done\|failed\)" "$VN_TMP/vnet-A.log")
    kill -HUP "${VN_DPID[A]}"
    vn_wait_until 20 eval "[ \"\$(grep -c 'reload [0-9]* \(done\|failed\)' \"\$VN_TMP/vnet-A.log\")\" -gt $n ]" ||
        vn_fail "A logs no reload outcome"
    RELOAD_LOG=$(grep "reload [0-9]* \(done\|failed\)" "$VN_TMP/vnet-A.log" | tail -n 1)
    vn_log "A: $RELOAD_LOG"
}

vn_section "the files replaced by CA 2's certificate: SIGHUP"
cp "$PKI/gwA2.crt" "$PKI/live.crt"
cp "$PKI/gwA2.key" "$PKI/live.key"
hup
vn_match "A: reload 1 done" "reload 1 done: TLS certificates and keys read again" "$RELOAD_LOG"
vn_client gB -s --ca "$PKI/ca2.crt" -p "$PASS_A" -h "$UL_A" -c devices
vn_eq "a new client that trusts CA 2 gets in" 0 "$VN_RC"
vn_client gB -s --ca "$PKI/ca1.crt" -p "$PASS_A" -h "$UL_A" -c devices
vn_check "a new client that trusts only CA 1 is refused" test "$VN_RC" != 0
vn_check "the handler established before goes on: ping vm -> h1" vn_ping vm "$H1_IP" 3
VN_QUERY_OPTS=(-s --ca "$PKI/ca2.crt")
vn_query gB "$UL_A" "$PASS_A" handlers
vn_eq "... A lists it, the same" "$BEFORE" "$VN_LINES"

vn_section "a certificate that does not load, a key file gone: nothing changes"
printf 'not a certificate\n' >"$PKI/live.crt"
hup
vn_match "A: reload 2 failed, saying why" \
    "reload 2 failed, nothing changed: TLS: cannot load the certificate $PKI/live.crt" "$RELOAD_LOG"
cp "$PKI/gwA2.crt" "$PKI/live.crt"
rm "$PKI/live.key"
hup
vn_match "A: reload 3 failed, saying why" \
    "reload 3 failed, nothing changed: TLS: cannot load the private key $PKI/live.key" "$RELOAD_LOG"
vn_client gB -s --ca "$PKI/ca2.crt" -p "$PASS_A" -h "$UL_A" -c devices
vn_eq "A still presents CA 2's certificate to a new client" 0 "$VN_RC"
vn_check "the handler goes on: ping vm -> h1" vn_ping vm "$H1_IP" 3

vn_finish
