// SPDX-License-Identifier: GPL-2.0-or-later
/* vnet.c - the daemon: start-up, the loop, shutdown (its command line: args.c) */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "vnet/addr.h"
#include "vnet/args.h"
#include "vnet/daemon.h"
#include "vnet/log.h"
#include "vnet/netlink.h"
#include "vnet/priv.h"
#include "vnet/tls.h"

#define TICK_MS 250

bool daemon_device_allowed(const struct daemon *d, const char *dev)
{
	for (size_t i = 0; i < d->ndevices; i++)
		if (!strcmp(d->devices[i], dev))
			return true;
	return false;
}

/* The one daemon of this process, for the callbacks of its own handles. */
static struct daemon *vnet_daemon;

/*
 * Out of descriptors (EMFILE, ENFILE), accept() fails and the connection
 * stays in the backlog: the listener would wake the loop again at once, and
 * a client would wait until some idle connection times out. So one
 * descriptor is kept in reserve: when accept() fails for want of one, the
 * spare is given up for the waiting connection, and an idle connection
 * makes room for it (or it is told NOK too many connections); then the spare
 * is taken back. The table is also held FD_HEADROOM below the count at that
 * moment, so that a client that logged in has descriptors for its requests;
 * FD_RELAX_MS without a shortage lift that again.
 */
#define FD_HEADROOM  4
#define FD_RELAX_MS  5000
#define FD_LOG_MS    1000

static int spare_fd = -1;

static struct {
	uint64_t last, logged;      /* the last shortage, the last line about them */
	int err;                    /* errno of the last one */
	unsigned int let_in, refused, paused;   /* since the last line */
} fd_short;

static void spare_open(void)
{
	if (spare_fd < 0)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* One line a second at most, with what happened since the last. */
static void fd_short_log(struct daemon *d, uint64_t now)
{
	if (!(fd_short.let_in + fd_short.refused + fd_short.paused) ||
	    now - fd_short.logged < FD_LOG_MS)
		return;
	log_warn("out of descriptors (%s): since the last such line, %u connection%s let in by "
		 "closing one not logged in, %u refused, accepting paused %u time%s; "
		 "at most %zu connections for now", strerror(fd_short.err), fd_short.let_in,
		 fd_short.let_in == 1 ? "" : "s", fd_short.refused, fd_short.paused,
		 fd_short.paused == 1 ? "" : "s", d->conn_cap);
	fd_short.logged = now;
	fd_short.let_in = fd_short.refused = fd_short.paused = 0;
}

static void fd_short_note(struct daemon *d, int err)
{
	uint64_t now = loop_now_ms();
	size_t cap = d->nsessions > 2 * FD_HEADROOM ? d->nsessions - FD_HEADROOM : FD_HEADROOM;

	fd_short.last = now;
	fd_short.err = err;
	if (cap < d->conn_cap) {
		d->conn_cap = cap;
		session_shrink(d);
	}
	fd_short_log(d, now);
}

/* On each tick: the lines held back, and the table back to its size once descriptors last. */
static void fd_short_tick(struct daemon *d, uint64_t now)
{
	spare_open();
	fd_short_log(d, now);
	if (d->conn_cap < VNET_CONN_MAX && now - fd_short.last >= FD_RELAX_MS) {
		d->conn_cap = VNET_CONN_MAX;
		log_info("accept: no descriptor shortage for %d s: at most %d connections again",
			 FD_RELAX_MS / 1000, VNET_CONN_MAX);
	}
}

static void on_accept(struct loop_io *io, uint32_t events)
{
	struct daemon *d = vnet_daemon;

	for (;;) {
		int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int err = errno, ret;
		bool no_fd = false;

		if (fd < 0 && (err == EMFILE || err == ENFILE) && spare_fd >= 0) {
			close(spare_fd);
			spare_fd = -1;
			fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0)
				no_fd = true;
			else
				err = errno;    /* EAGAIN: nobody was waiting after all */
		}
		if (fd < 0) {
			spare_open();
			if (err == EINTR || err == ECONNABORTED)
				continue;
			if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
				/* Stop accepting until the next tick instead of spinning. */
				loop_mod(&d->loop, io, 0);
				fd_short.paused++;
				fd_short_note(d, err);
			} else if (err != EAGAIN) {
				log_debug("accept: %s", strerror(err));
			}
			return;
		}
		ret = session_accept(d, fd, no_fd);
		if (no_fd) {
			spare_open();
			if (ret == 0)
				fd_short.let_in++;
			else
				fd_short.refused++;
			fd_short_note(d, err);
		}
	}
}

