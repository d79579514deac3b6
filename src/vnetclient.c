// SPDX-License-Identifier: GPL-2.0-or-later
/* vnetclient.c - ask a vnet daemon to list, create or close handlers */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vnet/addr.h"
#include "vnet/conn.h"
#include "vnet/jsonout.h"
#include "vnet/proto.h"
#include "vnet/tls.h"

#define EXIT_NOK      1
#define EXIT_USAGE    2
#define EXIT_NET      3
#define CONNECT_TIMEOUT_MS 10000
#define REPLY_TIMEOUT_MS   30000

static const char usage_text[] =
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
	"\n"
	"    echo                      type requests, see the answers (end with Ctrl-D)\n"
	"    handlers                  list the daemon's handlers\n"
	"    devices                   list the devices the daemon may use\n"
	"    devinfo                   the same with each one's MAC, MTU and state\n"
	"    stats                     the handlers' counters\n"
	"    close -i ID               close handler ID\n"
	"    handle [-r] [-a PORT2] [-b PASSWORD2] -d HOST2 -e DEV1 -f DEV2 -g local|remote -j MAC...\n"
	"                              bridge DEV1 on HOST with DEV2 on the daemon at HOST2\n"
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
	"                    MAC/LEN matches the first LEN bits (IPv6: 33:33:00:00:00:00/16)\n"
	"\n"
	"  --help       show this help and exit\n"
	"  --version    show the version and exit\n"
	"\n"
	"Prints the daemon's answer. Exit status: 0 OK, 1 the daemon said NOK,\n"
	"2 usage error, 3 network error or timeout. See vnetclient(1).\n";

struct client {
	bool json;
	const char *host;
	uint16_t port;
	bool tls;
	struct tls_options tlso;
	bool have_password;
	char password[VNET_PASSWORD_MAX + 1];
	int fd;
	struct conn *conn;
	char in[2 * VNET_LINE_MAX];
	size_t inlen;
};

static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("vnetclient: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (status == EXIT_USAGE)
		fputs("Try 'vnetclient --help'.\n", stderr);
	exit(status);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Read one line of standard input into out (without its end of line), a byte
 * at a time: what follows the line stays unread for the echo command.
 */
static bool read_stdin_line(char *out, size_t cap)
{
	size_t len = 0;

	for (;;) {
		char ch;
		ssize_t n = read(STDIN_FILENO, &ch, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (len == 0)
				return false;
			break;
		}
		if (ch == '\n')
			break;
		if (len + 1 < cap)
			out[len++] = ch;
	}
	if (len && out[len - 1] == '\r')
		len--;
	out[len] = '\0';
	return true;
}

/* A password: prompted without echo on a terminal, else a line of standard input. */
static void get_password(const char *host, char *out, size_t cap)
{
	char buf[VNET_PASSWORD_MAX + 2];
	bool ok;

	if (isatty(STDIN_FILENO)) {
		struct termios old, quiet;
		FILE *tty = fopen("/dev/tty", "r+");

		if (!tty)
			die(EXIT_USAGE, "no password given for %s and no terminal to ask", host);
		fprintf(tty, "Password for %s: ", host);
		fflush(tty);
		tcgetattr(fileno(tty), &old);
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
		ok = fgets(buf, sizeof(buf), tty) != NULL;
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
		fclose(tty);
		if (ok)
			buf[strcspn(buf, "\r\n")] = '\0';
	} else {
		ok = read_stdin_line(buf, sizeof(buf));
	}
	if (!ok)
		die(EXIT_USAGE, "no password given for %s", host);
	if (!proto_password_valid(buf))
		die(EXIT_USAGE, "the password for %s must be 1-%d printable characters without spaces",
		    host, VNET_PASSWORD_MAX);
	if (strlen(buf) >= cap)
		die(EXIT_USAGE, "password too long");
	memcpy(out, buf, strlen(buf) + 1);
	explicit_bzero(buf, sizeof(buf));
}

static void take_password(char **argv, int i, char *out, size_t cap)
{
	if (!proto_password_valid(argv[i]))
		die(EXIT_USAGE, "a password must be 1-%d printable characters without spaces",
		    VNET_PASSWORD_MAX);
	snprintf(out, cap, "%s", argv[i]);
	explicit_bzero(argv[i], strlen(argv[i]));   /* hide it from ps */
}

static int wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		uint64_t now = now_ms();
		int n;

		if (now >= deadline)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(deadline - now));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > 0)
			return p.revents;
	}
}

