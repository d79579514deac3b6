// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ebpf.c - the eBPF socket filter of a shared capture, built as instructions (pure)
 *
 * No compiler toolchain at run time: the program is short and fixed but for
 * the mark and the map descriptors, so it is written here instruction by
 * instruction, as the kernel's own samples do with their BPF_* macros.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <stddef.h>
#include <string.h>

#include "vnet/ebpf.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (o), .imm = (i) })
#define MOV64_REG(d, s)     INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)     INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i)     INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX_W(d, s, o)      INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ST_W(d, o, i)       INSN(BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP32_IMM(op, d, i, o) INSN(BPF_JMP32 | (op) | BPF_K, d, 0, o, i)
#define CALL(f)             INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()              INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* A map's descriptor into a register: two instructions, the second all zero. */
#define LD_MAP_FD(d, fd)    INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd)
#define LD_MAP_FD_HI()      INSN(0, 0, 0, 0, 0)

#define R0 0
#define R1 1
#define R2 2
#define R3 3
#define R4 4
#define R6 6
#define R10 10

/* The key on the stack: prefix length at fp-16, the address right after it. */
#define KEY_OFF     (-16)
#define KEY_MAC_OFF (KEY_OFF + 4)
#define SKB(field)  ((int16_t)offsetof(struct __sk_buff, field))

void ebpf_key_of(const struct mac_pattern *p, uint8_t key[EBPF_KEY_LEN])
{
	uint32_t len = p->len;

	memcpy(key, &len, 4);   /* host order, as the kernel reads it */
	memcpy(key + 4, p->b, MAC_LEN);
}

/*
 * r6 = ctx ; r0 = len ; if r0 < 14 -> drop
 * r0 = pkt_type ; if r0 != OUTGOING -> lookups ; r0 = mark ; if r0 == mark -> drop
 * [fp-16] = 48
 * for each side: r0 = bpf_skb_load_bytes(ctx, 0 or 6, fp-12, 6) ; if r0 != 0 -> drop
 *                r0 = bpf_map_lookup_elem(map, fp-16) ; if r0 != 0 -> accept
 * drop: r0 = 0 ; exit
 * accept: r0 = EBPF_ACCEPT_LEN ; exit
 * 8 + 13 a side + 4 instructions; the helpers clobber r1-r5, hence r6.
 */
static void emit(struct bpf_insn *prog, size_t *i, struct bpf_insn in)
{
	prog[(*i)++] = in;
}

int ebpf_build(uint32_t mark, const int map_fd[EBPF_SIDES], struct bpf_insn *prog, size_t cap)
{
	const size_t len = 8 + 13 * EBPF_SIDES + 4, drop = len - 4, accept = len - 2;
	size_t i = 0;

#define TO(target) ((int16_t)((target) - i - 1))    /* jump offset of the next instruction */
	if (len > cap)
		return -E2BIG;
	emit(prog, &i, MOV64_REG(R6, R1));
	emit(prog, &i, LDX_W(R0, R6, SKB(len)));
	emit(prog, &i, JMP_IMM(BPF_JLT, R0, 14, TO(drop)));
	emit(prog, &i, LDX_W(R0, R6, SKB(pkt_type)));
	emit(prog, &i, JMP_IMM(BPF_JNE, R0, PACKET_OUTGOING, 2));
	emit(prog, &i, LDX_W(R0, R6, SKB(mark)));
	emit(prog, &i, JMP32_IMM(BPF_JEQ, R0, (int32_t)mark, TO(drop)));
	emit(prog, &i, ST_W(R10, KEY_OFF, MAC_BITS));
	for (int side = 0; side < EBPF_SIDES; side++) {
		emit(prog, &i, MOV64_REG(R1, R6));
		emit(prog, &i, MOV64_IMM(R2, side == EBPF_DST ? 0 : MAC_LEN));
		emit(prog, &i, MOV64_REG(R3, R10));
		emit(prog, &i, ADD64_IMM(R3, KEY_MAC_OFF));
		emit(prog, &i, MOV64_IMM(R4, MAC_LEN));
		emit(prog, &i, CALL(BPF_FUNC_skb_load_bytes));
		emit(prog, &i, JMP_IMM(BPF_JNE, R0, 0, TO(drop)));
		emit(prog, &i, LD_MAP_FD(R1, map_fd[side]));
		emit(prog, &i, LD_MAP_FD_HI());
		emit(prog, &i, MOV64_REG(R2, R10));
		emit(prog, &i, ADD64_IMM(R2, KEY_OFF));
		emit(prog, &i, CALL(BPF_FUNC_map_lookup_elem));
		emit(prog, &i, JMP_IMM(BPF_JNE, R0, 0, TO(accept)));
	}
#undef TO
	emit(prog, &i, MOV64_IMM(R0, 0));
	emit(prog, &i, EXIT());
	emit(prog, &i, MOV64_IMM(R0, (int32_t)EBPF_ACCEPT_LEN));
	emit(prog, &i, EXIT());
	return (int)i;
}
