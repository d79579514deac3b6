// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_session.c - a control connection as a client sees it: login and its
 * failure delay, the requests each state takes, a line too long, the HELLO
 * timeout, BEGIN handing the connection over (tests/unit/harness.h: a
 * daemon without root, on a fake clock)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vnet/frame.h"
#include "vnet/penalty.h"
#include "vnet/proto.h"
#include "harness.h"

#define HELLO_OK  "HELLO " HARNESS_PASSWORD " 1.0\n"
#define HELLO_BAD "HELLO wrong 1.0\n"

static struct daemon D;

static int setup(void **state)
{
	harness_daemon_init(&D);
	return 0;
}

static int teardown(void **state)
{
	harness_daemon_fini(&D);
	return 0;
}

/* Send a line, expect the first reply line to be want. */
static void ask(int c, const char *line, const char *want)
{
	char got[VNET_LINE_MAX];

	harness_send(c, line);
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_string_equal(got, want);
}

static int logged_in(void)
{
	int c = harness_session(&D);

	ask(c, HELLO_OK, "OK 1.0");
	return c;
}

static void test_hello_ok(void **state)
{
	int c = logged_in();

	assert_true(harness_quiet(&D, c));  /* and the session stays open */
	close(c);
}

static void test_hello_seed_version(void **state)
{
	int c = harness_session(&D);

	ask(c, "HELLO " HARNESS_PASSWORD " 0.9\n", "OK 0.9");
	close(c);
}

static void test_hello_unsupported_version(void **state)
{
	int c = harness_session(&D);

	ask(c, "HELLO " HARNESS_PASSWORD " 2.0\n", "NOK unsupported version 2.0");
	assert_true(harness_closed(&D, c));
	close(c);
}

/*
 * A wrong password: NOK and close; the next HELLO from the same address is
 * not looked at before the penalty (PENALTY_BASE_MS), then answered.
 */
static void test_wrong_password_delays_next(void **state)
{
	int c = harness_session(&D);

	ask(c, HELLO_BAD, "NOK authentication failed");
	assert_true(harness_closed(&D, c));
	close(c);

	c = harness_session(&D);
	harness_send(c, HELLO_OK);
	assert_true(harness_quiet(&D, c));
	harness_advance(&D, PENALTY_BASE_MS - 1);
	assert_true(harness_quiet(&D, c));
	harness_advance(&D, 1);
	ask(c, "", "OK 1.0");
	close(c);
}

/* A second failure doubles the wait; a wrong password after the wait is refused again. */
static void test_wrong_password_twice(void **state)
{
	int c = harness_session(&D);

	ask(c, HELLO_BAD, "NOK authentication failed");
	close(c);
	c = harness_session(&D);
	harness_send(c, HELLO_BAD);
	harness_advance(&D, PENALTY_BASE_MS);
	ask(c, "", "NOK authentication failed");
	close(c);

	c = harness_session(&D);
	harness_send(c, HELLO_OK);
	harness_advance(&D, 2 * PENALTY_BASE_MS - 1);
	assert_true(harness_quiet(&D, c));
	harness_advance(&D, 1);
	ask(c, "", "OK 1.0");
	close(c);
}

static void test_request_before_hello(void **state)
{
	static const char *const requests[] = { "DEVICES?\n", "HANDLERS?\n", "STATS?\n",
						"DONE\n", "CLOSE 1\n" };

	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		int c = harness_session(&D);

		ask(c, requests[i], "NOK say HELLO first");
		assert_true(harness_closed(&D, c));
		close(c);
	}
}

static void test_garbage_before_hello(void **state)
{
	char got[VNET_LINE_MAX];
	int c = harness_session(&D);

	harness_send(c, "GET / HTTP/1.0\n");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_memory_equal(got, "NOK ", 4);
	assert_true(harness_closed(&D, c));
	close(c);
}

