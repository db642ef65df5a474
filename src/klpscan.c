/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpscan: the standalone front-end of the klpstack core.  It runs the
 * core on pre-baked stacks (the .sample files) and on dumps.
 *
 * Exit status: 0 every task reliable (or running / without a stack),
 * 1 some task unreliable, 2 an input could not be read or a task's walk
 * hit missing dump memory, 64 usage.  With --check: 0 when every task
 * matched its expectation, 1 otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "klpstack.h"
#include "sample.h"

#define EXIT_UNRELIABLE 1
#define EXIT_ERROR 2
#define EXIT_USAGE 64

struct options {
	int json;
	int verbose;
	int check;
	int both_modes;
	enum ks_mode mode;
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: klpscan [options] SAMPLE...\n"
"\n"
"Walk every task's kernel stack with the kernel's reliable rules and give\n"
"each task a verdict: reliable, unreliable (with the rule that failed),\n"
"running, no-stack or error.\n"
"\n"
"  -m, --mode kernel|strict  kernel: what that kernel would conclude (default);\n"
"                            strict: hidden callers make a stack unreliable\n"
"  -v, --verbose             list every frame with its labels\n"
"      --json                one JSON object (schema klpstack/1) per input\n"
"      --check               compare with the expectations in the samples\n"
"                            (both modes); print 'N passed, N failed'\n"
"  -h, --help                this text\n"
"\n"
"Exit status: 0 all reliable, 1 some task unreliable, 2 an input or a\n"
"task could not be read, 64 bad usage.  See klpscan(1).\n");
}

static int run_sample(const char *path, const struct options *o,
		      int *passed, int *failed)
{
	char err[512];
	struct ks_sample *s = ks_sample_load(path, err, sizeof(err));
	struct ks_kernel *k;
	struct ks_result *res;
	int rc = 0;

	if (!s) {
		fprintf(stderr, "klpscan: %s\n", err);
		if (o->check)
			(*failed)++;
		return EXIT_ERROR;
	}
	k = ks_kernel_open(ks_sample_target(s), err, sizeof(err));
	if (!k) {
		fprintf(stderr, "klpscan: %s: %s\n", path, err);
		ks_sample_free(s);
		if (o->check)
			(*failed)++;
		return EXIT_ERROR;
	}
	res = malloc(sizeof(*res));
	if (!res) {
		fprintf(stderr, "klpscan: out of memory\n");
		ks_kernel_close(k);
		ks_sample_free(s);
		return EXIT_ERROR;
	}
	if (o->check) {
		for (int i = 0; i < ks_sample_ntasks(s); i++) {
			const struct ks_sample_task *st = ks_sample_task(s, i);
			for (int m = 0; m < 2; m++) {
				char msg[512];
				ks_walk_task(k, &st->task, (enum ks_mode)m, res);
				if (ks_sample_check(st, res, msg, sizeof(msg))) {
					printf("FAIL %s: task %d (line %d), %s mode: %s\n",
					       path, st->task.pid, st->line,
					       ks_mode_name((enum ks_mode)m), msg);
					(*failed)++;
				} else {
					if (o->verbose)
						printf("ok   %s: task %d, %s mode\n", path,
						       st->task.pid,
						       ks_mode_name((enum ks_mode)m));
					(*passed)++;
				}
			}
		}
	} else {
		struct ks_report r = { .out = stdout, .json = o->json,
				       .verbose = o->verbose };
		if (!o->json)
			printf("== %s\n", path);
		ks_report_begin(&r, k, o->mode);
		for (int i = 0; i < ks_sample_ntasks(s); i++) {
			ks_walk_task(k, &ks_sample_task(s, i)->task, o->mode, res);
			ks_report_task(&r, res);
			if (res->verdict == KS_VERDICT_ERROR)
				rc = EXIT_ERROR;
			else if (res->verdict == KS_VERDICT_UNRELIABLE && rc == 0)
				rc = EXIT_UNRELIABLE;
		}
		ks_report_end(&r);
	}
	free(res);
	ks_kernel_close(k);
	ks_sample_free(s);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'J' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .mode = KS_MODE_KERNEL };
	int c, rc = 0, passed = 0, failed = 0;

	while ((c = getopt_long(argc, argv, "m:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (ks_mode_parse(optarg, &o.mode)) {
				fprintf(stderr, "klpscan: unknown mode '%s' (kernel or strict)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'J':
			o.json = 1;
			break;
		case 'C':
			o.check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		int r = run_sample(argv[i], &o, &passed, &failed);
		if (r > rc)
			rc = r;
	}
	if (o.check) {
		printf("samples: %d passed, %d failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	return rc;
}
