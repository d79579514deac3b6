// SPDX-License-Identifier: GPL-2.0-or-later
/* dgram.c - the datagrams of the datagram path: keys, sealing, stamping, replay window (pure) */
#include <errno.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/siphash.h>

#include "vnet/common.h"
#include "vnet/dgram.h"

#define DGRAM_PW_SALT   "vnet-datagram-password-v1"
#define DGRAM_KEYS_INFO "vnet-datagram-keys-v1"
#define DGRAM_STAMP_INFO "vnet-datagram-stamp-v1"
#define DGRAM_STAMPED   (DGRAM_HDR_LEN + 4)     /* header, then the payload's length */
#define DGRAM_IV_LEN    CHACHA20_POLY1305_AEAD_IV_SIZE

_Static_assert(DGRAM_REPLAY_WINDOW % 64 == 0, "the replay window is whole words");
_Static_assert(DGRAM_KEY_LEN == CHACHA20_POLY1305_AEAD_KEYSIZE, "a ChaCha20 key");
_Static_assert(DGRAM_TAG_LEN == CHACHA20_POLY1305_AEAD_AUTHTAG_SIZE, "a Poly1305 tag");
_Static_assert(DGRAM_STAMP_KEY_LEN == SIPHASH_KEY_SIZE, "a SipHash key");
_Static_assert(DGRAM_TAG_LEN == SIPHASH_MAC_SIZE_16, "a SipHash-2-4-128 output");
_Static_assert(DGRAM_SECRET_LEN == WC_SHA256_DIGEST_SIZE, "a secret is one SHA-256 output");

int dgram_secret_password(const char *password, uint8_t secret[DGRAM_SECRET_LEN])
{
	size_t len = password ? strlen(password) : 0;

	if (len == 0 || len > VNET_PASSWORD_MAX)
		return -EINVAL;
	if (wc_HKDF_Extract(WC_SHA256, (const byte *)DGRAM_PW_SALT, sizeof(DGRAM_PW_SALT) - 1,
			    (const byte *)password, (word32)len, secret) != 0)
		return -EINVAL;
	return 0;
}

