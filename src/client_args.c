// SPDX-License-Identifier: GPL-2.0-or-later
/* client_args.c - vnetclient's commands, its usage text and its command line, without I/O */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/client.h"
#include "vnet/jsonout.h"

#define USAGE_HELP_COLUMN 30    /* where a command's help starts in the usage text */

static bool fail(struct client_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct client_args *a, const char *fmt, ...)
{
	va_list ap;

	free(a->err);
	va_start(ap, fmt);
	if (vasprintf(&a->err, fmt, ap) < 0)
		a->err = NULL;
	va_end(ap);
	return false;
}

/* Copy a password and wipe it from argv, out of sight of ps. */
static bool take_password(struct client_args *a, char *arg, char *out, size_t cap)
{
	if (!proto_password_valid(arg))
		return fail(a, "a password must be 1-%d printable characters without spaces",
			    VNET_PASSWORD_MAX);
	snprintf(out, cap, "%s", arg);
	explicit_bzero(arg, strlen(arg));
	return true;
}

static bool parse_none(int argc, char **argv, int at, struct client_args *a)
{
	if (at != argc)
		return fail(a, "%s takes no arguments, not '%s' (options go before -c)",
			    a->cmd->name, argv[at]);
	return true;
}

static bool parse_close(int argc, char **argv, int at, struct client_args *a)
{
	const char *s;
	char *end;
	unsigned long id;

	if (argc - at != 2 || strcmp(argv[at], "-i"))
		return fail(a, "usage: close -i ID");
	s = argv[at + 1];
	errno = 0;
	id = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || !id || id > UINT32_MAX)
		return fail(a, "close: bad handler id '%s'", s);
	a->close_id = id;
	return true;
}

/* One of handle's options that take a value: -a -b -d -e -f -g. */
static bool handle_option(struct client_args *a, const char *opt, char *value)
{
	struct client_handle *h = &a->handle;

	switch (opt[1]) {
	case 'a':
		if (!proto_parse_port(value, &h->port2))
			return fail(a, "-a: bad port '%s'", value);
		return true;
	case 'b':
		if (!take_password(a, value, h->password2, sizeof(h->password2)))
			return false;
		h->have_password2 = true;
		return true;
	case 'd':
		if (strlen(value) > VNET_HOST_MAX || !value[0])
			return fail(a, "-d: bad host");
		h->host2 = value;
		return true;
	case 'e':
	case 'f':
		if (!proto_device_valid(value))
			return fail(a, "%s: bad device name '%s'", opt, value);
		*(opt[1] == 'e' ? &h->dev1 : &h->dev2) = value;
		return true;
	default:        /* 'g' */
		if (!proto_parse_config(value, &h->config))
			return fail(a, "-g: want local or remote, not '%s'", value);
		h->have_config = true;
		return true;
	}
}

static bool parse_handle(int argc, char **argv, int i, struct client_args *a)
{
	struct client_handle *h = &a->handle;
	char err[128];

	h->port2 = VNET_DEFAULT_PORT;
	for (; i < argc; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-j")) {
			int first = ++i;

			while (i < argc && argv[i][0] != '-')
				i++;
			if (!proto_parse_macs(argv + first, (size_t)(i - first), h->macs, &h->nmacs,
					      err, sizeof(err)))
				return fail(a, "-j: %s", err);
			i--;
			continue;
		}
		if (!strcmp(opt, "-r")) {
			h->reconnect = true;
			continue;
		}
		if (strlen(opt) != 2 || opt[0] != '-' || !strchr("abdefg", opt[1]))
			return fail(a, "handle: unknown option '%s'", opt);
		if (i + 1 == argc)
			return fail(a, "handle: %s needs a value", opt);
		if (!handle_option(a, opt, argv[++i]))
			return false;
	}
	if (!h->host2 || !h->dev1 || !h->dev2 || !h->have_config || !h->nmacs)
		return fail(a, "handle needs -d HOST2 -e DEV1 -f DEV2 -g local|remote -j MAC...");
	return true;
}

static int format_close(struct client_args *a, char *out, size_t cap)
{
	int len = snprintf(out, cap, "CLOSE %lu\n", a->close_id);

	return len < 0 || (size_t)len >= cap ? -1 : len;
}

