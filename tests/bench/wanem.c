// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wanem.c - a WAN between two TAP devices, for the bench (no netem needed)
 *
 * usage: wanem NETNS_A TAP_A NETNS_B TAP_B PARAMS_FILE
 *
 * Attaches to two existing TAP devices (ip tuntap add ... mode tap), each in
 * its network namespace, and relays every frame to the other side through,
 * in order: random loss, a drop-tail router queue, serialisation at the
 * rate, and a fixed one-way delay. PARAMS_FILE holds one line,
 * "RATE_MBIT ONE_WAY_DELAY_MS LOSS_PERCENT [QUEUE_BYTES]" (queue default: one
 * bandwidth-delay product of the round trip, at least 64 KiB); it is read at
 * start and again on SIGHUP. SIGUSR1 prints the counters of each direction
 * to standard error. SIGINT or SIGTERM stop it. Root only; a bench tool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define SLOT_BYTES 1536         /* a frame of MTU 1500 and its Ethernet header */
#define SLOTS      16384        /* frames on the way, per direction */

struct frame {
	uint64_t due;           /* ns: when it leaves the far end of the wire */
	uint16_t len;
	uint8_t data[SLOT_BYTES];
};

struct dir {
	int in, out;                    /* read from in, deliver to out */
	struct frame *ring;
	unsigned int head, n;
	uint64_t link_free;             /* ns: when the serialiser is free */
	uint64_t rx, lost, qdrop, tx;
};

static struct {
	double rate_bps, loss;
	uint64_t owd_ns, queue_bytes;
} prm;
static volatile sig_atomic_t reload, report, stop;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else if (sig == SIGUSR1)
		report = 1;
	else
		stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: uniform in [0, 1) */
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

static int read_params(const char *path)
{
	double rate, owd, loss, q = 0;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%lf %lf %lf %lf", &rate, &owd, &loss, &q);
	fclose(f);
	if (n < 3 || rate <= 0 || owd < 0 || loss < 0 || loss > 100 || q < 0)
		return -EINVAL;
	prm.rate_bps = rate * 1e6;
	prm.owd_ns = (uint64_t)(owd * 1e6);
	prm.loss = loss / 100;
	if (n < 4 || q == 0)
		q = rate * 1e6 / 8 * 2 * owd / 1e3;
	prm.queue_bytes = q < 65536 ? 65536 : (uint64_t)q;
	fprintf(stderr, "wanem: rate %.0f Mbit/s, one-way delay %.1f ms, loss %.2f %%, queue %llu bytes\n",
		rate, owd, loss, (unsigned long long)prm.queue_bytes);
	return 0;
}

/* Open TAP dev inside network namespace ns; the caller's namespace is restored. */
static int open_tap(const char *ns, const char *dev)
{
	char path[256];
	struct ifreq ifr;
	int self, target, fd = -1;

	snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0) {
		fprintf(stderr, "wanem: namespace %s: %s\n", ns, strerror(errno));
		goto out;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "wanem: TAP %s in %s: %s\n", dev, ns, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (setns(self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "wanem: back to our namespace: %s\n", strerror(errno));
		exit(1);
	}
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return fd;
}

/* Take every frame waiting on d->in: lose it, drop it at the queue, or schedule it. */
static void take(struct dir *d)
{
	for (;;) {
		struct frame *f = &d->ring[(d->head + d->n) % SLOTS];
		ssize_t len = read(d->in, f->data, sizeof(f->data));
		uint64_t now = now_ns(), start, backlog;

		if (len <= 0)
			return;
		d->rx++;
		if (uniform() < prm.loss) {
			d->lost++;
			continue;
		}
		/* Bytes waiting for the serialiser: the router's queue. */
		backlog = d->link_free > now ? (uint64_t)((double)(d->link_free - now) *
							   prm.rate_bps / 8e9) : 0;
		if (backlog + (uint64_t)len > prm.queue_bytes || d->n == SLOTS) {
			d->qdrop++;
			continue;
		}
		start = d->link_free > now ? d->link_free : now;
		d->link_free = start + (uint64_t)((double)len * 8e9 / prm.rate_bps);
		f->len = (uint16_t)len;
		f->due = d->link_free + prm.owd_ns;
		d->n++;
	}
}

/* Deliver the frames due by now; returns the ns until the next one (or -1). */
static int64_t deliver(struct dir *d, uint64_t now)
{
	while (d->n) {
		struct frame *f = &d->ring[d->head];

		if (f->due > now)
			return (int64_t)(f->due - now);
		if (write(d->out, f->data, f->len) == f->len)
			d->tx++;
		d->head = (d->head + 1) % SLOTS;
		d->n--;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct dir dirs[2] = { { 0 } };
	struct sigaction sa = { .sa_handler = on_signal };
	int a, b;

	if (argc != 6) {
		fprintf(stderr, "usage: wanem NETNS_A TAP_A NETNS_B TAP_B PARAMS_FILE\n");
		return 2;
	}
	if (read_params(argv[5]) < 0) {
		fprintf(stderr, "wanem: bad or missing %s\n", argv[5]);
		return 2;
	}
	a = open_tap(argv[1], argv[2]);
	b = open_tap(argv[3], argv[4]);
	if (a < 0 || b < 0)
		return 1;
	dirs[0].in = dirs[1].out = a;
	dirs[0].out = dirs[1].in = b;
	for (int i = 0; i < 2; i++) {
		dirs[i].ring = calloc(SLOTS, sizeof(struct frame));
		if (!dirs[i].ring)
			return 1;
	}
	rng ^= (uint64_t)getpid() << 17 ^ now_ns();
	prctl(PR_SET_TIMERSLACK, 1000UL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "wanem: ready\n");
	while (!stop) {
		struct pollfd p[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
		int64_t wait = 100000000;      /* signals are looked at every 100 ms at least */
		struct timespec ts;

		if (reload) {
			reload = 0;
			if (read_params(argv[5]) < 0)
				fprintf(stderr, "wanem: bad %s: parameters kept\n", argv[5]);
		}
		if (report) {
			report = 0;
			for (int i = 0; i < 2; i++)
				fprintf(stderr, "wanem: %s->%s rx %llu lost %llu qdrop %llu tx %llu\n",
					i ? "B" : "A", i ? "A" : "B", (unsigned long long)dirs[i].rx,
					(unsigned long long)dirs[i].lost,
					(unsigned long long)dirs[i].qdrop, (unsigned long long)dirs[i].tx);
		}
		for (int i = 0; i < 2; i++) {
			int64_t w = deliver(&dirs[i], now_ns());

			if (w >= 0 && w < wait)
				wait = w;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = wait;
		if (ppoll(p, 2, &ts, NULL) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN)
			take(&dirs[0]);
		if (p[1].revents & POLLIN)
			take(&dirs[1]);
	}
	return 0;
}
