// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handler_inject.c - the peer's frames onto the port, from either path: the
 * checks every frame meets (the address list, the offload bounds, a LOCAL
 * side's guard, the loop guard), then injection, one frame at a time or, for
 * the small frames of a wake-up's datagrams, gathered into one sendmmsg.
 */
#include <errno.h>
#include <string.h>

#include "vnet/daemon.h"
#include "vnet/frame.h"
#include "vnet/log.h"
#include "vnet/port_batch.h"
#include "handler_int.h"

bool handler_log_due(uint64_t *last, uint64_t every_ms)
{
	uint64_t now = loop_now_ms();

	if (*last && now - *last < every_ms)
		return false;
	*last = now;
	return true;
}

bool handler_loop_log_due(struct handler *h)
{
	return handler_log_due(&h->loop_logged, LOOPGUARD_LOG_MS);
}

/*
 * A LOCAL side's guard (guard.h): whether to refuse a frame from the peer
 * (the guests' side) that is a DHCP server's or a router advertisement
 * (unless --allow-dhcp-server, --allow-ra), or a broadcast or multicast
 * beyond --flood-limit. Counted in drop_rogue and drop_flood, each logged at
 * most once a minute.
 */
static bool handler_guarded(struct handler *h, const struct frame_msg *msg)
{
	const struct args *cfg = &h->d->cfg;
	enum guard_kind kind = guard_classify(msg->eth, msg->eth_len);
	uint32_t segs;

	if ((kind == GUARD_DHCP_SERVER && !cfg->allow_dhcp_server) ||
	    (kind == GUARD_ROUTER_ADV && !cfg->allow_ra)) {
		h->drop_rogue++;
		if (handler_log_due(&h->rogue_logged, GUARD_LOG_MS)) {
			struct mac src;
			char s[MAC_STRLEN];

			memcpy(src.b, msg->eth + MAC_LEN, MAC_LEN);
			mac_format(&src, s);
			log_warn("handler %lu: refused %s from %s, on the guests' side (%s allows it; "
				 "counted in drop_rogue, logged at most once a minute)", h->id,
				 kind == GUARD_DHCP_SERVER ? "a DHCP server's message" :
				 "a router advertisement", s, kind == GUARD_DHCP_SERVER ?
				 "--allow-dhcp-server" : "--allow-ra");
		}
		return true;
	}
	/* A super-frame of broadcast segments takes a token for each. */
	segs = msg->has_offload && msg->vh.gso_type != VIRTIO_NET_HDR_GSO_NONE && msg->vh.gso_size ?
	       (uint32_t)(msg->eth_len / msg->vh.gso_size + 1) : 1;
	if (!(msg->eth[0] & 1) || guard_bucket_take_n(&h->flood, &cfg->flood, loop_now_ms(), segs))
		return false;
	h->drop_flood++;
	if (handler_log_due(&h->flood_logged, GUARD_LOG_MS))
		log_warn("handler %lu: the peer %s sends more than %u broadcast and multicast frames "
			 "a second (%u at once): the excess is not injected (--flood-limit; counted in "
			 "drop_flood, logged at most once a minute)", h->id, h->raddr,
			 (unsigned int)cfg->flood.per_s, (unsigned int)cfg->flood.burst);
	return true;
}

/* A frame's source and destination addresses, for a log line. */
static void inject_addresses(const uint8_t *eth, char s[MAC_STRLEN], char d[MAC_STRLEN])
{
	struct mac dst, src;

	memcpy(dst.b, eth, MAC_LEN);
	memcpy(src.b, eth + MAC_LEN, MAC_LEN);
	mac_format(&dst, d);
	mac_format(&src, s);
}

/*
 * Whether to refuse a frame from the peer instead of injecting it: its
 * addresses are not the handler's to inject (mac_inject_allowed), or its
 * offload metadata does not fit it or would make the kernel cut it into too
 * many packets (frame_offload_safe), or a LOCAL side's guard refuses it
 * (handler_guarded). Refused frames are counted; the first of each kind is
 * logged (the guard's, once a minute). The link stays up: the message's
 * length is known.
 */
static bool handler_refuse(struct handler *h, const struct frame_msg *msg)
{
	const char *why = "";

	if (!mac_inject_allowed(h->spec.conf, h->spec.macs, h->spec.nmacs, msg->eth)) {
		if (h->drop_unlisted++ == 0) {
			char d[MAC_STRLEN], s[MAC_STRLEN];

			inject_addresses(msg->eth, s, d);
			log_warn("handler %lu: refused a frame from the peer, %s -> %s: its %s address "
				 "is not in the handler's list (further ones are counted, not logged)",
				 h->id, s, d, h->spec.conf == VNET_LOCAL ? "source" : "destination");
		}
		return true;
	}
	if (msg->has_offload && !frame_offload_safe(&msg->vh, msg->eth, msg->eth_len, &why)) {
		if (h->drop_offload++ == 0)
			log_warn("handler %lu: refused a %zu-byte frame from the peer (segmentation "
				 "type %u, segment size %u): %s (further ones are counted, not logged)",
				 h->id, msg->eth_len, (unsigned int)msg->vh.gso_type,
				 (unsigned int)msg->vh.gso_size, why);
		return true;
	}
	return h->spec.conf == VNET_LOCAL && handler_guarded(h, msg);
}

/*
 * Whether a frame from the peer is going round a loop: this daemon injected
 * the same frame LOOPGUARD_REPEATS times within LOOPGUARD_WINDOW_MS already
 * (loopguard.h says why no ordinary traffic does). Such a frame is not
 * injected; it is counted in drop_loop, and the loop logged at most once a
 * minute, unless it is a copy that goes unreported (loopguard_unreported).
 * *key: the frame's, to note once injected.
 */
static bool handler_looped(struct handler *h, const struct frame_msg *msg,
			   const struct virtio_net_hdr *vh, uint64_t *key)
{
	*key = loopguard_key(vh, msg->eth, msg->eth_len);
	if (!loopguard_repeated(&h->d->guard, *key, loop_now_ms()))
		return false;
	if (loopguard_unreported(msg->eth, msg->eth_len))
		return true;
	h->drop_loop++;
	if (handler_loop_log_due(h)) {
		char d[MAC_STRLEN], s[MAC_STRLEN];

		inject_addresses(msg->eth, s, d);
		log_warn("handler %lu: a frame from the peer %s (%s -> %s, type 0x%04x, %zu bytes) "
			 "was injected %d times within %d ms already: a forwarding loop runs through "
			 "that peer; not injected again (counted in drop_loop, logged at most once a "
			 "minute)", h->id, h->raddr, s, d,
			 (unsigned int)(msg->eth[12] << 8 | msg->eth[13]), msg->eth_len,
			 LOOPGUARD_REPEATS, LOOPGUARD_WINDOW_MS);
	}
	return true;
}

/* A frame not injected (error, or -EAGAIN: the port is full): lost, as on a congested link. */
static void handler_inject_lost(struct handler *h, int err, size_t len)
{
	if (h->inject_drops++ == 0 && err != -EAGAIN)
		log_warn("handler %lu: cannot inject a %zu-byte frame on %s: %s (further drops are "
			 "counted, not logged)", h->id, len, h->spec.dev, strerror(-err));
}

/* Either path's frames from the peer come here (handler_int.h). */
int handler_deliver(struct handler *h, const struct frame_msg *msg)
{
	static const struct virtio_net_hdr none;
	uint64_t key;
	int ret;

	if (handler_refuse(h, msg) ||
	    handler_looped(h, msg, msg->has_offload ? &msg->vh : &none, &key))
		return 0;
	ret = h->port.ops->send(&h->port, msg->has_offload ? &msg->vh : &none, msg->eth,
				msg->eth_len);
	if (ret == -EAGAIN)
		return ret;
	loopguard_note(&h->d->guard, key, h->id, loop_now_ms());
	if (ret < 0)
		handler_inject_lost(h, ret, msg->eth_len);
	return 0;
}

/*
 * Small frames from datagrams gathered to be injected in one call (one loop:
 * one batch, for the handler in inject_owner), each with its loop-guard key,
 * noted once it is injected. Sent when another handler's frame or a large
 * one comes, and at the end of every wake-up that read datagrams: a frame
 * never waits for a batch to fill.
 */
static struct port_batch inject;
static uint64_t inject_keys[PORT_BATCH_FRAMES];
static struct handler *inject_owner;

void handler_inject_flush(void)
{
	struct handler *h = inject_owner;
	uint64_t now = loop_now_ms();
	unsigned int done = 0;

	inject_owner = NULL;
	while (h && done < inject.n) {
		int ret = h->port.ops->send_many(&h->port, inject.msgs + done, inject.n - done);

		if (ret == -EAGAIN) {
			while (done < inject.n)
				handler_inject_lost(h, ret, port_batch_len(&inject, done++));
			break;
		}
		if (ret < 0) {      /* that frame is dropped; the next ones are tried */
			loopguard_note(&h->d->guard, inject_keys[done], h->id, now);
			handler_inject_lost(h, ret, port_batch_len(&inject, done++));
			continue;
		}
		for (int i = 0; i < ret; i++)
			loopguard_note(&h->d->guard, inject_keys[done++], h->id, now);
	}
	port_batch_clear(&inject);
}

/* Does a frame of loop-guard key key wait in the injection batch? */
static bool inject_pending(uint64_t key)
{
	for (unsigned int i = 0; i < inject.n; i++)
		if (inject_keys[i] == key)
			return true;
	return false;
}

int handler_deliver_dgram(struct handler *h, const struct frame_msg *msg)
{
	static const struct virtio_net_hdr none;
	const struct virtio_net_hdr *vh = msg->has_offload ? &msg->vh : &none;
	uint64_t key;
	int ret;

	if (!h->port.ops->send_many || !port_batch_small(msg->eth_len)) {
		handler_inject_flush();     /* what came before goes first */
		if ((ret = handler_deliver(h, msg)) < 0)
			handler_inject_lost(h, ret, msg->eth_len);
		return 0;
	}
	if (handler_refuse(h, msg) || handler_looped(h, msg, vh, &key))
		return 0;
	/*
	 * A copy of it waits in the batch, not yet noted by the loop guard: sent
	 * (and noted) first, so that the guard counts every copy of a looping
	 * frame, however many come in one burst.
	 */
	if (inject_pending(key)) {
		handler_inject_flush();
		if (handler_looped(h, msg, vh, &key))
			return 0;
	}
	if (inject_owner != h || !port_batch_fits(&inject, msg->eth_len))
		handler_inject_flush();
	inject_owner = h;
	inject_keys[inject.n] = key;
	port_batch_add(&inject, vh, msg->eth, msg->eth_len);
	return 0;
}