/* Wrap the socket: in clear, or TLS with its handshake done. */
static void client_secure(struct client *c)
{
	uint8_t key[TLS_KEY_LEN];
	uint64_t deadline;
	char said[80];
	int ret;

	if (!c->tls) {
		c->conn = conn_new_plain(c->fd);
		if (!c->conn)
			die(EXIT_NET, "out of memory");
		return;
	}
	if (tls_client_uses_key() && tls_derive_key(c->password, key) < 0)
		die(EXIT_USAGE, "cannot derive a key from the password");
	c->conn = conn_new_tls_client(c->fd, tls_client_uses_key() ? key : NULL, c->host);
	explicit_bzero(key, sizeof(key));
	if (!c->conn)
		die(EXIT_NET, "out of memory");
	deadline = now_ms() + TLS_HANDSHAKE_MS;
	while ((ret = conn_handshake(c->conn)) == -EAGAIN) {
		short ev = conn_handshake_events(c->conn) == EPOLLOUT ? POLLOUT : POLLIN;

		if (wait_fd(c->fd, ev, deadline) < 0)
			die(EXIT_NET, "TLS handshake with %s timed out (does the daemon run with -s?)",
			    c->host);
	}
	if (ret < 0) {
		if (conn_peer_plaintext(c->conn, said, sizeof(said)))
			die(EXIT_NET, "%s does not use TLS (drop -s): it answered '%s'", c->host, said);
		if (conn_cert_mismatch(c->conn))
			die(EXIT_NET, "%s: %s", c->host, conn_error(c->conn));
		if (tls_client_uses_key())
			die(EXIT_NOK, "%s: authentication failed: the TLS handshake was refused "
			    "(wrong password?): %s", c->host, conn_error(c->conn));
		die(EXIT_NET, "%s: %s (with --ca, the daemon must present a certificate signed "
		    "by that CA: vnet -s --cert --key)", c->host, conn_error(c->conn));
	}
}

static void client_connect(struct client *c)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char port[8], why[128] = "no address";
	int ret;

	snprintf(port, sizeof(port), "%u", (unsigned int)c->port);
	ret = getaddrinfo(c->host, port, &hints, &res);
	if (ret)
		die(EXIT_NET, "cannot resolve %s: %s", c->host, gai_strerror(ret));
	for (ai = res; ai; ai = ai->ai_next) {
		int fd, err = 0;
		socklen_t len = sizeof(err);

		ret = addr_connect(ai, &fd);
		if (ret == -EINPROGRESS) {
			ret = wait_fd(fd, POLLOUT, now_ms() + CONNECT_TIMEOUT_MS);
			if (ret >= 0) {
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
				ret = err ? -err : 0;
			}
			if (ret < 0)
				close(fd);
		}
		if (ret == 0) {
			c->fd = fd;
			freeaddrinfo(res);
			client_secure(c);
			return;
		}
		snprintf(why, sizeof(why), "%s", ret == -ETIMEDOUT ? "timed out" : strerror(-ret));
	}
	freeaddrinfo(res);
	die(EXIT_NET, "cannot connect to %s port %u: %s", c->host, (unsigned int)c->port, why);
}

