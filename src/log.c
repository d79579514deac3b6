// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - leveled logging to stderr, one line a message */
#include <stdarg.h>
#include <stdio.h>

#include "vnet/log.h"

static const char *log_prog = "vnet";
static enum log_level log_max = LOG_LVL_INFO;

void log_init(const char *prog, enum log_level max)
{
	log_prog = prog;
	log_max = max;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char line[1024];
	va_list ap;

	if (lvl > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s: %s\n", log_prog, names[lvl], line);
}
