/* SPDX-License-Identifier: GPL-2.0-or-later */
/* args.h - the daemon's command line */
#ifndef VNET_ARGS_H
#define VNET_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "vnet/common.h"
#include "vnet/guard.h"
#include "vnet/pwfile.h"
#include "vnet/tls.h"

enum args_action { ARGS_RUN, ARGS_HELP, ARGS_VERSION };

/*
 * vnet's configuration: its command line as args_parse fills it, which the
 * daemon keeps as it is (struct daemon's cfg) and args_free()s at exit.
 */
struct args {
	enum args_action action;        /* --help or --version: nothing else is checked */
	char password[VNET_PASSWORD_MAX + 1];   /* wipe after use */
	const char *host;               /* -h; "_": every address */
	uint16_t port;
	bool tls;                       /* -s: TLS on every connection */
	bool verbose;
	bool sched_normal;              /* --sched normal */
	struct tls_options tlso;        /* --cert, --key, --ca */
	const char *user;               /* --user */
	const char *handlers;           /* --handlers */
	const char *password_file;      /* --password-file, read again on SIGHUP */
	uint32_t keepalive_ms;          /* --keepalive; a link is dead after 3 times this */
	unsigned int queue_delay_ms;    /* --queue-delay: the handlers' delay target, 0: off */
	bool udp_off;                   /* --udp off: handlers carry every frame over TCP */
	uint16_t udp_port;              /* --udp-port: where datagrams come in (0: the TCP port) */
	unsigned int udp_mtu;           /* --udp-mtu: the underlay's path MTU, datagrams fit it */
	bool allow_dhcp_server;         /* --allow-dhcp-server: LOCAL sides inject DHCP replies */
	bool allow_ra;                  /* --allow-ra: ...and router advertisements */
	struct guard_rate flood;        /* --flood-limit: LOCAL sides' broadcasts and multicasts */
	bool metrics;                   /* --metrics: serve them on metrics_addr */
	struct sockaddr_storage metrics_addr;
	char **devices;                 /* the -d list, copies (TAP names without "tap:") */
	size_t ndevices;
	char **taps;                    /* the TAP devices to create (into argv) */
	size_t ntaps;
};

/* Why the command line was refused: vnet prints "vnet: MSG" and exits with status. */
struct args_err {
	int status;                     /* 2: usage (vnet adds "Try 'vnet --help'."), 1: other */
	char msg[320];
};

extern const char args_usage[];         /* vnet --help */

/*
 * Parse vnet's argv into a (zeroed first; args_free it in any case). The
 * password argument is wiped in argv (ps, /proc/PID/cmdline); env_password
 * (VNET_PASSWORD, or NULL), used when no other password is given, is wiped
 * too. read_pw reads --password-file (pwfile_read). Nothing is printed and
 * the process is left alone: false with e set when the line is refused.
 */
bool args_parse(int argc, char **argv, char *env_password, pwfile_read_fn read_pw, struct args *a,
		struct args_err *e);
void args_free(struct args *a);
/*
 * The password of a --password-file (its first line, which only its owner
 * may read), into out; false with e set (status 1) if it is refused.
 */
bool args_password_file(pwfile_read_fn read_pw, const char *path,
			char out[VNET_PASSWORD_MAX + 1], struct args_err *e);

#endif
