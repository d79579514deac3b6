// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - network devices through rtnetlink (libmnl) */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vnet/netlink.h"

struct dump {
	struct nl_link *links;
	size_t n, cap;
	int err;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;   /* newer kernel attribute: ignore */
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_validate(attr, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_STATS64:
		if (mnl_attr_get_payload_len(attr) < sizeof(struct rtnl_link_stats64))
			return MNL_CB_OK;   /* shorter than we know: ignore */
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static bool parse_link(const struct nlmsghdr *nlh, struct nl_link *l);

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct nl_link l;

	if (!parse_link(nlh, &l))
		return MNL_CB_OK;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct nl_link *nl = realloc(d->links, cap * sizeof(*nl));

		if (!nl) {
			d->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		d->links = nl;
		d->cap = cap;
	}
	d->links[d->n++] = l;
	return MNL_CB_OK;
}

/* Fill one link from an RTM_NEWLINK/RTM_DELLINK message; false if it is not one. */
static bool parse_link(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return false;
	if (mnl_attr_parse(nlh, sizeof(*ifm), attr_cb, tb) < 0 || !tb[IFLA_IFNAME])
		return false;
	memset(l, 0, sizeof(*l));
	l->index = ifm->ifi_index;
	strncpy(l->name, mnl_attr_get_str(tb[IFLA_IFNAME]), IFNAMSIZ - 1);
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == MAC_LEN) {
		memcpy(l->mac.b, mnl_attr_get_payload(tb[IFLA_ADDRESS]), MAC_LEN);
		l->has_mac = true;
	}
	l->up = ifm->ifi_flags & IFF_UP;
	l->running = ifm->ifi_flags & IFF_RUNNING;
	if (tb[IFLA_STATS64]) {
		struct rtnl_link_stats64 st;

		memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]), sizeof(st));
		l->rx_packets = st.rx_packets;
		l->tx_packets = st.tx_packets;
		l->tx_dropped = st.tx_dropped;
		l->rx_bytes = st.rx_bytes;
		l->tx_bytes = st.tx_bytes;
		l->rx_dropped = st.rx_dropped;
	}
	return true;
}

struct nl_monitor {
	struct mnl_socket *nl;
	nl_link_cb cb;
	void *arg;
};

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_monitor *m = data;
	struct nl_link l;

	if (parse_link(nlh, &l))
		m->cb(m->arg, &l, nlh->nlmsg_type == RTM_DELLINK);
	return MNL_CB_OK;
}

struct nl_monitor *nl_monitor_open(nl_link_cb cb, void *arg)
{
	struct nl_monitor *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!m->nl || mnl_socket_bind(m->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		nl_monitor_close(m);
		return NULL;
	}
	m->cb = cb;
	m->arg = arg;
	return m;
}

int nl_monitor_fd(const struct nl_monitor *m)
{
	return mnl_socket_get_fd(m->nl);
}

int nl_monitor_read(struct nl_monitor *m)
{
	static char buf[32768];

	for (;;) {
		ssize_t len = mnl_socket_recvfrom(m->nl, buf, sizeof(buf));

		if (len < 0)
			return errno == EAGAIN ? 0 : -errno;
		/* Notifications: no sequence number or port to check. */
		if (mnl_cb_run(buf, (size_t)len, 0, 0, monitor_cb, m) < 0)
			return -EIO;
	}
}

void nl_monitor_close(struct nl_monitor *m)
{
	if (!m)
		return;
	if (m->nl)
		mnl_socket_close(m->nl);
	free(m);
}

/* RTM_GETLINK: every link (index 0, a dump), or the one of index; into d. 0 or -errno. */
static int links_query(int index, struct dump *d)
{
	static char buf[32768];  /* a dump message (MNL_SOCKET_DUMP_SIZE in newer libmnl) */
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq = (unsigned int)time(NULL), portid;
	int ret;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_seq = seq;
	if (index > 0) {
		struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

		nlh->nlmsg_flags = NLM_F_REQUEST;
		ifm->ifi_family = AF_UNSPEC;
		ifm->ifi_index = index;
	} else {
		struct rtgenmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));

		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rt->rtgen_family = AF_PACKET;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (len < 0) {
			ret = -errno;
			goto out;
		}
		errno = 0;
		ret = mnl_cb_run(buf, (size_t)len, seq, portid, link_cb, d);
		if (ret == MNL_CB_STOP || (ret >= 0 && index > 0)) {
			ret = 0;    /* the end of the dump, or the one answer */
			break;
		}
		if (ret < 0) {
			/* EINTR here means the dump was interrupted: an error too */
			ret = d->err ? d->err : (errno ? -errno : -EIO);
			goto out;
		}
	}
out:
	mnl_socket_close(nl);
	return ret;
}

int nl_links(struct nl_link **links, size_t *n)
{
	struct dump d = { 0 };
	int ret = links_query(0, &d);

	*links = NULL;
	*n = 0;
	if (ret < 0) {
		free(d.links);
		return ret;
	}
	*links = d.links;
	*n = d.n;
	return 0;
}

int nl_link_by_index(int index, struct nl_link *link)
{
	struct dump d = { 0 };
	int ret = index > 0 ? links_query(index, &d) : -ENODEV;

	if (ret == 0 && d.n == 0)
		ret = -ENODEV;
	if (ret == 0)
		*link = d.links[0];
	free(d.links);
	return ret;
}

int nl_link_by_name(const char *name, struct nl_link *link)
{
	struct nl_link *links;
	size_t n;
	int ret = nl_links(&links, &n);

	if (ret < 0)
		return ret;
	ret = -ENODEV;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(links[i].name, name)) {
			*link = links[i];
			ret = 0;
			break;
		}
	}
	free(links);
	return ret;
}
