/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Livepatch triage: read the patches and the transition from the dump
 * and decide, task by task, what klp_try_switch_task() would say
 * (kernel/livepatch/transition.c; doc/kernel-rules.md §11).
 */
#ifndef KLPSTACK_LIVEPATCH_H
#define KLPSTACK_LIVEPATCH_H

#include "klpstack.h"

#define KS_KLP_MAX_PATCHES 64
#define KS_KLP_MAX_FUNCS 4096
#define KS_KLP_NAME_LEN 128

/* Which code a transition check compares a task's stack with. */
enum ks_klp_origin {
	KS_KLP_ORIG,		/* the original function (first patch) */
	KS_KLP_PREV_PATCH,	/* the previous patch's replacement (stacked) */
	KS_KLP_NEW,		/* this patch's replacement (unpatching) */
	KS_KLP_WHATIF,		/* a function named by the user (-f) */
};

struct ks_klp_func {
	char old_name[KS_KLP_NAME_LEN];
	char object[KS_KLP_NAME_LEN];	/* "vmlinux" or the module */
	kaddr_t addr;			/* the klp_func itself, 0 for what-if */
	kaddr_t old_func, new_func;
	uint64_t old_size, new_size;
	int object_patched;
	/* the range klp_check_stack_func() would compare with */
	kaddr_t start, end;
	enum ks_klp_origin origin;
};

struct ks_klp_patch {
	char name[KS_KLP_NAME_LEN];
	kaddr_t addr;
	int enabled;
	int first_func, nfuncs;		/* into ks_klp_state.funcs */
};

struct ks_klp_state {
	int supported;			/* the kernel has CONFIG_LIVEPATCH */
	int target_state;		/* -1 idle, 0 unpatched, 1 patched */
	kaddr_t transition_addr;	/* klp_transition_patch, 0 = none */
	int transition;			/* index into patches, -1 = none */
	int tif_patch_pending_bit;
	/* task_struct.patch_state and thread_info.flags (within task_struct),
	 * -1 when unknown: looked up once, read for every task */
	long off_patch_state;
	long off_ti_flags;
	struct ks_klp_patch patches[KS_KLP_MAX_PATCHES];
	int npatches;
	struct ks_klp_func *funcs;
	int nfuncs;
};

enum ks_klp_task_state {
	KS_KLP_SWITCHED,	/* patch_state == target: done */
	KS_KLP_RUNNING,		/* "is running" */
	KS_KLP_UNRELIABLE,	/* "has an unreliable stack" */
	KS_KLP_SLEEPING_ON,	/* "is sleeping on function F" */
	KS_KLP_WOULD_SWITCH,	/* pending, but the next try would switch it */
	KS_KLP_NO_TRANSITION,	/* no transition in progress (what-if: clear) */
	KS_KLP_ERROR,		/* the dump does not tell */
};

struct ks_klp_task {
	enum ks_klp_task_state state;
	int patch_state;		/* task->patch_state */
	int pending;			/* TIF_PATCH_PENDING */
	int func;			/* index into funcs when SLEEPING_ON */
	int frame;			/* frame index that matched */
};

/* Read the livepatch state.  0 ok (also when the kernel has no
 * livepatch: supported = 0), -1 with err on a broken structure. */
int ks_klp_read(struct ks_kernel *k, struct ks_klp_state *st, char *err,
		size_t errlen);
/* What-if: replace the functions to check by these names ("func",
 * "module:func", "func,sympos").  0 ok, -1 with err naming a function
 * that does not exist. */
int ks_klp_whatif(struct ks_kernel *k, struct ks_klp_state *st,
		  const char *const *names, int n, char *err, size_t errlen);
void ks_klp_free(struct ks_klp_state *st);

/* Decide one task from its walk (res).  whatif: ignore patch_state and
 * check the functions of the what-if list. */
void ks_klp_check_task(struct ks_kernel *k, const struct ks_klp_state *st,
		       const struct ks_result *res, int whatif,
		       struct ks_klp_task *out);
const char *ks_klp_task_state_name(enum ks_klp_task_state s);
const char *ks_klp_origin_name(enum ks_klp_origin o);

/* The transition report: one begin, one call per task, one end.  Text
 * lists the pending tasks with the kernel's reason and the blockers
 * grouped by reason and function, most common first; JSON (schema
 * klpstack-livepatch/1) gives the same per task. */
#define KS_KLP_GROUP_PIDS 8
struct ks_klp_group {
	enum ks_klp_task_state state;
	int func;			/* -1 when not SLEEPING_ON */
	int count;
	int pids[KS_KLP_GROUP_PIDS];
};

struct ks_klp_report {
	FILE *out;
	int json;
	int verbose;
	int whatif;
	int ntasks;
	int counts[KS_KLP_ERROR + 1];
	struct ks_klp_group *groups;
	int ngroups;
	const struct ks_klp_state *st;
};

void ks_klp_report_begin(struct ks_klp_report *r, struct ks_kernel *k,
			 const struct ks_klp_state *st);
void ks_klp_report_task(struct ks_klp_report *r, const struct ks_result *res,
			const struct ks_klp_task *kt);
void ks_klp_report_end(struct ks_klp_report *r);

/* Does a task in this state block the transition (one answer for every
 * report and front end)? */
int ks_klp_blocks(enum ks_klp_task_state s);

#endif
