// SPDX-License-Identifier: GPL-2.0-or-later
/* test_mac.c - unit tests of Ethernet address parsing, formatting and predicates */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/mac.h"

static const struct mac sample = { { 0x02, 0x00, 0x5e, 0x10, 0xab, 0xcd } };

/* Parse s, which must be valid, and compare with the expected bytes. */
static void expect_parse(const char *s, const struct mac *want)
{
	struct mac m;

	memset(&m, 0xa5, sizeof(m));
	if (!mac_parse(s, &m))
		fail_msg("mac_parse(\"%s\") rejected a valid address", s);
	assert_memory_equal(m.b, want->b, MAC_LEN);
}

/* s must be rejected, and the output left untouched. */
static void expect_reject(const char *s)
{
	struct mac m, before;

	memset(&m, 0x5a, sizeof(m));
	before = m;
	if (mac_parse(s, &m))
		fail_msg("mac_parse(\"%s\") accepted an invalid address", s);
	assert_memory_equal(m.b, before.b, MAC_LEN);
}

static void test_parse_lowercase(void **state)
{
	static const struct mac all = { { 0xab, 0xcd, 0xef, 0x01, 0x89, 0xfe } };

	expect_parse("02:00:5e:10:ab:cd", &sample);
	expect_parse("ab:cd:ef:01:89:fe", &all);
}

static void test_parse_uppercase(void **state)
{
	static const struct mac all = { { 0xab, 0xcd, 0xef, 0x01, 0x89, 0xfe } };

	expect_parse("02:00:5E:10:AB:CD", &sample);
	expect_parse("02:00:5e:10:Ab:cD", &sample);
	expect_parse("AB:CD:EF:01:89:FE", &all);
}

static void test_parse_dash(void **state)
{
	expect_parse("02-00-5e-10-ab-cd", &sample);
	expect_parse("02-00-5E-10-AB-CD", &sample);
}

static void test_parse_limits(void **state)
{
	static const struct mac zero = { { 0, 0, 0, 0, 0, 0 } };
	static const struct mac ones = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

	expect_parse("00:00:00:00:00:00", &zero);   /* syntactically valid */
	expect_parse("ff:ff:ff:ff:ff:ff", &ones);
	expect_parse("FF-FF-FF-FF-FF-FF", &ones);
}

static void test_parse_mixed_separators(void **state)
{
	expect_reject("02:00-5e:10:ab:cd");
	expect_reject("02-00:5e-10:ab-cd");
	expect_reject("02:00:5e:10:ab-cd");    /* only the last one differs */
	expect_reject("02-00-5e-10-ab:cd");
	expect_reject("02-00-5e-10:ab-cd");
}

static void test_parse_other_separators(void **state)
{
	expect_reject("02.00.5e.10.ab.cd");
	expect_reject("02 00 5e 10 ab cd");
	expect_reject("02_00_5e_10_ab_cd");
	expect_reject("02005e10abcd");
	expect_reject("0200.5e10.abcd");
	expect_reject("02::00:5e:10:ab:cd");
}

static void test_parse_one_digit_octets(void **state)
{
	expect_reject("2:0:5e:10:ab:cd");
	expect_reject("2:00:5e:10:ab:cd");
	expect_reject("02:00:5e:10:ab:d");
	expect_reject("02:00:e:10:ab:cd");
	expect_reject("2:0:e:1:a:c");
	expect_reject("2-0-5e-10-ab-cd");
}

static void test_parse_three_digit_octets(void **state)
{
	expect_reject("002:00:5e:10:ab:cd");
	expect_reject("02:00:5e:100:ab:cd");
	expect_reject("02:00:5e:10:ab:cdd");
	expect_reject("02:00:5e:10:ab:0cd");
	expect_reject("02-00-5e-10-ab-cde");
}

static void test_parse_trailing_garbage(void **state)
{
	expect_reject("02:00:5e:10:ab:cd ");
	expect_reject("02:00:5e:10:ab:cd:");
	expect_reject("02:00:5e:10:ab:cd-");
	expect_reject("02:00:5e:10:ab:cd:ef");
	expect_reject("02:00:5e:10:ab:cdx");
	expect_reject("02:00:5e:10:ab:cd\n");
	expect_reject("02:00:5e:10:ab:cd\r");
}

