// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gso_send.c - cut one super-frame with gso_segment and send the segments through a packet
 * socket, no offload (tests/net/t_gso_kernel.sh): the receiving kernel checks every IP header
 * and checksum as it would a NIC's segmentation.
 *
 *   gso_send IFNAME SRC_MAC DST_MAC KIND [CORRUPT]
 *
 * KIND: udp4 (UDP_L4: 20 datagrams of 1000 bytes, the last 500), tcp4 (TCPv4: 45 segments of
 * 1448 bytes) or tcp6 (TCPv6: 45 of 1440), all in 1514-byte frames; 198.18.0.1 -> 198.18.0.2
 * (fd00:c612::1 -> ::2), ports 40000 -> 5201; payload byte n of the super-frame is
 * (n * 7 + n / 251) & 0xff. The super-frame carries a partial checksum as the kernel hands one
 * over (the pseudo-header's sum in the field, lengths for the whole). CORRUPT: flip the last
 * byte of that segment (counting from 0) after the cut, a negative control. Prints "sent N".
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vnet/frame.h"
#include "vnet/gso.h"

#define MAX_FRAME   1514
#define SEGS        64

static uint8_t super[70000];
static uint8_t out[SEGS * MAX_FRAME];

static void wr16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6;
}

/* Build the super-frame of KIND; its length; vh set. */
static size_t build(const char *kind, const uint8_t src[6], const uint8_t dst[6],
		    struct virtio_net_hdr *vh)
{
	bool v6 = !strcmp(kind, "tcp6"), udp = !strcmp(kind, "udp4");
	size_t l3 = 14, l4 = l3 + (v6 ? 40 : 20), hdr = l4 + (udp ? 8 : 20);
	size_t mss = v6 ? 1440 : 1448, payload = udp ? 19500 : 45 * mss, len = hdr + payload;
	uint8_t *ip = super + l3, *t = super + l4;

	memset(super, 0, hdr);
	memcpy(super, dst, 6);
	memcpy(super + 6, src, 6);
	wr16(super + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		ip[0] = 0x60;
		wr16(ip + 4, (unsigned int)(len - l4));
		ip[6] = 6;
		ip[7] = 64;
		inet_pton(AF_INET6, "fd00:c612::1", ip + 8);
		inet_pton(AF_INET6, "fd00:c612::2", ip + 24);
	} else {
		ip[0] = 0x45;
		wr16(ip + 2, (unsigned int)(len - l3));
		wr16(ip + 4, 0x1234);
		wr16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = udp ? 17 : 6;
		inet_pton(AF_INET, "198.18.0.1", ip + 12);
		inet_pton(AF_INET, "198.18.0.2", ip + 16);
	}
	wr16(t, 40000);
	wr16(t + 2, 5201);
	if (udp) {
		wr16(t + 4, (unsigned int)(len - l4));
	} else {
		wr16(t + 4, 0x1000);            /* sequence 0x10000000 */
		wr16(t + 8, 0x2000);            /* ack */
		t[12] = 5 << 4;
		t[13] = 0x18;                   /* ACK PSH */
		wr16(t + 14, 512);
	}
	for (size_t n = 0; n < payload; n++)
		super[hdr + n] = (uint8_t)(n * 7 + n / 251);
	/* The pseudo-header's sum for the whole length in the checksum field (not inverted). */
	{
		uint32_t sum = 0;
		const uint8_t *a = v6 ? ip + 8 : ip + 12;
		size_t alen = v6 ? 32 : 8, field = l4 + (udp ? 6 : 16);

		for (size_t i = 0; i < alen; i += 2)
			sum += (uint32_t)a[i] << 8 | a[i + 1];
		sum += (udp ? 17 : 6) + (uint32_t)(len - l4);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		wr16(super + field, sum);
		vh->csum_offset = (uint16_t)(field - l4);
	}
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = udp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
		       v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = (uint16_t)(udp ? 1000 : mss);
	vh->hdr_len = (uint16_t)hdr;
	vh->csum_start = (uint16_t)l4;
	return len;
}

int main(int argc, char **argv)
{
	struct virtio_net_hdr vh = { 0 };
	struct sockaddr_ll sll = { 0 };
	uint8_t src[6], dst[6];
	size_t lens[SEGS], len;
	int n, fd, bad = -1;

	if (argc < 5 || !parse_mac(argv[2], src) || !parse_mac(argv[3], dst) ||
	    (strcmp(argv[4], "udp4") && strcmp(argv[4], "tcp4") && strcmp(argv[4], "tcp6"))) {
		fprintf(stderr, "usage: gso_send IFNAME SRC_MAC DST_MAC udp4|tcp4|tcp6 [CORRUPT]\n");
		return 2;
	}
	if (argc > 5)
		bad = atoi(argv[5]);
	len = build(argv[4], src, dst, &vh);
	n = gso_segment(&vh, super, len, MAX_FRAME, out, MAX_FRAME, SEGS, lens);
	if (n < 0) {
		fprintf(stderr, "gso_send: gso_segment: %s\n", strerror(-n));
		return 1;
	}
	if (bad >= 0 && bad < n)
		out[(size_t)bad * MAX_FRAME + lens[bad] - 1] ^= 0x5a;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("gso_send: socket");
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dst, 6);
	if (sll.sll_ifindex == 0) {
		perror("gso_send: if_nametoindex");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (sendto(fd, out + (size_t)i * MAX_FRAME, lens[i], 0, (struct sockaddr *)&sll,
			   sizeof(sll)) != (ssize_t)lens[i]) {
			perror("gso_send: sendto");
			return 1;
		}
	}
	close(fd);
	printf("sent %d\n", n);
	return 0;
}
