/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dial.h - the outgoing connection of a HANDLE request */
#ifndef VNET_DIAL_H
#define VNET_DIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/buf.h"
#include "vnet/proto.h"
#include "vnet/tls.h"

struct daemon;
struct dial;
struct conn;

/*
 * The dial is over: link is the connection after BEGIN's OK (the callee takes
 * it over; rx holds bytes already read from it), or NULL and err says why.
 */
typedef void (*dial_cb)(void *arg, struct conn *link, const struct buf *rx, const char *err);
/*
 * The TLS key of a peer's password (key mode), derived once (slow on purpose)
 * and kept by whoever dials that peer again, a reconnecting handler.
 */
struct dial_key {
	bool have;
	uint8_t key[TLS_KEY_LEN];
};
/*
 * Connect to req's peer daemon, HELLO and BEGIN; 0 or -errno with err set.
 * key (or NULL): a key derived before is used instead of deriving one; else
 * the key derived is stored there (its owner outlives the dial or cancels it).
 */
int dial_start(struct daemon *d, const struct proto_req *req, struct dial_key *key, dial_cb cb,
	       void *arg, struct dial **out, char *err, size_t errlen);
/* Abandon a dial: the callback will not run. */
void dial_cancel(struct dial *dl);

#endif
