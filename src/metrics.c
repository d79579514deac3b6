// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics.c - vnet --metrics: the counters for Prometheus, over HTTP
 *
 * The tables below are what a scrape says: one row a metric (a counter
 * with several reasons is several rows of one name), read from a copy of
 * the counters taken as the scrape begins (struct scrape). A new counter
 * is a field in that copy and a row here. metrics_fmt.c writes the text.
 *
 * The HTTP side is libmicrohttpd's, in "external select" mode on epoll:
 * everything, the handler of a request and the reader of a body included,
 * runs in MHD_run, called by the daemon's loop, so nothing touches the
 * daemon's state from another thread. Its limits: METRICS_CONN_MAX
 * connections, METRICS_PER_IP of one address, METRICS_TIMEOUT_S of
 * silence, a request of at most METRICS_MEM bytes (a longer URL is refused
 * by the library), METRICS_SCRAPES_MAX bodies being sent at once. The
 * library's timeout is one of silence, which a byte a second resets: so
 * each connection is also timed here (struct metrics_conn), and shut down
 * when its request's head takes longer than METRICS_HEAD_S or an exchange
 * longer than METRICS_EXCHANGE_S (a slowloris, a reader that reads slowly).
 */
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "vnet/addr.h"
#include "vnet/daemon.h"
#include "vnet/handler.h"
#include "vnet/log.h"
#include "vnet/metrics.h"
#include "vnet/metrics_fmt.h"

#define METRICS_CONN_MAX    16
#define METRICS_PER_IP      8
#define METRICS_TIMEOUT_S   10
#define METRICS_MEM         (32 * 1024)
#define METRICS_SCRAPES_MAX 4
#define METRICS_CHUNK       (32 * 1024)
#define METRICS_HEAD_S      10
#define METRICS_EXCHANGE_S  60
#define METRICS_COPY_BATCH  64      /* handlers' counters copied a round of the loop */

/* A connection: when its current exchange began, and whether its head was read. */
struct metrics_conn {
	struct list node;
	int fd;
	uint64_t since;
	bool head_read;
};

struct metrics {
	struct daemon *d;
	struct MHD_Daemon *mhd;
	struct loop_io io;
	struct loop_timer timer;
	struct loop_timer sweep;    /* every second while there are connections */
	struct loop_timer copy;     /* each round while scrapes are being copied */
	struct list copying;        /* struct scrape, in order of arrival */
	struct list conns;          /* struct metrics_conn */
	unsigned int scrapes;       /* bodies being sent */
};

static void metrics_rearm(struct metrics *m);

/* The daemon's counters, as a scrape copies them. */
struct daemon_counts_copy {
	uint64_t handlers, sessions, preauth, logins_failed, evicted, refused, scrapes;
	uint64_t dgram_unknown;
};

/* A -d device's counters, as the kernel keeps them. */
struct device_copy {
	char name[IFNAMSIZ];
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes, rx_dropped, tx_dropped;
};

#define D(f) offsetof(struct daemon_counts_copy, f)
static const struct metrics_row daemon_rows[] = {
	{ "vnet_handlers", "gauge", "Handlers, in every state.", NULL, NULL, D(handlers), 0 },
	{ "vnet_sessions", "gauge", "Control connections open.", NULL, NULL, D(sessions), 0 },
	{ "vnet_sessions_unauthenticated", "gauge", "Control connections not logged in yet.",
	  NULL, NULL, D(preauth), 0 },
	{ "vnet_logins_failed_total", "counter", "Logins refused: wrong password or TLS "
	  "handshake failed.", NULL, NULL, D(logins_failed), 0 },
	{ "vnet_connections_evicted_total", "counter", "Connections not logged in, closed to "
	  "make room for new ones.", NULL, NULL, D(evicted), 0 },
	{ "vnet_connections_refused_total", "counter", "Connections refused at accept: too "
	  "many connections.", NULL, NULL, D(refused), 0 },
	{ "vnet_metrics_scrapes_total", "counter", "Scrapes of this endpoint begun.", NULL, NULL,
	  D(scrapes), 0 },
	{ "vnet_udp_unknown_datagrams_total", "counter", "Datagrams on the daemon's UDP port that "
	  "name no handler of this daemon (or are not well formed).", NULL, NULL,
	  D(dgram_unknown), 0 },
};
#undef D

