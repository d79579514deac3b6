// SPDX-License-Identifier: GPL-2.0-or-later
/* test_bpf.c - unit tests of the BPF filter generator, run on a small classic-BPF interpreter */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/bpf.h"
#include "vnet/frame.h"

/* Lists as long as one classic program holds (9 + 5 * 64 instructions, far below BPF_MAXINSNS). */
#define LIST_MAX 64
#define PROG_MAX BPF_PROG_LEN(LIST_MAX)

/* ---- a classic-BPF interpreter for the instructions bpf_build emits ---- */

struct pkt {
	const uint8_t *data;
	size_t len;
	uint32_t pkttype;   /* PACKET_HOST, PACKET_OUTGOING, ... */
	uint32_t mark;      /* skb->mark */
};

/*
 * Run prog on p and return what it returns. A load past the end of the packet
 * ends the program with 0 (reject), as in the kernel. An instruction the
 * generator is not expected to emit, or a jump outside the program, fails the
 * test.
 */
static uint32_t bpf_run(const struct sock_filter *prog, size_t len, const struct pkt *p)
{
	uint32_t a = 0;
	size_t pc = 0;

	for (;;) {
		const struct sock_filter *in;

		if (pc >= len)
			fail_msg("pc %zu ran off a %zu-instruction program", pc, len);
		in = &prog[pc];
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS: {
			size_t size = BPF_SIZE(in->code) == BPF_W ? 4 :
				      BPF_SIZE(in->code) == BPF_H ? 2 : 1;

			if (in->k >= (uint32_t)SKF_AD_OFF) {
				uint32_t ad = in->k - (uint32_t)SKF_AD_OFF;

				if (ad == SKF_AD_PKTTYPE)
					a = p->pkttype;
				else if (ad == SKF_AD_MARK)
					a = p->mark;
				else
					fail_msg("unexpected ancillary load %u", ad);
			} else if (in->k >= 0x80000000u) {
				fail_msg("unexpected negative offset load 0x%x", in->k);
			} else {
				if ((size_t)in->k + size > p->len)
					return 0;
				a = 0;
				for (size_t i = 0; i < size; i++)
					a = a << 8 | p->data[in->k + i];
			}
			pc++;
			break;
		}
		case BPF_LD | BPF_W | BPF_LEN:
			a = (uint32_t)p->len;
			pc++;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= in->k;
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == in->k ? in->jt : in->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= in->k ? in->jt : in->jf);
			break;
		case BPF_RET | BPF_K:
			return in->k;
		default:
			fail_msg("unexpected opcode 0x%x at %zu", in->code, pc);
		}
	}
}

/* The structural rules of the kernel's checker (sk_chk_filter / bpf_check_classic). */
static void check_structure(const struct sock_filter *prog, size_t len)
{
	assert_true(len >= 1);
	assert_true(len <= BPF_MAXINSNS);
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (in->k >= (uint32_t)SKF_AD_OFF) {
				uint32_t ad = in->k - (uint32_t)SKF_AD_OFF;

				assert_true(ad == SKF_AD_PKTTYPE || ad == SKF_AD_MARK);
			} else {
				assert_true(in->k < 0x80000000u);
			}
			assert_int_equal(in->jt, 0);
			assert_int_equal(in->jf, 0);
			break;
		case BPF_LD | BPF_W | BPF_LEN:
		case BPF_ALU | BPF_AND | BPF_K:
			assert_int_equal(in->jt, 0);
			assert_int_equal(in->jf, 0);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
			if (pc + 1 + in->jt >= len || pc + 1 + in->jf >= len)
				fail_msg("jump at %zu (jt %u jf %u) leaves a %zu-instruction program",
					 pc, in->jt, in->jf, len);
			break;
		case BPF_RET | BPF_K:
			assert_int_equal(in->jt, 0);
			assert_int_equal(in->jf, 0);
			break;
		default:
			fail_msg("unexpected opcode 0x%x at %zu", in->code, pc);
		}
	}
	assert_int_equal(BPF_CLASS(prog[len - 1].code), BPF_RET);
}

