// SPDX-License-Identifier: GPL-2.0-or-later
/* test_proto.c - unit tests of the control protocol: request parsing, formatting, replies */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/proto.h"

#define ERRLEN 256

static const struct mac mac_a = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a } };
static const struct mac mac_bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

/* ---- helpers ---- */

static void parse_ok(const char *line, struct proto_req *r)
{
	char err[ERRLEN];

	strcpy(err, "(unset)");
	proto_req_wipe(r);      /* what it held before (r starts zeroed) */
	if (!proto_parse(line, r, err, sizeof(err)))
		fail_msg("'%.80s' rejected: %s", line, err);
}

static void parse_err(const char *line, const char *keyword)
{
	struct proto_req r = { 0 };
	char err[ERRLEN];

	memset(err, 0, sizeof(err));
	if (proto_parse(line, &r, err, sizeof(err)))
		fail_msg("'%.80s' accepted", line);
	if (!strstr(err, keyword))
		fail_msg("'%.80s': error '%s' does not mention '%s'", line, err, keyword);
}

/* A request line the parser rejects, and a word its error message holds. */
struct bad_line {
	const char *line;
	const char *keyword;
};

/* parse_err for each line of a table. */
static void parse_errs(const struct bad_line *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		parse_err(t[i].line, t[i].keyword);
}
#define PARSE_ERRS(t) parse_errs((t), sizeof(t) / sizeof((t)[0]))

/* The i-th test address, 02:00:00:00:HH:LL (i + 1, never zero). */
static void mac_i(struct mac *m, size_t i)
{
	m->b[0] = 0x02;
	m->b[1] = m->b[2] = m->b[3] = 0;
	m->b[4] = (uint8_t)((i + 1) >> 8);
	m->b[5] = (uint8_t)(i + 1);
}

/* Append n addresses (" 02:00:00:00:00:01" ...) to line. */
static void append_macs(char *line, size_t cap, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mac m;
		char s[MAC_STRLEN];
		size_t len = strlen(line);

		mac_i(&m, i);
		mac_format(&m, s);
		assert_true(len + 1 + strlen(s) < cap);
		line[len] = ' ';
		strcpy(line + len + 1, s);
	}
}

static void assert_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			fail_msg("byte %zu of %zu is 0x%02x, not 0", i, n, b[i]);
}

