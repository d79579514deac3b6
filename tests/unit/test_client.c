// SPDX-License-Identifier: GPL-2.0-or-later
/* test_client.c - unit tests of vnetclient's command line (client_args_parse) and its commands */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/client.h"

#define WORDS_MAX 32

/* The words after "vnetclient", NULL-terminated. */
#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* A writable copy of a command line, as the kernel gives it (passwords are wiped in it). */
struct cmdline {
	int argc;
	char *argv[WORDS_MAX + 2];
	char buf[8192];
};

static bool parse(struct cmdline *l, const char *const *words, struct client_args *a)
{
	size_t used = 0;

	l->argc = 0;
	l->argv[l->argc++] = strcpy(l->buf, "vnetclient");
	used = sizeof("vnetclient");
	for (; *words; words++) {
		size_t len = strlen(*words) + 1;

		assert_true(used + len <= sizeof(l->buf) && l->argc <= WORDS_MAX);
		l->argv[l->argc++] = memcpy(l->buf + used, *words, len);
		used += len;
	}
	l->argv[l->argc] = NULL;
	return client_args_parse(l->argc, l->argv, a);
}

static void test_minimal(void **state)
{
	struct cmdline l;
	struct client_args a;

	(void)state;
	assert_true(parse(&l, W("-h", "host1", "-c", "handlers"), &a));
	assert_int_equal(a.action, CLIENT_RUN);
	assert_string_equal(a.host, "host1");
	assert_int_equal(a.port, 4455);
	assert_false(a.tls || a.json || a.have_password);
	assert_null(a.tlso.ca);
	assert_non_null(a.cmd);
	assert_string_equal(a.cmd->name, "handlers");
	assert_int_equal(a.cmd->reply, CLIENT_REPLY_LIST);
	assert_string_equal(a.cmd->request, "HANDLERS?\n");
	assert_null(a.handle.host2);
	assert_null(a.err);
	client_args_free(&a);
}

static void test_every_option(void **state)
{
	struct cmdline l;
	struct client_args a;

	(void)state;
	assert_true(parse(&l, W("-s", "--ca", "ca.pem", "-p", "secret1", "-o", "4456", "--json",
				"-h", "host1", "-c", "stats"), &a));
	assert_true(a.tls && a.json && a.have_password);
	assert_string_equal(a.tlso.ca, "ca.pem");
	assert_string_equal(a.password, "secret1");
	assert_int_equal(a.port, 4456);
	assert_string_equal(a.cmd->name, "stats");
	/* The password is wiped from argv (ps, /proc/PID/cmdline). */
	assert_int_equal(l.argv[5][0], '\0');
	client_args_free(&a);
	assert_int_equal(a.password[0], '\0');
}

static void test_help_version(void **state)
{
	struct cmdline l;
	struct client_args a;

	(void)state;
	assert_true(parse(&l, W("--help"), &a));
	assert_int_equal(a.action, CLIENT_HELP);
	client_args_free(&a);
	assert_true(parse(&l, W("-h", "host1", "--version", "-c", "bogus"), &a));
	assert_int_equal(a.action, CLIENT_VERSION);
	client_args_free(&a);
	/* What follows the command is the command's, --help included. */
	assert_false(parse(&l, W("-h", "host1", "-c", "echo", "--help"), &a));
	assert_string_equal(a.err, "echo takes no arguments, not '--help' (options go before -c)");
	client_args_free(&a);
}

static void test_close(void **state)
{
	struct cmdline l;
	struct client_args a;
	char line[64];

	(void)state;
	assert_true(parse(&l, W("-h", "host1", "-c", "close", "-i", "4294967295"), &a));
	assert_int_equal(a.cmd->reply, CLIENT_REPLY_LINE);
	assert_string_equal(a.cmd->json_key, "closed");
	assert_int_equal(a.cmd->format(&a, line, sizeof(line)), 17);
	assert_string_equal(line, "CLOSE 4294967295\n");
	assert_int_equal(a.cmd->format(&a, line, 10), -1);
	client_args_free(&a);
}

static void test_handle(void **state)
{
	struct cmdline l;
	struct client_args a;
	char line[512];
	int len;

	(void)state;
	assert_true(parse(&l, W("-p", "pw1", "-h", "host1", "-c", "handle", "-r", "-j",
				"02:00:00:00:00:01", "33:33:00:00:00:00/16", "-a", "4457",
				"-b", "pw2", "-d", "host2", "-e", "eth0", "-f", "eth1",
				"-g", "remote"), &a));
	assert_true(a.handle.reconnect && a.handle.have_password2 && a.handle.have_config);
	assert_int_equal(a.handle.port2, 4457);
	assert_string_equal(a.handle.password2, "pw2");
	assert_int_equal(l.argv[2][0], '\0');   /* both passwords wiped from argv */
	assert_int_equal(l.argv[14][0], '\0');
	assert_string_equal(a.handle.host2, "host2");
	assert_string_equal(a.handle.dev1, "eth0");
	assert_string_equal(a.handle.dev2, "eth1");
	assert_int_equal(a.handle.config, VNET_REMOTE);
	assert_int_equal(a.handle.nmacs, 2);
	assert_int_equal(a.handle.macs[1].len, 16);
	len = a.cmd->format(&a, line, sizeof(line));
	assert_true(len > 0 && line[len - 1] == '\n');
	assert_non_null(strstr(line, "pw2"));
	assert_int_equal(strncmp(line, "RHANDLE ", 8), 0);
	/* Written into the request, the second password is wiped. */
	assert_int_equal(a.handle.password2[0], '\0');
	client_args_free(&a);

	assert_true(parse(&l, W("-h", "host1", "-c", "handle", "-d", "host2", "-e", "eth0",
				"-f", "eth1", "-g", "local", "-j", "02:00:00:00:00:01"), &a));
	assert_false(a.handle.reconnect || a.handle.have_password2);
	assert_int_equal(a.handle.port2, 4455);
	assert_int_equal(a.handle.config, VNET_LOCAL);
	client_args_free(&a);
}