/* ---- frames and address lists ---- */

static const struct mac mac_a = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a } };
static const struct mac mac_b = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b } };
static const struct mac mac_bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

/* A 60-byte IPv4 frame from src to dst. */
static size_t make_frame(uint8_t *f, size_t cap, const struct mac *dst, const struct mac *src)
{
	size_t len = 60;

	assert_true(cap >= len);
	memcpy(f, dst->b, MAC_LEN);
	memcpy(f + 6, src->b, MAC_LEN);
	f[12] = 0x08;
	f[13] = 0x00;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7);
	return len;
}

/* 64 distinct addresses that differ in various octets. */
static void make_list(struct mac *macs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		macs[i].b[0] = (uint8_t)(0x02 | (i & 3) << 2);
		macs[i].b[1] = (uint8_t)(i * 37);
		macs[i].b[2] = 0x5e;
		macs[i].b[3] = (uint8_t)(i >> 2);
		macs[i].b[4] = (uint8_t)~i;
		macs[i].b[5] = (uint8_t)(i * 11 + 1);
	}
}

static void to_patterns(const struct mac *macs, size_t n, struct mac_pattern *out)
{
	for (size_t i = 0; i < n; i++)
		mac_pattern_of(&macs[i], &out[i]);
}

/* The program of a list of exact addresses: 5 instructions each. */
static int build(enum vnet_config cfg, const struct mac *macs, size_t n,
		 struct sock_filter *prog, size_t cap)
{
	struct mac_pattern pats[LIST_MAX + 1];
	int len;

	assert_true(n <= ARRAY_SIZE(pats));
	to_patterns(macs, n, pats);
	len = bpf_build(cfg, pats, n, VNET_MARK, prog, cap);
	assert_int_equal(len, 9 + 5 * n);
	assert_int_equal(len, bpf_prog_len(pats, n));
	check_structure(prog, (size_t)len);
	return len;
}

/* The program of a list of patterns given as text. */
static int build_text(enum vnet_config cfg, const char *const *text, size_t n,
		      struct sock_filter *prog, size_t cap)
{
	struct mac_pattern pats[LIST_MAX];
	const char *why;
	int len;

	assert_true(n <= ARRAY_SIZE(pats));
	for (size_t i = 0; i < n; i++)
		if (!mac_pattern_parse(text[i], &pats[i], &why))
			fail_msg("%s: %s", text[i], why);
	len = bpf_build(cfg, pats, n, VNET_MARK, prog, cap);
	assert_true(len > 0);
	assert_int_equal(len, bpf_prog_len(pats, n));
	assert_true((size_t)len <= BPF_PROG_LEN(n));
	check_structure(prog, (size_t)len);
	return len;
}

/* Run the filter on a frame from src to dst. */
static uint32_t run_frame(const struct sock_filter *prog, int len, const struct mac *dst,
			  const struct mac *src, uint32_t pkttype, uint32_t mark)
{
	uint8_t f[64];
	struct pkt p;

	p.len = make_frame(f, sizeof(f), dst, src);
	p.data = f;
	p.pkttype = pkttype;
	p.mark = mark;
	return bpf_run(prog, (size_t)len, &p);
}

static const uint32_t incoming_types[] = {
	PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST,
};

/* ---- tests ---- */

static void test_local_matches_destination(void **state)
{
	struct sock_filter prog[PROG_MAX];
	int len = build(VNET_LOCAL, &mac_a, 1, prog, ARRAY_SIZE(prog));

	for (size_t t = 0; t < ARRAY_SIZE(incoming_types); t++) {
		assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, incoming_types[t], 0),
				 BPF_ACCEPT_LEN);
		assert_int_equal(run_frame(prog, len, &mac_b, &mac_a, incoming_types[t], 0), 0);
		assert_int_equal(run_frame(prog, len, &mac_b, &mac_b, incoming_types[t], 0), 0);
	}
	/* The host's own outgoing frames, unmarked, are bridged too. */
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, PACKET_OUTGOING, 0), BPF_ACCEPT_LEN);
	assert_int_equal(run_frame(prog, len, &mac_b, &mac_a, PACKET_OUTGOING, 0), 0);
	/* Source and destination both listed. */
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_a, PACKET_HOST, 0), BPF_ACCEPT_LEN);
}