/* A string of n copies of c, in a static buffer. */
static const char *repeat(char c, size_t n)
{
	static char s[VNET_LINE_MAX * 3];

	assert_true(n < sizeof(s));
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* out = a b c, which must fit in cap. */
static void cat3(char *out, size_t cap, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

	assert_true(la + lb + lc < cap);
	memcpy(out, a, la);
	memcpy(out + la, b, lb);
	memcpy(out + la + lb, c, lc + 1);
}

/* ---- HELLO ---- */

static void test_hello(void **state)
{
	struct proto_req r = { 0 };

	parse_ok("HELLO s3cret 1.0", &r);
	assert_int_equal(r.cmd, PROTO_HELLO);
	assert_string_equal(r.password, "s3cret");
	assert_string_equal(r.version, "1.0");

	parse_ok("HELLO p@ss:w/rd!~\"'#%{} 0.9", &r);
	assert_int_equal(r.cmd, PROTO_HELLO);
	assert_string_equal(r.password, "p@ss:w/rd!~\"'#%{}");
	assert_string_equal(r.version, "0.9");

	/* A well-formed but unsupported version parses: the daemon answers it. */
	parse_ok("HELLO pw 2.0", &r);
	assert_string_equal(r.version, "2.0");
	assert_false(proto_version_supported(r.version));
}

static void test_hello_password_limits(void **state)
{
	char line[VNET_LINE_MAX];
	struct proto_req r = { 0 };

	cat3(line, sizeof(line), "HELLO ", repeat('p', VNET_PASSWORD_MAX), " 1.0");
	parse_ok(line, &r);
	assert_int_equal(strlen(r.password), VNET_PASSWORD_MAX);
	assert_string_equal(r.password, repeat('p', VNET_PASSWORD_MAX));

	cat3(line, sizeof(line), "HELLO ", repeat('p', VNET_PASSWORD_MAX + 1), " 1.0");
	parse_err(line, "password");
	parse_ok("HELLO x 1.0", &r);
	assert_string_equal(r.password, "x");
}

static void test_bad_password(void **state)
{
	static const struct bad_line bad[] = {
		{ "HELLO pass\x01word 1.0", "password" },
		{ "HELLO \x1b[0m 1.0", "password" },
		{ "HELLO pass\x7f 1.0", "password" },
		{ "HELLO pass\rword 1.0", "password" },
		{ "HELLO pass\nword 1.0", "password" },
		{ "HELLO \xc3\xa9t\xc3\xa9 1.0", "password" },
		{ "HELLO pass\xff 1.0", "password" },
		{ "HANDLE pw\x01 LOCAL eth0 REMOTE host 4455 eth1 02:00:00:00:00:0a", "password" },
	};

	/* A space cannot be in a word; other control characters and non-ASCII bytes can. */
	PARSE_ERRS(bad);
	{
		char line[VNET_LINE_MAX];

		cat3(line, sizeof(line), "HANDLE ", repeat('p', VNET_PASSWORD_MAX + 1),
		     " LOCAL eth0 REMOTE host 4455 eth1 02:00:00:00:00:0a");
		parse_err(line, "password");
	}
}

static void test_hello_version(void **state)
{
	static const struct bad_line bad[] = {
		{ "HELLO pw 1.\x01", "version" },
		{ "HELLO pw 1.0\x7f", "version" },
		{ "HELLO pw 1.0\r", "version" },
	};
	struct proto_req r = { 0 };
	char line[128];

	cat3(line, sizeof(line), "HELLO pw ", repeat('9', PROTO_VERSION_MAX - 1), "");
	parse_ok(line, &r);
	assert_string_equal(r.version, repeat('9', PROTO_VERSION_MAX - 1));
	cat3(line, sizeof(line), "HELLO pw ", repeat('9', PROTO_VERSION_MAX), "");
	parse_err(line, "version");
	cat3(line, sizeof(line), "HELLO pw ", repeat('9', 100), "");
	parse_err(line, "version");
	PARSE_ERRS(bad);
}

/* ---- commands without arguments ---- */

static void test_no_arg_commands(void **state)
{
	static const struct bad_line bad[] = {
		{ "DONE now", "usage" },
		{ "DEVICES? eth0", "usage" },
		{ "HANDLERS? 1", "usage" },
		{ "HANDLERS? 1 2 3", "usage" },
		{ "DEVICES", "unknown" },
		{ "HANDLERS", "unknown" },
	};
	struct proto_req r = { 0 };

	parse_ok("DONE", &r);
	assert_int_equal(r.cmd, PROTO_DONE);
	parse_ok("DEVICES?", &r);
	assert_int_equal(r.cmd, PROTO_DEVICES);
	parse_ok("HANDLERS?", &r);
	assert_int_equal(r.cmd, PROTO_HANDLERS);
	parse_ok("instance?", &r);
	assert_int_equal(r.cmd, PROTO_INSTANCE);
	parse_err("INSTANCE? 0123456789abcdef", "usage");

	PARSE_ERRS(bad);
}

/* ---- CLOSE ---- */

static void test_close(void **state)
{
	struct proto_req r = { 0 };

	parse_ok("CLOSE 1", &r);
	assert_int_equal(r.cmd, PROTO_CLOSE);
	assert_int_equal(r.id, 1);
	parse_ok("CLOSE 42", &r);
	assert_int_equal(r.id, 42);
	parse_ok("CLOSE 4294967295", &r);
	assert_int_equal(r.id, UINT32_MAX);
	parse_ok("CLOSE 007", &r);
	assert_int_equal(r.id, 7);
}

static void test_close_bad_id(void **state)
{
	static const struct bad_line bad[] = {
		{ "CLOSE 0", "id" },
		{ "CLOSE 00", "id" },
		{ "CLOSE -1", "id" },
		{ "CLOSE -0", "id" },
		{ "CLOSE +1", "id" },
		{ "CLOSE abc", "id" },
		{ "CLOSE 12a", "id" },
		{ "CLOSE 1.5", "id" },
		{ "CLOSE 0x10", "id" },
		{ "CLOSE 4294967296", "id" },
		{ "CLOSE 18446744073709551615", "id" },
		{ "CLOSE 99999999999999999999999999", "id" },
		{ "CLOSE", "usage" },
		{ "CLOSE 1 2", "usage" },
	};

	PARSE_ERRS(bad);
}

/* ---- HANDLE and BEGIN ---- */

static void test_handle(void **state)
{
	struct proto_req r = { 0 };

	parse_ok("HANDLE pw2 LOCAL eth0 REMOTE 198.19.0.1 4455 vmnet1 02:00:00:00:00:0a "
		 "ff:ff:ff:ff:ff:ff", &r);
	assert_int_equal(r.cmd, PROTO_HANDLE);
	assert_string_equal(r.password, "pw2");
	assert_int_equal(r.lconf, VNET_LOCAL);
	assert_string_equal(r.ldev, "eth0");
	assert_int_equal(r.rconf, VNET_REMOTE);
	assert_string_equal(r.rhost, "198.19.0.1");
	assert_int_equal(r.rport, 4455);
	assert_string_equal(r.rdev, "vmnet1");
	assert_int_equal(r.nmacs, 2);
	assert_memory_equal(r.macs[0].b, mac_a.b, MAC_LEN);
	assert_memory_equal(r.macs[1].b, mac_bcast.b, MAC_LEN);

	parse_ok("HANDLE x REMOTE vmnet1 LOCAL 2001:db8::1 1 eth0 02-00-00-00-00-0A", &r);
	assert_int_equal(r.lconf, VNET_REMOTE);
	assert_int_equal(r.rconf, VNET_LOCAL);
	assert_string_equal(r.ldev, "vmnet1");
	assert_string_equal(r.rdev, "eth0");
	assert_string_equal(r.rhost, "2001:db8::1");
	assert_int_equal(r.rport, 1);
	assert_int_equal(r.nmacs, 1);
	assert_memory_equal(r.macs[0].b, mac_a.b, MAC_LEN);

	parse_ok("HANDLE x local a remote gw18.example.org 65535 b 01:00:5e:00:00:01", &r);
	assert_int_equal(r.lconf, VNET_LOCAL);
	assert_int_equal(r.rconf, VNET_REMOTE);
	assert_string_equal(r.rhost, "gw18.example.org");
	assert_int_equal(r.rport, 65535);
	proto_req_wipe(&r);
}

static void test_begin(void **state)
{
	struct proto_req r = { 0 };

	parse_ok("BEGIN REMOTE eth0 LOCAL vmnet1 02:00:00:00:00:0a ff:ff:ff:ff:ff:ff", &r);
	assert_int_equal(r.cmd, PROTO_BEGIN);
	assert_int_equal(r.lconf, VNET_REMOTE);
	assert_string_equal(r.ldev, "eth0");
	assert_int_equal(r.rconf, VNET_LOCAL);
	assert_string_equal(r.rdev, "vmnet1");
	assert_int_equal(r.nmacs, 2);
	assert_memory_equal(r.macs[0].b, mac_a.b, MAC_LEN);
	assert_memory_equal(r.macs[1].b, mac_bcast.b, MAC_LEN);
	assert_string_equal(r.password, "");

	parse_ok("BEGIN LOCAL a REMOTE b 02:00:00:00:00:0a", &r);
	assert_int_equal(r.lconf, VNET_LOCAL);
	assert_int_equal(r.rconf, VNET_REMOTE);
	assert_int_equal(r.nmacs, 1);
	proto_req_wipe(&r);
}

static void test_case_insensitive(void **state)
{
	struct proto_req r = { 0 };

	parse_ok("hello pw 1.0", &r);
	assert_int_equal(r.cmd, PROTO_HELLO);
	assert_string_equal(r.version, "1.0");
	parse_ok("HeLLo CaSe 1.0", &r);
	assert_string_equal(r.password, "CaSe");     /* the password keeps its case */
	parse_ok("done", &r);
	assert_int_equal(r.cmd, PROTO_DONE);
	parse_ok("devices?", &r);
	assert_int_equal(r.cmd, PROTO_DEVICES);
	parse_ok("Handlers?", &r);
	assert_int_equal(r.cmd, PROTO_HANDLERS);
	parse_ok("cLoSe 3", &r);
	assert_int_equal(r.cmd, PROTO_CLOSE);
	assert_int_equal(r.id, 3);
	parse_ok("handle pw local Eth0 ReMoTe h 1 ETH1 02:00:00:00:00:0a", &r);
	assert_int_equal(r.cmd, PROTO_HANDLE);
	assert_int_equal(r.lconf, VNET_LOCAL);
	assert_int_equal(r.rconf, VNET_REMOTE);
	assert_string_equal(r.ldev, "Eth0");         /* device names keep their case */
	assert_string_equal(r.rdev, "ETH1");
	parse_ok("Begin Remote eth0 lOcAl eth1 02:00:00:00:00:0a", &r);
	assert_int_equal(r.cmd, PROTO_BEGIN);
	assert_int_equal(r.lconf, VNET_REMOTE);
	assert_int_equal(r.rconf, VNET_LOCAL);
	proto_req_wipe(&r);
}

static void test_whitespace(void **state)
{
	struct proto_req r = { 0 };

	parse_ok("HELLO\tpw\t1.0", &r);
	assert_string_equal(r.password, "pw");
	assert_string_equal(r.version, "1.0");
	parse_ok("   HELLO    pw  \t  1.0   \t", &r);
	assert_string_equal(r.password, "pw");
	assert_string_equal(r.version, "1.0");
	parse_ok("\tDONE\t", &r);
	assert_int_equal(r.cmd, PROTO_DONE);
	parse_ok("CLOSE \t 9 ", &r);
	assert_int_equal(r.id, 9);
	parse_ok("BEGIN\tLOCAL  eth0\t\tREMOTE \t eth1  02:00:00:00:00:0a\t  ff:ff:ff:ff:ff:ff  ",
		 &r);
	assert_int_equal(r.cmd, PROTO_BEGIN);
	assert_string_equal(r.ldev, "eth0");
	assert_string_equal(r.rdev, "eth1");
	assert_int_equal(r.nmacs, 2);
	assert_memory_equal(r.macs[1].b, mac_bcast.b, MAC_LEN);
	proto_req_wipe(&r);
}

static void test_arg_counts(void **state)
{
	static const struct bad_line bad[] = {
		{ "HELLO", "usage" },
		{ "HELLO pw", "usage" },
		{ "HELLO pw 1.0 extra", "usage" },
		{ "HANDLE", "usage" },
		{ "HANDLE pw", "usage" },
		{ "HANDLE pw LOCAL eth0 REMOTE host 4455", "usage" },
		{ "HANDLE pw LOCAL eth0 REMOTE host 4455 eth1", "usage" },   /* no address */
		{ "BEGIN", "usage" },
		{ "BEGIN LOCAL eth0 REMOTE", "usage" },
		{ "BEGIN LOCAL eth0 REMOTE eth1", "usage" },                 /* no address */
		{ "CLOSE", "usage" },
		{ "DONE 1", "usage" },
	};

	PARSE_ERRS(bad);
}

static void test_bad_config(void **state)
{
	static const struct bad_line bad[] = {
		{ "HANDLE pw LOCALX eth0 REMOTE h 1 eth1 02:00:00:00:00:0a", "config" },
		{ "HANDLE pw LOCAL eth0 REMOT h 1 eth1 02:00:00:00:00:0a", "config" },
		{ "HANDLE pw both eth0 REMOTE h 1 eth1 02:00:00:00:00:0a", "config" },
		{ "BEGIN loc eth0 REMOTE eth1 02:00:00:00:00:0a", "config" },
		{ "BEGIN LOCAL eth0 remotely eth1 02:00:00:00:00:0a", "config" },
		{ "BEGIN 1 eth0 REMOTE eth1 02:00:00:00:00:0a", "config" },
	};

	PARSE_ERRS(bad);
	/* Arguments in the wrong order. */
	parse_err("BEGIN eth0 LOCAL eth1 REMOTE 02:00:00:00:00:0a", "config");
}

static void test_same_config_twice(void **state)
{
	static const struct bad_line bad[] = {
		{ "HANDLE pw LOCAL eth0 LOCAL h 1 eth1 02:00:00:00:00:0a", "differ" },
		{ "HANDLE pw REMOTE eth0 remote h 1 eth1 02:00:00:00:00:0a", "differ" },
		{ "BEGIN LOCAL eth0 local eth1 02:00:00:00:00:0a", "differ" },
		{ "BEGIN REMOTE eth0 REMOTE eth1 02:00:00:00:00:0a", "differ" },
	};

	PARSE_ERRS(bad);
}

static void test_device_valid(void **state)
{
	assert_true(proto_device_valid("eth0"));
	assert_true(proto_device_valid("a"));
	assert_true(proto_device_valid("vmnet1"));
	assert_true(proto_device_valid("br-lan"));
	assert_true(proto_device_valid("eth0.100"));
	assert_true(proto_device_valid("veth_x@y"));
	assert_true(proto_device_valid("..."));
	assert_true(proto_device_valid(repeat('d', PROTO_DEV_MAX - 1)));     /* 15 */

	assert_false(proto_device_valid(""));
	assert_false(proto_device_valid("a/b"));
	assert_false(proto_device_valid("/"));
	assert_false(proto_device_valid("x:y"));
	assert_false(proto_device_valid("eth0:1"));
	assert_false(proto_device_valid(repeat('d', PROTO_DEV_MAX)));        /* 16 */
	assert_false(proto_device_valid(repeat('d', 100)));
	assert_false(proto_device_valid("."));
	assert_false(proto_device_valid(".."));
	assert_false(proto_device_valid("a b"));
	assert_false(proto_device_valid("a\tb"));
	assert_false(proto_device_valid("eth\x01"));
	assert_false(proto_device_valid("eth\x7f"));
	assert_false(proto_device_valid("\xc3\xa9th0"));
}

static void test_bad_device_in_request(void **state)
{
	static const struct bad_line bad[] = {
		{ "BEGIN LOCAL a/b REMOTE eth1 02:00:00:00:00:0a", "local device" },
		{ "BEGIN LOCAL eth0 REMOTE x:y 02:00:00:00:00:0a", "remote device" },
		{ "BEGIN LOCAL . REMOTE eth1 02:00:00:00:00:0a", "local device" },
		{ "BEGIN LOCAL eth0 REMOTE .. 02:00:00:00:00:0a", "remote device" },
		{ "BEGIN LOCAL eth\x01 REMOTE eth1 02:00:00:00:00:0a", "local device" },
		{ "HANDLE pw LOCAL x:y REMOTE h 1 eth1 02:00:00:00:00:0a", "local device" },
		{ "HANDLE pw LOCAL eth0 REMOTE h 1 a/b 02:00:00:00:00:0a", "remote device" },
		{ "HANDLE pw LOCAL . REMOTE h 1 eth1 02:00:00:00:00:0a", "local device" },
	};
	char line[VNET_LINE_MAX];

	PARSE_ERRS(bad);

	cat3(line, sizeof(line), "BEGIN LOCAL ", repeat('d', PROTO_DEV_MAX),
	     " REMOTE eth1 02:00:00:00:00:0a");
	parse_err(line, "local device");
	cat3(line, sizeof(line), "HANDLE pw LOCAL eth0 REMOTE h 1 ", repeat('d', PROTO_DEV_MAX),
	     " 02:00:00:00:00:0a");
	parse_err(line, "remote device");
	{
		struct proto_req r = { 0 };

		cat3(line, sizeof(line), "BEGIN LOCAL ", repeat('d', PROTO_DEV_MAX - 1),
		     " REMOTE eth1 02:00:00:00:00:0a");
		parse_ok(line, &r);
		assert_string_equal(r.ldev, repeat('d', PROTO_DEV_MAX - 1));
		proto_req_wipe(&r);
	}
}

static void test_port(void **state)
{
	static const struct bad_line bad[] = {
		{ "HANDLE pw LOCAL eth0 REMOTE h 0 eth1 02:00:00:00:00:0a", "port" },
		{ "HANDLE pw LOCAL eth0 REMOTE h 65536 eth1 02:00:00:00:00:0a", "port" },
		{ "HANDLE pw LOCAL eth0 REMOTE h 12a eth1 02:00:00:00:00:0a", "port" },
		{ "HANDLE pw LOCAL eth0 REMOTE h -1 eth1 02:00:00:00:00:0a", "port" },
	};
	uint16_t port = 777;

	assert_true(proto_parse_port("1", &port));
	assert_int_equal(port, 1);
	assert_true(proto_parse_port("4455", &port));
	assert_int_equal(port, 4455);
	assert_true(proto_parse_port("65535", &port));
	assert_int_equal(port, 65535);

	port = 777;
	assert_false(proto_parse_port("0", &port));
	assert_false(proto_parse_port("65536", &port));
	assert_false(proto_parse_port("100000", &port));
	assert_false(proto_parse_port("12a", &port));
	assert_false(proto_parse_port("-1", &port));
	assert_false(proto_parse_port("+1", &port));
	assert_false(proto_parse_port(" 1", &port));
	assert_false(proto_parse_port("1 ", &port));
	assert_false(proto_parse_port("", &port));
	assert_false(proto_parse_port("0x10", &port));
	assert_false(proto_parse_port("http", &port));
	assert_false(proto_parse_port("18446744073709551617", &port));
	assert_false(proto_parse_port("99999999999999999999999", &port));
	assert_int_equal(port, 777);        /* untouched on failure */

	PARSE_ERRS(bad);
}

static void test_bad_host(void **state)
{
	char line[VNET_LINE_MAX];
	struct proto_req r = { 0 };

	cat3(line, sizeof(line), "HANDLE pw LOCAL eth0 REMOTE ", repeat('h', VNET_HOST_MAX),
	     " 1 eth1 02:00:00:00:00:0a");
	parse_ok(line, &r);
	assert_string_equal(r.rhost, repeat('h', VNET_HOST_MAX));
	cat3(line, sizeof(line), "HANDLE pw LOCAL eth0 REMOTE ", repeat('h', VNET_HOST_MAX + 1),
	     " 1 eth1 02:00:00:00:00:0a");
	parse_err(line, "address");
	parse_err("HANDLE pw LOCAL eth0 REMOTE ho\x01st 1 eth1 02:00:00:00:00:0a", "address");
	parse_err("HANDLE pw LOCAL eth0 REMOTE h\xc3\xb4te 1 eth1 02:00:00:00:00:0a", "address");
	proto_req_wipe(&r);
}

static void test_bad_mac(void **state)
{
	static const struct bad_line bad[] = {
		{ "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0g", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 2:0:0:0:0:a", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 02:00-00:00:00:0a", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0a:ff", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0a0", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0a nonsense", "address" },
		{ "HANDLE pw LOCAL eth0 REMOTE h 1 eth1 ff:ff:ff:ff:ff:ff xx", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 00:00:00:00:00:00", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0a 00-00-00-00-00-00", "address" },
		{ "HANDLE pw LOCAL eth0 REMOTE h 1 eth1 00:00:00:00:00:00", "address" },
	};

	PARSE_ERRS(bad);
	{
		/* A long bad word is quoted, shortened. */
		struct proto_req r = { 0 };
		char line[VNET_LINE_MAX], err[ERRLEN];

		cat3(line, sizeof(line), "BEGIN LOCAL eth0 REMOTE eth1 ", repeat('x', 1000),
		     "");
		assert_false(proto_parse(line, &r, err, sizeof(err)));
		assert_non_null(strstr(err, "address"));
		assert_true(strlen(err) < 100);
	}
}

static void test_mac_count(void **state)
{
	char line[VNET_LINE_MAX];
	struct proto_req r = { 0 };

	strcpy(line, "BEGIN LOCAL eth0 REMOTE eth1");
	append_macs(line, sizeof(line), VNET_MACS_MAX);
	parse_ok(line, &r);
	assert_int_equal(r.nmacs, VNET_MACS_MAX);
	for (size_t i = 0; i < VNET_MACS_MAX; i++) {
		struct mac m;

		mac_i(&m, i);
		assert_memory_equal(r.macs[i].b, m.b, MAC_LEN);     /* in order */
	}
	strcpy(line, "BEGIN LOCAL eth0 REMOTE eth1");
	append_macs(line, sizeof(line), VNET_MACS_MAX + 1);
	parse_err(line, "too many");

	strcpy(line, "HANDLE pw LOCAL eth0 REMOTE host 4455 eth1");
	append_macs(line, sizeof(line), VNET_MACS_MAX);
	parse_ok(line, &r);
	assert_int_equal(r.nmacs, VNET_MACS_MAX);
	strcpy(line, "HANDLE pw LOCAL eth0 REMOTE host 4455 eth1");
	append_macs(line, sizeof(line), VNET_MACS_MAX + 1);
	parse_err(line, "too many");
	proto_req_wipe(&r);
}

static void test_duplicates_removed(void **state)
{
	struct proto_req r = { 0 };

	parse_ok("BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:01 02-00-00-00-00-01 "
		 "02:00:00:00:00:02 02:00:00:00:00:01 02:00:00:00:00:02 02:00:00:00:00:0A "
		 "02:00:00:00:00:0a", &r);
	assert_int_equal(r.nmacs, 3);
	assert_memory_equal(r.macs[0].b, ((const uint8_t[]){ 2, 0, 0, 0, 0, 1 }), MAC_LEN);
	assert_memory_equal(r.macs[1].b, ((const uint8_t[]){ 2, 0, 0, 0, 0, 2 }), MAC_LEN);
	assert_memory_equal(r.macs[2].b, mac_a.b, MAC_LEN);

	parse_ok("HANDLE pw LOCAL eth0 REMOTE h 1 eth1 ff:ff:ff:ff:ff:ff FF:FF:FF:FF:FF:FF", &r);
	assert_int_equal(r.nmacs, 1);
	assert_memory_equal(r.macs[0].b, mac_bcast.b, MAC_LEN);
	proto_req_wipe(&r);
}

static void test_address_patterns(void **state)
{
	static const struct bad_line bad[] = {
		{ "BEGIN LOCAL eth0 REMOTE eth1 33:33:00:00:00:01/16", "beyond the prefix length" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 33:33:00:00:00:00/49", "above 48" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 33:33:00:00:00:00/", "address" },
		{ "BEGIN LOCAL eth0 REMOTE eth1 33:33:00:00:00:00/1600", "address" },
		{ "HANDLE pw LOCAL eth0 REMOTE h 1 eth1 00:00:00:00:00:00/48", "address" },
	};
	struct proto_req r = { 0 };
	char out[VNET_LINE_MAX];
	int len;

	parse_ok("BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0a 33:33:00:00:00:00/16 "
		 "33:33:00:00:00:00/16 33:33:00:00:00:00/17 02:00:00:00:00:0a/48", &r);
	assert_int_equal(r.nmacs, 3);   /* duplicates removed: the same bits and length */
	assert_int_equal(r.macs[0].len, 48);
	assert_memory_equal(r.macs[1].b, ((const uint8_t[]){ 0x33, 0x33, 0, 0, 0, 0 }), MAC_LEN);
	assert_int_equal(r.macs[1].len, 16);
	assert_int_equal(r.macs[2].len, 17);
	/* Formatted as given; an exact address without a length. */
	len = proto_fmt_begin(out, sizeof(out), VNET_LOCAL, "eth0", "eth1", r.macs, r.nmacs);
	assert_string_equal(out, "BEGIN LOCAL eth0 REMOTE eth1 02:00:00:00:00:0a "
			    "33:33:00:00:00:00/16 33:33:00:00:00:00/17\n");
	assert_int_equal(len, strlen(out));
	parse_ok("HANDLE pw LOCAL eth0 REMOTE h 1 eth1 00:00:00:00:00:00/0", &r);
	assert_int_equal(r.macs[0].len, 0);
	parse_ok("RHANDLE pw LOCAL eth0 REMOTE h 1 eth1 01:00:5e:00:00:00/25", &r);
	assert_int_equal(r.macs[0].len, 25);
	/* Refused: host bits beyond the length, a length out of range, a zero address. */
	PARSE_ERRS(bad);
	proto_req_wipe(&r);
}

static void test_parse_macs_direct(void **state)
{
	char *words[VNET_MACS_MAX + 1];
	char store[VNET_MACS_MAX + 1][MAC_STRLEN];
	struct mac_pattern macs[VNET_MACS_MAX];
	size_t n = 99;
	char err[ERRLEN] = "";

	for (size_t i = 0; i <= VNET_MACS_MAX; i++) {
		struct mac m;

		mac_i(&m, i);
		mac_format(&m, store[i]);
		words[i] = store[i];
	}
	assert_false(proto_parse_macs(words, 0, macs, &n, err, sizeof(err)));
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, "address"));
	assert_true(proto_parse_macs(words, VNET_MACS_MAX, macs, &n, err, sizeof(err)));
	assert_int_equal(n, VNET_MACS_MAX);
	assert_false(proto_parse_macs(words, VNET_MACS_MAX + 1, macs, &n, err, sizeof(err)));
	assert_non_null(strstr(err, "too many"));
}

