// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daemon.c - the daemon: start-up, listeners, signals, link events
 *
 * The one owner of struct daemon: it opens the loop and what the loop
 * watches for the daemon as a whole (listening sockets, signals, link
 * notifications, the periodic tick), creates the TAP devices, starts the
 * resolver; the tables that sessions, handlers, dials and the handlers file
 * enter and leave are daemon_tables.c's, below all of them. Accepting a
 * connection is here too, with its answer to a shortage of descriptors.
 */
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
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vnet/addr.h"
#include "vnet/aqm.h"
#include "vnet/daemon.h"
#include "vnet/dgpath.h"
#include "vnet/dial.h"
#include "vnet/handler.h"
#include "vnet/hfile.h"
#include "vnet/limits.h"
#include "vnet/log.h"
#include "vnet/metrics.h"
#include "vnet/netlink.h"
#include "vnet/priv.h"
#include "vnet/reload.h"
#include "vnet/session.h"
#include "vnet/tls.h"

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
#define FD_RECHECK_MS 250   /* while short: accept again, take the spare back */

static void shortage_arm(struct daemon *d)
{
	if (!loop_timer_pending(&d->shortage))
		loop_timer_set(&d->loop, &d->shortage, loop_now_ms() + FD_RECHECK_MS);
}

static void spare_open(struct daemon *d)
{
	if (d->spare_fd < 0)
		d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (d->spare_fd < 0)
		shortage_arm(d);
}

/* One line a second at most, with what happened since the last. */
static void fd_short_log(struct daemon *d, uint64_t now)
{
	unsigned int let_in = d->fd_short.let_in, refused = d->fd_short.refused,
		     paused = d->fd_short.paused;

	if (!(let_in + refused + paused) || now - d->fd_short.logged < FD_LOG_MS)
		return;
	log_warn("out of descriptors (%s): since the last such line, %u connection%s let in by "
		 "closing one not logged in, %u refused, accepting paused %u time%s; "
		 "at most %zu connections for now", strerror(d->fd_short.err), let_in,
		 let_in == 1 ? "" : "s", refused, paused, paused == 1 ? "" : "s", d->conn_cap);
	d->fd_short.logged = now;
	d->fd_short.let_in = d->fd_short.refused = d->fd_short.paused = 0;
}

static void fd_short_note(struct daemon *d, int err)
{
	uint64_t now = loop_now_ms();
	size_t cap = d->nsessions > 2 * FD_HEADROOM ? d->nsessions - FD_HEADROOM : FD_HEADROOM;

	d->fd_short.last = now;
	d->fd_short.err = err;
	if (cap < d->conn_cap) {
		d->conn_cap = cap;
		session_shrink(d);
	}
	fd_short_log(d, now);
	shortage_arm(d);
}

/*
 * While descriptors run short, every FD_RECHECK_MS (and never otherwise):
 * accept again, take the spare back, write the lines held back, and give
 * the table its size back once FD_RELAX_MS pass without a shortage.
 */
static void on_shortage(struct loop_timer *t)
{
	struct daemon *d = container_of(t, struct daemon, shortage);
	uint64_t now = loop_now_ms();

	for (size_t i = 0; i < d->nlisten; i++)
		loop_mod(&d->loop, &d->listeners[i].io, EPOLLIN);
	spare_open(d);
	fd_short_log(d, now);
	if (d->conn_cap < VNET_CONN_MAX && now - d->fd_short.last >= FD_RELAX_MS) {
		d->conn_cap = VNET_CONN_MAX;
		log_info("accept: no descriptor shortage for %d s: at most %d connections again",
			 FD_RELAX_MS / 1000, VNET_CONN_MAX);
	}
	if (d->conn_cap < VNET_CONN_MAX || d->fd_short.let_in + d->fd_short.refused +
	    d->fd_short.paused)
		shortage_arm(d);
}

/*
 * No room for a new connection (session_accept said so): NOK too many
 * connections, and one log line a second at most: a flood must not flood
 * the log too.
 */
