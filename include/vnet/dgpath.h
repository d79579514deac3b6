/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dgpath.h - a handler's datagram path: its UDP socket, keys, sealing,
 * probes and the choice between datagrams and the TCP link
 *
 * After BEGIN the dialing side offers the path on the TCP link
 * (FRAME_T_DGRAM_OFFER, frame.h); the listening side answers with its own
 * offer (or one without FRAME_OFFER_F_ACCEPT: it has --udp off; a daemon
 * that does not know the message skips it and never answers). Both sides
 * then hold two keys (dgram.h). The dialing side sends from a socket of its
 * own to the listening daemon's UDP port; the listening side answers from
 * its daemon's socket to the address its last authentic datagram came from
 * (a dialing side behind NAT). Every datagram says whether its sender hears
 * the other (DGRAM_F_HEARD); a side sends frames as datagrams while the
 * other said so within DGPATH_DEAD_MS, else over the TCP link. A probe
 * (an empty datagram) goes when nothing else went for DGPATH_PROBE_MS, and
 * at once to answer a datagram that said it does not hear us yet.
 *
 * A TLS link's datagrams are sealed (dgram_seal: encrypted and
 * authenticated), a clear link's stamped (dgram_stamp: header and length
 * authenticated, the frames in clear as on the link). Set sealed before the offer.
 *
 * Sending: a frame is sealed into a batch (one per process: the loop is
 * single-threaded) that dgpath_flush sends with one sendmmsg; a
 * super-frame is cut into wire-size frames first (gso.c), sent with
 * UDP_SEGMENT. A frame that fits no datagram and cannot be cut is the
 * caller's to send over TCP (-EMSGSIZE, counted in big).
 */
#ifndef VNET_DGPATH_H
#define VNET_DGPATH_H

#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "vnet/dgram.h"
#include "vnet/frame.h"
#include "vnet/loop.h"

#define DGPATH_PROBE_MS     1000    /* a probe when nothing went for this long */
#define DGPATH_DEAD_MS      3000    /* the peer's last "I hear you" older than this: TCP */
#define DGPATH_ANSWER_MS    3000    /* an offer unanswered this long is logged */
#define DGPATH_REPLY_MS     100     /* at most one immediate probe answer in this time */

enum dgpath_state {
	DGPATH_OFF,         /* no offer made or taken: TCP only */
	DGPATH_OFFERED,     /* the dialing side offered, waits for the answer */
	DGPATH_KEYED,       /* keys held: datagrams go while the peer hears them */
	DGPATH_DECLINED,    /* the peer has --udp off: TCP only */
};

struct dgpath_stats {
	uint64_t out, out_bytes;    /* datagrams sent carrying frames, and the frames' bytes */
	uint64_t in, in_bytes;      /* authentic datagrams received carrying frames */
	uint64_t drop_auth;         /* not authentic, or not well formed once opened */
	uint64_t drop_replay;       /* a counter seen before, or older than the window */
	uint64_t big;               /* frames that fit no datagram: sent over TCP instead */
	uint64_t drop_send;         /* datagrams the socket refused (full, unreachable) */
	uint64_t cut;               /* frames cut into several datagrams */
};

/* What a listening side's daemon provides: its sockets, by address family. */
struct dgpath_env {
	bool off;                   /* --udp off */
	unsigned int mtu;           /* --udp-mtu */
	uint16_t port;              /* where the daemon receives datagrams */
	int fd4, fd6;               /* its sockets (-1: none of that family) */
};

struct dgpath {
	enum dgpath_state state;
	bool listening;             /* the side that took BEGIN */
	bool active;                /* frames go as datagrams (as last logged) */
	bool unanswered_logged;
	bool sealed;                /* encrypted (a TLS link's), or stamped only (a clear link's) */
	unsigned long id;           /* the handler's: our receiver index, and for logs */
	struct loop *loop;
	int fd;                     /* the socket datagrams go out of: own, or the daemon's */
	bool own_fd;
	struct loop_io io;          /* own socket: the handler adds it to the loop */
	struct loop_timer timer;    /* probes, and the offer's answer */
	struct sockaddr_storage to;
	socklen_t to_len;
	uint32_t peer_index;
	unsigned int max_frame;     /* the largest Ethernet frame a datagram carries plain */
	uint8_t secret[DGRAM_SECRET_LEN], nonce[DGRAM_NONCE_LEN];
	struct dgram_keys keys;
	struct dgram_replay replay;
	uint64_t tx_counter;
	uint64_t offered_ms, heard_ms, hears_ms, tx_ms, reply_ms;
	struct dgpath_stats st;
};

