/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tasks straight from the kernel's own lists: every CPU's idle task
 * (rq->idle), then init_task.tasks (thread-group leaders) and each
 * group's threads.  crash's task table is not trusted: crash 8.0.2
 * mis-sizes struct pid on kernels >= 6.1.112 and sees only active tasks.
 */
#include <stdio.h>
#include <string.h>
#include "core.h"

/* No real system has this many tasks; a longer walk is a loop. */
#define MAX_TASKS (4 * 1024 * 1024)
#define MAX_CPUS 8192

static int read_int(const struct ks_kernel *k, kaddr_t addr, long size,
		    uint64_t *v)
{
	uint32_t u32;
	uint16_t u16;
	unsigned char u8;

	switch (size) {
	case 8:
		return ks_read_u64(k, addr, v);
	case 4:
		if (ks_read_u32(k, addr, &u32))
			return -1;
		*v = u32;
		return 0;
	case 2:
		if (ks_read_u16(k, addr, &u16))
			return -1;
		*v = u16;
		return 0;
	case 1:
		if (ks_read(k, addr, &u8, 1))
			return -1;
		*v = u8;
		return 0;
	}
	return -1;
}

int ks_task_read(struct ks_kernel *k, kaddr_t task, struct ks_task *out,
		 char *err, size_t errlen)
{
	const struct ks_task_layout *ts = &k->ts;
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
	if (ks_read_u32(k, task + ts->pid, &u)) {
		snprintf(err, errlen, "task %#llx: task_struct is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->pid = (int32_t)u;
	out->tgid = out->pid;
	if (ts->tgid >= 0 && ks_read_u32(k, task + ts->tgid, &u) == 0)
		out->tgid = (int32_t)u;
	if (ks_read(k, task + ts->comm, out->comm, KS_COMM_LEN)) {
		snprintf(err, errlen, "task %#llx: comm is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->comm[KS_COMM_LEN] = 0;
	for (char *c = out->comm; *c; c++)	/* keep reports one line */
		if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
			*c = '?';
	if (ts->flags >= 0 && ks_read_u32(k, task + ts->flags, &u) == 0)
		out->flags = u;
	if (ts->state >= 0 && read_int(k, task + ts->state, ts->state_size, &v) == 0)
		out->state = v;
	if (ks_read_u64(k, task + ts->stack, &v)) {
		snprintf(err, errlen, "task %#llx: task->stack is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->stack = v;
	if (ks_read_u64(k, task + ts->thread + ts->ksp, &v)) {
		snprintf(err, errlen, "task %#llx: saved stack pointer is not readable",
			 (unsigned long long)task);
		return -1;
	}
	out->ksp = v;
	if (ts->on_cpu >= 0 && read_int(k, task + ts->on_cpu, ts->on_cpu_size, &v) == 0)
		out->on_cpu = v != 0;
	if (ts->cpu >= 0 && ks_read_u32(k, task + ts->cpu, &u) == 0)
		out->cpu = (int32_t)u;
	else if (ts->thread_info_cpu >= 0 &&
		 ks_read_u32(k, task + ts->thread_info_cpu, &u) == 0)
		out->cpu = (int32_t)u;
	out->is_idle = out->pid == 0;
	return 0;
}

struct foreach_ctx {
	struct ks_kernel *k;
	ks_task_cb cb;
	void *arg;
	long budget;
	kaddr_t idle[64];	/* idle tasks already reported */
	int nidle;
	char *err;
	size_t errlen;
};

static int visit_thread(void *arg, kaddr_t task)
{
	struct foreach_ctx *c = arg;
	for (int i = 0; i < c->nidle; i++)
		if (c->idle[i] == task)
			return 0;
	return c->cb(c->arg, task);
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
		return ks_list_foreach(k, sig + k->ts.signal_thread_head,
				 k->ts.thread_node, visit_thread, c,
				 &c->budget, c->err, c->errlen);
	}
	if (k->ts.thread_group >= 0) {
		int rc = visit_thread(c, leader);
		if (rc)
			return rc;
		return ks_list_foreach(k, leader + k->ts.thread_group,
				 k->ts.thread_group, visit_thread, c,
				 &c->budget, c->err, c->errlen);
	}
	return visit_thread(c, leader);
}

/* Each CPU's idle task from runqueues (per-CPU) -> rq.idle. */
static int visit_idle_tasks(struct foreach_ctx *c)
{
	struct ks_kernel *k = c->k;
	kaddr_t rq = ks_symbol(k, "runqueues");
	kaddr_t offsets = ks_symbol(k, "__per_cpu_offset");
	kaddr_t nr_sym = ks_symbol(k, "nr_cpu_ids");
	uint32_t nr = 1;

	if (!rq || !offsets || k->ts.rq_idle < 0)
		return 0;
	if (nr_sym && ks_read_u32(k, nr_sym, &nr))
		nr = 1;
	if (nr > MAX_CPUS)
		nr = MAX_CPUS;
	for (uint32_t cpu = 0; cpu < nr; cpu++) {
		uint64_t off, idle;
		if (ks_read_u64(k, offsets + (kaddr_t)cpu * 8, &off) ||
		    ks_read_u64(k, rq + off + k->ts.rq_idle, &idle) || !idle)
			continue;
		if (c->nidle < (int)(sizeof(c->idle) / sizeof(c->idle[0])))
			c->idle[c->nidle++] = idle;
		int rc = c->cb(c->arg, idle);
		if (rc)
			return rc;
	}
	return 0;
}

int ks_task_foreach(struct ks_kernel *k, ks_task_cb cb, void *arg,
		    char *err, size_t errlen)
{
	struct foreach_ctx c = {
		.k = k, .cb = cb, .arg = arg, .budget = MAX_TASKS,
		.err = err, .errlen = errlen,
	};
	kaddr_t init_task = ks_symbol(k, "init_task");
	int rc;

	if (!init_task || k->ts.tasks < 0) {
		snprintf(err, errlen, "init_task or task_struct.tasks is unknown");
		return -1;
	}
	rc = visit_idle_tasks(&c);
	if (rc)
		return rc < 0 ? -1 : 0;
	/* init_task is CPU 0's idle task: report it if rq->idle did not. */
	rc = visit_thread(&c, init_task);
	if (rc)
		return rc < 0 ? -1 : 0;
	rc = ks_list_foreach(k, init_task + k->ts.tasks, k->ts.tasks, visit_group,
		       &c, &c.budget, err, errlen);
	return rc < 0 ? -1 : 0;
}
