/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dgram.h - the sealed or stamped datagrams of a handler's datagram path (pure)
 *
 * Beside its TCP link, a handler may carry frames in UDP datagrams. A TLS
 * link's datagrams are sealed with ChaCha20-Poly1305 under the key of their
 * direction, a clear link's are stamped (below):
 *
 *   offset size
 *   0      1    type: DGRAM_T_FRAME (a frame follows) or DGRAM_T_PROBE (empty)
 *   1      1    flags: DGRAM_F_HEARD (the sender hears the receiver's datagrams),
 *               DGRAM_F_PARTIAL (a frame without offload header whose TCP or
 *               UDP checksum field holds only its pseudo-header's sum, as the
 *               sending stack left it: to be completed, or passed on with
 *               NEEDS_CSUM at that field)
 *   2      2    zero
 *   4      4    receiver: the receiving side's index (its offer's), big-endian
 *   8      8    counter: the nonce, big-endian, counting up from 0 per direction
 *   16     n    payload: for a frame, the 10-byte offload header of frame.h
 *               and the Ethernet frame; nothing for a probe. Sealed, its
 *               ciphertext; stamped, in clear
 *   16+n   16   tag: Poly1305's (sealed) or the stamp (stamped)
 *
 * Sealed: the first 16 bytes, as written, are the additional authenticated
 * data; the AEAD's 12-byte nonce is 4 zero bytes and the counter,
 * little-endian (as WireGuard): counter 1 is 00 00 00 00 01 00 00 00 00 00
 * 00 00.
 *
 * Stamped: the tag is SipHash-2-4 with its 16-byte output (SipHash-2-4-128,
 * the key's bytes 0-7 and 8-15 read little-endian as k0 and k1) under the
 * direction's stamp key, of 20 bytes: the datagram's first 16, as written,
 * then n, big-endian on 4 bytes. The payload's bytes are not stamped: an
 * off-path host cannot make a (counter, tag) pair without the key, and each
 * counter is accepted once, so it can neither inject nor replay; one on the
 * path can change a payload, as it can change a clear TCP link's frames
 * (seal, with TLS, for integrity). Cutting or extending a datagram changes n.
 *
 * A datagram is at most DGRAM_LEN_MAX bytes (what UDP carries over IPv6).
 *
 * A counter is accepted once (RFC 6479): a bitmap of DGRAM_REPLAY_WINDOW bits
 * remembers the highest counter noted and the DGRAM_REPLAY_WINDOW - 1 below
 * it; an older counter is refused, a higher one moves the window up. Counter
 * UINT64_MAX is never accepted (a sender stops before it).
 *
 * Keys: both daemons offer a fresh 32-byte nonce on the TCP link; with the
 * link's 32-byte secret (the TLS 1.3 exporter's output with -s, else derived
 * from the password) HKDF-SHA256 gives one key each way:
 *
 *   secret (clear link) = HKDF-Extract(salt "vnet-datagram-password-v1",
 *                                      ikm password)
 *   prk = HKDF-Extract(salt n_dial || n_listen, ikm secret)
 *   okm = HKDF-Expand(prk, info "vnet-datagram-keys-v1", 64 bytes)
 *
 * okm's first 32 bytes are the key from dialer to listener, the second 32
 * the key from listener to dialer. Each direction's 16-byte stamp key is
 *
 *   stamp key = HKDF-Expand(prk = that direction's 32-byte key,
 *                           info "vnet-datagram-stamp-v1", 16 bytes)
 *
 * (SHA-256). Temporaries are wiped.
 */
#ifndef VNET_DGRAM_H
#define VNET_DGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DGRAM_KEY_LEN       32
#define DGRAM_STAMP_KEY_LEN 16
#define DGRAM_NONCE_LEN     32
#define DGRAM_SECRET_LEN    32
#define DGRAM_HDR_LEN       16
#define DGRAM_TAG_LEN       16
#define DGRAM_OVERHEAD      (DGRAM_HDR_LEN + DGRAM_TAG_LEN)
#define DGRAM_LEN_MAX       65527   /* 65535 less the UDP header */
#define DGRAM_PAYLOAD_MAX   (DGRAM_LEN_MAX - DGRAM_OVERHEAD)
#define DGRAM_REPLAY_WINDOW 4096    /* counters; a multiple of 64 */
#define DGRAM_EXPORTER_LABEL "EXPORTER-vnet-datagram-v1"

