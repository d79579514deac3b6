// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hfile_diff.c - which lines of a handlers file read again are the same as
 * before (pure)
 *
 * A line is identified by everything its request says (the password too):
 * a digest of its canonical form, so that nothing secret is kept once its
 * handler is made. On a reload, the lines of the file read again are paired
 * with those read before by sorting both sides by key (and position, so
 * that equal lines pair in the order of the file): n log n for a file of
 * thousands of lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>

#include "vnet/hfile_diff.h"

bool hfile_key_of(const struct proto_req *r, struct hfile_key *k)
{
	const struct proto_handle h = {
		.password = r->password, .lconf = r->lconf, .ldev = r->ldev, .rhost = r->rhost,
		.rdev = r->rdev, .rport = r->rport, .macs = r->macs, .nmacs = r->nmacs,
		.reconnect = r->reconnect,
	};
	char line[VNET_LINE_MAX + 1];
	int len = proto_fmt_handle(line, sizeof(line), &h);
	bool ok = len > 0 && wc_Sha256Hash((const byte *)line, (word32)len, k->b) == 0;

	explicit_bzero(line, sizeof(line));
	return ok;
}

struct ref {
	const struct hfile_key *key;
	size_t pos;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = memcmp(x->key->b, y->key->b, HFILE_KEY_LEN);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static struct ref *sorted(const struct hfile_key *keys, size_t n)
{
	struct ref *r = calloc(n ? n : 1, sizeof(*r));

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ref){ &keys[i], i };
	qsort(r, n, sizeof(*r), ref_cmp);
	return r;
}

int hfile_diff(const struct hfile_key *old, size_t nold, const struct hfile_key *fresh,
	       size_t nfresh, size_t *match)
{
	struct ref *o = sorted(old, nold), *f = sorted(fresh, nfresh);
	size_t i = 0, j = 0;
	int ret = 0;

	if (!o || !f) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t n = 0; n < nfresh; n++)
		match[n] = HFILE_NONE;
	while (i < nold && j < nfresh) {
		int c = memcmp(o[i].key->b, f[j].key->b, HFILE_KEY_LEN);

		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			match[f[j].pos] = o[i].pos;
			i++;
			j++;
		}
	}
out:
	free(o);
	free(f);
	return ret;
}
