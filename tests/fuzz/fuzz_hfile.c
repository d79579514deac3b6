// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_hfile.c - libFuzzer target for the lines of a handlers file
 * (hfile_line_parse, vnet --handlers FILE).
 *
 * The input is a whole file: its first byte chooses the file's standing
 * (bit 0: group or others may read it; bit 1: it belongs to UID 1000, not
 * root), the rest is cut into lines as hfile_load does (a line longer than
 * its buffer is skipped) and each goes through hfile_line_parse with the
 * buffer size hfile_load gives. No file is read: an @PATH password comes
 * from stub_pwfile.h, whose first letter chooses the answer ('r': a file of
 * root's, 'u': of UID 1000, 'x': one others may read, 'l': a long password,
 * else none) and whose rest is the password. The devices of the daemon are eth0, vmnet1 and vtap0.
 *
 * Checked: an empty line yields nothing; a request is a HANDLE (or RHANDLE)
 * on an allowed device with a valid password; a refusal says why in a
 * NUL-terminated message within its buffer. A violation calls
 * __builtin_trap().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vnet/hfile_line.h"
#include "stub_pwfile.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define ERR_LEN 320         /* as in hfile.c */
#define GUARD   0xa5

static const char *const devices[] = { "eth0", "vmnet1", "vtap0" };

static bool stub_device_allowed(void *arg __attribute__((unused)), const char *dev)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (!strcmp(devices[i], dev))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hfile_ctx ctx = { .read_pw = stub_read_pw, .device_allowed = stub_device_allowed };
	char line[VNET_LINE_MAX + 2], err[ERR_LEN + 1];
	size_t start = 1;

	if (!size)
		return 0;
	ctx.exposed = data[0] & 1;
	ctx.owner = data[0] & 2 ? 1000 : 0;
	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - data) + 1 - start : size - start;
		struct proto_req req;
		enum hfile_line r;

		if (len + 1 > sizeof(line)) {   /* hfile_load: "line too long: skipped" */
			start += len;
			continue;
		}
		memcpy(line, data + start, len);
		line[len] = '\0';
		start += len;
		memset(err, GUARD, sizeof(err));
		r = hfile_line_parse(line, sizeof(line), &ctx, &req, err, ERR_LEN);
		CHECK((unsigned char)err[ERR_LEN] == GUARD);
		switch (r) {
		case HFILE_LINE_EMPTY:
			break;
		case HFILE_LINE_REQ:
			CHECK(req.cmd == PROTO_HANDLE);
			CHECK(stub_device_allowed(NULL, req.ldev));
			CHECK(proto_password_valid(req.password));
			proto_req_wipe(&req);
			break;
		case HFILE_LINE_BAD:
			CHECK(memchr(err, '\0', ERR_LEN) && err[0]);
			break;
		default:
			CHECK(0);
		}
	}
	return 0;
}