/* A new path in state OFF (fd -1). */
void dgpath_init(struct dgpath *p, struct loop *l, unsigned long id);
/* Close its socket, cancel its timer, wipe its keys: back to OFF, counters kept. */
void dgpath_close(struct dgpath *p);

/*
 * The dialing side: open a socket of peer's family, write our offer into
 * out (the message, header included) and wait for the answer. secret: the
 * link's (dgram.h). 0, or -errno (the path stays OFF; the handler goes on
 * over TCP).
 */
int dgpath_offer(struct dgpath *p, const struct sockaddr *peer, socklen_t peer_len,
		 unsigned int mtu, const uint8_t secret[DGRAM_SECRET_LEN],
		 uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN]);
/*
 * The peer's offer (msg: a FRAME_T_DGRAM_OFFER message). The listening side
 * answers: *reply set and the answer written in out (peer: the TCP link's
 * remote address). The dialing side takes the answer. 0, or -EPROTO (an
 * offer we did not expect, or not well formed: ignored, the link goes on).
 */
int dgpath_take_offer(struct dgpath *p, const struct frame_msg *msg, const struct dgpath_env *env,
		      const struct sockaddr *peer, socklen_t peer_len,
		      const uint8_t secret[DGRAM_SECRET_LEN], bool *reply,
		      uint8_t out[FRAME_HDR_LEN + FRAME_OFFER_LEN]);

/* Do frames go as datagrams now? (Logs a change of path.) */
bool dgpath_sending(struct dgpath *p);
/* Is the path keyed (SYNs' MSS are then clamped to fit a datagram: dgpath_clamp)? */
static inline bool dgpath_keyed(const struct dgpath *p)
{
	return p->state == DGPATH_KEYED;
}
/* Clamp a TCP SYN's MSS so that its connection's segments fit a datagram. */
void dgpath_clamp(const struct dgpath *p, const struct virtio_net_hdr *vh, uint8_t *eth,
		  size_t len);
/*
 * Seal a frame into the batch (sending what another path left there
 * first); 0, or -EMSGSIZE: it fits no datagram and cannot be cut (counted
 * in big): send it over TCP.
 */
int dgpath_queue(struct dgpath *p, const struct virtio_net_hdr *vh, const uint8_t *eth,
		 size_t len);
/* Send what this path has in the batch. */
void dgpath_flush(struct dgpath *p);

/*
 * A datagram for this path (its receiver index is ours), decrypted in place.
 * from: its source. True with msg set (frame_decode's) if it carries a
 * frame; false if not (a probe, or dropped and counted).
 */
bool dgpath_input(struct dgpath *p, uint8_t *d, size_t len, const struct sockaddr *from,
		  socklen_t from_len, struct frame_msg *msg);

/*
 * Receive a batch of datagrams from fd into the process's receive buffers:
 * their number (0: none waiting; errors count as none). dgpath_rx_get(i)
 * gives the i-th until the next dgpath_rx.
 */
unsigned int dgpath_rx(int fd);
uint8_t *dgpath_rx_get(unsigned int i, size_t *len, const struct sockaddr **from,
		       socklen_t *from_len);

/* A socket for a daemon to receive datagrams on (bound to sa), non-blocking; fd or -errno. */
int dgpath_socket(const struct sockaddr *sa, socklen_t len, bool dual);

/* "udp", "tcp" (no path: off, declined, unanswered) or "tcp-fallback" (keyed, peer silent). */
const char *dgpath_name(const struct dgpath *p);

#endif
