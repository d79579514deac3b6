// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf.c - classic BPF filter generator */
#include <errno.h>
#include <linux/if_packet.h>

#include "vnet/bpf.h"

#define STMT(c, k)          ((struct sock_filter){ (c), 0, 0, (k) })
#define JUMP(c, k, jt, jf)  ((struct sock_filter){ (c), (jt), (jf), (k) })

#define BPF_HEAD_LEN    8   /* the runt and loop checks before the addresses */

/* Octets [from, from + n) of an address, or of its mask, as a big-endian number. */
static uint32_t octets(const uint8_t *b, size_t from, size_t n)
{
	uint32_t v = 0;

	for (size_t i = from; i < from + n; i++)
		v = v << 8 | b[i];
	return v;
}

static uint32_t mask_octets(unsigned int len, size_t from, size_t n)
{
	uint8_t m[MAC_LEN];

	for (size_t i = 0; i < MAC_LEN; i++)
		m[i] = mac_mask_octet(len, i);
	return octets(m, from, n);
}

/* Instructions of one pattern's test (see bpf_build). */
static size_t pattern_len(const struct mac_pattern *p)
{
	if (p->len == 0)
		return 1;
	if (p->len <= 16)
		return p->len < 16 ? 4 : 3;
	return p->len < MAC_BITS ? 6 : 5;
}

size_t bpf_prog_len(const struct mac_pattern *macs, size_t n)
{
	size_t len = BPF_HEAD_LEN + 1;

	for (size_t a = 0; a < n; a++)
		len += pattern_len(&macs[a]);
	return len;
}

/*
 * Layout, so that every jump is short:
 *   ld len ; jge 14 -> on ; ret 0 (a runt frame)
 *   ldb pkttype ; jne OUTGOING -> addresses ; ld mark ; jne vnet's mark -> addresses ; ret 0
 *   for each address (5 instructions):
 *     ld [off+2] ; jne lo32 -> next ; ldh [off] ; jne hi16 -> next ; ret accept
 *   for each pattern, the same with "and mask" after a load whose octets the
 *   length covers in part, and without the load and test of octets it does
 *   not cover at all (/0: ret accept)
 *   ret 0
 * 802.1Q tags follow the source address: they move neither address.
 */
int bpf_build(enum vnet_config cfg, const struct mac_pattern *macs, size_t n, uint32_t mark,
	      struct sock_filter *prog, size_t cap)
{
	unsigned int off = cfg == VNET_LOCAL ? 0 : 6;
	size_t len = bpf_prog_len(macs, n), i = 0;

	if (n == 0)
		return -EINVAL;
	if (len > cap || len > BPF_MAXINSNS)
		return -E2BIG;

	prog[i++] = STMT(BPF_LD | BPF_W | BPF_LEN, 0);
	prog[i++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 14, 1, 0);
	prog[i++] = STMT(BPF_RET | BPF_K, 0);
	prog[i++] = STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE));
	prog[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 3);
	prog[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_MARK));
	prog[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, mark, 0, 1);
	prog[i++] = STMT(BPF_RET | BPF_K, 0);
	for (size_t a = 0; a < n; a++) {
		const struct mac_pattern *p = &macs[a];
		uint32_t hi = octets(p->b, 0, 2), hmask = mask_octets(p->len, 0, 2);
		uint32_t lo = octets(p->b, 2, 4), lmask = mask_octets(p->len, 2, 4);

		if (p->len > 16) {
			prog[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, off + 2);
			if (lmask != 0xffffffffu)
				prog[i++] = STMT(BPF_ALU | BPF_AND | BPF_K, lmask);
			prog[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo, 0, 3);
		}
		if (p->len > 0) {
			prog[i++] = STMT(BPF_LD | BPF_H | BPF_ABS, off);
			if (hmask != 0xffffu)
				prog[i++] = STMT(BPF_ALU | BPF_AND | BPF_K, hmask);
			prog[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 1);
		}
		prog[i++] = STMT(BPF_RET | BPF_K, BPF_ACCEPT_LEN);
	}
	prog[i++] = STMT(BPF_RET | BPF_K, 0);
	return (int)i;
}
