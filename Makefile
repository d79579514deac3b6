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

# Warnings are errors for developers and CI; a distribution build, whose newer
# compiler may bring new warnings, passes WERROR= (packaging/ does).
WERROR  ?= -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra $(WERROR) -Wshadow -Wformat=2 -Wno-unused-parameter \
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
PURE_SRCS   := src/mac.c src/bpf.c src/frame.c src/proto.c src/buf.c src/admit.c src/penalty.c src/limits.c
DAEMON_SRCS := src/vnet.c src/daemon.c src/log.c src/loop.c src/netlink.c src/port.c src/port_packet.c src/port_tap.c \
               src/session.c src/session_room.c src/dial.c src/handler.c src/handler_stats.c src/resolve.c src/addr.c \
               src/conn.c src/tls.c src/priv.c src/hfile.c $(PURE_SRCS)
CLIENT_SRCS := src/vnetclient.c src/log.c src/addr.c src/conn.c src/tls.c src/jsonout.c $(PURE_SRCS)
UNIT_TESTS  := mac bpf frame proto buf tls admit penalty loop limits

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

# The TLS module needs wolfSSL (and logs).
$(BUILD)/test_tls: $(BUILD)/test_tls.o $(BUILD)/tls.o $(BUILD)/log.o
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(PKG_LIBS)

# The loop's timers (and its logging).
$(BUILD)/test_loop: $(BUILD)/test_loop.o $(BUILD)/loop.o $(BUILD)/log.o
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

# ---- dependencies (Debian packages), tests, demo
deps:
	$(Q)sh tests/deps.sh

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || fail=1; done; exit $$fail

netns: all
	$(Q)VNET=$(BUILD)/vnet VNETCLIENT=$(BUILD)/vnetclient bash tests/net/run.sh $(T)

docs: all
	$(Q)bash tests/docs/check.sh $(BUILD)

check: deps
	$(Q)$(MAKE) --no-print-directory all unit docs
	$(Q)$(MAKE) --no-print-directory netns

check-asan: deps
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 all unit
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) --no-print-directory SANITIZE=1 netns

# A network-namespace scenario with both programs under valgrind: no error, no leak
# (the scenario checks that each daemon exits 0 on SIGTERM, which valgrind turns into 99).
VALGRIND ?= valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99
check-valgrind: deps
	$(Q)command -v valgrind >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends valgrind; }
	$(Q)$(MAKE) --no-print-directory all
	$(Q)VNET=$(BUILD)/vnet VNETCLIENT=$(BUILD)/vnetclient VNET_WRAP="$(VALGRIND)" bash tests/net/run.sh peer_death

# The seed's section 7 with a real QEMU guest (tests/vm/check-vm.sh); not part of check. It installs
# qemu-system-x86 and fetches the guest's Debian packages (apt-get download) if missing, and
# skips (exit 0) where it cannot.
check-vm: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)VNET=$(BUILD)/vnet VNETCLIENT=$(BUILD)/vnetclient VM_DIR=$(BUILD)/vm \
	  timeout -k 10 600 bash tests/vm/check-vm.sh

# vnet against its peers (OpenVPN, tinc, VXLAN...) in network namespaces; not part of check
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)VNET=$(BUILD)/vnet VNETCLIENT=$(BUILD)/vnetclient bash tests/bench/bench.sh $(MODES)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)VNET=$(BUILD)/vnet VNETCLIENT=$(BUILD)/vnetclient bash tests/demo/demo.sh

# ---- install
# The man pages; each goes to the man<section> named by its suffix.
MAN_PAGES = man/vnet.8 man/vnetclient.1 man/vnet.handlers.5 man/vnet-protocol.7 \
	    man/vnet-bridging.7 man/vnet-security.7

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(foreach s,$(sort $(suffix $(MAN_PAGES))),$(DESTDIR)$(MANDIR)/man$(s:.%=%))
	install -m 0755 $(BUILD)/vnet $(DESTDIR)$(SBINDIR)/vnet
	install -m 0755 $(BUILD)/vnetclient $(DESTDIR)$(BINDIR)/vnetclient
	for p in $(MAN_PAGES); do \
	    s=$${p##*.}; install -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/$${p##*/} || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vnet $(DESTDIR)$(BINDIR)/vnetclient \
	    $(foreach p,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p)))

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