static void test_remote_matches_source(void **state)
{
	struct sock_filter prog[PROG_MAX];
	int len = build(VNET_REMOTE, &mac_a, 1, prog, ARRAY_SIZE(prog));

	for (size_t t = 0; t < ARRAY_SIZE(incoming_types); t++) {
		assert_int_equal(run_frame(prog, len, &mac_b, &mac_a, incoming_types[t], 0),
				 BPF_ACCEPT_LEN);
		assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, incoming_types[t], 0), 0);
		assert_int_equal(run_frame(prog, len, &mac_b, &mac_b, incoming_types[t], 0), 0);
	}
	assert_int_equal(run_frame(prog, len, &mac_b, &mac_a, PACKET_OUTGOING, 0), BPF_ACCEPT_LEN);
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, PACKET_OUTGOING, 0), 0);
	assert_int_equal(run_frame(prog, len, &mac_bcast, &mac_a, PACKET_HOST, 0), BPF_ACCEPT_LEN);
}

static void test_list_of_64(void **state)
{
	struct mac macs[LIST_MAX];
	struct sock_filter prog[PROG_MAX];
	const enum vnet_config cfgs[] = { VNET_LOCAL, VNET_REMOTE };

	make_list(macs, LIST_MAX);
	for (size_t c = 0; c < ARRAY_SIZE(cfgs); c++) {
		int len = build(cfgs[c], macs, LIST_MAX, prog, ARRAY_SIZE(prog));

		assert_int_equal(len, 9 + 5 * LIST_MAX);
		for (size_t i = 0; i < LIST_MAX; i++) {
			const struct mac *dst = cfgs[c] == VNET_LOCAL ? &macs[i] : &mac_b;
			const struct mac *src = cfgs[c] == VNET_LOCAL ? &mac_b : &macs[i];

			if (run_frame(prog, len, dst, src, PACKET_HOST, 0) != BPF_ACCEPT_LEN)
				fail_msg("config %d: address %zu of 64 not matched", (int)cfgs[c], i);
			/* The other direction does not match. */
			assert_int_equal(run_frame(prog, len, src, dst, PACKET_HOST, 0), 0);
		}
		/* An address not in the list. */
		assert_int_equal(run_frame(prog, len, &mac_a, &mac_a, PACKET_HOST, 0), 0);
		assert_int_equal(run_frame(prog, len, &mac_bcast, &mac_bcast, PACKET_HOST, 0), 0);
	}
}

/* Every list length from 1 to 64: the right length, a valid structure, every address found. */
static void test_every_list_length(void **state)
{
	struct mac macs[LIST_MAX];
	struct sock_filter prog[PROG_MAX];

	make_list(macs, LIST_MAX);
	for (size_t n = 1; n <= LIST_MAX; n++) {
		int len = build(VNET_LOCAL, macs, n, prog, ARRAY_SIZE(prog));

		for (size_t i = 0; i < LIST_MAX; i++)
			assert_int_equal(run_frame(prog, len, &macs[i], &mac_b, PACKET_HOST, 0),
					 i < n ? BPF_ACCEPT_LEN : 0);
		len = build(VNET_REMOTE, macs, n, prog, ARRAY_SIZE(prog));
		for (size_t i = 0; i < LIST_MAX; i++)
			assert_int_equal(run_frame(prog, len, &mac_b, &macs[i], PACKET_HOST, 0),
					 i < n ? BPF_ACCEPT_LEN : 0);
	}
}