static void test_parse_leading_garbage(void **state)
{
	expect_reject(" 02:00:5e:10:ab:cd");
	expect_reject(":02:00:5e:10:ab:cd");
	expect_reject("0x02:00:5e:10:ab:cd");
}

static void test_parse_missing_octet(void **state)
{
	expect_reject("02:00:5e:10:ab");
	expect_reject("02:00:5e:10:ab:");
	expect_reject("02:00:5e:10::cd");
	expect_reject(":00:5e:10:ab:cd");
	expect_reject("02");
	expect_reject("02:");
	expect_reject("02-00-5e-10-ab");
}

static void test_parse_empty(void **state)
{
	expect_reject("");
	expect_reject(":");
	expect_reject(":::::");
}

static void test_parse_non_hex(void **state)
{
	expect_reject("g2:00:5e:10:ab:cd");
	expect_reject("0g:00:5e:10:ab:cd");
	expect_reject("02:00:5e:10:ab:cg");
	expect_reject("02:00:5e:10:ab:gd");
	expect_reject("02:00:5e:1z:ab:cd");
	expect_reject("02:00:5e:10:ab:c/");   /* '0' - 1 */
	expect_reject("02:00:5e:10:ab:c:");   /* '9' + 1 */
	expect_reject("02:00:5e:10:ab:c@");   /* 'A' - 1 */
	expect_reject("02:00:5e:10:ab:cG");   /* 'F' + 1 */
	expect_reject("02:00:5e:10:ab:c`");   /* 'a' - 1 */
	expect_reject("02:00:5e:10:ab:c\xc3");
	expect_reject("+2:00:5e:10:ab:cd");
	expect_reject("-2:00:5e:10:ab:cd");
}

static void test_format(void **state)
{
	static const struct mac zero = { { 0, 0, 0, 0, 0, 0 } };
	static const struct mac ones = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	char s[MAC_STRLEN];

	memset(s, 'X', sizeof(s));
	mac_format(&sample, s);
	assert_string_equal(s, "02:00:5e:10:ab:cd");
	assert_int_equal(strlen(s), MAC_STRLEN - 1);

	mac_format(&zero, s);
	assert_string_equal(s, "00:00:00:00:00:00");
	mac_format(&ones, s);
	assert_string_equal(s, "ff:ff:ff:ff:ff:ff");
}

static void test_format_round_trip(void **state)
{
	/* Every byte value in every position goes through format then parse. */
	for (int pos = 0; pos < MAC_LEN; pos++) {
		for (int v = 0; v < 256; v++) {
			struct mac m = sample, back;
			char s[MAC_STRLEN];

			m.b[pos] = (uint8_t)v;
			m.b[(pos + 3) % MAC_LEN] = (uint8_t)(255 - v);
			mac_format(&m, s);
			assert_int_equal(strlen(s), MAC_STRLEN - 1);
			assert_true(mac_parse(s, &back));
			assert_memory_equal(back.b, m.b, MAC_LEN);
		}
	}
}

static void test_parse_format_normalises(void **state)
{
	struct mac m;
	char s[MAC_STRLEN];

	assert_true(mac_parse("0A-1B-2C-3D-4E-5F", &m));
	mac_format(&m, s);
	assert_string_equal(s, "0a:1b:2c:3d:4e:5f");
}

static void test_is_zero(void **state)
{
	struct mac m;

	memset(&m, 0, sizeof(m));
	assert_true(mac_is_zero(&m));
	for (int i = 0; i < MAC_LEN; i++) {
		memset(&m, 0, sizeof(m));
		m.b[i] = 0x01;
		assert_false(mac_is_zero(&m));
		m.b[i] = 0x80;
		assert_false(mac_is_zero(&m));
	}
	assert_false(mac_is_zero(&sample));
}

