/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.h - one control connection: HELLO, then requests, one a line */
#ifndef VNET_SESSION_H
#define VNET_SESSION_H

#include <stdbool.h>
#include <sys/socket.h>

struct daemon;

/*
 * Take a new connection from peer (the address accept gave), closing some not
 * logged in to make room if the table is full or no_fd (there was no
 * descriptor for it: close one whatever the count). 0 if taken; -EBUSY if
 * there is no room (fd is left to the caller, to refuse), or -errno (fd
 * closed).
 */
int session_accept(struct daemon *d, int fd, const struct sockaddr *peer, bool no_fd);
/* d->conn_cap was lowered: close connections not logged in down to it. */
void session_shrink(struct daemon *d);
void session_close_all(struct daemon *d);

#endif