static void test_broadcast_entry(void **state)
{
	const struct mac macs[] = { mac_a, mac_bcast };
	const struct mac mcast = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 } };
	const struct mac almost = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe } };
	struct sock_filter prog[PROG_MAX];
	int len = build(VNET_LOCAL, macs, 2, prog, ARRAY_SIZE(prog));

	assert_int_equal(run_frame(prog, len, &mac_bcast, &mac_b, PACKET_BROADCAST, 0),
			 BPF_ACCEPT_LEN);
	assert_int_equal(run_frame(prog, len, &mac_bcast, &mac_b, PACKET_OUTGOING, 0),
			 BPF_ACCEPT_LEN);
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, PACKET_HOST, 0), BPF_ACCEPT_LEN);
	assert_int_equal(run_frame(prog, len, &mcast, &mac_b, PACKET_MULTICAST, 0), 0);
	assert_int_equal(run_frame(prog, len, &almost, &mac_b, PACKET_MULTICAST, 0), 0);
	/* A bridged broadcast, marked by vnet, is not captured again. */
	assert_int_equal(run_frame(prog, len, &mac_bcast, &mac_b, PACKET_OUTGOING, VNET_MARK), 0);
}

/* Addresses that differ from a listed one only in the first 2 octets, or only in the last 4. */
static void test_near_misses(void **state)
{
	const struct mac target = { { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc } };
	const enum vnet_config cfgs[] = { VNET_LOCAL, VNET_REMOTE };
	struct sock_filter prog[PROG_MAX];

	for (size_t c = 0; c < ARRAY_SIZE(cfgs); c++) {
		int len = build(cfgs[c], &target, 1, prog, ARRAY_SIZE(prog));
		struct mac m;

#define RUN(m) (cfgs[c] == VNET_LOCAL ? run_frame(prog, len, (m), &mac_b, PACKET_HOST, 0) \
				      : run_frame(prog, len, &mac_b, (m), PACKET_HOST, 0))
		assert_int_equal(RUN(&target), BPF_ACCEPT_LEN);

		/* First 2 octets differ, last 4 equal. */
		m = target;
		m.b[0] ^= 0xff;
		assert_int_equal(RUN(&m), 0);
		m = target;
		m.b[1] ^= 0x01;
		assert_int_equal(RUN(&m), 0);
		m = target;
		m.b[0] ^= 0x10;
		m.b[1] ^= 0x80;
		assert_int_equal(RUN(&m), 0);

		/* Last 4 octets differ, first 2 equal. */
		for (int i = 2; i < MAC_LEN; i++) {
			m = target;
			m.b[i] ^= 0x01;
			assert_int_equal(RUN(&m), 0);
		}
		m = target;
		m.b[2] = m.b[3] = m.b[4] = m.b[5] = 0;
		assert_int_equal(RUN(&m), 0);

		/* Every single-bit difference. */
		for (int bit = 0; bit < 8 * MAC_LEN; bit++) {
			m = target;
			m.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (RUN(&m) != 0)
				fail_msg("config %d: address with bit %d flipped accepted",
					 (int)cfgs[c], bit);
		}
		/* The two halves of the address swapped around. */
		m = target;
		memmove(m.b, target.b + 4, 2);
		memmove(m.b + 2, target.b, 4);
		assert_int_equal(RUN(&m), 0);
#undef RUN
	}
}

static void test_outgoing_marked_rejected(void **state)
{
	const struct mac macs[] = { mac_a, mac_b, mac_bcast };
	struct sock_filter prog[PROG_MAX];
	int len;

	len = build(VNET_LOCAL, macs, 3, prog, ARRAY_SIZE(prog));
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, PACKET_OUTGOING, VNET_MARK), 0);
	assert_int_equal(run_frame(prog, len, &mac_b, &mac_a, PACKET_OUTGOING, VNET_MARK), 0);
	assert_int_equal(run_frame(prog, len, &mac_bcast, &mac_a, PACKET_OUTGOING, VNET_MARK), 0);
	len = build(VNET_REMOTE, macs, 3, prog, ARRAY_SIZE(prog));
	assert_int_equal(run_frame(prog, len, &mac_b, &mac_a, PACKET_OUTGOING, VNET_MARK), 0);
	assert_int_equal(run_frame(prog, len, &mac_bcast, &mac_b, PACKET_OUTGOING, VNET_MARK), 0);
}

