# SPDX-License-Identifier: GPL-2.0-or-later
# klpstack: plain GNU make.
#
#   make              klpscan and, where crash's defs.h is installed, klpstack.so
#   make check        unit tests + every sample, then again under ASan+UBSan
#   make fuzz         libFuzzer runs over the sample loader and the unwinders,
#                     and over the dump reader (scanner/kdump*.c, libkdumpfile)
#   make check-e2e    real vmcores (QEMU guests) through crash and klpscan
#   make check-package  the Debian package (debian/) builds and is lintian-clean
#   make check-all    all of the above: what CI runs
#   make ARCH=s390x   klpstack.so for Debian's s390x crash (cross compiler)
#   make install      klpscan, klpstack.so (where crash looks for extensions
#                     by name) and the man pages under DESTDIR/PREFIX
#   make CRASH_INC=DIR  klpstack.so for the crash whose defs.h is in DIR:
#                     build/crash-VERSION/klpstack.so (s390x: build/s390x/...)
#
# klpstack.so includes crash's defs.h, whose structures change between crash
# releases, so it is built for one crash version and refuses to load into
# another.  The version comes from the crash package next to the headers
# (DIR/../../share/doc/crash/changelog.Debian.gz: /usr/include/crash, an
# unpacked .deb or sysroot) or from a crash source tree (DIR/Makefile's
# VERSION=); CRASH_VERSION=X.Y.Z says it when neither is there.

VERSION := $(shell cat VERSION 2>/dev/null || echo unknown)
ARCH ?= $(shell uname -m)
CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# crash's "extend NAME" searches /usr/lib64/crash/extensions (64-bit) and
# /usr/lib/crash/extensions; the latter on every arch
CRASH_EXTDIR ?= $(PREFIX)/lib/crash/extensions
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
# hidden: klpstack.so exports only crash's entry points (extensions/klpstack.c)
# -MMD -MP: each object depends on the headers it includes, nothing more
# src/ the core, arch/ the arch rules; scanner/ is klpscan and its dump
# target, sample/ the pre-baked stack target (klpscan and the tests only)
BASE_CFLAGS := -std=gnu11 -fPIC -fvisibility=hidden $(WARN) -Isrc -Isample -Iscanner -MMD -MP \
	       -DKLPSTACK_VERSION='"$(VERSION)"' $(CPPFLAGS)
CRASH_INC ?= /usr/include/crash
FUZZ_SECONDS ?= 60
# The fuzzers' libFuzzer seed: fixed, so every run of make fuzz replays the
# same mutations from the same seeds (a finding reproduces; a run that
# passed once passes again).  FUZZ_SEED=0 draws a new sequence each run:
# a campaign beyond what the test suite replays (README.md).
FUZZ_SEED ?= 1
export FUZZ_SEED

# upstream version of the crash package or source tree holding defs.h in $(1)
crash_version_of = $(or $(shell zcat $(1)/../../share/doc/crash/changelog.Debian.gz 2>/dev/null | \
	sed -n '1{s/^crash (//;s/).*//;s/^[0-9]*://;s/-[^-]*$$//;s/[+~].*//;p;}'),$(shell \
	sed -n 's/^VERSION=//p' $(1)/Makefile 2>/dev/null | head -n 1))
CRASH_VERSION ?= $(call crash_version_of,$(CRASH_INC))

