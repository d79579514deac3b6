/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.h - intrusive doubly-linked list */
#ifndef VNET_LIST_H
#define VNET_LIST_H

#include "vnet/common.h"

struct list {
	struct list *prev, *next;
};

#define LIST_INIT(name) { &(name), &(name) }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
/* Safe against removal of the current node. */
#define list_for_each(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); (pos) = (tmp), (tmp) = (pos)->next)

static inline void list_init(struct list *l)
{
	l->prev = l->next = l;
}

static inline void list_add_tail(struct list *head, struct list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void list_del(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static inline int list_empty(const struct list *l)
{
	return l->next == l;
}

#endif