static void accept_refuse(struct daemon *d, int fd)
{
	static const char msg[] = "NOK too many connections\n";
	uint64_t now = loop_now_ms();
	char addr[ADDR_STRLEN];
	uint16_t port;

	d->counts.refused++;
	if (now - d->refused.last >= 1000) {
		addr_sock(fd, 1, addr, &port);
		log_warn("%s: too many connections: refused (%u more refused before)", addr,
			 d->refused.unlogged);
		d->refused.last = now;
		d->refused.unlogged = 0;
	} else {
		d->refused.unlogged++;
	}
	if (send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("send: %s", strerror(errno));
	close(fd);
}

/*
 * At most this many connections a wake-up: under a flood of connections the
 * loop still reads the sessions already accepted (a client's HELLO) between
 * batches; epoll, level-triggered, comes back for the rest.
 */
#define ACCEPT_BATCH 32

static void on_accept(struct loop_io *io, uint32_t events)
{
	struct daemon *d = container_of(io, struct daemon_listener, io)->d;

	for (int batch = 0; batch < ACCEPT_BATCH; batch++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(io->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int err = errno, ret;
		bool no_fd = false;

		if (fd < 0 && (err == EMFILE || err == ENFILE) && d->spare_fd >= 0) {
			close(d->spare_fd);
			d->spare_fd = -1;
			len = sizeof(peer);
			fd = accept4(io->fd, (struct sockaddr *)&peer, &len,
				     SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0)
				no_fd = true;
			else
				err = errno;    /* EAGAIN: nobody was waiting after all */
		}
		if (fd < 0) {
			spare_open(d);
			if (err == EINTR || err == ECONNABORTED)
				continue;
			if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
				/* Stop accepting for a moment (on_shortage) instead of spinning. */
				loop_mod(&d->loop, io, 0);
				d->fd_short.paused++;
				fd_short_note(d, err);
			} else if (err != EAGAIN) {
				log_debug("accept: %s", strerror(err));
			}
			return;
		}
		ret = session_accept(d, fd, (struct sockaddr *)&peer, no_fd);
		if (ret == -EBUSY)
			accept_refuse(d, fd);
		if (no_fd) {
			spare_open(d);
			if (ret == 0)
				d->fd_short.let_in++;
			else
				d->fd_short.refused++;
			fd_short_note(d, err);
		}
	}
}

static void on_datagram(struct loop_io *io, uint32_t events)
{
	(void)events;
	handler_datagrams(container_of(io, struct daemon_listener, io)->d, io->fd);
}

/* The UDP socket beside a TCP listener on sa (whose port is replaced by --udp-port's). */
static int listen_udp(struct daemon *d, const struct sockaddr *sa, socklen_t len, bool dual)
{
	struct sockaddr_storage ss;
	char where[ADDR_STRLEN + 8];
	int fd, ret;

	if (d->cfg.udp_off || d->nudp == DAEMON_LISTEN_MAX || len > sizeof(ss))
		return 0;
	memcpy(&ss, sa, len);
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(d->udp_port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(d->udp_port);
	addr_format_full((struct sockaddr *)&ss, where, sizeof(where));
	fd = dgpath_socket((struct sockaddr *)&ss, len, dual);
	if (fd < 0) {
		log_err("cannot receive datagrams on UDP %s: %s (--udp off carries every frame "
			"over TCP)", where, strerror(-fd));
		return fd;
	}
	d->udp[d->nudp].d = d;
	ret = loop_add(&d->loop, &d->udp[d->nudp].io, fd, EPOLLIN, on_datagram);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	d->nudp++;
	if (ss.ss_family == AF_INET && d->udp_fd4 < 0)
		d->udp_fd4 = fd;
	if (ss.ss_family == AF_INET6 && d->udp_fd6 < 0)
		d->udp_fd6 = fd;
	log_info("datagrams on UDP %s", where);
	return 0;
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
	if (bind(fd, sa, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		ret = -errno;
		log_err("cannot listen on %s: %s", where, strerror(errno));
		close(fd);
		return ret;
	}
	d->listeners[d->nlisten].d = d;
	ret = loop_add(&d->loop, &d->listeners[d->nlisten].io, fd, EPOLLIN, on_accept);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	d->nlisten++;
	log_info("listening on %s", where);
	return listen_udp(d, sa, len, dual);
}

static int listen_all(struct daemon *d)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res, *ai;
	char port[8];
	int ret;

	if (!strcmp(d->cfg.host, "_")) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(d->cfg.port),
					   .sin6_addr = IN6ADDR_ANY_INIT };
		struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(d->cfg.port),
					  .sin_addr.s_addr = htonl(INADDR_ANY) };

		ret = listen_on(d, (struct sockaddr *)&s6, sizeof(s6), true);
		if (ret == -EAFNOSUPPORT)   /* IPv6 disabled: IPv4 alone */
			ret = listen_on(d, (struct sockaddr *)&s4, sizeof(s4), false);
		return ret;
	}
	snprintf(port, sizeof(port), "%u", (unsigned int)d->cfg.port);
	ret = getaddrinfo(d->cfg.host, port, &hints, &res);
	if (ret) {
		log_err("cannot resolve %s: %s", d->cfg.host, gai_strerror(ret));
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

static void notify_systemd(const char *state);

/*
 * SIGHUP: read the files again (reload.c). systemd hears RELOADING=1 before
 * and READY=1 after, with the outcome as STATUS=, numbered so that a
 * reload's result is told from the one before (ExecReload in the packaged
 * unit waits for it and fails when the reload did).
 */
static void daemon_reload(struct daemon *d)
{
	char msg[400], state[512];
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	notify_systemd(state);
	d->reloads++;
	log_info("SIGHUP: reload %u: reading the files again", d->reloads);
	ret = reload_run(d, msg, sizeof(msg));
	msg[strcspn(msg, "\n")] = '\0';
	if (ret < 0)
		log_err("reload %u failed, nothing changed: %s", d->reloads, msg);
	else
		log_info("reload %u done: %s", d->reloads, msg);
	snprintf(state, sizeof(state), "READY=1\nSTATUS=reload %u %s: %s", d->reloads,
		 ret < 0 ? "failed, nothing changed" : "done", msg);
	notify_systemd(state);
}

static void on_signal(struct loop_io *io, uint32_t events)
{
	struct signalfd_siginfo si;

	while (read(io->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			daemon_reload(container_of(io, struct daemon, signal_io));
			continue;
		}
		log_info("%s: stopping", strsignal((int)si.ssi_signo));
		container_of(io, struct daemon, signal_io)->loop.stop = true;
	}
}

static void on_link(void *arg, const struct nl_link *l, bool removed)
{
	handler_link_changed(arg, l->index, l->name, removed);
}

static void on_link_event(struct loop_io *io, uint32_t events)
{
	struct daemon *d = container_of(io, struct daemon, link_io);
	int ret = nl_monitor_read(d->links);

	if (ret < 0) {
		log_warn("link notifications: %s: checking every device", strerror(-ret));
		handler_check_devices(d);
	}
}

static int setup_events(struct daemon *d)
{
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
	d->links = nl_monitor_open(on_link, d);
	if (!d->links || loop_add(&d->loop, &d->link_io, nl_monitor_fd(d->links), EPOLLIN,
				  on_link_event) < 0)
		return -errno ? -errno : -ENOMEM;
	return resolve_init(&d->resolver, &d->loop);
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
	for (size_t i = 0; i < d->cfg.ndevices; i++) {
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = !strcmp(links[j].name, d->cfg.devices[i]);
		if (!found)
			log_warn("device %s does not exist (yet): handlers on it will fail until it does",
				 d->cfg.devices[i]);
	}
	free(links);
}

/*
 * SCHED_BATCH: a woken vnet waits for the running task to block instead of
 * preempting it. The program whose frame woke vnet finishes its send and
 * sleeps first, then vnet drains what it queued in one pass: a ping through
 * two daemons on one CPU takes four context switches instead of five, and
 * 15-20 % less time (tests/bench/README, "Throughput and round trips").
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

/*
 * Each handler holds two or three descriptors and each connection one: take every
 * descriptor the hard limit allows (the soft limit is often 1024), and say
 * so when even that is below what the limits may need.
 */
static void raise_fd_limit(void)
{
	unsigned long need = limits_fds_needed();
	struct rlimit rl;
	rlim_t soft;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("cannot read the descriptor limit: %s", strerror(errno));
		return;
	}
	soft = rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			log_warn("cannot raise the descriptor limit to %llu: %s",
				 (unsigned long long)rl.rlim_max, strerror(errno));
			rl.rlim_cur = soft;
		} else {
			log_debug("descriptors: soft limit raised from %llu to %llu",
				  (unsigned long long)soft, (unsigned long long)rl.rlim_cur);
		}
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warn("descriptors: the limit is %llu, the daemon's limits (%d handlers, %d "
			 "connections) may need %lu: beyond it, handlers and connections are "
			 "refused (raise the hard limit: LimitNOFILE=, ulimit -Hn)",
			 (unsigned long long)rl.rlim_cur, VNET_HANDLERS_MAX, VNET_CONN_MAX, need);
}

