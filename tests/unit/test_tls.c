// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_tls.c - the password-derived TLS key (PBKDF2-HMAC-SHA256), TLS set-up errors, and
 * which certificates are for an IP address or a host name
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "vnet/tls.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

/*
 * Expected keys computed independently (Python's hashlib.pbkdf2_hmac("sha256",
 * password, b"vnet-tls13-psk-v1", 200000, 32)): any change of the KDF's
 * parameters breaks interoperability and must show here.
 */
static void test_known_vectors(void **state)
{
	static const struct { const char *pw, *key; } v[] = {
		{ "pw", "708307039e8e38b0397ef1e215ef76087962c9c2c8fae01f025063e093e4c822" },
		{ "a-long-random-password",
		  "649444ad6323d2f6175e5b70f35bd3f3196bc350dd9a43cdef676a5b4c7b7550" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t key[TLS_KEY_LEN], want[TLS_KEY_LEN];

		hex(v[i].key, want, sizeof(want));
		assert_int_equal(tls_derive_key(v[i].pw, key), 0);
		assert_memory_equal(key, want, TLS_KEY_LEN);
	}
}

static void test_longest_password(void **state)
{
	char pw[257];
	uint8_t key[TLS_KEY_LEN], want[TLS_KEY_LEN];

	memset(pw, 'x', 256);
	pw[256] = '\0';
	hex("da2d0f7bedd6f652cb986693643750563022468db2580d9de095dcaf8591f361", want, sizeof(want));
	assert_int_equal(tls_derive_key(pw, key), 0);
	assert_memory_equal(key, want, TLS_KEY_LEN);
}

static void test_bad_passwords(void **state)
{
	char pw[300];
	uint8_t key[TLS_KEY_LEN];

	assert_int_equal(tls_derive_key("", key), -EINVAL);
	memset(pw, 'x', 257);
	pw[257] = '\0';
	assert_int_equal(tls_derive_key(pw, key), -EINVAL);
}

static void test_different_passwords_differ(void **state)
{
	uint8_t a[TLS_KEY_LEN], b[TLS_KEY_LEN];

	assert_int_equal(tls_derive_key("secret1", a), 0);
	assert_int_equal(tls_derive_key("secret2", b), 0);
	assert_memory_not_equal(a, b, TLS_KEY_LEN);
}

static void test_setup_errors(void **state)
{
	struct tls_options o = { 0 };
	uint8_t key[TLS_KEY_LEN] = { 1 };
	char err[256];

	o.cert = "/nonexistent/cert.pem";
	err[0] = '\0';
	assert_int_equal(tls_setup(&o, key, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--cert and --key"));

	o.key = "/nonexistent/key.pem";
	err[0] = '\0';
	assert_int_equal(tls_setup(&o, key, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/nonexistent/cert.pem"));

	o.cert = o.key = NULL;
	o.ca = "/nonexistent/ca.pem";
	err[0] = '\0';
	assert_int_equal(tls_setup(&o, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/nonexistent/ca.pem"));
	assert_false(tls_enabled());
}

static void test_setup_modes(void **state)
{
	struct tls_options o = { 0 };
	uint8_t key[TLS_KEY_LEN] = { 1 };
	char err[256] = "";

	assert_int_equal(tls_setup(&o, key, err, sizeof(err)), 0);
	assert_true(tls_enabled());
	assert_true(tls_client_uses_key());
	tls_cleanup();
	assert_false(tls_enabled());
}

static struct tls_ip ip_of(const char *text)
{
	struct tls_ip ip;

	assert_true(tls_ip_parse(text, &ip));
	return ip;
}

/* Which texts are addresses (inet_pton's forms), and how they are kept. */
static void test_ip_parse(void **state)
{
	static const char *names[] = { "gw.example", "127.1", "10.0.0.01", "fe80::1%eth0",
				       "::1]", "[::1]", "", "1.2.3.4.5", "::ffff:1.2.3" };
	struct tls_ip ip;

	ip = ip_of("198.19.0.1");
	assert_int_equal(ip.len, 4);
	assert_memory_equal(ip.addr, "\xc6\x13\x00\x01", 4);
	ip = ip_of("::ffff:198.19.0.1");        /* IPv4-mapped: the IPv4 host */
	assert_int_equal(ip.len, 4);
	assert_memory_equal(ip.addr, "\xc6\x13\x00\x01", 4);
	ip = ip_of("::198.19.0.1");             /* IPv4-compatible: an IPv6 address */
	assert_int_equal(ip.len, 16);
	ip = ip_of("fd00:76:6e::1");
	assert_int_equal(ip.len, 16);
	assert_memory_equal(ip.addr, "\xfd\x00\x00\x76\x00\x6e\0\0\0\0\0\0\0\0\0\x01", 16);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_false(tls_ip_parse(names[i], &ip));
}

/* An iPAddress subjectAltName's bytes against an address: equal bytes, whatever the spelling. */
static void test_ip_equal(void **state)
{
	static const uint8_t v4[4] = { 127, 0, 0, 1 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	static const uint8_t compat[16] = { [12] = 127, 0, 0, 1 };
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t net8[8] = { 127, 0, 0, 1, 255, 255, 255, 255 };  /* a name constraint */
	struct tls_ip ip = ip_of("127.0.0.1");

	assert_true(tls_ip_equal(&ip, v4, sizeof(v4)));
	assert_true(tls_ip_equal(&ip, mapped, sizeof(mapped)));
	assert_false(tls_ip_equal(&ip, compat, sizeof(compat)));
	assert_false(tls_ip_equal(&ip, net8, sizeof(net8)));
	assert_false(tls_ip_equal(&ip, v4, 3));
	assert_false(tls_ip_equal(&ip, v4, 0));
	assert_false(tls_ip_equal(&ip, NULL, 4));
	ip = ip_of("127.0.0.2");
	assert_false(tls_ip_equal(&ip, v4, sizeof(v4)));
	ip = ip_of("::ffff:127.0.0.1");
	assert_true(tls_ip_equal(&ip, v4, sizeof(v4)));
	assert_true(tls_ip_equal(&ip, mapped, sizeof(mapped)));
	ip = ip_of("::1");
	assert_true(tls_ip_equal(&ip, lo6, sizeof(lo6)));
	ip = ip_of("0:0::1");
	assert_true(tls_ip_equal(&ip, lo6, sizeof(lo6)));
	ip = ip_of("0000:0000:0000:0000:0000:0000:0000:0001");
	assert_true(tls_ip_equal(&ip, lo6, sizeof(lo6)));
	assert_false(tls_ip_equal(&ip, v4, sizeof(v4)));
	assert_false(tls_ip_equal(&ip, compat, sizeof(compat)));
}

/*
 * Self-signed, CN=10.0.0.9, subjectAltName DNS:10.0.0.9, DNS:*.0.0.9, email:10.0.0.8,
 * URI:10.0.0.7, IP:10.0.0.1, IP:fd00::5, IP:::ffff:10.0.0.2 (openssl req -x509 -addext).
 */
static const char cert_sans[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIB1TCCAXugAwIBAgIUCioiCsZuujESck8IA81RzvonE1YwCgYIKoZIzj0EAwIw\n"
	"EzERMA8GA1UEAwwIMTAuMC4wLjkwIBcNMjYxMTI5MDcyNTM2WhgPMjEyNjExMDUw\n"
	"NzI1MzZaMBMxETAPBgNVBAMMCDEwLjAuMC45MFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
	"AQcDQgAEVPt3FPLalWpfX0NfN8BRTTzjuK7UgkVe0RrLS+nzjh7Uql4/w3P2kWGu\n"
	"4S1LS6D7328fb/AU6QvkmrEezlrtvaOBqjCBpzAdBgNVHQ4EFgQUpTNFTDc4e/g3\n"
	"w6V1uSdoUbTialswHwYDVR0jBBgwFoAUpTNFTDc4e/g3w6V1uSdoUbTialswWgYD\n"
	"VR0RBFMwUYIIMTAuMC4wLjmCByouMC4wLjmBCDEwLjAuMC44hggxMC4wLjAuN4cE\n"
	"CgAAAYcQ/QAAAAAAAAAAAAAAAAAABYcQAAAAAAAAAAAAAP//CgAAAjAJBgNVHRME\n"
	"AjAAMAoGCCqGSM49BAMCA0gAMEUCIQDkhlX16sRlh0AmLa/om+jXxkcqqQqI30D+\n"
	"Dfllcj8CvwIgLfipoYjRZLfg9oP6ocfRLbXaTA70yRREGadNFJ5EzJo=\n"
	"-----END CERTIFICATE-----\n";
/* Self-signed, CN=10.0.0.9, no subjectAltName. */
static const char cert_cn_only[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBdjCCAR2gAwIBAgIUakRyKK4TyFsgGM9qGwyya3J4yv0wCgYIKoZIzj0EAwIw\n"
	"EzERMA8GA1UEAwwIMTAuMC4wLjkwIBcNMjYxMTI5MDcyNTM2WhgPMjEyNjExMDUw\n"
	"NzI1MzZaMBMxETAPBgNVBAMMCDEwLjAuMC45MFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
	"AQcDQgAEhAgahiXiJD7TPRdvJMtLKDMLdywsZ7AXLJ/Z8WvlRvMIHKqpWOoVgch9\n"
	"8XMURtto8W6IWFoPpiTAzpu8TIgf/6NNMEswHQYDVR0OBBYEFIsd48RKK4xjzki9\n"
	"xfh3KqePUE1eMB8GA1UdIwQYMBaAFIsd48RKK4xjzki9xfh3KqePUE1eMAkGA1Ud\n"
	"EwQCMAAwCgYIKoZIzj0EAwIDRwAwRAIgTiTqYYVF9tC4b/qTW8F7+TxO2oCexzk/\n"
	"ilBN9/MuGawCIHaOmUSTi6yTo36XEqQCV7JrkQ++hIcGzRXQ1Tjseiwg\n"
	"-----END CERTIFICATE-----\n";

/* Self-signed, CN=gw18, subjectAltName IP:10.0.0.1 only. */
static const char cert_ip_only[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBfzCCASagAwIBAgIUKdLDRkChZ4FQxOEpVNJNd8V9SUwwCgYIKoZIzj0EAwIw\n"
	"DzENMAsGA1UEAwwEZ3cxODAgFw0yNjEyMDYwMjUwMTVaGA8yMTI2MTExMjAyNTAx\n"
	"NVowDzENMAsGA1UEAwwEZ3cxODBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABALF\n"
	"hnmVYT7JMj+8dydy/3dTNzOK1gSPLMcR9DjYGyZOIwUr/HePiaj/kSwNB1g6uJW1\n"
	"dfaL6ptgmgNDerAZPIKjXjBcMB0GA1UdDgQWBBRsCSMDUwzRfX92vW4wpImGphcW\n"
	"sjAfBgNVHSMEGDAWgBRsCSMDUwzRfX92vW4wpImGphcWsjAPBgNVHREECDAGhwQK\n"
	"AAABMAkGA1UdEwQCMAAwCgYIKoZIzj0EAwIDRwAwRAIgX+Ron7XIck+RCfDNGvw9\n"
	"ePTLxRhwcWEaSPuNpZcsGxwCICj7stMbsvQQJp8mYWwX7MGmX7EM4a+KVIciVn/k\n"
	"pmNV\n"
	"-----END CERTIFICATE-----\n";

static WOLFSSL_X509 *cert_load(const char *pem)
{
	WOLFSSL_X509 *x = wolfSSL_X509_load_certificate_buffer((const unsigned char *)pem,
							       (int)strlen(pem),
							       WOLFSSL_FILETYPE_PEM);

	assert_non_null(x);
	return x;
}

static bool cert_is_for(const char *pem, const char *addr)
{
	WOLFSSL_X509 *x = cert_load(pem);
	struct tls_ip ip = ip_of(addr);
	bool yes;

	yes = tls_cert_has_ip(x, &ip);
	wolfSSL_X509_free(x);
	return yes;
}

/* Only the IP subjectAltNames make a certificate one for an address. */
static void test_cert_has_ip(void **state)
{
	struct tls_ip ip = ip_of("10.0.0.1");

	assert_true(cert_is_for(cert_sans, "10.0.0.1"));
	assert_true(cert_is_for(cert_sans, "::ffff:10.0.0.1"));
	assert_true(cert_is_for(cert_sans, "fd00::5"));
	assert_true(cert_is_for(cert_sans, "fd00:0:0::0:5"));
	assert_true(cert_is_for(cert_sans, "10.0.0.2"));        /* listed IPv4-mapped */
	assert_false(cert_is_for(cert_sans, "10.0.0.9"));       /* CN and DNS name only */
	assert_false(cert_is_for(cert_sans, "10.1.0.9"));       /* *.0.0.9 is no address */
	assert_false(cert_is_for(cert_sans, "10.0.0.8"));       /* email */
	assert_false(cert_is_for(cert_sans, "10.0.0.7"));       /* URI */
	assert_false(cert_is_for(cert_sans, "fd00::6"));
	assert_false(cert_is_for(cert_cn_only, "10.0.0.9"));
	assert_false(tls_cert_has_ip(NULL, &ip));
}

static bool name_match(const char *host, const char *san)
{
	return tls_dns_name_match(host, san, strlen(san));
}

/* A DNS subjectAltName against a host name: exact but for case, wildcards by RFC 6125. */
static void test_dns_name_match(void **state)
{
	assert_true(name_match("gw18", "gw18"));
	assert_true(name_match("gw18", "GW18"));
	assert_true(name_match("Gw18.Example.Net", "gw18.example.NET"));
	assert_true(name_match("gw18.example.net.", "gw18.example.net"));
	assert_true(name_match("gw18.example.net", "gw18.example.net."));
	assert_false(name_match("gw18", "gw19"));
	assert_false(name_match("gw18", "gw1"));
	assert_false(name_match("gw1", "gw18"));
	assert_false(name_match("gw18", "gw18.example.net"));
	assert_false(name_match("gw18.example.net", "gw18"));
	assert_false(name_match("gw18", ""));
	assert_false(name_match("", "gw18"));
	assert_false(tls_dns_name_match("gw18", NULL, 4));
	assert_false(tls_dns_name_match("gw18", "gw18\0.evil.net", 14));   /* a NUL inside */
	assert_true(tls_dns_name_match("gw18", "gw18.evil", 4));           /* len bounds it */

	/* The whole left-most label, for exactly one label, before two or more. */
	assert_true(name_match("gw18.example.net", "*.example.net"));
	assert_true(name_match("GW18.EXAMPLE.NET", "*.example.net"));
	assert_true(name_match("gw18.a.example.net", "*.a.example.net"));
	assert_false(name_match("a.gw18.example.net", "*.example.net"));
	assert_false(name_match("example.net", "*.example.net"));
	assert_false(name_match(".example.net", "*.example.net"));
	assert_false(name_match("gw18.example.org", "*.example.net"));
	assert_false(name_match("gw18.net", "*.net"));                   /* one label after */
	assert_false(name_match("gw18", "*"));
	assert_false(name_match("gw18.example.net", "gw*.example.net")); /* partial */
	assert_false(name_match("gw18.example.net", "*18.example.net"));
	assert_false(name_match("gw18.example.net", "gw18.*.net"));      /* not left-most */
	assert_false(name_match("gw18.a.example.net", "*.*.example.net"));
	assert_false(name_match("gw18.example.net", "*..example.net"));
	assert_false(name_match("gw18.example.net", "**.example.net"));
	/* A '*' in the host is no wildcard, nor anything a host is called. */
	assert_false(name_match("*.example.net", "*.example.net"));
	assert_false(name_match("*", "*"));
}

static enum tls_name_check check_name(const char *pem, const char *host)
{
	WOLFSSL_X509 *x = cert_load(pem);
	enum tls_name_check r = tls_cert_check_name(x, host);

	wolfSSL_X509_free(x);
	return r;
}

/* Only DNS subjectAltNames count for a host name: not the CN, not IP, email or URI entries. */
static void test_cert_check_name(void **state)
{
	assert_int_equal(check_name(cert_sans, "10.0.0.9"), TLS_NAME_OK);
	assert_int_equal(check_name(cert_sans, "x.0.0.9"), TLS_NAME_OK);        /* *.0.0.9 */
	assert_int_equal(check_name(cert_sans, "x.y.0.0.9"), TLS_NAME_OTHER);
	assert_int_equal(check_name(cert_sans, "10.0.0.8"), TLS_NAME_OTHER);     /* email */
	assert_int_equal(check_name(cert_sans, "10.0.0.7"), TLS_NAME_OTHER);     /* URI */
	assert_int_equal(check_name(cert_sans, "10.0.0.1"), TLS_NAME_OTHER);     /* IP */
	assert_int_equal(check_name(cert_cn_only, "10.0.0.9"), TLS_NAME_NO_DNS); /* its CN */
	assert_int_equal(check_name(cert_ip_only, "gw18"), TLS_NAME_NO_DNS);     /* its CN */
	assert_int_equal(check_name(cert_ip_only, "10.0.0.1"), TLS_NAME_NO_DNS);
	assert_int_equal(tls_cert_check_name(NULL, "gw18"), TLS_NAME_NO_DNS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_longest_password),
		cmocka_unit_test(test_bad_passwords),
		cmocka_unit_test(test_different_passwords_differ),
		cmocka_unit_test(test_setup_errors),
		cmocka_unit_test(test_setup_modes),
		cmocka_unit_test(test_ip_parse),
		cmocka_unit_test(test_ip_equal),
		cmocka_unit_test(test_cert_has_ip),
		cmocka_unit_test(test_dns_name_match),
		cmocka_unit_test(test_cert_check_name),
	};

	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
