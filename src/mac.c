// SPDX-License-Identifier: GPL-2.0-or-later
/* mac.c - Ethernet address parsing, formatting and the injection rule */
#include <stdio.h>
#include <string.h>

#include "vnet/mac.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool mac_parse(const char *s, struct mac *out)
{
	struct mac m;
	char sep = 0;

	for (int i = 0; i < MAC_LEN; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			return false;
		m.b[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i == MAC_LEN - 1)
			break;
		if (*s != ':' && *s != '-')
			return false;
		if (sep && *s != sep)
			return false;
		sep = *s++;
	}
	if (*s != '\0')
		return false;
	*out = m;
	return true;
}

void mac_format(const struct mac *m, char out[MAC_STRLEN])
{
	snprintf(out, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m->b[0], m->b[1], m->b[2], m->b[3], m->b[4], m->b[5]);
}

bool mac_is_zero(const struct mac *m)
{
	static const struct mac zero;

	return memcmp(m->b, zero.b, MAC_LEN) == 0;
}

bool mac_is_multicast(const struct mac *m)
{
	return m->b[0] & 1;
}

bool mac_equal(const struct mac *a, const struct mac *b)
{
	return memcmp(a->b, b->b, MAC_LEN) == 0;
}

bool mac_in_list(const struct mac *m, const struct mac *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mac_equal(m, &list[i]))
			return true;
	return false;
}

bool mac_inject_allowed(enum vnet_config conf, const struct mac *list, size_t n,
			const uint8_t *eth)
{
	struct mac m;

	if (conf == VNET_LOCAL) {
		memcpy(m.b, eth + MAC_LEN, MAC_LEN);    /* the source */
		return !mac_is_multicast(&m) && mac_in_list(&m, list, n);
	}
	memcpy(m.b, eth, MAC_LEN);                  /* the destination */
	return mac_in_list(&m, list, n);
}
