/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pwfile.h - a password kept in a file (vnet --password-file, @PATH in a handlers file) */
#ifndef VNET_PWFILE_H
#define VNET_PWFILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read the first line of path, without its line end, into out (cap >= 2
 * bytes, NUL-terminated; a longer line is cut). 0, -EPERM when group or others may
 * read the file (nothing is read then), or -errno when it cannot be opened
 * (an EPERM from open is told as -EACCES). *owner: the file's owner.
 */
int pwfile_read(const char *path, char *out, size_t cap, uid_t *owner);

/* The type of pwfile_read, for parsers that take a stub instead (tests, fuzzing). */
typedef int (*pwfile_read_fn)(const char *path, char *out, size_t cap, uid_t *owner);

#endif