/*
 * Random lists of up to VNET_MACS_MAX addresses and patterns drawn from a few
 * values, so that most come several times: the first of each is kept, in
 * order, as a search of what came before keeps it.
 */
static void test_parse_macs_duplicates_random(void **state)
{
	static char store[VNET_MACS_MAX][MAC_PATTERN_STRLEN];
	static struct mac_pattern want[VNET_MACS_MAX], got[VNET_MACS_MAX];
	static const uint8_t lens[] = { 48, 48, 47, 40, 16, 8 };
	char *words[VNET_MACS_MAX];
	char err[ERRLEN];

	srand(1206);
	for (int round = 0; round < 200; round++) {
		size_t n = round == 0 ? VNET_MACS_MAX : 1 + (size_t)rand() % VNET_MACS_MAX;
		size_t nwant = 0, ngot = 0;
		int spread = 1 + rand() % 600;      /* distinct values to draw from */

		for (size_t i = 0; i < n; i++) {
			struct mac_pattern p = { { 0x02, 0, 0, 0, 0, 0 }, lens[rand() % 6] };
			bool seen = false;
			int v = rand() % spread;

			p.b[4] = (uint8_t)(v >> 8);
			p.b[5] = (uint8_t)(v | 1);
			for (size_t k = 0; k < MAC_LEN; k++)
				p.b[k] &= mac_mask_octet(p.len, k);
			mac_pattern_format(&p, store[i]);
			words[i] = store[i];
			for (size_t j = 0; j < nwant && !seen; j++)
				seen = mac_pattern_equal(&want[j], &p);
			if (!seen)
				want[nwant++] = p;
		}
		assert_true(proto_parse_macs(words, n, got, &ngot, err, sizeof(err)));
		assert_int_equal(ngot, nwant);
		for (size_t i = 0; i < nwant; i++)
			if (!mac_pattern_equal(&got[i], &want[i]))
				fail_msg("round %d: address %zu of %zu differs", round, i, nwant);
	}
}