static void client_send(struct client *c, const char *line, size_t len)
{
	uint64_t deadline = now_ms() + REPLY_TIMEOUT_MS;

	while (len) {
		ssize_t n = conn_write(c->conn, line, len);

		if (n == -EAGAIN) {
			if (wait_fd(c->fd, POLLOUT, deadline) < 0)
				die(EXIT_NET, "%s: timed out sending", c->host);
			continue;
		}
		if (n < 0)
			die(EXIT_NET, "%s: %s", c->host, conn_error(c->conn));
		line += n;
		len -= (size_t)n;
	}
}

/* One line of the daemon's answer (without end of line); false at end of stream. */
static bool client_line(struct client *c, char *out, size_t cap, uint64_t deadline)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->inlen);
		ssize_t n;
		int ret;

		if (nl) {
			size_t len = (size_t)(nl - c->in), used = len + 1;

			if (len && c->in[len - 1] == '\r')
				len--;
			/* The daemon's text, or anyone's: no control byte reaches the terminal. */
			proto_sanitize(out, cap, c->in, len);
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
			return true;
		}
		if (c->inlen == sizeof(c->in))
			die(EXIT_NET, "%s: answer line too long", c->host);
		if (!conn_pending(c->conn)) {
			ret = wait_fd(c->fd, POLLIN, deadline);
			if (ret < 0)
				die(EXIT_NET, "%s: %s waiting for an answer", c->host,
				    ret == -ETIMEDOUT ? "timed out" : strerror(-ret));
		}
		n = conn_read(c->conn, c->in + c->inlen, sizeof(c->in) - c->inlen);
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			die(EXIT_NET, "%s: %s", c->host, conn_error(c->conn));
		if (n == 0)
			return false;
		c->inlen += (size_t)n;
	}
}

static void expect_line(struct client *c, char *out, size_t cap)
{
	if (!client_line(c, out, cap, now_ms() + REPLY_TIMEOUT_MS))
		die(EXIT_NET, "%s closed the connection", c->host);
}

/* Send a request and check that its first answer line says OK. */
static void request(struct client *c, const char *line, size_t len, char *reply, size_t cap)
{
	const char *rest;

	client_send(c, line, len);
	expect_line(c, reply, cap);
	if (!proto_reply_ok(reply, &rest)) {
		if (strncmp(reply, "NOK", 3))
			die(EXIT_NET, "%s: unexpected answer '%.80s'", c->host, reply);
		die(EXIT_NOK, "%s: %s", c->host, *rest ? rest : "refused");
	}
}

static void hello(struct client *c, bool show)
{
	char line[VNET_LINE_MAX];
	int len = proto_fmt_hello(line, sizeof(line), c->password);

	request(c, line, (size_t)len, line, sizeof(line));
	if (show)
		puts(line);
	explicit_bzero(c->password, sizeof(c->password));
}

static void done(struct client *c)
{
	char line[VNET_LINE_MAX];

	client_send(c, "DONE\n", 5);
	/* The daemon answers and closes; its answer changes nothing now. */
	client_line(c, line, sizeof(line), now_ms() + 2000);
	conn_free(c->conn);
}

/*
 * Ask req, whose answer is an OK line, a count and that many lines: printed
 * as they come (print), or kept (returned, *np of them, for JSON).
 */
static char **fetch_list(struct client *c, const char *req, bool print, unsigned long *np)
{
	char line[VNET_LINE_MAX];
	char *end, **lines;
	unsigned long n;

	request(c, req, strlen(req), line, sizeof(line));
	if (print)
		puts(line);
	expect_line(c, line, sizeof(line));
	errno = 0;
	n = strtoul(line, &end, 10);
	if (line[0] < '0' || line[0] > '9' || *end || errno || n > 100000)
		die(EXIT_NET, "%s: bad count line '%.40s'", c->host, line);
	if (print)
		puts(line);
	lines = calloc(n ? n : 1, sizeof(*lines));
	if (!lines)
		die(EXIT_NET, "out of memory");
	for (unsigned long i = 0; i < n; i++) {
		expect_line(c, line, sizeof(line));
		if (print)
			puts(line);
		else if (!(lines[i] = strdup(line)))
			die(EXIT_NET, "out of memory");
	}
	*np = n;
	return lines;
}

