// SPDX-License-Identifier: GPL-2.0-or-later
/* conn.c - a non-blocking byte stream over TCP, in clear or in TLS (wolfSSL) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "vnet/conn.h"
#include "vnet/proto.h"

#define CONN_FIRST 64   /* first bytes received, kept for diagnostics */

struct conn {
	int fd;
	WOLFSSL *ssl;
	bool handshake_done;
	bool hs_wants_write;
	int write_retry;            /* length wolfSSL must be given again after WANT_WRITE */
	uint8_t key[TLS_KEY_LEN];
	char first[CONN_FIRST + 1];
	size_t nfirst;
	char peer[VNET_HOST_MAX + 1]; /* the name or address its certificate must be for */
	struct tls_ip peer_ip;      /* that address, when check_ip */
	bool check_ip;              /* else, with peer[0], peer is a host name */
	bool cert_mismatch;         /* the handshake failed on that */
	char err[256];
};

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct conn *c = ctx;
	ssize_t n;

	do
		n = recv(c->fd, buf, (size_t)sz, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return WOLFSSL_CBIO_ERR_WANT_READ;
		return errno == ECONNRESET ? WOLFSSL_CBIO_ERR_CONN_RST : WOLFSSL_CBIO_ERR_GENERAL;
	}
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	if (c->nfirst < CONN_FIRST) {
		size_t k = (size_t)n < CONN_FIRST - c->nfirst ? (size_t)n : CONN_FIRST - c->nfirst;

		memcpy(c->first + c->nfirst, buf, k);
		c->nfirst += k;
		c->first[c->nfirst] = '\0';
	}
	return (int)n;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct conn *c = ctx;
	ssize_t n;

	do
		n = send(c->fd, buf, (size_t)sz, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return WOLFSSL_CBIO_ERR_WANT_WRITE;
		return errno == ECONNRESET ? WOLFSSL_CBIO_ERR_CONN_RST : WOLFSSL_CBIO_ERR_CONN_CLOSE;
	}
	return (int)n;
}

struct conn *conn_new_plain(int fd)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->handshake_done = true;
	return c;
}

static struct conn *conn_new_tls(int fd, WOLFSSL *ssl)
{
	struct conn *c;

	if (!ssl) {
		close(fd);
		return NULL;
	}
	c = conn_new_plain(fd);
	if (!c) {
		wolfSSL_free(ssl);
		return NULL;
	}
	c->ssl = ssl;
	c->handshake_done = false;
	wolfSSL_SSLSetIORecv(ssl, io_recv);
	wolfSSL_SSLSetIOSend(ssl, io_send);
	wolfSSL_SetIOReadCtx(ssl, c);
	wolfSSL_SetIOWriteCtx(ssl, c);
	return c;
}

struct conn *conn_new_tls_server(int fd)
{
	return conn_new_tls(fd, tls_new_server());
}

struct conn *conn_new_tls_client(int fd, const uint8_t *key, const char *host)
{
	struct conn *c = conn_new_tls(fd, tls_new_client());

	if (!c)
		return NULL;
	wolfSSL_UseKeyShare(c->ssl, WOLFSSL_ECC_X25519);
	if (key) {
		memcpy(c->key, key, TLS_KEY_LEN);
		wolfSSL_set_psk_callback_ctx(c->ssl, c->key);
	} else if (host) {
		/*
		 * conn_handshake checks an address against the certificate's IP
		 * subjectAltNames, a host name against its DNS ones, before any
		 * HELLO. Not wolfSSL's checks: in 5.5 its IP check compares the
		 * text with DNS names and the CN, and its name check
		 * (wolfSSL_check_domain_name) takes the CN of a certificate
		 * without a DNS name.
		 */
		c->check_ip = tls_ip_parse(host, &c->peer_ip);
		snprintf(c->peer, sizeof(c->peer), "%s", host);
	}
	return c;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->ssl) {
		if (c->handshake_done)
			wolfSSL_shutdown(c->ssl);   /* best effort close_notify, never waits */
		wolfSSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

int conn_fd(const struct conn *c)
{
	return c->fd;
}

bool conn_is_tls(const struct conn *c)
{
	return c->ssl != NULL;
}

/*
 * Is the peer's certificate for the address dialled (an IP subjectAltName)
 * or the host name (a DNS subjectAltName)? 0, or -EPROTO with the reason.
 */
static int cert_check_peer(struct conn *c)
{
	WOLFSSL_X509 *x = wolfSSL_get_peer_certificate(c->ssl);   /* a copy */
	enum tls_name_check name = TLS_NAME_OK;
	bool ok;

	if (c->check_ip)
		ok = tls_cert_has_ip(x, &c->peer_ip);
	else
		ok = (name = tls_cert_check_name(x, c->peer)) == TLS_NAME_OK;
	if (x)
		wolfSSL_X509_free(x);
	if (ok)
		return 0;
	if (c->check_ip)
		snprintf(c->err, sizeof(c->err), "the certificate is not for %.80s", c->peer);
	else
		snprintf(c->err, sizeof(c->err),
			 "the certificate is not for %.80s: it has no DNS subjectAltName %.80s%s",
			 c->peer, c->peer,
			 name == TLS_NAME_NO_DNS ? " (none at all: a CN does not count)" : "");
	c->cert_mismatch = true;
	return -EPROTO;
}

/* Describe a failed TLS operation; returns the -errno to report. */
static int tls_failure(struct conn *c, int ret, const char *what)
{
	int e = wolfSSL_get_error(c->ssl, ret);
	char text[WOLFSSL_MAX_ERROR_SZ];

	if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) {
		c->hs_wants_write = e == WOLFSSL_ERROR_WANT_WRITE;
		return -EAGAIN;
	}
	if (e == WOLFSSL_ERROR_ZERO_RETURN || e == SOCKET_PEER_CLOSED_E) {
		snprintf(c->err, sizeof(c->err), "the peer closed the connection");
		return -EPIPE;
	}
	wolfSSL_ERR_error_string_n((unsigned long)e, text, sizeof(text));
	snprintf(c->err, sizeof(c->err), "TLS %s failed: %s", what, text);
	return -EPROTO;
}

