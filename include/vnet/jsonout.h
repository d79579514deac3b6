/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonout.h - vnetclient --json: the daemon's list answers as one JSON document (pure)
 *
 * Each function takes the lines of a list answer (after the OK and count
 * lines) and writes one JSON object to f. Field names are stable and
 * documented in vnetclient(1). Returns false if a line does not have the
 * expected shape (then nothing sensible can be printed).
 */
#ifndef VNET_JSONOUT_H
#define VNET_JSONOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

bool json_devices(FILE *f, char *const *lines, size_t n);
/* HANDLERS? lines, with STATS? lines for the state of the handlers that reconnect. */
bool json_handlers(FILE *f, char *const *lines, size_t n, char *const *stats, size_t ns);
bool json_stats(FILE *f, char *const *lines, size_t n);
/* {"id": ID} for handle, {"closed": ID} for close. */
void json_id(FILE *f, const char *key, const char *id);

#endif
