/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client.h - vnetclient's commands and its command line, parsed without I/O */
#ifndef VNET_CLIENT_H
#define VNET_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vnet/proto.h"
#include "vnet/tls.h"

enum client_action { CLIENT_RUN, CLIENT_HELP, CLIENT_VERSION };

/* How a command's answer comes back. */
enum client_reply {
	CLIENT_REPLY_ECHO,      /* none: the user types requests and sees the answers */
	CLIENT_REPLY_LIST,      /* an OK line, a count and that many lines */
	CLIENT_REPLY_LINE,      /* one OK line */
};

struct client_args;

/* Writes a list's lines (and those of the command's second list) as one JSON document. */
typedef bool client_json_fn(FILE *f, char *const *lines, size_t n, char *const *more,
			    size_t nmore);

struct client_command {
	const char *name;
	const char *synopsis;           /* its arguments in the usage text, or NULL */
	const char *help;               /* what it does, one line */
	const char *details;            /* lines under it in the usage text, or NULL */
	/* Its arguments, argv[at..argc-1]; false with a message (client_args.err). */
	bool (*parse)(int argc, char **argv, int at, struct client_args *a);
	enum client_reply reply;
	const char *request;            /* a fixed request, or NULL: format writes it */
	/* The request line into out; its length, or -1 if it does not fit. */
	int (*format)(struct client_args *a, char *out, size_t cap);
	const char *json_request;       /* with --json: what to ask instead, or NULL */
	const char *json_more;          /* with --json: a second list to ask for, or NULL */
	client_json_fn *json;           /* lists with --json: the writer */
	const char *json_key;           /* one-line answers with --json: {"KEY": value} */
};

extern const struct client_command client_commands[];
extern const size_t client_ncommands;

/* handle's arguments */
struct client_handle {
	bool reconnect;                 /* -r */
	uint16_t port2;                 /* -a */
	bool have_password2;            /* -b */
	char password2[VNET_PASSWORD_MAX + 1];
	const char *host2, *dev1, *dev2;        /* -d -e -f */
	bool have_config;               /* -g */
	enum vnet_config config;
	struct mac_pattern macs[VNET_MACS_MAX]; /* -j */
	size_t nmacs;
};

struct client_args {
	enum client_action action;      /* --help or --version: nothing else is checked */
	bool json;                      /* --json */
	const char *host;               /* -h */
	uint16_t port;                  /* -o */
	bool tls;                       /* -s */
	struct tls_options tlso;        /* --ca */
	bool have_password;             /* -p */
	char password[VNET_PASSWORD_MAX + 1];
	/*
	 * The options before the command passed their checks: an error now is
	 * the command's, reported after those of setting up TLS.
	 */
	bool options_ok;
	const struct client_command *cmd;       /* -c */
	unsigned long close_id;         /* close -i */
	struct client_handle handle;
	char *err;                      /* why the command line was refused */
};

/*
 * Parse vnetclient's command line into a (zeroed first). Passwords are copied
 * and wiped from argv. False if it is refused: a->err says why (NULL when out
 * of memory), and the status to exit with is a usage error's.
 */
bool client_args_parse(int argc, char **argv, struct client_args *a);
void client_args_free(struct client_args *a);

/* vnetclient --help, with its commands from client_commands. */
void client_usage(FILE *f);

#endif