/* Refused command lines: the message, and whether the options before the command passed. */
static const struct refusal {
	const char *const *words;
	const char *msg;
	bool options_ok;
} refusals[] = {
	{ W("-x"), "unknown option '-x'", false },
	{ W("-h"), "-h needs a value", false },
	{ W("-h", "host1", "--ca"), "--ca needs a file name", false },
	{ W("-c", "handlers"), "which daemon? Give -h HOST", false },
	{ W("-h", "host1"), "what to do? Give -c COMMAND", false },
	{ W("-h", "host1", "--ca", "ca.pem", "-c", "stats"), "--ca needs -s", false },
	{ W("-h", "host1", "-o", "0", "-c", "stats"), "-o: bad port '0'", false },
	{ W("-h", "host1", "-p", "a b", "-c", "stats"),
	  "a password must be 1-256 printable characters without spaces", false },
	{ W("-h", "host1", "-c", "bogus"),
	  "unknown command 'bogus' (echo, handlers, devices, devinfo, stats, close, handle)",
	  true },
	{ W("-h", "host1", "-c", "devinfo", "1"),
	  "devinfo takes no arguments, not '1' (options go before -c)", true },
	{ W("-h", "host1", "-c", "close"), "usage: close -i ID", true },
	{ W("-h", "host1", "-c", "close", "-x", "1"), "usage: close -i ID", true },
	{ W("-h", "host1", "-c", "close", "-i", "0"), "close: bad handler id '0'", true },
	{ W("-h", "host1", "-c", "close", "-i", "4294967296"),
	  "close: bad handler id '4294967296'", true },
	{ W("-h", "host1", "-c", "close", "-i", "-1"), "close: bad handler id '-1'", true },
	{ W("-h", "host1", "-c", "handle"),
	  "handle needs -d HOST2 -e DEV1 -f DEV2 -g local|remote -j MAC...", true },
	{ W("-h", "host1", "-c", "handle", "-abc"), "handle: unknown option '-abc'", true },
	{ W("-h", "host1", "-c", "handle", "-d"), "handle: -d needs a value", true },
	{ W("-h", "host1", "-c", "handle", "-a", "x"), "-a: bad port 'x'", true },
	{ W("-h", "host1", "-c", "handle", "-d", ""), "-d: bad host", true },
	{ W("-h", "host1", "-c", "handle", "-f", "a b"), "-f: bad device name 'a b'", true },
	{ W("-h", "host1", "-c", "handle", "-g", "both"), "-g: want local or remote, not 'both'",
	  true },
	{ W("-h", "host1", "-c", "handle", "-j"), "-j: no addresses", true },
	{ W("-h", "host1", "-c", "handle", "-d", "h", "-e", "a", "-f", "b", "-g", "local"),
	  "handle needs -d HOST2 -e DEV1 -f DEV2 -g local|remote -j MAC...", true },
};

static void test_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct cmdline l;
		struct client_args a;

		if (parse(&l, refusals[i].words, &a))
			fail_msg("refusal %zu accepted", i);
		assert_non_null(a.err);
		assert_string_equal(a.err, refusals[i].msg);
		assert_int_equal(a.options_ok, refusals[i].options_ok);
		client_args_free(&a);
		assert_null(a.err);
	}
}

/* A bad argument is quoted whole, however long. */
static void test_long_argument(void **state)
{
	struct cmdline l;
	struct client_args a;
	char word[4000], msg[4100];

	(void)state;
	memset(word, 'x', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	assert_false(parse(&l, W("-h", "host1", "-c", word), &a));
	snprintf(msg, sizeof(msg), "unknown command '%s' (", word);
	assert_int_equal(strncmp(a.err, msg, strlen(msg)), 0);
	client_args_free(&a);
}

/* --help lists every command from the table, its help in column 30 of its line or the next. */
static void test_usage(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	client_usage(f);
	fclose(f);
	assert_int_equal(strncmp(text, "Usage: vnetclient ", 18), 0);
	for (size_t i = 0; i < client_ncommands; i++) {
		const struct client_command *cmd = &client_commands[i];
		char head[64];
		const char *at, *help;

		snprintf(head, sizeof(head), "\n    %s", cmd->name);
		at = strstr(text, head);
		if (!at)
			fail_msg("%s missing from the usage text", cmd->name);
		help = strstr(at, cmd->help);
		assert_non_null(help);
		assert_true(help - at >= 31 && help[-31] == '\n');   /* in column 30 */
	}
	assert_non_null(strstr(text, "\n    close -i ID               close handler ID\n"));
	assert_non_null(strstr(text, "-j MAC...\n                              bridge DEV1"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_handle),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_long_argument),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
