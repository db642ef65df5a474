/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: arbitrary bytes through the sample loader, and every
 * sample that loads through the kernel probe, every unwinder (both
 * modes) and both report formats.  Each input must end in a verdict or
 * a clear error: a crash, a sanitizer report or a timeout is a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include "klpstack.h"
#include "sample.h"
#include "livepatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_task(void *arg, kaddr_t task)
{
	(void)task;
	++*(long *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char err[512];
	struct ks_sample *s;
	struct ks_kernel *k;
	struct ks_result *res;

	if (!sink)
		sink = fopen("/dev/null", "w");
	s = ks_sample_parse((const char *)data, size, "fuzz", err, sizeof(err));
	if (!s)
		return 0;
	k = ks_kernel_open(ks_sample_target(s), err, sizeof(err));
	if (!k) {
		ks_sample_free(s);
		return 0;
	}
	res = malloc(sizeof(*res));
	struct ks_klp_state klp;
	int have_klp = ks_klp_read(k, &klp, err, sizeof(err)) == 0;
	if (res) {
		for (int m = 0; m < 2; m++) {
			struct ks_report r = { .out = sink, .json = m, .verbose = 1 };
			ks_report_begin(&r, k, (enum ks_mode)m);
			for (int i = 0; i < ks_sample_ntasks(s); i++) {
				const struct ks_sample_task *st = ks_sample_task(s, i);
				char msg[256];
				ks_walk_task(k, &st->task, (enum ks_mode)m, res);
				ks_sample_check(st, res, msg, sizeof(msg));
				ks_report_task(&r, res);
				if (have_klp) {
					struct ks_klp_task kt;
					struct ks_klp_report kr = { .out = sink, .json = m };
					ks_klp_check_task(k, &klp, res, 0, &kt);
					ks_klp_report_begin(&kr, k, &klp);
					ks_klp_report_task(&kr, res, &kt);
					ks_klp_report_end(&kr);
				}
			}
			ks_report_end(&r);
		}
		free(res);
	}
	ks_klp_free(&klp);
	{
		/* the kernel's own task lists, with their cross-checks */
		char warn[256];
		long n = 0;
		ks_task_foreach_checked(k, count_task, &n, warn, sizeof(warn), err, sizeof(err));
	}
	ks_kernel_close(k);
	ks_sample_free(s);
	return 0;
}
