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
 * to make room.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "vnet/admit.h"
#include "vnet/daemon.h"
#include "vnet/log.h"
#include "vnet/session.h"
#include "vnet/session_int.h"

/*
 * Close count connections not logged in (only those of prefix, unless NULL),
 * each time the one admit_victim picks. Returns how many it closed: fewer if
 * only logged-in ones are left.
 */
static size_t session_evict(struct daemon *d, const struct in6_addr *prefix, size_t count)
{
	struct in6_addr ips[ADMIT_MAX];
	struct session *pre[ADMIT_MAX];
	struct list *pos, *tmp;
	size_t n = 0, closed;

	list_for_each(pos, tmp, &d->sessions) {
		struct session *s = list_entry(pos, struct session, node);

		if (session_preauth(s) && (!prefix || admit_same(&s->prefix, prefix)) &&
		    n < ADMIT_MAX) {
			ips[n] = s->ip;
			pre[n++] = s;   /* the list is in order of arrival */
		}
	}
	for (closed = 0; closed < count && n; closed++) {
		size_t i = admit_victim(ips, n);

		log_debug("%s: closed to make room for a new connection", pre[i]->peer);
		session_close(pre[i]);
		memmove(&ips[i], &ips[i + 1], (n - i - 1) * sizeof(ips[0]));
		memmove(&pre[i], &pre[i + 1], (n - i - 1) * sizeof(pre[0]));
		n--;
	}
	return closed;
}

/*
 * May a new connection from prefix be taken? Connections that have not logged
 * in are limited per prefix (/24, /64): at the limit, the prefix's busiest
 * address loses its oldest. When every slot is taken (or no_fd: the new one
 * took the last descriptor), admit_victim picks one of all those not logged
 * in. Idle connections from one network, or from one host of it, can then
 * delay a client from elsewhere by a moment, never lock it out; only a table
 * of logged-in connections refuses.
 */
bool session_make_room(struct daemon *d, const struct in6_addr *prefix, bool no_fd)
{
	struct list *pos, *tmp;
	size_t same = 0, need = 0, preauth = 0;

	list_for_each(pos, tmp, &d->sessions) {
		struct session *s = list_entry(pos, struct session, node);

		if (session_preauth(s)) {
			preauth++;
			same += admit_same(&s->prefix, prefix);
		}
	}
	if (same >= VNET_CONN_PER_PREFIX) {
		size_t closed = session_evict(d, prefix, same + 1 - VNET_CONN_PER_PREFIX);

		if (closed)
			no_fd = false;  /* that freed a descriptor too */
		preauth -= closed;
	}
	if (d->nsessions >= d->conn_cap)
		need = d->nsessions + 1 - d->conn_cap;
	else if (no_fd)
		need = 1;
	/* However many have logged in, at most VNET_CONN_PREAUTH_MAX wait for it. */
	if (preauth >= VNET_CONN_PREAUTH_MAX && need < preauth + 1 - VNET_CONN_PREAUTH_MAX)
		need = preauth + 1 - VNET_CONN_PREAUTH_MAX;
	return session_evict(d, NULL, need) == need;
}

void session_shrink(struct daemon *d)
{
	if (d->nsessions > d->conn_cap)
		session_evict(d, NULL, d->nsessions - d->conn_cap);
}

void session_peer_ip(int fd, struct in6_addr *ip)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	memset(ip, 0, sizeof(*ip));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET6) {
		*ip = ((struct sockaddr_in6 *)&ss)->sin6_addr;
	} else if (ss.ss_family == AF_INET) {
		ip->s6_addr[10] = ip->s6_addr[11] = 0xff;
		memcpy(&ip->s6_addr[12], &((struct sockaddr_in *)&ss)->sin_addr, 4);
	}
}
