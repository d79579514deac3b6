// SPDX-License-Identifier: GPL-2.0-or-later
/* harness.c - a daemon for unit tests, without root: fake clock, fake port, loopback (harness.h) */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>

#include "vnet/handler.h"
#include "vnet/log.h"
#include "vnet/port.h"
#include "vnet/proto.h"
#include "vnet/session.h"
#include "harness.h"

#define ROUND_MS    5       /* real time a round waits for the sockets, at most */
#define ROUNDS_MAX  2000    /* a wait gives up after this many rounds (10 s) */

/* Far from 0: some modules take a time of 0 for "never". */
uint64_t harness_now = 1000000;
int harness_port_peer = -1;
const char *harness_port_refusal;
unsigned long harness_parses;

uint64_t __wrap_loop_now_ms(void);
bool __real_proto_parse(const char *line, struct proto_req *req, char *err, size_t errlen);
bool __wrap_proto_parse(const char *line, struct proto_req *req, char *err, size_t errlen);
int __wrap_port_open(struct port *p, struct port_taps *taps, const struct port_want *w, char *err,
		     size_t errlen);

uint64_t __wrap_loop_now_ms(void)
{
	return harness_now;
}

bool __wrap_proto_parse(const char *line, struct proto_req *req, char *err, size_t errlen)
{
	harness_parses++;
	return __real_proto_parse(line, req, err, errlen);
}

void harness_daemon_init(struct daemon *d)
{
	memset(d, 0, sizeof(*d));
	log_init("vnet", getenv("VNET_UNIT_LOG") ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	daemon_init(d);
	snprintf(d->cfg.password, sizeof(d->cfg.password), "%s", HARNESS_PASSWORD);
	d->cfg.udp_off = true;      /* the TCP path; a test of the datagram offer turns it on */
	d->cfg.devices = calloc(1, sizeof(*d->cfg.devices));
	assert_non_null(d->cfg.devices);
	d->cfg.devices[0] = strdup(HARNESS_DEV);
	assert_non_null(d->cfg.devices[0]);
	d->cfg.ndevices = 1;
	assert_int_equal(loop_init(&d->loop), 0);
	assert_int_equal(resolve_init(&d->resolver, &d->loop), 0);
	harness_port_refusal = NULL;
	harness_port_peer = -1;
}

void harness_daemon_fini(struct daemon *d)
{
	handler_close_all(d);
	session_close_all(d);
	loop_close(&d->loop, &d->resolver.io);
	close(d->resolver.pipe[1]);
	loop_fini(&d->loop);    /* runs the deferred frees */
	for (size_t i = 0; i < d->cfg.ndevices; i++)
		free(d->cfg.devices[i]);
	free(d->cfg.devices);
	if (harness_port_peer >= 0)
		close(harness_port_peer);
	harness_port_peer = -1;
}

void harness_pump(struct daemon *d)
{
	int quiet = 0;

	for (int i = 0; i < ROUNDS_MAX && quiet < 3; i++) {
		int n = loop_run_once(&d->loop, d->loop.kicks ? 0 : 1);

		assert_true(n >= 0);
		quiet = n == 0 && !d->loop.kicks ? quiet + 1 : 0;
	}
	assert_int_equal(quiet, 3);     /* the loop settles: nothing spins */
}

void harness_advance(struct daemon *d, uint64_t ms)
{
	harness_now += ms;
	harness_pump(d);
}

int harness_listen(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

int harness_accept(struct daemon *d, int lfd)
{
	for (int i = 0; i < ROUNDS_MAX; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0 || errno != EAGAIN)
			return fd;
		loop_run_once(&d->loop, ROUND_MS);
	}
	return -1;
}

void harness_tcp_pair(int *ours, int *theirs)
{
	uint16_t port;
	int lfd = harness_listen(&port);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	*ours = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*ours >= 0);
	assert_int_equal(connect(*ours, (struct sockaddr *)&sin, sizeof(sin)), 0);
	*theirs = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_true(*theirs >= 0);
	close(lfd);
	assert_int_equal(fcntl(*ours, F_SETFL, O_NONBLOCK), 0);
}