int conn_handshake(struct conn *c)
{
	int ret;

	if (c->handshake_done)
		return 0;
	ret = wolfSSL_is_server(c->ssl) ? wolfSSL_accept(c->ssl) : wolfSSL_connect(c->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		/* Verified by the CA; now whether it is for the name or address dialled. */
		if (c->peer[0] && cert_check_peer(c) < 0)
			return -EPROTO;
		c->handshake_done = true;
		explicit_bzero(c->key, sizeof(c->key));
		return 0;
	}
	return tls_failure(c, ret, "handshake");
}

uint32_t conn_handshake_events(const struct conn *c)
{
	return c->hs_wants_write ? EPOLLOUT : EPOLLIN;
}

ssize_t conn_read(struct conn *c, void *buf, size_t len)
{
	ssize_t n;
	int ret;

	if (!c->ssl) {
		do
			n = recv(c->fd, buf, len, MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN)
			snprintf(c->err, sizeof(c->err), "%s", strerror(errno));
		return n < 0 ? -errno : n;
	}
	if (len > INT32_MAX)
		len = INT32_MAX;
	ret = wolfSSL_read(c->ssl, buf, (int)len);
	if (ret > 0)
		return ret;
	if (wolfSSL_get_error(c->ssl, ret) == WOLFSSL_ERROR_ZERO_RETURN)
		return 0;   /* close_notify */
	ret = tls_failure(c, ret, "receive");
	if (ret == -EPIPE)
		return 0;
	return ret;
}

ssize_t conn_write(struct conn *c, const void *buf, size_t len)
{
	ssize_t n;
	int ret, sz;

	if (!c->ssl) {
		do
			n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN)
			snprintf(c->err, sizeof(c->err), "%s", strerror(errno));
		return n < 0 ? -errno : n;
	}
	if (c->cert_mismatch)
		return -EPROTO;     /* nothing for a peer that is not the one dialled */
	/* After WANT_WRITE, wolfSSL wants the very same write again. */
	sz = len > INT32_MAX ? INT32_MAX : (int)len;
	if (c->write_retry && c->write_retry <= sz)
		sz = c->write_retry;
	ret = wolfSSL_write(c->ssl, buf, sz);
	if (ret > 0) {
		c->write_retry = 0;
		return ret;
	}
	ret = tls_failure(c, ret, "send");
	if (ret == -EAGAIN)
		c->write_retry = sz;
	return ret;
}

bool conn_pending(struct conn *c)
{
	return c->ssl && c->handshake_done && wolfSSL_has_pending(c->ssl);
}

const char *conn_error(const struct conn *c)
{
	return c->err[0] ? c->err : "unknown error";
}

int conn_export(struct conn *c, const char *label, uint8_t *out, size_t len)
{
	if (!c->ssl)
		return -ENOTSUP;
	if (wolfSSL_export_keying_material(c->ssl, out, len, label, strlen(label), NULL, 0, 0) !=
	    WOLFSSL_SUCCESS)
		return -EIO;
	return 0;
}

const char *conn_cipher(const struct conn *c)
{
	return c->ssl ? wolfSSL_get_cipher(c->ssl) : "none";
}

bool conn_cert_mismatch(const struct conn *c)
{
	return c->cert_mismatch;
}

bool conn_peer_plaintext(struct conn *c, char *said, size_t cap)
{
	size_t len;
	ssize_t n;

	if (strncmp(c->first, "NOK", 3) && strncmp(c->first, "OK", 2))
		return false;
	/* TLS read only a record header's worth: the rest of the line is still there. */
	n = recv(c->fd, c->first + c->nfirst, CONN_FIRST - c->nfirst, MSG_DONTWAIT);
	if (n > 0) {
		c->nfirst += (size_t)n;
		c->first[c->nfirst] = '\0';
	}
	len = strcspn(c->first, "\r\n");
	proto_sanitize(said, cap, c->first, len);  /* for a terminal and a log */
	return true;
}
