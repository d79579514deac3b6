# shellcheck shell=bash
# tests/net/lib_tls.sh - certificates for the TLS scenarios, sourced after lib.sh.
#
# vn_pki_ca: a CA in $PKI (ca.crt, ca.key). vn_pki_cert NAME SUBJECT EXTENSION: NAME.crt and
# NAME.key, signed by it. Then daemon A (gA) presents one of them (vn_tls_start_A), and daemon B
# (gB, -s --ca, started by the scenario) dials A for a HANDLE (vn_tls_handle_A);
# vn_tls_no_hello tells that no HELLO reached A.

PKI=$VN_TMP/pki
VN_PKI_EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

vn_pki_ca() {
    mkdir -p "$PKI"
    openssl req -x509 "${VN_PKI_EC[@]}" -days 2 -subj /CN=vnet-test-ca -keyout "$PKI/ca.key" \
        -out "$PKI/ca.crt" >>"$VN_TMP/pki.log" 2>&1
}

vn_pki_cert() {
    local p=$PKI/$1
    {
        openssl req "${VN_PKI_EC[@]}" -subj "$2" -keyout "$p.key" -out "$p.csr" &&
            printf 'basicConstraints=CA:FALSE\n%s\n' "$3" >"$p.ext" &&
            openssl x509 -req -in "$p.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
                -CAcreateserial -days 2 -extfile "$p.ext" -out "$p.crt" &&
            chmod 600 "$p.key"
    } >>"$VN_TMP/pki.log" 2>&1
}

# vn_tls_start_A CERT ADDR: daemon A (-v, so that a HELLO shows as "authenticated") with CERT,
# listening on ADDR.
vn_tls_start_A() {
    : >"$VN_TMP/vnet-A.log"
    vn_start_daemon A gA "$PASS_A" -v -s --cert "$PKI/$1.crt" --key "$PKI/$1.key" -h "$2" \
        -p "$PORT" -d vmnet1
}
vn_tls_no_hello() { ! grep -q authenticated "$VN_TMP/vnet-A.log"; }
# vn_tls_handle_A HOST: HANDLE through B (-s), which dials A at HOST (with its --ca).
vn_tls_handle_A() {
    vn_client gB -s -p "$PASS_B" -h "$UL_B" -c handle -b "$PASS_A" -d "$1" -e eth0 -f vmnet1 \
        -g local -j "$VM_MAC" "$BCAST"
}
