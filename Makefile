# SPDX-License-Identifier: GPL-2.0-or-later
# klpstack: plain GNU make.
#
#   make              klpscan and, where crash's defs.h is installed, klpstack.so
#   make check        unit tests + every sample, then again under ASan+UBSan
#   make fuzz         libFuzzer run over the sample loader and the unwinders
#   make check-e2e    real vmcores (QEMU guests) through crash and klpscan
#   make check-all    all of the above: what CI runs
#   make ARCH=s390x   klpstack.so for Debian's s390x crash (cross compiler)

ARCH ?= $(shell uname -m)
CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -fPIC $(WARN) -Isrc
CRASH_INC ?= /usr/include/crash
FUZZ_SECONDS ?= 60

CORE_SRC := $(filter-out src/klpscan.c $(wildcard src/kdump*.c),$(wildcard src/*.c)) \
	    $(wildcard arch/*/*.c)
SCAN_SRC := src/klpscan.c $(wildcard src/kdump*.c)
HDRS := $(wildcard src/*.h arch/*/*.h)

ifeq ($(ARCH),s390x)
  CROSS ?= s390x-linux-gnu-
  CC := $(CROSS)gcc
  B := build/s390x
  CRASH_TARGET := -DS390X
  PROGRAMS := $(B)/klpstack.so
else
  B := build
  CRASH_TARGET := -DX86_64
  PROGRAMS := klpscan $(if $(and $(wildcard $(CRASH_INC)/defs.h),$(wildcard extensions/klpstack.c)),klpstack.so)
endif

KDUMP_LIBS := $(if $(wildcard src/kdump*.c),-lkdumpfile -laddrxlat -ldw -lelf)

obj = $(patsubst %.c,$(1)/%.o,$(2))

all: $(PROGRAMS)

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

klpscan: $(call obj,$(B),$(CORE_SRC) $(SCAN_SRC))
	$(CC) $(CFLAGS) -o $@ $^ $(KDUMP_LIBS)

# The crash glue includes crash's defs.h; nothing else does.
$(B)/extensions/klpstack.o: extensions/klpstack.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(CRASH_TARGET) -I$(CRASH_INC) -Wno-missing-prototypes -c -o $@ $<

klpstack.so $(B)/klpstack.so: $(call obj,$(B),$(CORE_SRC)) $(B)/extensions/klpstack.o
	$(CC) -shared -rdynamic -o $@ $^

# ---- tests ----

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_B := build/asan
UNIT_SRC := $(wildcard tests/unit/*.c)

$(B)/unit-tests: $(call obj,$(B),$(CORE_SRC) $(UNIT_SRC))
	$(CC) $(CFLAGS) -o $@ $^

$(SAN_B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

$(SAN_B)/klpscan: $(call obj,$(SAN_B),$(CORE_SRC) $(SCAN_SRC))
	$(CC) $(SAN) -o $@ $^ $(KDUMP_LIBS)

$(SAN_B)/unit-tests: $(call obj,$(SAN_B),$(CORE_SRC) $(UNIT_SRC))
	$(CC) $(SAN) -o $@ $^

SAMPLES := $(wildcard samples/*/*.sample)

check: klpscan $(B)/unit-tests $(SAN_B)/klpscan $(SAN_B)/unit-tests
	@echo "== unit tests"
	$(B)/unit-tests
	@echo "== samples"
	./klpscan --check $(SAMPLES)
	@echo "== shell tests (front-end behaviour)"
	sh tests/frontend.sh ./klpscan
	@echo "== README rule table against the rule lists"
	sh tests/readme-rules.sh
	@echo "== doc/kernel-rules.md rule table against the rule lists"
	sh tests/doc-rules.sh
	@echo "== unit tests under ASan+UBSan"
	$(SAN_B)/unit-tests
	@echo "== samples under ASan+UBSan"
	$(SAN_B)/klpscan --check $(SAMPLES)

FUZZ_B := build/fuzz
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1

$(FUZZ_B)/fuzz-sample: $(CORE_SRC) tests/fuzz/fuzz_sample.c $(HDRS)
	@mkdir -p $(FUZZ_B)
	clang -std=gnu11 -Isrc $(WARN) $(FUZZ_FLAGS) -o $@ $(CORE_SRC) tests/fuzz/fuzz_sample.c

fuzz: $(FUZZ_B)/fuzz-sample
	sh tests/fuzz/run.sh $(FUZZ_B)/fuzz-sample $(FUZZ_SECONDS)

check-e2e: all
	sh tests/e2e/run.sh

check-all: check fuzz check-e2e

clean:
	rm -rf build klpscan klpstack.so

.PHONY: all check fuzz check-e2e check-all clean