static void free_list(char **lines, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Print a JSON document that to_json wrote, or fail on an answer of the wrong shape. */
static void print_json(const struct client *c, bool ok, char *doc)
{
	if (!ok)
		die(EXIT_NET, "%s: an answer line has an unexpected shape", c->host);
	fputs(doc, stdout);
}

/*
 * A reply made of an OK line, a count, and that many lines; printed as is, or
 * as JSON by to_json (with --json; callers without one never ask for JSON).
 */
static void list(struct client *c, const char *req,
		 bool (*to_json)(FILE *f, char *const *lines, size_t n))
{
	unsigned long n;
	char **lines = fetch_list(c, req, !c->json, &n);

	if (c->json && to_json) {
		char *doc = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&doc, &len);
		bool ok;

		if (!f)
			die(EXIT_NET, "out of memory");
		ok = to_json(f, lines, n);
		fclose(f);
		print_json(c, ok, doc);
		free(doc);
	}
	free_list(lines, n);
}

/*
 * handlers --json: HANDLERS? (VNET 0.9's lines), then STATS? for whether
 * each handler reconnects and how it stands.
 */
static void list_handlers_json(struct client *c)
{
	unsigned long n, ns;
	char **lines = fetch_list(c, "HANDLERS?\n", false, &n);
	char **stats = fetch_list(c, "STATS?\n", false, &ns);
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);
	bool ok;

	if (!f)
		die(EXIT_NET, "out of memory");
	ok = json_handlers(f, lines, n, stats, ns);
	fclose(f);
	print_json(c, ok, doc);
	free(doc);
	free_list(lines, n);
	free_list(stats, ns);
}

/* One-line answers (handle, close): as is, or {"KEY": value}. */
static void print_reply(const struct client *c, const char *reply, const char *key)
{
	const char *rest;

	if (!c->json) {
		puts(reply);
		return;
	}
	proto_reply_ok(reply, &rest);
	if (!strcmp(key, "closed") && !strncmp(rest, "closed ", 7))
		rest += 7;
	json_id(stdout, key, rest);
}

static int cmd_echo(struct client *c)
{
	char buf[VNET_LINE_MAX];
	bool stdin_open = true;
	uint64_t deadline = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN },
				       { .fd = STDIN_FILENO, .events = POLLIN } };
		int timeout = -1, n;
		ssize_t r;

		if (!stdin_open) {
			uint64_t now = now_ms();

			if (now >= deadline)
				die(EXIT_NET, "%s: timed out waiting for it to close", c->host);
			timeout = (int)(deadline - now);
		}
		if (conn_pending(c->conn))
			timeout = 0;
		n = poll(p, stdin_open ? 2 : 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EXIT_NET, "poll: %s", strerror(errno));
		if (p[0].revents || conn_pending(c->conn)) {
			r = conn_read(c->conn, buf, sizeof(buf));
			if (r == -EAGAIN)
				continue;
			if (r < 0)
				die(EXIT_NET, "%s: %s", c->host, conn_error(c->conn));
			if (r == 0)
				return 0;
			for (ssize_t i = 0; i < r; i++)     /* lines, but no control bytes */
				if (buf[i] != '\n' && !proto_printable((unsigned char)buf[i]))
					buf[i] = '?';
			fwrite(buf, 1, (size_t)r, stdout);
			fflush(stdout);
		}
		if (stdin_open && p[1].revents) {
			r = read(STDIN_FILENO, buf, sizeof(buf));
			if (r <= 0) {
				/* End of input: say goodbye and show what is left. */
				client_send(c, "DONE\n", 5);
				stdin_open = false;
				deadline = now_ms() + REPLY_TIMEOUT_MS;
				continue;
			}
			client_send(c, buf, (size_t)r);
		}
	}
}

