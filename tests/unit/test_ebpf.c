// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ebpf.c - unit tests of the shared capture's eBPF filter
 *
 * The generated program runs here on a small interpreter of the instructions
 * it uses, with the LPM-trie maps emulated by lists of patterns: runts,
 * vnet's own frames, each side, the union of several handlers' lists, adding
 * and removing. Run as root, the program also goes through the kernel's
 * verifier and runs in the kernel (BPF_PROG_TEST_RUN) on real LPM tries;
 * without the privilege those tests are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "vnet/common.h"
#include "vnet/ebpf.h"

#define MAP_MAX 64

/* ---- an emulated LPM-trie map: its keys as patterns ---- */

struct map {
	struct mac_pattern p[MAP_MAX];
	size_t n;
};

static struct map maps[EBPF_SIDES];
static const int map_fds[EBPF_SIDES] = { 100, 101 };

static void map_add(enum ebpf_side side, const char *s)
{
	struct mac_pattern p;
	const char *why;

	assert_true(mac_pattern_parse(s, &p, &why));
	assert_true(maps[side].n < MAP_MAX);
	maps[side].p[maps[side].n++] = p;
}

static void map_del(enum ebpf_side side, const char *s)
{
	struct mac_pattern p;
	const char *why;

	assert_true(mac_pattern_parse(s, &p, &why));
	for (size_t i = 0; i < maps[side].n; i++) {
		if (mac_pattern_equal(&maps[side].p[i], &p)) {
			maps[side].p[i] = maps[side].p[--maps[side].n];
			return;
		}
	}
	fail_msg("%s not in the map", s);
}

static void maps_clear(void)
{
	memset(maps, 0, sizeof(maps));
}

/* Longest-prefix lookup of a full key: is some entry a prefix of it? */
static bool map_lookup(int fd, const uint8_t key[EBPF_KEY_LEN])
{
	struct map *m = fd == map_fds[EBPF_DST] ? &maps[EBPF_DST] :
			fd == map_fds[EBPF_SRC] ? &maps[EBPF_SRC] : NULL;
	struct mac addr;
	uint32_t len;

	if (!m)
		fail_msg("lookup in map %d", fd);
	memcpy(&len, key, 4);
	assert_int_equal(len, MAC_BITS);
	memcpy(addr.b, key + 4, MAC_LEN);
	for (size_t i = 0; i < m->n; i++)
		if (mac_pattern_match(&m->p[i], &addr))
			return true;
	return false;
}

/* ---- the interpreter ---- */

struct pkt {
	const uint8_t *data;
	size_t len;
	uint32_t pkt_type, mark;
};

/* Registers hold numbers, or pointers tagged with what they point into. */
#define TAG_CTX   (1ull << 60)
#define TAG_STACK (2ull << 60)
#define TAG_MAP   (3ull << 60)
#define TAG_MASK  (0xfull << 60)
#define STACK_LEN 512

static uint8_t *stack_at(uint8_t *stack, uint64_t ptr, size_t len)
{
	int64_t off = (int64_t)(ptr & ~TAG_MASK) - STACK_LEN;

	if ((ptr & TAG_MASK) != TAG_STACK || off < -STACK_LEN || off + (int64_t)len > 0)
		fail_msg("bad stack access at %lld", (long long)off);
	return stack + STACK_LEN + off;
}

static uint32_t ctx_load(const struct pkt *p, int16_t off)
{
	if (off == offsetof(struct __sk_buff, len))
		return (uint32_t)p->len;
	if (off == offsetof(struct __sk_buff, pkt_type))
		return p->pkt_type;
	if (off == offsetof(struct __sk_buff, mark))
		return p->mark;
	fail_msg("unexpected context load at %d", off);
	return 0;
}

static bool jump_taken(uint8_t op, uint64_t a, int32_t imm, bool is32)
{
	uint64_t b = is32 ? (uint32_t)imm : (uint64_t)(int64_t)imm;

	if (is32)
		a = (uint32_t)a;
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JLT: return a < b;
	}
	fail_msg("unexpected jump 0x%x", op);
	return false;
}