int dgram_derive(const uint8_t secret[DGRAM_SECRET_LEN], const uint8_t n_dial[DGRAM_NONCE_LEN],
		 const uint8_t n_listen[DGRAM_NONCE_LEN], bool dialer, struct dgram_keys *k)
{
	uint8_t salt[2 * DGRAM_NONCE_LEN], prk[WC_SHA256_DIGEST_SIZE], okm[2 * DGRAM_KEY_LEN];
	int err = -EINVAL;

	memcpy(salt, n_dial, DGRAM_NONCE_LEN);
	memcpy(salt + DGRAM_NONCE_LEN, n_listen, DGRAM_NONCE_LEN);
	if (wc_HKDF_Extract(WC_SHA256, salt, sizeof(salt), secret, DGRAM_SECRET_LEN, prk) != 0)
		goto out;
	if (wc_HKDF_Expand(WC_SHA256, prk, sizeof(prk), (const byte *)DGRAM_KEYS_INFO,
			   sizeof(DGRAM_KEYS_INFO) - 1, okm, sizeof(okm)) != 0)
		goto out;
	/* The first half is the dialer's sending key, the second the listener's. */
	memcpy(k->tx, okm + (dialer ? 0 : DGRAM_KEY_LEN), DGRAM_KEY_LEN);
	memcpy(k->rx, okm + (dialer ? DGRAM_KEY_LEN : 0), DGRAM_KEY_LEN);
	/* Each direction's stamp key: HKDF-Expand with its key as the PRK. */
	if (wc_HKDF_Expand(WC_SHA256, k->tx, DGRAM_KEY_LEN, (const byte *)DGRAM_STAMP_INFO,
			   sizeof(DGRAM_STAMP_INFO) - 1, k->stamp_tx, DGRAM_STAMP_KEY_LEN) != 0 ||
	    wc_HKDF_Expand(WC_SHA256, k->rx, DGRAM_KEY_LEN, (const byte *)DGRAM_STAMP_INFO,
			   sizeof(DGRAM_STAMP_INFO) - 1, k->stamp_rx, DGRAM_STAMP_KEY_LEN) != 0) {
		explicit_bzero(k, sizeof(*k));
		goto out;
	}
	err = 0;
out:
	explicit_bzero(prk, sizeof(prk));
	explicit_bzero(okm, sizeof(okm));
	return err;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The AEAD nonce of a counter: 4 zero bytes, then the counter little-endian. */
static void make_iv(uint8_t iv[DGRAM_IV_LEN], uint64_t counter)
{
	memset(iv, 0, 4);
	for (int i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(counter >> (8 * i));
}

static void put_hdr(uint8_t *out, const struct dgram_hdr *h)
{
	out[0] = h->type;
	out[1] = h->flags;
	out[2] = 0;
	out[3] = 0;
	put_be32(out + 4, h->receiver);
	put_be32(out + 8, (uint32_t)(h->counter >> 32));
	put_be32(out + 12, (uint32_t)h->counter);
}

/* The stamp of the header at d and a payload of n bytes: SipHash-2-4-128 of the 20 bytes. */
static int stamp_of(const uint8_t key[DGRAM_STAMP_KEY_LEN], const uint8_t *d, size_t n,
		    uint8_t tag[DGRAM_TAG_LEN])
{
	uint8_t m[DGRAM_STAMPED];

	memcpy(m, d, DGRAM_HDR_LEN);
	put_be32(m + DGRAM_HDR_LEN, (uint32_t)n);
	return wc_SipHash(key, m, sizeof(m), tag, DGRAM_TAG_LEN) != 0 ? -EINVAL : 0;
}

size_t dgram_stamp(const uint8_t key[DGRAM_STAMP_KEY_LEN], const struct dgram_hdr *h,
		   uint8_t *out, size_t len)
{
	if (len > DGRAM_PAYLOAD_MAX)
		return 0;
	put_hdr(out, h);
	if (stamp_of(key, out, len, out + DGRAM_HDR_LEN + len) < 0)
		return 0;
	return DGRAM_OVERHEAD + len;
}

ssize_t dgram_check(const uint8_t key[DGRAM_STAMP_KEY_LEN], const uint8_t *d, size_t len)
{
	uint8_t tag[DGRAM_TAG_LEN], diff = 0;
	size_t n;

	if (len < DGRAM_OVERHEAD || len > DGRAM_LEN_MAX)
		return -1;
	n = len - DGRAM_OVERHEAD;
	if (stamp_of(key, d, n, tag) < 0)
		return -1;
	/* In constant time: every byte is compared, whatever the first difference. */
	for (size_t i = 0; i < DGRAM_TAG_LEN; i++)
		diff |= tag[i] ^ d[DGRAM_HDR_LEN + n + i];
	return diff ? -1 : (ssize_t)n;
}

size_t dgram_seal(const uint8_t key[DGRAM_KEY_LEN], const struct dgram_hdr *h, uint8_t *out,
		  size_t len)
{
	uint8_t iv[DGRAM_IV_LEN];

	if (len > DGRAM_PAYLOAD_MAX)
		return 0;
	put_hdr(out, h);
	make_iv(iv, h->counter);
	if (wc_ChaCha20Poly1305_Encrypt(key, iv, out, DGRAM_HDR_LEN, out + DGRAM_HDR_LEN,
					(word32)len, out + DGRAM_HDR_LEN,
					out + DGRAM_HDR_LEN + len) != 0)
		return 0;
	return DGRAM_OVERHEAD + len;
}

bool dgram_peek(const uint8_t *d, size_t len, struct dgram_hdr *h)
{
	if (len < DGRAM_OVERHEAD || len > DGRAM_LEN_MAX)
		return false;
	if (d[0] != DGRAM_T_FRAME && d[0] != DGRAM_T_PROBE)
		return false;
	if ((d[1] & ~(DGRAM_F_HEARD | DGRAM_F_PARTIAL)) != 0 || d[2] != 0 || d[3] != 0)
		return false;
	h->type = d[0];
	h->flags = d[1];
	h->receiver = get_be32(d + 4);
	h->counter = (uint64_t)get_be32(d + 8) << 32 | get_be32(d + 12);
	return true;
}

ssize_t dgram_open(const uint8_t key[DGRAM_KEY_LEN], uint8_t *d, size_t len)
{
	uint8_t iv[DGRAM_IV_LEN];
	size_t n;

	if (len < DGRAM_OVERHEAD || len > DGRAM_LEN_MAX)
		return -1;
	n = len - DGRAM_OVERHEAD;
	make_iv(iv, (uint64_t)get_be32(d + 8) << 32 | get_be32(d + 12));
	/* wolfSSL compares the tags in constant time, after decrypting. */
	if (wc_ChaCha20Poly1305_Decrypt(key, iv, d, DGRAM_HDR_LEN, d + DGRAM_HDR_LEN, (word32)n,
					d + DGRAM_HDR_LEN + n, d + DGRAM_HDR_LEN) != 0) {
		/* No unauthenticated plaintext is left behind. */
		explicit_bzero(d + DGRAM_HDR_LEN, n);
		return -1;
	}
	return (ssize_t)n;
}

/*
 * The replay window (RFC 6479): bit c % DGRAM_REPLAY_WINDOW of bits stands
 * for counter c, for the DGRAM_REPLAY_WINDOW counters top - WINDOW ... top - 1.
 */
static bool replay_test(const struct dgram_replay *r, uint64_t c)
{
	uint64_t bit = c % DGRAM_REPLAY_WINDOW;

	return r->bits[bit / 64] >> (bit % 64) & 1;
}

/* Clear the bits of counters from ... to - 1 (to - from < DGRAM_REPLAY_WINDOW). */
static void replay_clear(struct dgram_replay *r, uint64_t from, uint64_t to)
{
	while (from < to) {
		uint64_t bit = from % DGRAM_REPLAY_WINDOW, off = bit % 64, n = 64 - off;
		uint64_t mask;

		if (n > to - from)
			n = to - from;
		mask = n == 64 ? UINT64_MAX : ((UINT64_C(1) << n) - 1) << off;
		r->bits[bit / 64] &= ~mask;
		from += n;
	}
}

bool dgram_replay_ok(const struct dgram_replay *r, uint64_t counter)
{
	if (counter == UINT64_MAX)
		return false;
	if (counter >= r->top)
		return true;
	if (r->top - counter > DGRAM_REPLAY_WINDOW)
		return false;
	return !replay_test(r, counter);
}

void dgram_replay_note(struct dgram_replay *r, uint64_t counter)
{
	uint64_t bit = counter % DGRAM_REPLAY_WINDOW;

	if (counter == UINT64_MAX)
		return;
	if (counter >= r->top) {
		/* The window moves up: the counters it leaves free their bits for the new. */
		if (counter + 1 - r->top >= DGRAM_REPLAY_WINDOW)
			memset(r->bits, 0, sizeof(r->bits));
		else
			replay_clear(r, r->top, counter + 1);
		r->top = counter + 1;
	} else if (r->top - counter > DGRAM_REPLAY_WINDOW) {
		return;         /* too old: its bit now stands for a newer counter */
	}
	r->bits[bit / 64] |= UINT64_C(1) << (bit % 64);
}
