// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * args.c - vnet's command line: options, devices, the password
 *
 * Parsed into a struct args without printing or exiting, so that main() says
 * what is wrong and the parser can be unit-tested and fuzzed. The password
 * may come from an argument (wiped from argv at once), a file only its owner
 * may read (--password-file, read through a function the caller gives) or
 * the environment (VNET_PASSWORD, wiped too).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/aqm.h"
#include "vnet/args.h"
#include "vnet/proto.h"

const char args_usage[] =
	"Usage: vnet PASSWORD [-s] [-h _|HOST] [-p PORT] -d DEVICE... [OPTIONS]\n"
	"       vnet --password-file FILE [-s] [-h _|HOST] [-p PORT] -d DEVICE... [OPTIONS]\n"
	"       vnet --help | --version\n"
	"\n"
	"Bridge Ethernet networks over TCP: serve vnetclient and other vnet daemons,\n"
	"and run the handlers they ask for on the listed devices.\n"
	"\n"
	"  PASSWORD      what clients and peer daemons must say in HELLO\n"
	"                (1-256 printable characters, no spaces); also taken from\n"
	"                the environment variable VNET_PASSWORD\n"
	"  --password-file FILE\n"
	"                read the password from the first line of FILE, which\n"
	"                must not be readable by group or others\n"
	"  -s            TLS 1.3 on every connection, incoming and outgoing; with no\n"
	"                certificate, keys are derived from the passwords\n"
	"  --cert FILE   with -s: present this certificate (PEM) to clients\n"
	"  --key FILE    with -s: the certificate's private key (PEM)\n"
	"  --ca FILE     with -s: verify the daemons this one connects to (HANDLE)\n"
	"                against this CA (PEM) instead of using their password\n"
	"  -h _|HOST     address to listen on; _ (the default) means every address,\n"
	"                IPv6 and IPv4\n"
	"  -p PORT       TCP port to listen on (default 4455)\n"
	"  -d DEVICE...  the network devices handlers may use (one or more);\n"
	"                tap:NAME creates TAP device NAME, owned by vnet\n"
	"  --handlers FILE\n"
	"                establish the handlers FILE lists at start (HANDLE or\n"
	"                RHANDLE lines; a password may be @PATH); FILE must belong\n"
	"                to root or to vnet's user, and only its owner may write it\n"
	"  --user USER   after start-up, run as USER (keeping only CAP_NET_RAW and\n"
	"                CAP_NET_ADMIN)\n"
	"  --keepalive SECONDS\n"
	"                send a keepalive on a quiet handler link after SECONDS\n"
	"                (default 10); close a link silent for 3 times as long\n"
	"  --queue-delay MS\n"
	"                keep the time frames wait in a handler's queue toward its\n"
	"                peer near MS milliseconds: above it for 100 ms, frames are\n"
	"                ECN-marked or dropped as they are captured (default 40;\n"
	"                0: off)\n"
	"  --sched batch|normal\n"
	"                batch (the default): a frame that wakes vnet does not\n"
	"                preempt the program that sent it (SCHED_BATCH), which\n"
	"                cuts round-trip times; normal: keep the policy vnet was\n"
	"                started with\n"
	"  -v, --verbose log debugging detail\n"
	"  --help        show this help and exit\n"
	"  --version     show the version and exit\n"
	"\n"
	"vnet runs in the foreground and logs to standard error; SIGINT or SIGTERM\n"
	"close every handler and stop it. It needs CAP_NET_RAW and CAP_NET_ADMIN.\n"
	"See vnet(8).\n";