#define V(f) offsetof(struct device_copy, f)
static const struct metrics_row device_rows[] = {
	{ "vnet_device_received_frames_total", "counter", "Frames the device received "
	  "(the kernel's count).", NULL, NULL, V(rx_frames), 0 },
	{ "vnet_device_received_bytes_total", "counter", "Bytes the device received.", NULL, NULL,
	  V(rx_bytes), 0 },
	{ "vnet_device_transmitted_frames_total", "counter", "Frames the device transmitted.",
	  NULL, NULL, V(tx_frames), 0 },
	{ "vnet_device_transmitted_bytes_total", "counter", "Bytes the device transmitted.", NULL,
	  NULL, V(tx_bytes), 0 },
	{ "vnet_device_dropped_frames_total", "counter", "Frames the device dropped, by "
	  "direction.", "reason", "receive", V(rx_dropped), 0 },
	{ "vnet_device_dropped_frames_total", "counter", "", "reason", "transmit", V(tx_dropped), 0 },
};
#undef V

/* As in STATS?: out is from the device to the peer, in from the peer into the device. */
#define H(f) offsetof(struct handler_counters, f)
#define HDROP(reason, f) { "vnet_handler_dropped_frames_total", "counter", \
	"Frames a handler dropped, by reason (the drop_ fields of STATS?).", "reason", reason, \
	H(f), 0 }
static const struct metrics_row handler_rows[] = {
	{ "vnet_handler_up", "gauge", "1 while the handler's link carries frames.", NULL, NULL,
	  H(up), 0 },
	{ "vnet_handler_uptime_seconds", "gauge", "Seconds since the handler's link came up.",
	  NULL, NULL, H(uptime_s), 0 },
	{ "vnet_handler_reconnects_total", "counter", "Times the handler's link was dialed again.",
	  NULL, NULL, H(reconnects), 0 },
	{ "vnet_handler_sent_frames_total", "counter", "Frames captured on the device and sent "
	  "to the peer.", NULL, NULL, H(out_frames), 0 },
	{ "vnet_handler_sent_bytes_total", "counter", "Bytes of those frames.", NULL, NULL,
	  H(out_bytes), 0 },
	{ "vnet_handler_received_frames_total", "counter", "Frames from the peer injected into "
	  "the device.", NULL, NULL, H(in_frames), 0 },
	{ "vnet_handler_received_bytes_total", "counter", "Bytes of those frames.", NULL, NULL,
	  H(in_bytes), 0 },
	HDROP("filter", drop_filter),
	HDROP("queue", drop_queue),
	HDROP("inject", drop_inject),
	HDROP("oversize", drop_oversize),
	HDROP("unlisted", drop_unlisted),
	HDROP("offload", drop_offload),
	HDROP("aqm", drop_aqm),
	HDROP("device", drop_device),
	HDROP("loop", drop_loop),
	HDROP("capture", drop_capture),
	HDROP("auth", drop_auth),
	HDROP("replay", drop_replay),
	HDROP("udp", drop_udp),
	HDROP("rogue", drop_rogue),
	HDROP("flood", drop_flood),
	{ "vnet_handler_aqm_marked_frames_total", "counter", "Frames ECN-marked by the queue-delay "
	  "control (mark_aqm).", NULL, NULL, H(mark_aqm), 0 },
	{ "vnet_handler_rtt_seconds", "gauge", "The link's smoothed round-trip time (TCP_INFO).",
	  NULL, NULL, H(rtt_us), 1e-6 },
	{ "vnet_handler_udp", "gauge", "1 while the handler's frames go as UDP datagrams, 0 while "
	  "they go over its TCP link.", NULL, NULL, H(udp), 0 },
	{ "vnet_handler_udp_sent_datagrams_total", "counter", "Datagrams sent that carried a frame "
	  "(udp_out).", NULL, NULL, H(udp_out), 0 },
	{ "vnet_handler_udp_sent_bytes_total", "counter", "Bytes of the frames they carried.", NULL,
	  NULL, H(udp_out_bytes), 0 },
	{ "vnet_handler_udp_received_datagrams_total", "counter", "Authentic datagrams received that "
	  "carried a frame (udp_in).", NULL, NULL, H(udp_in), 0 },
	{ "vnet_handler_udp_received_bytes_total", "counter", "Bytes of the frames they carried.",
	  NULL, NULL, H(udp_in_bytes), 0 },
	{ "vnet_handler_udp_too_big_frames_total", "counter", "Frames too large for a datagram, "
	  "sent over the TCP link (udp_big).", NULL, NULL, H(udp_big), 0 },
};
#undef HDROP
#undef H

static size_t device_labels(const void *obj, struct metrics_label *l)
{
	l[0] = (struct metrics_label){ "device", ((const struct device_copy *)obj)->name };
	return 1;
}