/* The request carries the second daemon's password: it is wiped once written. */
static int format_handle(struct client_args *a, char *out, size_t cap)
{
	struct client_handle *h = &a->handle;
	const struct proto_handle req = {
		.password = h->password2, .lconf = h->config, .ldev = h->dev1,
		.rhost = h->host2, .rport = h->port2, .rdev = h->dev2,
		.macs = h->macs, .nmacs = h->nmacs, .reconnect = h->reconnect,
	};
	int len = proto_fmt_handle(out, cap, &req);

	explicit_bzero(h->password2, sizeof(h->password2));
	return len;
}

static bool json_devices_of(FILE *f, char *const *lines, size_t n, char *const *more,
			    size_t nmore)
{
	return json_devices(f, lines, n);
}

static bool json_stats_of(FILE *f, char *const *lines, size_t n, char *const *more,
			  size_t nmore)
{
	return json_stats(f, lines, n);
}

/* handlers --json: HANDLERS? (VNET 0.9's lines), and STATS? for whether each reconnects. */
static bool json_handlers_of(FILE *f, char *const *lines, size_t n, char *const *more,
			     size_t nmore)
{
	return json_handlers(f, lines, n, more, nmore);
}

const struct client_command client_commands[] = {
	{ .name = "echo", .help = "type requests, see the answers (end with Ctrl-D)",
	  .parse = parse_none, .reply = CLIENT_REPLY_ECHO },
	{ .name = "handlers", .help = "list the daemon's handlers",
	  .parse = parse_none, .reply = CLIENT_REPLY_LIST, .request = "HANDLERS?\n",
	  .json_more = "STATS?\n", .json = json_handlers_of },
	/* devices --json: the names, and what DEVINFO? adds */
	{ .name = "devices", .help = "list the devices the daemon may use",
	  .parse = parse_none, .reply = CLIENT_REPLY_LIST, .request = "DEVICES?\n",
	  .json_request = "DEVINFO?\n", .json = json_devices_of },
	{ .name = "devinfo", .help = "the same with each one's MAC, MTU and state",
	  .parse = parse_none, .reply = CLIENT_REPLY_LIST, .request = "DEVINFO?\n",
	  .json = json_devices_of },
	{ .name = "stats", .help = "the handlers' counters",
	  .parse = parse_none, .reply = CLIENT_REPLY_LIST, .request = "STATS?\n",
	  .json = json_stats_of },
	{ .name = "close", .synopsis = "-i ID", .help = "close handler ID",
	  .parse = parse_close, .reply = CLIENT_REPLY_LINE, .format = format_close,
	  .json_key = "closed" },
	{ .name = "handle",
	  .synopsis = "[-r] [-a PORT2] [-b PASSWORD2] -d HOST2 -e DEV1 -f DEV2 -g local|remote -j MAC...",
	  .help = "bridge DEV1 on HOST with DEV2 on the daemon at HOST2",
	  .details =
	"      -r            reconnecting: HOST re-establishes the handler whenever its\n"
	"                    connection drops, until it is closed\n"
	"      -a PORT2      the second daemon's port (default 4455)\n"
	"      -b PASSWORD2  the second daemon's password (default: prompt, as for -p)\n"
	"      -d HOST2      the second daemon's host, as HOST sees it\n"
	"      -e DEV1       the device on HOST\n"
	"      -f DEV2       the device on HOST2\n"
	"      -g local      HOST forwards frames whose destination is listed, HOST2\n"
	"                    those whose source is listed; -g remote: the other way round\n"
	"      -j MAC...     the addresses (first the bridged machine's own); a pattern\n"
	"                    MAC/LEN matches the first LEN bits (IPv6: 33:33:00:00:00:00/16)\n",
	  .parse = parse_handle, .reply = CLIENT_REPLY_LINE, .format = format_handle,
	  .json_key = "id" },
};

const size_t client_ncommands = sizeof(client_commands) / sizeof(client_commands[0]);

static const char usage_head[] =
	"Usage: vnetclient [-s [--ca FILE]] [-p PASSWORD] [-o PORT] [--json] -h HOST -c COMMAND [ARGS...]\n"
	"       vnetclient --help | --version\n"
	"\n"
	"Talk to the vnet daemon on HOST.\n"
	"\n"
	"  -s           TLS 1.3, with a key derived from the password (the daemon\n"
	"               must run with -s too)\n"
	"  --ca FILE    with -s: verify the daemon's certificate against this CA\n"
	"               (PEM) instead of deriving a key\n"
	"  -p PASSWORD  the daemon's password (default: prompt, or read a line from\n"
	"               standard input when it is not a terminal)\n"
	"  -o PORT      the daemon's port (default 4455)\n"
	"  -h HOST      the daemon's host name or address\n"
	"  --json       print the answer as one JSON document (devices, devinfo,\n"
	"               handlers, stats, handle, close)\n"
	"  -c COMMAND   what to do; it comes last, its arguments follow it:\n"
	"\n";

