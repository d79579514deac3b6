// SPDX-License-Identifier: GPL-2.0-or-later
/* proto.c - the control protocol: parse requests, format requests and replies */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vnet/proto.h"

#define WORDS_MAX (16 + VNET_MACS_MAX)   /* a request's words and its addresses */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Printable ASCII without spaces: what a protocol word may hold. */
static bool word_valid(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Split a copy of line into words; false if there are more than cap. */
static bool split(char *s, char **words, size_t cap, size_t *n)
{
	*n = 0;
	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s)
			return true;
		if (*n == cap)
			return false;
		words[(*n)++] = s;
		while (*s && !is_space(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

bool proto_password_valid(const char *pw)
{
	size_t len = strlen(pw);

	return len >= 1 && len <= VNET_PASSWORD_MAX && word_valid(pw);
}

bool proto_device_valid(const char *dev)
{
	size_t len = strlen(dev);

	if (len == 0 || len >= PROTO_DEV_MAX || !strcmp(dev, ".") || !strcmp(dev, ".."))
		return false;
	for (const char *p = dev; *p; p++)
		if (*p == '/' || *p == ':' || (unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

bool proto_version_supported(const char *version)
{
	return !strcmp(version, "0.9") || !strcmp(version, VNET_PROTO_VERSION);
}

bool proto_parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

bool proto_parse_config(const char *s, enum vnet_config *cfg)
{
	if (!strcasecmp(s, "local"))
		*cfg = VNET_LOCAL;
	else if (!strcasecmp(s, "remote"))
		*cfg = VNET_REMOTE;
	else
		return false;
	return true;
}

const char *proto_config_name(enum vnet_config cfg)
{
	return cfg == VNET_LOCAL ? "LOCAL" : "REMOTE";
}

/* Order of patterns for unique_macs: by value, equal ones by their place in the list. */
static int mac_order(const void *a, const void *b, void *arg)
{
	const struct mac_pattern *list = arg;
	uint16_t i = *(const uint16_t *)a, j = *(const uint16_t *)b;
	int d = memcmp(list[i].b, list[j].b, MAC_LEN);

	if (!d)
		d = (int)list[i].len - (int)list[j].len;
	return d ? d : (int)i - (int)j;
}

/*
 * Drop the patterns that come again later in macs[0..n) (at most
 * VNET_MACS_MAX), keeping the first of each in its place: sorted, duplicates
 * are neighbours, so the check costs n log n comparisons, not n^2.
 */
static size_t unique_macs(struct mac_pattern *macs, size_t n)
{
	uint16_t order[VNET_MACS_MAX];
	bool dup[VNET_MACS_MAX] = { false };
	size_t kept = 0;

	_Static_assert(VNET_MACS_MAX <= UINT16_MAX, "an index of the list fits 16 bits");
	for (size_t i = 0; i < n; i++)
		order[i] = (uint16_t)i;
	qsort_r(order, n, sizeof(order[0]), mac_order, macs);
	for (size_t k = 1; k < n; k++)
		dup[order[k]] = mac_pattern_equal(&macs[order[k]], &macs[order[k - 1]]);
	for (size_t i = 0; i < n; i++)
		if (!dup[i])
			macs[kept++] = macs[i];
	return kept;
}

bool proto_parse_macs(char *const *words, size_t n, struct mac_pattern *macs, size_t *nmacs,
		      char *err, size_t errlen)
{
	*nmacs = 0;
	if (n == 0) {
		say(err, errlen, "no addresses");
		return false;
	}
	if (n > VNET_MACS_MAX) {
		say(err, errlen, "too many addresses (at most %d)", VNET_MACS_MAX);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		static const uint8_t zero[MAC_LEN];
		struct mac_pattern m;
		const char *why;

		if (strlen(words[i]) >= MAC_PATTERN_STRLEN || !mac_pattern_parse(words[i], &m, &why)) {
			say(err, errlen, "bad address '%.*s' (%s)", 24, words[i],
			    strlen(words[i]) >= MAC_PATTERN_STRLEN ? "too long" : why);
			return false;
		}
		/* The zero address is no station's; as a pattern's base it is fine. */
		if (m.len == MAC_BITS && !memcmp(m.b, zero, MAC_LEN)) {
			say(err, errlen, "bad address %s", words[i]);
			return false;
		}
		macs[(*nmacs)++] = m;
	}
	*nmacs = unique_macs(macs, *nmacs);
	return true;
}

static bool get_device(const char *word, char *out, const char *what, char *err, size_t errlen)
{
	if (!proto_device_valid(word)) {
		say(err, errlen, "bad %s name '%.*s'", what, 20, word);
		return false;
	}
	strcpy(out, word);      /* proto_device_valid bounded its length */
	return true;
}

static bool get_config(const char *word, enum vnet_config *cfg, char *err, size_t errlen)
{
	if (!proto_parse_config(word, cfg)) {
		say(err, errlen, "bad config '%.*s' (want LOCAL or REMOTE)", 20, word);
		return false;
	}
	return true;
}

/* The address list, in memory of its own sized to it. */
static bool get_macs(char *const *words, size_t n, struct proto_req *r, char *err, size_t errlen)
{
	if (n == 0 || n > VNET_MACS_MAX)   /* proto_parse_macs says why */
		return proto_parse_macs(words, n, NULL, &r->nmacs, err, errlen);
	r->macs = calloc(n, sizeof(*r->macs));
	if (!r->macs) {
		say(err, errlen, "out of memory");
		return false;
	}
	return proto_parse_macs(words, n, r->macs, &r->nmacs, err, errlen);
}

static bool complementary(const struct proto_req *r, char *err, size_t errlen)
{
	if (r->lconf == r->rconf) {
		say(err, errlen, "configs must differ (one LOCAL, one REMOTE)");
		return false;
	}
	return true;
}

static bool parse_hello(char **w, size_t n, struct proto_req *r, char *err, size_t errlen)
{
	if (n != 3) {
		say(err, errlen, "usage: HELLO password version");
		return false;
	}
	if (!proto_password_valid(w[1])) {
		say(err, errlen, "bad password");
		return false;
	}
	if (strlen(w[2]) >= PROTO_VERSION_MAX || !word_valid(w[2])) {
		say(err, errlen, "bad version");
		return false;
	}
	strcpy(r->password, w[1]);
	strcpy(r->version, w[2]);
	return true;
}

static bool parse_close(char **w, size_t n, struct proto_req *r, char *err, size_t errlen)
{
	char *end;

	if (n != 2) {
		say(err, errlen, "usage: CLOSE id");
		return false;
	}
	errno = 0;
	r->id = strtoul(w[1], &end, 10);
	if (w[1][0] < '0' || w[1][0] > '9' || *end || errno || r->id == 0 || r->id > UINT32_MAX) {
		say(err, errlen, "bad handler id '%.*s'", 20, w[1]);
		return false;
	}
	return true;
}

static bool parse_handle(char **w, size_t n, struct proto_req *r, char *err, size_t errlen)
{
	if (n < 9) {
		say(err, errlen, "usage: HANDLE password local_config local_device remote_config "
			"remote_address remote_port remote_device addresses+");
		return false;
	}
	if (!proto_password_valid(w[1])) {
		say(err, errlen, "bad password for the remote daemon");
		return false;
	}
	strcpy(r->password, w[1]);
	if (!get_config(w[2], &r->lconf, err, errlen) ||
	    !get_device(w[3], r->ldev, "local device", err, errlen) ||
	    !get_config(w[4], &r->rconf, err, errlen) || !complementary(r, err, errlen))
		return false;
	if (strlen(w[5]) > VNET_HOST_MAX || !word_valid(w[5])) {
		say(err, errlen, "bad remote address");
		return false;
	}
	strcpy(r->rhost, w[5]);
	if (!proto_parse_port(w[6], &r->rport)) {
		say(err, errlen, "bad remote port '%.*s'", 20, w[6]);
		return false;
	}
	return get_device(w[7], r->rdev, "remote device", err, errlen) &&
	       get_macs(w + 8, n - 8, r, err, errlen);
}

static bool parse_begin(char **w, size_t n, struct proto_req *r, char *err, size_t errlen)
{
	if (n < 6) {
		say(err, errlen, "usage: BEGIN local_config local_device remote_config "
			"remote_device addresses+");
		return false;
	}
	return get_config(w[1], &r->lconf, err, errlen) &&
	       get_device(w[2], r->ldev, "local device", err, errlen) &&
	       get_config(w[3], &r->rconf, err, errlen) && complementary(r, err, errlen) &&
	       get_device(w[4], r->rdev, "remote device", err, errlen) &&
	       get_macs(w + 5, n - 5, r, err, errlen);
}

static bool no_args(size_t n, const char *usage, char *err, size_t errlen)
{
	if (n != 1) {
		say(err, errlen, "usage: %s", usage);
		return false;
	}
	return true;
}

/* The request words and their commands (RHANDLE: a HANDLE that reconnects). */
static const struct {
	const char *word;
	enum proto_cmd cmd;
} cmds[] = {
	{ "HELLO", PROTO_HELLO },
	{ "DONE", PROTO_DONE },
	{ "DEVICES?", PROTO_DEVICES },
	{ "HANDLERS?", PROTO_HANDLERS },
	{ "CLOSE", PROTO_CLOSE },
	{ "HANDLE", PROTO_HANDLE },
	{ "RHANDLE", PROTO_HANDLE },
	{ "DEVINFO?", PROTO_DEVINFO },
	{ "INSTANCE?", PROTO_INSTANCE },
	{ "STATS?", PROTO_STATS },
	{ "BEGIN", PROTO_BEGIN },
};

static bool request_parse(enum proto_cmd cmd, char **w, size_t n, struct proto_req *r, char *err,
			  size_t errlen)
{
	switch (cmd) {
	case PROTO_HELLO:
		return parse_hello(w, n, r, err, errlen);
	case PROTO_DONE:
		return no_args(n, "DONE", err, errlen);
	case PROTO_DEVICES:
		return no_args(n, "DEVICES?", err, errlen);
	case PROTO_HANDLERS:
		return no_args(n, "HANDLERS?", err, errlen);
	case PROTO_CLOSE:
		return parse_close(w, n, r, err, errlen);
	case PROTO_HANDLE:
		return parse_handle(w, n, r, err, errlen);
	case PROTO_BEGIN:
		return parse_begin(w, n, r, err, errlen);
	case PROTO_STATS:
		return no_args(n, "STATS?", err, errlen);
	case PROTO_DEVINFO:
		return no_args(n, "DEVINFO?", err, errlen);
	case PROTO_INSTANCE:
		return no_args(n, "INSTANCE?", err, errlen);
	}
	say(err, errlen, "unknown request");
	return false;
}

bool proto_parse_cmd(const char *line, size_t len, enum proto_cmd *cmd, char *err, size_t errlen)
{
	size_t start = 0, end;

	if (memchr(line, '\0', len)) {
		say(err, errlen, "NUL byte in the request");
		return false;
	}
	while (start < len && is_space(line[start]))
		start++;
	for (end = start; end < len && !is_space(line[end]); end++)
		;
	if (end == start) {
		say(err, errlen, "empty request");
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strlen(cmds[i].word) == end - start &&
		    !strncasecmp(line + start, cmds[i].word, end - start)) {
			*cmd = cmds[i].cmd;
			return true;
		}
	}
	say(err, errlen, "unknown request '%.*s'", (int)(end - start < 20 ? end - start : 20),
	    line + start);
	return false;
}

bool proto_parse(const char *line, struct proto_req *req, char *err, size_t errlen)
{
	char copy[VNET_LINE_MAX];
	char *w[WORDS_MAX];
	size_t n, len = strlen(line);
	bool ok = false;

	memset(req, 0, sizeof(*req));
	if (len >= sizeof(copy)) {
		say(err, errlen, "line too long");
		return false;
	}
	memcpy(copy, line, len + 1);
	if (!split(copy, w, ARRAY_SIZE(w), &n)) {
		say(err, errlen, "too many words (at most %d addresses)", VNET_MACS_MAX);
		goto out;
	}
	if (n == 0) {
		say(err, errlen, "empty request");
		goto out;
	}
	if (!proto_parse_cmd(w[0], strlen(w[0]), &req->cmd, err, errlen))
		goto out;
	req->reconnect = req->cmd == PROTO_HANDLE && (w[0][0] == 'R' || w[0][0] == 'r');
	ok = request_parse(req->cmd, w, n, req, err, errlen);
out:
	explicit_bzero(copy, sizeof(copy));
	if (!ok)
		proto_req_wipe(req);
	return ok;
}

void proto_req_wipe(struct proto_req *req)
{
	explicit_bzero(req->password, sizeof(req->password));
	free(req->macs);
	req->macs = NULL;
	req->nmacs = 0;
}

bool proto_req_copy(struct proto_req *dst, const struct proto_req *src)
{
	*dst = *src;
	dst->macs = NULL;
	if (src->nmacs) {
		dst->macs = malloc(src->nmacs * sizeof(*dst->macs));
		if (!dst->macs) {
			explicit_bzero(dst->password, sizeof(dst->password));
			dst->nmacs = 0;
			return false;
		}
		memcpy(dst->macs, src->macs, src->nmacs * sizeof(*dst->macs));
	}
	return true;
}

/* Append formatted text at *pos; false once it no longer fits. */
static bool append(char *out, size_t cap, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool append(char *out, size_t cap, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= cap)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(out + *pos, cap - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *pos)
		return false;
	*pos += (size_t)n;
	return true;
}

static bool append_macs(char *out, size_t cap, size_t *pos, const struct mac_pattern *macs,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char s[MAC_PATTERN_STRLEN];

		mac_pattern_format(&macs[i], s);
		if (!append(out, cap, pos, " %s", s))
			return false;
	}
	return append(out, cap, pos, "\n");
}

int proto_fmt_hello(char *out, size_t cap, const char *password)
{
	size_t pos = 0;

	return append(out, cap, &pos, "HELLO %s %s\n", password, VNET_PROTO_VERSION) ?
		(int)pos : -1;
}

int proto_fmt_handle(char *out, size_t cap, const struct proto_handle *h)
{
	size_t pos = 0;
	enum vnet_config rconf = h->lconf == VNET_LOCAL ? VNET_REMOTE : VNET_LOCAL;

	if (!append(out, cap, &pos, "%s %s %s %s %s %s %u %s",
		    h->reconnect ? "RHANDLE" : "HANDLE", h->password,
		    proto_config_name(h->lconf), h->ldev, proto_config_name(rconf), h->rhost,
		    (unsigned int)h->rport, h->rdev) ||
	    !append_macs(out, cap, &pos, h->macs, h->nmacs))
		return -1;
	return (int)pos;
}

int proto_fmt_begin(char *out, size_t cap, enum vnet_config lconf, const char *ldev,
		    const char *rdev, const struct mac_pattern *macs, size_t nmacs)
{
	size_t pos = 0;
	enum vnet_config rconf = lconf == VNET_LOCAL ? VNET_REMOTE : VNET_LOCAL;

	if (!append(out, cap, &pos, "BEGIN %s %s %s %s", proto_config_name(lconf), ldev,
		    proto_config_name(rconf), rdev) ||
	    !append_macs(out, cap, &pos, macs, nmacs))
		return -1;
	return (int)pos;
}

int proto_fmt_instance_ok(char *out, size_t cap, uint64_t id)
{
	size_t pos = 0;

	return append(out, cap, &pos, "OK instance %016" PRIx64, id) ? (int)pos : -1;
}

bool proto_reply_ok(const char *line, const char **rest)
{
	if (!strncmp(line, "OK", 2) && (line[2] == '\0' || is_space(line[2]))) {
		for (*rest = line + 2; is_space(**rest); (*rest)++)
			;
		return true;
	}
	if (!strncmp(line, "NOK", 3) && (line[3] == '\0' || is_space(line[3]))) {
		for (*rest = line + 3; is_space(**rest); (*rest)++)
			;
		return false;
	}
	*rest = line;
	return false;
}

bool proto_reply_instance(const char *rest, uint64_t *id)
{
	const char *p = rest + 8;
	uint64_t v = 0;

	if (strncmp(rest, "instance", 8) || !is_space(*p))
		return false;
	while (is_space(*p))
		p++;
	for (int i = 0; i < 16; i++, p++) {
		int x = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (x < 0)
			return false;
		v = v << 4 | (uint64_t)x;
	}
	while (is_space(*p))
		p++;
	if (*p)
		return false;
	*id = v;
	return true;
}

bool proto_printable(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

size_t proto_sanitize(char *out, size_t cap, const char *in, size_t len)
{
	static const char cut[] = "...";
	size_t n, keep = len;

	if (cap == 0)
		return 0;
	if (len > cap - 1)  /* too long: what fits before the mark that says so */
		keep = cap - 1 > strlen(cut) ? cap - 1 - strlen(cut) : 0;
	for (n = 0; n < keep; n++)
		out[n] = proto_printable((unsigned char)in[n]) ? in[n] : '?';
	out[n] = '\0';
	if (keep < len)
		snprintf(out + n, cap - n, "%s", cut);
	return strlen(out);
}

bool proto_secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = (unsigned char)(la != lb);

	/* Always walk the whole of b; index a modulo its length. */
	for (size_t i = 0; i < lb; i++)
		diff |= (unsigned char)(b[i] ^ (la ? a[i % la] : 0));
	return diff == 0 && la == lb;
}