/* An RHANDLE line of 1,024 distinct addresses, newline included, in line (VNET_LINE_MAX). */
static void long_rhandle(char *line)
{
	size_t pos = (size_t)sprintf(line, "RHANDLE pw LOCAL " HARNESS_DEV " REMOTE 198.18.0.2 "
				     "4455 eth0");

	for (unsigned int i = 0; i < VNET_MACS_MAX; i++)
		pos += (size_t)sprintf(line + pos, " 02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
	strcpy(line + pos, "\n");
	assert_true(pos < VNET_LINE_MAX);
}

/* Before HELLO a request is refused on its first word: the rest of the line is not parsed. */
static void test_request_before_hello_not_parsed(void **state)
{
	static char line[VNET_LINE_MAX + 1];
	static const char *const requests[] = {
		NULL,   /* the long RHANDLE */
		"HANDLE pw LOCAL lo REMOTE 198.18.0.2 4455 eth0 02:00:00:00:00:01\n",
		"BEGIN LOCAL lo REMOTE eth0 02:00:00:00:00:01\n",
		"close 1\n",
	};

	long_rhandle(line);
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		int c = harness_session(&D);

		harness_parses = 0;
		ask(c, requests[i] ? requests[i] : line, "NOK say HELLO first");
		assert_true(harness_closed(&D, c));
		assert_int_equal(harness_parses, 0);
		close(c);
	}
}

/* A NUL byte does not cut a request short: before HELLO it is refused (and closes), after NOK. */
static void test_nul_in_request(void **state)
{
	static const char hello[] = "HELLO " HARNESS_PASSWORD " 1.0\0 and more\n";
	static const char handlers[] = "HANDLERS?\0\n";
	int c = harness_session(&D);

	harness_send_bytes(c, hello, sizeof(hello) - 1);
	ask(c, "", "NOK NUL byte in the request");
	assert_true(harness_closed(&D, c));
	close(c);

	c = logged_in();
	harness_send_bytes(c, handlers, sizeof(handlers) - 1);
	ask(c, "", "NOK NUL byte in the request");
	ask(c, "HANDLERS?\n", "OK handlers");   /* still serving */
	close(c);
}

static void test_hello_twice(void **state)
{
	int c = logged_in();

	ask(c, HELLO_OK, "NOK already authenticated");
	ask(c, "HANDLERS?\n", "OK handlers");   /* still serving */
	close(c);
}

static void test_requests_when_ready(void **state)
{
	char got[VNET_LINE_MAX];
	int c = logged_in();

	ask(c, "DEVICES?\n", "OK devices");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_string_equal(got, "1");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_string_equal(got, HARNESS_DEV);   /* the name alone, as VNET 0.9 answers */
	ask(c, "DEVINFO?\n", "OK devinfo");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_string_equal(got, "1");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_memory_equal(got, HARNESS_DEV " ", strlen(HARNESS_DEV) + 1);

	ask(c, "HANDLERS?\n", "OK handlers");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_string_equal(got, "0");
	ask(c, "STATS?\n", "OK stats");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_string_equal(got, "0");
	ask(c, "CLOSE 7\n", "NOK no handler 7");
	ask(c, "HANDLE " HARNESS_PASSWORD " local eth9 remote 127.0.0.1 4455 eth0 "
	    "02:00:00:00:00:01\n",
	    "NOK device eth9 is not one of this daemon's devices");
	/* A bad line once logged in: NOK, and the session goes on. */
	harness_send(c, "FROB\n");
	assert_true(harness_line(&D, c, got, sizeof(got)));
	assert_memory_equal(got, "NOK ", 4);
	ask(c, "DONE\n", "OK bye");
	assert_true(harness_closed(&D, c));
	close(c);
}

static void test_line_too_long(void **state)
{
	char big[VNET_LINE_MAX + 16];
	int c = harness_session(&D);

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ask(c, big, "NOK line too long");
	assert_true(harness_closed(&D, c));
	close(c);
}

