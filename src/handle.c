// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handle.c - HANDLE's work, for a client's request (session.c) and for a line
 * of the handlers file (hfile.c) alike: open the local port, dial the peer,
 * make the handler, report.
 */
#include <errno.h>
#include <string.h>

#include "vnet/daemon.h"
#include "vnet/handle.h"
#include "vnet/handler.h"

static void handle_dialed(void *arg, struct conn *link, const struct buf *rx, const char *err)
{
	struct handle_job *j = arg;
	const struct proto_req *r = &j->req;
	struct handler_params p = {
		.link = link, .port = &j->port, .rx_pre = rx,
		.redial = j->standing || r->reconnect ? r : NULL, .key = &j->key,
		.password = r->password,
	};
	char why[256];
	unsigned long id = 0;

	j->dial = NULL;
	if (link || (j->standing && r->reconnect)) {
		/* An RHANDLE's peer may simply not be up yet: its handler keeps trying. */
		handler_spec_of(r, false, &p.spec);
		j->port_open = false;       /* the handler's, even if it fails */
		id = handler_create(j->d, &p, why, sizeof(why));
		if (link || !id)
			err = why;
	} else {
		j->port.ops->close(&j->port);
		j->port_open = false;
	}
	j->done(j, id, err, link != NULL);
}

int handle_start(struct handle_job *j, char *err, size_t errlen)
{
	const struct proto_req *r = &j->req;
	const struct port_want w = { r->ldev, r->lconf, r->macs, r->nmacs };
	int ret = port_open(&j->port, &j->d->tapdevs, &w, err, errlen);

	if (ret < 0)
		return ret;
	j->port_open = true;
	ret = dial_start(j->d, r, &j->key, handle_dialed, j, &j->dial, err, errlen);
	if (ret < 0) {
		j->port.ops->close(&j->port);
		j->port_open = false;
	}
	return ret;
}

void handle_end(struct handle_job *j)
{
	if (j->dial) {
		dial_cancel(j->dial);
		j->dial = NULL;
	}
	if (j->port_open) {
		j->port.ops->close(&j->port);
		j->port_open = false;
	}
	proto_req_wipe(&j->req);
	explicit_bzero(&j->key, sizeof(j->key));
}
