// SPDX-License-Identifier: GPL-2.0-or-later
/* mac.c - Ethernet address parsing, formatting and the injection rule */
#include <stdio.h>
#include <stdlib.h>
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

uint8_t mac_mask_octet(unsigned int len, size_t i)
{
	if (len >= 8 * (i + 1))
		return 0xff;
	if (len <= 8 * i)
		return 0;
	return (uint8_t)(0xff << (8 - (len - 8 * i)));
}

bool mac_pattern_parse(const char *s, struct mac_pattern *out, const char **why)
{
	const char *slash = strchr(s, '/');
	char addr[MAC_STRLEN];
	unsigned long len = MAC_BITS;
	struct mac m;

	*why = "want aa:bb:cc:dd:ee:ff or aa:bb:cc:dd:ee:ff/LENGTH";
	if (!slash) {
		if (!mac_parse(s, &m))
			return false;
	} else {
		size_t alen = (size_t)(slash - s), dlen = strlen(slash + 1);

		if (alen >= sizeof(addr))
			return false;
		memcpy(addr, s, alen);
		addr[alen] = '\0';
		if (!mac_parse(addr, &m))
			return false;
		if (dlen == 0 || dlen > 2 || strspn(slash + 1, "0123456789") != dlen)
			return false;
		len = strtoul(slash + 1, NULL, 10);
		if (len > MAC_BITS) {
			*why = "prefix length above 48";
			return false;
		}
	}
	for (size_t i = 0; i < MAC_LEN; i++) {
		if (m.b[i] & (uint8_t)~mac_mask_octet((unsigned int)len, i)) {
			*why = "bits set beyond the prefix length";
			return false;
		}
	}
	memcpy(out->b, m.b, MAC_LEN);
	out->len = (uint8_t)len;
	return true;
}

void mac_pattern_format(const struct mac_pattern *p, char out[MAC_PATTERN_STRLEN])
{
	struct mac m;

	memcpy(m.b, p->b, MAC_LEN);
	mac_format(&m, out);
	if (p->len < MAC_BITS)
		snprintf(out + MAC_STRLEN - 1, MAC_PATTERN_STRLEN - (MAC_STRLEN - 1), "/%u",
			 (unsigned int)p->len);
}

void mac_pattern_of(const struct mac *m, struct mac_pattern *out)
{
	memcpy(out->b, m->b, MAC_LEN);
	out->len = MAC_BITS;
}

bool mac_pattern_equal(const struct mac_pattern *a, const struct mac_pattern *b)
{
	return a->len == b->len && memcmp(a->b, b->b, MAC_LEN) == 0;
}

bool mac_pattern_match(const struct mac_pattern *p, const struct mac *m)
{
	for (size_t i = 0; i < MAC_LEN; i++)
		if ((m->b[i] ^ p->b[i]) & mac_mask_octet(p->len, i))
			return false;
	return true;
}

bool mac_in_list(const struct mac *m, const struct mac_pattern *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mac_pattern_match(&list[i], m))
			return true;
	return false;
}

bool mac_inject_allowed(enum vnet_config conf, const struct mac_pattern *list, size_t n,
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