/* ---- general errors ---- */

/* The command of a line from its first word, whatever follows; a NUL anywhere refuses it. */
static void test_parse_cmd(void **state)
{
	static const char nul[] = "HELLO pw 1.0\0junk";
	enum proto_cmd cmd = PROTO_DONE;
	char err[ERRLEN];
	const char *l;

	l = "  rhandle pw LOCAL lo REMOTE h 1 eth0 not-even-an-address";
	assert_true(proto_parse_cmd(l, strlen(l), &cmd, err, sizeof(err)));
	assert_int_equal(cmd, PROTO_HANDLE);
	l = "HELLO";
	assert_true(proto_parse_cmd(l, strlen(l), &cmd, err, sizeof(err)));
	assert_int_equal(cmd, PROTO_HELLO);
	l = "STATS?\tjunk";
	assert_true(proto_parse_cmd(l, strlen(l), &cmd, err, sizeof(err)));
	assert_int_equal(cmd, PROTO_STATS);
	l = "HELLOX pw 1.0";
	assert_false(proto_parse_cmd(l, strlen(l), &cmd, err, sizeof(err)));
	assert_string_equal(err, "unknown request 'HELLOX'");
	l = " \t ";
	assert_false(proto_parse_cmd(l, strlen(l), &cmd, err, sizeof(err)));
	assert_string_equal(err, "empty request");
	assert_false(proto_parse_cmd(nul, sizeof(nul) - 1, &cmd, err, sizeof(err)));
	assert_string_equal(err, "NUL byte in the request");
	assert_false(proto_parse_cmd("\0", 1, &cmd, err, sizeof(err)));
	assert_string_equal(err, "NUL byte in the request");
}

