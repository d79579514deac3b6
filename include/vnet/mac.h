/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mac.h - Ethernet address parsing and formatting (pure) */
#ifndef VNET_MAC_H
#define VNET_MAC_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