struct handle_args {
	bool reconnect;
	uint16_t port2;
	bool have_password2;
	char password2[VNET_PASSWORD_MAX + 1];
	const char *host2, *dev1, *dev2;
	bool have_config;
	enum vnet_config config;
	struct mac_pattern macs[VNET_MACS_MAX];
	size_t nmacs;
};

static void parse_handle(int argc, char **argv, int i, struct handle_args *h)
{
	char err[128];

	h->port2 = VNET_DEFAULT_PORT;
	for (; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;

		if (!strcmp(a, "-j")) {
			int first = ++i;

			while (i < argc && argv[i][0] != '-')
				i++;
			if (!proto_parse_macs(argv + first, (size_t)(i - first), h->macs, &h->nmacs,
					      err, sizeof(err)))
				die(EXIT_USAGE, "-j: %s", err);
			i--;
			continue;
		}
		if (!strcmp(a, "-r")) {
			h->reconnect = true;
			continue;
		}
		if (strlen(a) != 2 || a[0] != '-' || !strchr("abdefg", a[1]))
			die(EXIT_USAGE, "handle: unknown option '%s'", a);
		if (!has_value)
			die(EXIT_USAGE, "handle: %s needs a value", a);
		i++;
		switch (a[1]) {
		case 'a':
			if (!proto_parse_port(argv[i], &h->port2))
				die(EXIT_USAGE, "-a: bad port '%s'", argv[i]);
			break;
		case 'b':
			take_password(argv, i, h->password2, sizeof(h->password2));
			h->have_password2 = true;
			break;
		case 'd':
			if (strlen(argv[i]) > VNET_HOST_MAX || !argv[i][0])
				die(EXIT_USAGE, "-d: bad host");
			h->host2 = argv[i];
			break;
		case 'e':
		case 'f':
			if (!proto_device_valid(argv[i]))
				die(EXIT_USAGE, "%s: bad device name '%s'", a, argv[i]);
			if (a[1] == 'e')
				h->dev1 = argv[i];
			else
				h->dev2 = argv[i];
			break;
		case 'g':
			if (!proto_parse_config(argv[i], &h->config))
				die(EXIT_USAGE, "-g: want local or remote, not '%s'", argv[i]);
			h->have_config = true;
			break;
		}
	}
	if (!h->host2 || !h->dev1 || !h->dev2 || !h->have_config || !h->nmacs)
		die(EXIT_USAGE, "handle needs -d HOST2 -e DEV1 -f DEV2 -g local|remote -j MAC...");
}

static int cmd_handle(struct client *c, struct handle_args *h)
{
	char line[VNET_LINE_MAX], reply[VNET_LINE_MAX];
	int len = proto_fmt_handle_ex(line, sizeof(line), h->password2, h->config, h->dev1,
				      h->host2, h->port2, h->dev2, h->macs, h->nmacs, h->reconnect);

	explicit_bzero(h->password2, sizeof(h->password2));
	if (len < 0)
		die(EXIT_USAGE, "handle: request too long");
	request(c, line, (size_t)len, reply, sizeof(reply));
	explicit_bzero(line, sizeof(line));
	print_reply(c, reply, "id");
	return 0;
}

