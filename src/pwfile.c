// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pwfile.c - a password kept in a file: its first line, the file readable by
 * its owner only. Used for vnet --password-file and for the @PATH passwords
 * of a handlers file; the parsers of both take this function as a parameter,
 * so that they can be tested and fuzzed without touching files.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vnet/pwfile.h"

int pwfile_read(const char *path, char *out, size_t cap, uid_t *owner)
{
	FILE *f = fopen(path, "re");
	struct stat st;

	if (!f)
		return errno == EPERM ? -EACCES : -errno;
	if (fstat(fileno(f), &st) < 0 || (st.st_mode & 077)) {
		fclose(f);
		return -EPERM;
	}
	*owner = st.st_uid;
	if (!fgets(out, (int)cap, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}