enum dgram_type {
	DGRAM_T_FRAME = 1,
	DGRAM_T_PROBE = 2,
};

#define DGRAM_F_HEARD   0x01
#define DGRAM_F_PARTIAL 0x02

struct dgram_hdr {
	uint8_t type, flags;
	uint32_t receiver;
	uint64_t counter;
};

struct dgram_keys {
	uint8_t tx[DGRAM_KEY_LEN], rx[DGRAM_KEY_LEN];
	uint8_t stamp_tx[DGRAM_STAMP_KEY_LEN], stamp_rx[DGRAM_STAMP_KEY_LEN];
};

struct dgram_replay {
	uint64_t top;           /* the highest counter accepted + 1 (0: none yet) */
	uint64_t bits[DGRAM_REPLAY_WINDOW / 64];
};

/* A clear link's secret: HKDF-Extract (SHA-256) of the password. 0 or -EINVAL. */
int dgram_secret_password(const char *password, uint8_t secret[DGRAM_SECRET_LEN]);

/*
 * The two keys and two stamp keys from the link's secret and the offers'
 * nonces (the dialing daemon's, then the listening one's); dialer says
 * which side we are (our tx is the other's rx). 0 or -EINVAL.
 */
int dgram_derive(const uint8_t secret[DGRAM_SECRET_LEN], const uint8_t n_dial[DGRAM_NONCE_LEN],
		 const uint8_t n_listen[DGRAM_NONCE_LEN], bool dialer, struct dgram_keys *k);

/*
 * Seal: write h and the sealed payload (len bytes at out + DGRAM_HDR_LEN,
 * sealed in place) and the tag into out; the caller put the payload there.
 * Returns the datagram's length, DGRAM_OVERHEAD + len, or 0 if len is over
 * DGRAM_PAYLOAD_MAX (nothing written). No allocation.
 */
size_t dgram_seal(const uint8_t key[DGRAM_KEY_LEN], const struct dgram_hdr *h, uint8_t *out,
		  size_t len);

/*
 * Stamp: as dgram_seal, but the payload stays in clear and the tag is the
 * stamp of header and length (above), under a stamp key. For a clear link,
 * whose frames cross in clear on the TCP link too: no off-path host can
 * forge or replay a datagram, at the cost of one short SipHash, whatever n.
 */
size_t dgram_stamp(const uint8_t key[DGRAM_STAMP_KEY_LEN], const struct dgram_hdr *h,
		   uint8_t *out, size_t len);

/*
 * Read the header of a datagram of len bytes: false if shorter than
 * DGRAM_OVERHEAD or longer than DGRAM_LEN_MAX, of unknown type, with unknown
 * flags, or bytes 2-3 not zero. Reads d[0..DGRAM_HDR_LEN) only.
 */
bool dgram_peek(const uint8_t *d, size_t len, struct dgram_hdr *h);

/*
 * Check the tag and decrypt in place (d + DGRAM_HDR_LEN). Returns the
 * payload's length, or -1 if its length is out of bounds (nothing touched)
 * or it is not authentic (its payload bytes are then zeroed: wolfSSL
 * decrypts before it compares, and no unauthenticated plaintext is left;
 * the header is unchanged). The tag is compared in
 * constant time; nothing outside d[0..len) is read. Check the counter with
 * dgram_replay_ok before (cheap), and note it with dgram_replay_note after,
 * only once authentic.
 */
ssize_t dgram_open(const uint8_t key[DGRAM_KEY_LEN], uint8_t *d, size_t len);
/*
 * Check a stamped datagram's tag (dgram_stamp), in constant time: the
 * payload's length, or -1. Reads d[0..DGRAM_HDR_LEN) and the tag only;
 * changes nothing. The payload's bytes are not checked (by design).
 */
ssize_t dgram_check(const uint8_t key[DGRAM_STAMP_KEY_LEN], const uint8_t *d, size_t len);

/* True if counter was never noted and is within the window (or above it); O(1). */
bool dgram_replay_ok(const struct dgram_replay *r, uint64_t counter);
/*
 * Note an authentic counter: the window moves up to it if it is the highest
 * (clearing at most DGRAM_REPLAY_WINDOW / 64 words); one too old or
 * UINT64_MAX is ignored. A zeroed struct dgram_replay has seen nothing.
 */
void dgram_replay_note(struct dgram_replay *r, uint64_t counter);

#endif
