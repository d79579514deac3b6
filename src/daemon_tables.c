// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daemon_tables.c - the daemon's tables: sessions, handlers, dials, boots
 *
 * What struct daemon lists and counts, entered and left through daemon_*:
 * the control connections (and of them those not logged in), the handlers
 * (in order of creation, and by id) with the addresses they take on each
 * -d device, the dials in progress and the handlers-file lines not
 * established yet. Sessions, handlers, dials and the handlers file reach
 * the daemon here, below them; daemon.c (start-up and events) is above.
 */
#include <string.h>

#include "vnet/daemon.h"
#include "vnet/limits.h"

void daemon_tables_init(struct daemon *d)
{
	list_init(&d->sessions);
	list_init(&d->preauth);
	list_init(&d->handlers);
	for (size_t i = 0; i < DAEMON_ID_BUCKETS; i++)
		list_init(&d->handler_ids[i]);
	list_init(&d->dials);
	list_init(&d->boots);
}

bool daemon_device_allowed(const struct daemon *d, const char *dev)
{
	for (size_t i = 0; i < d->cfg.ndevices; i++)
		if (!strcmp(d->cfg.devices[i], dev))
			return true;
	return false;
}

void daemon_session_add(struct daemon *d, struct list *node)
{
	list_add_tail(&d->sessions, node);
	d->nsessions++;
}

void daemon_session_del(struct daemon *d, struct list *node)
{
	list_del(node);
	d->nsessions--;
}

void daemon_preauth_add(struct daemon *d, struct list *node)
{
	list_add_tail(&d->preauth, node);
	d->npreauth++;
}

void daemon_preauth_del(struct daemon *d, struct list *node)
{
	if (list_empty(node))
		return;
	list_del(node);
	d->npreauth--;
}

/* The -d device dev's slot in device_macs, or NULL. */
static size_t *device_macs(const struct daemon *d, const char *dev)
{
	for (size_t i = 0; i < d->cfg.ndevices; i++)
		if (!strcmp(d->cfg.devices[i], dev))
			return d->device_macs ? &d->device_macs[i] : NULL;
	return NULL;
}

bool daemon_handler_fits(const struct daemon *d, const char *dev, size_t nmacs, char *why,
			 size_t len)
{
	const size_t *n = device_macs(d, dev);

	return limits_handler_fits(d->nhandlers, dev, n ? *n : 0, nmacs, why, len);
}

static struct list *id_bucket(const struct daemon *d, unsigned long id)
{
	return (struct list *)&d->handler_ids[id & (DAEMON_ID_BUCKETS - 1)];
}

unsigned long daemon_handler_add(struct daemon *d, struct list *node, struct daemon_id *idn,
				 const char *dev, size_t nmacs)
{
	size_t *n = device_macs(d, dev);

	list_add_tail(&d->handlers, node);
	d->nhandlers++;
	if (n)
		*n += nmacs;
	idn->id = ++d->next_id;
	list_add_tail(id_bucket(d, idn->id), &idn->node);
	return idn->id;
}

void daemon_handler_del(struct daemon *d, struct list *node, struct daemon_id *idn,
			const char *dev, size_t nmacs)
{
	size_t *n = device_macs(d, dev);

	list_del(node);
	list_del(&idn->node);
	d->nhandlers--;
	if (n)
		*n -= *n < nmacs ? *n : nmacs;
}

struct daemon_id *daemon_handler_find(const struct daemon *d, unsigned long id)
{
	const struct list *head = id_bucket(d, id);

	for (struct list *pos = head->next; pos != head; pos = pos->next) {
		struct daemon_id *idn = list_entry(pos, struct daemon_id, node);

		if (idn->id == id)
			return idn;
	}
	return NULL;
}

void daemon_dial_add(struct daemon *d, struct list *node)
{
	list_add_tail(&d->dials, node);
}

void daemon_dial_del(struct daemon *d, struct list *node)
{
	list_del(node);
}

void daemon_boot_add(struct daemon *d, struct list *node)
{
	list_add_tail(&d->boots, node);
}

void daemon_boot_del(struct daemon *d, struct list *node)
{
	list_del(node);
}
