/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hfile_diff.h - which lines of a handlers file read again are the same as before (pure) */
#ifndef VNET_HFILE_DIFF_H
#define VNET_HFILE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/proto.h"

#define HFILE_KEY_LEN 32
#define HFILE_NONE ((size_t)-1)

/* What a line asks for, every field of its request (password included), as a digest. */
struct hfile_key {
	uint8_t b[HFILE_KEY_LEN];
};

/*
 * The key of a HANDLE or RHANDLE request: SHA-256 of its canonical form, so
 * that two lines that differ only in spacing, case or the order of their
 * addresses' duplicates are the same line. False if it cannot be formed.
 */
bool hfile_key_of(const struct proto_req *r, struct hfile_key *k);

/*
 * Pair the lines read now (fresh, nfresh) with those read before (old,
 * nold): match[i] is the old line fresh line i is equal to, or HFILE_NONE (a
 * new or changed line: its handler starts). Each old line is matched once
 * at most, in the order of the file (two equal lines are two handlers); an
 * old line no fresh one matched closes. 0, or -ENOMEM.
 */
int hfile_diff(const struct hfile_key *old, size_t nold, const struct hfile_key *fresh,
	       size_t nfresh, size_t *match);

#endif
