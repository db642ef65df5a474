/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpstack core: walk kernel task stacks with the kernel's reliable
 * rules (arch_stack_walk_reliable), recover the callers hidden behind
 * ftrace-graph and kretprobe trampolines, label every frame and give
 * every task a verdict.  Front-ends (crash extension, klpscan) supply a
 * struct ks_target and print struct ks_result through report.c.
 */
#ifndef KLPSTACK_H
#define KLPSTACK_H

#include <stdio.h>
#include "target.h"
#include "rules.h"

#define KS_VERSION(a, b, c) (((uint32_t)(a) << 16) | ((uint32_t)(b) << 8) | \
			     ((c) > 255 ? 255u : (uint32_t)(c)))

enum ks_mode {
	KS_MODE_KERNEL,	/* what that kernel's reliable walker would conclude */
	KS_MODE_STRICT,	/* the truth: hidden callers make a stack unreliable */
};

enum ks_verdict {
	KS_VERDICT_RELIABLE,
	KS_VERDICT_UNRELIABLE,
	KS_VERDICT_RUNNING,	/* on a CPU at dump time: the kernel says -EBUSY */
	KS_VERDICT_NO_STACK,	/* no stack (exited task): reliably empty */
	KS_VERDICT_ERROR,	/* the dump does not hold what the walk needs */
};

/* Frame labels (bit set). */
#define KS_LABELS(X)                                                          \
	X(FTRACE_GRAPH, "ftrace-graph")                                       \
	X(FTRACE_GRAPH_UNRECOVERED, "ftrace-graph-unrecovered")               \
	X(KRETPROBE, "kretprobe")                                             \
	X(KRETPROBE_UNRECOVERED, "kretprobe-unrecovered")                     \
	X(PREEMPTED, "preempted")                                             \
	X(EXCEPTION, "exception")                                             \
	X(INTERRUPTED, "interrupted")                                         \
	X(USER_ENTRY, "user-entry")                                           \
	X(KTHREAD_START, "kthread-start")

enum ks_label_bit {
#define KS_LABEL_BIT(name, str) KS_LABEL_BIT_##name,
	KS_LABELS(KS_LABEL_BIT)
#undef KS_LABEL_BIT
	KS_LABEL_COUNT
};
#define KS_LABEL(name) (1u << KS_LABEL_BIT_##name)

const char *ks_label_name(unsigned bit);
/* Parse "ftrace-graph" -> bit number; -1 if unknown. */
int ks_label_parse(const char *s);

#define KS_COMM_LEN 16
#define KS_SYM_LEN 128
#define KS_MOD_LEN 64
#define KS_MSG_LEN 192
/* klpstack's own bound on a walk; the kernel's is 100 (TOO_DEEP). */
#define KS_MAX_FRAMES 256

/* Task facts, read from task_struct by tasks.c or given by a target. */
struct ks_task {
	kaddr_t task;
	int pid;
	int tgid;
	char comm[KS_COMM_LEN + 1];
	uint64_t flags;		/* PF_* */
	uint64_t state;		/* __state / state */
	kaddr_t stack;		/* task->stack, 0 = none */
	uint64_t stack_size;	/* THREAD_SIZE */
	kaddr_t ksp;		/* x86_64 thread.sp, s390x thread.ksp */
	int on_cpu;		/* running on a CPU at dump time */
	int cpu;		/* -1 when unknown */
	int is_idle;		/* a CPU's idle task (pid 0) */
};

#define KS_PF_KTHREAD 0x00200000u
#define KS_PF_IDLE 0x00000002u

struct ks_frame {
	kaddr_t ip;	/* as /proc/PID/stack lists it (recovered caller) */
	kaddr_t raw_ip;	/* what the stack held (a trampoline if hijacked) */
	kaddr_t sp;	/* the frame's stack pointer */
	kaddr_t slot;	/* where raw_ip was read, 0 for a register */
	kaddr_t regs;	/* pt_regs the ip came from, 0 if none */
	unsigned labels;
	char symbol[KS_SYM_LEN];	/* "" when unknown */
	uint64_t offset;
	char module[KS_MOD_LEN];	/* "" for vmlinux */
};

