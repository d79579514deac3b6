// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_args.c - libFuzzer target for vnet's command line (args_parse).
 *
 * The input is split on NUL and newline bytes into at most ARGV_MAX words,
 * each in its own allocation: argv[1], argv[2]... (argv[0] is "vnet"). A
 * word "VNET_PASSWORD=X" is taken out and X stands for the environment
 * variable. No file is read: --password-file goes through stub_pwfile.h,
 * whose answer the name chooses ("rWORD" is a file of root's whose first
 * line is WORD, "xWORD" one that others may read, ...); the
 * other file names (--handlers, --cert...) are only kept by the parser.
 *
 * Checked: a refusal has status 1 or 2 and a message; an accepted line has a
 * valid password, one or more valid devices without duplicates, every TAP
 * among them, a port, a keepalive from 1 to 3600 s and TLS options that go
 * together; a password taken from the environment is wiped there. Leaks and
 * overflows are ASan's. A violation calls __builtin_trap().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/args.h"
#include "vnet/proto.h"
#include "stub_pwfile.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define ARGV_MAX 64
#define ENV_KEY  "VNET_PASSWORD="

static bool listed(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static void check_accepted(const struct args *a)
{
	CHECK(proto_password_valid(a->password));
	CHECK(a->ndevices >= 1);
	for (size_t i = 0; i < a->ndevices; i++) {
		CHECK(proto_device_valid(a->devices[i]));
		CHECK(!listed(a->devices, i, a->devices[i]));
	}
	for (size_t i = 0; i < a->ntaps; i++)
		CHECK(listed(a->devices, a->ndevices, a->taps[i]));
	CHECK(a->port >= 1);
	CHECK(a->keepalive_ms >= 1000 && a->keepalive_ms <= 3600000 && a->keepalive_ms % 1000 == 0);
	CHECK(a->tls || !(a->tlso.cert || a->tlso.key || a->tlso.ca));
	CHECK(!a->tlso.cert == !a->tlso.key);
	CHECK(a->host != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[ARGV_MAX + 2] = { 0 }, *env = NULL, *env_copy = NULL;
	struct args a;
	struct args_err e;
	size_t start = 0;
	int argc = 1;
	bool ok;

	argv[0] = strdup("vnet");
	for (size_t i = 0; i <= size && argc <= ARGV_MAX; i++) {
		char *w;

		if (i < size && data[i] != '\0' && data[i] != '\n')
			continue;
		w = strndup((const char *)data + start, i - start);
		start = i + 1;
		if (!strncmp(w, ENV_KEY, strlen(ENV_KEY))) {
			free(env);
			env = w;
			continue;
		}
		argv[argc++] = w;
	}
	if (env)
		env_copy = strdup(env + strlen(ENV_KEY));

	ok = args_parse(argc, argv, env ? env + strlen(ENV_KEY) : NULL, stub_read_pw, &a, &e);
	if (!ok) {
		CHECK(e.status == 1 || e.status == 2);
		CHECK(memchr(e.msg, '\0', sizeof(e.msg)) && e.msg[0]);
	} else {
		CHECK(e.status == 0);
		if (a.action == ARGS_RUN) {
			check_accepted(&a);
			/* The environment's password, when it was the one used, is wiped. */
			if (env && !env[strlen(ENV_KEY)] && env_copy[0])
				CHECK(!strcmp(a.password, env_copy));
		}
	}
	args_free(&a);
	CHECK(!a.ndevices && !a.devices && !a.ntaps && !a.taps && !a.password[0]);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(env);
	free(env_copy);
	return 0;
}
