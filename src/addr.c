// SPDX-License-Identifier: GPL-2.0-or-later
/* addr.c - socket address helpers */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vnet/addr.h"

void addr_format(const struct sockaddr *sa, char out[ADDR_STRLEN], uint16_t *port)
{
	*port = 0;
	strcpy(out, "-");
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, out, ADDR_STRLEN);
		*port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], out, ADDR_STRLEN);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, out, ADDR_STRLEN);
		*port = ntohs(s6->sin6_port);
	}
}

void addr_format_full(const struct sockaddr *sa, char *out, size_t cap)
{
	char a[ADDR_STRLEN];
	uint16_t port;

	addr_format(sa, a, &port);
	if (strchr(a, ':'))
		snprintf(out, cap, "[%s]:%u", a, port);
	else
		snprintf(out, cap, "%s:%u", a, port);
}

void addr_sock(int fd, int peer, char out[ADDR_STRLEN], uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int rc;

	memset(&ss, 0, sizeof(ss));
	rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		  : getsockname(fd, (struct sockaddr *)&ss, &len);
	if (rc < 0)
		ss.ss_family = AF_UNSPEC;
	addr_format((struct sockaddr *)&ss, out, port);
}

int addr_connect(const struct addrinfo *ai, int *fd)
{
	int s, one = 1;

	s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (s < 0)
		return -errno;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0) {
		*fd = s;
		return 0;
	}
	if (errno == EINPROGRESS) {
		*fd = s;
		return -EINPROGRESS;
	}
	one = -errno;
	close(s);
	return one;
}