struct handler_copy {
	struct handler_counters c;
	char id[24];
};

static size_t handler_labels(const void *obj, struct metrics_label *l)
{
	const struct handler_copy *h = obj;

	l[0] = (struct metrics_label){ "id", h->id };
	l[1] = (struct metrics_label){ "peer", h->c.peer };
	l[2] = (struct metrics_label){ "device", h->c.dev };
	return 3;
}

/*
 * One scrape: the counters copied when it began, and where its body stands.
 * The handlers' counters are copied METRICS_COPY_BATCH at a time, one batch
 * a round of the loop (the request waits, suspended), so that a scrape of
 * thousands of handlers does not hold up their frames.
 */
struct scrape {
	struct list node;           /* in the metrics' copying list, while copying */
	struct metrics *m;
	struct MHD_Connection *conn;
	bool ready, handed;         /* copied; handed over to a response (which frees it) */
	struct handler **held;      /* the handlers being copied, held */
	size_t nheld, ncopied;
	struct nl_link *links;      /* the devices at the start, for the handlers' copies */
	size_t nlinks;
	uint64_t t0, copy_us;       /* when it began; the time its copying took in all */
	struct daemon_counts_copy daemon;
	struct device_copy *devs;
	struct handler_copy *hs;
	struct metrics_table tables[3];
	struct metrics_walk walk;
	char chunk[METRICS_CHUNK];
	size_t pos, len;            /* chunk[pos..len): written, not sent yet */
};

/* Let go of what copying holds (the handlers, the device list). */
static void scrape_release(struct scrape *s)
{
	if (!s->ready)
		list_del(&s->node);
	s->ready = true;
	handler_put_all(s->held, s->nheld);
	s->held = NULL;
	s->nheld = 0;
	free(s->links);
	s->links = NULL;
}

static void scrape_free(void *cls)
{
	struct scrape *s = cls;

	scrape_release(s);
	s->m->scrapes--;
	free(s->devs);
	free(s->hs);
	free(s);
}

static void copy_devices(struct daemon *d, struct scrape *s)
{
	size_t n = 0;

	for (size_t i = 0; i < d->cfg.ndevices; i++)
		for (size_t j = 0; j < s->nlinks; j++) {
			const struct nl_link *l = &s->links[j];

			if (strcmp(l->name, d->cfg.devices[i]))
				continue;
			s->devs[n] = (struct device_copy){ .rx_frames = l->rx_packets,
				.rx_bytes = l->rx_bytes, .tx_frames = l->tx_packets,
				.tx_bytes = l->tx_bytes, .rx_dropped = l->rx_dropped,
				.tx_dropped = l->tx_dropped };
			snprintf(s->devs[n++].name, sizeof(s->devs[0].name), "%s", l->name);
			break;
		}
	s->tables[1] = (struct metrics_table){ device_rows, sizeof(device_rows) /
		sizeof(device_rows[0]), s->devs, n, sizeof(*s->devs), device_labels };
}

/* Microseconds on the monotonic clock: what copying the counters took, for the log. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* A new scrape: the daemon's and the devices' counters copied, the handlers held. */
static struct scrape *scrape_new(struct metrics *m, struct MHD_Connection *conn)
{
	struct daemon *d = m->d;
	struct scrape *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return NULL;
	s->m = m;
	s->conn = conn;
	s->t0 = now_us();
	d->counts.scrapes++;
	s->daemon = (struct daemon_counts_copy){ .handlers = d->nhandlers,
		.sessions = d->nsessions, .preauth = d->npreauth,
		.logins_failed = d->counts.logins_failed, .evicted = d->counts.evicted,
		.refused = d->counts.refused, .scrapes = d->counts.scrapes,
		.dgram_unknown = d->dgram_unknown };
	s->tables[0] = (struct metrics_table){ daemon_rows, sizeof(daemon_rows) /
		sizeof(daemon_rows[0]), &s->daemon, 1, sizeof(s->daemon), NULL };
	ret = nl_links(&s->links, &s->nlinks);
	if (ret < 0)
		log_debug("metrics: cannot list devices: %s", strerror(-ret));
	s->held = handler_hold_all(d, &s->nheld);
	s->devs = calloc(d->cfg.ndevices ? d->cfg.ndevices : 1, sizeof(*s->devs));
	s->hs = calloc(s->nheld ? s->nheld : 1, sizeof(*s->hs));
	if ((!s->held && s->nheld) || !s->devs || !s->hs) {
		handler_put_all(s->held, s->held ? s->nheld : 0);
		free(s->links);
		free(s->devs);
		free(s->hs);
		free(s);
		return NULL;
	}
	copy_devices(d, s);
	s->tables[2] = (struct metrics_table){ handler_rows, sizeof(handler_rows) /
		sizeof(handler_rows[0]), s->hs, s->nheld, sizeof(*s->hs), handler_labels };
	s->copy_us = now_us() - s->t0;
	list_add_tail(&m->copying, &s->node);
	m->scrapes++;
	return s;
}