static void test_unknown_request(void **state)
{
	static const struct bad_line bad[] = {
		{ "FOO", "unknown" },
		{ "HELLOX pw 1.0", "unknown" },
		{ "HELL pw 1.0", "unknown" },
		{ "OK", "unknown" },
		{ "CLOSE1", "unknown" },
		{ "\x01", "unknown" },
	};

	PARSE_ERRS(bad);
}

static void test_empty_line(void **state)
{
	static const struct bad_line bad[] = {
		{ "", "empty" },
		{ " ", "empty" },
		{ "\t \t  ", "empty" },
	};

	PARSE_ERRS(bad);
}

static void test_line_length(void **state)
{
	char *line = malloc(10 * VNET_LINE_MAX);
	struct proto_req r = { 0 };

	assert_non_null(line);
	/* The longest line accepted: VNET_LINE_MAX - 1 bytes (its newline makes VNET_LINE_MAX). */
	memset(line, ' ', VNET_LINE_MAX - 1);
	memcpy(line, "DONE", 4);
	line[VNET_LINE_MAX - 1] = '\0';
	parse_ok(line, &r);
	assert_int_equal(r.cmd, PROTO_DONE);

	memset(line, ' ', VNET_LINE_MAX);
	memcpy(line, "DONE", 4);
	line[VNET_LINE_MAX] = '\0';
	parse_err(line, "too long");

	memset(line, 'x', 10 * VNET_LINE_MAX - 1);
	line[10 * VNET_LINE_MAX - 1] = '\0';
	parse_err(line, "too long");
	free(line);
}

