// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolve.c - the slow preparations of a dial, off the loop
 *
 * getaddrinfo() of a host name may block, and deriving a TLS key from a
 * password takes a tenth of a second on purpose, so either runs in a
 * short-lived detached thread, which hands the finished job back to the loop
 * through a pipe. A numeric address with no key to derive needs neither: it
 * is parsed at once (AI_NUMERICHOST) and its job comes back through a kick,
 * after the current batch of events, as if from a thread. The loop alone
 * frees jobs; a cancelled job is freed when it comes back.
 *
 * The cost of a dial, then: the first dial of a reconnecting handler (and
 * every HANDLE) pays one derivation in key mode; its owner keeps the key
 * (struct dial_key), so the retries of a handler whose peer is down cost a
 * socket and a connect each, and for a host name one getaddrinfo thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnet/common.h"
#include "vnet/log.h"
#include "vnet/resolve.h"
#include "vnet/tls.h"

struct resolve_job {
	char host[VNET_HOST_MAX + 1];
	char port[8];
	struct addrinfo *res;
	int gai_err;
	char password[VNET_PASSWORD_MAX + 1];
	bool want_key, have_key;
	uint8_t key[TLS_KEY_LEN];
	bool cancelled;
	resolve_cb cb;
	void *arg;
	int done_fd;                /* where the thread says it is done */
	struct resolve_job *next;   /* on the list of jobs done without a thread */
};

static void *resolve_thread(void *p)
{
	struct resolve_job *job = p;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	ssize_t n;

	job->gai_err = getaddrinfo(job->host, job->port, &hints, &job->res);
	if (job->want_key && job->gai_err == 0)
		job->have_key = tls_derive_key(job->password, job->key) == 0;
	explicit_bzero(job->password, sizeof(job->password));
	do
		n = write(job->done_fd, &job, sizeof(job));
	while (n < 0 && errno == EINTR);
	/* A pointer-sized write to a pipe is atomic; it cannot fail short. */
	return NULL;
}

static void resolve_finish(struct resolve_job *job)
{
	if (job->cancelled) {
		if (job->res)
			freeaddrinfo(job->res);
	} else {
		job->cb(job->arg, job->gai_err ? NULL : job->res, job->gai_err,
			job->have_key ? job->key : NULL);
	}
	explicit_bzero(job, sizeof(*job));
	free(job);
}

static void resolve_ready(struct loop_io *io, uint32_t events)
{
	struct resolver *r = container_of(io, struct resolver, io);
	struct resolve_job *job, *inline_jobs = r->done;

	/* Taken first: a callback may start new jobs (they wait for the next kick). */
	r->done = NULL;
	while ((job = inline_jobs)) {
		inline_jobs = job->next;
		resolve_finish(job);
	}
	while (read(io->fd, &job, sizeof(job)) == (ssize_t)sizeof(job))
		resolve_finish(job);
}

int resolve_init(struct resolver *r, struct loop *l)
{
	r->done = NULL;
	r->loop = l;
	/* The threads' end blocks (a job is never lost); the loop's end does not. */
	if (pipe2(r->pipe, O_CLOEXEC) < 0)
		return -errno;
	if (fcntl(r->pipe[0], F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	return loop_add(l, &r->io, r->pipe[0], EPOLLIN, resolve_ready);
}

struct resolve_job *resolve_start(struct resolver *r, const char *host, uint16_t port,
				  const char *password, resolve_cb cb, void *arg)
{
	struct resolve_job *job = calloc(1, sizeof(*job));
	pthread_attr_t attr;
	pthread_t t;
	int ret;

	if (!job)
		return NULL;
	snprintf(job->host, sizeof(job->host), "%s", host);
	snprintf(job->port, sizeof(job->port), "%u", (unsigned int)port);
	job->cb = cb;
	job->arg = arg;
	job->done_fd = r->pipe[1];
	if (!password) {
		struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
					  .ai_flags = AI_NUMERICHOST };

		/* An address and no key to derive: nothing slow, no thread. */
		if (getaddrinfo(job->host, job->port, &hints, &job->res) == 0) {
			job->next = r->done;
			r->done = job;
			loop_kick(r->loop, &r->io);
			return job;
		}
		job->res = NULL;
	} else {
		job->want_key = true;
		snprintf(job->password, sizeof(job->password), "%s", password);
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(&t, &attr, resolve_thread, job);
	pthread_attr_destroy(&attr);
	if (ret) {
		log_warn("resolve_start: cannot start a thread: %s", strerror(ret));
		free(job);
		return NULL;
	}
	return job;
}

void resolve_cancel(struct resolve_job *job)
{
	job->cancelled = true;
}
