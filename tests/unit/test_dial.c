// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_dial.c - HANDLE's outgoing side against a fake peer daemon on
 * loopback: the timeout, refusals, a service that is not vnet, a refused
 * connection, a cancel, a peer that is the dialing daemon itself (INSTANCE?),
 * and the hand-over after BEGIN's OK with the bytes that followed it (tests/unit/harness.h: a daemon without root, on a fake
 * clock)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "vnet/conn.h"
#include "vnet/dial.h"
#include "vnet/proto.h"
#include "harness.h"

static struct daemon D;
static int lfd = -1;        /* the fake peer daemon's listening socket */
static uint16_t lport;

/* What the dial's callback said. */
static struct {
	int calls;
	struct conn *link;
	uint8_t rx[64];
	size_t rxlen;
	char err[512];
} res;

static void dialed(void *arg, struct conn *link, const struct buf *rx, const char *err)
{
	res.calls++;
	res.link = link;
	if (rx) {
		res.rxlen = buf_len(rx) < sizeof(res.rx) ? buf_len(rx) : sizeof(res.rx);
		memcpy(res.rx, buf_head(rx), res.rxlen);
	}
	snprintf(res.err, sizeof(res.err), "%s", err ? err : "");
}

static int setup(void **state)
{
	harness_daemon_init(&D);
	memset(&res, 0, sizeof(res));
	lfd = harness_listen(&lport);
	return 0;
}

static int teardown(void **state)
{
	if (res.link)
		conn_free(res.link);
	if (lfd >= 0)
		close(lfd);
	harness_daemon_fini(&D);
	return 0;
}

/* Start a dial of HANDLE ... to port; the dial. */
static struct dial *dial_to(uint16_t port)
{
	char line[VNET_LINE_MAX], err[256];
	struct proto_req req;
	struct dial *dl = NULL;

	snprintf(line, sizeof(line), "HANDLE %s local %s remote 127.0.0.1 %u eth0 02:00:00:00:00:01",
		 HARNESS_PASSWORD, HARNESS_DEV, (unsigned int)port);
	assert_true(proto_parse(line, &req, err, sizeof(err)));
	assert_int_equal(dial_start(&D, &req, NULL, dialed, NULL, &dl, err, sizeof(err)), 0);
	proto_req_wipe(&req);
	assert_non_null(dl);
	return dl;
}

/* Dial the fake peer and take its end of the connection, HELLO read. */
static int dial_accepted(void)
{
	char line[VNET_LINE_MAX];
	int peer;

	dial_to(lport);
	peer = harness_accept(&D, lfd);
	assert_true(peer >= 0);
	assert_true(harness_line(&D, peer, line, sizeof(line)));
	assert_string_equal(line, "HELLO " HARNESS_PASSWORD " 1.0");
	return peer;
}

/* Answer HELLO, then INSTANCE? with answer (a line, newline included). */
static void hello_ok(int peer, const char *answer)
{
	char line[VNET_LINE_MAX];

	harness_send(peer, "OK 1.0\n");
	assert_true(harness_line(&D, peer, line, sizeof(line)));
	assert_string_equal(line, "INSTANCE?");
	harness_send(peer, answer);
}

/* The dial failed, saying want (where PEER stands for the fake peer's address). */
static void expect_error(const char *want_pattern)
{
	const char *at = strstr(want_pattern, "PEER");
	char want[512];

	assert_non_null(at);
	snprintf(want, sizeof(want), "%.*s127.0.0.1:%u%s", (int)(at - want_pattern), want_pattern,
		 (unsigned int)lport, at + 4);
	harness_pump(&D);
	assert_int_equal(res.calls, 1);
	assert_null(res.link);
	assert_string_equal(res.err, want);
}

/* A peer that accepts and never answers: the dial gives up after 15 s, not before. */
static void test_timeout(void **state)
{
	int peer = dial_accepted();

	harness_advance(&D, VNET_DIAL_TIMEOUT_MS - 1);
	assert_int_equal(res.calls, 0);
	harness_advance(&D, 1);
	expect_error("timeout after 15 s waiting for its HELLO reply PEER");
	assert_true(harness_closed(&D, peer));
	close(peer);
}

/* The deadline is the whole dial's: an answered HELLO does not restart it. */
static void test_timeout_in_begin(void **state)
{
	char line[VNET_LINE_MAX];
	int peer = dial_accepted();

	harness_advance(&D, VNET_DIAL_TIMEOUT_MS - 1000);
	hello_ok(peer, "OK instance 0123456789abcdef\n");
	assert_true(harness_line(&D, peer, line, sizeof(line)));
	harness_advance(&D, 1000);
	expect_error("timeout after 15 s waiting for its BEGIN reply PEER");
	close(peer);
}

static void test_hello_refused(void **state)
{
	int peer = dial_accepted();

	harness_send(peer, "NOK authentication failed\n");
	expect_error("PEER refused HELLO: authentication failed");
	close(peer);
}

static void test_begin_refused(void **state)
{
	char line[VNET_LINE_MAX];
	int peer = dial_accepted();

	/* An older vnet does not know INSTANCE?: the dial goes on. */
	hello_ok(peer, "NOK unknown request 'INSTANCE?'\n");
	assert_true(harness_line(&D, peer, line, sizeof(line)));
	assert_string_equal(line, "BEGIN LOCAL " HARNESS_DEV " REMOTE eth0 02:00:00:00:00:01");
	harness_send(peer, "NOK device eth0 is not one of this daemon's devices\n");
	expect_error("PEER refused BEGIN: device eth0 is not one of this daemon's devices");
	close(peer);
}

