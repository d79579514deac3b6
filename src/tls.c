// SPDX-License-Identifier: GPL-2.0-or-later
/* tls.c - TLS 1.3 contexts with wolfSSL, password-derived pre-shared keys, certificate checks */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/openssl/x509v3.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/pwdbased.h>

#include "vnet/common.h"
#include "vnet/log.h"
#include "vnet/tls.h"

/* ChaCha20-Poly1305 first: Debian's wolfSSL has no AES-NI (about 2.5x faster here). */
#define TLS_CIPHERS "TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-GCM-SHA256"
#define TLS_SUITE   "TLS13-CHACHA20-POLY1305-SHA256"

static WOLFSSL_CTX *server_ctx, *client_ctx;
static uint8_t server_key[TLS_KEY_LEN];
static bool have_server_key, client_key_mode;

int tls_derive_key(const char *password, uint8_t key[TLS_KEY_LEN])
{
	size_t len = strlen(password);

	if (len == 0 || len > VNET_PASSWORD_MAX)
		return -EINVAL;
	if (wc_PBKDF2(key, (const byte *)password, (int)len, (const byte *)TLS_KDF_SALT,
		      (int)strlen(TLS_KDF_SALT), TLS_KDF_ITERATIONS, TLS_KEY_LEN, WC_SHA256) != 0)
		return -EINVAL;
	return 0;
}

/* Incoming PSK handshake: whatever the identity, the daemon's own key. */
static unsigned int server_psk(WOLFSSL *ssl, const char *identity, unsigned char *key,
			       unsigned int max, const char **suite)
{
	if (!have_server_key || max < TLS_KEY_LEN || strcmp(identity, TLS_PSK_IDENTITY))
		return 0;
	memcpy(key, server_key, TLS_KEY_LEN);
	*suite = TLS_SUITE;
	return TLS_KEY_LEN;
}

/* Outgoing PSK handshake: the key its connection derived (psk callback context). */
static unsigned int client_psk(WOLFSSL *ssl, const char *hint, char *identity,
			       unsigned int id_max, unsigned char *key, unsigned int max,
			       const char **suite)
{
	const uint8_t *k = wolfSSL_get_psk_callback_ctx(ssl);

	if (!k || id_max < sizeof(TLS_PSK_IDENTITY) || max < TLS_KEY_LEN)
		return 0;
	memcpy(identity, TLS_PSK_IDENTITY, sizeof(TLS_PSK_IDENTITY));
	memcpy(key, k, TLS_KEY_LEN);
	*suite = TLS_SUITE;
	return TLS_KEY_LEN;
}

static int ctx_common(WOLFSSL_CTX *ctx, char *err, size_t errlen)
{
	int groups[] = { WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1 };

	if (wolfSSL_CTX_set_cipher_list(ctx, TLS_CIPHERS) != WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_set_groups(ctx, groups, (int)ARRAY_SIZE(groups)) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot configure TLS 1.3 ciphers and groups");
		return -EINVAL;
	}
	wolfSSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
	return 0;
}

/* A daemon's or a client's contexts and keys, built whole before they are used. */
struct tls_ctxs {
	WOLFSSL_CTX *server, *client;
	bool key_mode;
};

static void ctxs_free(struct tls_ctxs *c)
{
	if (c->server)
		wolfSSL_CTX_free(c->server);
	if (c->client)
		wolfSSL_CTX_free(c->client);
	c->server = c->client = NULL;
}

static int server_build(struct tls_ctxs *c, const struct tls_options *o, char *err,
			size_t errlen)
{
	struct stat st;

	c->server = wolfSSL_CTX_new(wolfTLSv1_3_server_method());
	if (!c->server || ctx_common(c->server, err, errlen) < 0)
		return -EINVAL;
	wolfSSL_CTX_set_psk_server_tls13_callback(c->server, server_psk);
	/* Nothing to resume: no tickets, so reads never have to write. */
	wolfSSL_CTX_no_ticket_TLSv13(c->server);
	if (!o->cert && !o->key)
		return 0;
	if (!o->cert || !o->key) {
		snprintf(err, errlen, "--cert and --key go together");
		return -EINVAL;
	}
	if (wolfSSL_CTX_use_certificate_chain_file(c->server, o->cert) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load the certificate %s", o->cert);
		return -EINVAL;
	}
	if (stat(o->key, &st) == 0 && (st.st_mode & 077))
		log_warn("%s is readable by group or others: chmod 600 it", o->key);
	if (wolfSSL_CTX_use_PrivateKey_file(c->server, o->key, WOLFSSL_FILETYPE_PEM) !=
	    WOLFSSL_SUCCESS || wolfSSL_CTX_check_private_key(c->server) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load the private key %s (or it does not match the "
			 "certificate)", o->key);
		return -EINVAL;
	}
	return 0;
}

