/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr.h - socket address helpers */
#ifndef VNET_ADDR_H
#define VNET_ADDR_H

#include <netdb.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_STRLEN 64  /* INET6_ADDRSTRLEN plus room */

/* The address (IPv4-mapped IPv6 shown as IPv4) and port of sa. */
void addr_format(const struct sockaddr *sa, char out[ADDR_STRLEN], uint16_t *port);
/* "addr:port" or "[addr]:port". */
void addr_format_full(const struct sockaddr *sa, char *out, size_t cap);
/* Local or peer address of a socket. */
void addr_sock(int fd, int peer, char out[ADDR_STRLEN], uint16_t *port);
/* Open a non-blocking TCP connection to ai; 0 (connected), -EINPROGRESS with *fd set, or -errno. */
int addr_connect(const struct addrinfo *ai, int *fd);

#endif
