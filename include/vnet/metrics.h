/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h - vnet --metrics: the counters for Prometheus, over HTTP
 *
 * libmicrohttpd serves GET /metrics from the daemon's own epoll loop (no
 * thread of its own): its epoll descriptor is one more descriptor of the
 * loop, its timeout one more timer. A scrape copies the counters (the
 * daemon's and the devices' at once, the handlers' a batch a round of the
 * loop while the request waits), then writes the body from that copy a
 * chunk at a time, as the connection takes it.
 */
#ifndef VNET_METRICS_H
#define VNET_METRICS_H

struct daemon;

/*
 * Listen on the address of --metrics (before privileges are dropped: a port
 * below 1024 needs them). 0 (also without --metrics), or -errno once logged.
 */
int metrics_start(struct daemon *d);
/* Close the endpoint and every scrape still being sent. */
void metrics_stop(struct daemon *d);

#endif
