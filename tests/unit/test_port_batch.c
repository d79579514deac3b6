// SPDX-License-Identifier: GPL-2.0-or-later
/* test_port_batch.c - unit tests of the small frames gathered to be injected in one call */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vnet/port_batch.h"

static struct port_batch b;

/* Each message is its frame's metadata then the frame, in the order added. */
static void test_order_and_content(void **state)
{
	uint8_t f[3][64];

	(void)state;
	port_batch_clear(&b);
	for (int i = 0; i < 3; i++) {
		struct virtio_net_hdr vh = { .gso_size = (uint16_t)(100 + i) };

		memset(f[i], 'a' + i, sizeof(f[i]));
		assert_true(port_batch_fits(&b, sizeof(f[i])));
		port_batch_add(&b, &vh, f[i], sizeof(f[i]) - (size_t)i);
	}
	assert_int_equal(b.n, 3);
	for (unsigned int i = 0; i < 3; i++) {
		const struct msghdr *m = &b.msgs[i].msg_hdr;
		const struct virtio_net_hdr *vh = m->msg_iov[0].iov_base;

		assert_int_equal(m->msg_iovlen, 2);
		assert_null(m->msg_name);
		assert_int_equal(m->msg_iov[0].iov_len, sizeof(*vh));
		assert_int_equal(vh->gso_size, 100 + i);
		assert_int_equal(port_batch_len(&b, i), 64 - i);
		assert_memory_equal(m->msg_iov[1].iov_base, f[i], 64 - i);
	}
	port_batch_clear(&b);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.used, 0);
}

/* A large frame is not gathered; the batch is full at PORT_BATCH_FRAMES frames. */
static void test_bounds(void **state)
{
	static uint8_t f[PORT_BATCH_SMALL + 1];
	struct virtio_net_hdr vh = { 0 };

	(void)state;
	port_batch_clear(&b);
	assert_false(port_batch_small(sizeof(f)));
	assert_true(port_batch_small(PORT_BATCH_SMALL));
	assert_false(port_batch_fits(&b, sizeof(f)));
	for (int i = 0; i < PORT_BATCH_FRAMES; i++) {
		assert_true(port_batch_fits(&b, 60));
		port_batch_add(&b, &vh, f, 60);
	}
	assert_false(port_batch_fits(&b, 60));
}

/* The bytes are bounded too: the largest small frames fill it before the count does. */
static void test_bytes_bound(void **state)
{
	static uint8_t f[PORT_BATCH_SMALL];
	struct virtio_net_hdr vh = { 0 };
	unsigned int n = 0;

	(void)state;
	port_batch_clear(&b);
	while (port_batch_fits(&b, sizeof(f))) {
		f[0] = (uint8_t)n;
		port_batch_add(&b, &vh, f, sizeof(f));
		n++;
	}
	assert_true(n < PORT_BATCH_FRAMES);
	assert_true(b.used <= sizeof(b.buf));
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(((uint8_t *)b.msgs[i].msg_hdr.msg_iov[1].iov_base)[0], i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_content),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_bytes_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