static void test_outgoing_other_mark_accepted(void **state)
{
	const uint32_t marks[] = { 0, 1, VNET_MARK ^ 1, VNET_MARK ^ 0x80000000u, VNET_MARK >> 8,
				   0xffffffffu };
	struct sock_filter prog[PROG_MAX];
	int llen, rlen;
	struct sock_filter rprog[PROG_MAX];

	llen = build(VNET_LOCAL, &mac_a, 1, prog, ARRAY_SIZE(prog));
	rlen = build(VNET_REMOTE, &mac_a, 1, rprog, ARRAY_SIZE(rprog));
	for (size_t i = 0; i < ARRAY_SIZE(marks); i++) {
		assert_int_equal(run_frame(prog, llen, &mac_a, &mac_b, PACKET_OUTGOING, marks[i]),
				 BPF_ACCEPT_LEN);
		assert_int_equal(run_frame(prog, llen, &mac_b, &mac_a, PACKET_OUTGOING, marks[i]), 0);
		assert_int_equal(run_frame(rprog, rlen, &mac_b, &mac_a, PACKET_OUTGOING, marks[i]),
				 BPF_ACCEPT_LEN);
		assert_int_equal(run_frame(rprog, rlen, &mac_a, &mac_b, PACKET_OUTGOING, marks[i]), 0);
	}
}

static void test_incoming_marked_accepted(void **state)
{
	struct sock_filter prog[PROG_MAX];
	int len = build(VNET_LOCAL, &mac_a, 1, prog, ARRAY_SIZE(prog));

	for (size_t t = 0; t < ARRAY_SIZE(incoming_types); t++) {
		assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, incoming_types[t], VNET_MARK),
				 BPF_ACCEPT_LEN);
		assert_int_equal(run_frame(prog, len, &mac_b, &mac_a, incoming_types[t], VNET_MARK),
				 0);
	}
}

/* The mark is the caller's, not a constant baked in. */
static void test_mark_parameter(void **state)
{
	struct sock_filter prog[PROG_MAX];
	struct mac_pattern pat;
	int len;

	mac_pattern_of(&mac_a, &pat);
	len = bpf_build(VNET_LOCAL, &pat, 1, 0x1234u, prog, ARRAY_SIZE(prog));
	assert_int_equal(len, 9 + 5);
	check_structure(prog, (size_t)len);
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, PACKET_OUTGOING, 0x1234u), 0);
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, PACKET_OUTGOING, VNET_MARK),
			 BPF_ACCEPT_LEN);
	assert_int_equal(run_frame(prog, len, &mac_a, &mac_b, PACKET_HOST, 0x1234u),
			 BPF_ACCEPT_LEN);
}

/* Every frame shorter than an Ethernet header is rejected, even if its addresses match. */
static void test_short_frames_rejected(void **state)
{
	const enum vnet_config cfgs[] = { VNET_LOCAL, VNET_REMOTE };
	struct sock_filter prog[PROG_MAX];
	uint8_t f[64];
	size_t full = make_frame(f, sizeof(f), &mac_a, &mac_a);    /* matches either way */
	int bad = 0;

	for (size_t c = 0; c < ARRAY_SIZE(cfgs); c++) {
		int len = build(cfgs[c], &mac_a, 1, prog, ARRAY_SIZE(prog));

		for (size_t n = 0; n < FRAME_ETH_MIN; n++) {
			/* An exact-size copy, so that an over-read would show under ASan. */
			uint8_t *copy = malloc(n ? n : 1);
			struct pkt p = { copy, n, PACKET_HOST, 0 };
			uint32_t ret;

			assert_non_null(copy);
			memcpy(copy, f, n);
			ret = bpf_run(prog, (size_t)len, &p);
			free(copy);
			if (ret != 0) {
				print_error("config %s: %zu-byte frame accepted (returned 0x%x)\n",
					    cfgs[c] == VNET_LOCAL ? "LOCAL" : "REMOTE", n, ret);
				bad++;
			}
		}
		/* A frame of exactly 14 bytes and the whole one are accepted. */
		{
			struct pkt p = { f, FRAME_ETH_MIN, PACKET_HOST, 0 };

			assert_int_equal(bpf_run(prog, (size_t)len, &p), BPF_ACCEPT_LEN);
			p.len = full;
			assert_int_equal(bpf_run(prog, (size_t)len, &p), BPF_ACCEPT_LEN);
		}
	}
	assert_int_equal(bad, 0);
}