static void test_is_multicast(void **state)
{
	struct mac m;

	assert_true(mac_parse("01:00:5e:00:00:01", &m));    /* IPv4 multicast */
	assert_true(mac_is_multicast(&m));
	assert_true(mac_parse("33:33:00:00:00:01", &m));    /* IPv6 multicast */
	assert_true(mac_is_multicast(&m));
	assert_true(mac_parse("ff:ff:ff:ff:ff:ff", &m));    /* broadcast */
	assert_true(mac_is_multicast(&m));
	assert_true(mac_parse("03:00:00:00:00:00", &m));
	assert_true(mac_is_multicast(&m));

	assert_true(mac_parse("02:00:00:00:00:0a", &m));    /* locally administered */
	assert_false(mac_is_multicast(&m));
	assert_true(mac_parse("00:00:00:00:00:00", &m));
	assert_false(mac_is_multicast(&m));
	assert_true(mac_parse("fe:ff:ff:ff:ff:ff", &m));    /* only bit 0 of octet 0 */
	assert_false(mac_is_multicast(&m));
	assert_true(mac_parse("00:01:01:01:01:01", &m));    /* bit 0 of other octets */
	assert_false(mac_is_multicast(&m));
	assert_false(mac_is_zero(&m));
}

static void test_equal(void **state)
{
	struct mac a = sample, b = sample;

	assert_true(mac_equal(&a, &b));
	assert_true(mac_equal(&a, &a));
	for (int i = 0; i < MAC_LEN; i++) {
		b = sample;
		b.b[i] ^= 0x01;
		assert_false(mac_equal(&a, &b));
		assert_false(mac_equal(&b, &a));
		b.b[i] ^= 0x81;                 /* differ in the top bit only */
		assert_false(mac_equal(&a, &b));
	}
}

/* Parse a list entry that must be valid. */
static void pat(const char *s, struct mac_pattern *p)
{
	const char *why = NULL;

	if (!mac_pattern_parse(s, p, &why))
		fail_msg("mac_pattern_parse(\"%s\"): %s", s, why);
}

static void test_in_list(void **state)
{
	struct mac_pattern list[3];
	struct mac m = sample;

	assert_false(mac_in_list(&m, NULL, 0));
	pat("02:00:00:00:00:01", &list[0]);
	pat("ff:ff:ff:ff:ff:ff", &list[1]);
	mac_pattern_of(&sample, &list[2]);
	assert_true(mac_in_list(&m, list, 3));
	assert_false(mac_in_list(&m, list, 2));      /* n bounds the search */
	m.b[5] ^= 1;
	assert_false(mac_in_list(&m, list, 3));
	assert_true(mac_parse("ff:ff:ff:ff:ff:ff", &m));
	assert_true(mac_in_list(&m, list, 3));
}

static void expect_pattern(const char *s, const char *bytes, unsigned int len, const char *shown)
{
	struct mac_pattern p;
	struct mac want;
	char out[MAC_PATTERN_STRLEN];

	pat(s, &p);
	assert_true(mac_parse(bytes, &want));
	assert_memory_equal(p.b, want.b, MAC_LEN);
	assert_int_equal(p.len, len);
	mac_pattern_format(&p, out);
	assert_string_equal(out, shown);
}

