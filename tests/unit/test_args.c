// SPDX-License-Identifier: GPL-2.0-or-later
/* test_args.c - unit tests of vnet's command line (args_parse): what it accepts, what it refuses */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "vnet/args.h"
#include "../fuzz/stub_pwfile.h"

#define ARGV_MAX 32

/* A writable argv of the words of line (split on spaces), as the kernel gives it. */
struct argv {
	int argc;
	char *argv[ARGV_MAX + 1];
	char buf[1024];
};

static void split(struct argv *v, const char *line)
{
	char *save = NULL, *w;

	snprintf(v->buf, sizeof(v->buf), "vnet %s", line);
	v->argc = 0;
	for (w = strtok_r(v->buf, " ", &save); w && v->argc < ARGV_MAX; w = strtok_r(NULL, " ", &save))
		v->argv[v->argc++] = w;
	v->argv[v->argc] = NULL;
}

static bool parse(struct argv *v, const char *line, char *env, struct args *a, struct args_err *e)
{
	split(v, line);
	return args_parse(v->argc, v->argv, env, stub_read_pw, a, e);
}

static void expect_refused(const char *line, int status, const char *msg)
{
	struct argv v;
	struct args a;
	struct args_err e;

	if (parse(&v, line, NULL, &a, &e))
		fail_msg("'%s' accepted", line);
	assert_int_equal(e.status, status);
	assert_string_equal(e.msg, msg);
	args_free(&a);
}

static void test_minimal(void **state)
{
	struct argv v;
	struct args a;
	struct args_err e;

	assert_true(parse(&v, "alphaSecret44 -d eth0", NULL, &a, &e));
	assert_int_equal(a.action, ARGS_RUN);
	assert_string_equal(a.password, "alphaSecret44");
	assert_string_equal(a.host, "_");
	assert_int_equal(a.port, 4455);
	assert_int_equal(a.keepalive_ms, 10000);
	assert_int_equal(a.queue_delay_ms, 40);  /* on: a WAN's queue is bounded by default */
	/* A guarded port by default: no DHCP server, no router, 1000 broadcasts a second. */
	assert_false(a.allow_dhcp_server || a.allow_ra);
	assert_int_equal(a.flood.per_s, 1000);
	assert_int_equal(a.flood.burst, 2000);
	assert_false(a.tls || a.verbose || a.sched_normal || a.metrics);
	assert_null(a.user);
	assert_null(a.handlers);
	assert_int_equal(a.ndevices, 1);
	assert_string_equal(a.devices[0], "eth0");
	assert_int_equal(a.ntaps, 0);
	/* The password is wiped from argv (ps, /proc/PID/cmdline). */
	assert_int_equal(v.argv[1][0], '\0');
	args_free(&a);
	assert_int_equal(a.ndevices, 0);
	assert_int_equal(a.password[0], '\0');
}

static void test_every_option(void **state)
{
	struct argv v;
	struct args a;
	struct args_err e;

	assert_true(parse(&v, "-s --cert c.pem --key k.pem --ca ca.pem -h 198.19.0.1 -p 4460 "
			  "-d eth0 tap:vtap0 eth0 --handlers /etc/vnet/h --user nobody --keepalive 3 "
			  "--queue-delay 0 --sched normal -v --allow-dhcp-server --allow-ra "
			  "--flood-limit 50/7 pw", NULL, &a, &e));
	assert_true(a.tls);
	assert_string_equal(a.tlso.cert, "c.pem");
	assert_string_equal(a.tlso.key, "k.pem");
	assert_string_equal(a.tlso.ca, "ca.pem");
	assert_string_equal(a.host, "198.19.0.1");
	assert_int_equal(a.port, 4460);
	assert_int_equal(a.ndevices, 2);            /* eth0 once */
	assert_string_equal(a.devices[0], "eth0");
	assert_string_equal(a.devices[1], "vtap0");
	assert_int_equal(a.ntaps, 1);
	assert_string_equal(a.taps[0], "vtap0");
	assert_string_equal(a.handlers, "/etc/vnet/h");
	assert_string_equal(a.user, "nobody");
	assert_int_equal(a.keepalive_ms, 3000);
	assert_int_equal(a.queue_delay_ms, 0);
	assert_true(a.sched_normal);
	assert_true(a.verbose);
	assert_true(a.allow_dhcp_server && a.allow_ra);
	assert_int_equal(a.flood.per_s, 50);
	assert_int_equal(a.flood.burst, 7);
	assert_string_equal(a.password, "pw");
	args_free(&a);
	assert_true(parse(&v, "pw -d eth0 --flood-limit off", NULL, &a, &e));
	assert_int_equal(a.flood.per_s, 0);
	args_free(&a);
}

