/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tasks straight from the kernel's own lists: every CPU's idle task
 * (rq->idle), then init_task.tasks (thread-group leaders) and each
 * group's threads.  crash's task table is not trusted: crash 8.0.2
 * mis-sizes struct pid on kernels >= 6.1.112 and sees only active tasks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"

/* No real system has this many tasks; a longer walk is a loop. */
#define MAX_TASKS (4 * 1024 * 1024)
#define MAX_CPUS 8192

/*
 * A task_struct's fields, read in one go: the span from the first field
 * ks_task_read() wants to the last is one read of the dump (a few pages)
 * instead of one for every field, each through the dump's address
 * translation.  A span the dump does not hold whole is read field by
 * field, as before, so that each field fails or not on its own.
 */
#define TASK_SPAN_MAX 16384

struct task_span {
	const struct ks_kernel *k;
	kaddr_t task;
	long lo, hi;		/* offsets held in buf, hi = lo: none */
	unsigned char buf[TASK_SPAN_MAX];
};

static void span_want(long *lo, long *hi, long off, long len)
{
	if (off < 0 || len <= 0)
		return;
	if (*hi <= *lo) {
		*lo = off;
		*hi = off + len;
		return;
	}
	if (off < *lo)
		*lo = off;
	if (off + len > *hi)
		*hi = off + len;
}

static void span_load(struct task_span *sp, const struct ks_kernel *k, kaddr_t task)
{
	const struct ks_task_layout *ts = &k->ts;
	long lo = 0, hi = 0;

	sp->k = k;
	sp->task = task;
	span_want(&lo, &hi, ts->pid, 4);
	span_want(&lo, &hi, ts->tgid, 4);
	span_want(&lo, &hi, ts->comm, KS_COMM_LEN);
	span_want(&lo, &hi, ts->flags, 4);
	span_want(&lo, &hi, ts->state, ts->state_size);
	span_want(&lo, &hi, ts->stack, 8);
	if (ts->thread >= 0 && ts->ksp >= 0)
		span_want(&lo, &hi, ts->thread + ts->ksp, 8);
	span_want(&lo, &hi, ts->on_cpu, ts->on_cpu_size);
	span_want(&lo, &hi, ts->cpu, 4);
	span_want(&lo, &hi, ts->thread_info_cpu, 4);
	if (hi - lo <= 0 || hi - lo > TASK_SPAN_MAX ||
	    ks_read(k, task + (kaddr_t)lo, sp->buf, (size_t)(hi - lo)))
		lo = hi = 0;
	sp->lo = lo;
	sp->hi = hi;
}

static int span_read(const struct task_span *sp, long off, void *dst, size_t len)
{
	if (sp->hi > sp->lo && off >= sp->lo && off + (long)len <= sp->hi) {
		memcpy(dst, sp->buf + (off - sp->lo), len);
		return 0;
	}
	return ks_read(sp->k, sp->task + (kaddr_t)off, dst, len);
}

static int span_u32(const struct task_span *sp, long off, uint32_t *v)
{
	unsigned char b[4];

	if (span_read(sp, off, b, sizeof(b)))
		return -1;
	*v = ks_get_u32(sp->k, b);
	return 0;
}

static int span_u64(const struct task_span *sp, long off, uint64_t *v)
{
	unsigned char b[8];

	if (span_read(sp, off, b, sizeof(b)))
		return -1;
	*v = ks_get_u64(sp->k, b);
	return 0;
}

static int span_int(const struct task_span *sp, long off, long size, uint64_t *v)
{
	unsigned char b[8];

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -1;
	if (span_read(sp, off, b, (size_t)size))
		return -1;
	switch (size) {
	case 8:
		*v = ks_get_u64(sp->k, b);
		break;
	case 4:
		*v = ks_get_u32(sp->k, b);
		break;
	case 2:
		*v = ks_get_u16(sp->k, b);
		break;
	default:
		*v = b[0];
	}
	return 0;
}