static void expect_pattern_reject(const char *s, const char *reason)
{
	struct mac_pattern p, before;
	const char *why = NULL;

	memset(&p, 0x5a, sizeof(p));
	before = p;
	if (mac_pattern_parse(s, &p, &why))
		fail_msg("mac_pattern_parse(\"%s\") accepted", s);
	assert_non_null(why);
	if (reason && !strstr(why, reason))
		fail_msg("mac_pattern_parse(\"%s\"): '%s', want '%s'", s, why, reason);
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_pattern_parse_format(void **state)
{
	/* One address: as before, shown without a length; /48 is the same thing. */
	expect_pattern("02:00:5E:10:AB:CD", "02:00:5e:10:ab:cd", 48, "02:00:5e:10:ab:cd");
	expect_pattern("02-00-5e-10-ab-cd/48", "02:00:5e:10:ab:cd", 48, "02:00:5e:10:ab:cd");
	expect_pattern("33:33:00:00:00:00/16", "33:33:00:00:00:00", 16, "33:33:00:00:00:00/16");
	expect_pattern("01:00:5e:00:00:00/25", "01:00:5e:00:00:00", 25, "01:00:5e:00:00:00/25");
	expect_pattern("00:00:00:00:00:00/0", "00:00:00:00:00:00", 0, "00:00:00:00:00:00/0");
	expect_pattern("01:00:00:00:00:00/8", "01:00:00:00:00:00", 8, "01:00:00:00:00:00/8");
	expect_pattern("ff:ff:ff:ff:ff:fe/47", "ff:ff:ff:ff:ff:fe", 47, "ff:ff:ff:ff:ff:fe/47");
	expect_pattern("33:00:00:00:00:00/09", "33:00:00:00:00:00", 9, "33:00:00:00:00:00/9");
}

static void test_pattern_reject(void **state)
{
	expect_pattern_reject("33:33:00:00:00:01/16", "beyond the prefix");
	expect_pattern_reject("33:33:00:00:00:00/8", "beyond the prefix");
	expect_pattern_reject("01:00:00:00:00:00/7", "beyond the prefix");
	expect_pattern_reject("00:00:00:00:00:01/47", "beyond the prefix");
	expect_pattern_reject("ff:ff:ff:ff:ff:ff/0", "beyond the prefix");
	expect_pattern_reject("33:33:00:00:00:00/49", "above 48");
	expect_pattern_reject("33:33:00:00:00:00/99", "above 48");
	expect_pattern_reject("33:33:00:00:00:00/", NULL);
	expect_pattern_reject("33:33:00:00:00:00/100", NULL);
	expect_pattern_reject("33:33:00:00:00:00/016", NULL);
	expect_pattern_reject("33:33:00:00:00:00/+8", NULL);
	expect_pattern_reject("33:33:00:00:00:00/ 8", NULL);
	expect_pattern_reject("33:33:00:00:00:00/-0", NULL);
	expect_pattern_reject("33:33:00:00:00:00/1x", NULL);
	expect_pattern_reject("33:33:00:00:00:00//16", NULL);
	expect_pattern_reject("33:33:00:00:00:00/16/16", NULL);
	expect_pattern_reject("33:33:00:00:00/16", NULL);
	expect_pattern_reject("33:33:00:00:00:00:00/16", NULL);
	expect_pattern_reject("/16", NULL);
	expect_pattern_reject("", NULL);
	expect_pattern_reject("33:33:00:00:00:0g", NULL);
}

static void test_pattern_match(void **state)
{
	struct mac_pattern p;
	struct mac m;

	pat("33:33:00:00:00:00/16", &p);
	assert_true(mac_parse("33:33:ff:12:00:0a", &m));
	assert_true(mac_pattern_match(&p, &m));
	assert_true(mac_parse("33:33:00:00:00:01", &m));
	assert_true(mac_pattern_match(&p, &m));
	assert_true(mac_parse("33:32:00:00:00:01", &m));
	assert_false(mac_pattern_match(&p, &m));
	assert_true(mac_parse("01:00:5e:00:00:01", &m));
	assert_false(mac_pattern_match(&p, &m));
	/* An odd length: the 25th bit counts, the 26th does not. */
	pat("01:00:5e:00:00:00/25", &p);
	assert_true(mac_parse("01:00:5e:7f:ff:ff", &m));
	assert_true(mac_pattern_match(&p, &m));
	assert_true(mac_parse("01:00:5e:80:00:00", &m));
	assert_false(mac_pattern_match(&p, &m));
	/* /0 matches everything; /48 one address. */
	pat("00:00:00:00:00:00/0", &p);
	assert_true(mac_pattern_match(&p, &m));
	mac_pattern_of(&sample, &p);
	assert_int_equal(p.len, MAC_BITS);
	assert_true(mac_pattern_match(&p, &sample));
	for (int bit = 0; bit < MAC_BITS; bit++) {
		m = sample;
		m.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_false(mac_pattern_match(&p, &m));
	}
	/* Equality: the same bits and the same length. */
	{
		struct mac_pattern a, b;

		pat("33:33:00:00:00:00/16", &a);
		pat("33:33:00:00:00:00/17", &b);
		assert_false(mac_pattern_equal(&a, &b));
		pat("33:33:00:00:00:00/16", &b);
		assert_true(mac_pattern_equal(&a, &b));
	}
}

static void test_mask_octet(void **state)
{
	assert_int_equal(mac_mask_octet(0, 0), 0);
	assert_int_equal(mac_mask_octet(1, 0), 0x80);
	assert_int_equal(mac_mask_octet(7, 0), 0xfe);
	assert_int_equal(mac_mask_octet(8, 0), 0xff);
	assert_int_equal(mac_mask_octet(8, 1), 0);
	assert_int_equal(mac_mask_octet(12, 1), 0xf0);
	assert_int_equal(mac_mask_octet(48, 5), 0xff);
	assert_int_equal(mac_mask_octet(47, 5), 0xfe);
}

/* A frame's first 12 bytes: destination then source, then an EtherType (tagged when vlan). */
static void put_macs(uint8_t *eth, const char *dst, const char *src, bool vlan)
{
	struct mac d, s;

	assert_true(mac_parse(dst, &d));
	assert_true(mac_parse(src, &s));
	memcpy(eth, d.b, MAC_LEN);
	memcpy(eth + MAC_LEN, s.b, MAC_LEN);
	memcpy(eth + 12, vlan ? "\x81\x00\x00\x2a\x08\x06" : "\x08\x06\x00\x01\x08\x00", 6);
}

static bool allowed(enum vnet_config conf, const struct mac_pattern *list, size_t n, const char *dst,
		    const char *src)
{
	uint8_t eth[60];
	bool plain, tagged;

	memset(eth, 0, sizeof(eth));
	put_macs(eth, dst, src, false);
	plain = mac_inject_allowed(conf, list, n, eth);
	put_macs(eth, dst, src, true);
	tagged = mac_inject_allowed(conf, list, n, eth);
	if (plain != tagged)
		fail_msg("%s -> %s: untagged %d, tagged %d", src, dst, plain, tagged);
	return plain;
}

#define VM      "02:00:c6:12:00:0a"
#define OTHER   "02:00:c6:12:00:66"
#define GW      "02:00:c6:12:00:01"
#define BC      "ff:ff:ff:ff:ff:ff"
#define MCAST   "01:00:5e:00:00:01"

/* The example scenario of the VNET 0.9 README: LOCAL on the LAN with {VM, broadcast}, REMOTE next
 * to the VM. */
static void test_inject_local(void **state)
{
	struct mac_pattern list[3];

	pat(VM, &list[0]);
	pat(BC, &list[1]);
	/* What the REMOTE peer captures (source VM) is injected, whatever the destination. */
	assert_true(allowed(VNET_LOCAL, list, 2, GW, VM));
	assert_true(allowed(VNET_LOCAL, list, 2, BC, VM));
	assert_true(allowed(VNET_LOCAL, list, 2, MCAST, VM));
	/* Any other source is refused: an ARP reply forged for the gateway, say. */
	assert_false(allowed(VNET_LOCAL, list, 2, BC, OTHER));
	assert_false(allowed(VNET_LOCAL, list, 2, VM, OTHER));
	assert_false(allowed(VNET_LOCAL, list, 2, VM, GW));
	/* A listed broadcast is no source: a multicast source is never injected. */
	assert_false(allowed(VNET_LOCAL, list, 2, GW, BC));
	assert_false(allowed(VNET_LOCAL, list, 1, GW, BC));
	/* The destination does not matter on this side. */
	assert_false(allowed(VNET_LOCAL, list, 2, VM, BC));
	/* A pattern matches sources, but never a multicast one. */
	pat("02:00:c6:12:00:00/40", &list[2]);
	assert_true(allowed(VNET_LOCAL, list + 2, 1, BC, OTHER));
	assert_false(allowed(VNET_LOCAL, list + 2, 1, BC, "02:00:c6:12:01:66"));
	pat("33:33:00:00:00:00/16", &list[2]);
	assert_false(allowed(VNET_LOCAL, list + 2, 1, GW, "33:33:00:00:00:01"));
	pat("00:00:00:00:00:00/0", &list[2]);
	assert_true(allowed(VNET_LOCAL, list + 2, 1, GW, OTHER));
	assert_false(allowed(VNET_LOCAL, list + 2, 1, GW, BC));
}

static void test_inject_remote(void **state)
{
	struct mac_pattern list[4];

	pat(VM, &list[0]);
	pat(BC, &list[1]);
	pat(MCAST, &list[2]);
	/* What the LOCAL peer captures (destination listed) is injected, whatever the source. */
	assert_true(allowed(VNET_REMOTE, list, 3, VM, GW));
	assert_true(allowed(VNET_REMOTE, list, 3, VM, OTHER));
	assert_true(allowed(VNET_REMOTE, list, 3, BC, GW));
	assert_true(allowed(VNET_REMOTE, list, 3, MCAST, GW));
	assert_false(allowed(VNET_REMOTE, list, 3, OTHER, GW));
	assert_false(allowed(VNET_REMOTE, list, 3, GW, VM));
	assert_false(allowed(VNET_REMOTE, list, 3, "01:00:5e:00:00:02", GW));
	assert_false(allowed(VNET_REMOTE, list, 3, "33:33:00:00:00:01", GW));
	/* Broadcast and multicast only when listed. */
	assert_false(allowed(VNET_REMOTE, list, 1, BC, GW));
	assert_false(allowed(VNET_REMOTE, list, 2, MCAST, GW));
	assert_true(allowed(VNET_REMOTE, list, 2, BC, GW));
	/* The list order does not matter, the last entry counts. */
	assert_true(allowed(VNET_REMOTE, list + 1, 2, MCAST, GW));
	assert_false(allowed(VNET_REMOTE, list + 1, 2, VM, GW));
	assert_false(allowed(VNET_REMOTE, list, 0, VM, GW));
	/* IPv6's groups by a pattern: a frame the peer sends to a 33:33 group. */
	pat("33:33:00:00:00:00/16", &list[3]);
	assert_true(allowed(VNET_REMOTE, list, 4, "33:33:00:00:00:01", GW));
	assert_true(allowed(VNET_REMOTE, list, 4, "33:33:ff:12:00:0a", OTHER));
	assert_false(allowed(VNET_REMOTE, list + 3, 1, "01:00:5e:00:00:02", GW));
	assert_false(allowed(VNET_REMOTE, list + 3, 1, BC, GW));
	assert_false(allowed(VNET_REMOTE, list + 3, 1, VM, GW));
	assert_true(allowed(VNET_REMOTE, list + 1, 3, "33:33:00:00:00:fb", GW));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lowercase),
		cmocka_unit_test(test_parse_uppercase),
		cmocka_unit_test(test_parse_dash),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_mixed_separators),
		cmocka_unit_test(test_parse_other_separators),
		cmocka_unit_test(test_parse_one_digit_octets),
		cmocka_unit_test(test_parse_three_digit_octets),
		cmocka_unit_test(test_parse_trailing_garbage),
		cmocka_unit_test(test_parse_leading_garbage),
		cmocka_unit_test(test_parse_missing_octet),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_non_hex),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_parse_format_normalises),
		cmocka_unit_test(test_is_zero),
		cmocka_unit_test(test_is_multicast),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_in_list),
		cmocka_unit_test(test_pattern_parse_format),
		cmocka_unit_test(test_pattern_reject),
		cmocka_unit_test(test_pattern_match),
		cmocka_unit_test(test_mask_octet),
		cmocka_unit_test(test_inject_local),
		cmocka_unit_test(test_inject_remote),
	};

	return cmocka_run_group_tests_name("mac", tests, NULL, NULL);
}
