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
#include "vnet/client.h"
#include "vnet/conn.h"
#include "vnet/jsonout.h"
#include "vnet/proto.h"
#include "vnet/tls.h"

#define EXIT_NOK      1
#define EXIT_USAGE    2
#define EXIT_NET      3
#define CONNECT_TIMEOUT_MS 10000
#define REPLY_TIMEOUT_MS   30000

struct client {
	struct client_args a;           /* the command line */
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

	if (!c->a.tls) {
		c->conn = conn_new_plain(c->fd);
		if (!c->conn)
			die(EXIT_NET, "out of memory");
		return;
	}
	if (tls_client_uses_key() && tls_derive_key(c->a.password, key) < 0)
		die(EXIT_USAGE, "cannot derive a key from the password");
	c->conn = conn_new_tls_client(c->fd, tls_client_uses_key() ? key : NULL, c->a.host);
	explicit_bzero(key, sizeof(key));
	if (!c->conn)
		die(EXIT_NET, "out of memory");
	deadline = now_ms() + TLS_HANDSHAKE_MS;
	while ((ret = conn_handshake(c->conn)) == -EAGAIN) {
		short ev = conn_handshake_events(c->conn) == EPOLLOUT ? POLLOUT : POLLIN;

		if (wait_fd(c->fd, ev, deadline) < 0)
			die(EXIT_NET, "TLS handshake with %s timed out (does the daemon run with -s?)",
			    c->a.host);
	}
	if (ret < 0) {
		if (conn_peer_plaintext(c->conn, said, sizeof(said)))
			die(EXIT_NET, "%s does not use TLS (drop -s): it answered '%s'", c->a.host,
			    said);
		if (conn_cert_mismatch(c->conn))
			die(EXIT_NET, "%s: %s", c->a.host, conn_error(c->conn));
		if (tls_client_uses_key())
			die(EXIT_NOK, "%s: authentication failed: the TLS handshake was refused "
			    "(wrong password?): %s", c->a.host, conn_error(c->conn));
		die(EXIT_NET, "%s: %s (with --ca, the daemon must present a certificate signed "
		    "by that CA: vnet -s --cert --key)", c->a.host, conn_error(c->conn));
	}
}

static void client_connect(struct client *c)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char port[8], why[128] = "no address";
	int ret;

	snprintf(port, sizeof(port), "%u", (unsigned int)c->a.port);
	ret = getaddrinfo(c->a.host, port, &hints, &res);
	if (ret)
		die(EXIT_NET, "cannot resolve %s: %s", c->a.host, gai_strerror(ret));
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
	die(EXIT_NET, "cannot connect to %s port %u: %s", c->a.host, (unsigned int)c->a.port, why);
}

static void client_send(struct client *c, const char *line, size_t len)
{
	uint64_t deadline = now_ms() + REPLY_TIMEOUT_MS;

	while (len) {
		ssize_t n = conn_write(c->conn, line, len);

		if (n == -EAGAIN) {
			if (wait_fd(c->fd, POLLOUT, deadline) < 0)
				die(EXIT_NET, "%s: timed out sending", c->a.host);
			continue;
		}
		if (n < 0)
			die(EXIT_NET, "%s: %s", c->a.host, conn_error(c->conn));
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
			die(EXIT_NET, "%s: answer line too long", c->a.host);
		if (!conn_pending(c->conn)) {
			ret = wait_fd(c->fd, POLLIN, deadline);
			if (ret < 0)
				die(EXIT_NET, "%s: %s waiting for an answer", c->a.host,
				    ret == -ETIMEDOUT ? "timed out" : strerror(-ret));
		}
		n = conn_read(c->conn, c->in + c->inlen, sizeof(c->in) - c->inlen);
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			die(EXIT_NET, "%s: %s", c->a.host, conn_error(c->conn));
		if (n == 0)
			return false;
		c->inlen += (size_t)n;
	}
}

static void expect_line(struct client *c, char *out, size_t cap)
{
	if (!client_line(c, out, cap, now_ms() + REPLY_TIMEOUT_MS))
		die(EXIT_NET, "%s closed the connection", c->a.host);
}

/* Send a request and check that its first answer line says OK. */
static void request(struct client *c, const char *line, size_t len, char *reply, size_t cap)
{
	const char *rest;

	client_send(c, line, len);
	expect_line(c, reply, cap);
	if (!proto_reply_ok(reply, &rest)) {
		if (strncmp(reply, "NOK", 3))
			die(EXIT_NET, "%s: unexpected answer '%.80s'", c->a.host, reply);
		die(EXIT_NOK, "%s: %s", c->a.host, *rest ? rest : "refused");
	}
}

