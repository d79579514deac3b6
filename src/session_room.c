// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session_room.c - room for a new control connection
 *
 * The table of connections has VNET_CONN_MAX places (fewer while descriptors
 * run short). A new connection takes a free one, or the place of a
 * connection that has not logged in: the oldest of the prefix (/24, /64) that
 * holds the most of them (admit.c chooses). Logged-in ones are never closed
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
 * Close connections not logged in until at most keep connections remain (and
 * at least one if one): each time the oldest of the prefix that holds the
 * most of them. false if only logged-in ones are left to close.
 */
static bool session_evict(struct daemon *d, size_t keep, bool one)
{
	struct in6_addr keys[ADMIT_MAX];
	struct session *pre[ADMIT_MAX];
	struct list *pos, *tmp;
	size_t n = 0;

	list_for_each(pos, tmp, &d->sessions) {
		struct session *s = list_entry(pos, struct session, node);

		if (session_preauth(s) && n < ADMIT_MAX) {
			keys[n] = s->prefix;
			pre[n++] = s;   /* the list is in order of arrival */
		}
	}
	while (one || d->nsessions > keep) {
		size_t i = admit_victim(keys, n);

		if (i == n)
			return false;
		log_debug("%s: closed to make room for a new connection", pre[i]->peer);
		session_close(pre[i]);
		memmove(&keys[i], &keys[i + 1], (n - i - 1) * sizeof(keys[0]));
		memmove(&pre[i], &pre[i + 1], (n - i - 1) * sizeof(pre[0]));
		n--;
		one = false;
	}
	return true;
}

/*
 * May a new connection from prefix be taken? Connections that have not logged
 * in are limited per prefix (/24, /64), so that one party cannot hold them
 * all; when every slot is taken (or no_fd: the new one took the last
 * descriptor), the oldest of the prefix that holds the most of them makes
 * room. Idle connections from one network can then delay a client from
 * another by a moment, never lock it out.
 */
bool session_make_room(struct daemon *d, const struct in6_addr *prefix, bool no_fd)
{
	struct list *pos, *tmp;
	size_t same = 0;

	list_for_each(pos, tmp, &d->sessions) {
		struct session *s = list_entry(pos, struct session, node);

		same += session_preauth(s) && admit_same(&s->prefix, prefix);
	}
	if (same >= VNET_CONN_PER_PREFIX)
		return false;
	return session_evict(d, d->conn_cap - 1, no_fd);
}

void session_shrink(struct daemon *d)
{
	session_evict(d, d->conn_cap, false);
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