static int listen_on(struct daemon *d, const struct sockaddr *sa, socklen_t len, bool dual)
{
	char where[ADDR_STRLEN + 8];
	int fd, one = 1, zero = 0, ret;

	addr_format_full(sa, where, sizeof(where));
	if (d->nlisten == DAEMON_LISTEN_MAX)
		return 0;
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one, sizeof(int));
	if (bind(fd, sa, len) < 0 || listen(fd, 128) < 0) {
		ret = -errno;
		log_err("cannot listen on %s: %s", where, strerror(errno));
		close(fd);
		return ret;
	}
	ret = loop_add(&d->loop, &d->listen_io[d->nlisten], fd, EPOLLIN, on_accept);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	d->nlisten++;
	log_info("listening on %s", where);
	return 0;
}

static int listen_all(struct daemon *d, const struct args *o)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res, *ai;
	char port[8];
	int ret;

	if (!strcmp(o->host, "_")) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(o->port),
					   .sin6_addr = IN6ADDR_ANY_INIT };
		struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(o->port),
					  .sin_addr.s_addr = htonl(INADDR_ANY) };

		ret = listen_on(d, (struct sockaddr *)&s6, sizeof(s6), true);
		if (ret == -EAFNOSUPPORT)   /* IPv6 disabled: IPv4 alone */
			ret = listen_on(d, (struct sockaddr *)&s4, sizeof(s4), false);
		return ret;
	}
	snprintf(port, sizeof(port), "%u", (unsigned int)o->port);
	ret = getaddrinfo(o->host, port, &hints, &res);
	if (ret) {
		log_err("cannot resolve %s: %s", o->host, gai_strerror(ret));
		return -ENOENT;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		ret = listen_on(d, ai->ai_addr, ai->ai_addrlen, false);
		if (ret < 0)
			break;
	}
	freeaddrinfo(res);
	return ret;
}

static void on_signal(struct loop_io *io, uint32_t events)
{
	struct signalfd_siginfo si;

	while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP ignored");
			continue;
		}
		log_info("%s: stopping", strsignal((int)si.ssi_signo));
		vnet_daemon->loop.stop = true;
	}
}

static void on_tick(struct loop_io *io, uint32_t events)
{
	struct daemon *d = vnet_daemon;
	uint64_t expirations, now = loop_now_ms();

	if (read(io->fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_debug("timerfd: %s", strerror(errno));
	fd_short_tick(d, now);
	for (size_t i = 0; i < d->nlisten; i++)
		loop_mod(&d->loop, &d->listen_io[i], EPOLLIN);
	dial_tick_all(now);
	session_tick(d, now);
	handler_tick(d, now);
}

static void on_link(void *arg, const struct nl_link *l, bool removed)
{
	handler_link_changed(arg, l->index, l->name, removed);
}

static void on_link_event(struct loop_io *io, uint32_t events)
{
	int ret = nl_monitor_read(vnet_daemon->links);

	if (ret < 0) {
		log_warn("link notifications: %s: checking every device", strerror(-ret));
		handler_check_devices(vnet_daemon);
	}
}

static int setup_events(struct daemon *d)
{
	struct itimerspec its = { .it_interval = { 0, TICK_MS * 1000000L },
				  .it_value = { 0, TICK_MS * 1000000L } };
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0 || loop_add(&d->loop, &d->signal_io, fd, EPOLLIN, on_signal) < 0)
		return -errno;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) < 0 ||
	    loop_add(&d->loop, &d->timer_io, fd, EPOLLIN, on_tick) < 0)
		return -errno;
	d->links = nl_monitor_open(on_link, d);
	if (!d->links || loop_add(&d->loop, &d->link_io, nl_monitor_fd(d->links), EPOLLIN,
				  on_link_event) < 0)
		return -errno ? -errno : -ENOMEM;
	return resolve_init(&d->loop);
}

/*
 * Tell systemd (Type=notify) how things stand: the sd_notify protocol, one
 * datagram to $NOTIFY_SOCKET, no library needed. Nothing happens without it.
 */
static void notify_systemd(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';   /* abstract socket */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		log_warn("cannot notify systemd: %s", strerror(errno));
	close(fd);
}

