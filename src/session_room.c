// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session_room.c - room for a new control connection
 *
 * The table of connections has VNET_CONN_MAX places (fewer while descriptors
 * run short). A new connection takes a free one, or the place of a
 * connection that has not logged in, which admit.c chooses level by level
 * (the busiest network, then the busiest part of it, down to the address:
 * its oldest); at most VNET_CONN_PER_PREFIX of them per /24 or /64, the
 * busiest address of the prefix making room. Logged-in ones are never closed
 * to make room. Only the daemon's preauth list, at most
 * VNET_CONN_PREAUTH_MAX long, is walked, however many have logged in.
 * It says whom to close; session.c closes them (session_evict).
 */
#include <netinet/in.h>
#include <string.h>

#include "vnet/admit.h"
#include "vnet/daemon.h"
#include "session_int.h"

/*
 * Pick count connections not logged in (only those of prefix, unless NULL)
 * and not picked yet, those admit_victims chooses, into r. Returns how many
 * it picked: fewer if only logged-in ones are left.
 */
static size_t session_pick(struct daemon *d, const struct in6_addr *prefix, size_t count,
			   struct session_room *r)
{
	struct in6_addr ips[ADMIT_MAX];
	struct session *pre[ADMIT_MAX];
	size_t pick[ADMIT_MAX];
	struct list *pos, *tmp;
	size_t n = 0, picked;

	if (!count)
		return 0;
	list_for_each(pos, tmp, &d->preauth) {
		struct session *s = list_entry(pos, struct session, pre_node);

		if (n == ADMIT_MAX)
			break;
		if (!s->doomed && (!prefix || admit_same(&s->prefix, prefix))) {
			ips[n] = s->ip;
			pre[n++] = s;   /* the list is in order of arrival */
		}
	}
	picked = admit_victims(ips, n, count < ADMIT_MAX ? count : ADMIT_MAX, pick);
	for (size_t i = 0; i < picked; i++) {
		pre[pick[i]]->doomed = true;
		r->victims[r->n++] = pre[pick[i]];
	}
	return picked;
}

/*
 * At the limits on connections not logged in, a few more are closed than the
 * new one needs: an eighth of a prefix's share, a sixteenth of all. Choosing
 * is the costly part of an accept under a flood, and one choice then covers
 * the flood's next connections: the daemon accepts faster than its kernel
 * queue fills, or the kernel drops a client's SYN with the flood's.
 */
#define ROOM_SLACK_PREFIX   (VNET_CONN_PER_PREFIX / 8)
#define ROOM_SLACK_PREAUTH  (VNET_CONN_PREAUTH_MAX / 16)

/*
 * May a new connection from prefix be taken? Connections that have not logged
 * in are limited per prefix (/24, /64): at the limit, the prefix's busiest
 * addresses lose their oldest. When every slot is taken (or no_fd: the new one
 * took the last descriptor), admit_victims picks among all those not logged
 * in. Idle connections from one network, or from one host of it, can then
 * delay a client from elsewhere by a moment, never lock it out; only a table
 * of logged-in connections refuses.
 */
bool session_room_make(struct daemon *d, const struct in6_addr *prefix, bool no_fd,
		       struct session_room *r)
{
	struct list *pos, *tmp;
	size_t same = 0, need = 0, want, preauth = d->npreauth, sessions = d->nsessions;

	r->n = 0;
	list_for_each(pos, tmp, &d->preauth)
		same += admit_same(&list_entry(pos, struct session, pre_node)->prefix, prefix);
	if (same >= VNET_CONN_PER_PREFIX) {
		size_t picked = session_pick(d, prefix, same + 1 - VNET_CONN_PER_PREFIX +
					     ROOM_SLACK_PREFIX, r);

		if (picked)
			no_fd = false;  /* closing them frees a descriptor too */
		preauth -= picked;
		sessions -= picked;
	}
	if (sessions >= d->conn_cap)
		need = sessions + 1 - d->conn_cap;
	else if (no_fd)
		need = 1;
	want = need;
	/* However many have logged in, at most VNET_CONN_PREAUTH_MAX wait for it. */
	if (preauth >= VNET_CONN_PREAUTH_MAX && need < preauth + 1 - VNET_CONN_PREAUTH_MAX) {
		need = preauth + 1 - VNET_CONN_PREAUTH_MAX;
		want = need + ROOM_SLACK_PREAUTH;
	}
	return session_pick(d, NULL, want, r) >= need;
}

void session_room_shrink(struct daemon *d, struct session_room *r)
{
	r->n = 0;
	if (d->nsessions > d->conn_cap)
		session_pick(d, NULL, d->nsessions - d->conn_cap, r);
}

void session_peer_ip(const struct sockaddr *sa, struct in6_addr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (sa->sa_family == AF_INET6) {
		*ip = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	} else if (sa->sa_family == AF_INET) {
		ip->s6_addr[10] = ip->s6_addr[11] = 0xff;
		memcpy(&ip->s6_addr[12], &((const struct sockaddr_in *)sa)->sin_addr, 4);
	}
}