static void test_too_many_words(void **state)
{
	char line[VNET_LINE_MAX];

	strcpy(line, "DONE");
	for (int i = 0; i < VNET_MACS_MAX + 100; i++)
		strcat(line, " x");
	parse_err(line, "too many");
	strcpy(line, "HELLO");
	for (int i = 0; i < VNET_MACS_MAX + 500; i++)
		strcat(line, " y");
	parse_err(line, "too many");
}

/* err is always NUL-terminated within errlen. */
static void test_err_truncated(void **state)
{
	struct proto_req r = { 0 };
	char err[32];

	memset(err, 'Z', sizeof(err));
	assert_false(proto_parse("UNKNOWNCOMMAND", &r, err, 8));
	assert_int_equal(strlen(err), 7);
	for (size_t i = 8; i < sizeof(err); i++)
		assert_int_equal(err[i], 'Z');
	memset(err, 'Z', sizeof(err));
	assert_false(proto_parse("BEGIN LOCAL eth0 LOCAL eth1 02:00:00:00:00:0a", &r, err, 1));
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'Z');
}

/* ---- secrets ---- */

static void test_wipe(void **state)
{
	struct proto_req r = { 0 };
	char err[ERRLEN];

	parse_ok("HELLO topsecret 1.0", &r);
	assert_string_equal(r.password, "topsecret");
	proto_req_wipe(&r);
	assert_all_zero(r.password, sizeof(r.password));

	parse_ok("HANDLE topsecret LOCAL eth0 REMOTE h 1 eth1 02:00:00:00:00:0a", &r);
	assert_string_equal(r.password, "topsecret");
	proto_req_wipe(&r);
	assert_all_zero(r.password, sizeof(r.password));
	assert_string_equal(r.ldev, "eth0");        /* only the secrets */

	/* A request that fails after its password was read leaves no copy of it. */
	assert_false(proto_parse("HANDLE topsecret LOCAL eth0 REMOTE h 1 eth1 xx", &r, err,
				 sizeof(err)));
	assert_all_zero(r.password, sizeof(r.password));
	assert_false(proto_parse("HANDLE topsecret LOCAL eth0 LOCAL h 1 eth1 02:00:00:00:00:0a",
				 &r, err, sizeof(err)));
	assert_all_zero(r.password, sizeof(r.password));
	assert_false(proto_parse("HELLO topsecret 1.0 more", &r, err, sizeof(err)));
	assert_all_zero(r.password, sizeof(r.password));

	/* A request parsed into a used structure does not keep the previous password. */
	parse_ok("HELLO topsecret 1.0", &r);
	parse_ok("DONE", &r);
	assert_all_zero(r.password, sizeof(r.password));
}

static void test_secret_equal(void **state)
{
	char a[VNET_PASSWORD_MAX + 1], b[VNET_PASSWORD_MAX + 1];

	assert_true(proto_secret_equal("abc", "abc"));
	assert_true(proto_secret_equal("", ""));
	assert_false(proto_secret_equal("abc", "abd"));
	assert_false(proto_secret_equal("abc", "xbc"));
	assert_false(proto_secret_equal("abc", "ABC"));
	assert_false(proto_secret_equal("abc", "ab"));          /* prefix */
	assert_false(proto_secret_equal("ab", "abc"));
	assert_false(proto_secret_equal("", "a"));
	assert_false(proto_secret_equal("a", ""));
	assert_false(proto_secret_equal("abc", "abcabc"));      /* repetitions */
	assert_false(proto_secret_equal("abcabc", "abc"));
	assert_false(proto_secret_equal("a", "aa"));
	assert_false(proto_secret_equal("short", "muchlongersecret"));

	memset(a, 's', VNET_PASSWORD_MAX);
	a[VNET_PASSWORD_MAX] = '\0';
	memcpy(b, a, sizeof(b));
	assert_true(proto_secret_equal(a, b));
	b[VNET_PASSWORD_MAX - 1] = 't';
	assert_false(proto_secret_equal(a, b));
	b[VNET_PASSWORD_MAX - 1] = 's';
	b[0] = 't';
	assert_false(proto_secret_equal(a, b));
}

static void test_version_supported(void **state)
{
	assert_true(proto_version_supported("0.9"));
	assert_true(proto_version_supported("1.0"));
	assert_true(proto_version_supported(VNET_PROTO_VERSION));
	assert_false(proto_version_supported(""));
	assert_false(proto_version_supported("1"));
	assert_false(proto_version_supported("1.1"));
	assert_false(proto_version_supported("0.8"));
	assert_false(proto_version_supported("2.0"));
	assert_false(proto_version_supported("1.0.0"));
	assert_false(proto_version_supported("1.00"));
	assert_false(proto_version_supported("1.0 "));
	assert_false(proto_version_supported("0.9x"));
	assert_false(proto_version_supported("10"));
}

static void test_config(void **state)
{
	enum vnet_config c = VNET_REMOTE;

	assert_true(proto_parse_config("LOCAL", &c));
	assert_int_equal(c, VNET_LOCAL);
	assert_true(proto_parse_config("remote", &c));
	assert_int_equal(c, VNET_REMOTE);
	assert_true(proto_parse_config("Local", &c));
	assert_int_equal(c, VNET_LOCAL);
	assert_false(proto_parse_config("", &c));
	assert_false(proto_parse_config("LOCALS", &c));
	assert_false(proto_parse_config("LOC", &c));
	assert_false(proto_parse_config("REMOTE ", &c));
	assert_int_equal(c, VNET_LOCAL);
	assert_string_equal(proto_config_name(VNET_LOCAL), "LOCAL");
	assert_string_equal(proto_config_name(VNET_REMOTE), "REMOTE");
}

/* ---- formatting, and the round trip through the parser ---- */

/* Parse a formatted line (its newline removed). */
static void reparse(const char *out, int len, struct proto_req *r)
{
	char line[VNET_LINE_MAX];

	assert_true(len > 0);
	assert_true(len < VNET_LINE_MAX);
	assert_int_equal(strlen(out), (size_t)len);
	assert_int_equal(out[len - 1], '\n');
	assert_null(memchr(out, '\n', (size_t)len - 1));
	memcpy(line, out, (size_t)len - 1);
	line[len - 1] = '\0';
	parse_ok(line, r);
}

