/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conn.h - a non-blocking byte stream over a TCP socket, in clear or in TLS
 *
 * Reads and writes return a byte count, 0 at end of stream (reads), -EAGAIN
 * when the socket is not ready, or another -errno with conn_error() telling
 * why. A TLS handshake runs first (conn_handshake) and says which readiness
 * it waits for. A TLS connection may hold decrypted bytes the socket no
 * longer signals: conn_pending() tells, so the owner reads again.
 */
#ifndef VNET_CONN_H
#define VNET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vnet/tls.h"

struct conn;

/* Wrap a connected socket (taken over). NULL on out of memory (fd closed). */
struct conn *conn_new_plain(int fd);
struct conn *conn_new_tls_server(int fd);
/* key: the pre-shared key to offer (key mode), or NULL (certificate mode); host for checks. */
struct conn *conn_new_tls_client(int fd, const uint8_t *key, const char *host);
void conn_free(struct conn *c);     /* closes the socket, wipes secrets */

int conn_fd(const struct conn *c);
bool conn_is_tls(const struct conn *c);
/* 0 when done, -EAGAIN (wait for conn_handshake_events()), or -errno. */
int conn_handshake(struct conn *c);
uint32_t conn_handshake_events(const struct conn *c);
ssize_t conn_read(struct conn *c, void *buf, size_t len);
ssize_t conn_write(struct conn *c, const void *buf, size_t len);
bool conn_pending(struct conn *c);
const char *conn_error(const struct conn *c);
const char *conn_cipher(const struct conn *c);
/* A TLS connection's exported secret (RFC 8446 exporter, label): 0, -ENOTSUP in clear, -EIO. */
int conn_export(struct conn *c, const char *label, uint8_t *out, size_t len);
/* The handshake failed because the certificate is not for the host dialled. */
bool conn_cert_mismatch(const struct conn *c);
/* The peer answered in clear text ("OK"/"NOK"): it does not speak TLS. */
bool conn_peer_plaintext(struct conn *c, char *said, size_t cap);

#endif
