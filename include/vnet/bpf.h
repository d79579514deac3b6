/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bpf.h - classic BPF filter generated from a handler's config and addresses (pure) */
#ifndef VNET_BPF_H
#define VNET_BPF_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/common.h"
#include "vnet/mac.h"

/* Instructions bpf_build() needs for n addresses. */
#define BPF_PROG_LEN(n) (9 + 5 * (n))
#define BPF_ACCEPT_LEN  0x40000u    /* accept value: whole frame, GSO super-frames included */

/*
 * Build a program that accepts a frame of at least 14 bytes when its destination (VNET_LOCAL) or
 * source (VNET_REMOTE) address is one of macs[0..n), and rejects every
 * outgoing frame that carries mark: vnet marks (SO_MARK) all it injects, so a
 * bridged frame, broadcast or not, is never captured again by any handler,
 * while the host's own outgoing frames are still bridged.
 * Returns the number of instructions written, -E2BIG if cap is too small,
 * or -EINVAL for n == 0.
 */
int bpf_build(enum vnet_config cfg, const struct mac *macs, size_t n, uint32_t mark,
	      struct sock_filter *prog, size_t cap);

#endif
