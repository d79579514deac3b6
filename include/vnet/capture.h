/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - one capture per device, shared by all the handlers on it
 *
 * The kernel runs one eBPF filter per device (ebpf.c) whose maps hold the
 * union of the handlers' address lists, and one packet socket per device
 * takes what it accepts; a lookup (macmap.c) hands each frame to the
 * handlers that want it, each once. A frame thus costs the same whatever
 * the number of handlers. Handlers see a port (port.h) whose frames are
 * pushed to them (port_client); injection goes out through the device's
 * socket, marked.
 *
 * Creating the programs and maps needs CAP_BPF (or CAP_SYS_ADMIN) where
 * unprivileged BPF is disabled: capture_setup runs before privileges are
 * dropped, capture_probe after, and where either cannot do its part the
 * daemon keeps the classic engine: one socket and classic filter per
 * handler (port_packet.c).
 */
#ifndef VNET_CAPTURE_H
#define VNET_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "vnet/common.h"
#include "vnet/loop.h"
#include "vnet/loopguard.h"
#include "vnet/mac.h"
#include "vnet/port.h"

/* Entries in each of a device's maps: the addresses a device may have in all (see LIMITS). */
#define CAPTURE_MAP_ENTRIES 16384

struct capture;

struct capture_set {
	struct capture *first;
	struct loop *loop;
	bool shared;            /* the engine: shared captures (else one socket per handler) */
	struct loopguard *guard; /* frames the daemon injected: not forwarded when they come back */
	char why[192];          /* why not, for the log */
};

/*
 * While still privileged: a program and its maps for each device of
 * devs[0..n) that is not one of the TAP devices (those keep their own
 * filter). On failure the set stays empty and why says what failed.
 */
void capture_setup(struct capture_set *cs, struct loop *loop, char *const *devs, size_t n,
		   const struct port_taps *taps);
/*
 * After the privileges are dropped: can the maps still be changed? Else
 * back to the classic engine. Logs which engine runs, and why.
 */
void capture_probe(struct capture_set *cs);
/* "shared" or "own": how the handlers of an AF_PACKET device capture. */
const char *capture_engine(const struct capture_set *cs);
/* Close every capture (their handlers are gone). */
void capture_fini(struct capture_set *cs);

/*
 * A port on dev fed by dev's shared capture (its socket opened with the
 * first port): nothing is captured for it before start(). -ENOENT if dev
 * has no shared capture (cs NULL, the classic engine, a device not set up),
 * else 0 or -errno with err.
 */
int capture_port_open(struct capture_set *cs, struct port *p, const struct port_want *w,
		      char *err, size_t errlen);

#endif
