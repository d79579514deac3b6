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
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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
	"                (SIGHUP reads it, the password file and the certificates\n"
	"                again, applying only what changed)\n"
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
	"  --udp on|off  carry handlers' frames in authenticated UDP datagrams beside\n"
	"                their TCP link, which stays for control and as the fallback\n"
	"                (default on; off: every frame over TCP)\n"
	"  --udp-port PORT\n"
	"                UDP port to receive datagrams on (default: the TCP port)\n"
	"  --udp-mtu BYTES\n"
	"                the path MTU between the daemons: no datagram is larger\n"
	"                (default 1500; 1280 to 65535)\n"
	"  --allow-dhcp-server\n"
	"                inject DHCP server messages (UDP to port 68, DHCPv6 to 546)\n"
	"                from the peer of a LOCAL side (the guests' side); refused by\n"
	"                default\n"
	"  --allow-ra    inject IPv6 router advertisements from the peer of a LOCAL\n"
	"                side; refused by default\n"
	"  --flood-limit N[/BURST]|off\n"
	"                inject at most N broadcast and multicast frames a second\n"
	"                (BURST at once, default 2N) from the peer of each LOCAL\n"
	"                side (default 1000/2000; off: no limit)\n"
	"  --metrics [ADDR:]PORT\n"
	"                serve Prometheus metrics over HTTP at /metrics on PORT of\n"
	"                ADDR (an IPv4 address, or [IPv6]; default 127.0.0.1)\n"
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

bool args_password_file(pwfile_read_fn read_pw, const char *path,
			char out[VNET_PASSWORD_MAX + 1], struct args_err *e)
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
	memcpy(out, line, strlen(line) + 1);   /* proto_password_valid: it fits */
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

/* The command line being read: argv[i] is the word at hand. */
struct parse {
	int argc;
	char **argv;
	int i;
	pwfile_read_fn read_pw;
	struct args *a;
	struct args_err *e;
	bool have_password;
};

/* Where the option o that names a file or a user keeps it (NULL: none such). */
static const char **name_slot(struct args *a, const char *o)
{
	return !strcmp(o, "--cert") ? &a->tlso.cert : !strcmp(o, "--key") ? &a->tlso.key :
	       !strcmp(o, "--ca") ? &a->tlso.ca : !strcmp(o, "--handlers") ? &a->handlers :
	       !strcmp(o, "--user") ? &a->user : NULL;
}

/* An option that names a file or a user (--password-file reads it). */
static bool name_option(struct parse *p, const char *o)
{
	const char **to = name_slot(p->a, o);

	if (!next_word(p->argc, &p->i))
		return refuse(p->e, 2, "%s needs %s", o,
			      strcmp(o, "--user") ? "a file name" : "a user name");
	if (to) {
		*to = p->argv[p->i];
		return true;
	}
	if (p->have_password)
		return refuse(p->e, 2, "give the password once");
	if (!args_password_file(p->read_pw, p->argv[p->i], p->a->password, p->e))
		return false;
	p->a->password_file = p->argv[p->i];
	p->have_password = true;
	return true;
}

static bool is_value_option(const char *o)
{
	static const char *const opts[] = { "--keepalive", "--queue-delay", "--sched", "-h",
					     "-p", "--udp", "--udp-port", "--udp-mtu",
					     "--flood-limit", "--metrics" };

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(o, opts[i]))
			return true;
	return false;
}

/* --metrics PORT, ADDR:PORT or [IPv6]:PORT, numeric (no name to resolve at start). */
static bool metrics_addr(const char *v, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(v, ':');
	char host[INET6_ADDRSTRLEN + 2];
	uint16_t port;
	size_t len;

	memset(ss, 0, sizeof(*ss));
	if (!colon) {
		if (!proto_parse_port(v, &port))
			return false;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons(port);
		return true;
	}
	len = (size_t)(colon - v);
	if (!proto_parse_port(colon + 1, &port) || len < 2 || len >= sizeof(host))
		return false;
	if (v[0] == '[') {
		if (v[len - 1] != ']')
			return false;
		memcpy(host, v + 1, len - 2);
		host[len - 2] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1;
	}
	memcpy(host, v, len);
	host[len] = '\0';
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1;
}

