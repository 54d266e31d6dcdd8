# olock - build, test, fuzz, bench. Everything built goes under build/.
#   make          the tests, examples and tools this machine can build
#   make test     the whole suite (compile matrix, sanitizers, valgrind, fuzz smoke, conformance,
#                 integration; npm ci first when node_modules is missing); ends with
#                 "N passed, N failed". Builds and runs as many things at once as there are CPUs
#                 (OLOCK_TEST_JOBS=N to choose).
#   make demo     the main job on the in-process fake backend
#   make amalgamate   olock.h and backends/olock_fake.h from their parts under src/
#   make format       the parts under src/ in the style of .clang-format
#   make deps     the integration servers (npm ci: DynamoDB Local, dynalite, the AWS SDK)
#   make fuzz     the libFuzzer targets;  make bench  the benchmarks

CC      ?= cc
CXX     ?= c++
BUILD   := build
WARN    := -Wall -Wextra -Wpedantic -Werror
WARN_C  := $(WARN) -Wshadow -Wundef -Wcast-qual -Wstrict-prototypes -Wmissing-prototypes
CFLAGS_ ?= -std=c99 -g -O1 $(WARN_C)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
INC     := -I. -Ibackends -Itests

HAVE_CURL    := $(shell test -f /usr/include/curl/curl.h -o -f /usr/include/x86_64-linux-gnu/curl/curl.h && echo 1)
HAVE_MBEDTLS := $(shell test -f /usr/include/mbedtls/sha256.h && echo 1)

# Unit tests: tests/test_<name>.c, each a program ending in "N passed, N failed".
TESTS := $(patsubst tests/test_%.c,%,$(wildcard tests/test_*.c))
ifneq ($(HAVE_CURL),1)
TESTS := $(filter-out curl curl_multi integration,$(TESTS))
endif
LIBS_curl        := -lcurl
LIBS_curl_multi  := -lcurl
LIBS_integration := -lcurl -lpthread
LIBS_fake        := -lpthread
LIBS_conformance := -lpthread
LIBS_engine      := -lpthread

# The SigV4/SHA-256 suite once more with mbedTLS's SHA-256 and HMAC (OLOCK_USE_MBEDTLS).
ifeq ($(HAVE_MBEDTLS),1)
TESTS += sigv4_mbedtls
endif
# The portable paths once more on this machine: test_core with OLOCK__SWAR_FIRST forced to 0 (the
# JSON parser where there is no count-trailing-zeros to use: big-endian targets, other compilers),
# without SSE2 (the string scan) and without PCLMULQDQ (CRC-32).
TESTS += core_portable
PORTABLE_DEFS := '-DOLOCK__SWAR_FIRST(m)=((size_t)0)' -DOLOCK_NO_PCLMUL -DOLOCK__NO_SSE2

# Tests with threads run once more under ThreadSanitizer.
TSAN_TESTS := $(filter engine fake,$(TESTS))
TSAN_BINS  := $(patsubst %,$(BUILD)/tsan/test_%,$(TSAN_TESTS))