/*
 * This run's instance id, never 0: the peer of a HANDLE that answers HELLO
 * with it is this daemon. Only unique, not secret: the time and the process
 * id stand in if the kernel has no randomness to give yet.
 */
static uint64_t daemon_instance_id(void)
{
	uint64_t id = 0;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		id = ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^
		     (uint64_t)getpid() << 40;
	}
	return id ? id : 1;
}

void daemon_init(struct daemon *d)
{
	daemon_tables_init(d);
	d->cfg.keepalive_ms = VNET_KEEPALIVE_MS;
	d->cfg.queue_delay_ms = AQM_TARGET_MS_DEFAULT;
	d->cfg.udp_mtu = VNET_UDP_MTU;
	d->conn_cap = VNET_CONN_MAX;
	d->spare_fd = -1;
	d->udp_fd4 = d->udp_fd6 = -1;
	d->loop.epfd = -1;
	loop_timer_init(&d->shortage, on_shortage);
	d->instance = daemon_instance_id();
}

static int daemon_start_tls(struct daemon *d)
{
	uint8_t key[TLS_KEY_LEN];
	char err[256] = "";

	if (tls_derive_key(d->cfg.password, key) < 0 ||
	    tls_setup(&d->cfg.tlso, key, err, sizeof(err)) < 0) {
		explicit_bzero(key, sizeof(key));
		log_err("TLS: %s", err[0] ? err : "cannot derive the key");
		return -EINVAL;
	}
	explicit_bzero(key, sizeof(key));
	d->cfg.tls = true;
	return 0;
}

