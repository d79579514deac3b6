// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet.c - main: the command line (args.c) fills the daemon's configuration (daemon.c) */
#include <stdio.h>
#include <stdlib.h>

#include "vnet/args.h"
#include "vnet/daemon.h"
#include "vnet/log.h"

int main(int argc, char **argv)
{
	static struct daemon d;
	struct args_err e;

	daemon_init(&d);
	/* The daemon keeps the command line as parsed: its password and device lists. */
	if (!args_parse(argc, argv, getenv("VNET_PASSWORD"), pwfile_read, &d.cfg, &e)) {
		fprintf(stderr, "vnet: %s\n%s", e.msg, e.status == 2 ? "Try 'vnet --help'.\n" : "");
		args_free(&d.cfg);
		return e.status;
	}
	unsetenv("VNET_PASSWORD");  /* wiped if it was used: out of /proc/PID/environ too */
	if (d.cfg.action != ARGS_RUN) {
		if (d.cfg.action == ARGS_HELP)
			fputs(args_usage, stdout);
		else
			printf("vnet %s (protocol %s)\n", VNET_VERSION, VNET_PROTO_VERSION);
		args_free(&d.cfg);
		return 0;
	}
	log_init("vnet", d.cfg.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (daemon_start(&d) < 0)
		return 1;
	return daemon_run(&d) < 0 ? 1 : 0;
}
