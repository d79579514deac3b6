// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet.c - the daemon's command line; the daemon itself is daemon.c */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vnet/daemon.h"
#include "vnet/log.h"

static const char usage_text[] =
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

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vnet: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'vnet --help'.\n", stderr);
	exit(2);
}

static void add_device(struct daemon *d, const char *dev)
{
	char **devs;

	if (!strncmp(dev, "tap:", 4)) {
		char **taps;

		dev += 4;
		if (!proto_device_valid(dev))
			usage_error("bad TAP device name '%s'", dev);
		taps = realloc(d->taps, (d->ntaps + 1) * sizeof(*taps));
		if (!taps) {
			fprintf(stderr, "vnet: out of memory\n");
			exit(1);
		}
		d->taps = taps;
		d->taps[d->ntaps++] = (char *)dev;
	}
	if (!proto_device_valid(dev))
		usage_error("bad device name '%s'", dev);
	if (daemon_device_allowed(d, dev))
		return;
	devs = realloc(d->devices, (d->ndevices + 1) * sizeof(*devs));
	if (!devs || !(devs[d->ndevices] = strdup(dev))) {
		fprintf(stderr, "vnet: out of memory\n");
		exit(1);
	}
	d->devices = devs;
	d->ndevices++;
}

/* The first line of path, which only its owner may read. */
static void read_password_file(const char *path, char *out, size_t cap)
{
	char line[VNET_PASSWORD_MAX + 3];
	struct stat st;
	FILE *f = fopen(path, "re");
	size_t len;

	if (!f) {
		fprintf(stderr, "vnet: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (fstat(fileno(f), &st) < 0 || (st.st_mode & 077)) {
		fprintf(stderr, "vnet: %s is readable by group or others: refusing it "
			"(chmod 600 %s)\n", path, path);
		exit(1);
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	if (!proto_password_valid(line)) {
		explicit_bzero(line, sizeof(line));
		fprintf(stderr, "vnet: %s: the password (first line) must be 1-256 printable "
			"characters without spaces\n", path);
		exit(1);
	}
	memcpy(out, line, strlen(line) + 1);   /* proto_password_valid: it fits */
	explicit_bzero(line, sizeof(line));
	(void)cap;
}

static void parse_args(int argc, char **argv, struct daemon *d, struct daemon_options *o)
{
	bool have_password = false;

	o->host = "_";
	o->port = VNET_DEFAULT_PORT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			printf("vnet %s (protocol %s)\n", VNET_VERSION, VNET_PROTO_VERSION);
			exit(0);
		} else if (!strcmp(a, "-s")) {
			o->tls = true;
		} else if (!strcmp(a, "--cert") || !strcmp(a, "--key") || !strcmp(a, "--ca")) {
			if (++i == argc)
				usage_error("%s needs a file name", a);
			if (a[2] == 'c' && a[3] == 'e')
				o->tlso.cert = argv[i];
			else if (a[2] == 'k')
				o->tlso.key = argv[i];
			else
				o->tlso.ca = argv[i];
		} else if (!strcmp(a, "--password-file")) {
			if (++i == argc)
				usage_error("%s needs a file name", a);
			if (have_password)
				usage_error("%s", "give the password once");
			read_password_file(argv[i], d->password, sizeof(d->password));
			have_password = true;
		} else if (!strcmp(a, "--handlers")) {
			if (++i == argc)
				usage_error("%s needs a file name", a);
			o->handlers = argv[i];
		} else if (!strcmp(a, "--user")) {
			if (++i == argc)
				usage_error("%s needs a user name", a);
			o->user = argv[i];
		} else if (!strcmp(a, "--keepalive")) {
			char *end;
			unsigned long v;

			if (++i == argc)
				usage_error("%s needs a number of seconds", a);
			errno = 0;
			v = strtoul(argv[i], &end, 10);
			if (argv[i][0] < '0' || argv[i][0] > '9' || *end || errno || v < 1 || v > 3600)
				usage_error("%s needs a number of seconds from 1 to 3600", a);
			d->keepalive_ms = (uint32_t)v * 1000;
		} else if (!strcmp(a, "--sched")) {
			if (++i == argc || (strcmp(argv[i], "batch") && strcmp(argv[i], "normal")))
				usage_error("%s needs 'batch' or 'normal'", a);
			o->sched_normal = !strcmp(argv[i], "normal");
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose = true;
		} else if (!strcmp(a, "-h")) {
			if (++i == argc)
				usage_error("%s needs an address (or _)", a);
			o->host = argv[i];
		} else if (!strcmp(a, "-p")) {
			if (++i == argc || !proto_parse_port(argv[i], &o->port))
				usage_error("%s needs a port number (1-65535)", a);
		} else if (!strcmp(a, "-d")) {
			int n = 0;

			while (i + 1 < argc && argv[i + 1][0] != '-') {
				add_device(d, argv[++i]);
				n++;
			}
			if (!n)
				usage_error("%s needs one or more device names", a);
		} else if (a[0] == '-') {
			usage_error("unknown option '%s'", a);
		} else if (!have_password) {
			if (!proto_password_valid(a))
				usage_error("%s", "the password must be 1-256 printable characters "
					    "without spaces");
			snprintf(d->password, sizeof(d->password), "%s", a);
			/* Hide it from ps and /proc/PID/cmdline. */
			explicit_bzero(argv[i], strlen(argv[i]));
			have_password = true;
		} else {
			usage_error("unexpected argument '%s' (devices follow -d)", a);
		}
	}
	if (!have_password) {
		char *env = getenv("VNET_PASSWORD");

		if (!env)
			usage_error("%s", "a password is required (argument, --password-file "
				    "or VNET_PASSWORD)");
		if (!proto_password_valid(env))
			usage_error("%s", "VNET_PASSWORD must be 1-256 printable characters "
				    "without spaces");
		snprintf(d->password, sizeof(d->password), "%s", env);
		explicit_bzero(env, strlen(env));   /* out of /proc/PID/environ too */
		unsetenv("VNET_PASSWORD");
	}
	if (!d->ndevices)
		usage_error("%s", "no devices: name them with -d");
	if (!o->tls && (o->tlso.cert || o->tlso.key || o->tlso.ca))
		usage_error("%s", "--cert, --key and --ca need -s");
	if (!o->tlso.cert != !o->tlso.key)
		usage_error("%s", "--cert and --key go together");
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct daemon_options o = { 0 };

	daemon_init(&d);
	parse_args(argc, argv, &d, &o);
	log_init("vnet", o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (daemon_start(&d, &o) < 0)
		return 1;
	return daemon_run(&d) < 0 ? 1 : 0;
}