SAN_BINS   := $(patsubst %,$(BUILD)/san/test_%,$(TESTS))
PLAIN_BINS := $(patsubst %,$(BUILD)/plain/test_%,$(TESTS))
HEADERS    := olock.h $(wildcard backends/*.h)

# olock.h and backends/olock_fake.h are generated from their parts under src/ (tools/amalgamate,
# listed in src/olock.parts and src/fake/olock_fake.parts): edit the parts, then
# `make amalgamate`. make test first checks that the committed headers are what the parts
# generate. FROM_SRC=1 builds everything against a copy with a #line before each part
# (build/parts/), so that compiler and sanitizer messages name the part's file and line.
PARTS := $(wildcard src/*.parts src/*.h src/fake/*.parts src/fake/*.h)
ifeq ($(FROM_SRC),1)
INC     := -I$(BUILD)/parts -I$(BUILD)/parts/backends $(INC)
HEADERS := $(BUILD)/parts/.stamp $(wildcard backends/*.h)
endif
$(BUILD)/parts/.stamp: $(PARTS) tools/amalgamate
	tools/amalgamate --lines $(BUILD)/parts
	touch $@

# The flavours a test program is built in: san (ASan + UBSan), plain (for valgrind), tsan.
# The san flavour also checks every kept rendering of a versioned update against a fresh one
# (OLOCK__VERIFY_KEPT: the engine aborts if they differ); plain and tsan run it as it ships.
FLAGS_san   := $(CFLAGS_) $(SAN) -DOLOCK__VERIFY_KEPT
FLAGS_plain := $(CFLAGS_)
FLAGS_tsan  := $(CFLAGS_) -fsanitize=thread

# The implementation as it ships (olock.h, olock_fake.h and, with libcurl, olock_curl.h, one
# object each: tests/impl/*.c) is compiled once per flavour into build/<flavour>/libolock_impl.a.
# A test whose source leaves its implementation out when OLOCK_TEST_LINKED is defined (LINKED)
# is compiled that way and linked with it (with _POSIX_C_SOURCE as the implementation would have
# defined it); the others compile the implementation into their own program (their own
# configuration of it, or its internals).
IMPL_PARTS := olock olock_fake $(if $(filter 1,$(HAVE_CURL)),olock_curl)
LINKED     := $(filter $(TESTS),$(patsubst tests/test_%.c,%,$(shell grep -l '^\#ifndef OLOCK_TEST_LINKED' tests/test_*.c)))
OWN_IMPL   := $(filter-out $(LINKED) sigv4_mbedtls core_portable,$(TESTS))
LINKED_DEFS := -DOLOCK_TEST_LINKED -D_POSIX_C_SOURCE=200809L

# Examples: examples/<name>.c -> build/examples/<name>; with libcurl they can also reach a
# real endpoint (--endpoint URL).
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
ifeq ($(HAVE_CURL),1)
EXAMPLE_CURL := -DOLOCK_EXAMPLE_CURL -lcurl
endif

# tools/olock-fakeserver: the fake served over HTTP (POSIX sockets and threads, nothing else).
TOOLS := $(BUILD)/olock-fakeserver $(BUILD)/san/olock-fakeserver $(BUILD)/matrix/olock-fakeserver-cxx.o

.PHONY: all test demo deps fuzz bench clean amalgamate format tests-san tests-plain tests-tsan examples tools
all: tests-san tests-plain tests-tsan examples tools
tools: $(TOOLS)

$(BUILD)/olock-fakeserver: tools/olock-fakeserver.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 -g $(WARN_C) $(INC) $< -o $@ -lpthread -lm
$(BUILD)/san/olock-fakeserver: tools/olock-fakeserver.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) $(SAN) $(INC) $< -o $@ -lpthread -lm
$(BUILD)/matrix/olock-fakeserver-cxx.o: tools/olock-fakeserver.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 $(WARN) -Wshadow -x c++ $(INC) -c $< -o $@
tests-tsan: $(TSAN_BINS)

examples: $(EXAMPLES)

$(BUILD)/examples/%: examples/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 -g $(WARN_C) $(INC) $< -o $@ -lpthread -lm $(EXAMPLE_CURL)

# The main job on the embedded default: the shop demo on the in-process fake.
demo: $(BUILD)/examples/shop
	$(BUILD)/examples/shop

tests-san: $(SAN_BINS)
tests-plain: $(PLAIN_BINS)

# build/<flavour>/libolock_impl.a and the test programs of that flavour.
define FLAVOUR
$(BUILD)/$(1)/impl/%.o: tests/impl/%.c $(HEADERS)
	@mkdir -p $$(dir $$@)
	$(CC) $(FLAGS_$(1)) $(INC) -c $$< -o $$@

$(BUILD)/$(1)/libolock_impl.a: $(patsubst %,$(BUILD)/$(1)/impl/%.o,$(IMPL_PARTS))
	rm -f $$@
	$(AR) rcs $$@ $$^

$(patsubst %,$(BUILD)/$(1)/test_%,$(LINKED)): $(BUILD)/$(1)/test_%: tests/test_%.c $(HEADERS) tests/olock_test.h $(BUILD)/$(1)/libolock_impl.a
	@mkdir -p $$(dir $$@)
	$(CC) $(FLAGS_$(1)) $(LINKED_DEFS) $(INC) $$< -o $$@ $(BUILD)/$(1)/libolock_impl.a -lm $$(LIBS_$$*)

$(patsubst %,$(BUILD)/$(1)/test_%,$(OWN_IMPL)): $(BUILD)/$(1)/test_%: tests/test_%.c $(HEADERS) tests/olock_test.h
	@mkdir -p $$(dir $$@)
	$(CC) $(FLAGS_$(1)) $(INC) $$< -o $$@ -lm $$(LIBS_$$*)
endef
$(foreach f,san plain tsan,$(eval $(call FLAVOUR,$(f))))

$(BUILD)/san/test_sigv4_mbedtls: tests/test_sigv4.c $(HEADERS) tests/olock_test.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) $(SAN) -DOLOCK_USE_MBEDTLS $(INC) $< -o $@ -lm -lmbedcrypto

$(BUILD)/plain/test_sigv4_mbedtls: tests/test_sigv4.c $(HEADERS) tests/olock_test.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) -DOLOCK_USE_MBEDTLS $(INC) $< -o $@ -lm -lmbedcrypto

$(BUILD)/san/test_core_portable: tests/test_core.c $(HEADERS) tests/olock_test.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) $(SAN) $(PORTABLE_DEFS) $(INC) $< -o $@ -lm

$(BUILD)/plain/test_core_portable: tests/test_core.c $(HEADERS) tests/olock_test.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_) $(PORTABLE_DEFS) $(INC) $< -o $@ -lm

# make test builds everything with -j$(OLOCK_TEST_JOBS) (unless make was given a -j) and then
# runs tests/run.sh, which runs OLOCK_TEST_JOBS steps at a time (default: the number of CPUs;
# make test OLOCK_TEST_JOBS=1 does one thing at a time).
OLOCK_TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
amalgamate:
	tools/amalgamate

# The parts' one style (.clang-format, clang-format 14); make test checks it (tools/check-format).
format:
	tools/check-format --fix

test:
	@tools/amalgamate --check || exit 1
	@t0=$$(date +%s); $(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(OLOCK_TEST_JOBS)) all || exit 1; \
	  echo "make all: $$(( $$(date +%s) - t0 )) s"; \
	  HAVE_CURL=$(HAVE_CURL) HAVE_MBEDTLS=$(HAVE_MBEDTLS) TESTS="$(TESTS)" TSAN_TESTS="$(TSAN_TESTS)" \
	  OLOCK_TEST_JOBS=$(OLOCK_TEST_JOBS) bash tests/run.sh

deps:
	npm ci --no-audit --no-fund

fuzz:
	@bash tests/fuzz.sh build

bench:
	@CC="$(CC)" bash bench/run.sh

clean:
	rm -rf $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=]: headers into $(PREFIX)/include/olock/ (flat: -I.../include/olock,
# #include "olock.h"), olock.pc + olock-curl.pc into share/pkgconfig, CMake package into share/cmake/olock.
PREFIX ?= /usr/local
OLOCK_VERSION = $(shell sed -n 's/^.define OLOCK_VERSION_STRING "\(.*\)"/\1/p' olock.h)
OLOCK_SUBST = sed -e 's|@OLOCK_PREFIX@|$(PREFIX)|g' -e 's|@OLOCK_PC_INCLUDEDIR@|$${prefix}/include|g' \
  -e 's|@OLOCK_VERSION@|$(OLOCK_VERSION)|g' -e 's|@OLOCK_CMAKEDIR_TO_INCLUDEDIR@|../../../include/olock|g'
.PHONY: install
install:
	install -d '$(DESTDIR)$(PREFIX)/include/olock' '$(DESTDIR)$(PREFIX)/share/pkgconfig' '$(DESTDIR)$(PREFIX)/share/cmake/olock'
	install -m 644 olock.h $(wildcard backends/*.h) '$(DESTDIR)$(PREFIX)/include/olock/'
	for f in olock olock-curl; do $(OLOCK_SUBST) cmake/$$f.pc.in >'$(DESTDIR)$(PREFIX)/share/pkgconfig/'$$f.pc || exit 1; done
	for f in olockConfig olockConfigVersion; do $(OLOCK_SUBST) cmake/$$f.cmake.in >'$(DESTDIR)$(PREFIX)/share/cmake/olock/'$$f.cmake || exit 1; done