# The core is every file of src/ and arch/; klpstack.so is the core and
# the crash glue.  The sample loader (sample/) is test code: klpscan (its
# --check and sample inputs) and the tests link it, klpstack.so does not.
SAMPLE_SRC := $(wildcard sample/*.c)
CORE_SRC := $(wildcard src/*.c arch/*/*.c)
DUMP_SRC := $(filter-out scanner/klpscan.c,$(wildcard scanner/*.c))
SCAN_SRC := scanner/klpscan.c $(DUMP_SRC) $(SAMPLE_SRC)
HDRS := $(wildcard src/*.h arch/*/*.h sample/*.h scanner/*.h)

ifeq ($(ARCH),s390x)
  CROSS ?= s390x-linux-gnu-
  CC := $(CROSS)gcc
  B := build/s390x
  CRASH_TARGET := -DS390X
else
  B := build
  CRASH_TARGET := -DX86_64
endif
# Headers named on the command line get a directory per crash version; the
# default ones (Debian's crash on this machine) the usual places.
ifneq ($(filter command line environment,$(origin CRASH_INC)),)
  ifeq ($(wildcard $(CRASH_INC)/defs.h),)
    $(error CRASH_INC=$(CRASH_INC) holds no defs.h (want a crash package's usr/include/crash or a crash source tree))
  endif
  SO_B := $(B)/crash-$(CRASH_VERSION)
  KLPSTACK_SO := $(SO_B)/klpstack.so
else
  SO_B := $(B)
  KLPSTACK_SO := $(if $(filter s390x,$(ARCH)),$(B)/klpstack.so,klpstack.so)
endif
ifeq ($(ARCH),s390x)
  PROGRAMS := $(KLPSTACK_SO)
else
  PROGRAMS := klpscan $(if $(and $(wildcard $(CRASH_INC)/defs.h),$(wildcard extensions/klpstack.c)),$(KLPSTACK_SO))
endif

# the dump target's libraries, as pkg-config names them (Debian's -dev
# packages ship the .pc files); the plain -l list where pkg-config is absent
KDUMP_PKGS := libkdumpfile libaddrxlat libdw libelf libbpf libdeflate
KDUMP_LIBS := $(if $(DUMP_SRC),$(or $(shell $(PKG_CONFIG) --libs $(KDUMP_PKGS) 2>/dev/null),-lkdumpfile -laddrxlat -ldw -lelf -lbpf -ldeflate))

obj = $(patsubst %.c,$(1)/%.o,$(2))

all: $(PROGRAMS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

klpscan: $(call obj,$(B),$(CORE_SRC) $(SCAN_SRC))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(KDUMP_LIBS)

# The crash version the glue is built for, rewritten only when it changes
# (the glue object depends on it).
$(SO_B)/crash-version: FORCE
	@case '$(CRASH_VERSION)' in '' | *[!0-9A-Za-z.+~_-]*) \
		echo "cannot tell which crash version $(CRASH_INC)/defs.h belongs to" \
		     "('$(CRASH_VERSION)'): give CRASH_VERSION=X.Y.Z" >&2; exit 1 ;; esac
	@mkdir -p $(dir $@)
	@echo '$(CRASH_VERSION)' | cmp -s - $@ 2>/dev/null || echo '$(CRASH_VERSION)' >$@

# The crash glue includes crash's defs.h; nothing else does.
$(SO_B)/extensions/klpstack.o: extensions/klpstack.c extensions/elfsyms.h $(HDRS) \
		$(SO_B)/crash-version
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(CRASH_TARGET) -I$(CRASH_INC) \
		-DKS_CRASH_VERSION='"$(CRASH_VERSION)"' -Wno-missing-prototypes -c -o $@ $<

$(KLPSTACK_SO): $(call obj,$(B),$(CORE_SRC)) $(SO_B)/extensions/klpstack.o \
		$(B)/extensions/elfsyms.o
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $^

# ---- tests ----

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_B := build/asan
# the crash glue's ELF symbol reader needs no crash headers: tested here too
UNIT_SRC := $(wildcard tests/unit/*.c) extensions/elfsyms.c

$(B)/unit-tests: $(call obj,$(B),$(CORE_SRC) $(SAMPLE_SRC) $(UNIT_SRC))
	$(CC) $(CFLAGS) -o $@ $^

# tests/names/kallsyms-names.py: the alias rule against a vmlinux's own
# kallsyms table (run by tests/e2e/run.sh, which has the vmlinux files)
$(B)/names-choose: $(call obj,$(B),src/symbols.c tests/names/choose.c)
	$(CC) $(CFLAGS) -o $@ $^

$(SAN_B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

$(SAN_B)/klpscan: $(call obj,$(SAN_B),$(CORE_SRC) $(SCAN_SRC))
	$(CC) $(SAN) -o $@ $^ $(KDUMP_LIBS)

$(SAN_B)/unit-tests: $(call obj,$(SAN_B),$(CORE_SRC) $(SAMPLE_SRC) $(UNIT_SRC))
	$(CC) $(SAN) -o $@ $^

# the decoders behind klpscan --no-debuginfo (kallsyms, BTF), alone
KDUMP_UNIT_SRC := scanner/kdump-kallsyms.c scanner/kdump-btf.c scanner/namemap.c tests/kdump-unit/decoders.c

BPF_LIBS := $(or $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null),-lbpf)

$(B)/kdump-unit: $(call obj,$(B),$(KDUMP_UNIT_SRC))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(BPF_LIBS)

$(SAN_B)/kdump-unit: $(call obj,$(SAN_B),$(KDUMP_UNIT_SRC))
	$(CC) $(SAN) -o $@ $^ $(BPF_LIBS)

SAMPLES := $(wildcard samples/*/*.sample)

# The minikernel's BTF (pahole, Debian's dwarves), for dumps that describe
# themselves (tests/mkkdump.py --self-btf, klpscan --no-debuginfo).
MINIKERNEL_BTF := $(if $(shell command -v pahole 2>/dev/null),build/fuzz/minikernel.btf)

check: klpscan $(B)/unit-tests $(SAN_B)/klpscan $(SAN_B)/unit-tests $(B)/kdump-unit \
       $(SAN_B)/kdump-unit build/fuzz/minikernel $(MINIKERNEL_BTF)
	@echo "== unit tests"
	$(B)/unit-tests
	$(B)/kdump-unit
	@echo "== samples"
	./klpscan --check $(SAMPLES)
	@echo "== shell tests (front-end behaviour)"
	sh tests/frontend.sh ./klpscan
	@if [ -f "$(KLPSTACK_SO)" ]; then \
		echo "== $(KLPSTACK_SO) exports crash's entry points only, links no sample code"; \
		e=$$(nm -D --defined-only $(KLPSTACK_SO) | awk '{print $$3}' | sort | tr '\n' ' '); \
		[ "$$e" = "klpstack_fini klpstack_init " ] || { echo "exports: $$e"; exit 1; }; \
		! nm $(KLPSTACK_SO) | grep -i sample || { echo "sample code in $(KLPSTACK_SO)"; exit 1; }; \
	fi
	@echo "== committed samples equal what their generators write"
	sh tests/samples-regen.sh
	@echo "== README rule table against the rule lists"
	sh tests/readme-rules.sh
	@echo "== doc/kernel-rules.md rule table against the rule lists"
	sh tests/doc-rules.sh
	@echo "== unit tests under ASan+UBSan"
	$(SAN_B)/unit-tests
	$(SAN_B)/kdump-unit
	@echo "== samples under ASan+UBSan"
	$(SAN_B)/klpscan --check $(SAMPLES)

FUZZ_B := build/fuzz
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1

$(FUZZ_B)/fuzz-sample: $(CORE_SRC) $(SAMPLE_SRC) tests/fuzz/fuzz_sample.c $(HDRS)
	@mkdir -p $(FUZZ_B)
	clang -std=gnu11 -Isrc -Isample -Iscanner $(WARN) $(FUZZ_FLAGS) -o $@ $(CORE_SRC) $(SAMPLE_SRC) tests/fuzz/fuzz_sample.c

# The dump reader: scanner/kdump*.c and libkdumpfile under the fuzzer, over
# dumps of a stand-in vmlinux (tests/fuzz/minikernel.c, linked at the
# kernel's address; nothing of it runs).
FUZZ_DUMP_SECONDS ?= 90
MINIKERNEL_FLAGS := -g -O0 -ffreestanding -fno-pic -no-pie -nostdlib -static \
	-mcmodel=kernel -fno-toplevel-reorder -fno-asynchronous-unwind-tables \
	-Wl,-Ttext-segment=0xffffffff81000000 -Wl,--build-id=sha1 -Wl,-e,_stext

build/fuzz/minikernel: tests/fuzz/minikernel.c
	@mkdir -p $(FUZZ_B)
	cc $(MINIKERNEL_FLAGS) -o $@ $<

build/fuzz/minikernel.btf: build/fuzz/minikernel
	pahole --btf_encode_detached=$@ $<

$(FUZZ_B)/fuzz-dump: $(CORE_SRC) $(DUMP_SRC) tests/fuzz/fuzz_dump.c $(HDRS)
	@mkdir -p $(FUZZ_B)
	clang -std=gnu11 -Isrc -Isample -Iscanner $(WARN) $(FUZZ_FLAGS) -o $@ $(CORE_SRC) $(DUMP_SRC) \
		tests/fuzz/fuzz_dump.c $(KDUMP_LIBS)

# the kallsyms and BTF decoders of klpscan --no-debuginfo
FUZZ_DECODERS_SECONDS ?= 30

$(FUZZ_B)/fuzz-decoders: scanner/kdump-kallsyms.c scanner/kdump-btf.c scanner/namemap.c tests/fuzz/fuzz_decoders.c $(HDRS)
	@mkdir -p $(FUZZ_B)
	clang -std=gnu11 -Isrc -Isample -Iscanner $(WARN) $(FUZZ_FLAGS) -o $@ scanner/kdump-kallsyms.c scanner/kdump-btf.c scanner/namemap.c \
		tests/fuzz/fuzz_decoders.c $(BPF_LIBS)

FUZZ_DUMP_SELF_SECONDS ?= 30

fuzz: $(FUZZ_B)/fuzz-sample $(FUZZ_B)/fuzz-dump $(FUZZ_B)/minikernel $(FUZZ_B)/fuzz-decoders \
      $(MINIKERNEL_BTF)
	sh tests/fuzz/run.sh $(FUZZ_B)/fuzz-sample $(FUZZ_SECONDS)
	sh tests/fuzz/run-dump.sh $(FUZZ_B)/fuzz-dump $(FUZZ_B)/minikernel $(FUZZ_DUMP_SECONDS)
	sh tests/fuzz/run-decoders.sh $(FUZZ_B)/fuzz-decoders $(FUZZ_DECODERS_SECONDS)
	$(if $(MINIKERNEL_BTF),sh tests/fuzz/run-dump-self.sh $(FUZZ_B)/fuzz-dump $(FUZZ_B)/minikernel \
		$(MINIKERNEL_BTF) $(FUZZ_DUMP_SELF_SECONDS))

check-e2e: all
	sh tests/e2e/run.sh

# the Debian package builds, is lintian-clean and holds what it should
check-package:
	sh tests/package.sh

check-all: check fuzz check-package check-e2e

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 klpscan $(DESTDIR)$(BINDIR)/klpscan
	install -m 0644 doc/klpscan.1 $(DESTDIR)$(MANDIR)/man1/klpscan.1
	install -m 0644 doc/klpstack.8 $(DESTDIR)$(MANDIR)/man8/klpstack.8
	if [ -f "$(KLPSTACK_SO)" ]; then \
		install -d $(DESTDIR)$(CRASH_EXTDIR) && \
		install -m 0644 $(KLPSTACK_SO) $(DESTDIR)$(CRASH_EXTDIR)/klpstack.so; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/klpscan $(DESTDIR)$(MANDIR)/man1/klpscan.1 \
	      $(DESTDIR)$(MANDIR)/man8/klpstack.8 $(DESTDIR)$(CRASH_EXTDIR)/klpstack.so

clean:
	rm -rf build klpscan klpstack.so

FORCE:

# headers each object included (-MMD)
-include $(shell find build -name '*.d' 2>/dev/null)

.PHONY: all check fuzz check-package check-e2e check-all install uninstall clean FORCE