static void test_accept_value(void **state)
{
	struct mac macs[LIST_MAX];
	struct sock_filter prog[PROG_MAX];
	int len, accepts = 0;

	assert_true(BPF_ACCEPT_LEN >= 65536);
	assert_true(BPF_ACCEPT_LEN >= FRAME_ETH_MAX);
	make_list(macs, LIST_MAX);
	len = build(VNET_REMOTE, macs, LIST_MAX, prog, ARRAY_SIZE(prog));
	for (int pc = 0; pc < len; pc++) {
		if (prog[pc].code != (BPF_RET | BPF_K) || prog[pc].k == 0)
			continue;
		assert_int_equal(prog[pc].k, BPF_ACCEPT_LEN);
		assert_true(prog[pc].k >= 65536);
		accepts++;
	}
	assert_int_equal(accepts, LIST_MAX);
}

static void test_no_addresses(void **state)
{
	struct sock_filter prog[PROG_MAX];
	struct mac_pattern pat;

	mac_pattern_of(&mac_a, &pat);
	assert_int_equal(bpf_build(VNET_LOCAL, &pat, 0, VNET_MARK, prog, ARRAY_SIZE(prog)),
			 -EINVAL);
	assert_int_equal(bpf_build(VNET_REMOTE, &pat, 0, VNET_MARK, prog, ARRAY_SIZE(prog)),
			 -EINVAL);
}

static void test_cap_too_small(void **state)
{
	struct mac list[LIST_MAX];
	struct mac_pattern macs[LIST_MAX];
	struct sock_filter prog[PROG_MAX + 1];
	const struct sock_filter guard = { 0xdead, 0x11, 0x22, 0xcafef00d };

	make_list(list, LIST_MAX);
	to_patterns(list, LIST_MAX, macs);
	for (size_t n = 1; n <= LIST_MAX; n += 21) {
		size_t need = 9 + 5 * n;

		for (size_t i = 0; i < ARRAY_SIZE(prog); i++)
			prog[i] = guard;
		assert_int_equal(bpf_build(VNET_LOCAL, macs, n, VNET_MARK, prog, need - 1), -E2BIG);
		assert_int_equal(bpf_build(VNET_LOCAL, macs, n, VNET_MARK, prog, 0), -E2BIG);
		assert_int_equal(bpf_build(VNET_LOCAL, macs, n, VNET_MARK, prog, 5), -E2BIG);
		/* Nothing written. */
		for (size_t i = 0; i < ARRAY_SIZE(prog); i++)
			assert_memory_equal(&prog[i], &guard, sizeof(guard));

		/* Exactly enough: all of it written, nothing past it. */
		assert_int_equal(bpf_build(VNET_LOCAL, macs, n, VNET_MARK, prog, need), (int)need);
		check_structure(prog, need);
		assert_memory_equal(&prog[need], &guard, sizeof(guard));
	}
}

/* No program longer than the kernel accepts (BPF_MAXINSNS), whatever the cap. */
static void test_kernel_limit(void **state)
{
	size_t n_max = (BPF_MAXINSNS - 9) / 5;  /* the most addresses that fit */
	struct mac_pattern *macs = calloc(n_max + 1, sizeof(*macs));
	struct sock_filter *prog = calloc(BPF_PROG_LEN(n_max + 1), sizeof(*prog));
	int len;

	assert_non_null(macs);
	assert_non_null(prog);
	for (size_t i = 0; i <= n_max; i++) {
		macs[i].b[0] = 0x02;
		macs[i].b[4] = (uint8_t)(i >> 8);
		macs[i].b[5] = (uint8_t)i;
		macs[i].len = MAC_BITS;
	}
	len = bpf_build(VNET_LOCAL, macs, n_max, VNET_MARK, prog, BPF_PROG_LEN(n_max + 1));
	assert_int_equal(len, 9 + 5 * n_max);
	assert_true(len <= BPF_MAXINSNS);
	check_structure(prog, (size_t)len);
	{
		struct mac last;

		memcpy(last.b, macs[n_max - 1].b, MAC_LEN);
		assert_int_equal(run_frame(prog, len, &last, &mac_b, PACKET_HOST, 0),
				 BPF_ACCEPT_LEN);
	}
	assert_int_equal(bpf_build(VNET_LOCAL, macs, n_max + 1, VNET_MARK, prog,
				   BPF_PROG_LEN(n_max + 1)), -E2BIG);
	free(prog);
	free(macs);
}

