/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bpf.h - classic BPF filter generated from a handler's config and addresses (pure) */
#ifndef VNET_BPF_H
#define VNET_BPF_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/common.h"
#include "vnet/mac.h"

/* Room for bpf_build()'s program of n addresses or patterns (an address takes 5, a pattern up to 6). */
#define BPF_PROG_LEN(n) (9 + 6 * (n))
#define BPF_ACCEPT_LEN  0x40000u    /* accept value: whole frame, GSO super-frames included */

/* The instructions bpf_build() writes for macs[0..n): 9 and 5 an address. */
size_t bpf_prog_len(const struct mac_pattern *macs, size_t n);

/*
 * Build a program that accepts a frame of at least 14 bytes when its destination (VNET_LOCAL) or
 * source (VNET_REMOTE) address matches one of macs[0..n), and rejects every
 * outgoing frame that carries mark: vnet marks (SO_MARK) all it injects, so a
 * bridged frame, broadcast or not, is never captured again by any handler,
 * while the host's own outgoing frames are still bridged.
 * Returns the number of instructions written, -E2BIG if cap is too small,
 * or -EINVAL for n == 0.
 */
int bpf_build(enum vnet_config cfg, const struct mac_pattern *macs, size_t n, uint32_t mark,
	      struct sock_filter *prog, size_t cap);

#endif