static int ctxs_build(struct tls_ctxs *c, const struct tls_options *o, bool server, char *err,
		      size_t errlen)
{
	*c = (struct tls_ctxs){ 0 };
	if (server && server_build(c, o, err, errlen) < 0)
		goto fail;
	c->client = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
	if (!c->client || ctx_common(c->client, err, errlen) < 0)
		goto fail;
	/*
	 * Always verify: in key mode no CA is loaded, so a server that answers
	 * with a certificate instead of proving it holds the key is refused.
	 */
	wolfSSL_CTX_set_verify(c->client, WOLFSSL_VERIFY_PEER, NULL);
	if (o->ca) {
		if (wolfSSL_CTX_load_verify_locations(c->client, o->ca, NULL) != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "cannot load the CA certificate %s", o->ca);
			goto fail;
		}
	} else {
		c->key_mode = true;
		wolfSSL_CTX_set_psk_client_tls13_callback(c->client, client_psk);
	}
	return 0;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "cannot set up TLS");
	ctxs_free(c);
	return -EINVAL;
}

/* Put c and key in place of the contexts and key in use. */
static void ctxs_install(struct tls_ctxs *c, const uint8_t *key)
{
	struct tls_ctxs old = { server_ctx, client_ctx, false };

	/* A session holds a reference to its context: those established go on with theirs. */
	ctxs_free(&old);
	server_ctx = c->server;
	client_ctx = c->client;
	client_key_mode = c->key_mode;
	have_server_key = key != NULL;
	if (key)
		memcpy(server_key, key, TLS_KEY_LEN);
	else
		explicit_bzero(server_key, sizeof(server_key));
}

int tls_setup(const struct tls_options *o, const uint8_t *key, char *err, size_t errlen)
{
	struct tls_ctxs c;

	if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot initialise wolfSSL");
		return -EINVAL;
	}
	if (ctxs_build(&c, o, key != NULL, err, errlen) < 0) {
		tls_cleanup();
		return -EINVAL;
	}
	ctxs_install(&c, key);
	return 0;
}

int tls_reload(const struct tls_options *o, const uint8_t *key, char *err, size_t errlen)
{
	struct tls_ctxs c;

	if (ctxs_build(&c, o, key != NULL, err, errlen) < 0)
		return -EINVAL;
	ctxs_install(&c, key);
	return 0;
}

void tls_cleanup(void)
{
	if (server_ctx)
		wolfSSL_CTX_free(server_ctx);
	if (client_ctx)
		wolfSSL_CTX_free(client_ctx);
	server_ctx = client_ctx = NULL;
	explicit_bzero(server_key, sizeof(server_key));
	have_server_key = false;
	wolfSSL_Cleanup();
}

bool tls_enabled(void)
{
	return client_ctx != NULL;
}

bool tls_client_uses_key(void)
{
	return client_key_mode;
}

void *tls_new_server(void)
{
	return server_ctx ? wolfSSL_new(server_ctx) : NULL;
}

void *tls_new_client(void)
{
	return client_ctx ? wolfSSL_new(client_ctx) : NULL;
}

/* Take len address bytes; an IPv4-mapped IPv6 address becomes its IPv4 address. */
static bool ip_set(struct tls_ip *ip, const uint8_t *b, size_t len)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (len == 16 && memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
		b += sizeof(v4mapped);
		len = 4;
	}
	if (len != 4 && len != 16)
		return false;
	memcpy(ip->addr, b, len);
	ip->len = (uint8_t)len;
	return true;
}

