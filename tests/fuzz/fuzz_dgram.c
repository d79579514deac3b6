// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_dgram.c - libFuzzer target for the datagram path's checks of what
 * arrives from the network (dgram_peek, dgram_open, dgram_check) and its
 * replay window (dgram_replay_ok, dgram_replay_note).
 *
 * The input is used three ways:
 *  1. as a datagram from anyone, in a buffer of exactly its size (ASan sees
 *     any read past it): dgram_peek reads the header as laid out in dgram.h
 *     or refuses it, dgram_open and dgram_check refuse it (a forgery has no
 *     valid tag), dgram_open leaves its header as it was and dgram_check
 *     all of it;
 *  2. as a payload, sealed with a header from its first bytes and opened
 *     again: the same payload; with one byte the input chooses flipped, or
 *     cut one byte short, it no longer opens. Stamped, the same: it passes
 *     as it is, not with a byte of header or tag flipped nor cut short, and
 *     still with a payload byte flipped (the stamp does not cover those);
 *  3. as counters, 8 bytes each (the first byte says how the next 7 give
 *     one: absolute, a step up or down from the highest, near UINT64_MAX),
 *     checked with dgram_replay_ok against a plain model (every counter
 *     noted, in a list) and noted when accepted.
 * A violation calls __builtin_trap().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/dgram.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)
/* Every flag dgram.h defines: dgram_peek accepts these and no other bit. */
#define DGRAM_FLAGS (DGRAM_F_HEARD | DGRAM_F_PARTIAL)

static const uint8_t key[DGRAM_KEY_LEN] = "vnet-fuzz-dgram-key-0123456789a";
static const uint8_t skey[DGRAM_STAMP_KEY_LEN] = "vnet-fuzz-stamp";

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* 1. The input as a datagram. */
static void as_datagram(const uint8_t *data, size_t size)
{
	uint8_t *d = malloc(size ? size : 1);
	struct dgram_hdr h;
	bool ok;

	CHECK(d != NULL);
	memcpy(d, data, size);
	ok = dgram_peek(d, size, &h);
	CHECK(ok == (size >= DGRAM_OVERHEAD && size <= DGRAM_LEN_MAX &&
		     (data[0] == DGRAM_T_FRAME || data[0] == DGRAM_T_PROBE) &&
		     (data[1] & ~DGRAM_FLAGS) == 0 && data[2] == 0 && data[3] == 0));
	if (ok) {
		CHECK(h.type == data[0] && h.flags == data[1]);
		CHECK(h.receiver == get_be(data + 4, 4) && h.counter == get_be(data + 8, 8));
	}
	CHECK(dgram_check(skey, d, size) == -1);
	CHECK(!memcmp(d, data, size));
	CHECK(dgram_open(key, d, size) == -1);
	CHECK(size < DGRAM_HDR_LEN || !memcmp(d, data, DGRAM_HDR_LEN));
	free(d);
}

/* 2. The input as a payload: sealed, opened; tampered, refused. */
static void as_payload(const uint8_t *data, size_t size)
{
	struct dgram_hdr h = { DGRAM_T_FRAME, 0, 0, 0 };
	size_t n = size > DGRAM_PAYLOAD_MAX ? DGRAM_PAYLOAD_MAX : size, total, at;
	uint8_t *d = malloc(n + DGRAM_OVERHEAD), *c = malloc(n + DGRAM_OVERHEAD);

	CHECK(d != NULL && c != NULL);
	if (size >= 16) {
		h.flags = data[1] & DGRAM_FLAGS;
		h.receiver = (uint32_t)get_be(data + 4, 4);
		h.counter = get_be(data + 8, 8);
	}
	memcpy(d + DGRAM_HDR_LEN, data, n);
	total = dgram_seal(key, &h, d, n);
	CHECK(total == n + DGRAM_OVERHEAD);
	memcpy(c, d, total);
	at = size ? (size_t)data[size - 1] * 257 % total : 0;
	d[at] ^= 0x20;
	CHECK(dgram_open(key, d, total) == -1);
	/* A failed open zeroes the payload and leaves the header. */
	CHECK(!memcmp(d, c, DGRAM_HDR_LEN) || at < DGRAM_HDR_LEN);
	for (size_t i = DGRAM_HDR_LEN; i < DGRAM_HDR_LEN + n; i++)
		CHECK(d[i] == 0);
	memcpy(d, c, total);
	CHECK(dgram_open(key, d, total - 1) == -1);
	memcpy(d, c, total);
	CHECK(dgram_open(key, d, total) == (ssize_t)n);
	CHECK(!memcmp(d + DGRAM_HDR_LEN, data, n));
	/* Stamped: the payload in clear; header, tag and length checked, not the payload. */
	memcpy(d + DGRAM_HDR_LEN, data, n);
	CHECK(dgram_stamp(skey, &h, d, n) == total);
	CHECK(!memcmp(d + DGRAM_HDR_LEN, data, n));
	CHECK(dgram_check(skey, d, total) == (ssize_t)n);
	CHECK(dgram_check(skey, d, total - 1) == -1);
	d[at] ^= 0x20;
	if (at < DGRAM_HDR_LEN || at >= DGRAM_HDR_LEN + n)
		CHECK(dgram_check(skey, d, total) == -1);
	else
		CHECK(dgram_check(skey, d, total) == (ssize_t)n);
	free(c);
	free(d);
}

/* 3. The input as counters, against a model of every counter accepted. */
static void as_counters(const uint8_t *data, size_t size)
{
	enum { MAX = 4096 / 8 + 1 };
	static uint64_t noted[MAX];
	struct dgram_replay r = { 0 };
	uint64_t hi = 0;
	size_t nn = 0;

	for (size_t i = 0; i + 8 <= size && nn < MAX; i += 8) {
		uint64_t v = get_be(data + i + 1, 7), c;
		bool want, seen = false;

		switch (data[i] & 3) {
		case 0:
			c = v;
			break;
		case 1:
			c = hi + v % (2 * (uint64_t)DGRAM_REPLAY_WINDOW);
			break;
		case 2:
			c = hi - v % (DGRAM_REPLAY_WINDOW + 64);
			break;
		default:
			c = UINT64_MAX - v % 4;
			break;
		}
		for (size_t k = 0; k < nn; k++)
			seen |= noted[k] == c;
		want = c != UINT64_MAX && !seen && (nn == 0 || c > hi || hi - c < DGRAM_REPLAY_WINDOW);
		CHECK(dgram_replay_ok(&r, c) == want);
		if (want || (data[i] & 0x80)) {
			/* Noting an old, a duplicate or UINT64_MAX changes nothing. */
			dgram_replay_note(&r, c);
			if (want) {
				noted[nn++] = c;
				hi = nn == 1 || c > hi ? c : hi;
			}
		}
		CHECK(nn == 0 || r.top == hi + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_datagram(data, size);
	as_payload(data, size);
	as_counters(data, size);
	return 0;
}