/* From the TAP devices to the dropped privileges: on failure, the TAPs go again. */
static int daemon_start_serving(struct daemon *d)
{
	char err[256];
	int ret;

	for (size_t i = 0; i < d->cfg.ntaps; i++) {
		ret = port_tap_create(&d->tapdevs, d->cfg.taps[i], err, sizeof(err));
		if (ret < 0) {
			log_err("%s", err);
			return ret;
		}
	}
	check_devices(d);
	/* Programs and maps need CAP_BPF: made now, used once privileges are dropped. */
	d->captures.guard = &d->guard;
	capture_setup(&d->captures, &d->loop, d->cfg.devices, d->cfg.ndevices, &d->tapdevs);
	spare_open(d);
	d->udp_port = d->cfg.udp_port ? d->cfg.udp_port : d->cfg.port;
	if (d->cfg.udp_off)
		log_info("datagrams off (--udp off): every handler's frames go over its TCP link");
	ret = listen_all(d);
	if (ret < 0)
		return ret;
	if (d->cfg.handlers && (ret = hfile_load(d, d->cfg.handlers, d->cfg.user)) < 0)
		return ret;
	ret = metrics_start(d);     /* a port below 1024 needs the privileges still */
	if (ret < 0)
		return ret;
	ret = priv_drop(d->cfg.user, err, sizeof(err));
	if (ret < 0) {
		log_err("cannot drop privileges: %s", err);
		return ret;
	}
	/* Before any port opens: can the maps still change without CAP_BPF? */
	capture_probe(&d->captures);
	d->tapdevs.shared = &d->captures;
	return 0;
}

int daemon_start(struct daemon *d)
{
	int ret;

	set_sched_policy(d->cfg.sched_normal);
	raise_fd_limit();
	d->device_macs = calloc(d->cfg.ndevices ? d->cfg.ndevices : 1, sizeof(*d->device_macs));
	if (!d->device_macs) {
		log_err("out of memory");
		return -ENOMEM;
	}
	if (d->cfg.tls && (ret = daemon_start_tls(d)) < 0)
		return ret;
	ret = check_privileges();
	if (ret < 0) {
		log_err("cannot open packet sockets: %s (vnet needs CAP_NET_RAW and "
			"CAP_NET_ADMIN: run it as root)", strerror(-ret));
		return ret;
	}
	ret = loop_init(&d->loop);
	if (ret == 0)
		ret = setup_events(d);
	if (ret < 0) {
		log_err("cannot set up the event loop: %s", strerror(-ret));
		return ret;
	}
	ret = daemon_start_serving(d);
	if (ret < 0) {
		metrics_stop(d);
		capture_fini(&d->captures);
		port_tap_destroy_all(&d->tapdevs);
		return ret;
	}
	hfile_start(d);
	notify_systemd("READY=1\nSTATUS=listening");
	log_info("vnet %s ready, %zu device%s%s", VNET_VERSION, d->cfg.ndevices,
		 d->cfg.ndevices == 1 ? "" : "s",
		 !d->cfg.tls ? "" : d->cfg.tlso.cert ? ", TLS 1.3 (password or certificate)"
			       : ", TLS 1.3 (keys from the password)");
	return 0;
}

int daemon_run(struct daemon *d)
{
	int ret = loop_run(&d->loop);

	if (ret < 0)
		log_err("event loop: %s", strerror(-ret));
	notify_systemd("STOPPING=1");
	hfile_stop(d);
	handler_close_all(d);
	session_close_all(d);
	metrics_stop(d);
	capture_fini(&d->captures);
	for (size_t i = 0; i < d->nlisten; i++)
		loop_close(&d->loop, &d->listeners[i].io);
	for (size_t i = 0; i < d->nudp; i++)
		loop_close(&d->loop, &d->udp[i].io);
	loop_timer_cancel(&d->loop, &d->shortage);
	loop_close(&d->loop, &d->signal_io);
	if (d->spare_fd >= 0)
		close(d->spare_fd);
	loop_detach(&d->loop, &d->link_io);
	nl_monitor_close(d->links);
	loop_fini(&d->loop);
	port_tap_destroy_all(&d->tapdevs);
	free(d->device_macs);
	args_free(&d->cfg);
	if (d->cfg.tls)
		tls_cleanup();
	log_info("stopped");
	return ret;
}