static const char usage_tail[] =
	"\n"
	"  --help       show this help and exit\n"
	"  --version    show the version and exit\n"
	"\n"
	"Prints the daemon's answer. Exit status: 0 OK, 1 the daemon said NOK,\n"
	"2 usage error, 3 network error or timeout. See vnetclient(1).\n";

void client_usage(FILE *f)
{
	fputs(usage_head, f);
	for (size_t i = 0; i < client_ncommands; i++) {
		const struct client_command *cmd = &client_commands[i];
		int width = fprintf(f, "    %s%s%s", cmd->name, cmd->synopsis ? " " : "",
				    cmd->synopsis ? cmd->synopsis : "");

		if (width >= USAGE_HELP_COLUMN) {
			fputc('\n', f);
			width = 0;
		}
		fprintf(f, "%*s%s\n", USAGE_HELP_COLUMN - width, "", cmd->help);
		if (cmd->details)
			fputs(cmd->details, f);
	}
	fputs(usage_tail, f);
}

static const struct client_command *command_find(const char *name)
{
	for (size_t i = 0; i < client_ncommands; i++)
		if (!strcmp(client_commands[i].name, name))
			return &client_commands[i];
	return NULL;
}

static bool unknown_command(struct client_args *a, const char *name)
{
	char names[128] = "";
	size_t len = 0;

	for (size_t i = 0; i < client_ncommands && len < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
					client_commands[i].name);
	return fail(a, "unknown command '%s' (%s)", name, names);
}

/* The options before -c COMMAND; *at is where the command's name is. */
static bool parse_options(int argc, char **argv, struct client_args *a, int *at)
{
	for (int i = 1; i < argc; i++) {
		char *opt = argv[i];

		if (!strcmp(opt, "--help") || !strcmp(opt, "--version")) {
			a->action = opt[2] == 'h' ? CLIENT_HELP : CLIENT_VERSION;
			return true;
		}
		if (!strcmp(opt, "-s") || !strcmp(opt, "--json")) {
			*(opt[1] == 's' ? &a->tls : &a->json) = true;
			continue;
		}
		if (!strcmp(opt, "--ca")) {
			if (++i == argc)
				return fail(a, "--ca needs a file name");
			a->tlso.ca = argv[i];
			continue;
		}
		if (strlen(opt) != 2 || opt[0] != '-' || !strchr("pohc", opt[1]))
			return fail(a, "unknown option '%s'", opt);
		if (++i == argc)
			return fail(a, "%s needs a value", opt);
		if (opt[1] == 'p') {
			if (!take_password(a, argv[i], a->password, sizeof(a->password)))
				return false;
			a->have_password = true;
		} else if (opt[1] == 'o' && !proto_parse_port(argv[i], &a->port)) {
			return fail(a, "-o: bad port '%s'", argv[i]);
		} else if (opt[1] == 'h') {
			a->host = argv[i];
		} else if (opt[1] == 'c') {
			*at = i;
			return true;
		}
	}
	return true;
}

bool client_args_parse(int argc, char **argv, struct client_args *a)
{
	int at = 0;

	memset(a, 0, sizeof(*a));
	a->port = VNET_DEFAULT_PORT;
	if (!parse_options(argc, argv, a, &at))
		return false;
	if (a->action != CLIENT_RUN)
		return true;
	if (!a->host)
		return fail(a, "which daemon? Give -h HOST");
	if (!at)
		return fail(a, "what to do? Give -c COMMAND");
	if (a->tlso.ca && !a->tls)
		return fail(a, "--ca needs -s");
	a->options_ok = true;
	a->cmd = command_find(argv[at]);
	if (!a->cmd)
		return unknown_command(a, argv[at]);
	return a->cmd->parse(argc, argv, at + 1, a);
}

void client_args_free(struct client_args *a)
{
	explicit_bzero(a->password, sizeof(a->password));
	explicit_bzero(a->handle.password2, sizeof(a->handle.password2));
	free(a->err);
	a->err = NULL;
}
