/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common.h - version, protocol constants and limits shared by vnet and vnetclient */
#ifndef VNET_COMMON_H
#define VNET_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define VNET_VERSION        "1.0.0"
#define VNET_PROTO_VERSION  "1.0"   /* sent in HELLO; "0.9" (VNET 0.9's) is accepted too */
#define VNET_DEFAULT_PORT   4455

/* Limits (documented in vnet(8), LIMITS). */
/* A control line, newline included: room for RHANDLE with VNET_MACS_MAX patterns of 20 characters. */
#define VNET_LINE_MAX       24576
#define VNET_PASSWORD_MAX   256
#define VNET_HOST_MAX       255
#define VNET_MACS_MAX       1024    /* addresses (or patterns) per handler */
#define VNET_DEV_MACS_MAX   16384   /* addresses of all the handlers on one device */
#define VNET_CONN_MAX       8192    /* simultaneous control connections */
#define VNET_CONN_PER_PREFIX 32     /* of them not logged in, from one /24 or /64 */
#define VNET_CONN_PREAUTH_MAX 256   /* of them not logged in, in all */
#define VNET_HANDLERS_MAX   4096
#define VNET_AUTH_TIMEOUT_MS    30000   /* HELLO must arrive within this */
#define VNET_DIAL_TIMEOUT_MS    15000   /* HANDLE: connect + HELLO + BEGIN */
#define VNET_UDP_MTU            1500    /* default --udp-mtu: the underlay path MTU */
#define VNET_UDP_MTU_MIN        1280    /* IPv6's minimum link MTU */
#define VNET_KEEPALIVE_MS       10000   /* default: a keepalive after this much silence; */
					/* a link silent 3 times as long is closed */
#define VNET_QUEUE_BYTES    (256 * 1024) /* queued bytes per direction per handler */
#define VNET_QUEUE_DEEP     (4u << 20)  /* more, for a handler on a shared capture (capture.c) */

/* skb mark of every frame vnet injects (SO_MARK), so that none is captured again */
#define VNET_MARK           0x766e6574u /* "vnet" */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* The object that embeds *ptr as its member (a loop handle, a list node, a timer). */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

enum vnet_config {
	VNET_LOCAL,     /* capture frames whose destination MAC is listed */
	VNET_REMOTE,    /* capture frames whose source MAC is listed */
};

#endif
