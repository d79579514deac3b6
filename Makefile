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

PKGS      := libmnl wolfssl libmicrohttpd
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

# Everything but the two programs' main files goes into one static library:
# the programs link against it, and so does every unit test (the linker takes
# only the objects a test uses, so a new test needs no list of objects).
MAIN_SRCS := src/vnet.c src/vnetclient.c
LIB_SRCS  := $(filter-out $(MAIN_SRCS),$(sort $(wildcard src/*.c)))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libvnet.a
# The stateful tests run a daemon without root on a fake clock:
# tests/unit/harness.c replaces loop_now_ms (and port_open: a fake port)
# through the linker's --wrap, and counts the calls of proto_parse.
HARNESS_TESTS := session dial handler dgpath
UNIT_TESTS  := mac bpf ebpf macmap frame proto buf tls admit penalty peer loop args hfile_line hfile_diff \
               limits aqm port port_batch \
               client \
               loopguard dgram gso guard metrics_fmt \
               $(HARNESS_TESTS)
UNIT_BINS    := $(UNIT_TESTS:%=$(BUILD)/test_%)
HARNESS_BINS := $(HARNESS_TESTS:%=$(BUILD)/test_%)

all: $(BUILD)/vnet $(BUILD)/vnetclient

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/vnet $(BUILD)/vnetclient: $(BUILD)/%: $(BUILD)/%.o $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/test_%.o: tests/unit/test_%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/unit_harness.o: tests/unit/harness.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -c -o $@ $<

$(HARNESS_BINS): $(BUILD)/unit_harness.o
$(HARNESS_BINS): UNIT_LDFLAGS := -Wl,--wrap=loop_now_ms -Wl,--wrap=port_open \
                                 -Wl,--wrap=proto_parse

$(BUILD)/test_%: $(BUILD)/test_%.o $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(UNIT_LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) \
	  $(CMOCKA_LIBS) $(PKG_LIBS) -lpthread

# ---- dependencies (Debian packages), tests, demo
deps:
	$(Q)sh tests/deps.sh

unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || fail=1; done; exit $$fail

# The helper of t_gso_kernel.sh: segments cut by gso_segment, sent through a packet socket.
$(BUILD)/gso_send: tests/net/gso_send.c $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB)

netns: all $(BUILD)/gso_send
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

# The example scenario of the VNET 0.9 README with a real QEMU guest (tests/vm/check-vm.sh); not
# part of check. It installs qemu-system-x86 and fetches the guest's Debian packages (apt-get
# download) if missing, and skips (exit 0) where it cannot.
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

# ---- packages: make deb, make rpm, make check-packages
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

# ---- fuzzing: make fuzz [FUZZ_SECONDS=30], make fuzz-build, make fuzz-clean (tests/fuzz/)
include tests/fuzz/fuzz.mk

# ---- static analysis: make analyze (in CI; tools from Debian, installed if missing)
#  1. clang's static analyzer (scan-build) over both programs: any report fails;
#  2. a clang build of everything, unit tests included, with the same -Werror flags;
#  3. shellcheck (warnings and errors) on every shell script;
#  4. the layers of src/ at link level (check-layers): no call cycle;
#  5. pyflakes on every python program of the tests.
SHELL_SCRIPTS = $(shell find tests packaging -name '*.sh') .ci/run
PY_SCRIPTS = $(shell find tests packaging -name '*.py')
analyze-tools:
	$(Q)missing=""; \
	command -v clang >/dev/null || missing="$$missing clang"; \
	command -v scan-build >/dev/null || missing="$$missing clang-tools"; \
	command -v shellcheck >/dev/null || missing="$$missing shellcheck"; \
	command -v pyflakes3 >/dev/null || missing="$$missing pyflakes3"; \
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
	@echo "== layers: calls flow one way"
	$(Q)$(MAKE) --no-print-directory BUILD=build-clang CC=clang check-layers
	@echo "== pyflakes3: $(words $(PY_SCRIPTS)) python programs"
	$(Q)pyflakes3 $(PY_SCRIPTS)
	@echo "analyze: no finding"

# Calls flow one way: tests/layers.py reads the objects with nm and prints the files of src/
# by layer, bottom first (a file calls only files below it); a call cycle fails, named with
# the calls that close it.
check-layers: all
	$(Q)python3 tests/layers.py $(BUILD) $(sort $(wildcard src/*.c))

clean:
	rm -rf build build-asan build-scan build-clang build-analyze

.PHONY: all deps unit docs netns check check-asan check-valgrind check-vm demo bench install uninstall clean \
        analyze analyze-tools check-layers
.DELETE_ON_ERROR:
.SECONDARY:

-include $(wildcard $(BUILD)/*.d)
