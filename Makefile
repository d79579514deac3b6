# vnet - bridge Ethernet networks over TCP
# GNU make. Quiet by default; V=1 shows the commands.

PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
PKG_CONFIG ?= pkg-config
BUILD   ?= build

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
           -fstack-protector-strong -fPIE -Iinclude
CPPFLAGS += -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE
LDFLAGS += -pie -Wl,-z,relro -Wl,-z,now -Wl,--as-needed

# Sanitizer builds (make check-asan) replace the optimisation and fortify flags.
ifeq ($(SANITIZE),1)
BUILD    := build-asan
CFLAGS   := $(filter-out -O2,$(CFLAGS)) -O1 -fno-omit-frame-pointer \
            -fsanitize=address,undefined -fno-sanitize-recover=all
CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE=2,$(CPPFLAGS))
LDFLAGS  += -fsanitize=address,undefined
endif

PKGS      := libmnl wolfssl
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

# Pure modules: no I/O, unit-tested and fuzzed.
PURE_SRCS   := src/mac.c src/bpf.c src/frame.c src/proto.c src/buf.c
DAEMON_SRCS := src/vnet.c src/log.c src/loop.c src/netlink.c src/port.c src/port_packet.c src/port_tap.c \
               src/session.c src/dial.c src/handler.c src/resolve.c src/addr.c \
               src/conn.c src/tls.c src/priv.c $(PURE_SRCS)
CLIENT_SRCS := src/vnetclient.c src/log.c src/addr.c src/conn.c src/tls.c $(PURE_SRCS)
UNIT_TESTS  := mac bpf frame proto buf

DAEMON_OBJS := $(DAEMON_SRCS:src/%.c=$(BUILD)/%.o)
CLIENT_OBJS := $(CLIENT_SRCS:src/%.c=$(BUILD)/%.o)
UNIT_BINS   := $(UNIT_TESTS:%=$(BUILD)/test_%)

all: $(BUILD)/vnet $(BUILD)/vnetclient

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/vnet: $(DAEMON_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/vnetclient: $(CLIENT_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/test_%.o: tests/unit/test_%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/test_%: $(BUILD)/test_%.o $(PURE_SRCS:src/%.c=$(BUILD)/%.o)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

# ---- dependencies (Debian packages), tests, demo
deps:
	$(Q)sh tests/deps.sh

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || fail=1; done; exit $$fail

netns: all
	$(Q)VNET=$(BUILD)/vnet VNETCLIENT=$(BUILD)/vnetclient bash tests/net/run.sh $(T)

check: deps
	$(Q)$(MAKE) --no-print-directory all unit
	$(Q)$(MAKE) --no-print-directory netns

check-asan: deps
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 all unit
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) --no-print-directory SANITIZE=1 netns

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)VNET=$(BUILD)/vnet VNETCLIENT=$(BUILD)/vnetclient bash tests/demo/demo.sh

# ---- install
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BUILD)/vnet $(DESTDIR)$(SBINDIR)/vnet
	install -m 0755 $(BUILD)/vnetclient $(DESTDIR)$(BINDIR)/vnetclient
	install -m 0644 man/vnet.8 $(DESTDIR)$(MANDIR)/man8/vnet.8
	install -m 0644 man/vnetclient.1 $(DESTDIR)$(MANDIR)/man1/vnetclient.1

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vnet $(DESTDIR)$(BINDIR)/vnetclient \
	      $(DESTDIR)$(MANDIR)/man8/vnet.8 $(DESTDIR)$(MANDIR)/man1/vnetclient.1

# ---- packages (issue #7): make deb, make rpm, make check-packages
# Built from a copy of the source tree, see packaging/; results in PKG_OUT.
PKG_OUT ?= build/packages

deb:
	$(Q)bash packaging/build-deb.sh $(PKG_OUT)

rpm:
	$(Q)bash packaging/build-rpm.sh $(PKG_OUT)

check-packages:
	$(Q)bash packaging/check-packages.sh $(PKG_OUT)

.PHONY: deb rpm check-packages
# ---- end of packages

clean:
	rm -rf build build-asan

.PHONY: all deps unit netns check check-asan demo install uninstall clean
.DELETE_ON_ERROR:
.SECONDARY:

-include $(wildcard $(BUILD)/*.d)