/* IPv6's groups by one pattern: every 33:33 address, nothing else multicast. */
static void test_ipv6_pattern(void **state)
{
	static const char *const list[] = { "02:00:c6:12:00:0a", "33:33:00:00:00:00/16",
					    "ff:ff:ff:ff:ff:ff" };
	static const char *const yes[] = { "33:33:00:00:00:01", "33:33:ff:12:00:0a",
					   "33:33:00:00:00:00", "33:33:ff:ff:ff:ff",
					   "02:00:c6:12:00:0a", "ff:ff:ff:ff:ff:ff" };
	static const char *const no[] = { "01:00:5e:00:00:01", "33:32:00:00:00:01",
					  "33:73:00:00:00:01", "b3:33:00:00:00:01",
					  "02:00:c6:12:00:0b", "ff:ff:ff:ff:ff:fe" };
	const enum vnet_config cfgs[] = { VNET_LOCAL, VNET_REMOTE };
	struct sock_filter prog[PROG_MAX];

	for (size_t c = 0; c < ARRAY_SIZE(cfgs); c++) {
		int len = build_text(cfgs[c], list, ARRAY_SIZE(list), prog, ARRAY_SIZE(prog));
		struct mac m;

		assert_int_equal(len, 9 + 5 + 3 + 5);
#define RUN(m) (cfgs[c] == VNET_LOCAL ? run_frame(prog, len, (m), &mac_b, PACKET_HOST, 0) \
				      : run_frame(prog, len, &mac_b, (m), PACKET_HOST, 0))
		for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
			assert_true(mac_parse(yes[i], &m));
			if (RUN(&m) != BPF_ACCEPT_LEN)
				fail_msg("%s not accepted", yes[i]);
		}
		for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
			assert_true(mac_parse(no[i], &m));
			if (RUN(&m) != 0)
				fail_msg("%s accepted", no[i]);
		}
		/* Marked outgoing frames stay out, patterns or not. */
		assert_true(mac_parse("33:33:00:00:00:01", &m));
		assert_int_equal(cfgs[c] == VNET_LOCAL ?
				 run_frame(prog, len, &m, &mac_b, PACKET_OUTGOING, VNET_MARK) :
				 run_frame(prog, len, &mac_b, &m, PACKET_OUTGOING, VNET_MARK), 0);
#undef RUN
	}
}