int main(int argc, char **argv)
{
	struct client c = { .port = VNET_DEFAULT_PORT, .fd = -1 };
	struct handle_args h = { 0 };
	const char *cmd = NULL;
	char line[64];
	int i, cmd_at = 0;

	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc && !cmd; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			printf("vnetclient %s (protocol %s)\n", VNET_VERSION, VNET_PROTO_VERSION);
			return 0;
		}
		if (!strcmp(a, "-s")) {
			c.tls = true;
			continue;
		}
		if (!strcmp(a, "--json")) {
			c.json = true;
			continue;
		}
		if (!strcmp(a, "--ca")) {
			if (++i == argc)
				die(EXIT_USAGE, "--ca needs a file name");
			c.tlso.ca = argv[i];
			continue;
		}
		if (strlen(a) != 2 || a[0] != '-' || !strchr("pohc", a[1]))
			die(EXIT_USAGE, "unknown option '%s'", a);
		if (++i == argc)
			die(EXIT_USAGE, "%s needs a value", a);
		switch (a[1]) {
		case 'p':
			take_password(argv, i, c.password, sizeof(c.password));
			c.have_password = true;
			break;
		case 'o':
			if (!proto_parse_port(argv[i], &c.port))
				die(EXIT_USAGE, "-o: bad port '%s'", argv[i]);
			break;
		case 'h':
			c.host = argv[i];
			break;
		case 'c':
			cmd = argv[i];
			cmd_at = i + 1;
			break;
		}
	}
	if (!c.host)
		die(EXIT_USAGE, "which daemon? Give -h HOST");
	if (!cmd)
		die(EXIT_USAGE, "what to do? Give -c COMMAND");
	if (c.tlso.ca && !c.tls)
		die(EXIT_USAGE, "--ca needs -s");
	if (c.tls) {
		char err[256] = "";

		if (tls_setup(&c.tlso, NULL, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "TLS: %s", err);
	}

	/* Check the command before asking for passwords or connecting. */
	if (!strcmp(cmd, "echo") || !strcmp(cmd, "handlers") || !strcmp(cmd, "devices") ||
	    !strcmp(cmd, "devinfo") || !strcmp(cmd, "stats")) {
		if (cmd_at != argc)
			die(EXIT_USAGE, "%s takes no arguments", cmd);
	} else if (!strcmp(cmd, "close")) {
		char *end;
		unsigned long id;

		if (argc - cmd_at != 2 || strcmp(argv[cmd_at], "-i"))
			die(EXIT_USAGE, "usage: close -i ID");
		errno = 0;
		id = strtoul(argv[cmd_at + 1], &end, 10);
		if (argv[cmd_at + 1][0] < '0' || argv[cmd_at + 1][0] > '9' || *end || errno ||
		    !id || id > UINT32_MAX)
			die(EXIT_USAGE, "close: bad handler id '%s'", argv[cmd_at + 1]);
		snprintf(line, sizeof(line), "CLOSE %lu\n", id);
	} else if (!strcmp(cmd, "handle")) {
		parse_handle(argc, argv, cmd_at, &h);
	} else {
		die(EXIT_USAGE, "unknown command '%s' (echo, handlers, devices, devinfo, stats, "
		    "close, handle)", cmd);
	}

	if (!c.have_password)
		get_password(c.host, c.password, sizeof(c.password));
	if (!strcmp(cmd, "handle") && !h.have_password2)
		get_password(h.host2, h.password2, sizeof(h.password2));

	client_connect(&c);
	hello(&c, !strcmp(cmd, "echo"));
	if (!strcmp(cmd, "echo")) {
		int rc = cmd_echo(&c);

		conn_free(c.conn);
		if (c.tls)
			tls_cleanup();
		return rc;
	}
	if (!strcmp(cmd, "handlers") && c.json) {
		list_handlers_json(&c);
	} else if (!strcmp(cmd, "handlers")) {
		list(&c, "HANDLERS?\n", NULL);
	} else if (!strcmp(cmd, "devices") && c.json) {
		list(&c, "DEVINFO?\n", json_devices);  /* names, and what DEVINFO? adds */
	} else if (!strcmp(cmd, "devices")) {
		list(&c, "DEVICES?\n", NULL);
	} else if (!strcmp(cmd, "devinfo")) {
		list(&c, "DEVINFO?\n", json_devices);
	} else if (!strcmp(cmd, "stats")) {
		list(&c, "STATS?\n", json_stats);
	} else if (!strcmp(cmd, "close")) {
		char reply[VNET_LINE_MAX];

		request(&c, line, strlen(line), reply, sizeof(reply));
		print_reply(&c, reply, "closed");
	} else {
		cmd_handle(&c, &h);
	}
	done(&c);
	if (c.tls)
		tls_cleanup();
	return 0;
}
