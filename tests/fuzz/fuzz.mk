# tests/fuzz/fuzz.mk - the libFuzzer targets, included by the Makefile.
#
#   make fuzz [FUZZ_SECONDS=30]   build every target and run each (tests/fuzz/run.sh)
#   make fuzz-build               build them only
#   make fuzz-clean               remove build-fuzz/
#
# Each target tests/fuzz/fuzz_NAME.c is built with clang into build-fuzz/fuzz_NAME, linked with
# the pure modules it needs (no I/O: files and devices are stubbed by the targets), and run for
# FUZZ_SECONDS on a copy of its seed corpus (tests/fuzz/corpus/NAME stays as committed).
# A crash fails the make; its input is left in build-fuzz/artifacts/NAME/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_DIR     := build-fuzz
FUZZ_CFLAGS  := -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -std=gnu11 -Iinclude -D_GNU_SOURCE
# proto: the control protocol; frame: the framing between daemons; args: vnet's command line;
# hfile: the lines of a handlers file; dgram: the datagram path's checks and replay window;
# gso: segmentation and coalescing in software.
FUZZ_TARGETS := proto frame args hfile dgram gso
FUZZ_PURE    := src/proto.c src/frame.c src/mac.c src/buf.c src/args.c src/hfile_line.c src/dgram.c \
                src/gso.c src/guard.c
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

# dgram.c seals with wolfCrypt (not instrumented: the fuzzer sees dgram.c's own code).
FUZZ_LIBS    = $(shell $(PKG_CONFIG) --libs wolfssl 2>/dev/null)

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/fuzz_%.o $(FUZZ_OBJS)
	$(call say,LD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	$(Q)bash tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf $(FUZZ_DIR)

.PHONY: fuzz fuzz-build fuzz-clean fuzz-toolchain
-include $(wildcard $(FUZZ_DIR)/*.d)
