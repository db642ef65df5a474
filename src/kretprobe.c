/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kretprobes and rethooks: the real return address behind the
 * trampoline, as kretprobe_find_ret_addr() (5.11+, kernel/kprobes.c) and
 * rethook_find_ret_addr() (5.18+, kernel/trace/rethook.c) find it, and
 * the <= 5.10 global kretprobe_inst_table (doc/kernel-rules.md §6).
 */
#include "core.h"

/* A task can hold only so many instances (maxactive is per probe, a
 * few dozen by default); a longer list is a loop or garbage. */
#define MAX_INSTANCES 4096
/* <= 5.10: KPROBE_TABLE_SIZE = 1 << KPROBE_HASH_BITS (6). */
#define KPROBE_TABLE_SIZE 64
/* TASK_RUNNING == 0 in every version. */
#define TASK_RUNNING 0

int ks_is_kretprobe_trampoline(const struct ks_kernel *k, kaddr_t ip)
{
	return ip && (ip == k->kretprobe_trampoline ||
		      ip == k->rethook_trampoline);
}

/* Walk an llist (5.11+ task lists) from *cur's successor (or the head):
 * skip nested instances whose ret_addr is itself a trampoline, stop at
 * the first real one.  Repeat until its fp/frame equals key. */
static kaddr_t find_in_task_list(struct ks_walk *w, kaddr_t key, int *found)
{
	const struct ks_kernel *k = w->k;
	uint64_t node;
	int n = 0;

	if (w->kr_cur) {
		if (ks_read_u64(k, w->kr_cur, &node))
			return 0;
	} else if (ks_read_u64(k, w->task->task + k->off_task_kr, &node)) {
		return 0;
	}
	for (; node && n < MAX_INSTANCES; n++) {
		uint64_t ret, fp;
		if (ks_read_u64(k, node + k->kri_ret_addr, &ret) ||
		    ks_read_u64(k, node + k->kri_fp, &fp))
			return 0;
		if (!ks_is_kretprobe_trampoline(k, ret)) {
			w->kr_cur = node;
			/* s390 records ri->fp (r15 at entry) only from 5.18
			 * (09bc20c8fb35); before, pair newest-first like
			 * the hash table. */
			if (fp == key || (k->arch->id == KS_ARCH_S390X &&
					  k->version < KS_VERSION(5, 18, 0))) {
				*found = 1;
				return ret;
			}
		}
		if (ks_read_u64(k, node, &node))	/* llist_node.next */
			return 0;
	}
	return 0;
}

/* <= 5.10: the kernel never recovered; for labelling, find the task's
 * instances in the hash table (newest first within a bucket) and take
 * the one whose fp is the key, else the next one in order. */
static kaddr_t find_in_hash_table(struct ks_walk *w, kaddr_t key, int *found)
{
	const struct ks_kernel *k = w->k;
	kaddr_t next_in_order = 0;
	int seen = 0, n = 0;

	for (int b = 0; b < KPROBE_TABLE_SIZE; b++) {
		uint64_t node;
		if (ks_read_u64(k, k->kretprobe_inst_table + (kaddr_t)b * 8, &node))
			return 0;
		for (; node && n < MAX_INSTANCES; n++) {
			uint64_t task, ret, fp;
			if (ks_read_u64(k, node + k->kri_task, &task) ||
			    ks_read_u64(k, node + k->kri_ret_addr, &ret) ||
			    ks_read_u64(k, node + k->kri_fp, &fp))
				return 0;
			if (task == w->task->task &&
			    !ks_is_kretprobe_trampoline(k, ret)) {
				if (fp == key) {
					*found = 1;
					return ret;
				}
				/* kr_cur counts instances already paired */
				if (seen++ == (int)w->kr_cur && !next_in_order)
					next_in_order = ret;
			}
			if (ks_read_u64(k, node, &node))	/* hlist_node.next */
				return 0;
		}
	}
	if (next_in_order) {
		w->kr_cur++;
		*found = 1;
	}
	return next_in_order;
}

kaddr_t ks_kretprobe_ret_addr(struct ks_walk *w, kaddr_t ip, kaddr_t key,
			      int *found)
{
	const struct ks_kernel *k = w->k;
	kaddr_t ret = 0;

	*found = 0;
	if (!ks_is_kretprobe_trampoline(k, ip))
		return ip;
	switch (k->kretprobe) {
	case KS_KRETPROBE_RETHOOK:
		/* rethook_find_ret_addr() refuses a task that is not current
		 * and TASK_RUNNING (preempted): the kernel gets 0 there. */
		if (w->mode == KS_MODE_KERNEL && w->task->state == TASK_RUNNING)
			return ip;
		ret = find_in_task_list(w, key, found);
		break;
	case KS_KRETPROBE_TASK_LIST:
		ret = find_in_task_list(w, key, found);
		break;
	case KS_KRETPROBE_HASH_TABLE:
		ret = find_in_hash_table(w, key, found);
		break;
	case KS_KRETPROBE_NONE:
		break;
	}
	return *found ? ret : ip;
}

kaddr_t ks_recover_ret_addr(struct ks_walk *w, kaddr_t ip, kaddr_t key,
			    unsigned *labels)
{
	int found;
	kaddr_t r;

	/* unwind_recover_ret_addr(): fgraph first, then the kretprobe /
	 * rethook trampoline the graph entry may have hidden. */
	if (ip && ip == w->k->return_to_handler) {
		r = ks_fgraph_ret_addr(w, ip, key, &found);
		if (!found) {
			*labels |= KS_LABEL(FTRACE_GRAPH_UNRECOVERED);
			return ip;
		}
		*labels |= KS_LABEL(FTRACE_GRAPH);
		ip = r;
	}
	if (ks_is_kretprobe_trampoline(w->k, ip)) {
		r = ks_kretprobe_ret_addr(w, ip, key, &found);
		if (!found) {
			*labels |= KS_LABEL(KRETPROBE_UNRECOVERED);
			return ip;
		}
		*labels |= KS_LABEL(KRETPROBE);
		ip = r;
		/* The kretprobe was armed after the graph tracer hijacked the
		 * same slot: its instance saved return_to_handler.  The
		 * kernel's order (fgraph first) leaves it there, hiding the
		 * caller; strict mode looks it up as well. */
		if (ip && ip == w->k->return_to_handler) {
			if (w->mode != KS_MODE_STRICT) {
				*labels |= KS_LABEL(FTRACE_GRAPH_UNRECOVERED);
				return ip;
			}
			r = ks_fgraph_ret_addr(w, ip, key, &found);
			*labels |= found ? KS_LABEL(FTRACE_GRAPH) :
					   KS_LABEL(FTRACE_GRAPH_UNRECOVERED);
			if (found)
				ip = r;
		}
	}
	return ip;
}
