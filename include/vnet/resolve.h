/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resolve.h - name resolution and key derivation off the loop (a thread per job) */
#ifndef VNET_RESOLVE_H
#define VNET_RESOLVE_H

#include <stdint.h>

#include "vnet/loop.h"

struct resolve_job;
struct addrinfo;

/* Finished jobs come back to the loop through a pipe (threads) or a kick (inline). */
struct resolver {
	int pipe[2];
	struct loop_io io;
	struct loop *loop;
	struct resolve_job *done;   /* done inline, waiting for the kick */
};

typedef void (*resolve_cb)(void *arg, struct addrinfo *res, int gai_err, const uint8_t *key);
int resolve_init(struct resolver *r, struct loop *l);
/*
 * Resolve host:port for TCP and, if password is given, derive its TLS key
 * (slow on purpose); cb runs in the loop (it owns res; key is wiped after).
 * NULL on error.
 */
struct resolve_job *resolve_start(struct resolver *r, const char *host, uint16_t port,
				  const char *password, resolve_cb cb, void *arg);
/* The callback will not run; the result is freed. */
void resolve_cancel(struct resolve_job *job);

#endif