/* Fail early and clearly when the privileges for packet sockets are missing. */
static int check_privileges(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void check_devices(const struct daemon *d)
{
	struct nl_link *links;
	size_t n;
	int ret = nl_links(&links, &n);

	if (ret < 0) {
		log_warn("cannot list devices: %s", strerror(-ret));
		return;
	}
	for (size_t i = 0; i < d->ndevices; i++) {
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = !strcmp(links[j].name, d->devices[i]);
		if (!found)
			log_warn("device %s does not exist (yet): handlers on it will fail until it does",
				 d->devices[i]);
	}
	free(links);
}

/*
 * SCHED_BATCH: a woken vnet waits for the running task to block instead of
 * preempting it. The program whose frame woke vnet finishes its send and
 * sleeps first, then vnet drains what it queued in one pass: a ping through
 * two daemons on one CPU takes four context switches instead of five, and
 * 15-20 % less time (README, Performance).
 * Only a default policy is changed: one chosen with chrt(1) or systemd's
 * CPUSchedulingPolicy= is kept. Threads made later inherit the policy.
 */
static void set_sched_policy(bool keep)
{
	struct sched_param sp = { .sched_priority = 0 };
	int cur = sched_getscheduler(0);

	if (cur < 0)
		log_warn("cannot read the scheduling policy: %s", strerror(errno));
	if (keep || cur != SCHED_OTHER)
		return;
	if (sched_setscheduler(0, SCHED_BATCH, &sp) < 0)
		log_warn("cannot switch to SCHED_BATCH (%s): round trips will be slower; "
			 "--sched normal silences this", strerror(errno));
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct args o;
	struct args_err e;
	int ret;

	list_init(&d.sessions);
	list_init(&d.handlers);
	d.conn_cap = VNET_CONN_MAX;
	vnet_daemon = &d;
	if (!args_parse(argc, argv, getenv("VNET_PASSWORD"), pwfile_read, &o, &e)) {
		fprintf(stderr, "vnet: %s\n%s", e.msg, e.status == 2 ? "Try 'vnet --help'.\n" : "");
		args_free(&o);
		return e.status;
	}
	unsetenv("VNET_PASSWORD");  /* wiped if it was used: out of /proc/PID/environ too */
	if (o.action != ARGS_RUN) {
		if (o.action == ARGS_HELP)
			fputs(args_usage, stdout);
		else
			printf("vnet %s (protocol %s)\n", VNET_VERSION, VNET_PROTO_VERSION);
		args_free(&o);
		return 0;
	}
	memcpy(d.password, o.password, sizeof(d.password));
	explicit_bzero(o.password, sizeof(o.password));
	d.keepalive_ms = o.keepalive_ms;
	d.devices = o.devices;      /* the daemon's from now on */
	d.ndevices = o.ndevices;
	d.taps = o.taps;
	d.ntaps = o.ntaps;
	log_init("vnet", o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	set_sched_policy(o.sched_normal);
	if (o.tls) {
		uint8_t key[TLS_KEY_LEN];
		char err[256] = "";

		if (tls_derive_key(d.password, key) < 0 ||
		    tls_setup(&o.tlso, key, err, sizeof(err)) < 0) {
			explicit_bzero(key, sizeof(key));
			log_err("TLS: %s", err[0] ? err : "cannot derive the key");
			return 1;
		}
		explicit_bzero(key, sizeof(key));
		d.tls = true;
	}
	ret = check_privileges();
	if (ret < 0) {
		log_err("cannot open packet sockets: %s (vnet needs CAP_NET_RAW and "
			"CAP_NET_ADMIN: run it as root)", strerror(-ret));
		return 1;
	}
	ret = loop_init(&d.loop);
	if (ret == 0)
		ret = setup_events(&d);
	if (ret < 0) {
		log_err("cannot set up the event loop: %s", strerror(-ret));
		return 1;
	}
	for (size_t i = 0; i < d.ntaps; i++) {
		char err[256];

		if (port_tap_create(d.taps[i], err, sizeof(err)) < 0) {
			log_err("%s", err);
			port_tap_destroy_all();
			return 1;
		}
	}
	check_devices(&d);
	spare_open();
	if (listen_all(&d, &o) < 0) {
		port_tap_destroy_all();
		return 1;
	}
	if (o.handlers && hfile_load(&d, o.handlers, o.user) < 0) {
		port_tap_destroy_all();
		return 1;
	}
	{
		char err[160];

		if (priv_drop(o.user, err, sizeof(err)) < 0) {
			log_err("cannot drop privileges: %s", err);
			port_tap_destroy_all();
			return 1;
		}
	}
	hfile_start();
	notify_systemd("READY=1\nSTATUS=listening");
	log_info("vnet %s ready, %zu device%s%s", VNET_VERSION, d.ndevices,
		 d.ndevices == 1 ? "" : "s",
		 !d.tls ? "" : o.tlso.cert ? ", TLS 1.3 (password or certificate)"
			       : ", TLS 1.3 (keys from the password)");

	ret = loop_run(&d.loop);
	if (ret < 0)
		log_err("event loop: %s", strerror(-ret));
	notify_systemd("STOPPING=1");
	handler_close_all(&d);
	session_close_all(&d);
	for (size_t i = 0; i < d.nlisten; i++)
		loop_close(&d.loop, &d.listen_io[i]);
	loop_close(&d.loop, &d.timer_io);
	loop_close(&d.loop, &d.signal_io);
	if (spare_fd >= 0)
		close(spare_fd);
	loop_detach(&d.loop, &d.link_io);
	nl_monitor_close(d.links);
	loop_fini(&d.loop);
	port_tap_destroy_all();
	for (size_t i = 0; i < d.ndevices; i++)
		free(d.devices[i]);
	free(d.devices);
	free(d.taps);
	explicit_bzero(d.password, sizeof(d.password));
	if (d.tls)
		tls_cleanup();
	log_info("stopped");
	return ret < 0 ? 1 : 0;
}
