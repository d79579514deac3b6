/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mac.h - Ethernet address parsing, formatting and the injection rule (pure) */
#ifndef VNET_MAC_H
#define VNET_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/common.h"

#define MAC_LEN     6
#define MAC_STRLEN  18  /* "aa:bb:cc:dd:ee:ff" + NUL */

struct mac {
	uint8_t b[MAC_LEN];
};

/* Parse "aa:bb:cc:dd:ee:ff" (or with '-'), exactly two hex digits an octet,
 * the whole of s. */
bool mac_parse(const char *s, struct mac *out);
void mac_format(const struct mac *m, char out[MAC_STRLEN]);
bool mac_is_zero(const struct mac *m);
bool mac_is_multicast(const struct mac *m);  /* broadcast included */
bool mac_equal(const struct mac *a, const struct mac *b);
bool mac_in_list(const struct mac *m, const struct mac *list, size_t n);

/*
 * Whether a side with config conf and address list list[0..n) may inject a
 * frame that its peer sent; eth holds the frame's first 12 bytes (destination,
 * source), which 802.1Q tags do not move. It is the mirror of what the peer
 * captures: a LOCAL side injects the frames whose source is listed (and
 * unicast), a REMOTE side those whose destination is listed; a broadcast or
 * multicast destination only when that very address is listed.
 */
bool mac_inject_allowed(enum vnet_config conf, const struct mac *list, size_t n,
			const uint8_t *eth);

#endif