static void test_help_version(void **state)
{
	struct argv v;
	struct args a;
	struct args_err e;

	/* Whatever follows is not looked at. */
	assert_true(parse(&v, "--help -x", NULL, &a, &e));
	assert_int_equal(a.action, ARGS_HELP);
	args_free(&a);
	assert_true(parse(&v, "pw --version", NULL, &a, &e));
	assert_int_equal(a.action, ARGS_VERSION);
	args_free(&a);
	assert_non_null(strstr(args_usage, "Usage: vnet PASSWORD"));
	/* What comes before is. */
	expect_refused("-x --help", 2, "unknown option '-x'");
}

static void test_password_file(void **state)
{
	struct argv v;
	struct args a;
	struct args_err e;

	assert_true(parse(&v, "--password-file rfileSecret -d eth0", NULL, &a, &e));
	assert_string_equal(a.password, "fileSecret");
	args_free(&a);
	expect_refused("--password-file xopen -d eth0", 1,
		       "xopen is readable by group or others: refusing it (chmod 600 xopen)");
	expect_refused("--password-file none -d eth0", 1,
		       "cannot open none: No such file or directory");
	expect_refused("--password-file r -d eth0", 1,
		       "r: the password (first line) must be 1-256 printable characters without "
		       "spaces");
	expect_refused("pw --password-file rx -d eth0", 2, "give the password once");
	expect_refused("--password-file", 2, "--password-file needs a file name");
}

static void test_environment(void **state)
{
	struct argv v;
	struct args a;
	struct args_err e;
	char env[] = "envSecret", other[] = "unused", bad[] = "two words";

	assert_true(parse(&v, "-d eth0", env, &a, &e));
	assert_string_equal(a.password, "envSecret");
	assert_int_equal(env[0], '\0');             /* wiped */
	args_free(&a);
	assert_true(parse(&v, "argSecret -d eth0", other, &a, &e));
	assert_string_equal(a.password, "argSecret");
	assert_string_equal(other, "unused");       /* not the one used: left alone */
	args_free(&a);
	if (parse(&v, "-d eth0", bad, &a, &e))
		fail_msg("a bad VNET_PASSWORD accepted");
	assert_int_equal(e.status, 2);
	assert_string_equal(e.msg, "VNET_PASSWORD must be 1-256 printable characters without spaces");
	args_free(&a);
}

/* --metrics PORT is loopback's; ADDR:PORT and [IPv6]:PORT are numeric. */
static void test_metrics(void **state)
{
	static const struct {
		const char *arg, *addr;
		int family;
	} cases[] = {
		{ "9464", "127.0.0.1", AF_INET },
		{ "198.18.0.1:9100", "198.18.0.1", AF_INET },
		{ "0.0.0.0:9100", "0.0.0.0", AF_INET },
		{ "[::1]:9464", "::1", AF_INET6 },
		{ "[fd00::1]:80", "fd00::1", AF_INET6 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sockaddr_storage *ss;
		char line[64], addr[INET6_ADDRSTRLEN] = "";
		struct argv v;
		struct args a;
		struct args_err e;
		uint16_t port;

		snprintf(line, sizeof(line), "pw -d eth0 --metrics %s", cases[i].arg);
		assert_true(parse(&v, line, NULL, &a, &e));
		assert_true(a.metrics);
		ss = &a.metrics_addr;
		assert_int_equal(ss->ss_family, cases[i].family);
		if (ss->ss_family == AF_INET) {
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, addr,
				  sizeof(addr));
			port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
		} else {
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, addr,
				  sizeof(addr));
			port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
		}
		assert_string_equal(addr, cases[i].addr);
		assert_int_equal(port, strtoul(strrchr(line, ':') ? strrchr(line, ':') + 1 :
					       cases[i].arg, NULL, 10));
		args_free(&a);
	}
}