/* The next batch of handlers of the first scrape being copied; its request resumes once done. */
static void on_metrics_copy(struct loop_timer *t)
{
	struct metrics *m = container_of(t, struct metrics, copy);
	struct scrape *s;
	uint64_t t0 = now_us();
	size_t end;

	if (list_empty(&m->copying))
		return;
	s = list_entry(m->copying.next, struct scrape, node);
	end = s->ncopied + METRICS_COPY_BATCH < s->nheld ? s->ncopied + METRICS_COPY_BATCH :
							       s->nheld;
	for (; s->ncopied < end; s->ncopied++) {
		struct handler_copy *hc = &s->hs[s->ncopied];

		handler_counters(s->held[s->ncopied], s->links, s->nlinks, &hc->c);
		snprintf(hc->id, sizeof(hc->id), "%lu", hc->c.id);
	}
	s->copy_us += now_us() - t0;
	if (s->ncopied == s->nheld) {
		log_debug("metrics: the counters of %zu handlers copied in %llu us (%llu us from "
			  "the request)", s->nheld, (unsigned long long)s->copy_us,
			  (unsigned long long)(now_us() - s->t0));
		scrape_release(s);
		MHD_resume_connection(s->conn);
		MHD_run(m->mhd);    /* the library takes it back at its next run: now */
		metrics_rearm(m);
	}
	if (!list_empty(&m->copying))
		loop_timer_set(&m->d->loop, &m->copy, loop_now_ms());   /* the next round */
}

/* The body, as much of it as max allows: the next bytes of the chunk, written as needed. */
static ssize_t scrape_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct scrape *s = cls;
	size_t n;

	if (s->pos == s->len) {
		s->pos = 0;
		s->len = metrics_fmt_walk(s->tables, 3, &s->walk, s->chunk, sizeof(s->chunk));
		if (!s->len)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = s->len - s->pos < max ? s->len - s->pos : max;
	memcpy(buf, s->chunk + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned int status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* What a request's *req holds between the call for its headers and the next. */
static int request_seen;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **req)
{
	void *seen = &request_seen;
	struct metrics *m = cls;
	const union MHD_ConnectionInfo *ci;
	struct MHD_Response *r;
	struct scrape *s;
	enum MHD_Result ret;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context)
		((struct metrics_conn *)ci->socket_context)->head_read = true;
	/* Another method is refused at once, before any body it brings is read. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics\n");
	if (!*req) {    /* the headers of a GET: answer when called again */
		*req = seen;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics"))
		return answer(c, MHD_HTTP_NOT_FOUND, "only GET /metrics\n");
	if (*req != seen) {        /* resumed: the scrape's counters are copied */
		s = *req;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, METRICS_CHUNK, scrape_read,
						      s, scrape_free);
		if (!r)
			return MHD_NO;  /* on_completed frees the scrape */
		s->handed = true;
	} else if (m->scrapes >= METRICS_SCRAPES_MAX) {
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, "too many scrapes at once\n");
	} else {
		s = scrape_new(m, c);
		if (!s)
			return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
		*req = s;
		MHD_suspend_connection(c);
		loop_timer_set(&m->d->loop, &m->copy, loop_now_ms());
		return MHD_YES;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* An exchange ended: the next one's clock starts. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req,
			 enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct scrape *s = *req;

	if (s && s != (void *)&request_seen && !s->handed)
		scrape_free(s);     /* ended before its response was made */
	*req = NULL;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context) {
		struct metrics_conn *mc = ci->socket_context;

		mc->since = loop_now_ms();
		mc->head_read = false;
	}
}

static void on_connection(void *cls, struct MHD_Connection *c, void **ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct metrics *m = cls;
	struct metrics_conn *mc = *ctx;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (mc) {
			list_del(&mc->node);
			free(mc);
			*ctx = NULL;
		}
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	mc = calloc(1, sizeof(*mc));
	if (!ci || !mc) {   /* untimed: the library's own timeout still applies */
		free(mc);
		return;
	}
	mc->fd = ci->connect_fd;
	mc->since = loop_now_ms();
	list_add_tail(&m->conns, &mc->node);
	*ctx = mc;
	if (!loop_timer_pending(&m->sweep))
		loop_timer_set(&m->d->loop, &m->sweep, loop_now_ms() + 1000);
}

