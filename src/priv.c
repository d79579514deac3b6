// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * priv.c - keep only CAP_NET_RAW and CAP_NET_ADMIN
 *
 * vnet opens what needs more (listening sockets, TAP devices) first, then
 * comes here: optionally changes to an unprivileged user while keeping the
 * two capabilities (PR_SET_KEEPCAPS), then drops every other one. Under
 * systemd with AmbientCapabilities the process already has only these two
 * and nothing changes. No libcap needed: capget/capset directly.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vnet/log.h"
#include "vnet/priv.h"

#define KEEP_CAPS ((1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN))

static int cap_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &hdr, data) < 0 ? -errno : 0;
}

static int cap_set(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

int priv_drop(const char *user, char *err, size_t errlen)
{
	struct __user_cap_data_struct caps[2];
	struct passwd *pw = NULL;
	int ret;

	if (user && !(pw = getpwnam(user))) {
		snprintf(err, errlen, "no user %s", user);
		return -ENOENT;
	}
	/* The bounding set first, while CAP_SETPCAP is still there (before the user change). */
	for (int c = 0; c <= last_cap(); c++)
		if (!(c < 32 && (KEEP_CAPS & (1u << c))))
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);   /* EPERM without CAP_SETPCAP: fine */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	if (pw) {
		if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setgroups(0, NULL) < 0 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot become %s: %s", user, strerror(errno));
			return ret;
		}
		prctl(PR_SET_KEEPCAPS, 0);
	}
	if ((ret = cap_get(caps)) < 0) {
		snprintf(err, errlen, "capget: %s", strerror(-ret));
		return ret;
	}
	caps[0].permitted &= KEEP_CAPS;
	caps[0].effective = caps[0].permitted;
	caps[0].inheritable = 0;
	caps[1].permitted = caps[1].effective = caps[1].inheritable = 0;
	if ((ret = cap_set(caps)) < 0) {
		snprintf(err, errlen, "capset: %s", strerror(-ret));
		return ret;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ret = -errno;
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return ret;
	}
	if ((caps[0].permitted & KEEP_CAPS) != KEEP_CAPS)
		log_warn("running without CAP_NET_RAW or CAP_NET_ADMIN: handlers will fail");
	/*
	 * No switch to a user by itself: what vnet runs as should not depend on
	 * whether some account exists. Say it instead.
	 */
	if (geteuid() == 0)
		log_warn("running as root (UID 0): without other capabilities, but still able to "
			 "write every file root owns; start it with --user %s",
			 getpwnam("vnet") ? "vnet" : "USER (an unprivileged user of its own)");
	log_debug("privileges dropped to CAP_NET_RAW and CAP_NET_ADMIN%s%s",
		  user ? ", user " : "", user ? user : "");
	return 0;
}