struct ks_result {
	struct ks_task task;
	enum ks_mode mode;
	enum ks_verdict verdict;
	enum ks_rule rule;	/* KS_RULE_NONE when reliable */
	int rule_frame;		/* frame index the rule failed at, -1 if none */
	char message[KS_MSG_LEN];
	int nframes;
	int truncated;		/* stopped at KS_MAX_FRAMES */
	struct ks_frame frames[KS_MAX_FRAMES];
};

struct ks_kernel;

/* Probe the target: arch, version, unwinder, layouts.  NULL on failure
 * with a message in err. */
struct ks_kernel *ks_kernel_open(const struct ks_target *t, char *err,
				 size_t errlen);
void ks_kernel_close(struct ks_kernel *k);
uint32_t ks_kernel_version(const struct ks_kernel *k);
/* The kernel's own module list (read from memory, whatever the target
 * knows): module i, or the one whose core or init text holds addr.
 * 0 with its name and struct module address, -1 when there is none. */
int ks_kernel_module(const struct ks_kernel *k, int i, const char **name, kaddr_t *module);
int ks_kernel_module_at(const struct ks_kernel *k, kaddr_t addr, const char **name,
			kaddr_t *module);
/* What went wrong reading modules so far: the module list unreadable, or
 * the first module whose symbols are not (they are read on first need).
 * 1 with the message in buf, 0 when nothing did. */
int ks_kernel_modules_warning(const struct ks_kernel *k, char *buf, size_t len);
/* Upstream version from linux_banner for release (Debian, Ubuntu); 0
 * when the banner does not tell. */
uint32_t ks_version_from_banner(const char *banner, const char *release);
const char *ks_kernel_release(const struct ks_kernel *k);
const char *ks_kernel_arch_name(const struct ks_kernel *k);
const char *ks_kernel_unwinder_name(const struct ks_kernel *k);

/* Read a task's facts from its task_struct.  0 ok, -1 with err. */
int ks_task_read(struct ks_kernel *k, kaddr_t task, struct ks_task *out,
		 char *err, size_t errlen);

/* Call cb for every task: each CPU's idle task, then every thread of
 * every thread group from init_task.tasks.  Bounded; a broken list ends
 * the walk with -1 and a message, after the tasks found so far. */
typedef int (*ks_task_cb)(void *arg, kaddr_t task);
int ks_task_foreach(struct ks_kernel *k, ks_task_cb cb, void *arg,
		    char *err, size_t errlen);
/* The same, with the kernel's own cross-checks: every possible CPU's
 * idle task readable and distinct, no task met twice, the count against
 * nr_threads.  A disagreement that loses or doubles tasks is an error
 * (-1, err) after every task found was reported; a small one (a fork
 * caught mid-way) goes to warn ("" when none). */
int ks_task_foreach_checked(struct ks_kernel *k, ks_task_cb cb, void *arg,
			    char *warn, size_t warnlen, char *err, size_t errlen);

/* Walk one task and give it a verdict.  Never fails: problems become
 * the ERROR verdict with a message. */
void ks_walk_task(struct ks_kernel *k, const struct ks_task *t,
		  enum ks_mode mode, struct ks_result *out);

/* The result of a task whose task_struct could not be read (msg says
 * why): verdict error, rule DUMP_UNREADABLE, pid and tgid unknown (-1),
 * so one bad task neither stops a scan nor goes unnoticed. */
void ks_walk_task_unreadable(struct ks_result *out, kaddr_t task,
			     enum ks_mode mode, const char *msg);

const char *ks_verdict_name(enum ks_verdict v);
const char *ks_mode_name(enum ks_mode m);
int ks_mode_parse(const char *s, enum ks_mode *out);

/* Reports (report.c). */
struct ks_report {
	FILE *out;
	int json;
	int verbose;	/* text: list frames */
	int ntasks;	/* json: tasks written so far (comma handling) */
	int counts[5];	/* per verdict */
};
void ks_report_begin(struct ks_report *r, struct ks_kernel *k, enum ks_mode m);
void ks_report_task(struct ks_report *r, const struct ks_result *res);
void ks_report_end(struct ks_report *r);
/* Write s as a JSON string (quotes, escapes; bytes outside printable
 * ASCII as \u00XX). */
void ks_json_string(FILE *out, const char *s);
/* Format one frame like /proc/PID/stack: "sym+0x1c/0x30 [mod]". */
void ks_format_frame(const struct ks_frame *f, char *buf, size_t len);

#endif