/* A refusal is relayed as a short printable excerpt. */
static void test_refusal_sanitized(void **state)
{
	char nok[300] = "NOK \x1b[31mred";
	int peer = dial_accepted();

	memset(nok + strlen(nok), 'x', 200);
	strcat(nok, "\n");
	harness_send(peer, nok);
	harness_pump(&D);
	assert_int_equal(res.calls, 1);
	assert_non_null(strstr(res.err, "refused HELLO: ?[31mredxxx"));
	assert_non_null(strstr(res.err, "x..."));
	assert_true(strlen(strstr(res.err, "?[31m")) <= 80);
	close(peer);
}

/* The peer names the dialing daemon's own instance: a HANDLE to itself, refused before BEGIN. */
static void test_handler_to_itself(void **state)
{
	char own[64];
	int peer = dial_accepted();

	assert_true(proto_fmt_instance_ok(own, sizeof(own) - 1, D.instance) > 0);
	strcat(own, "\n");
	hello_ok(peer, own);
	expect_error("handler to itself: PEER is this vnet daemon");
	assert_true(harness_closed(&D, peer));
	close(peer);
}

/* Another service's banner is not relayed. */
static void test_not_vnet(void **state)
{
	int peer = dial_accepted();

	harness_send(peer, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
	expect_error("PEER is not a vnet daemon");
	close(peer);
}

static void test_not_vnet_no_line_end(void **state)
{
	int peer = dial_accepted();

	harness_send(peer, "\x01\x02\x03");
	shutdown(peer, SHUT_WR);
	expect_error("PEER is not a vnet daemon (no line end)");
	close(peer);
}

static void test_not_vnet_line_too_long(void **state)
{
	char big[VNET_LINE_MAX + 8];
	int peer = dial_accepted();

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	harness_send(peer, big);
	expect_error("PEER is not a vnet daemon (a line too long)");
	close(peer);
}

static void test_peer_closes(void **state)
{
	int peer = dial_accepted();

	close(peer);
	expect_error("PEER closed the connection");
}

/* Nobody listens there. */
static void test_connection_refused(void **state)
{
	close(lfd);
	lfd = -1;
	dial_to(lport);
	expect_error("cannot connect to PEER: Connection refused");
}

/* A cancelled dial says nothing, and the peer sees the connection close. */
static void test_cancel(void **state)
{
	struct dial *dl = dial_to(lport);
	int peer = harness_accept(&D, lfd);

	assert_true(peer >= 0);
	harness_pump(&D);
	dial_cancel(dl);
	assert_true(harness_closed(&D, peer));
	harness_advance(&D, VNET_DIAL_TIMEOUT_MS);
	assert_int_equal(res.calls, 0);
	close(peer);
}

/*
 * HELLO and BEGIN answered: the connection is handed over, with the bytes
 * the peer sent behind BEGIN's OK (here a keepalive), and it still works.
 */
static void test_success(void **state)
{
	static const char behind[] = { 0x03, 0, 0, 0 };
	char line[VNET_LINE_MAX], got[5];
	int peer = dial_accepted();

	hello_ok(peer, "OK instance 0123456789abcdef\n");
	assert_true(harness_line(&D, peer, line, sizeof(line)));
	assert_memory_equal(line, "BEGIN ", 6);
	harness_send_bytes(peer, "OK\n\x03\0\0\0", 7);
	harness_pump(&D);
	assert_int_equal(res.calls, 1);
	assert_non_null(res.link);
	assert_string_equal(res.err, "");
	assert_int_equal(res.rxlen, sizeof(behind));
	assert_memory_equal(res.rx, behind, sizeof(behind));
	/* Nothing more from the dial: its deadline is gone. */
	harness_advance(&D, VNET_DIAL_TIMEOUT_MS);
	assert_int_equal(res.calls, 1);
	assert_int_equal(conn_write(res.link, "hello", 5), 5);
	assert_true(harness_read(&D, peer, got, 5));
	assert_memory_equal(got, "hello", 5);
	close(peer);
}

/*
 * Through a session: HANDLE answers the dial's error, and a request sent
 * while the dial was in progress is answered after it.
 */
static void test_handle_relays_timeout(void **state)
{
	char line[VNET_LINE_MAX], want[VNET_LINE_MAX];
	int c = harness_session(&D), peer;

	harness_send(c, "HELLO " HARNESS_PASSWORD " 1.0\n");
	assert_true(harness_line(&D, c, line, sizeof(line)));
	assert_string_equal(line, "OK 1.0");
	snprintf(line, sizeof(line), "HANDLE %s local %s remote 127.0.0.1 %u eth0 "
		 "02:00:00:00:00:01\nHANDLERS?\n", HARNESS_PASSWORD, HARNESS_DEV,
		 (unsigned int)lport);
	harness_send(c, line);
	peer = harness_accept(&D, lfd);
	assert_true(peer >= 0);
	assert_true(harness_quiet(&D, c));
	harness_advance(&D, VNET_DIAL_TIMEOUT_MS);
	snprintf(want, sizeof(want), "NOK timeout after 15 s waiting for its HELLO reply "
		 "127.0.0.1:%u", (unsigned int)lport);
	assert_true(harness_line(&D, c, line, sizeof(line)));
	assert_string_equal(line, want);
	assert_true(harness_line(&D, c, line, sizeof(line)));
	assert_string_equal(line, "OK handlers");
	close(peer);
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_in_begin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_sanitized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_to_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_vnet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_vnet_no_line_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_vnet_line_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle_relays_timeout, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
