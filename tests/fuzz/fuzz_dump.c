/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: arbitrary bytes as a dump file (kdump-compressed or
 * ELF; seeds from tests/mkkdump.py over tests/fuzz/minikernel.c), opened
 * the way klpscan opens one -- the container checks, libkdumpfile, the
 * vmlinux -- and, when it opens, the kernel probe, the task lists with
 * their cross-checks, every task's walk in both modes, the reports and
 * the livepatch state.  Every input must end in a result or a clear
 * error: a crash, a sanitizer report or a timeout is a finding.
 *
 * The vmlinux is the minikernel: KLPSTACK_FUZZ_VMLINUX, or
 * build/fuzz/minikernel (make fuzz builds it).  With
 * KLPSTACK_FUZZ_NO_DEBUGINFO set there is none: symbols and types come
 * from the dump's own kallsyms and BTF (klpscan --no-debuginfo;
 * tests/fuzz/run-dump-self.sh).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kdump.h"
#include "klpstack.h"
#include "livepatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk_all {
	struct ks_kernel *k;
	struct ks_result *res;
	struct ks_report *rep[2];
	long n;
};

static int walk_one(void *arg, kaddr_t task)
{
	struct walk_all *w = arg;
	struct ks_task t;
	char err[256];

	/* a mutated list can be long: the walk is bounded, the fuzzer's
	 * time is not */
	if (++w->n > 64)
		return 1;
	if (ks_task_read(w->k, task, &t, err, sizeof(err)))
		return 0;
	for (int m = 0; m < 2; m++) {
		ks_walk_task(w->k, &t, (enum ks_mode)m, w->res);
		ks_report_task(w->rep[m], w->res);
	}
	return 0;
}

static int write_all(int fd, const uint8_t *data, size_t size)
{
	while (size) {
		ssize_t n = write(fd, data, size);
		if (n <= 0)
			return -1;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static const char *vmlinux;
	static int no_debuginfo;
	struct ks_dump_opts o = { 0 };
	char path[64], err[1024], warn[512];
	struct ks_dump *d;
	struct ks_kernel *k;
	int fd;

	if (!sink) {
		sink = fopen("/dev/null", "w");
		vmlinux = getenv("KLPSTACK_FUZZ_VMLINUX");
		if (!vmlinux)
			vmlinux = "build/fuzz/minikernel";
		no_debuginfo = getenv("KLPSTACK_FUZZ_NO_DEBUGINFO") != NULL;
	}
	fd = memfd_create("klpstack-fuzz-dump", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write_all(fd, data, size)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (no_debuginfo)
		o.no_debuginfo = 1;
	else
		o.vmlinux = vmlinux;
	d = ks_dump_open(path, &o, err, sizeof(err));
	if (d) {
		k = ks_kernel_open(ks_dump_target(d), err, sizeof(err));
		if (k) {
			struct ks_report r0 = { .out = sink, .json = 0, .verbose = 1 };
			struct ks_report r1 = { .out = sink, .json = 1, .verbose = 1 };
			struct walk_all w = { .k = k, .rep = { &r0, &r1 } };
			struct ks_klp_state klp;

			w.res = malloc(sizeof(*w.res));
			if (w.res) {
				ks_report_begin(&r0, k, KS_MODE_KERNEL);
				ks_report_begin(&r1, k, KS_MODE_STRICT);
				ks_task_foreach_checked(k, walk_one, &w, warn, sizeof(warn), err,
							sizeof(err));
				ks_report_end(&r0);
				ks_report_end(&r1);
				free(w.res);
			}
			ks_klp_read(k, &klp, err, sizeof(err));
			ks_klp_free(&klp);
			ks_kernel_close(k);
		}
		ks_dump_close(d);
	}
	close(fd);
	return 0;
}
