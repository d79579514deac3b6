/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handle.h - a HANDLE carried out: its port opened, its peer dialed, its handler made */
#ifndef VNET_HANDLE_H
#define VNET_HANDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "vnet/dial.h"
#include "vnet/port.h"
#include "vnet/proto.h"

struct daemon;
struct handle_job;

/*
 * The HANDLE is over: the handler's id, or 0 and err says why. dialed is
 * false when its peer was not reached (a handler made then waits to dial
 * again, and err says why it waits). The callee ends the job (handle_end).
 */
typedef void (*handle_cb)(struct handle_job *j, unsigned long id, const char *err,
			  bool dialed);

struct handle_job {
	struct daemon *d;
	struct proto_req req;   /* password included; its address list is the job's */
	/*
	 * A line of the handlers file: the handler keeps its request even
	 * without reconnecting (it dials again when its device comes back),
	 * and an RHANDLE whose first dial fails is made anyway, waiting.
	 */
	bool standing;
	handle_cb done;
	void *arg;              /* the caller's, for done */
	struct dial_key key;    /* derived by the first dial, kept by the handler */
	struct port port;       /* opened before dialing */
	bool port_open;
	struct dial *dial;      /* while dialing */
};

/*
 * Open j->req's local port (a bad device fails at once, before any dialing)
 * and dial its peer; j->done runs when the dial is over. 0, or -errno with
 * err set (the job then holds nothing but its request).
 */
int handle_start(struct handle_job *j, char *err, size_t errlen);
/* Abandon the job where it is (its dial, its port) and wipe its request and key. */
void handle_end(struct handle_job *j);

#endif
