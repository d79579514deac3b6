// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf.c - classic BPF filter generator */
#include <errno.h>
#include <linux/if_packet.h>

#include "vnet/bpf.h"

#define STMT(c, k)          ((struct sock_filter){ (c), 0, 0, (k) })
#define JUMP(c, k, jt, jf)  ((struct sock_filter){ (c), (jt), (jf), (k) })

/*
 * Layout, 5 instructions an address so that every jump is short:
 *   ld len ; jge 14 -> on ; ret 0 (a runt frame)
 *   ldb pkttype ; jne OUTGOING -> addresses ; ld mark ; jne vnet's mark -> addresses ; ret 0
 *   for each address:  ld [off+2] ; jne lo32 -> next ; ldh [off] ; jne hi16 -> next ; ret accept
 *   ret 0
 */
int bpf_build(enum vnet_config cfg, const struct mac *macs, size_t n, uint32_t mark,
	      struct sock_filter *prog, size_t cap)
{
	unsigned int off = cfg == VNET_LOCAL ? 0 : 6;
	size_t len = BPF_PROG_LEN(n), i = 0;

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
		const uint8_t *b = macs[a].b;
		uint32_t lo = (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5];
		uint32_t hi = (uint32_t)b[0] << 8 | b[1];

		prog[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, off + 2);
		prog[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo, 0, 3);
		prog[i++] = STMT(BPF_LD | BPF_H | BPF_ABS, off);
		prog[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 1);
		prog[i++] = STMT(BPF_RET | BPF_K, BPF_ACCEPT_LEN);
	}
	prog[i++] = STMT(BPF_RET | BPF_K, 0);
	return (int)i;
}
