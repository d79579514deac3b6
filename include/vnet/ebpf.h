/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ebpf.h - the eBPF socket filter of a device's shared capture (pure)
 *
 * One program per device, run by the kernel on every frame the device sees:
 * it drops runts and the frames vnet injected (skb->mark), then looks the
 * destination up in one LPM-trie map (the addresses and patterns of the
 * device's LOCAL handlers) and the source in another (its REMOTE handlers').
 * A frame that neither holds is dropped. The maps hold the union of the
 * handlers' lists; an exact address is a /48 prefix, a pattern MAC/LEN a
 * /LEN prefix, so one lookup answers both. Two maps, not one with flags: a
 * longest-prefix match returns one entry, and a pattern of one side must not
 * hide a longer entry of the other.
 */
#ifndef VNET_EBPF_H
#define VNET_EBPF_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/mac.h"

/* The maps' key: struct bpf_lpm_trie_key_hdr (u32 prefix length) then the 6 octets. */
#define EBPF_KEY_LEN    (4 + MAC_LEN)
#define EBPF_VALUE_LEN  4               /* unused by the program: presence is the answer */
#define EBPF_PROG_LEN   40              /* room for ebpf_build's program */
#define EBPF_ACCEPT_LEN 0x40000u        /* accept: the whole frame, GSO super-frames included */

enum ebpf_side {
	EBPF_DST,       /* frames whose destination is listed: LOCAL handlers */
	EBPF_SRC,       /* frames whose source is listed: REMOTE handlers */
	EBPF_SIDES
};

/* The map key of a pattern (an address is the pattern of length 48). */
void ebpf_key_of(const struct mac_pattern *p, uint8_t key[EBPF_KEY_LEN]);

/*
 * Build the program for the maps whose descriptors are map_fd[EBPF_DST] and
 * map_fd[EBPF_SRC]: accept a frame of at least 14 bytes whose destination
 * is in the first or source in the second, unless it is outgoing and
 * carries mark. Returns the number of instructions, or -E2BIG.
 */
int ebpf_build(uint32_t mark, const int map_fd[EBPF_SIDES], struct bpf_insn *prog, size_t cap);

#endif