static bool refuse(struct args_err *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Always false: the line is refused for the reason fmt says. */
static bool refuse(struct args_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return false;
}

static bool device_listed(const struct args *a, const char *dev)
{
	for (size_t i = 0; i < a->ndevices; i++)
		if (!strcmp(a->devices[i], dev))
			return true;
	return false;
}

/* One -d word: a device name, or tap:NAME (a TAP device vnet creates). */
static bool add_device(struct args *a, char *dev, struct args_err *e)
{
	char **devs;

	if (!strncmp(dev, "tap:", 4)) {
		char **taps;

		dev += 4;
		if (!proto_device_valid(dev))
			return refuse(e, 2, "bad TAP device name '%s'", dev);
		taps = realloc(a->taps, (a->ntaps + 1) * sizeof(*taps));
		if (!taps)
			return refuse(e, 1, "out of memory");
		a->taps = taps;
		a->taps[a->ntaps++] = dev;
	}
	if (!proto_device_valid(dev))
		return refuse(e, 2, "bad device name '%s'", dev);
	if (device_listed(a, dev))
		return true;
	devs = realloc(a->devices, (a->ndevices + 1) * sizeof(*devs));
	if (devs)
		a->devices = devs;
	if (!devs || !(devs[a->ndevices] = strdup(dev)))
		return refuse(e, 1, "out of memory");
	a->ndevices++;
	return true;
}

/* --password-file: the first line of path, which only its owner may read. */
static bool read_password_file(pwfile_read_fn read_pw, const char *path, struct args *a,
			       struct args_err *e)
{
	char line[VNET_PASSWORD_MAX + 3];
	uid_t owner;
	int ret = read_pw(path, line, sizeof(line), &owner);

	if (ret == -EPERM)
		return refuse(e, 1, "%s is readable by group or others: refusing it (chmod 600 %s)",
			      path, path);
	if (ret < 0)
		return refuse(e, 1, "cannot open %s: %s", path, strerror(-ret));
	if (!proto_password_valid(line)) {
		explicit_bzero(line, sizeof(line));
		return refuse(e, 1, "%s: the password (first line) must be 1-256 printable "
			      "characters without spaces", path);
	}
	memcpy(a->password, line, strlen(line) + 1);   /* proto_password_valid: it fits */
	explicit_bzero(line, sizeof(line));
	return true;
}

/* A decimal number from lo to hi, digits only. */
static bool number_in(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !*end && !errno && *v >= lo && *v <= hi;
}

/* The option argv[*i] takes the next word: true and *i moved onto it if there is one. */
static bool next_word(int argc, int *i)
{
	if (*i + 1 >= argc)
		return false;
	++*i;
	return true;
}

bool args_parse(int argc, char **argv, char *env_password, pwfile_read_fn read_pw, struct args *a,
		struct args_err *e)
{
	bool have_password = false;

	memset(a, 0, sizeof(*a));
	a->host = "_";
	a->port = VNET_DEFAULT_PORT;
	a->keepalive_ms = VNET_KEEPALIVE_MS;
	a->queue_delay_ms = AQM_TARGET_MS_DEFAULT;
	e->status = 0;
	e->msg[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--help")) {
			a->action = ARGS_HELP;
			return true;
		} else if (!strcmp(o, "--version")) {
			a->action = ARGS_VERSION;
			return true;
		} else if (!strcmp(o, "-s")) {
			a->tls = true;
		} else if (!strcmp(o, "--cert") || !strcmp(o, "--key") || !strcmp(o, "--ca")) {
			if (!next_word(argc, &i))
				return refuse(e, 2, "%s needs a file name", o);
			if (o[2] == 'c' && o[3] == 'e')
				a->tlso.cert = argv[i];
			else if (o[2] == 'k')
				a->tlso.key = argv[i];
			else
				a->tlso.ca = argv[i];
		} else if (!strcmp(o, "--password-file")) {
			if (!next_word(argc, &i))
				return refuse(e, 2, "%s needs a file name", o);
			if (have_password)
				return refuse(e, 2, "give the password once");
			if (!read_password_file(read_pw, argv[i], a, e))
				return false;
			have_password = true;
		} else if (!strcmp(o, "--handlers")) {
			if (!next_word(argc, &i))
				return refuse(e, 2, "%s needs a file name", o);
			a->handlers = argv[i];
		} else if (!strcmp(o, "--user")) {
			if (!next_word(argc, &i))
				return refuse(e, 2, "%s needs a user name", o);
			a->user = argv[i];
		} else if (!strcmp(o, "--keepalive")) {
			unsigned long v;

			if (!next_word(argc, &i))
				return refuse(e, 2, "%s needs a number of seconds", o);
			if (!number_in(argv[i], 1, 3600, &v))
				return refuse(e, 2, "%s needs a number of seconds from 1 to 3600", o);
			a->keepalive_ms = (uint32_t)v * 1000;
		} else if (!strcmp(o, "--queue-delay")) {
			unsigned long v;

			if (!next_word(argc, &i) || !number_in(argv[i], 0, AQM_TARGET_MS_MAX, &v))
				return refuse(e, 2, "%s needs a number of milliseconds from 0 to %d", o,
					      AQM_TARGET_MS_MAX);
			a->queue_delay_ms = (unsigned int)v;
		} else if (!strcmp(o, "--sched")) {
			if (!next_word(argc, &i) ||
			    (strcmp(argv[i], "batch") && strcmp(argv[i], "normal")))
				return refuse(e, 2, "%s needs 'batch' or 'normal'", o);
			a->sched_normal = !strcmp(argv[i], "normal");
		} else if (!strcmp(o, "-v") || !strcmp(o, "--verbose")) {
			a->verbose = true;
		} else if (!strcmp(o, "-h")) {
			if (!next_word(argc, &i))
				return refuse(e, 2, "%s needs an address (or _)", o);
			a->host = argv[i];
		} else if (!strcmp(o, "-p")) {
			if (!next_word(argc, &i) || !proto_parse_port(argv[i], &a->port))
				return refuse(e, 2, "%s needs a port number (1-65535)", o);
		} else if (!strcmp(o, "-d")) {
			int n = 0;

			while (i + 1 < argc && argv[i + 1][0] != '-') {
				if (!add_device(a, argv[++i], e))
					return false;
				n++;
			}
			if (!n)
				return refuse(e, 2, "%s needs one or more device names", o);
		} else if (o[0] == '-') {
			return refuse(e, 2, "unknown option '%s'", o);
		} else if (!have_password) {
			if (!proto_password_valid(o))
				return refuse(e, 2, "the password must be 1-256 printable characters "
					      "without spaces");
			snprintf(a->password, sizeof(a->password), "%s", o);
			/* Hide it from ps and /proc/PID/cmdline. */
			explicit_bzero(argv[i], strlen(argv[i]));
			have_password = true;
		} else {
			return refuse(e, 2, "unexpected argument '%s' (devices follow -d)", o);
		}
	}
	if (!have_password) {
		if (!env_password)
			return refuse(e, 2, "a password is required (argument, --password-file or "
				      "VNET_PASSWORD)");
		if (!proto_password_valid(env_password))
			return refuse(e, 2, "VNET_PASSWORD must be 1-256 printable characters "
				      "without spaces");
		snprintf(a->password, sizeof(a->password), "%s", env_password);
		explicit_bzero(env_password, strlen(env_password));
	}
	if (!a->ndevices)
		return refuse(e, 2, "no devices: name them with -d");
	if (!a->tls && (a->tlso.cert || a->tlso.key || a->tlso.ca))
		return refuse(e, 2, "--cert, --key and --ca need -s");
	if (!a->tlso.cert != !a->tlso.key)
		return refuse(e, 2, "--cert and --key go together");
	return true;
}

void args_free(struct args *a)
{
	for (size_t i = 0; i < a->ndevices; i++)
		free(a->devices[i]);
	free(a->devices);
	free(a->taps);
	explicit_bzero(a->password, sizeof(a->password));
	a->devices = a->taps = NULL;
	a->ndevices = a->ntaps = 0;
}
