/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pre-baked stacks: a small text format (samples/README.md) that
 * describes a kernel image (arch, version, symbols, types, memory) and
 * tasks with their expected verdicts.  The loader is a ks_target.
 */
#ifndef KLPSTACK_SAMPLE_H
#define KLPSTACK_SAMPLE_H

#include "klpstack.h"

#define KS_SAMPLE_MAX_TASKS 64
#define KS_SAMPLE_MAX_EXPECT_FRAMES 128

struct ks_sample_expect {
	int has_verdict[2];		/* per mode: kernel, strict */
	enum ks_verdict verdict[2];
	enum ks_rule rule[2];		/* KS_RULE_COUNT = not given */
	int frame[2];			/* -2 = not given */
	/* per mode: kernel, strict */
	int nframes[2];			/* -1 = frames not given */
	char *frames[2][KS_SAMPLE_MAX_EXPECT_FRAMES];
	int has_labels[2];
	unsigned labels[2][KS_SAMPLE_MAX_EXPECT_FRAMES];
	/* livepatch triage ("expect-klp STATE [func=NAME] [frame=N]
	 * [pending=0|1]") */
	int has_klp;
	char klp_state[32];
	char klp_func[128];
	int klp_frame;			/* -2 = not given */
	int klp_pending;		/* TIF_PATCH_PENDING, -1 = not given */
};

struct ks_sample_task {
	struct ks_task task;
	struct ks_sample_expect expect;
	int line;
};

struct ks_sample;

/* Parse a sample from memory (the fuzzer's entry) or a file.  NULL on
 * error with "file:line: message" in err. */
struct ks_sample *ks_sample_parse(const char *text, size_t len,
				  const char *name, char *err, size_t errlen);
struct ks_sample *ks_sample_load(const char *path, char *err, size_t errlen);
void ks_sample_free(struct ks_sample *s);

const struct ks_target *ks_sample_target(struct ks_sample *s);
int ks_sample_ntasks(const struct ks_sample *s);
const struct ks_sample_task *ks_sample_task(const struct ks_sample *s, int i);

/* Compare a result with the task's expectation for res->mode.  Returns 0
 * when it matches (or nothing was expected), else -1 with a message. */
int ks_sample_check(const struct ks_sample_task *st,
		    const struct ks_result *res, char *msg, size_t len);

/* Livepatch expectations: the what-if list ("whatif FUNC...", empty
 * when the sample checks a real transition) and the check of one task's
 * triage.  klp_state is the name ks_klp_task_state_name() gives, with
 * spaces as '-' ("sleeping-on-function"). */
int ks_sample_whatif(const struct ks_sample *s, const char *const **names);
struct ks_klp_state;
struct ks_klp_task;
int ks_sample_check_klp(const struct ks_sample_task *st,
			const struct ks_klp_state *klp,
			const struct ks_klp_task *kt, char *msg, size_t len);

/* Run every task of the sample in both modes and compare with its
 * expectations (verdicts, frames, labels and livepatch triage); print
 * "FAIL ..." lines (and "ok ..." when verbose) to out and count. */
void ks_sample_run_check(struct ks_sample *s, struct ks_kernel *k,
			 const char *path, FILE *out, int verbose,
			 int *passed, int *failed);

/* An architecture's own sample directives (arch/<arch>/sample.c; in the
 * test builds only, as the whole loader). */
struct ks_sample_arch {
	enum ks_arch_id id;
	/* A directive the core does not know (e.g. x86_64 "orc"), kw = first
	 * word, argv = the rest.  Returns 0 handled, 1 not an arch directive,
	 * -1 error with a message. */
	int (*directive)(void *loader, const char *kw, char **argv, int argc,
			 char *err, size_t errlen);
	/* After the last line: turn the arch state into memory/symbols and
	 * free it.  0 ok, -1 with a message. */
	int (*finish)(void *loader, char *err, size_t errlen);
};

extern const struct ks_sample_arch ks_sample_x86_64;

/* For arch sample directives (struct ks_sample_arch.directive). */
int ks_sample_add_memory(void *loader, kaddr_t addr, const void *bytes,
			 size_t len);
int ks_sample_add_symbol(void *loader, const char *name, kaddr_t addr,
			 uint64_t size, int is_text, const char *module);
/* Arch scratch pointer kept in the loader.  The arch's sample_finish()
 * turns it into memory and symbols, frees it and sets it to NULL; it is
 * also called on a failed parse, only to free the state. */
void **ks_sample_arch_state(void *loader);
/* Parse a number in C syntax (0x.., decimal, negative). 0 ok, -1 bad. */
int ks_sample_number(const char *s, int64_t *out);

#endif
