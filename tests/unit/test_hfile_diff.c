// SPDX-License-Identifier: GPL-2.0-or-later
/* test_hfile_diff.c - unit tests of a handlers file read again (hfile_key_of, hfile_diff) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/hfile_diff.h"

#define TAIL " LOCAL eth0 REMOTE 198.19.0.1 4455 vmnet1 02:00:c6:12:00:0a"

static struct hfile_key key(const char *line)
{
	struct proto_req req;
	struct hfile_key k;
	char err[320];

	if (!proto_parse(line, &req, err, sizeof(err)))
		fail_msg("'%s': %s", line, err);
	assert_true(hfile_key_of(&req, &k));
	proto_req_wipe(&req);
	return k;
}

static bool same(const char *a, const char *b)
{
	struct hfile_key x = key(a), y = key(b);

	return !memcmp(x.b, y.b, HFILE_KEY_LEN);
}

/* Every field counts; spacing and the case of keywords do not. */
static void test_key(void **state)
{
	(void)state;
	assert_true(same("HANDLE pw" TAIL, "handle   pw\tlocal eth0 remote 198.19.0.1 4455 vmnet1 "
			 "02:00:C6:12:00:0A"));
	assert_false(same("HANDLE pw" TAIL, "RHANDLE pw" TAIL));
	assert_false(same("HANDLE pw" TAIL, "HANDLE pw2" TAIL));
	assert_false(same("HANDLE pw" TAIL, "HANDLE pw REMOTE eth0 LOCAL 198.19.0.1 4455 vmnet1 "
			  "02:00:c6:12:00:0a"));
	assert_false(same("HANDLE pw" TAIL, "HANDLE pw LOCAL eth1 REMOTE 198.19.0.1 4455 vmnet1 "
			  "02:00:c6:12:00:0a"));
	assert_false(same("HANDLE pw" TAIL, "HANDLE pw LOCAL eth0 REMOTE 198.19.0.2 4455 vmnet1 "
			  "02:00:c6:12:00:0a"));
	assert_false(same("HANDLE pw" TAIL, "HANDLE pw LOCAL eth0 REMOTE 198.19.0.1 4456 vmnet1 "
			  "02:00:c6:12:00:0a"));
	assert_false(same("HANDLE pw" TAIL, "HANDLE pw LOCAL eth0 REMOTE 198.19.0.1 4455 vmnet2 "
			  "02:00:c6:12:00:0a"));
	assert_false(same("HANDLE pw" TAIL, "HANDLE pw" TAIL " ff:ff:ff:ff:ff:ff"));
}

/* Lines "a".."e" before; after: a kept, b removed, c changed (c2), d kept, f added. */
static void test_diff(void **state)
{
	const struct hfile_key old[] = {
		key("HANDLE a" TAIL), key("HANDLE b" TAIL), key("HANDLE c" TAIL),
		key("HANDLE d" TAIL),
	};
	const struct hfile_key fresh[] = {
		key("HANDLE f" TAIL), key("HANDLE d" TAIL), key("HANDLE c2" TAIL),
		key("HANDLE a" TAIL),
	};
	size_t match[4];

	(void)state;
	assert_int_equal(hfile_diff(old, 4, fresh, 4, match), 0);
	assert_true(match[0] == HFILE_NONE);    /* f: new */
	assert_int_equal(match[1], 3);          /* d: kept, moved */
	assert_true(match[2] == HFILE_NONE);    /* c2: changed, so started */
	assert_int_equal(match[3], 0);          /* a: kept */
}

/* Two equal lines are two handlers: each old one is matched once, in order. */
static void test_duplicates(void **state)
{
	const struct hfile_key old[] = { key("HANDLE a" TAIL), key("HANDLE a" TAIL) };
	const struct hfile_key three[] = { key("HANDLE a" TAIL), key("HANDLE a" TAIL),
					   key("HANDLE a" TAIL) };
	size_t match[3];

	(void)state;
	assert_int_equal(hfile_diff(old, 2, three, 3, match), 0);
	assert_int_equal(match[0], 0);
	assert_int_equal(match[1], 1);
	assert_true(match[2] == HFILE_NONE);
	assert_int_equal(hfile_diff(three, 3, old, 2, match), 0);
	assert_int_equal(match[0], 0);
	assert_int_equal(match[1], 1);
}

/* An empty file before or after: everything starts, or everything closes. */
static void test_empty(void **state)
{
	const struct hfile_key one[] = { key("HANDLE a" TAIL) };
	size_t match[1];

	(void)state;
	assert_int_equal(hfile_diff(NULL, 0, one, 1, match), 0);
	assert_true(match[0] == HFILE_NONE);
	assert_int_equal(hfile_diff(one, 1, NULL, 0, match), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