static void hello(struct client *c, bool show)
{
	char line[VNET_LINE_MAX];
	int len = proto_fmt_hello(line, sizeof(line), c->a.password);

	request(c, line, (size_t)len, line, sizeof(line));
	if (show)
		puts(line);
	explicit_bzero(c->a.password, sizeof(c->a.password));
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
		die(EXIT_NET, "%s: bad count line '%.40s'", c->a.host, line);
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

/*
 * A list command (handlers, devices, devinfo, stats): its answer, an OK line, a
 * count and that many lines, printed as is; with --json, the lists it asks for
 * written as one JSON document by its writer.
 */
static void run_list(struct client *c, const struct client_command *cmd)
{
	unsigned long n, nmore = 0;
	char **lines, **more = NULL, *doc = NULL;
	size_t len = 0;
	FILE *f;
	bool ok;

	if (!c->a.json) {
		lines = fetch_list(c, cmd->request, true, &n);
		free_list(lines, n);
		return;
	}
	lines = fetch_list(c, cmd->json_request ? cmd->json_request : cmd->request, false, &n);
	if (cmd->json_more)
		more = fetch_list(c, cmd->json_more, false, &nmore);
	f = open_memstream(&doc, &len);
	if (!f)
		die(EXIT_NET, "out of memory");
	ok = cmd->json(f, lines, n, more, nmore);
	fclose(f);
	if (!ok)
		die(EXIT_NET, "%s: an answer line has an unexpected shape", c->a.host);
	fputs(doc, stdout);
	free(doc);
	free_list(lines, n);
	free_list(more, nmore);
}

/* One-line answers (handle, close): as is, or {"KEY": value}. */
static void print_reply(const struct client *c, const char *reply, const char *key)
{
	const char *rest;

	if (!c->a.json) {
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
				die(EXIT_NET, "%s: timed out waiting for it to close", c->a.host);
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
				die(EXIT_NET, "%s: %s", c->a.host, conn_error(c->conn));
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

/* A command whose answer is one line (close, handle). */
static void run_line(struct client *c, const struct client_command *cmd)
{
	char line[VNET_LINE_MAX], reply[VNET_LINE_MAX];
	int len = cmd->format(&c->a, line, sizeof(line));

	if (len < 0)
		die(EXIT_USAGE, "%s: request too long", cmd->name);
	request(c, line, (size_t)len, reply, sizeof(reply));
	explicit_bzero(line, sizeof(line));
	print_reply(c, reply, cmd->json_key);
}

/* The command line, or the end with its help, its version or its error. */
static void parse_args(int argc, char **argv, struct client_args *a)
{
	char err[256] = "";
	bool ok = client_args_parse(argc, argv, a);

	if (ok && a->action == CLIENT_HELP) {
		client_usage(stdout);
		exit(0);
	}
	if (ok && a->action == CLIENT_VERSION) {
		printf("vnetclient %s (protocol %s)\n", VNET_VERSION, VNET_PROTO_VERSION);
		exit(0);
	}
	/* The options' errors, then TLS's, then the command's. */
	if (!ok && !a->options_ok)
		die(EXIT_USAGE, "%s", a->err ? a->err : "out of memory");
	if (a->tls && tls_setup(&a->tlso, NULL, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "TLS: %s", err);
	if (!ok)
		die(EXIT_USAGE, "%s", a->err ? a->err : "out of memory");
}

int main(int argc, char **argv)
{
	struct client c = { .fd = -1 };
	const struct client_command *cmd;
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	/* The command line is checked before asking for passwords or connecting. */
	parse_args(argc, argv, &c.a);
	cmd = c.a.cmd;
	if (!c.a.have_password)
		get_password(c.a.host, c.a.password, sizeof(c.a.password));
	if (c.a.handle.host2 && !c.a.handle.have_password2)
		get_password(c.a.handle.host2, c.a.handle.password2, sizeof(c.a.handle.password2));

	client_connect(&c);
	hello(&c, cmd->reply == CLIENT_REPLY_ECHO);
	switch (cmd->reply) {
	case CLIENT_REPLY_ECHO:
		rc = cmd_echo(&c);
		conn_free(c.conn);
		break;
	case CLIENT_REPLY_LIST:
		run_list(&c, cmd);
		done(&c);
		break;
	case CLIENT_REPLY_LINE:
		run_line(&c, cmd);
		done(&c);
		break;
	}
	if (c.a.tls)
		tls_cleanup();
	client_args_free(&c.a);
	return rc;
}
