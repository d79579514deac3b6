// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dgram.c - unit tests of the datagram path's keys, sealing, stamping and replay window */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/siphash.h>

#include "vnet/dgram.h"

#define W ((uint64_t)DGRAM_REPLAY_WINDOW)

/* hex (no separators) into out, which holds exactly strlen(hex) / 2 bytes */
static void unhex(const char *hex, uint8_t *out)
{
	for (size_t i = 0; hex[2 * i]; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

static void nonces(uint8_t n_dial[DGRAM_NONCE_LEN], uint8_t n_listen[DGRAM_NONCE_LEN])
{
	for (int i = 0; i < DGRAM_NONCE_LEN; i++) {
		n_dial[i] = (uint8_t)i;
		n_listen[i] = (uint8_t)(DGRAM_NONCE_LEN + i);
	}
}

/* Both sides' keys for the password "s3cret" and the nonces 00..1f, 20..3f. */
static void both_keys(struct dgram_keys *dialer, struct dgram_keys *listener)
{
	uint8_t secret[DGRAM_SECRET_LEN], nd[DGRAM_NONCE_LEN], nl[DGRAM_NONCE_LEN];

	nonces(nd, nl);
	assert_int_equal(dgram_secret_password("s3cret", secret), 0);
	assert_int_equal(dgram_derive(secret, nd, nl, true, dialer), 0);
	assert_int_equal(dgram_derive(secret, nd, nl, false, listener), 0);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

/* ---- keys */

/*
 * The secret and both keys against values computed apart from wolfSSL
 * (python3's hmac and hashlib, HKDF written out by RFC 5869): the salts, the
 * info and the halves' order are the ones dgram.h documents.
 */
static void test_keys_known_answer(void **state)
{
	uint8_t secret[DGRAM_SECRET_LEN], want[DGRAM_SECRET_LEN], k1[32], k2[32];
	struct dgram_keys d, l;

	assert_int_equal(dgram_secret_password("s3cret", secret), 0);
	unhex("4f3c997a304fd94c09e316700a37aec97d36b0f3f7d1eb6e4fab190d4ee14abf", want);
	assert_memory_equal(secret, want, sizeof(want));
	both_keys(&d, &l);
	unhex("98bd4827e385169f1e7f5a98f91508365655000dc599dab91b1764da8d0783b0", k1);
	unhex("d4a5ba187abc3f278c8119e635041a3c34be26597b9003c71efeb5aa765b2ce2", k2);
	assert_memory_equal(d.tx, k1, 32);      /* dialer -> listener: the first half */
	assert_memory_equal(d.rx, k2, 32);
	assert_memory_equal(l.tx, k2, 32);
	assert_memory_equal(l.rx, k1, 32);
	/* The stamp keys: HKDF-Expand(prk = each key, info "vnet-datagram-stamp-v1", 16). */
	unhex("8c96f0969910f8e3dc6a4db5e931a414", k1);
	unhex("e689410a6d3e82ebb0dc975917caf1a0", k2);
	assert_memory_equal(d.stamp_tx, k1, 16);
	assert_memory_equal(d.stamp_rx, k2, 16);
	assert_memory_equal(l.stamp_tx, k2, 16);
	assert_memory_equal(l.stamp_rx, k1, 16);
}

static void test_derive_sides_agree_nonces_matter(void **state)
{
	uint8_t secret[DGRAM_SECRET_LEN], nd[DGRAM_NONCE_LEN], nl[DGRAM_NONCE_LEN];
	struct dgram_keys d, l, other;

	both_keys(&d, &l);
	assert_memory_equal(d.tx, l.rx, DGRAM_KEY_LEN);
	assert_memory_equal(d.rx, l.tx, DGRAM_KEY_LEN);
	assert_memory_not_equal(d.tx, d.rx, DGRAM_KEY_LEN);

	assert_int_equal(dgram_secret_password("s3cret", secret), 0);
	nonces(nd, nl);
	nd[31] ^= 1;            /* another dialer's nonce */
	assert_int_equal(dgram_derive(secret, nd, nl, true, &other), 0);
	assert_memory_not_equal(other.tx, d.tx, DGRAM_KEY_LEN);
	assert_memory_not_equal(other.rx, d.rx, DGRAM_KEY_LEN);
	nonces(nd, nl);
	nl[0] ^= 0x80;          /* another listener's nonce */
	assert_int_equal(dgram_derive(secret, nd, nl, true, &other), 0);
	assert_memory_not_equal(other.tx, d.tx, DGRAM_KEY_LEN);
	nonces(nd, nl);         /* the nonces swapped */
	assert_int_equal(dgram_derive(secret, nl, nd, true, &other), 0);
	assert_memory_not_equal(other.tx, d.tx, DGRAM_KEY_LEN);
	assert_memory_not_equal(other.tx, d.rx, DGRAM_KEY_LEN);
	secret[5] ^= 1;         /* another secret */
	assert_int_equal(dgram_derive(secret, nd, nl, true, &other), 0);
	assert_memory_not_equal(other.tx, d.tx, DGRAM_KEY_LEN);
}

static void test_secret_password(void **state)
{
	uint8_t a[DGRAM_SECRET_LEN], b[DGRAM_SECRET_LEN];
	char long_pw[300];

	assert_int_equal(dgram_secret_password("", a), -EINVAL);
	memset(long_pw, 'x', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = '\0';
	assert_int_equal(dgram_secret_password(long_pw, a), -EINVAL);
	long_pw[256] = '\0';    /* VNET_PASSWORD_MAX */
	assert_int_equal(dgram_secret_password(long_pw, a), 0);
	assert_int_equal(dgram_secret_password("s3cret", a), 0);
	assert_int_equal(dgram_secret_password("s3cret", b), 0);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(dgram_secret_password("s3creT", b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

/* RFC 5869 A.1 through the two calls dgram.c makes. */
static void test_hkdf_rfc5869_case1(void **state)
{
	uint8_t ikm[22], salt[13], info[10], prk[32], okm[42], want_prk[32], want_okm[42];

	memset(ikm, 0x0b, sizeof(ikm));
	unhex("000102030405060708090a0b0c", salt);
	unhex("f0f1f2f3f4f5f6f7f8f9", info);
	unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", want_prk);
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	      "34007208d5b887185865", want_okm);
	assert_int_equal(wc_HKDF_Extract(WC_SHA256, salt, sizeof(salt), ikm, sizeof(ikm), prk), 0);
	assert_memory_equal(prk, want_prk, sizeof(prk));
	assert_int_equal(wc_HKDF_Expand(WC_SHA256, prk, sizeof(prk), info, sizeof(info), okm,
					sizeof(okm)), 0);
	assert_memory_equal(okm, want_okm, sizeof(okm));
}

/* ---- the AEAD */

static const char rfc_pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
			     "only one tip for the future, sunscreen would be it.";

/* RFC 8439 2.8.2 through the one-shot calls dgram.c makes, in place as it uses them. */
static void test_aead_rfc8439(void **state)
{
	uint8_t key[32], iv[12], aad[12], ct[114], tag[16], buf[114], tag2[16];

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	unhex("070000004041424344454647", iv);
	unhex("50515253c0c1c2c3c4c5c6c7", aad);
	unhex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	      "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	      "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	      "3ff4def08e4b7a9de576d26586cec64b6116", ct);
	unhex("1ae10b594f09e26a7e902ecbd0600691", tag);
	assert_int_equal(strlen(rfc_pt), sizeof(buf));

	memcpy(buf, rfc_pt, sizeof(buf));       /* in == out */
	assert_int_equal(wc_ChaCha20Poly1305_Encrypt(key, iv, aad, sizeof(aad), buf, sizeof(buf),
						     buf, tag2), 0);
	assert_memory_equal(buf, ct, sizeof(ct));
	assert_memory_equal(tag2, tag, sizeof(tag));
	assert_int_equal(wc_ChaCha20Poly1305_Decrypt(key, iv, aad, sizeof(aad), buf, sizeof(buf),
						     tag, buf), 0);
	assert_memory_equal(buf, rfc_pt, sizeof(buf));
	memcpy(buf, ct, sizeof(buf));
	tag2[15] ^= 1;
	assert_int_not_equal(wc_ChaCha20Poly1305_Decrypt(key, iv, aad, sizeof(aad), buf,
							 sizeof(buf), tag2, buf), 0);
}

/*
 * The layout dgram.h documents: the header big-endian, the nonce 4 zero
 * bytes and the counter little-endian, the AAD the 16 header bytes: a
 * datagram opens with a nonce built by hand through wolfSSL directly.
 */
static void test_seal_layout(void **state)
{
	static const uint64_t counters[] = { 1, 0x0102030405060708ULL };
	struct dgram_keys d, l;
	uint8_t dg[64 + DGRAM_OVERHEAD], pt[64], out[64];

	both_keys(&d, &l);
	fill(pt, sizeof(pt), 3);
	for (size_t i = 0; i < 2; i++) {
		struct dgram_hdr h = { DGRAM_T_FRAME, DGRAM_F_HEARD, 0xa1b2c3d4, counters[i] };
		uint8_t want_hdr[16], iv[12];

		memcpy(dg + DGRAM_HDR_LEN, pt, sizeof(pt));
		assert_int_equal(dgram_seal(d.tx, &h, dg, sizeof(pt)), sizeof(dg));
		if (i == 0) {
			unhex("01010000a1b2c3d40000000000000001", want_hdr);
			unhex("000000000100000000000000", iv);
		} else {
			unhex("01010000a1b2c3d40102030405060708", want_hdr);
			unhex("000000000807060504030201", iv);
		}
		assert_memory_equal(dg, want_hdr, sizeof(want_hdr));
		assert_memory_not_equal(dg + DGRAM_HDR_LEN, pt, sizeof(pt));
		assert_int_equal(wc_ChaCha20Poly1305_Decrypt(l.rx, iv, dg, DGRAM_HDR_LEN,
							     dg + DGRAM_HDR_LEN, sizeof(pt),
							     dg + DGRAM_HDR_LEN + sizeof(pt), out), 0);
		assert_memory_equal(out, pt, sizeof(pt));
	}
}

/* Seal then open, both ways, frames and an empty probe; the header reads back. */
static void test_roundtrip(void **state)
{
	static const size_t lens[] = { 0, 1, 64, 1514, 9000, DGRAM_PAYLOAD_MAX };
	static uint8_t dg[DGRAM_LEN_MAX], pt[DGRAM_PAYLOAD_MAX];
	struct dgram_keys d, l;

	both_keys(&d, &l);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (int way = 0; way < 2; way++) {
			struct dgram_hdr h = {
				lens[i] ? DGRAM_T_FRAME : DGRAM_T_PROBE, (uint8_t)way,
				(uint32_t)(7 + i), (uint64_t)i << 33 | (uint64_t)way
			}, got;
			const uint8_t *tx = way ? l.tx : d.tx, *rx = way ? d.rx : l.rx;

			fill(pt, lens[i], (uint8_t)i);
			memcpy(dg + DGRAM_HDR_LEN, pt, lens[i]);
			assert_int_equal(dgram_seal(tx, &h, dg, lens[i]), lens[i] + DGRAM_OVERHEAD);
			assert_true(dgram_peek(dg, lens[i] + DGRAM_OVERHEAD, &got));
			assert_int_equal(got.type, h.type);
			assert_int_equal(got.flags, h.flags);
			assert_int_equal(got.receiver, h.receiver);
			assert_int_equal(got.counter, h.counter);
			assert_int_equal(dgram_open(rx, dg, lens[i] + DGRAM_OVERHEAD), lens[i]);
			assert_memory_equal(dg + DGRAM_HDR_LEN, pt, lens[i]);
		}
	}
	/* Too large for a datagram: nothing sealed. */
	assert_int_equal(dgram_seal(d.tx, &(struct dgram_hdr){ DGRAM_T_FRAME, 0, 1, 1 }, dg,
				    DGRAM_PAYLOAD_MAX + 1), 0);
}

#define TAMPER_LEN 100
#define STAMP_KAT_LEN 1400

/* A sealed datagram of TAMPER_LEN payload bytes from the dialer. */
static size_t sealed(const struct dgram_keys *d, uint8_t *dg)
{
	struct dgram_hdr h = { DGRAM_T_FRAME, 0, 42, 77 };

	fill(dg + DGRAM_HDR_LEN, TAMPER_LEN, 9);
	return dgram_seal(d->tx, &h, dg, TAMPER_LEN);
}

/* Every bit of header, ciphertext and tag counts; a wrong key fails; the header is left. */
static void test_tamper_and_wrong_key(void **state)
{
	uint8_t good[TAMPER_LEN + DGRAM_OVERHEAD], dg[sizeof(good)], zero[TAMPER_LEN] = { 0 };
	struct dgram_keys d, l;
	size_t n;

	both_keys(&d, &l);
	n = sealed(&d, good);
	assert_int_equal(n, sizeof(good));
	memcpy(dg, good, n);
	assert_int_equal(dgram_open(l.tx, dg, n), -1);  /* the other direction's key */
	memcpy(dg, good, n);
	l.rx[31] ^= 1;                                  /* one bit off */
	assert_int_equal(dgram_open(l.rx, dg, n), -1);
	l.rx[31] ^= 1;
	assert_memory_equal(dg, good, DGRAM_HDR_LEN);
	assert_memory_equal(dg + DGRAM_HDR_LEN, zero, TAMPER_LEN);     /* no plaintext left */
	for (size_t bit = 0; bit < 8 * n; bit++) {
		memcpy(dg, good, n);
		dg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (dgram_open(l.rx, dg, n) != -1)
			fail_msg("bit %zu flipped: opened", bit);
	}
	memcpy(dg, good, n);
	assert_int_equal(dgram_open(l.rx, dg, n), TAMPER_LEN);
}

/* ---- stamped datagrams */

/*
 * wolfSSL's SipHash is SipHash-2-4-128: the published 128-bit vectors (key
 * 00..0f, messages 00..(len-1)) through the call dgram.c makes.
 */
static void test_siphash128_vectors(void **state)
{
	uint8_t key[16], msg[15], out[16], want[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(wc_SipHash(key, msg, 0, out, 16), 0);
	unhex("a3817f04ba25a8e66df67214c7550293", want);
	assert_memory_equal(out, want, 16);
	assert_int_equal(wc_SipHash(key, msg, 15, out, 16), 0);
	unhex("5493e99933b0a8117e08ec0f97cfc3d9", want);
	assert_memory_equal(out, want, 16);
}

/*
 * A stamp against one computed apart from wolfSSL (python3: SipHash-2-4-128
 * written out from the paper, over the 16 header bytes and n big-endian on 4
 * bytes, under the dialer's stamp key of test_keys_known_answer).
 */
static void test_stamp_known_answer(void **state)
{
	static uint8_t dg[STAMP_KAT_LEN + DGRAM_OVERHEAD], plain[STAMP_KAT_LEN];
	struct dgram_hdr h = { DGRAM_T_FRAME, DGRAM_F_HEARD, 42, 77 };
	uint8_t want_hdr[DGRAM_HDR_LEN], want_tag[DGRAM_TAG_LEN];
	struct dgram_keys d, l;

	(void)state;
	both_keys(&d, &l);
	fill(dg + DGRAM_HDR_LEN, STAMP_KAT_LEN, 3);
	memcpy(plain, dg + DGRAM_HDR_LEN, STAMP_KAT_LEN);
	assert_int_equal(dgram_stamp(d.stamp_tx, &h, dg, STAMP_KAT_LEN), sizeof(dg));
	unhex("010100000000002a000000000000004d", want_hdr);
	unhex("583e031ca0929f46c3aa9f119daa4ad1", want_tag);
	assert_memory_equal(dg, want_hdr, DGRAM_HDR_LEN);
	assert_memory_equal(dg + DGRAM_HDR_LEN, plain, STAMP_KAT_LEN);     /* in clear */
	assert_memory_equal(dg + DGRAM_HDR_LEN + STAMP_KAT_LEN, want_tag, DGRAM_TAG_LEN);
	assert_int_equal(dgram_check(l.stamp_rx, dg, sizeof(dg)), STAMP_KAT_LEN);
	assert_int_equal(dgram_stamp(d.stamp_tx, &h, dg, DGRAM_PAYLOAD_MAX + 1), 0);
}

/* Check a copy of exactly len bytes (ASan sees any read past it). */
static ssize_t check_copy(const uint8_t key[DGRAM_STAMP_KEY_LEN], const uint8_t *d, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	ssize_t r;

	assert_non_null(p);
	memcpy(p, d, len);
	r = dgram_check(key, p, len);
	assert_memory_equal(p, d, len);         /* nothing changed */
	free(p);
	return r;
}

/*
 * Stamped datagrams: the payload stays as it was; every bit of header and
 * tag counts, and so does the length (cut or extended); the other
 * direction's stamp key, or a sealed datagram, does not pass.
 */
static void test_stamped(void **state)
{
	uint8_t good[TAMPER_LEN + DGRAM_OVERHEAD], dg[sizeof(good) + 8], plain[TAMPER_LEN];
	struct dgram_hdr h = { DGRAM_T_FRAME, DGRAM_F_HEARD, 42, 77 };
	struct dgram_keys d, l;
	size_t n;

	(void)state;
	both_keys(&d, &l);
	fill(good + DGRAM_HDR_LEN, TAMPER_LEN, 9);
	memcpy(plain, good + DGRAM_HDR_LEN, TAMPER_LEN);
	n = dgram_stamp(d.stamp_tx, &h, good, TAMPER_LEN);
	assert_int_equal(n, sizeof(good));
	assert_memory_equal(good + DGRAM_HDR_LEN, plain, TAMPER_LEN);     /* in clear */
	assert_int_equal(check_copy(l.stamp_rx, good, n), TAMPER_LEN);
	assert_int_equal(check_copy(l.stamp_tx, good, n), -1);   /* the other direction's key */
	assert_int_equal(check_copy(d.stamp_rx, good, n), -1);
	/* A stamped datagram does not open as a sealed one, nor the other way. */
	memcpy(dg, good, n);
	assert_int_equal(dgram_open(l.rx, dg, n), -1);
	memcpy(dg + DGRAM_HDR_LEN, plain, TAMPER_LEN);
	assert_int_equal(dgram_seal(d.tx, &h, dg, TAMPER_LEN), n);
	assert_int_equal(check_copy(l.stamp_rx, dg, n), -1);
	/* Every bit of the header and of the tag. */
	for (size_t bit = 0; bit < 8 * n; bit++) {
		if (bit == 8 * DGRAM_HDR_LEN)
			bit = 8 * (DGRAM_HDR_LEN + TAMPER_LEN);  /* the payload: see below */
		memcpy(dg, good, n);
		dg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (check_copy(l.stamp_rx, dg, n) != -1)
			fail_msg("bit %zu flipped: passed", bit);
	}
	/* Cut short at every length, the tag kept at the end or not. */
	for (size_t len = 0; len < n; len++) {
		if (check_copy(l.stamp_rx, good, len) != -1)
			fail_msg("truncated to %zu: passed", len);
		if (len < DGRAM_OVERHEAD)
			continue;
		memcpy(dg, good, len - DGRAM_TAG_LEN);
		memcpy(dg + len - DGRAM_TAG_LEN, good + n - DGRAM_TAG_LEN, DGRAM_TAG_LEN);
		if (check_copy(l.stamp_rx, dg, len) != -1)
			fail_msg("payload cut to %zu bytes: passed", len - DGRAM_OVERHEAD);
	}
	/* Extended by 1-8 bytes: after the tag, or before it (the tag moved). */
	for (size_t more = 1; more <= 8; more++) {
		memcpy(dg, good, n);
		memset(dg + n, 0, more);
		if (check_copy(l.stamp_rx, dg, n + more) != -1)
			fail_msg("%zu bytes appended: passed", more);
		memset(dg + n - DGRAM_TAG_LEN, 0x5a, more);
		memcpy(dg + n - DGRAM_TAG_LEN + more, good + n - DGRAM_TAG_LEN, DGRAM_TAG_LEN);
		if (check_copy(l.stamp_rx, dg, n + more) != -1)
			fail_msg("payload extended by %zu bytes: passed", more);
	}
}

/*
 * The designed trade-off, stated so that nobody believes otherwise: the
 * stamp does not cover the payload's bytes. Any of them changed, the
 * datagram still passes, its changed payload with it (as a clear TCP link's
 * frame changed on the path would); only sealing (-s) protects them.
 */
static void test_stamp_payload_not_covered(void **state)
{
	uint8_t good[TAMPER_LEN + DGRAM_OVERHEAD], dg[sizeof(good)];
	struct dgram_hdr h = { DGRAM_T_FRAME, 0, 7, 1000 };
	struct dgram_keys d, l;
	size_t n;

	(void)state;
	both_keys(&d, &l);
	fill(good + DGRAM_HDR_LEN, TAMPER_LEN, 1);
	n = dgram_stamp(d.stamp_tx, &h, good, TAMPER_LEN);
	for (size_t i = DGRAM_HDR_LEN; i < DGRAM_HDR_LEN + TAMPER_LEN; i++) {
		memcpy(dg, good, n);
		dg[i] ^= 0xff;
		assert_int_equal(dgram_check(l.stamp_rx, dg, n), TAMPER_LEN);
	}
}

/* Every truncation fails, in a buffer of exactly that size (ASan sees any read past it). */
static void test_truncation(void **state)
{
	uint8_t good[TAMPER_LEN + DGRAM_OVERHEAD];
	struct dgram_keys d, l;
	struct dgram_hdr h;
	size_t n;

	both_keys(&d, &l);
	n = sealed(&d, good);
	for (size_t len = 0; len < n; len++) {
		uint8_t *p = malloc(len ? len : 1);

		assert_non_null(p);
		memcpy(p, good, len);
		assert_int_equal(dgram_peek(p, len, &h), len >= DGRAM_OVERHEAD);
		if (dgram_open(l.rx, p, len) != -1)
			fail_msg("truncated to %zu: opened", len);
		free(p);
	}
	/* Too long for a datagram: refused before any work. */
	assert_false(dgram_peek(good, DGRAM_LEN_MAX + 1, &h));
	assert_int_equal(dgram_open(l.rx, good, DGRAM_LEN_MAX + 1), -1);
}

static void test_peek(void **state)
{
	uint8_t dg[DGRAM_OVERHEAD] = { 0 };
	struct dgram_hdr h;

	dg[0] = DGRAM_T_PROBE;
	dg[1] = DGRAM_F_HEARD;
	assert_true(dgram_peek(dg, sizeof(dg), &h));
	assert_int_equal(h.counter, 0);
	assert_false(dgram_peek(dg, sizeof(dg) - 1, &h));
	dg[0] = DGRAM_T_FRAME;
	assert_true(dgram_peek(dg, sizeof(dg), &h));
	for (int t = 0; t < 256; t++) {
		dg[0] = (uint8_t)t;
		assert_int_equal(dgram_peek(dg, sizeof(dg), &h),
				 t == DGRAM_T_FRAME || t == DGRAM_T_PROBE);
	}
	dg[0] = DGRAM_T_FRAME;
	dg[1] = DGRAM_F_HEARD | DGRAM_F_PARTIAL;
	assert_true(dgram_peek(dg, sizeof(dg), &h));
	assert_int_equal(h.flags, DGRAM_F_HEARD | DGRAM_F_PARTIAL);
	for (int f = 0x04; f < 0x100; f <<= 1) {
		dg[1] = (uint8_t)f;     /* an unknown flag */
		assert_false(dgram_peek(dg, sizeof(dg), &h));
	}
	dg[1] = 0;
	dg[2] = 1;
	assert_false(dgram_peek(dg, sizeof(dg), &h));
	dg[2] = 0;
	dg[3] = 0x80;
	assert_false(dgram_peek(dg, sizeof(dg), &h));
	dg[3] = 0;
	memset(dg + 4, 0xff, 12);
	assert_true(dgram_peek(dg, sizeof(dg), &h));
	assert_int_equal(h.receiver, UINT32_MAX);
	assert_true(h.counter == UINT64_MAX);
}

/* ---- the replay window */

/* ok, then note: what a receiver does with an authentic datagram */
static bool accept(struct dgram_replay *r, uint64_t c)
{
	if (!dgram_replay_ok(r, c))
		return false;
	dgram_replay_note(r, c);
	return true;
}

static void test_replay_in_order_and_duplicates(void **state)
{
	struct dgram_replay r = { 0 };

	for (uint64_t c = 0; c < 3 * W; c++) {
		if (!accept(&r, c))
			fail_msg("counter %llu refused", (unsigned long long)c);
		assert_false(dgram_replay_ok(&r, c));
		if (c > 0)
			assert_false(dgram_replay_ok(&r, c - 1));
	}
	for (uint64_t c = 2 * W; c < 3 * W; c++)
		assert_false(dgram_replay_ok(&r, c));
	assert_true(dgram_replay_ok(&r, 3 * W));
}

static void test_replay_out_of_order(void **state)
{
	struct dgram_replay r = { 0 };

	assert_true(accept(&r, 100));
	assert_true(accept(&r, 98));
	assert_false(accept(&r, 98));
	assert_true(accept(&r, 99));
	assert_true(accept(&r, 0));
	assert_true(accept(&r, 97));
	assert_false(accept(&r, 100));
	assert_true(accept(&r, 101));
	/* The last window's worth, in reverse, below a high one. */
	assert_true(accept(&r, 50000));
	for (uint64_t c = 49999; c > 50000 - W; c--) {
		if (!accept(&r, c))
			fail_msg("counter %llu refused", (unsigned long long)c);
	}
	for (uint64_t c = 50000 - W + 1; c <= 50000; c++)
		assert_false(dgram_replay_ok(&r, c));
}

/* The highest and the W - 1 below it are remembered; one more is too old. */
static void test_replay_boundary(void **state)
{
	const uint64_t hi = 10 * W + 17;
	struct dgram_replay r = { 0 };

	assert_true(accept(&r, hi));
	assert_true(dgram_replay_ok(&r, hi - (W - 1)));
	assert_false(dgram_replay_ok(&r, hi - W));
	assert_true(accept(&r, hi - (W - 1)));
	assert_false(dgram_replay_ok(&r, hi - (W - 1)));
	dgram_replay_note(&r, hi - W);          /* too old: ignored */
	assert_false(dgram_replay_ok(&r, hi - W));
	dgram_replay_note(&r, hi - W - 5);      /* its bit is hi - 5's: left alone */
	assert_true(dgram_replay_ok(&r, hi - 5));
	/* One step up: hi - (W - 1) falls out, its bit is hi + 1's now. */
	assert_true(accept(&r, hi + 1));
	assert_false(dgram_replay_ok(&r, hi - (W - 1)));
	assert_true(dgram_replay_ok(&r, hi + 1 - (W - 1)));
	assert_false(dgram_replay_ok(&r, hi + 1));
}

/*
 * A jump ahead forgets what left the window, and only that: after 0..W-1,
 * a jump to W + 10 makes W..W+9 new (their bits were 0..9's), while
 * 11..W-1, still within the window, stay seen.
 */
static void test_replay_jump(void **state)
{
	struct dgram_replay r = { 0 };

	for (uint64_t c = 0; c < W; c++)
		assert_true(accept(&r, c));
	assert_true(accept(&r, W + 10));
	for (uint64_t c = 0; c <= 10; c++)
		assert_false(dgram_replay_ok(&r, c));   /* too old */
	for (uint64_t c = 11; c < W; c++) {
		if (dgram_replay_ok(&r, c))
			fail_msg("counter %llu accepted twice", (unsigned long long)c);
	}
	for (uint64_t c = W; c < W + 10; c++)
		assert_true(accept(&r, c));
	/* Far ahead: everything before the window is refused, all of it is new. */
	assert_true(accept(&r, UINT64_C(1) << 40));
	assert_false(dgram_replay_ok(&r, W + 10));
	assert_false(dgram_replay_ok(&r, (UINT64_C(1) << 40) - W));
	for (uint64_t c = (UINT64_C(1) << 40) - W + 1; c < UINT64_C(1) << 40; c++) {
		if (!dgram_replay_ok(&r, c))
			fail_msg("counter %llu refused", (unsigned long long)c);
	}
	/* A jump of exactly W and of W - 1. */
	assert_true(accept(&r, (UINT64_C(1) << 40) + W));
	assert_true(dgram_replay_ok(&r, (UINT64_C(1) << 40) + 1));
	assert_true(accept(&r, (UINT64_C(1) << 40) + 2 * W - 1));
	assert_false(dgram_replay_ok(&r, (UINT64_C(1) << 40) + W));
}

static void test_replay_uint64_max(void **state)
{
	struct dgram_replay r = { 0 };

	assert_false(dgram_replay_ok(&r, UINT64_MAX));
	dgram_replay_note(&r, UINT64_MAX);
	assert_true(r.top == 0);
	assert_true(accept(&r, UINT64_MAX - 1));
	assert_false(dgram_replay_ok(&r, UINT64_MAX - 1));
	assert_false(dgram_replay_ok(&r, UINT64_MAX));
	assert_true(accept(&r, UINT64_MAX - W));
	assert_false(dgram_replay_ok(&r, UINT64_MAX - W - 1));
	assert_true(dgram_replay_ok(&r, 0) == false);
}

/*
 * Against a plain model (every counter noted, in a table) on a long random
 * walk: counters around a point that moves up by jumps of all sizes.
 */
static void test_replay_model(void **state)
{
	enum { SPAN = 64 * W };
	static bool seen[SPAN];
	struct dgram_replay r = { 0 };
	uint64_t hi = 0, base = 0;
	bool any = false;
	unsigned int rnd = 12345;

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 400000; i++) {
		uint64_t c;
		bool want, got;

		rnd = rnd * 1103515245u + 12345u;
		switch (rnd >> 28) {
		case 0:         /* a jump ahead */
			c = base + (rnd >> 8) % (2 * W + 3);
			break;
		case 1:         /* near the window's lower edge */
			c = base > W + 3 ? base - W - 2 + (rnd >> 8) % 6 : (rnd >> 8) % 8;
			break;
		default:        /* within the window or a little above */
			c = base + (rnd >> 8) % (W + 40);
			c = c > W ? c - W : c;
			break;
		}
		if (c >= SPAN)
			break;
		want = !seen[c] && (!any || c > hi || hi - c < W);
		got = dgram_replay_ok(&r, c);
		if (got != want)
			fail_msg("step %d, counter %llu, highest %llu: %d, want %d", i,
				 (unsigned long long)c, (unsigned long long)hi, got, want);
		if (got) {
			dgram_replay_note(&r, c);
			seen[c] = true;
			if (!any || c > hi)
				hi = c;
			any = true;
		}
		base = hi;
	}
	assert_true(hi > 16 * W);       /* the walk went far */
}

/* ---- cost, printed */

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

enum { COST_RUNS = 5, COST_N = 20000 };

/* ns per open of a copy of good[0..n) in dg */
static double time_open(const uint8_t *key, const uint8_t *good, uint8_t *dg, size_t n)
{
	volatile long sink = 0;
	double t0 = now_ns();

	for (int k = 0; k < COST_N; k++) {
		memcpy(dg, good, n);
		sink += dgram_open(key, dg, n);
	}
	(void)sink;
	return (now_ns() - t0) / COST_N;
}

/*
 * The cost per call of seal, open, a failed open (a tag flipped), stamp and
 * check, the least of a few runs; each open starts from a copy of the sealed
 * datagram (counted in: a memcpy of that size is tens of ns).
 */
static void test_cost_printed(void **state)
{
	static const size_t lens[] = { 1514, 64 };
	static uint8_t good[1514 + DGRAM_OVERHEAD], dg[sizeof(good)];
	struct dgram_keys d, l;

	both_keys(&d, &l);
	for (size_t i = 0; i < 2; i++) {
		size_t n = lens[i] + DGRAM_OVERHEAD;
		double best[3] = { 1e30, 1e30, 1e30 }, best_stamp = 1e30, best_check = 1e30;
		volatile long sink = 0;

		for (int run = 0; run < COST_RUNS; run++) {
			struct dgram_hdr h = { DGRAM_T_FRAME, 0, 1, 0 };
			double t0 = now_ns(), t;

			for (int k = 0; k < COST_N; k++) {
				h.counter = (uint64_t)k;
				sink += (long)dgram_seal(d.tx, &h, dg, lens[i]);
			}
			t = (now_ns() - t0) / COST_N;
			best[0] = t < best[0] ? t : best[0];
			fill(good + DGRAM_HDR_LEN, lens[i], 1);
			assert_int_equal(dgram_seal(d.tx, &h, good, lens[i]), n);
			t = time_open(l.rx, good, dg, n);
			best[1] = t < best[1] ? t : best[1];
			good[n - 1] ^= 1;
			t = time_open(l.rx, good, dg, n);
			best[2] = t < best[2] ? t : best[2];
		}
		for (int run = 0; run < COST_RUNS; run++) {
			struct dgram_hdr h = { DGRAM_T_FRAME, 0, 1, 0 };
			double t0 = now_ns(), t;

			for (int k = 0; k < COST_N; k++) {
				h.counter = (uint64_t)k;
				sink += (long)dgram_stamp(d.stamp_tx, &h, dg, lens[i]);
			}
			t = (now_ns() - t0) / COST_N;
			best_stamp = t < best_stamp ? t : best_stamp;
			t0 = now_ns();
			for (int k = 0; k < COST_N; k++)
				sink += (long)dgram_check(l.stamp_rx, dg, n);
			t = (now_ns() - t0) / COST_N;
			best_check = t < best_check ? t : best_check;
		}
		assert_true(sink != 0);
		printf("dgram: %zu-byte payload: seal %.0f ns, open %.0f ns, failed open %.0f ns; "
		       "stamp %.0f ns, check %.0f ns\n", lens[i], best[0], best[1], best[2],
		       best_stamp, best_check);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_known_answer),
		cmocka_unit_test(test_derive_sides_agree_nonces_matter),
		cmocka_unit_test(test_secret_password),
		cmocka_unit_test(test_hkdf_rfc5869_case1),
		cmocka_unit_test(test_aead_rfc8439),
		cmocka_unit_test(test_seal_layout),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_tamper_and_wrong_key),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_replay_in_order_and_duplicates),
		cmocka_unit_test(test_replay_out_of_order),
		cmocka_unit_test(test_replay_boundary),
		cmocka_unit_test(test_replay_jump),
		cmocka_unit_test(test_replay_uint64_max),
		cmocka_unit_test(test_replay_model),
		cmocka_unit_test(test_siphash128_vectors),
		cmocka_unit_test(test_stamp_known_answer),
		cmocka_unit_test(test_stamped),
		cmocka_unit_test(test_stamp_payload_not_covered),
		cmocka_unit_test(test_cost_printed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
