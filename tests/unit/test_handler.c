// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_handler.c - a handler between a fake port and a link on loopback, as
 * the peer daemon and the device see it: frames captured are framed on the
 * link, frames from the link injected (or refused and counted), both
 * directions pause when the other end does not read and lose nothing, a
 * keepalive after silence, the end of a silent or broken link
 * (tests/unit/harness.h: a daemon without root, on a fake clock), and a
 * handler that knows how to dial again waiting for its device and taking it
 * back. Only the handler's public API, STATS? and the port's ops are used,
 * but for two tests that reach inside (a port moved to a device that does
 * not exist; the interest of a handler without a port; a port whose reads
 * fail oddly).
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>

#include "vnet/conn.h"
#include "vnet/frame.h"
#include "vnet/handler.h"
#include "vnet/proto.h"
#include "harness.h"
#include "../../src/handler_int.h"  /* two tests reach inside: see them */

#define VH_LEN sizeof(struct virtio_net_hdr)

static struct daemon D;
static int L = -1;      /* the peer daemon's end of the link */
static int P = -1;      /* the device's end of the port */

static const uint8_t LISTED[6] = { 0x02, 0, 0, 0, 0, 0x01 };    /* the handler's address */
static const uint8_t OTHER[6] = { 0x02, 0, 0, 0, 0, 0x09 };

static int L_PEER = -1;  /* a_redial: where it dials (a listener that says nothing) */