static uint64_t call(uint64_t *r, uint8_t *stack, const struct pkt *p, int32_t fn)
{
	if (fn == BPF_FUNC_skb_load_bytes) {
		assert_true(r[1] == TAG_CTX);
		if (r[2] + r[4] > p->len)
			return (uint64_t)-EFAULT;
		memcpy(stack_at(stack, r[3], r[4]), p->data + r[2], r[4]);
		return 0;
	}
	if (fn == BPF_FUNC_map_lookup_elem) {
		assert_true((r[1] & TAG_MASK) == TAG_MAP);
		return map_lookup((int)(r[1] & ~TAG_MASK), stack_at(stack, r[2], EBPF_KEY_LEN)) ?
		       0x1000 : 0;
	}
	fail_msg("unexpected helper %d", fn);
	return 0;
}

static uint32_t run(const struct bpf_insn *prog, size_t len, const struct pkt *p)
{
	uint8_t stack[STACK_LEN];
	uint64_t r[11] = { [1] = TAG_CTX, [10] = TAG_STACK | STACK_LEN };

	memset(stack, 0xaa, sizeof(stack));
	for (size_t pc = 0; pc < len; pc++) {
		const struct bpf_insn *in = &prog[pc];

		switch (in->code) {
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[in->dst_reg] = r[in->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[in->dst_reg] = (uint64_t)(int64_t)in->imm;
			break;
		case BPF_ALU64 | BPF_ADD | BPF_K:
			r[in->dst_reg] += (uint64_t)(int64_t)in->imm;
			break;
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_true(r[in->src_reg] == TAG_CTX);
			r[in->dst_reg] = ctx_load(p, in->off);
			break;
		case BPF_ST | BPF_MEM | BPF_W: {
			uint32_t v = (uint32_t)in->imm;

			memcpy(stack_at(stack, r[in->dst_reg] + (uint64_t)(int64_t)in->off, 4), &v, 4);
			break;
		}
		case BPF_LD | BPF_DW | BPF_IMM:
			assert_int_equal(in->src_reg, BPF_PSEUDO_MAP_FD);
			assert_true(pc + 1 < len);
			r[in->dst_reg] = TAG_MAP | (uint32_t)in->imm;
			pc++;
			break;
		case BPF_JMP | BPF_CALL:
			r[0] = call(r, stack, p, in->imm);
			for (int i = 1; i <= 5; i++)
				r[i] = 0xdeadull;    /* clobbered */
			break;
		case BPF_JMP | BPF_EXIT:
			return (uint32_t)r[0];
		default:
			if ((BPF_CLASS(in->code) == BPF_JMP || BPF_CLASS(in->code) == BPF_JMP32) &&
			    BPF_SRC(in->code) == BPF_K) {
				if (jump_taken(BPF_OP(in->code), r[in->dst_reg], in->imm,
					       BPF_CLASS(in->code) == BPF_JMP32))
					pc += (size_t)(int64_t)in->off;
				if (pc + 1 >= len)
					fail_msg("jump at %zu leaves the program", pc);
				break;
			}
			fail_msg("unexpected opcode 0x%x at %zu", in->code, pc);
		}
	}
	fail_msg("ran off the program");
	return 0;
}

/* ---- frames ---- */

static struct bpf_insn prog[EBPF_PROG_LEN];
static size_t prog_len;

static int setup(void **state)
{
	int n = ebpf_build(VNET_MARK, map_fds, prog, ARRAY_SIZE(prog));

	assert_true(n > 0);
	prog_len = (size_t)n;
	maps_clear();
	return 0;
}

static void frame(uint8_t *f, size_t len, const char *dst, const char *src)
{
	struct mac d, s;

	memset(f, 0x5a, len);
	assert_true(mac_parse(dst, &d));
	assert_true(mac_parse(src, &s));
	memcpy(f, d.b, 6);
	memcpy(f + 6, s.b, 6);
	f[12] = 0x08;
	f[13] = 0x00;
}

static uint32_t verdict(const char *dst, const char *src, size_t len, uint32_t pkt_type,
			uint32_t mark)
{
	uint8_t f[128];
	struct pkt p = { f, len, pkt_type, mark };

	assert_true(len <= sizeof(f));
	frame(f, len < 12 ? 12 : len, dst, src);
	return run(prog, prog_len, &p);
}

static bool in(const char *dst, const char *src)
{
	return verdict(dst, src, 60, PACKET_HOST, 0) == EBPF_ACCEPT_LEN;
}

#define A "02:00:00:00:00:0a"
#define B "02:00:00:00:00:0b"
#define C "02:00:00:00:00:0c"
#define BC "ff:ff:ff:ff:ff:ff"

static void test_empty_drops_all(void **state)
{
	assert_false(in(A, B));
	assert_false(in(BC, B));
}

static void test_sides(void **state)
{
	map_add(EBPF_DST, A);   /* a LOCAL handler of A */
	map_add(EBPF_SRC, B);   /* a REMOTE handler of B */
	assert_true(in(A, C));
	assert_false(in(C, A));     /* A as source: not listed on that side */
	assert_true(in(C, B));
	assert_false(in(B, C));
	assert_false(in(C, C));
}

static void test_union_add_remove(void **state)
{
	/* Three LOCAL handlers' lists: {A, BC}, {B, BC}, {33:33::/16}; their union. */
	map_add(EBPF_DST, A);
	map_add(EBPF_DST, BC);
	map_add(EBPF_DST, B);
	map_add(EBPF_DST, "33:33:00:00:00:00/16");
	assert_true(in(A, C) && in(B, C) && in(BC, C) && in("33:33:00:00:00:fb", C));
	assert_false(in(C, A) || in("33:34:00:00:00:01", C));
	/* Handler 2 goes: B leaves, BC stays (handler 1 lists it). */
	map_del(EBPF_DST, B);
	assert_false(in(B, C));
	assert_true(in(BC, C));
	/* A fourth comes with C. */
	map_add(EBPF_DST, C);
	assert_true(in(C, A));
	map_del(EBPF_DST, "33:33:00:00:00:00/16");
	assert_false(in("33:33:00:00:00:fb", C));
}

static void test_runts_and_own_frames(void **state)
{
	map_add(EBPF_DST, A);
	assert_int_equal(verdict(A, B, 14, PACKET_HOST, 0), EBPF_ACCEPT_LEN);
	assert_int_equal(verdict(A, B, 13, PACKET_HOST, 0), 0);
	assert_int_equal(verdict(A, B, 0, PACKET_HOST, 0), 0);
	/* Frames vnet injected leave marked: never captured again, broadcast or not. */
	assert_int_equal(verdict(A, B, 60, PACKET_OUTGOING, VNET_MARK), 0);
	/* The host's own outgoing frames are bridged; so is a received frame with the mark. */
	assert_int_equal(verdict(A, B, 60, PACKET_OUTGOING, 0), EBPF_ACCEPT_LEN);
	assert_int_equal(verdict(A, B, 60, PACKET_HOST, VNET_MARK), EBPF_ACCEPT_LEN);
	assert_int_equal(verdict(A, B, 60, PACKET_OUTGOING, VNET_MARK ^ 1), EBPF_ACCEPT_LEN);
}

static void test_key(void **state)
{
	struct mac_pattern p;
	uint8_t key[EBPF_KEY_LEN];
	uint32_t len;
	const char *why;

	assert_true(mac_pattern_parse("33:33:00:00:00:00/16", &p, &why));
	ebpf_key_of(&p, key);
	memcpy(&len, key, 4);
	assert_int_equal(len, 16);
	assert_memory_equal(key + 4, p.b, MAC_LEN);
	assert_int_equal(ebpf_build(0, map_fds, prog, 3), -E2BIG);
}

/* ---- the same program in the kernel (root only) ---- */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int kmap_create(void)
{
	union bpf_attr a = { .map_type = BPF_MAP_TYPE_LPM_TRIE, .key_size = EBPF_KEY_LEN,
			     .value_size = EBPF_VALUE_LEN, .max_entries = 16,
			     .map_flags = BPF_F_NO_PREALLOC };

	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

static int kmap_update(int fd, const char *s, bool add)
{
	struct mac_pattern p;
	uint8_t key[EBPF_KEY_LEN];
	uint32_t one = 1;
	const char *why;
	union bpf_attr a = { .map_fd = (uint32_t)fd };

	assert_true(mac_pattern_parse(s, &p, &why));
	ebpf_key_of(&p, key);
	a.key = (uint64_t)(uintptr_t)key;
	if (add)    /* a delete must leave the fields after the key zero */
		a.value = (uint64_t)(uintptr_t)&one;
	return (int)sys_bpf(add ? BPF_MAP_UPDATE_ELEM : BPF_MAP_DELETE_ELEM, &a);
}

/* BPF_PROG_TEST_RUN strips a first Ethernet header: the frame follows a dummy one. */
static uint32_t kverdict(int prog_fd, const char *dst, const char *src, uint32_t mark)
{
	uint8_t f[14 + 60];
	struct __sk_buff ctx = { .mark = mark };
	union bpf_attr a = { 0 };

	frame(f, 14, "02:00:00:00:00:99", "02:00:00:00:00:98");
	frame(f + 14, 60, dst, src);
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)f;
	a.test.data_size_in = sizeof(f);
	a.test.ctx_in = (uint64_t)(uintptr_t)&ctx;
	a.test.ctx_size_in = sizeof(ctx);
	if (sys_bpf(BPF_PROG_TEST_RUN, &a) < 0)
		fail_msg("BPF_PROG_TEST_RUN: %s", strerror(errno));
	return a.test.retval;
}

static void test_kernel(void **state)
{
	static char log[65536];
	struct bpf_insn kprog[EBPF_PROG_LEN];
	int fds[EBPF_SIDES], prog_fd, n;
	union bpf_attr a = { 0 };

	fds[EBPF_DST] = kmap_create();
	if (fds[EBPF_DST] < 0 && (errno == EPERM || errno == ENOSYS)) {
		skip();
		return;
	}
	assert_true(fds[EBPF_DST] >= 0);
	fds[EBPF_SRC] = kmap_create();
	assert_true(fds[EBPF_SRC] >= 0);
	n = ebpf_build(VNET_MARK, fds, kprog, ARRAY_SIZE(kprog));
	assert_true(n > 0);
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)kprog;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	prog_fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (prog_fd < 0)
		fail_msg("the verifier refused the program: %s\n%s", strerror(errno), log);

	assert_int_equal(kverdict(prog_fd, A, B, 0), 0);
	assert_int_equal(kmap_update(fds[EBPF_DST], A, true), 0);
	assert_int_equal(kmap_update(fds[EBPF_DST], "33:33:00:00:00:00/16", true), 0);
	assert_int_equal(kmap_update(fds[EBPF_SRC], C, true), 0);
	assert_int_equal(kverdict(prog_fd, A, B, 0), EBPF_ACCEPT_LEN);
	assert_int_equal(kverdict(prog_fd, B, A, 0), 0);
	assert_int_equal(kverdict(prog_fd, "33:33:00:00:00:fb", B, 0), EBPF_ACCEPT_LEN);
	assert_int_equal(kverdict(prog_fd, B, C, 0), EBPF_ACCEPT_LEN);
	assert_int_equal(kverdict(prog_fd, A, B, VNET_MARK), EBPF_ACCEPT_LEN);  /* not outgoing */
	assert_int_equal(kmap_update(fds[EBPF_DST], A, false), 0);
	assert_int_equal(kverdict(prog_fd, A, B, 0), 0);
	assert_int_equal(kmap_update(fds[EBPF_SRC], C, false), 0);
	assert_int_equal(kverdict(prog_fd, B, C, 0), 0);
	assert_int_equal(kverdict(prog_fd, "33:33:00:00:00:fb", B, 0), EBPF_ACCEPT_LEN);
	close(prog_fd);
	close(fds[EBPF_DST]);
	close(fds[EBPF_SRC]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty_drops_all, setup),
		cmocka_unit_test_setup(test_sides, setup),
		cmocka_unit_test_setup(test_union_add_remove, setup),
		cmocka_unit_test_setup(test_runts_and_own_frames, setup),
		cmocka_unit_test_setup(test_key, setup),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
