/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proto.h - the control protocol: parse requests, format requests and replies (pure)
 *
 * One request a line; words separated by spaces or tabs; keywords and configs
 * are case-insensitive. Every reply starts with "OK" or "NOK reason".
 */
#ifndef VNET_PROTO_H
#define VNET_PROTO_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnet/common.h"
#include "vnet/mac.h"

enum proto_cmd {
	PROTO_HELLO,        /* HELLO password version */
	PROTO_DONE,         /* DONE */
	PROTO_DEVICES,      /* DEVICES? */
	PROTO_HANDLERS,     /* HANDLERS? */
	PROTO_CLOSE,        /* CLOSE id */
	PROTO_HANDLE,       /* HANDLE pw lconf ldev rconf rhost rport rdev macs+ (RHANDLE: reconnecting) */
	PROTO_BEGIN,        /* BEGIN lconf ldev rconf rdev macs+ */
	PROTO_STATS,        /* STATS? */
	PROTO_DEVINFO,      /* DEVINFO? (DEVICES? with each device's MAC, MTU and state) */
	PROTO_INSTANCE,     /* INSTANCE? (which run of which daemon this is: a dial to itself) */
};

#define PROTO_DEV_MAX   IFNAMSIZ    /* a device name, NUL included */
#define PROTO_VERSION_MAX 16

struct proto_req {
	enum proto_cmd cmd;
	char password[VNET_PASSWORD_MAX + 1];   /* HELLO, HANDLE: wipe after use */
	char version[PROTO_VERSION_MAX];        /* HELLO */
	unsigned long id;                       /* CLOSE */
	enum vnet_config lconf, rconf;          /* HANDLE, BEGIN */
	char ldev[PROTO_DEV_MAX], rdev[PROTO_DEV_MAX];
	char rhost[VNET_HOST_MAX + 1];          /* HANDLE */
	uint16_t rport;
	struct mac_pattern *macs;               /* HANDLE, BEGIN: nmacs, allocated */
	size_t nmacs;
	bool reconnect;                         /* RHANDLE: re-established when it drops */
};

/*
 * Parse one request line (without its end of line). On failure returns false
 * and writes a reason fit for "NOK reason" into err. A parsed request holds
 * its address list in memory of its own: proto_req_wipe() when done.
 */
bool proto_parse(const char *line, struct proto_req *req, char *err, size_t errlen);
/*
 * The request of line[0..len), from its first word alone: the rest is not
 * looked at, so a state that does not take the request can refuse it for the
 * cost of a word. False, with a reason in err, for an empty line, an unknown
 * word or a NUL byte anywhere in the line (a request is text: a NUL would cut
 * it short where the sender did not).
 */
bool proto_parse_cmd(const char *line, size_t len, enum proto_cmd *cmd, char *err, size_t errlen);
/* Clear the secrets a request may hold and free its address list. */
void proto_req_wipe(struct proto_req *req);
/* A copy of src with an address list of its own (wipe it too); false if out of memory. */
bool proto_req_copy(struct proto_req *dst, const struct proto_req *src);

bool proto_password_valid(const char *pw);
bool proto_device_valid(const char *dev);
bool proto_version_supported(const char *version);
bool proto_parse_port(const char *s, uint16_t *port);
bool proto_parse_config(const char *s, enum vnet_config *cfg);
const char *proto_config_name(enum vnet_config cfg);
/* Parse a space-separated MAC list into macs (duplicates removed). */
bool proto_parse_macs(char *const *words, size_t n, struct mac_pattern *macs, size_t *nmacs,
		      char *err, size_t errlen);

/*
 * Format requests. Each returns the line length (newline included), or -1 if
 * it does not fit in cap bytes (VNET_LINE_MAX is always enough for valid input).
 */
int proto_fmt_hello(char *out, size_t cap, const char *password);
/* What a HANDLE line carries, as the sender has it (strings not copied). */
struct proto_handle {
	const char *password;
	enum vnet_config lconf;                 /* the peer's is the other one */
	const char *ldev, *rhost, *rdev;
	uint16_t rport;
	const struct mac_pattern *macs;
	size_t nmacs;
	bool reconnect;                         /* written as RHANDLE */
};
int proto_fmt_handle(char *out, size_t cap, const struct proto_handle *h);
int proto_fmt_begin(char *out, size_t cap, enum vnet_config lconf, const char *ldev,
		    const char *rdev, const struct mac_pattern *macs, size_t nmacs);

/* A reply line: true if it says OK; *rest points past "OK " / "NOK ". */
bool proto_reply_ok(const char *line, const char **rest);

/*
 * INSTANCE?'s answer, "OK instance <16 lowercase hex digits>" (no newline):
 * the daemon's id, random for each run. Returns its length, or -1.
 */
int proto_fmt_instance_ok(char *out, size_t cap, uint64_t id);
/*
 * rest: what follows "OK " in a reply (proto_reply_ok). True with *id if it
 * is INSTANCE?'s answer, "instance" and exactly 16 lowercase hex digits.
 */
bool proto_reply_instance(const char *rest, uint64_t *id);

/* A byte shown as it is to a terminal or a log: printable ASCII, space included. */
bool proto_printable(unsigned char c);
/*
 * Copy len bytes of untrusted text (a peer's answer) into out, cap bytes with
 * the NUL, as printable ASCII: every other byte (controls, escapes, DEL,
 * 8-bit, NUL) becomes '?'; text too long ends in "...". Returns the length.
 */
size_t proto_sanitize(char *out, size_t cap, const char *in, size_t len);

/* Constant-time comparison of two NUL-terminated secrets. */
bool proto_secret_equal(const char *a, const char *b);

#endif