int ks_task_read(struct ks_kernel *k, kaddr_t task, struct ks_task *out,
		 char *err, size_t errlen)
{
	const struct ks_task_layout *ts = &k->ts;
	struct task_span sp;
	uint64_t v;
	uint32_t u;

	memset(out, 0, sizeof(*out));
	out->task = task;
	out->cpu = -1;
	out->stack_size = k->thread_size;
	if (ts->pid < 0 || ts->comm < 0 || ts->stack < 0 || ts->thread < 0 ||
	    ts->ksp < 0) {
		snprintf(err, errlen,
			 "type information for task_struct (pid, comm, stack, thread.%s) is missing",
			 k->arch->id == KS_ARCH_S390X ? "ksp" : "sp");
		return -1;
	}
	span_load(&sp, k, task);
	if (span_u32(&sp, ts->pid, &u)) {
		snprintf(err, errlen, "task %#llx: task_struct is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->pid = (int32_t)u;
	out->tgid = out->pid;
	if (ts->tgid >= 0 && span_u32(&sp, ts->tgid, &u) == 0)
		out->tgid = (int32_t)u;
	if (span_read(&sp, ts->comm, out->comm, KS_COMM_LEN)) {
		snprintf(err, errlen, "task %#llx: comm is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->comm[KS_COMM_LEN] = 0;
	for (char *c = out->comm; *c; c++)	/* keep reports one line */
		if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
			*c = '?';
	if (ts->flags >= 0 && span_u32(&sp, ts->flags, &u) == 0)
		out->flags = u;
	if (ts->state >= 0 && span_int(&sp, ts->state, ts->state_size, &v) == 0)
		out->state = v;
	if (span_u64(&sp, ts->stack, &v)) {
		snprintf(err, errlen, "task %#llx: task->stack is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->stack = v;
	if (span_u64(&sp, ts->thread + ts->ksp, &v)) {
		snprintf(err, errlen, "task %#llx: saved stack pointer is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->ksp = v;
	if (ts->on_cpu >= 0 && span_int(&sp, ts->on_cpu, ts->on_cpu_size, &v) == 0)
		out->on_cpu = v != 0;
	if (ts->cpu >= 0 && span_u32(&sp, ts->cpu, &u) == 0)
		out->cpu = (int32_t)u;
	else if (ts->thread_info_cpu >= 0 && span_u32(&sp, ts->thread_info_cpu, &u) == 0)
		out->cpu = (int32_t)u;
	out->is_idle = out->pid == 0;
	return 0;
}

/*
 * The tasks already reported, an open-addressing set: a damaged list
 * that comes back to a task (a loop not through its head) must not
 * report it twice, and the cycle check alone would let a loop run twice
 * around before it notices.
 */
struct task_set {
	kaddr_t *slot;
	size_t cap, n;
};

static int set_add(struct task_set *s, kaddr_t task)
{
	size_t i;

	if (!task)
		return 0;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		kaddr_t *g = calloc(cap, sizeof(*g));
		if (!g)
			return -1;
		for (size_t j = 0; j < s->cap; j++) {
			if (!s->slot[j])
				continue;
			for (i = (size_t)(s->slot[j] >> 6) * 0x9e3779b97f4a7c15ull % cap; g[i];
			     i = (i + 1) % cap)
				;
			g[i] = s->slot[j];
		}
		free(s->slot);
		s->slot = g;
		s->cap = cap;
	}
	for (i = (size_t)(task >> 6) * 0x9e3779b97f4a7c15ull % s->cap; s->slot[i];
	     i = (i + 1) % s->cap)
		if (s->slot[i] == task)
			return 1;	/* met before */
	s->slot[i] = task;
	s->n++;
	return 0;
}

struct idle_check {
	char *msg;		/* dump-level errors */
	size_t msglen;
	int errors;
	char *warn;
	size_t warnlen;
	int warnings;
};
static void note(char *buf, size_t len, int *count, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct foreach_ctx {
	struct idle_check *ic;	/* problems found on the way */
	struct ks_kernel *k;
	ks_task_cb cb;
	void *arg;
	long budget;
	struct task_set seen;
	int in_lists;		/* visiting init_task.tasks and the groups */
	long listed;		/* threads met there */
	int oom;
	char *err;
	size_t errlen;
};

static int visit_thread(void *arg, kaddr_t task)
{
	struct foreach_ctx *c = arg;
	int met = set_add(&c->seen, task);

	if (met < 0) {
		c->oom = 1;
		snprintf(c->err, c->errlen, "out of memory after %zu tasks", c->seen.n);
		return -1;
	}
	if (met) {
		/* idle tasks (init_task among them) are met again legitimately
		 * only outside the lists; in them a task met twice is a loop */
		if (!c->in_lists)
			return 0;
		snprintf(c->err, c->errlen, "task %#llx met twice: the task lists loop "
			 "(%ld threads listed before that)", (unsigned long long)task, c->listed);
		return -1;
	}
	if (c->in_lists)
		c->listed++;
	return c->cb(c->arg, task);
}

/* A group's broken thread list costs that group's other threads, not
 * the processes after it: noted, and the walk goes on (the budget still
 * bounds it).  Running out of memory or of budget stops it. */
static int threads_done(struct foreach_ctx *c, kaddr_t leader, int rc)
{
	if (rc >= 0 || c->oom || c->budget < 0)
		return rc;
	note(c->ic->msg, c->ic->msglen, &c->ic->errors, "threads of %#llx: %s",
	     (unsigned long long)leader, c->err);
	return 0;
}

static int visit_group(void *arg, kaddr_t leader)
{
	struct foreach_ctx *c = arg;
	struct ks_kernel *k = c->k;
	uint64_t sig;

	/* 6.6+ (and some backports): signal->thread_head / thread_node;
	 * before: the circular task->thread_group list through the
	 * leader. */
	if (k->ts.signal >= 0 && k->ts.signal_thread_head >= 0 &&
	    k->ts.thread_node >= 0) {
		if (ks_read_u64(k, leader + k->ts.signal, &sig) || !sig) {
			/* an exited leader keeps no signal_struct */
			return visit_thread(c, leader);
		}
		return threads_done(c, leader,
				    ks_list_foreach(k, sig + k->ts.signal_thread_head,
						    k->ts.thread_node, visit_thread, c,
						    &c->budget, c->err, c->errlen));
	}
	if (k->ts.thread_group >= 0) {
		int rc = visit_thread(c, leader);
		if (rc)
			return rc;
		return threads_done(c, leader,
				    ks_list_foreach(k, leader + k->ts.thread_group,
						    k->ts.thread_group, visit_thread, c,
						    &c->budget, c->err, c->errlen));
	}
	return visit_thread(c, leader);
}

/* Append one problem to a message buffer ("; " between them). */
static void note(char *buf, size_t len, int *count, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (!buf || !len)
		return;
	if ((*count)++ == 0)
		buf[0] = 0;
	used = strlen(buf);
	if (used && used + 2 < len) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}


#define MASK_WORDS (MAX_CPUS / 64)

/* A cpumask symbol (__cpu_possible_mask, __cpu_online_mask; 4.5+) as a
 * bitmap of nr CPUs; -1 when the kernel has none or it is unreadable. */
static int read_cpumask(struct ks_kernel *k, const char *name, uint32_t nr, uint64_t *bits)
{
	kaddr_t m = ks_symbol(k, name);

	if (!m)
		return -1;
	for (uint32_t w = 0; w < (nr + 63) / 64; w++)
		if (ks_read_u64(k, m + (kaddr_t)w * 8, &bits[w]))
			return -1;
	return 0;
}

/*
 * Each CPU's idle task from runqueues (per-CPU) -> rq.idle.  Every
 * possible CPU has one once SMP is up (idle_threads_init(), kernel/
 * smpboot.c, forks one for each possible CPU; the boot CPU's is
 * init_task): one that cannot be read is a task missing from the
 * report, never a silent skip.
 */
static int visit_idle_tasks(struct foreach_ctx *c, struct idle_check *ic)
{
	struct ks_kernel *k = c->k;
	kaddr_t rq = ks_symbol(k, "runqueues");
	kaddr_t offsets = ks_symbol(k, "__per_cpu_offset");
	kaddr_t nr_sym = ks_symbol(k, "nr_cpu_ids");
	uint32_t nr = 1;
	uint64_t possible[MASK_WORDS], online[MASK_WORDS];
	int have_possible, have_online;

	if (!rq || !offsets || k->ts.rq_idle < 0)
		return 0;
	if (nr_sym && ks_read_u32(k, nr_sym, &nr)) {
		note(ic->warn, ic->warnlen, &ic->warnings,
		     "nr_cpu_ids is not readable: only CPU 0's idle task is listed");
		nr = 1;
	}
	if (nr > MAX_CPUS || nr == 0) {
		note(ic->msg, ic->msglen, &ic->errors, "nr_cpu_ids is %u: not a CPU count", nr);
		nr = nr ? MAX_CPUS : 1;
	}
	have_possible = read_cpumask(k, "__cpu_possible_mask", nr, possible) == 0;
	have_online = read_cpumask(k, "__cpu_online_mask", nr, online) == 0;
	for (uint32_t cpu = 0; cpu < nr; cpu++) {
		uint64_t off, idle;
		int is_possible = !have_possible || (possible[cpu / 64] >> (cpu % 64) & 1);
		int is_online = have_online && (online[cpu / 64] >> (cpu % 64) & 1);
		int met, rc;

		if (!is_possible)
			continue;
		if (ks_read_u64(k, offsets + (kaddr_t)cpu * 8, &off)) {
			note(ic->msg, ic->msglen, &ic->errors,
			     "CPU %u: __per_cpu_offset is not readable: its idle task is missing", cpu);
			continue;
		}
		if (ks_read_u64(k, rq + off + k->ts.rq_idle, &idle)) {
			note(ic->msg, ic->msglen, &ic->errors,
			     "CPU %u: runqueue at %#llx (per-CPU offset %#llx) is not readable: its "
			     "idle task is missing", cpu, (unsigned long long)(rq + off),
			     (unsigned long long)off);
			continue;
		}
		if (!idle) {
			/* possible but never brought up before the dump */
			if (is_online)
				note(ic->msg, ic->msglen, &ic->errors,
				     "CPU %u is online but its runqueue has no idle task", cpu);
			else
				note(ic->warn, ic->warnlen, &ic->warnings,
				     "CPU %u: no idle task (never brought up?)", cpu);
			continue;
		}
		met = set_add(&c->seen, idle);
		if (met < 0) {
			snprintf(c->err, c->errlen, "out of memory");
			return -1;
		}
		if (met) {
			note(ic->msg, ic->msglen, &ic->errors,
			     "CPU %u: idle task %#llx is another CPU's too", cpu,
			     (unsigned long long)idle);
			continue;
		}
		rc = c->cb(c->arg, idle);
		if (rc)
			return rc;
	}
	return 0;
}

/* nr_threads (kernel/fork.c) counts what copy_process() put on the
 * lists and __unhash_process() took off, under tasklist_lock: the same
 * number as the lists hold, give or take a fork or exit caught in the
 * middle when the dump was taken. */
#define NR_THREADS_SLACK 2

static void check_nr_threads(struct foreach_ctx *c, struct idle_check *ic)
{
	kaddr_t sym = ks_symbol(c->k, "nr_threads");
	uint32_t nr;
	long diff;

	if (!sym)
		return;
	if (ks_read_u32(c->k, sym, &nr)) {
		note(ic->warn, ic->warnlen, &ic->warnings,
		     "nr_threads is not readable: the task count is not checked");
		return;
	}
	diff = c->listed - (long)(int32_t)nr;
	if (diff == 0)
		return;
	if (diff < -NR_THREADS_SLACK)
		note(ic->msg, ic->msglen, &ic->errors,
		     "the task lists hold %ld threads, nr_threads says %d: %ld tasks are missing "
		     "(damaged lists)", c->listed, (int32_t)nr, -diff);
	else if (diff > NR_THREADS_SLACK)
		note(ic->msg, ic->msglen, &ic->errors,
		     "the task lists hold %ld threads, nr_threads says only %d (damaged lists)",
		     c->listed, (int32_t)nr);
	else
		note(ic->warn, ic->warnlen, &ic->warnings,
		     "the task lists hold %ld threads, nr_threads says %d (a fork or exit in "
		     "progress at dump time?)", c->listed, (int32_t)nr);
}

int ks_task_foreach_checked(struct ks_kernel *k, ks_task_cb cb, void *arg,
			    char *warn, size_t warnlen, char *err, size_t errlen)
{
	char scratch[256] = "";
	struct idle_check ic = { .msg = err, .msglen = errlen, .warn = warn,
				 .warnlen = warnlen };
	struct foreach_ctx c = {
		.ic = &ic, .k = k, .cb = cb, .arg = arg, .budget = MAX_TASKS,
		.err = scratch, .errlen = sizeof(scratch),
	};
	kaddr_t init_task = ks_symbol(k, "init_task");
	int rc;

	if (warn && warnlen)
		warn[0] = 0;
	if (errlen)
		err[0] = 0;
	if (!init_task || k->ts.tasks < 0) {
		snprintf(err, errlen, "init_task or task_struct.tasks is unknown");
		return -1;
	}
	rc = visit_idle_tasks(&c, &ic);
	/* init_task is CPU 0's idle task: report it if rq->idle did not. */
	if (!rc)
		rc = visit_thread(&c, init_task);
	if (!rc) {
		c.in_lists = 1;
		rc = ks_list_foreach(k, init_task + k->ts.tasks, k->ts.tasks, visit_group,
				     &c, &c.budget, scratch, sizeof(scratch));
		c.in_lists = 0;
	}
	free(c.seen.slot);
	if (rc > 0)		/* the caller stopped the walk */
		return 0;
	if (rc < 0)
		note(err, errlen, &ic.errors, "%s", scratch);
	else		/* a count only means something for a whole walk */
		check_nr_threads(&c, &ic);
	return ic.errors ? -1 : 0;
}

int ks_task_foreach(struct ks_kernel *k, ks_task_cb cb, void *arg,
		    char *err, size_t errlen)
{
	return ks_task_foreach_checked(k, cb, arg, NULL, 0, err, errlen);
}