/* An option that takes a number or a word (is_value_option). */
static bool value_option(struct parse *p, const char *o)
{
	struct args *a = p->a;
	const char *v = p->i + 1 < p->argc ? p->argv[p->i + 1] : NULL;
	unsigned long n;

	if (!strcmp(o, "--keepalive")) {
		if (!v)
			return refuse(p->e, 2, "%s needs a number of seconds", o);
		if (!number_in(v, 1, 3600, &n))
			return refuse(p->e, 2, "%s needs a number of seconds from 1 to 3600", o);
		a->keepalive_ms = (uint32_t)n * 1000;
	} else if (!strcmp(o, "--queue-delay")) {
		if (!v || !number_in(v, 0, AQM_TARGET_MS_MAX, &n))
			return refuse(p->e, 2, "%s needs a number of milliseconds from 0 to %d", o,
				      AQM_TARGET_MS_MAX);
		a->queue_delay_ms = (unsigned int)n;
	} else if (!strcmp(o, "--udp")) {
		if (!v || (strcmp(v, "on") && strcmp(v, "off")))
			return refuse(p->e, 2, "%s needs 'on' or 'off'", o);
		a->udp_off = !strcmp(v, "off");
	} else if (!strcmp(o, "--udp-port")) {
		if (!v || !proto_parse_port(v, &a->udp_port))
			return refuse(p->e, 2, "%s needs a port number (1-65535)", o);
	} else if (!strcmp(o, "--udp-mtu")) {
		if (!v || !number_in(v, VNET_UDP_MTU_MIN, 65535, &n))
			return refuse(p->e, 2, "%s needs a number of bytes from %d to 65535", o,
				      VNET_UDP_MTU_MIN);
		a->udp_mtu = (unsigned int)n;
	} else if (!strcmp(o, "--flood-limit")) {
		if (!v || !guard_rate_parse(v, &a->flood))
			return refuse(p->e, 2, "%s needs N or N/BURST (frames a second, and at once: "
				      "1 to %d) or 'off'", o, GUARD_FLOOD_MAX);
	} else if (!strcmp(o, "--sched")) {
		if (!v || (strcmp(v, "batch") && strcmp(v, "normal")))
			return refuse(p->e, 2, "%s needs 'batch' or 'normal'", o);
		a->sched_normal = !strcmp(v, "normal");
	} else if (!strcmp(o, "--metrics")) {
		if (!v || !metrics_addr(v, &a->metrics_addr))
			return refuse(p->e, 2, "%s needs PORT, ADDRESS:PORT or [IPv6]:PORT", o);
		a->metrics = true;
	} else if (!strcmp(o, "-h")) {
		if (!v)
			return refuse(p->e, 2, "%s needs an address (or _)", o);
		a->host = v;
	} else if (!v || !proto_parse_port(v, &a->port)) {      /* -p */
		return refuse(p->e, 2, "%s needs a port number (1-65535)", o);
	}
	p->i++;
	return true;
}

/* -d's device names, up to the next option. */
static bool device_list(struct parse *p, const char *o)
{
	int n = 0;

	while (p->i + 1 < p->argc && p->argv[p->i + 1][0] != '-') {
		if (!add_device(p->a, p->argv[++p->i], p->e))
			return false;
		n++;
	}
	return n ? true : refuse(p->e, 2, "%s needs one or more device names", o);
}

/* A word that is no option: the password (hidden from ps and /proc/PID/cmdline). */
static bool password_word(struct parse *p, const char *o)
{
	if (p->have_password)
		return refuse(p->e, 2, "unexpected argument '%s' (devices follow -d)", o);
	if (!proto_password_valid(o))
		return refuse(p->e, 2, "the password must be 1-256 printable characters "
			      "without spaces");
	snprintf(p->a->password, sizeof(p->a->password), "%s", o);
	explicit_bzero(p->argv[p->i], strlen(p->argv[p->i]));
	p->have_password = true;
	return true;
}

/* After the last word: the password from the environment, and what goes together. */
static bool args_complete(struct parse *p, char *env_password)
{
	struct args *a = p->a;

	if (!p->have_password) {
		if (!env_password)
			return refuse(p->e, 2, "a password is required (argument, --password-file "
				      "or VNET_PASSWORD)");
		if (!proto_password_valid(env_password))
			return refuse(p->e, 2, "VNET_PASSWORD must be 1-256 printable characters "
				      "without spaces");
		snprintf(a->password, sizeof(a->password), "%s", env_password);
		explicit_bzero(env_password, strlen(env_password));
	}
	if (!a->ndevices)
		return refuse(p->e, 2, "no devices: name them with -d");
	if (!a->tls && (a->tlso.cert || a->tlso.key || a->tlso.ca))
		return refuse(p->e, 2, "--cert, --key and --ca need -s");
	if (!a->tlso.cert != !a->tlso.key)
		return refuse(p->e, 2, "--cert and --key go together");
	return true;
}

bool args_parse(int argc, char **argv, char *env_password, pwfile_read_fn read_pw, struct args *a,
		struct args_err *e)
{
	struct parse p = { .argc = argc, .argv = argv, .read_pw = read_pw, .a = a, .e = e };

	memset(a, 0, sizeof(*a));
	a->host = "_";
	a->port = VNET_DEFAULT_PORT;
	a->keepalive_ms = VNET_KEEPALIVE_MS;
	a->udp_mtu = VNET_UDP_MTU;
	a->queue_delay_ms = AQM_TARGET_MS_DEFAULT;
	a->flood.per_s = GUARD_FLOOD_RATE;
	a->flood.burst = GUARD_FLOOD_BURST;
	e->status = 0;
	e->msg[0] = '\0';
	for (p.i = 1; p.i < argc; p.i++) {
		const char *o = argv[p.i];

		if (!strcmp(o, "--help") || !strcmp(o, "--version")) {
			a->action = o[2] == 'h' ? ARGS_HELP : ARGS_VERSION;
			return true;
		} else if (!strcmp(o, "-s")) {
			a->tls = true;
		} else if (!strcmp(o, "-v") || !strcmp(o, "--verbose")) {
			a->verbose = true;
		} else if (!strcmp(o, "--allow-dhcp-server")) {
			a->allow_dhcp_server = true;
		} else if (!strcmp(o, "--allow-ra")) {
			a->allow_ra = true;
		} else if (name_slot(a, o) || !strcmp(o, "--password-file")) {
			if (!name_option(&p, o))
				return false;
		} else if (is_value_option(o)) {
			if (!value_option(&p, o))
				return false;
		} else if (!strcmp(o, "-d")) {
			if (!device_list(&p, o))
				return false;
		} else if (o[0] == '-') {
			return refuse(e, 2, "unknown option '%s'", o);
		} else if (!password_word(&p, o)) {
			return false;
		}
	}
	return args_complete(&p, env_password);
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