static void test_refusals(void **state)
{
#define M "--metrics needs PORT, ADDRESS:PORT or [IPv6]:PORT"
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "", "a password is required (argument, --password-file or VNET_PASSWORD)" },
		{ "pw", "no devices: name them with -d" },
		{ "pw -d", "-d needs one or more device names" },
		{ "pw -d -v", "-d needs one or more device names" },
		{ "pw -d tap:", "bad TAP device name ''" },
		{ "pw -d eth0 a/b", "bad device name 'a/b'" },
		{ "pw -d 0123456789abcdefg", "bad device name '0123456789abcdefg'" },
		{ "pw -d eth0 --cert c", "--cert, --key and --ca need -s" },
		{ "pw -d eth0 -s --key k", "--cert and --key go together" },
		{ "pw -d eth0 --keepalive 0", "--keepalive needs a number of seconds from 1 to 3600" },
		{ "pw -d eth0 --keepalive 3601", "--keepalive needs a number of seconds from 1 to 3600" },
		{ "pw -d eth0 --keepalive +5", "--keepalive needs a number of seconds from 1 to 3600" },
		{ "pw -d eth0 --keepalive", "--keepalive needs a number of seconds" },
		{ "pw -d eth0 --queue-delay 1001",
		  "--queue-delay needs a number of milliseconds from 0 to 1000" },
		{ "pw -d eth0 --queue-delay -1",
		  "--queue-delay needs a number of milliseconds from 0 to 1000" },
		{ "pw -d eth0 --queue-delay",
		  "--queue-delay needs a number of milliseconds from 0 to 1000" },
		{ "pw -d eth0 --sched fast", "--sched needs 'batch' or 'normal'" },
		{ "pw -d eth0 --flood-limit 0", "--flood-limit needs N or N/BURST (frames a second, "
						"and at once: 1 to 10000000) or 'off'" },
		{ "pw -d eth0 --flood-limit", "--flood-limit needs N or N/BURST (frames a second, "
					      "and at once: 1 to 10000000) or 'off'" },
		{ "pw -d eth0 -p 0", "-p needs a port number (1-65535)" },
		{ "pw -d eth0 -p 65536", "-p needs a port number (1-65535)" },
		{ "pw -d eth0 -h", "-h needs an address (or _)" },
		{ "pw -d eth0 --user", "--user needs a user name" },
		{ "pw -d eth0 --handlers", "--handlers needs a file name" },
		{ "pw -d eth0 --metrics", M },
		{ "pw -d eth0 --metrics 0", M },
		{ "pw -d eth0 --metrics 65536", M },
		{ "pw -d eth0 --metrics localhost:9464", M },   /* numeric: nothing to resolve */
		{ "pw -d eth0 --metrics 198.18.0.1", M },
		{ "pw -d eth0 --metrics ::1:9464", M },
		{ "pw -d eth0 --metrics [::1:9464", M },
		{ "pw -d eth0 --metrics [198.18.0.1]:9464", M },
		{ "pw -d eth0 --metrics :9464", M },

		{ "pw -d eth0 --ca", "--ca needs a file name" },
		{ "pw -d eth0 --bogus", "unknown option '--bogus'" },
		{ "pw1 pw2 -d eth0", "unexpected argument 'pw2' (devices follow -d)" },
		{ "two\twords -d eth0", "the password must be 1-256 printable characters without "
					"spaces" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_refused(cases[i].line, 2, cases[i].msg);
#undef M
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