int harness_session(struct daemon *d)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int ours, theirs;

	harness_tcp_pair(&ours, &theirs);
	assert_int_equal(getpeername(theirs, (struct sockaddr *)&peer, &len), 0);
	assert_int_equal(session_accept(d, theirs, (struct sockaddr *)&peer, false), 0);
	harness_pump(d);
	return ours;
}

void harness_send_bytes(int fd, const void *p, size_t len)
{
	const char *s = p;

	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		assert_true(n > 0);     /* small writes: the socket takes them, no pumping here */
		s += n;
		len -= (size_t)n;
	}
}

void harness_send(int fd, const char *s)
{
	harness_send_bytes(fd, s, strlen(s));
}

bool harness_read(struct daemon *d, int fd, void *out, size_t len)
{
	uint8_t *p = out;
	size_t got = 0;

	for (int i = 0; i < ROUNDS_MAX && got < len; i++) {
		ssize_t n = recv(fd, p + got, len - got, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN))
			return false;
		if (n > 0) {
			got += (size_t)n;
			i = 0;
			continue;
		}
		loop_run_once(&d->loop, ROUND_MS);
	}
	return got == len;
}

bool harness_line(struct daemon *d, int fd, char *out, size_t cap)
{
	for (size_t len = 0; len + 1 < cap; len++) {
		if (!harness_read(d, fd, &out[len], 1))
			return false;
		if (out[len] == '\n') {
			out[len] = '\0';
			return true;
		}
	}
	return false;
}

bool harness_quiet(struct daemon *d, int fd)
{
	char c;

	harness_pump(d);
	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

bool harness_closed(struct daemon *d, int fd)
{
	char buf[4096];

	for (int i = 0; i < ROUNDS_MAX; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0 && errno != EAGAIN)
			return false;
		if (n < 0)
			loop_run_once(&d->loop, ROUND_MS);
	}
	return false;
}

/* ---- the fake port: one datagram a frame, its virtio_net_hdr first */

static int fake_start(struct port *p)
{
	return 0;
}

static ssize_t fake_recv(struct port *p, struct virtio_net_hdr *vh, uint8_t *frame, size_t cap)
{
	struct iovec iov[2] = { { vh, sizeof(*vh) }, { frame, cap } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT);

	if (n == 0)
		return -ENODEV;     /* the test closed its end: the device is gone */
	return port_received(&p->stats, n, n >= 0 && (mh.msg_flags & MSG_TRUNC), cap);
}

static int fake_send(struct port *p, const struct virtio_net_hdr *vh, const uint8_t *frame,
		     size_t len)
{
	struct iovec iov[2] = { { (void *)vh, sizeof(*vh) }, { (void *)frame, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	return port_sent(p, sendmsg(p->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL), len);
}

static void fake_close(struct port *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static const struct port_ops fake_ops = {
	.start = fake_start,
	.recv = fake_recv,
	.send = fake_send,
	.close = fake_close,
};

int harness_port_open(struct port *p, int *peer)
{
	int sv[2];

	memset(p, 0, sizeof(*p));
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	p->ops = &fake_ops;
	p->fd = sv[0];
	p->ifindex = (int)if_nametoindex(HARNESS_DEV);
	snprintf(p->name, sizeof(p->name), "%s", HARNESS_DEV);
	*peer = sv[1];
	return 0;
}

int __wrap_port_open(struct port *p, struct port_taps *taps, const struct port_want *w, char *err,
		     size_t errlen)
{
	if (harness_port_refusal) {
		snprintf(err, errlen, "%s", harness_port_refusal);
		harness_port_refusal = NULL;
		return -ENODEV;
	}
	if (harness_port_peer >= 0)
		close(harness_port_peer);
	return harness_port_open(p, &harness_port_peer);
}

long long harness_stat(struct daemon *d, size_t i, const char *key)
{
	char line[VNET_LINE_MAX], pat[64];
	const char *at;

	size_t n = 0;
	struct handler **hs = handler_hold_all(d, &n);
	int ret = i < n ? handler_stats(hs[i], NULL, 0, line, sizeof(line)) : -1;

	handler_put_all(hs, n);
	if (ret < 0)
		return -1;
	snprintf(pat, sizeof(pat), " %s=", key);
	at = strstr(line, pat);
	return at ? strtoll(at + strlen(pat), NULL, 10) : -1;
}
