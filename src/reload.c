// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reload.c - SIGHUP: the password file, the certificates and the handlers
 * file read again
 *
 * All or nothing: everything is read and checked first (the password file,
 * the handlers file line by line, the TLS contexts built with the new
 * password's key and the certificate files), and only then put in use. New
 * logins and handshakes take the new password, key and certificates; the
 * sessions and handlers established go on as they are; the handlers file's
 * lines change only where the file did (hfile.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vnet/daemon.h"
#include "vnet/hfile.h"
#include "vnet/loop.h"
#include "vnet/reload.h"
#include "vnet/tls.h"

/* What was read again, and what changed in the handlers file. */
static void reload_say(const struct daemon *d, const struct hfile_changes *c, char *msg,
		       size_t len)
{
	const bool pw = d->cfg.password_file, tls = d->cfg.tls, hfile = d->cfg.handlers;

	if (!pw && !tls && !hfile) {
		snprintf(msg, len, "no file to read again");
		return;
	}
	snprintf(msg, len, "%s%s%s%s%s", pw ? "password file" : "",
		 pw && tls ? ", " : "", tls ? (d->cfg.tlso.cert ? "TLS certificates and keys" : "TLS key") : "",
		 (pw || tls) && hfile ? ", " : "", hfile ? "handlers file" : "");
	if (hfile)
		snprintf(msg + strlen(msg), len - strlen(msg),
			 ": %zu line%s kept, %zu closed, %zu started", c->kept,
			 c->kept == 1 ? "" : "s", c->closed, c->started);
	else
		snprintf(msg + strlen(msg), len - strlen(msg), " read again");
}

int reload_run(struct daemon *d, char *msg, size_t len)
{
	char pw[VNET_PASSWORD_MAX + 1], err[320] = "";
	struct hfile_fresh *hf = NULL;
	struct hfile_changes c = { 0 };
	uint8_t key[TLS_KEY_LEN];
	struct args_err e;
	int ret = 0;

	memcpy(pw, d->cfg.password, sizeof(pw));
	if (d->cfg.password_file &&
	    !args_password_file(pwfile_read, d->cfg.password_file, pw, &e)) {
		snprintf(msg, len, "%s", e.msg);
		ret = -EINVAL;
		goto out;
	}
	if (d->cfg.handlers &&
	    (ret = hfile_read_again(d, d->cfg.handlers, d->cfg.user, &hf, msg, len)) < 0)
		goto out;
	if (d->cfg.tls && (tls_derive_key(pw, key) < 0 ||
			   tls_reload(&d->cfg.tlso, key, err, sizeof(err)) < 0)) {
		snprintf(msg, len, "TLS: %s", err[0] ? err : "cannot derive the key");
		ret = -EINVAL;
		goto out;
	}
	/* From here on nothing fails. */
	memcpy(d->cfg.password, pw, sizeof(pw));
	/* The key took some 100 ms of this round: new handlers' deadlines count from now. */
	loop_clock_refresh();
	if (hf) {
		hfile_apply(d, hf, &c);
		hf = NULL;
	}
	reload_say(d, &c, msg, len);
out:
	hfile_discard(hf);
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(key, sizeof(key));
	return ret;
}