bool tls_ip_parse(const char *text, struct tls_ip *ip)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, text, b) == 1)
		return ip_set(ip, b, 4);
	if (inet_pton(AF_INET6, text, b) == 1)
		return ip_set(ip, b, 16);
	return false;
}

bool tls_ip_equal(const struct tls_ip *ip, const uint8_t *san, size_t len)
{
	struct tls_ip s;

	return san && ip_set(&s, san, len) && s.len == ip->len &&
	       memcmp(s.addr, ip->addr, s.len) == 0;
}

/* Does an entry, len bytes, match what is wanted (a struct tls_ip, a host name)? */
typedef bool (*san_match_fn)(const void *want, const uint8_t *b, size_t len);

/*
 * Walk the certificate's subjectAltNames of one type (GEN_IPADD, GEN_DNS):
 * true when match takes one; *count (if given) gets how many there are.
 */
static bool san_find(void *x509, int type, san_match_fn match, const void *want, int *count)
{
	WOLFSSL_GENERAL_NAMES *names;
	bool found = false;
	int i, n, seen = 0;

	if (count)
		*count = 0;
	if (!x509)
		return false;
	names = wolfSSL_X509_get_ext_d2i(x509, NID_subject_alt_name, NULL, NULL);
	if (!names)
		return false;
	n = wolfSSL_sk_GENERAL_NAME_num(names);
	for (i = 0; i < n && !found; i++) {
		WOLFSSL_GENERAL_NAME *g = wolfSSL_sk_GENERAL_NAME_value(names, i);
		WOLFSSL_ASN1_STRING *s;
		int len;

		if (!g || g->type != type)
			continue;
		s = type == GEN_DNS ? g->d.dNSName : g->d.iPAddress;
		seen++;
		len = s ? wolfSSL_ASN1_STRING_length(s) : 0;
		if (len > 0)
			found = match(want, wolfSSL_ASN1_STRING_get0_data(s), (size_t)len);
	}
	wolfSSL_GENERAL_NAMES_free(names);
	if (count)
		*count = seen;
	return found;
}

static bool san_is_ip(const void *want, const uint8_t *b, size_t len)
{
	return tls_ip_equal(want, b, len);
}

bool tls_cert_has_ip(void *x509, const struct tls_ip *ip)
{
	return san_find(x509, GEN_IPADD, san_is_ip, ip, NULL);
}

/* Equal, ASCII letters without case (whatever the locale). */
static bool name_equal(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

bool tls_dns_name_match(const char *host, const char *san, size_t len)
{
	size_t hlen = strlen(host);
	const char *dot;

	if (!san || len == 0 || memchr(san, '\0', len) || hlen == 0 || strchr(host, '*'))
		return false;
	if (hlen > 1 && host[hlen - 1] == '.')
		hlen--;
	if (len > 1 && san[len - 1] == '.')
		len--;
	if (len > 2 && san[0] == '*' && san[1] == '.') {
		/* "*.b.c": the rest has two labels or more, and no other '*'. */
		san += 2;
		len -= 2;
		dot = memchr(san, '.', len);
		if (!dot || dot == san || dot == san + len - 1 || memchr(san, '*', len))
			return false;
		/* host's first label, not empty, stands for the '*'. */
		dot = memchr(host, '.', hlen);
		if (!dot || dot == host)
			return false;
		hlen -= (size_t)(dot + 1 - host);
		host = dot + 1;
	} else if (memchr(san, '*', len)) {
		return false;
	}
	return hlen == len && name_equal(host, san, len);
}

static bool san_is_name(const void *want, const uint8_t *b, size_t len)
{
	return tls_dns_name_match(want, (const char *)b, len);
}

enum tls_name_check tls_cert_check_name(void *x509, const char *host)
{
	int count;

	if (san_find(x509, GEN_DNS, san_is_name, host, &count))
		return TLS_NAME_OK;
	return count ? TLS_NAME_OTHER : TLS_NAME_NO_DNS;
}

const uint8_t *tls_server_key(void)
{
	return have_server_key ? server_key : NULL;
}
