// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tls.c - the password-derived TLS key (PBKDF2-HMAC-SHA256) and TLS set-up errors */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_longest_password),
		cmocka_unit_test(test_bad_passwords),
		cmocka_unit_test(test_different_passwords_differ),
		cmocka_unit_test(test_setup_errors),
		cmocka_unit_test(test_setup_modes),
	};

	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
