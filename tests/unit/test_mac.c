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

static void test_in_list(void **state)
{
	struct mac list[3], m = sample;

	assert_false(mac_in_list(&m, NULL, 0));
	assert_true(mac_parse("02:00:00:00:00:01", &list[0]));
	assert_true(mac_parse("ff:ff:ff:ff:ff:ff", &list[1]));
	list[2] = sample;
	assert_true(mac_in_list(&m, list, 3));
	assert_false(mac_in_list(&m, list, 2));      /* n bounds the search */
	m.b[5] ^= 1;
	assert_false(mac_in_list(&m, list, 3));
	assert_true(mac_in_list(&list[1], list, 3));
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

static bool allowed(enum vnet_config conf, const struct mac *list, size_t n, const char *dst,
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

/* The seed scenario: LOCAL on the LAN with {VM, broadcast}, REMOTE next to the VM. */
static void test_inject_local(void **state)
{
	struct mac list[2];

	assert_true(mac_parse(VM, &list[0]));
	assert_true(mac_parse(BC, &list[1]));
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
}

static void test_inject_remote(void **state)
{
	struct mac list[3];

	assert_true(mac_parse(VM, &list[0]));
	assert_true(mac_parse(BC, &list[1]));
	assert_true(mac_parse(MCAST, &list[2]));
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
		cmocka_unit_test(test_inject_local),
		cmocka_unit_test(test_inject_remote),
	};

	return cmocka_run_group_tests_name("mac", tests, NULL, NULL);
}
