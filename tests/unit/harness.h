/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * harness.h - a daemon for unit tests, without root
 *
 * The stateful tests (test_session, test_dial, test_handler) drive the real
 * loop, sessions, dials and handlers of a struct daemon that listens nowhere:
 * the test makes the connections itself (loopback TCP on 127.0.0.1, port 0)
 * and plays the client or the peer daemon on the other end. The binaries are
 * linked with -Wl,--wrap=loop_now_ms, -Wl,--wrap=port_open and
 * -Wl,--wrap=proto_parse:
 *  - the clock is fake (harness_now): a test steps over a deadline with
 *    harness_advance instead of sleeping, and can check that nothing happens
 *    a millisecond before it;
 *  - port_open gives a fake port whose frames travel over an AF_UNIX
 *    SOCK_SEQPACKET pair, one datagram a frame, its virtio_net_hdr first
 *    (as a packet socket with PACKET_VNET_HDR reads and writes them);
 *  - proto_parse is counted (harness_parses): a test can check that a line
 *    was refused without being parsed.
 */
#ifndef VNET_TEST_HARNESS_H
#define VNET_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vnet/daemon.h"

#define HARNESS_PASSWORD "secret"
#define HARNESS_DEV      "lo"   /* the daemon's one device: it exists without root */

/* The fake clock every module reads (loop_now_ms). */
extern uint64_t harness_now;
/* How many request lines were parsed in full (proto_parse, counted). */
extern unsigned long harness_parses;

/* A daemon with password HARNESS_PASSWORD and device HARNESS_DEV, its loop and resolver. */
void harness_daemon_init(struct daemon *d);
/* Close its sessions, handlers and loop, free what it holds. */
void harness_daemon_fini(struct daemon *d);

/* Run the loop until it has nothing more to do at this time. */
void harness_pump(struct daemon *d);
/* Move the clock ms forward, then pump. */
void harness_advance(struct daemon *d, uint64_t ms);

/* A listening socket on 127.0.0.1 (non-blocking); its port in *port. */
int harness_listen(uint16_t *port);
/* Accept on a harness_listen socket, pumping d meanwhile; -1 if nobody came. */
int harness_accept(struct daemon *d, int lfd);
/* A loopback TCP connection: *ours for the test, *theirs for the daemon (both non-blocking). */
void harness_tcp_pair(int *ours, int *theirs);
/* A client connected to a new session of d: the test's end. */
int harness_session(struct daemon *d);

/* Send all of s (or len bytes of p) on fd. */
void harness_send(int fd, const char *s);
void harness_send_bytes(int fd, const void *p, size_t len);
/* The next line from fd (newline stripped), pumping d while waiting; false on EOF or none. */
bool harness_line(struct daemon *d, int fd, char *out, size_t cap);
/* Exactly len bytes from fd, pumping d while waiting; false if they do not come. */
bool harness_read(struct daemon *d, int fd, void *out, size_t len);
/* After a pump: nothing to read on fd, and it is still open. */
bool harness_quiet(struct daemon *d, int fd);
/* The daemon closed its end of fd (what was sent before is skipped). */
bool harness_closed(struct daemon *d, int fd);

/*
 * The fake port (the wrapped port_open opens one on any device): the test's
 * end of the last one opened, and how to refuse the next open instead.
 */
extern int harness_port_peer;
extern const char *harness_port_refusal;
/* Open a fake port on HARNESS_DEV directly; the test's end in *peer. */
int harness_port_open(struct port *p, int *peer);

/* The value of key=N in a STATS? line of the i-th handler; -1 if none. */
long long harness_stat(struct daemon *d, size_t i, const char *key);

#endif
