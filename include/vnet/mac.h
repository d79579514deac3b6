/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mac.h - Ethernet address parsing, formatting and the injection rule (pure) */
#ifndef VNET_MAC_H
#define VNET_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/common.h"

#define MAC_LEN     6
#define MAC_BITS    48
#define MAC_STRLEN  18  /* "aa:bb:cc:dd:ee:ff" + NUL */
#define MAC_PATTERN_STRLEN 21  /* "aa:bb:cc:dd:ee:ff/47" + NUL */

struct mac {
	uint8_t b[MAC_LEN];
};

/*
 * An address pattern of an address list: the addresses whose first len bits
 * (0-48, most significant bit of the first octet first) are those of b. With
 * len 48 it is one address; 33:33:00:00:00:00/16 is every IPv6 multicast
 * address. Bits of b beyond len are zero.
 */
struct mac_pattern {
	uint8_t b[MAC_LEN];
	uint8_t len;
};

/* Parse "aa:bb:cc:dd:ee:ff" (or with '-'), exactly two hex digits an octet,
 * the whole of s. */
bool mac_parse(const char *s, struct mac *out);
void mac_format(const struct mac *m, char out[MAC_STRLEN]);
bool mac_is_zero(const struct mac *m);
bool mac_is_multicast(const struct mac *m);  /* broadcast included */
bool mac_equal(const struct mac *a, const struct mac *b);

/*
 * Parse an address ("aa:bb:cc:dd:ee:ff", as mac_parse) or an address pattern
 * ("aa:bb:cc:dd:ee:ff/LEN", LEN 0-48 in decimal, at most two digits). A
 * pattern with bits set beyond its length is refused, not normalised: it is
 * likely a typing error. On false, *why says what is wrong.
 */
bool mac_pattern_parse(const char *s, struct mac_pattern *out, const char **why);
/* "aa:bb:cc:dd:ee:ff" for one address (len 48), else "aa:bb:cc:dd:ee:ff/LEN". */
void mac_pattern_format(const struct mac_pattern *p, char out[MAC_PATTERN_STRLEN]);
/* The pattern of one address. */
void mac_pattern_of(const struct mac *m, struct mac_pattern *out);
bool mac_pattern_equal(const struct mac_pattern *a, const struct mac_pattern *b);
bool mac_pattern_match(const struct mac_pattern *p, const struct mac *m);
/* Octet i of the mask of the first len bits. */
uint8_t mac_mask_octet(unsigned int len, size_t i);
/* Whether m matches one of the patterns list[0..n). */
bool mac_in_list(const struct mac *m, const struct mac_pattern *list, size_t n);

/*
 * Whether a side with config conf and address list list[0..n) may inject a
 * frame that its peer sent; eth holds the frame's first 12 bytes (destination,
 * source), which 802.1Q tags do not move. It is the mirror of what the peer
 * captures: a LOCAL side injects the frames whose source is listed (and
 * unicast), a REMOTE side those whose destination is listed; a broadcast or
 * multicast destination only when a listed address or pattern matches it.
 */
bool mac_inject_allowed(enum vnet_config conf, const struct mac_pattern *list, size_t n,
			const uint8_t *eth);

#endif
