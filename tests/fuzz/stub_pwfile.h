/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stub_pwfile.h - pwfile_read without files, for the fuzz targets and unit
 * tests of the parsers that read passwords (args_parse, hfile_line_parse).
 *
 * The name's first letter chooses the answer, the rest is the password:
 * 'r' a file of root's, 'u' a file of UID 1000's, 'x' a file group or
 * others may read, 'l' a file of root's whose password is 200 'A's; any
 * other name does not exist.
 */
#ifndef VNET_STUB_PWFILE_H
#define VNET_STUB_PWFILE_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static int stub_read_pw(const char *path, char *out, size_t cap, uid_t *owner)
{
	switch (path[0]) {
	case 'r':
	case 'l':
		*owner = 0;
		break;
	case 'u':
		*owner = 1000;
		break;
	case 'x':
		return -EPERM;
	default:
		return -ENOENT;
	}
	if (path[0] == 'l' && cap > 200) {
		memset(out, 'A', 200);
		out[200] = '\0';
	} else {
		snprintf(out, cap, "%s", path + 1);
	}
	return 0;
}

#endif