static void test_line_too_long_when_ready(void **state)
{
	char big[VNET_LINE_MAX + 16];
	int c = logged_in();

	memset(big, 'A', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	ask(c, big, "NOK line too long");
	assert_true(harness_closed(&D, c));
	close(c);
}

static void test_hello_timeout(void **state)
{
	int c = harness_session(&D);

	harness_advance(&D, VNET_AUTH_TIMEOUT_MS - 1);
	assert_true(harness_quiet(&D, c));
	harness_advance(&D, 1);
	ask(c, "", "NOK timeout waiting for HELLO");
	assert_true(harness_closed(&D, c));
	close(c);
}

/* Logged in, no deadline: the session waits as long as the client. */
static void test_no_timeout_when_ready(void **state)
{
	int c = logged_in();

	harness_advance(&D, 10 * VNET_AUTH_TIMEOUT_MS);
	assert_true(harness_quiet(&D, c));
	ask(c, "HANDLERS?\n", "OK handlers");
	close(c);
}

static void begin_line(char *out, size_t cap)
{
	struct mac_pattern m;
	const char *why;

	assert_true(mac_pattern_parse("02:00:00:00:00:01", &m, &why));
	assert_true(proto_fmt_begin(out, cap, VNET_LOCAL, "eth0", HARNESS_DEV, &m, 1) > 0);
}

/*
 * BEGIN: "OK", and the connection is a link from then on: a frame sent on
 * it is injected on the port (the handler's remote side takes frames to
 * the listed address), and HANDLERS? counts the handler.
 */
static void test_begin_hands_over(void **state)
{
	static const uint8_t eth[60] = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00 };
	uint8_t msg[FRAME_HDR_LEN + sizeof(eth)], got[sizeof(struct virtio_net_hdr) + sizeof(eth)];
	char line[VNET_LINE_MAX];
	int c = logged_in(), c2;

	begin_line(line, sizeof(line));
	ask(c, line, "OK");
	frame_put_header(msg, FRAME_T_PLAIN, sizeof(eth));
	memcpy(msg + FRAME_HDR_LEN, eth, sizeof(eth));
	harness_send_bytes(c, msg, sizeof(msg));
	harness_pump(&D);
	assert_int_equal(recv(harness_port_peer, got, sizeof(got), MSG_DONTWAIT), sizeof(got));
	assert_memory_equal(got + sizeof(struct virtio_net_hdr), eth, sizeof(eth));

	c2 = logged_in();
	ask(c2, "HANDLERS?\n", "OK handlers");
	assert_true(harness_line(&D, c2, line, sizeof(line)));
	assert_string_equal(line, "1");
	close(c2);
	close(c);
}

/* A BEGIN refused: NOK, and the session stays in its text phase (as in VNET 0.9's exchange). */
static void test_begin_refused(void **state)
{
	char line[VNET_LINE_MAX];
	int c = logged_in();

	begin_line(line, sizeof(line));
	harness_port_refusal = "cannot open lo: testing";
	ask(c, line, "NOK cannot open lo: testing");
	ask(c, "DONE\n", "OK bye");
	close(c);
}

/*
 * The daemon's table of connections not logged in: a session is in it from
 * accept to login (or to its close), in order of arrival; logged-in ones
 * never count against the limits on it.
 */
static void test_preauth_table(void **state)
{
	int a = harness_session(&D), b = harness_session(&D), c;

	assert_int_equal(D.nsessions, 2);
	assert_int_equal(D.npreauth, 2);
	ask(a, HELLO_OK, "OK 1.0");
	assert_int_equal(D.npreauth, 1);
	ask(b, HELLO_BAD, "NOK authentication failed");
	assert_int_equal(D.npreauth, 0);    /* on its way out: closing, not waiting */
	assert_true(harness_closed(&D, b));
	c = harness_session(&D);
	assert_int_equal(D.npreauth, 1);
	close(c);   /* the client goes before its HELLO */
	harness_pump(&D);
	assert_int_equal(D.npreauth, 0);
	assert_int_equal(D.nsessions, 1);
	close(b);
	close(a);
}

/*
 * One /24 (here 127.0.0.0/24) holds VNET_CONN_PER_PREFIX connections not
 * logged in; the next one closes the oldest, and an eighth of the share more,
 * so that a flood pays for a choice once every few connections. One logged in
 * from the same /24 is never closed, and does not count.
 */
static void test_room_per_prefix(void **state)
{
	enum { SHARE = VNET_CONN_PER_PREFIX, SLACK = VNET_CONN_PER_PREFIX / 8 };
	int in = logged_in(), c[SHARE + 1];

	for (int i = 0; i < SHARE; i++)
		c[i] = harness_session(&D);
	assert_int_equal(D.npreauth, SHARE);
	for (int i = 0; i < SHARE; i++)
		assert_true(harness_quiet(&D, c[i]));
	c[SHARE] = harness_session(&D);
	assert_int_equal(D.npreauth, SHARE - SLACK);
	for (int i = 0; i <= SHARE; i++) {
		if (i <= SLACK)
			assert_true(harness_closed(&D, c[i]));
		else
			assert_true(harness_quiet(&D, c[i]));
	}
	ask(c[SHARE], HELLO_OK, "OK 1.0");
	ask(in, "HANDLERS?\n", "OK handlers");
	for (int i = 0; i <= SHARE; i++)
		close(c[i]);
	close(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_seed_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_unsupported_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_password_delays_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_password_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_before_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_before_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_before_hello_not_parsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_in_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests_when_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long_when_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_timeout_when_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_hands_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preauth_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_room_per_prefix, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