# ---- fuzzing: make fuzz [FUZZ_SECONDS=30]
# libFuzzer targets in tests/fuzz/, built with clang into build-fuzz/ and run, each for
# FUZZ_SECONDS on a copy of its seed corpus (tests/fuzz/corpus/NAME stays as committed).
# A crash fails the make; its input is left in build-fuzz/artifacts/NAME/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_DIR     := build-fuzz
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -std=gnu11 -Iinclude -D_GNU_SOURCE
FUZZ_TARGETS := proto frame
FUZZ_PURE    := src/proto.c src/frame.c src/mac.c src/buf.c
FUZZ_OBJS    := $(FUZZ_PURE:src/%.c=$(FUZZ_DIR)/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

# clang and its fuzzer runtime, installed (Debian) only if missing.
fuzz-toolchain:
	$(Q)if ! command -v $(FUZZ_CC) >/dev/null 2>&1 || \
	   ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	     $(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1; then \
	  echo "fuzz: installing clang and its fuzzer runtime"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && \
	  apt-get install -y --no-install-recommends clang libclang-rt-14-dev || exit 1; \
	fi
	@mkdir -p $(FUZZ_DIR) && printf '*\n' > $(FUZZ_DIR)/.gitignore

$(FUZZ_DIR)/%.o: src/%.c | fuzz-toolchain
	$(call say,CC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz_%.o: tests/fuzz/fuzz_%.c | fuzz-toolchain
	$(call say,CC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/fuzz_%.o $(FUZZ_OBJS)
	$(call say,LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	$(Q)pass=0; fail=0; \
	for t in $(FUZZ_TARGETS); do \
	  case $$t in proto) max=8192;; frame) max=140000;; *) max=4096;; esac; \
	  corpus=$(FUZZ_DIR)/corpus/$$t; art=$(FUZZ_DIR)/artifacts/$$t; log=$(FUZZ_DIR)/fuzz_$$t.log; \
	  rm -rf $$corpus $$art; mkdir -p $$corpus $$art; \
	  cp tests/fuzz/corpus/$$t/* $$corpus/; \
	  seeds=$$(ls $$corpus | wc -l); \
	  echo "== fuzz_$$t: $(FUZZ_SECONDS) s, -max_len=$$max, $$seeds seeds"; \
	  if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	     $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$max \
	       -print_final_stats=1 -artifact_prefix=$$art/ $$corpus >$$log 2>&1; then \
	    pass=$$((pass + 1)); \
	    runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
	    rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $$log); \
	    echo "   ok: $$runs runs, $$rate exec/s, corpus $$seeds -> $$(ls $$corpus | wc -l) (log $$log)"; \
	  else \
	    fail=$$((fail + 1)); \
	    echo "   FAILED (log $$log):"; tail -n 60 $$log | sed 's/^/   | /'; \
	    for a in $$art/*; do [ -f "$$a" ] && { echo "   input $$a:"; od -An -tx1 "$$a" | head -n 32; }; done; \
	  fi; \
	done; \
	echo "$$pass passed, $$fail failed"; [ $$fail -eq 0 ]

fuzz-clean:
	rm -rf $(FUZZ_DIR)

.PHONY: fuzz fuzz-build fuzz-clean fuzz-toolchain
-include $(wildcard $(FUZZ_DIR)/*.d)
# ---- end of fuzzing

# ---- static analysis: make analyze (in CI; tools from Debian, installed if missing)
#  1. clang's static analyzer (scan-build) over both programs: any report fails;
#  2. a clang build of everything, unit tests included, with the same -Werror flags;
#  3. shellcheck (warnings and errors) on every shell script.
SHELL_SCRIPTS = $(shell find tests packaging -name '*.sh') .ci/run
analyze-tools:
	$(Q)missing=""; \
	command -v clang >/dev/null || missing="$$missing clang"; \
	command -v scan-build >/dev/null || missing="$$missing clang-tools"; \
	command -v shellcheck >/dev/null || missing="$$missing shellcheck"; \
	if [ -n "$$missing" ]; then \
	  echo "analyze: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing || exit 1; \
	fi

analyze: deps analyze-tools
	@echo "== scan-build (clang static analyzer)"
	$(Q)rm -rf build-scan
	$(Q)scan-build --status-bugs -o build-scan/reports $(MAKE) --no-print-directory \
	  BUILD=build-scan CC=clang all
	@echo "== clang -Werror build and unit tests"
	$(Q)$(MAKE) --no-print-directory BUILD=build-clang CC=clang all unit >build-clang.log 2>&1 || \
	  { cat build-clang.log; rm -f build-clang.log; exit 1; }
	$(Q)grep -E '^\[  (PASSED|FAILED)' build-clang.log; rm -f build-clang.log
	@echo "== shellcheck -S warning: $(words $(SHELL_SCRIPTS)) scripts"
	$(Q)shellcheck -x -S warning $(SHELL_SCRIPTS)
	@echo "analyze: no finding"

clean:
	rm -rf build build-asan build-scan build-clang

.PHONY: all deps unit docs netns check check-asan check-valgrind check-vm demo bench install uninstall clean \
        analyze analyze-tools
.DELETE_ON_ERROR:
.SECONDARY:

-include $(wildcard $(BUILD)/*.d)