/*
 * Shut down the connections past their deadline: the library sees the end
 * of the stream at its next run and closes them (and frees what they hold).
 */
static void on_metrics_sweep(struct loop_timer *t)
{
	struct metrics *m = container_of(t, struct metrics, sweep);
	uint64_t now = loop_now_ms();
	struct list *pos, *tmp;

	list_for_each(pos, tmp, &m->conns) {
		struct metrics_conn *mc = list_entry(pos, struct metrics_conn, node);
		uint64_t age = now - mc->since;

		if ((!mc->head_read && age > METRICS_HEAD_S * 1000) ||
		    age > METRICS_EXCHANGE_S * 1000) {
			log_debug("metrics: a connection past its deadline: shut down");
			shutdown(mc->fd, SHUT_RDWR);
			mc->since = now;    /* once */
		}
	}
	if (!list_empty(&m->conns))
		loop_timer_set(&m->d->loop, &m->sweep, now + 1000);
}

/* After each run: the library's next deadline, if it has one, is the timer's. */
static void metrics_rearm(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(m->mhd, &ms) == MHD_YES)
		loop_timer_set(&m->d->loop, &m->timer, loop_now_ms() + ms);
	else
		loop_timer_cancel(&m->d->loop, &m->timer);
}

static void on_metrics_io(struct loop_io *io, uint32_t events)
{
	struct metrics *m = container_of(io, struct metrics, io);

	MHD_run(m->mhd);
	metrics_rearm(m);
}

static void on_metrics_timer(struct loop_timer *t)
{
	struct metrics *m = container_of(t, struct metrics, timer);

	MHD_run(m->mhd);
	metrics_rearm(m);
}

/* libmicrohttpd's messages (its own format strings), at debug level. */
__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("metrics: %s", line);
}

int metrics_start(struct daemon *d)
{
	const struct sockaddr *sa = (const struct sockaddr *)&d->cfg.metrics_addr;
	char where[ADDR_STRLEN + 8];
	const union MHD_DaemonInfo *info;
	struct metrics *m;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	int ret;

	if (!d->cfg.metrics)
		return 0;
	addr_format_full(sa, where, sizeof(where));
	m = calloc(1, sizeof(*m));
	if (!m) {
		log_err("metrics: out of memory");
		return -ENOMEM;
	}
	m->d = d;
	loop_timer_init(&m->timer, on_metrics_timer);
	loop_timer_init(&m->sweep, on_metrics_sweep);
	loop_timer_init(&m->copy, on_metrics_copy);
	list_init(&m->conns);
	list_init(&m->copying);
	if (sa->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	m->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_SOCK_ADDR, sa,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONN_MAX,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)METRICS_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_MEM,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, m,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, m,
				  MHD_OPTION_END);
	if (!m->mhd) {
		ret = errno ? -errno : -EADDRNOTAVAIL;
		log_err("metrics: cannot listen on %s: %s", where, strerror(-ret));
		free(m);
		return ret;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD_LINUX_ONLY);
	ret = info ? loop_add(&d->loop, &m->io, info->epoll_fd, EPOLLIN, on_metrics_io) : -EINVAL;
	if (ret < 0) {
		log_err("metrics: cannot watch the server: %s", strerror(-ret));
		MHD_stop_daemon(m->mhd);
		free(m);
		return ret;
	}
	d->metrics = m;
	metrics_rearm(m);
	log_info("metrics on http://%s/metrics", where);
	return 0;
}

void metrics_stop(struct daemon *d)
{
	struct metrics *m = d->metrics;

	if (!m)
		return;
	loop_detach(&d->loop, &m->io);      /* the library closes its descriptor */
	loop_timer_cancel(&d->loop, &m->timer);
	loop_timer_cancel(&d->loop, &m->sweep);
	loop_timer_cancel(&d->loop, &m->copy);
	/* The scrapes still copying let their handlers go; the library frees them (on_completed). */
	while (!list_empty(&m->copying)) {
		struct scrape *s = list_entry(m->copying.next, struct scrape, node);

		scrape_release(s);
		MHD_resume_connection(s->conn);
	}
	MHD_stop_daemon(m->mhd);    /* closes every connection: conns is empty again */
	free(m);
	d->metrics = NULL;
}