/* Formatting into every cap smaller than needed fails without writing past cap. */
#define CHECK_CAPS(len, call)                                                        \
	do {                                                                         \
		for (size_t cap_ = 0; cap_ <= (size_t)(len) + 1; cap_++) {           \
			char *buf_ = malloc(cap_ ? cap_ : 1);                        \
			int got_;                                                    \
			assert_non_null(buf_);                                       \
			got_ = call(buf_, cap_);                                     \
			if (cap_ <= (size_t)(len))                                   \
				assert_int_equal(got_, -1);                          \
			else                                                         \
				assert_int_equal(got_, (len));                       \
			free(buf_);                                                  \
		}                                                                    \
	} while (0)

static int fmt_hello_pw(char *out, size_t cap)
{
	return proto_fmt_hello(out, cap, "pw");
}

static void test_fmt_hello(void **state)
{
	char out[VNET_LINE_MAX], pw[VNET_PASSWORD_MAX + 1];
	struct proto_req r = { 0 };
	int len;

	len = proto_fmt_hello(out, sizeof(out), "pw");
	assert_string_equal(out, "HELLO pw " VNET_PROTO_VERSION "\n");
	assert_int_equal(len, strlen("HELLO pw 1.0\n"));
	reparse(out, len, &r);
	assert_int_equal(r.cmd, PROTO_HELLO);
	assert_string_equal(r.password, "pw");
	assert_string_equal(r.version, VNET_PROTO_VERSION);
	assert_true(proto_version_supported(r.version));

	memset(pw, '~', VNET_PASSWORD_MAX);
	pw[VNET_PASSWORD_MAX] = '\0';
	len = proto_fmt_hello(out, sizeof(out), pw);
	reparse(out, len, &r);
	assert_string_equal(r.password, pw);
	proto_req_wipe(&r);

	CHECK_CAPS(13, fmt_hello_pw);
	assert_int_equal(proto_fmt_hello(out, 0, "pw"), -1);
}

static struct mac_pattern fmt_macs[VNET_MACS_MAX];
static const struct mac_pattern pat_a = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a }, MAC_BITS };
static char long_pw[VNET_PASSWORD_MAX + 1], long_host[VNET_HOST_MAX + 1];
static char long_dev1[PROTO_DEV_MAX], long_dev2[PROTO_DEV_MAX];

static void make_long_args(void)
{
	/* The longest entries: patterns /47 (a distinct prefix each), and the broadcast. */
	for (size_t i = 0; i < VNET_MACS_MAX; i++) {
		struct mac m;

		mac_i(&m, i * 97);
		mac_pattern_of(&m, &fmt_macs[i]);
		fmt_macs[i].b[5] &= 0xfe;
		fmt_macs[i].len = MAC_BITS - 1;
	}
	mac_pattern_of(&mac_bcast, &fmt_macs[VNET_MACS_MAX - 1]);
	memset(long_pw, 'P', VNET_PASSWORD_MAX);
	long_pw[VNET_PASSWORD_MAX] = '\0';
	memset(long_host, 'h', VNET_HOST_MAX);
	long_host[VNET_HOST_MAX] = '\0';
	memset(long_dev1, 'd', PROTO_DEV_MAX - 1);
	long_dev1[PROTO_DEV_MAX - 1] = '\0';
	memset(long_dev2, 'e', PROTO_DEV_MAX - 1);
	long_dev2[PROTO_DEV_MAX - 1] = '\0';
}

static int fmt_handle_long(char *out, size_t cap)
{
	const struct proto_handle h = {
		.password = long_pw, .lconf = VNET_REMOTE, .ldev = long_dev1,
		.rhost = long_host, .rport = 65535, .rdev = long_dev2,
		.macs = fmt_macs, .nmacs = VNET_MACS_MAX,
	};

	return proto_fmt_handle(out, cap, &h);
}

static int fmt_handle_short(char *out, size_t cap)
{
	const struct proto_handle h = {
		.password = "pw", .lconf = VNET_LOCAL, .ldev = "eth0",
		.rhost = "h", .rport = 1, .rdev = "eth1", .macs = &pat_a, .nmacs = 1,
	};

	return proto_fmt_handle(out, cap, &h);
}

/* A formatter of a request, the line it must write (NULL: not compared) and what the parser
 * must read back from that line. */
struct fmt_case {
	int (*fmt)(char *out, size_t cap);
	const char *want;
	enum proto_cmd cmd;
	const char *password;           /* NULL: BEGIN, which has none, nor host and port */
	enum vnet_config lconf, rconf;
	const char *ldev, *rdev, *rhost;
	uint16_t rport;
	const struct mac_pattern *macs;
	size_t nmacs;
};

/* Format a case's request, parse it back, compare, and check every cap too small for it. */
static void check_fmt(const struct fmt_case *c)
{
	char out[VNET_LINE_MAX];
	struct proto_req r = { 0 };
	int len;

	len = c->fmt(out, sizeof(out));
	if (c->want)
		assert_string_equal(out, c->want);
	reparse(out, len, &r);
	assert_int_equal(r.cmd, c->cmd);
	if (c->password) {
		assert_string_equal(r.password, c->password);
		assert_string_equal(r.rhost, c->rhost);
		assert_int_equal(r.rport, c->rport);
	}
	assert_int_equal(r.lconf, c->lconf);
	assert_int_equal(r.rconf, c->rconf);
	assert_string_equal(r.ldev, c->ldev);
	assert_string_equal(r.rdev, c->rdev);
	assert_int_equal(r.nmacs, c->nmacs);
	assert_memory_equal(r.macs, c->macs, c->nmacs * sizeof(*c->macs));
	proto_req_wipe(&r);
	CHECK_CAPS(len, c->fmt);
}

static void test_fmt_handle(void **state)
{
	/* A short request, and the largest valid one: it fits in a line. */
	static const struct fmt_case cases[] = {
		{ fmt_handle_short, "HANDLE pw LOCAL eth0 REMOTE h 1 eth1 02:00:00:00:00:0a\n",
		  PROTO_HANDLE, "pw", VNET_LOCAL, VNET_REMOTE, "eth0", "eth1", "h", 1, &pat_a, 1 },
		{ fmt_handle_long, NULL, PROTO_HANDLE, long_pw, VNET_REMOTE, VNET_LOCAL, long_dev1,
		  long_dev2, long_host, 65535, fmt_macs, VNET_MACS_MAX },
	};

	make_long_args();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_fmt(&cases[i]);
}

static int fmt_begin_long(char *out, size_t cap)
{
	return proto_fmt_begin(out, cap, VNET_LOCAL, long_dev1, long_dev2, fmt_macs,
			       VNET_MACS_MAX);
}

static int fmt_begin_short(char *out, size_t cap)
{
	return proto_fmt_begin(out, cap, VNET_REMOTE, "vmnet1", "eth0", &pat_a, 1);
}

