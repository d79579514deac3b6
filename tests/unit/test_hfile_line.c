// SPDX-License-Identifier: GPL-2.0-or-later
/* test_hfile_line.c - unit tests of one handlers-file line (hfile_line_parse) */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/hfile_line.h"
#include "../fuzz/stub_pwfile.h"

static bool only_eth0_vmnet1(void *arg, const char *dev)
{
	return !strcmp(dev, "eth0") || !strcmp(dev, "vmnet1");
}

/* The handlers file: root's and private (mode 600) unless told otherwise. */
static struct hfile_ctx ctx = { .read_pw = stub_read_pw, .device_allowed = only_eth0_vmnet1 };

#define TAIL " LOCAL eth0 REMOTE 198.19.0.1 4455 vmnet1 02:00:c6:12:00:0a ff:ff:ff:ff:ff:ff"

static enum hfile_line parse(const char *text, struct proto_req *req, char *err, size_t errlen)
{
	char line[VNET_LINE_MAX + 2];

	snprintf(line, sizeof(line), "%s", text);
	return hfile_line_parse(line, sizeof(line), &ctx, req, err, errlen);
}

static void expect_bad(const char *text, const char *msg)
{
	struct proto_req req;
	char err[320] = "";

	if (parse(text, &req, err, sizeof(err)) != HFILE_LINE_BAD)
		fail_msg("'%s' not refused", text);
	assert_string_equal(err, msg);
}

static void test_empty_lines(void **state)
{
	static const char *const lines[] = { "", "\n", "   \t\r\n", "# a comment\n",
					      "   # indented comment" };
	struct proto_req req;
	char err[320];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(parse(lines[i], &req, err, sizeof(err)), HFILE_LINE_EMPTY);
}

static void test_handle_written_password(void **state)
{
	struct proto_req req;
	char err[320];

	assert_int_equal(parse("  HANDLE bravoSecret42" TAIL "   # the VM\r\n", &req, err,
			       sizeof(err)), HFILE_LINE_REQ);
	assert_int_equal(req.cmd, PROTO_HANDLE);
	assert_false(req.reconnect);
	assert_string_equal(req.password, "bravoSecret42");
	assert_string_equal(req.ldev, "eth0");
	assert_string_equal(req.rdev, "vmnet1");
	assert_string_equal(req.rhost, "198.19.0.1");
	assert_int_equal(req.rport, 4455);
	assert_int_equal(req.nmacs, 2);
	proto_req_wipe(&req);
}

static void test_rhandle_password_file(void **state)
{
	struct proto_req req;
	char err[320];

	assert_int_equal(parse("RHANDLE @ralphaSecret44" TAIL, &req, err, sizeof(err)),
			 HFILE_LINE_REQ);
	assert_true(req.reconnect);
	assert_string_equal(req.password, "alphaSecret44");
	assert_int_equal(req.nmacs, 2);
	proto_req_wipe(&req);
}

static void test_exposed_file(void **state)
{
	struct proto_req req;
	char err[320];

	ctx.exposed = true;
	expect_bad("HANDLE bravoSecret42" TAIL, "a password written in a file that group or others "
		   "can read: use @PATH, or chmod 600 the file");
	/* @PATH is fine in a file others may read. */
	assert_int_equal(parse("HANDLE @rbravoSecret42" TAIL, &req, err, sizeof(err)),
			 HFILE_LINE_REQ);
	proto_req_wipe(&req);
	ctx.exposed = false;
}

static void test_password_file_refused(void **state)
{
	expect_bad("HANDLE @xopen" TAIL, "password file xopen is readable by group or others "
		   "(chmod 600)");
	expect_bad("HANDLE @none" TAIL, "cannot open password file none: No such file or directory");
	/* A handlers file of UID 1000's may not name a file of root's; root's may name any. */
	ctx.owner = 1000;
	expect_bad("HANDLE @rpw" TAIL, "password file rpw belongs to UID 0, the handlers file to UID "
		   "1000: only a handlers file of root's may name another user's file");
	ctx.owner = 0;
}

static void test_password_makes_line_too_long(void **state)
{
	char line[128] = "HANDLE @l" TAIL;
	struct proto_req req;
	char err[320];

	assert_int_equal(hfile_line_parse(line, sizeof(line), &ctx, &req, err, sizeof(err)),
			 HFILE_LINE_BAD);
	assert_string_equal(err, "line too long");
}

static void test_other_requests_and_devices(void **state)
{
	expect_bad("BEGIN LOCAL x REMOTE eth0 02:00:c6:12:00:0a",
		   "only HANDLE and RHANDLE lines belong here");
	expect_bad("HELLO pw 1.0", "only HANDLE and RHANDLE lines belong here");
	expect_bad("HANDLE pw LOCAL wlan0 REMOTE 198.19.0.1 4455 vmnet1 02:00:c6:12:00:0a",
		   "device wlan0 is not one of this daemon's devices");
}

static void test_malformed(void **state)
{
	struct proto_req req;
	char err[320] = "";

	assert_int_equal(parse("HANDLE pw LOCAL eth0", &req, err, sizeof(err)), HFILE_LINE_BAD);
	assert_true(err[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_handle_written_password),
		cmocka_unit_test(test_rhandle_password_file),
		cmocka_unit_test(test_exposed_file),
		cmocka_unit_test(test_password_file_refused),
		cmocka_unit_test(test_password_makes_line_too_long),
		cmocka_unit_test(test_other_requests_and_devices),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
