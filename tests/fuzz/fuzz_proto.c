// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_proto.c - libFuzzer target for the control protocol (proto_parse, proto_fmt_*,
 * proto_reply_ok) and the line splitting in front of it (buf_line).
 *
 * The input is used twice:
 *  1. as one request line: a NUL-terminated copy of the whole input less one trailing
 *     "\n" or "\r\n" (a NUL in it ends the line; other newlines stay inside it; lines
 *     longer than the protocol allows are tried too);
 *  2. as a byte stream fed through a struct buf and buf_line the way the daemon's
 *     session does (src/session.c: session_read, session_lines): every complete line,
 *     NUL-terminated in place without its end of line and shorter than VNET_LINE_MAX,
 *     goes to proto_parse.
 * Every parse is checked: on success the fields obey the protocol's rules and the
 * request formatted again (proto_fmt_hello, _handle, _begin) parses back to the same
 * fields; on failure err is a NUL-terminated reason within errlen and the password
 * is wiped. A violation calls __builtin_trap().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet/buf.h"
#include "vnet/common.h"
#include "vnet/mac.h"
#include "vnet/proto.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

#define ERR_LEN 256         /* as in session_request */
#define GUARD   0xa5

/* A protocol word: non-empty, printable ASCII without spaces. */
static bool word_ok(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static bool config_ok(enum vnet_config c)
{
	return c == VNET_LOCAL || c == VNET_REMOTE;
}

static void check_macs(const struct proto_req *r)
{
	CHECK(r->nmacs >= 1 && r->nmacs <= VNET_MACS_MAX);
	for (size_t i = 0; i < r->nmacs; i++) {
		static const uint8_t zero[MAC_LEN];

		CHECK(r->macs[i].len <= MAC_BITS);
		CHECK(r->macs[i].len < MAC_BITS || memcmp(r->macs[i].b, zero, MAC_LEN));
		for (size_t k = 0; k < MAC_LEN; k++)    /* no bit beyond the length */
			CHECK(!(r->macs[i].b[k] & (uint8_t)~mac_mask_octet(r->macs[i].len, k)));
		for (size_t j = 0; j < i; j++)
			CHECK(!mac_pattern_equal(&r->macs[i], &r->macs[j]));
	}
}

static void check_devices(const struct proto_req *r)
{
	CHECK(proto_device_valid(r->ldev) && proto_device_valid(r->rdev));
	CHECK(strlen(r->ldev) < PROTO_DEV_MAX && strlen(r->rdev) < PROTO_DEV_MAX);
	CHECK(config_ok(r->lconf) && config_ok(r->rconf) && r->lconf != r->rconf);
}

static bool same_macs(const struct proto_req *a, const struct proto_req *b)
{
	if (a->nmacs != b->nmacs)
		return false;
	for (size_t i = 0; i < a->nmacs; i++)
		if (!mac_pattern_equal(&a->macs[i], &b->macs[i]))
			return false;
	return true;
}

/* Parse a line formatted by proto_fmt_*: it must parse, as the daemon would see it. */
static void reparse(char *out, int n, struct proto_req *back)
{
	char err[ERR_LEN];

	CHECK(n > 0 && n < VNET_LINE_MAX);
	CHECK((size_t)n == strlen(out) && out[n - 1] == '\n');
	CHECK(memchr(out, '\r', (size_t)n) == NULL);
	CHECK(memchr(out, '\n', (size_t)n - 1) == NULL);
	out[n - 1] = '\0';                      /* the end of line, as buf_line removes it */
	proto_req_wipe(back);                   /* a request parsed before holds its address list */
	CHECK(proto_parse(out, back, err, sizeof(err)));
}

/* The invariants of a successful parse into r. */
static void check_ok(const struct proto_req *r)
{
	static char out[VNET_LINE_MAX];
	static struct proto_req back;
	struct proto_handle h;
	int n;

	CHECK(!r->reconnect || r->cmd == PROTO_HANDLE);
	switch (r->cmd) {
	case PROTO_HELLO:
		CHECK(proto_password_valid(r->password));
		CHECK(word_ok(r->version, PROTO_VERSION_MAX - 1));
		n = proto_fmt_hello(out, sizeof(out), r->password);
		reparse(out, n, &back);
		CHECK(back.cmd == PROTO_HELLO);
		CHECK(!strcmp(back.password, r->password));
		CHECK(!strcmp(back.version, VNET_PROTO_VERSION));
		CHECK(proto_version_supported(back.version));
		/* Too small a buffer: -1, never a partial line. */
		CHECK(proto_fmt_hello(out, (size_t)n, r->password) == -1);
		break;
	case PROTO_DONE:
	case PROTO_DEVICES:
	case PROTO_DEVINFO:
	case PROTO_INSTANCE:
	case PROTO_HANDLERS:
	case PROTO_STATS:
		break;
	case PROTO_CLOSE:
		CHECK(r->id >= 1 && r->id <= UINT32_MAX);
		break;
	case PROTO_HANDLE:
		CHECK(proto_password_valid(r->password));
		check_devices(r);
		CHECK(word_ok(r->rhost, VNET_HOST_MAX));
		CHECK(r->rport != 0);
		check_macs(r);
		/* HANDLE formats without reconnecting... */
		h = (struct proto_handle){
			.password = r->password, .lconf = r->lconf, .ldev = r->ldev,
			.rhost = r->rhost, .rport = r->rport, .rdev = r->rdev,
			.macs = r->macs, .nmacs = r->nmacs,
		};
		n = proto_fmt_handle(out, sizeof(out), &h);
		reparse(out, n, &back);
		CHECK(back.cmd == PROTO_HANDLE && !back.reconnect);
		/* ...and as parsed (RHANDLE when reconnecting), which must match. */
		h.reconnect = r->reconnect;
		n = proto_fmt_handle(out, sizeof(out), &h);
		reparse(out, n, &back);
		CHECK(back.cmd == PROTO_HANDLE && back.reconnect == r->reconnect);
		CHECK(!strcmp(back.password, r->password));
		CHECK(back.lconf == r->lconf && back.rconf == r->rconf);
		CHECK(!strcmp(back.ldev, r->ldev) && !strcmp(back.rdev, r->rdev));
		CHECK(!strcmp(back.rhost, r->rhost));
		CHECK(back.rport == r->rport);
		CHECK(same_macs(&back, r));
		CHECK(proto_fmt_handle(out, (size_t)n, &h) == -1);
		break;
	case PROTO_BEGIN:
		check_devices(r);
		check_macs(r);
		CHECK(all_zero(r->password, sizeof(r->password)));
		n = proto_fmt_begin(out, sizeof(out), r->lconf, r->ldev, r->rdev, r->macs, r->nmacs);
		reparse(out, n, &back);
		CHECK(back.cmd == PROTO_BEGIN);
		CHECK(back.lconf == r->lconf && back.rconf == r->rconf);
		CHECK(!strcmp(back.ldev, r->ldev) && !strcmp(back.rdev, r->rdev));
		CHECK(same_macs(&back, r));
		CHECK(proto_fmt_begin(out, (size_t)n, r->lconf, r->ldev, r->rdev, r->macs,
				      r->nmacs) == -1);
		break;
	}
	/* No default: -Wswitch (in -Wall -Werror) stops the build when a command is added
	 * to enum proto_cmd without its checks here. */
	proto_req_wipe(&back);
	CHECK(all_zero(back.password, sizeof(back.password)));
}

/* Parse line (NUL-terminated) as the daemon would, and check the outcome. */
static void parse_line(const char *line, size_t errlen_small)
{
	static struct proto_req req, again;
	char err[ERR_LEN + 16], small[32 + 16];
	size_t len = strlen(line);
	bool ok, ok2;

	memset(err, GUARD, sizeof(err));
	ok = proto_parse(line, &req, err, ERR_LEN);
	if (len >= VNET_LINE_MAX)
		CHECK(!ok);
	if (ok) {
		check_ok(&req);
	} else {
		CHECK(memchr(err, '\0', ERR_LEN) != NULL);      /* terminated within errlen */
		CHECK(err[0] != '\0');                          /* and says something */
		CHECK(all_zero(req.password, sizeof(req.password)));
	}
	for (size_t i = ERR_LEN; i < sizeof(err); i++)
		CHECK((uint8_t)err[i] == GUARD);
	if (ok) {       /* its first word alone says the same request */
		enum proto_cmd cmd;

		CHECK(proto_parse_cmd(line, len, &cmd, err, ERR_LEN) && cmd == req.cmd);
	}

	/* Again with a small err buffer: same verdict, nothing written past errlen. */
	memset(small, GUARD, sizeof(small));
	ok2 = proto_parse(line, &again, small, errlen_small);
	CHECK(ok2 == ok);
	if (!ok2)
		CHECK(memchr(small, '\0', errlen_small) != NULL);
	for (size_t i = errlen_small; i < sizeof(small); i++)
		CHECK((uint8_t)small[i] == GUARD);
	if (ok) {
		CHECK(again.cmd == req.cmd && again.id == req.id && again.rport == req.rport);
		CHECK(again.reconnect == req.reconnect);
		CHECK(!strcmp(again.password, req.password) && !strcmp(again.version, req.version));
		CHECK(!strcmp(again.rhost, req.rhost) && same_macs(&again, &req));
	}
	proto_req_wipe(&req);
	proto_req_wipe(&again);
}

/* proto_reply_ok on the same line: *rest stays inside it. */
static void reply_line(const char *line)
{
	const char *rest = NULL;
	size_t len = strlen(line);
	bool ok = proto_reply_ok(line, &rest);

	CHECK(rest != NULL && rest >= line && rest <= line + len);
	if (ok)
		CHECK(!strncmp(line, "OK", 2));
	else if (rest != line)
		CHECK(!strncmp(line, "NOK", 3));
	CHECK(proto_secret_equal(line, line));
}

/*
 * The daemon's read loop: buf_init(1024, 2 * VNET_LINE_MAX); before each read make
 * room for 512 bytes (or refuse the line as too long); a read fills up to the room
 * (here: also at most `chunk` bytes); then run every complete line.
 */
static void stream(const uint8_t *data, size_t size, size_t chunk)
{
	struct buf b;
	size_t pos = 0, done = 0;      /* input bytes read, and taken as lines */
	bool stop = false;

	CHECK(buf_init(&b, 1024, 2 * VNET_LINE_MAX) == 0);
	while (!stop && pos < size) {
		size_t n;

		if (!buf_reserve(&b, 512))
			break;                          /* "line too long" */
		CHECK(buf_room(&b) >= 512 && b.cap <= b.max);
		n = buf_room(&b);
		if (n > chunk)
			n = chunk;
		if (n > size - pos)
			n = size - pos;
		memcpy(buf_tail(&b), data + pos, n);
		b.tail += n;
		pos += n;
		for (;;) {
			size_t used = 0, have = buf_len(&b);
			uint8_t *head = buf_head(&b);
			uint8_t *nl = memchr(head, '\n', have);
			long len = buf_line(&b, &used);

			if (len < 0) {
				CHECK(nl == NULL);
				if (have >= VNET_LINE_MAX)
					stop = true;    /* "line too long" */
				break;
			}
			/* The next line of the input, less its "\n" or "\r\n", NUL-terminated. */
			CHECK(nl != NULL);
			CHECK(used == (size_t)(nl - head) + 1 && used <= have);
			CHECK(done + used <= pos && data[done + used - 1] == '\n');
			CHECK((size_t)len == used - 1 - (used >= 2 && data[done + used - 2] == '\r'));
			CHECK(head[len] == '\0' && !memcmp(head, data + done, (size_t)len));
			if ((size_t)len >= VNET_LINE_MAX) {
				stop = true;            /* "line too long" */
				break;
			}
			parse_line((const char *)head, 1 + (size_t)len % 32);
			buf_consume(&b, used);
			done += used;
			CHECK(buf_len(&b) == have - used && done + buf_len(&b) == pos);
		}
	}
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	size_t len;

	if (!line)
		return 0;
	/* Without its end of line, as the daemon hands it over. */
	memcpy(line, data, size);
	len = size;
	if (len > 0 && line[len - 1] == '\n') {
		len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
	}
	line[len] = '\0';
	parse_line(line, 1 + size % 32);
	reply_line(line);
	free(line);

	/* Whole reads, and small reads that split lines across them. */
	stream(data, size, SIZE_MAX);
	stream(data, size, 7 + size % 97);
	return 0;
}