/* A handler on HARNESS_DEV connected to L; with redial, one that dials L_PEER again. */
static int make_handler(bool redial)
{
	struct port port;
	struct proto_req req;
	char line[160];
	struct mac_pattern listed = { .len = 48 };
	struct handler_params hp = {
		.port = &port,
		.spec = { .conf = VNET_LOCAL, .peer_conf = VNET_REMOTE, .dev = HARNESS_DEV,
			  .peer_dev = "eth0", .macs = &listed, .nmacs = 1 },
	};
	char err[256];
	int theirs, small = 16384;

	harness_daemon_init(&D);
	memcpy(listed.b, LISTED, 6);
	harness_tcp_pair(&L, &theirs);
	/*
	 * Small send buffers: backpressure shows after a few hundred frames, not
	 * thousands. (Not the receive buffers: shrunk on a connection, they stall it.)
	 */
	setsockopt(theirs, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(L, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	harness_port_open(&port, &P);
	if (redial) {
		uint16_t lport;

		L_PEER = harness_listen(&lport);
		snprintf(line, sizeof(line), "HANDLE x LOCAL %s REMOTE 127.0.0.1 %u eth0 "
			 "02:00:00:00:00:01", HARNESS_DEV, (unsigned int)lport);
		assert_true(proto_parse(line, &req, err, sizeof(err)));
	}
	hp.link = conn_new_plain(theirs);
	hp.redial = redial ? &req : NULL;
	assert_int_equal(handler_create(&D, &hp, err, sizeof(err)), 1);
	if (redial)
		proto_req_wipe(&req);
	harness_pump(&D);
	return 0;
}

static int setup(void **state)
{
	return make_handler(false);
}

static int setup_redial(void **state)
{
	return make_handler(true);
}

static int teardown(void **state)
{
	harness_daemon_fini(&D);
	close(L);
	close(P);
	if (L_PEER >= 0)
		close(L_PEER);
	L_PEER = -1;
	return 0;
}

/* An Ethernet frame of len bytes from src to dst, seq in its payload. */
static void eth_make(uint8_t *eth, size_t len, const uint8_t *dst, const uint8_t *src,
		     uint32_t seq)
{
	memset(eth, 0xab, len);
	memcpy(eth, dst, 6);
	memcpy(eth + 6, src, 6);
	eth[12] = 0x88;         /* a local experimental EtherType */
	eth[13] = 0xb5;
	memcpy(eth + 14, &seq, sizeof(seq));
}

/* The device hands the port a frame; false if the port's queue is full. */
static bool device_sends(const struct virtio_net_hdr *vh, const uint8_t *eth, size_t len)
{
	static const struct virtio_net_hdr none;
	struct iovec iov[2] = { { (void *)(vh ? vh : &none), VH_LEN }, { (void *)eth, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = sendmsg(P, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);

	assert_true(n >= 0 || errno == EAGAIN);
	return n >= 0;
}

/* What the port injected: its length (metadata first, as the device gets it), or -1 if none. */
static ssize_t device_gets(uint8_t *out, size_t cap)
{
	return recv(P, out, cap, MSG_DONTWAIT);
}

/* The next message on the link: its type, its body in body[0..*len). */
static uint8_t link_msg(uint8_t *body, size_t cap, size_t *len)
{
	uint8_t h[FRAME_HDR_LEN];

	assert_true(harness_read(&D, L, h, sizeof(h)));
	*len = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
	assert_true(*len <= cap);
	assert_true(harness_read(&D, L, body, *len));
	return h[0];
}

/* The peer sends one message on the link; false if the link's queue is full. */
static bool peer_sends(enum frame_type type, const uint8_t *body, size_t len)
{
	uint8_t msg[FRAME_HDR_LEN + FRAME_OFFLOAD_LEN + 2048];
	ssize_t n;

	assert_true(len <= sizeof(msg) - FRAME_HDR_LEN);
	frame_put_header(msg, type, len);
	if (len)
		memcpy(msg + FRAME_HDR_LEN, body, len);
	n = send(L, msg, FRAME_HDR_LEN + len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && errno == EAGAIN)
		return false;
	assert_int_equal(n, (ssize_t)(FRAME_HDR_LEN + len));    /* never half a message */
	return true;
}

/* An OFFLOAD message body: vh (or none) in wire order, then the frame. */
static size_t offload_body(uint8_t *out, const struct virtio_net_hdr *vh, const uint8_t *eth,
			   size_t len)
{
	static const struct virtio_net_hdr none;

	frame_put_offload(out, vh ? vh : &none);
	memcpy(out + FRAME_OFFLOAD_LEN, eth, len);
	return FRAME_OFFLOAD_LEN + len;
}

/* Captured frames go on the link as OFFLOAD messages with their metadata; runts do not. */
static void test_capture_framed(void **state)
{
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34,
				     .csum_offset = 16 };
	static const uint8_t vh_wire[FRAME_OFFLOAD_LEN] = { 1, 0, 0, 0, 0, 0, 0, 34, 0, 16 };
	uint8_t small[60], big[1514], runt[10] = { 0 }, body[2048];
	size_t len;

	eth_make(small, sizeof(small), OTHER, LISTED, 1);
	eth_make(big, sizeof(big), OTHER, LISTED, 2);
	assert_true(device_sends(NULL, small, sizeof(small)));
	assert_true(device_sends(NULL, runt, sizeof(runt)));
	assert_true(device_sends(&vh, big, sizeof(big)));
	harness_pump(&D);

	assert_int_equal(link_msg(body, sizeof(body), &len), FRAME_T_OFFLOAD);
	assert_int_equal(len, FRAME_OFFLOAD_LEN + sizeof(small));
	assert_memory_equal(body, (uint8_t[FRAME_OFFLOAD_LEN]){ 0 }, FRAME_OFFLOAD_LEN);
	assert_memory_equal(body + FRAME_OFFLOAD_LEN, small, sizeof(small));
	assert_int_equal(link_msg(body, sizeof(body), &len), FRAME_T_OFFLOAD);
	assert_int_equal(len, FRAME_OFFLOAD_LEN + sizeof(big));
	assert_memory_equal(body, vh_wire, FRAME_OFFLOAD_LEN);
	assert_memory_equal(body + FRAME_OFFLOAD_LEN, big, sizeof(big));
	assert_true(harness_quiet(&D, L));
}

/*
 * From the link: OFFLOAD and PLAIN frames from the handler's address are
 * injected with their metadata; frames from other addresses are refused and
 * counted (drop_unlisted), and the link goes on.
 */
static void test_inject_rule(void **state)
{
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20,
				     .csum_offset = 6 };
	uint8_t eth[100], body[200], got[VH_LEN + sizeof(eth) + 1];
	static const uint8_t third[6] = { 0x02, 0, 0, 0, 0, 0x03 };
	struct virtio_net_hdr gvh;

	eth_make(eth, sizeof(eth), OTHER, LISTED, 1);
	assert_true(peer_sends(FRAME_T_OFFLOAD, body, offload_body(body, &vh, eth, sizeof(eth))));
	eth_make(eth, sizeof(eth), LISTED, OTHER, 2);      /* from an address not listed */
	assert_true(peer_sends(FRAME_T_PLAIN, eth, sizeof(eth)));
	eth_make(eth, sizeof(eth), OTHER, third, 3);       /* nor from this one */
	assert_true(peer_sends(FRAME_T_OFFLOAD, body, offload_body(body, NULL, eth, sizeof(eth))));
	eth_make(eth, sizeof(eth), OTHER, LISTED, 4);
	assert_true(peer_sends(FRAME_T_PLAIN, eth, sizeof(eth)));
	harness_pump(&D);

	assert_int_equal(device_gets(got, sizeof(got)), VH_LEN + sizeof(eth));
	memcpy(&gvh, got, VH_LEN);
	assert_int_equal(gvh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(gvh.csum_start, 20);
	assert_int_equal(gvh.csum_offset, 6);
	assert_int_equal(got[VH_LEN + 14], 1);
	assert_int_equal(device_gets(got, sizeof(got)), VH_LEN + sizeof(eth));
	assert_memory_equal(got, (uint8_t[VH_LEN]){ 0 }, VH_LEN);
	assert_memory_equal(got + VH_LEN, eth, sizeof(eth));    /* the 4th: 2 and 3 refused */
	assert_int_equal(device_gets(got, sizeof(got)), -1);
	assert_int_equal(harness_stat(&D, 0, "in_frames"), 2);
	assert_int_equal(harness_stat(&D, 0, "drop_unlisted"), 2);
}

/* The frames the device got since last asked: how many. */
static int device_count(void)
{
	uint8_t got[VH_LEN + 2048];
	int n = 0;

	while (device_gets(got, sizeof(got)) >= 0)
		n++;
	return n;
}

/*
 * A LOCAL side is a guarded port (guard.h): a DHCP server's offer and a
 * router advertisement from the listed guest are refused and counted
 * (drop_rogue) unless allowed; its broadcasts pass a token bucket
 * (drop_flood), its unicast frames do not.
 */
static void test_guarded_port(void **state)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t offer[60] = { 0 }, ra[70] = { 0 }, eth[60];

	(void)state;
	D.cfg.flood = (struct guard_rate){ .per_s = 10, .burst = 3 };
	memcpy(offer, bcast, 6);
	memcpy(offer + 6, LISTED, 6);
	offer[12] = 0x08;               /* IPv4, UDP 67 -> 68 */
	offer[14] = 0x45;
	offer[23] = 17;
	offer[35] = 67;
	offer[37] = 68;
	memcpy(ra, (uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	memcpy(ra + 6, LISTED, 6);
	ra[12] = 0x86;                  /* IPv6, ICMPv6 type 134 */
	ra[13] = 0xdd;
	ra[14] = 0x60;
	ra[20] = 58;
	ra[54] = 134;
	assert_true(peer_sends(FRAME_T_PLAIN, offer, sizeof(offer)));
	assert_true(peer_sends(FRAME_T_PLAIN, ra, sizeof(ra)));
	for (uint32_t i = 0; i < 5; i++) {
		eth_make(eth, sizeof(eth), bcast, LISTED, i);
		assert_true(peer_sends(FRAME_T_PLAIN, eth, sizeof(eth)));
		eth_make(eth, sizeof(eth), OTHER, LISTED, 100 + i);
		assert_true(peer_sends(FRAME_T_PLAIN, eth, sizeof(eth)));
	}
	harness_pump(&D);
	assert_int_equal(device_count(), 3 + 5);        /* the burst, and every unicast frame */
	assert_int_equal(harness_stat(&D, 0, "drop_rogue"), 2);
	assert_int_equal(harness_stat(&D, 0, "drop_flood"), 2);

	/* 100 ms later, one more broadcast may pass. */
	harness_advance(&D, 100);
	for (uint32_t i = 10; i < 12; i++) {
		eth_make(eth, sizeof(eth), bcast, LISTED, i);
		assert_true(peer_sends(FRAME_T_PLAIN, eth, sizeof(eth)));
	}
	harness_pump(&D);
	assert_int_equal(device_count(), 1);
	assert_int_equal(harness_stat(&D, 0, "drop_flood"), 3);

	/* Allowed: both injected (a broadcast and a multicast: two tokens, 200 ms). */
	D.cfg.allow_dhcp_server = D.cfg.allow_ra = true;
	harness_advance(&D, 200);
	assert_true(peer_sends(FRAME_T_PLAIN, offer, sizeof(offer)));
	assert_true(peer_sends(FRAME_T_PLAIN, ra, sizeof(ra)));
	harness_pump(&D);
	assert_int_equal(device_count(), 2);
	assert_int_equal(harness_stat(&D, 0, "drop_rogue"), 2);
	assert_int_equal(harness_stat(&D, 0, "in_frames"), 3 + 5 + 1 + 2);
}

/* An optional message type (0x80-0xff) is skipped; the frame behind it goes through. */
static void test_optional_message_skipped(void **state)
{
	uint8_t eth[60], junk[7] = { 1, 2, 3, 4, 5, 6, 7 }, got[VH_LEN + sizeof(eth)];

	eth_make(eth, sizeof(eth), OTHER, LISTED, 1);
	assert_true(peer_sends((enum frame_type)0x80, junk, sizeof(junk)));
	assert_true(peer_sends(FRAME_T_PLAIN, eth, sizeof(eth)));
	harness_pump(&D);
	assert_int_equal(device_gets(got, sizeof(got)), sizeof(got));
	assert_memory_equal(got + VH_LEN, eth, sizeof(eth));
}

static void assert_handler_gone(void)
{
	size_t n = 1;
	struct handler **hs = handler_hold_all(&D, &n);

	handler_put_all(hs, n);
	assert_int_equal(n, 0);
	assert_int_equal(D.nhandlers, 0);
}

/* A protocol error closes the link, and the handler (it does not reconnect): the port too. */
static void test_protocol_error_closes(void **state)
{
	uint8_t bad[FRAME_HDR_LEN] = { 0x42, 0, 0, 0 }, got[16];

	harness_send_bytes(L, bad, sizeof(bad));
	assert_true(harness_closed(&D, L));
	assert_handler_gone();
	assert_int_equal(device_gets(got, sizeof(got)), 0);    /* the port is closed */
}

static void test_peer_closes(void **state)
{
	uint8_t got[16];

	shutdown(L, SHUT_WR);
	assert_true(harness_closed(&D, L));
	assert_handler_gone();
	assert_int_equal(device_gets(got, sizeof(got)), 0);
}

/* The device goes (its port reads an error): the handler closes, the peer sees its link close. */
static void test_port_error_closes(void **state)
{
	close(P);
	P = -1;
	assert_true(harness_closed(&D, L));
	assert_handler_gone();
}

/*
 * The peer does not read: once the link's queue is full the handler stops
 * taking frames from the port (they wait in the port, the device's queue),
 * and when the peer reads again every frame arrives, in order, none dropped.
 */
static void test_capture_backpressure(void **state)
{
	uint8_t eth[1000], body[FRAME_OFFLOAD_LEN + sizeof(eth)];
	uint32_t sent = 0;
	long long taken = -1;
	size_t len;
	int still = 0;

	for (int round = 0; round < 2000 && still < 3; round++) {
		long long now;

		do
			eth_make(eth, sizeof(eth), OTHER, LISTED, sent);
		while (device_sends(NULL, eth, sizeof(eth)) && ++sent);
		harness_pump(&D);
		now = harness_stat(&D, 0, "out_frames");
		still = now == taken ? still + 1 : 0;
		taken = now;
	}
	assert_int_equal(still, 3);             /* capture paused ... */
	assert_true(taken < (long long)sent);   /* ... with frames waiting in the port */
	assert_true(taken > 0);

	for (uint32_t i = 0; i < sent; i++) {
		uint32_t seq;

		assert_int_equal(link_msg(body, sizeof(body), &len), FRAME_T_OFFLOAD);
		assert_int_equal(len, sizeof(body));
		memcpy(&seq, body + FRAME_OFFLOAD_LEN + 14, sizeof(seq));
		assert_int_equal(seq, i);
	}
	assert_true(harness_quiet(&D, L));
	assert_int_equal(harness_stat(&D, 0, "out_frames"), sent);
	assert_int_equal(harness_stat(&D, 0, "drop_queue"), 0);
}

/*
 * The device does not take frames (the port's send says EAGAIN): the handler
 * stops reading the link, and the peer's frames wait there (the peer cannot
 * send more); once the device takes them again every one is injected, in
 * order, none dropped.
 */
#define BP_FRAMES 2000
#define BP_MSG    (FRAME_HDR_LEN + 1000)

/* The peer sends what the link takes of stream[*off..]. */
static void peer_push(const uint8_t *stream, size_t *off)
{
	while (*off < (size_t)BP_FRAMES * BP_MSG) {
		ssize_t n = send(L, stream + *off, (size_t)BP_FRAMES * BP_MSG - *off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			return;
		}
		*off += (size_t)n;
	}
}

static void test_inject_backpressure(void **state)
{
	static uint8_t stream[BP_FRAMES * BP_MSG];
	uint8_t got[VH_LEN + BP_MSG];
	long long taken = -1;
	size_t off = 0;
	uint32_t seq;
	int still = 0;

	for (uint32_t i = 0; i < BP_FRAMES; i++) {
		frame_put_header(stream + i * BP_MSG, FRAME_T_PLAIN, BP_MSG - FRAME_HDR_LEN);
		eth_make(stream + i * BP_MSG + FRAME_HDR_LEN, BP_MSG - FRAME_HDR_LEN, OTHER, LISTED, i);
	}
	for (int round = 0; round < 2000 && still < 3; round++) {
		long long now;

		peer_push(stream, &off);
		harness_pump(&D);
		now = harness_stat(&D, 0, "in_frames");
		still = now == taken ? still + 1 : 0;
		taken = now;
	}
	assert_int_equal(still, 3);                 /* injection paused ... */
	assert_true(off < sizeof(stream));          /* ... the link is full ... */
	assert_true(taken > 0 && taken < BP_FRAMES);
	assert_true(recv(P, got, 1, MSG_PEEK | MSG_DONTWAIT) == 1); /* ... at the device */

	for (uint32_t i = 0; i < BP_FRAMES; i++) {
		ssize_t n = -1;

		for (int tries = 0; tries < 1000 && n < 0; tries++) {
			peer_push(stream, &off);
			n = device_gets(got, sizeof(got));
			if (n < 0)
				loop_run_once(&D.loop, 5);
		}
		assert_int_equal(n, VH_LEN + BP_MSG - FRAME_HDR_LEN);
		memcpy(&seq, got + VH_LEN + 14, sizeof(seq));
		assert_int_equal(seq, i);
	}
	harness_pump(&D);
	assert_int_equal(device_gets(got, sizeof(got)), -1);
	assert_int_equal(harness_stat(&D, 0, "in_frames"), BP_FRAMES);
	assert_int_equal(harness_stat(&D, 0, "drop_inject"), 0);
}

static void expect_keepalive(void)
{
	uint8_t body[16];
	size_t len;

	assert_int_equal(link_msg(body, sizeof(body), &len), FRAME_T_KEEPALIVE);
	assert_int_equal(len, 0);
}

/*
 * A keepalive after --keepalive of our silence, and the link ends after
 * three times that without a word from the peer (not a millisecond before).
 */
static void test_keepalive_and_silence(void **state)
{
	harness_advance(&D, D.cfg.keepalive_ms - 1);
	assert_true(harness_quiet(&D, L));
	harness_advance(&D, 1);
	expect_keepalive();
	harness_advance(&D, D.cfg.keepalive_ms);
	expect_keepalive();
	harness_advance(&D, D.cfg.keepalive_ms - 1);
	assert_true(harness_quiet(&D, L));
	assert_int_equal(D.nhandlers, 1);
	harness_advance(&D, 1);
	assert_true(harness_closed(&D, L));
	assert_handler_gone();
}

/* A keepalive from the peer is answered when we have been quiet, and keeps the link alive. */
static void test_peer_keepalive(void **state)
{
	harness_advance(&D, D.cfg.keepalive_ms / 2);
	assert_true(peer_sends(FRAME_T_KEEPALIVE, NULL, 0));
	expect_keepalive();     /* answered at once */
	/* Three times --keepalive since the start, not since the peer spoke: still up. */
	harness_advance(&D, 3 * D.cfg.keepalive_ms - D.cfg.keepalive_ms / 2);
	expect_keepalive();
	assert_int_equal(D.nhandlers, 1);
	harness_advance(&D, D.cfg.keepalive_ms / 2 - 1);
	assert_true(harness_quiet(&D, L));
	harness_advance(&D, 1);
	assert_true(harness_closed(&D, L));
	assert_handler_gone();
}

/* The state= of the first handler's STATS? line. */
static const char *handler_state(void)
{
	static char line[VNET_LINE_MAX], st[32];
	size_t n = 0;
	struct handler **hs = handler_hold_all(&D, &n);
	const char *at;

	assert_int_equal(n, 1);
	assert_true(handler_stats(hs[0], NULL, 0, line, sizeof(line)) > 0);
	handler_put_all(hs, n);
	at = strstr(line, " state=");
	assert_non_null(at);
	sscanf(at + 7, "%31[a-z]", st);
	return st;
}

/* Its device gone (the port reads ENODEV): it waits for it, its link closed. */
static void lose_device(void)
{
	close(P);
	P = -1;
	assert_true(harness_closed(&D, L));
	assert_string_equal(handler_state(), "nodevice");
}

/*
 * Its device is back but cannot be taken yet, and no notification follows:
 * the handler tries again by itself, about a second later, and takes it.
 */
static void test_nodevice_retries(void **state)
{
	lose_device();
	harness_port_refusal = "device lo was replaced: try again";
	handler_link_changed(&D, (int)if_nametoindex(HARNESS_DEV), HARNESS_DEV, false);
	harness_pump(&D);
	assert_null(harness_port_refusal);     /* it tried, and was refused */
	assert_string_equal(handler_state(), "nodevice");
	assert_int_equal(harness_port_peer, -1);
	harness_advance(&D, 700);      /* the first wait is 1 s +-20 % */
	assert_string_equal(handler_state(), "nodevice");
	harness_advance(&D, 600);
	assert_true(harness_port_peer >= 0);    /* a port on it again */
	P = harness_port_peer;
	harness_port_peer = -1;
	assert_string_not_equal(handler_state(), "nodevice");
}

/*
 * Notifications were lost: the device it was on is gone, and one of its name
 * is there again. The same check loses it and takes the new one.
 */
static void test_check_devices_revives_lost(void **state)
{
	size_t n = 0;
	struct handler **hs = handler_hold_all(&D, &n);

	assert_int_equal(n, 1);
	hs[0]->port.ifindex = 0x7ffffff0;  /* the index of a device removed meanwhile */
	handler_put_all(hs, n);
	handler_check_devices(&D);
	harness_pump(&D);
	assert_true(harness_closed(&D, L));
	assert_true(harness_port_peer >= 0);
	close(P);   /* the device's end of the old port */
	P = harness_port_peer;
	harness_port_peer = -1;
	assert_string_not_equal(handler_state(), "nodevice");
}

static void closed_port_bind(struct port *p, const struct port_client *c, void *ctx)
{
}

static void closed_port_resume(struct port *p)
{
	fail_msg("the port of a handler waiting for its device was resumed");
}

/*
 * A handler waiting for its device holds no port: asking it to watch its
 * port and link does nothing (the closed port of a shared capture has no
 * back-end left to resume).
 */
static void test_nodevice_interest(void **state)
{
	static struct port_ops closed_shared;
	size_t n = 0;
	struct handler **hs;

	lose_device();
	hs = handler_hold_all(&D, &n);
	assert_int_equal(n, 1);
	closed_shared = *hs[0]->port.ops;
	closed_shared.bind = closed_port_bind;    /* a port of a shared capture */
	closed_shared.resume = closed_port_resume;
	hs[0]->port.ops = &closed_shared;
	handler_update_interest(hs[0]);
	handler_put_all(hs, n);
	assert_string_equal(handler_state(), "nodevice");
}

static unsigned int odd_reads;

static ssize_t odd_recv(struct port *p, struct virtio_net_hdr *vh, uint8_t *frame, size_t cap)
{
	odd_reads++;
	return -EPERM;     /* not known to be of one frame: nothing taken off the port */
}

/*
 * A receive error of no known kind that persists: the port, still readable,
 * is read again PORT_RX_ODD_HOLD_MS later, not at every turn of the loop
 * (harness_pump checks that the loop settles).
 */
static void test_odd_receive_error_holds(void **state)
{
	static struct port_ops odd;
	uint8_t eth[64];
	size_t n = 0;
	struct handler **hs = handler_hold_all(&D, &n);

	assert_int_equal(n, 1);
	odd = *hs[0]->port.ops;
	odd.recv = odd_recv;
	hs[0]->port.ops = &odd;
	handler_put_all(hs, n);
	eth_make(eth, sizeof(eth), OTHER, LISTED, 1);
	assert_true(device_sends(NULL, eth, sizeof(eth)));
	harness_pump(&D);
	assert_int_equal(odd_reads, 1);
	harness_advance(&D, PORT_RX_ODD_HOLD_MS - 1);
	assert_int_equal(odd_reads, 1);
	harness_advance(&D, 1);
	assert_int_equal(odd_reads, 2);
	assert_int_equal(harness_stat(&D, 0, "drop_capture"), 2);
	assert_int_equal(D.nhandlers, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capture_framed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inject_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guarded_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_optional_message_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protocol_error_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_error_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inject_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_and_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodevice_retries, setup_redial, teardown),
		cmocka_unit_test_setup_teardown(test_check_devices_revives_lost, setup_redial,
						teardown),
		cmocka_unit_test_setup_teardown(test_nodevice_interest, setup_redial, teardown),
		cmocka_unit_test_setup_teardown(test_odd_receive_error_holds, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
