/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls.h - TLS 1.3 with wolfSSL: contexts, password-derived keys, certificates
 *
 * Zero-configuration mode: both ends derive a 32-byte external pre-shared key
 * from the password with PBKDF2-HMAC-SHA256 (TLS_KDF_ITERATIONS iterations,
 * salt TLS_KDF_SALT) and run a TLS 1.3 PSK handshake with (EC)DHE key
 * exchange (psk_dhe_ke), so that the session keys have forward secrecy and
 * nobody without the password completes a handshake. Certificate mode: the
 * daemon presents --cert/--key; a client given --ca verifies it instead of
 * offering a key.
 */
#ifndef VNET_TLS_H
#define VNET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_KEY_LEN         32
#define TLS_KDF_ITERATIONS  200000
#define TLS_KDF_SALT        "vnet-tls13-psk-v1"
#define TLS_PSK_IDENTITY    "vnet-1"
#define TLS_HANDSHAKE_MS    10000   /* a handshake must finish within this */

struct tls_options {
	const char *cert;   /* daemon: certificate chain (PEM) */
	const char *key;    /* daemon: its private key (PEM) */
	const char *ca;     /* verify peers against this CA (PEM) instead of a key */
};

/* Derive the pre-shared key of a password; 0 or -EINVAL. Slow on purpose. */
int tls_derive_key(const char *password, uint8_t key[TLS_KEY_LEN]);

/*
 * Set up TLS for this process: a server context if server_key is given (the
 * daemon's own derived key) and a client context. err gets a reason.
 */
int tls_setup(const struct tls_options *o, const uint8_t *server_key, char *err, size_t errlen);
/*
 * The same again with the files as they are now (SIGHUP): the new contexts
 * and key serve the sessions made from now on, those established go on with
 * theirs. If anything fails (err says what), those in use stay. 0 or -EINVAL.
 */
int tls_reload(const struct tls_options *o, const uint8_t *server_key, char *err,
	       size_t errlen);
void tls_cleanup(void);
bool tls_enabled(void);
/* Clients offer a pre-shared key (true) or verify a certificate (--ca given). */
bool tls_client_uses_key(void);

/*
 * An IP address as a certificate is checked against it: 4 bytes for IPv4 and
 * for IPv4-mapped IPv6 (::ffff:a.b.c.d, the same host), 16 for other IPv6.
 */
struct tls_ip {
	uint8_t len;
	uint8_t addr[16];
};

/* A numeric IPv4 or IPv6 address (inet_pton's forms)? false for a host name. */
bool tls_ip_parse(const char *text, struct tls_ip *ip);
/* Is san, the bytes of an iPAddress subjectAltName entry, the address ip? */
bool tls_ip_equal(const struct tls_ip *ip, const uint8_t *san, size_t len);
/*
 * Does the certificate (a WOLFSSL_X509 *, may be NULL) list ip among its IP
 * subjectAltNames? Only those count: not DNS names, not the common name.
 */
bool tls_cert_has_ip(void *x509, const struct tls_ip *ip);

/*
 * Is san, the len bytes of a dNSName subjectAltName entry, the host name
 * host? ASCII letters compare without case, a final dot is ignored on either
 * side. A wildcard counts only as the whole left-most label of at least
 * three ("*.example.net"), and stands for exactly one label of host
 * ("gw18.example.net", not "example.net" nor "a.gw18.example.net"); any
 * other '*' ("gw*.example.net", "*.net", "a.*.net") matches nothing.
 */
bool tls_dns_name_match(const char *host, const char *san, size_t len);

/* What a certificate says about a host name. */
enum tls_name_check {
	TLS_NAME_OK,            /* one of its DNS subjectAltNames is host */
	TLS_NAME_NO_DNS,        /* it has no DNS subjectAltName at all (a CN does not count) */
	TLS_NAME_OTHER,         /* it has DNS subjectAltNames, none for host */
};
/* Only the DNS subjectAltNames count: not the common name, not IP entries. */
enum tls_name_check tls_cert_check_name(void *x509, const char *host);

/* For conn.c: new sessions on the contexts (opaque WOLFSSL pointers). */
void *tls_new_server(void);
void *tls_new_client(void);
/* The server's key for an incoming PSK handshake. */
const uint8_t *tls_server_key(void);

#endif