static void test_fmt_begin(void **state)
{
	static const struct fmt_case cases[] = {
		{ fmt_begin_short, "BEGIN REMOTE vmnet1 LOCAL eth0 02:00:00:00:00:0a\n", PROTO_BEGIN,
		  NULL, VNET_REMOTE, VNET_LOCAL, "vmnet1", "eth0", NULL, 0, &pat_a, 1 },
		{ fmt_begin_long, NULL, PROTO_BEGIN, NULL, VNET_LOCAL, VNET_REMOTE, long_dev1,
		  long_dev2, NULL, 0, fmt_macs, VNET_MACS_MAX },
	};

	make_long_args();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_fmt(&cases[i]);
}

/* ---- replies ---- */

static void expect_reply(const char *line, bool ok, const char *rest_want)
{
	const char *rest = NULL;

	if (proto_reply_ok(line, &rest) != ok)
		fail_msg("reply '%s': want %s", line, ok ? "OK" : "not OK");
	assert_non_null(rest);
	assert_string_equal(rest, rest_want);
}

static void test_sanitize(void **state)
{
	char out[16], big[300];
	const char esc[] = "\x1b[2J\x1b]0;pwned\a\r\n\x7f\x80\xff ok";

	/* Printable ASCII passes as it is. */
	assert_int_equal(proto_sanitize(out, sizeof(out), "NOK no such", 11), 11);
	assert_string_equal(out, "NOK no such");
	/* Controls, escapes, DEL and 8-bit bytes become '?'; a NUL too. */
	assert_int_equal(proto_sanitize(out, sizeof(out), esc, sizeof(esc) - 1), 15);
	assert_string_equal(out, "?[2J?]0;pwne...");
	assert_int_equal(proto_sanitize(out, sizeof(out), "a\0b", 3), 3);
	assert_string_equal(out, "a?b");
	assert_int_equal(proto_sanitize(out, sizeof(out), "\t\x1b\x7f", 3), 3);
	assert_string_equal(out, "???");
	/* Exactly cap - 1 bytes fit; one more is cut and marked. */
	assert_int_equal(proto_sanitize(out, sizeof(out), "0123456789abcde", 15), 15);
	assert_string_equal(out, "0123456789abcde");
	assert_int_equal(proto_sanitize(out, sizeof(out), "0123456789abcdef", 16), 15);
	assert_string_equal(out, "0123456789ab...");
	/* A long line is bounded, whatever its length. */
	memset(big, 'x', sizeof(big));
	assert_int_equal(proto_sanitize(out, sizeof(out), big, sizeof(big)), 15);
	/* Tiny buffers: never written past. */
	assert_int_equal(proto_sanitize(out, 3, "abcdef", 6), 2);
	assert_string_equal(out, "..");
	assert_int_equal(proto_sanitize(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
	assert_int_equal(proto_sanitize(out, 0, "abc", 3), 0);
	assert_int_equal(proto_sanitize(out, sizeof(out), "", 0), 0);
	assert_string_equal(out, "");
	assert_true(proto_printable(' '));
	assert_true(proto_printable('~'));
	assert_false(proto_printable('\n'));
	assert_false(proto_printable(0x7f));
	assert_false(proto_printable(0xe9));
}

static void test_reply_ok(void **state)
{
	const char *rest = NULL;

	expect_reply("OK", true, "");
	expect_reply("OK 1", true, "1");
	expect_reply("OK bye", true, "bye");
	expect_reply("OK  handlers", true, "handlers");
	expect_reply("OK\t1", true, "1");
	expect_reply("OK closed 3", true, "closed 3");
	expect_reply("NOK reason", false, "reason");
	expect_reply("NOK no handler 7", false, "no handler 7");
	expect_reply("NOK", false, "");
	expect_reply("NOK \tauthentication failed", false, "authentication failed");

	/* Neither OK nor NOK: false, and rest is the whole line. */
	expect_reply("NOKX", false, "NOKX");
	expect_reply("OKAY", false, "OKAY");
	expect_reply("", false, "");
	expect_reply(" OK", false, " OK");
	expect_reply("O", false, "O");
	expect_reply("NO", false, "NO");
	{
		const char *line = "OKAY";

		assert_false(proto_reply_ok(line, &rest));
		assert_ptr_equal(rest, line);
		line = "OK 1";
		assert_true(proto_reply_ok(line, &rest));
		assert_ptr_equal(rest, line + 3);
	}
}

/* INSTANCE?'s answer: formatted, and read back bounded and exact. */
static void test_instance(void **state)
{
	char out[64];
	uint64_t id = 0;

	assert_int_equal(proto_fmt_instance_ok(out, sizeof(out), 0x0123456789abcdefull), 28);
	assert_string_equal(out, "OK instance 0123456789abcdef");
	assert_true(proto_reply_instance(out + 3, &id));
	assert_true(id == 0x0123456789abcdefull);
	assert_true(proto_reply_instance("instance ffffffffffffffff ", &id));
	assert_true(id == UINT64_MAX);
	assert_int_equal(proto_fmt_instance_ok(out, 28, 1), -1);   /* no room for the NUL */

	assert_false(proto_reply_instance("instance 0123456789abcde", &id));     /* 15 digits */
	assert_false(proto_reply_instance("instance 0123456789abcdef0", &id));   /* 17 */
	assert_false(proto_reply_instance("instance 0123456789ABCDEF", &id));    /* upper case */
	assert_false(proto_reply_instance("instance 0123456789abcdeg", &id));
	assert_false(proto_reply_instance("instance 0123456789abcdef x", &id));
	assert_false(proto_reply_instance("instance", &id));
	assert_false(proto_reply_instance("instances 0123456789abcdef", &id));
	assert_false(proto_reply_instance("1.0", &id));
	assert_false(proto_reply_instance("", &id));
	assert_false(proto_reply_instance("unknown request 'INSTANCE?'", &id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_instance),
		cmocka_unit_test(test_hello_password_limits),
		cmocka_unit_test(test_bad_password),
		cmocka_unit_test(test_hello_version),
		cmocka_unit_test(test_no_arg_commands),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_close_bad_id),
		cmocka_unit_test(test_handle),
		cmocka_unit_test(test_begin),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_arg_counts),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_same_config_twice),
		cmocka_unit_test(test_device_valid),
		cmocka_unit_test(test_bad_device_in_request),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_bad_host),
		cmocka_unit_test(test_bad_mac),
		cmocka_unit_test(test_mac_count),
		cmocka_unit_test(test_duplicates_removed),
		cmocka_unit_test(test_parse_macs_direct),
		cmocka_unit_test(test_address_patterns),
		cmocka_unit_test(test_unknown_request),
		cmocka_unit_test(test_empty_line),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_too_many_words),
		cmocka_unit_test(test_err_truncated),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_secret_equal),
		cmocka_unit_test(test_version_supported),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_fmt_hello),
		cmocka_unit_test(test_fmt_handle),
		cmocka_unit_test(test_fmt_begin),
		cmocka_unit_test(test_reply_ok),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_parse_cmd),
		cmocka_unit_test(test_parse_macs_duplicates_random),
	};

	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
