// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet.c - main: the command line (args.c) hands its settings to the daemon (daemon.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/args.h"
#include "vnet/daemon.h"
#include "vnet/log.h"

int main(int argc, char **argv)
{
	static struct daemon d;
	struct daemon_options o = { 0 };
	struct args a;
	struct args_err e;

	daemon_init(&d);
	if (!args_parse(argc, argv, getenv("VNET_PASSWORD"), pwfile_read, &a, &e)) {
		fprintf(stderr, "vnet: %s\n%s", e.msg, e.status == 2 ? "Try 'vnet --help'.\n" : "");
		args_free(&a);
		return e.status;
	}
	unsetenv("VNET_PASSWORD");  /* wiped if it was used: out of /proc/PID/environ too */
	if (a.action != ARGS_RUN) {
		if (a.action == ARGS_HELP)
			fputs(args_usage, stdout);
		else
			printf("vnet %s (protocol %s)\n", VNET_VERSION, VNET_PROTO_VERSION);
		args_free(&a);
		return 0;
	}
	/* The daemon takes the password and the device lists over. */
	memcpy(d.password, a.password, sizeof(d.password));
	explicit_bzero(a.password, sizeof(a.password));
	d.keepalive_ms = a.keepalive_ms;
	d.queue_delay_ms = a.queue_delay_ms;
	d.devices = a.devices;
	d.ndevices = a.ndevices;
	d.taps = a.taps;
	d.ntaps = a.ntaps;
	a.devices = a.taps = NULL;
	a.ndevices = a.ntaps = 0;
	o.host = a.host;
	o.port = a.port;
	o.tls = a.tls;
	o.verbose = a.verbose;
	o.tlso = a.tlso;
	o.user = a.user;
	o.handlers = a.handlers;
	o.sched_normal = a.sched_normal;
	args_free(&a);
	log_init("vnet", o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (daemon_start(&d, &o) < 0)
		return 1;
	return daemon_run(&d) < 0 ? 1 : 0;
}
