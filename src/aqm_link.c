// SPDX-License-Identifier: GPL-2.0-or-later
/* aqm_link.c - the queue-delay controller (aqm.c) on a handler's link socket */
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "vnet/aqm.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* What the socket holds unsent and in flight, and its round trips (TLS: records, about the same). */
static void aqm_sample(struct aqm *a, int fd, uint64_t written)
{
	struct tcp_info ti = { 0 };
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    len < offsetof(struct tcp_info, tcpi_min_rtt) + sizeof(ti.tcpi_min_rtt))
		return;
	a->unsent = ti.tcpi_notsent_bytes < written ? ti.tcpi_notsent_bytes : written;
	a->inflight = (uint64_t)ti.tcpi_unacked * ti.tcpi_snd_mss;
	aqm_depart(a, written - a->unsent);
	aqm_path(a, ti.tcpi_rtt, ti.tcpi_min_rtt);
}

bool aqm_admit(struct aqm *a, int fd, uint64_t written, size_t buffered, uint8_t *eth,
	       size_t *len, struct virtio_net_hdr *vh)
{
	uint64_t now;

	if (!a->target_us)
		return true;
	now = now_us();
	if (now - a->sampled_us >= AQM_GRAIN_US) {
		a->sampled_us = now;
		aqm_sample(a, fd, written);
	}
	if (aqm_signal(a, now, buffered + a->unsent + a->inflight, *len)) {
		size_t cut;

		if (aqm_ecn_mark(eth, *len)) {
			a->marks++;
		} else if ((cut = aqm_trim(eth, *len, vh)) != 0) {
			a->drops++;
			*len = cut;
		} else {
			a->drops++;
			return false;
		}
	}
	aqm_enqueue(a, now, written + buffered + *len);
	return true;
}