/* A pattern of every length 0-48: a bit flipped inside the prefix misses, beyond it matches. */
static void test_every_prefix_length(void **state)
{
	static const struct mac base = { { 0xb5, 0x6a, 0xd3, 0x3c, 0xe1, 0x9f } };
	struct sock_filter prog[PROG_MAX];

	for (unsigned int plen = 0; plen <= MAC_BITS; plen++) {
		struct mac_pattern p;
		int len;

		for (size_t i = 0; i < MAC_LEN; i++)
			p.b[i] = base.b[i] & mac_mask_octet(plen, i);
		p.len = (uint8_t)plen;
		len = bpf_build(VNET_LOCAL, &p, 1, VNET_MARK, prog, ARRAY_SIZE(prog));
		assert_int_equal(len, bpf_prog_len(&p, 1));
		assert_true((size_t)len <= BPF_PROG_LEN(1));
		check_structure(prog, (size_t)len);
		assert_int_equal(run_frame(prog, len, &base, &mac_b, PACKET_HOST, 0), BPF_ACCEPT_LEN);
		for (unsigned int bit = 0; bit < MAC_BITS; bit++) {
			struct mac m = base;
			uint32_t want = bit < plen ? 0 : BPF_ACCEPT_LEN;

			m.b[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
			if (run_frame(prog, len, &m, &mac_b, PACKET_HOST, 0) != want)
				fail_msg("/%u with bit %u flipped: want %s", plen, bit,
					 want ? "accepted" : "rejected");
		}
	}
}

static uint32_t rnd(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

/* Compare the filter with a model on pseudo-random frames and lists. */
static void test_random_against_model(void **state)
{
	uint32_t seed = 12345;
	struct mac_pattern macs[LIST_MAX];
	struct sock_filter prog[PROG_MAX];

	for (int round = 0; round < 400; round++) {
		size_t n = 1 + rnd(&seed) % LIST_MAX;
		enum vnet_config cfg = rnd(&seed) & 1 ? VNET_LOCAL : VNET_REMOTE;
		bool patterns = round & 1;  /* every other round, lengths 0-48 */
		int len;

		for (size_t i = 0; i < n; i++) {
			/* Mostly long prefixes: a /0 in every list would accept everything. */
			macs[i].len = !patterns ? MAC_BITS : rnd(&seed) % 8 == 0 ? rnd(&seed) % 49 :
				      (uint8_t)(24 + rnd(&seed) % 25);
			for (int j = 0; j < MAC_LEN; j++) {  /* few values early: share prefixes */
				macs[i].b[j] = (uint8_t)(j < 3 ? rnd(&seed) & 3 : rnd(&seed));
				macs[i].b[j] &= mac_mask_octet(macs[i].len, (size_t)j);
			}
		}
		len = bpf_build(cfg, macs, n, VNET_MARK, prog, ARRAY_SIZE(prog));
		assert_int_equal(len, bpf_prog_len(macs, n));
		check_structure(prog, (size_t)len);
		for (int k = 0; k < 50; k++) {
			uint8_t f[64];
			struct pkt p;
			bool listed = false;
			uint32_t want;

			p.data = f;
			p.len = FRAME_ETH_MIN + rnd(&seed) % 47;
			p.pkttype = rnd(&seed) % 5;
			p.mark = rnd(&seed) & 1 ? VNET_MARK : rnd(&seed);
			for (size_t i = 0; i < sizeof(f); i++)
				f[i] = (uint8_t)rnd(&seed);
			if (rnd(&seed) & 1) {   /* a listed address, half of the time */
				size_t where = rnd(&seed) & 1 ? 0 : 6;

				memcpy(f + where, macs[rnd(&seed) % n].b, MAC_LEN);
			}
			{
				struct mac m;

				memcpy(m.b, f + (cfg == VNET_LOCAL ? 0 : 6), MAC_LEN);
				listed = mac_in_list(&m, macs, n);
			}
			want = p.pkttype == PACKET_OUTGOING && p.mark == VNET_MARK ? 0 :
			       listed ? BPF_ACCEPT_LEN : 0;
			assert_int_equal(bpf_run(prog, (size_t)len, &p), want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_matches_destination),
		cmocka_unit_test(test_remote_matches_source),
		cmocka_unit_test(test_list_of_64),
		cmocka_unit_test(test_every_list_length),
		cmocka_unit_test(test_broadcast_entry),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_outgoing_marked_rejected),
		cmocka_unit_test(test_outgoing_other_mark_accepted),
		cmocka_unit_test(test_incoming_marked_accepted),
		cmocka_unit_test(test_mark_parameter),
		cmocka_unit_test(test_short_frames_rejected),
		cmocka_unit_test(test_accept_value),
		cmocka_unit_test(test_no_addresses),
		cmocka_unit_test(test_cap_too_small),
		cmocka_unit_test(test_kernel_limit),
		cmocka_unit_test(test_ipv6_pattern),
		cmocka_unit_test(test_every_prefix_length),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests_name("bpf", tests, NULL, NULL);
}
