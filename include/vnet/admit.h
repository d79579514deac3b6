/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admit.h - who makes room for a new control connection (pure) */
#ifndef VNET_ADMIT_H
#define VNET_ADMIT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* Connections a choice looks at: all those not logged in (VNET_CONN_PREAUTH_MAX). */
#define ADMIT_MAX 256

/*
 * The prefix an address is accounted under: its /24 for IPv4 (given as an
 * IPv4-mapped IPv6 address), its /64 for IPv6; the other bits are zeroed.
 */
void admit_prefix(const struct in6_addr *ip, struct in6_addr *prefix);
bool admit_same(const struct in6_addr *a, const struct in6_addr *b);

/*
 * ips[0..n) are the addresses of the connections not logged in, oldest first
 * (at most ADMIT_MAX are looked at). Returns the index of the one to close,
 * or n when n is 0. They are grouped by family, then by ever longer prefixes
 * (IPv4: /16, /24, the address; IPv6: /32, /48, /56, /64, the address); at
 * each level the group that holds the most is kept (on a tie, the one whose
 * oldest came first), and the oldest of the last group is the one.
 */
size_t admit_victim(const struct in6_addr *ips, size_t n);
/*
 * The same, count times over, each choice made as if those before it were
 * closed: their indexes into out (at most count). Returns how many: fewer
 * when ips runs out.
 */
size_t admit_victims(const struct in6_addr *ips, size_t n, size_t count, size_t *out);

#endif
