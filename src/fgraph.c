/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Function-graph tracer: the real return address behind a
 * return_to_handler slot, as ftrace_graph_ret_addr() finds it
 * (kernel/trace/fgraph.c; doc/kernel-rules.md §5).
 */
#include "core.h"

/* <= 6.10: struct ftrace_ret_stack ret_stack[FTRACE_RETFUNC_DEPTH]. */
#define FTRACE_RETFUNC_DEPTH 50
/* Kernels with set_graph_notrace (4.x) stored curr_ret_stack offset by
 * -FTRACE_NOTRACE_DEPTH while inside a notrace function. */
#define FTRACE_NOTRACE_DEPTH 65536

/* >= 6.11: SHADOW_STACK_SIZE 4096 bytes of unsigned long; each word's
 * bits 0-9 give the distance back to the frame's start. */
#define SHADOW_STACK_WORDS (4096 / 8)
#define FGRAPH_FRAME_OFFSET_MASK 0x3ffu

struct fgraph_task {
	kaddr_t ret_stack;
	int64_t curr;
};

static int read_task_fgraph(struct ks_walk *w, struct fgraph_task *ft)
{
	const struct ks_kernel *k = w->k;
	uint64_t rs;
	uint32_t curr;

	if (ks_read_u64(k, w->task->task + k->off_ret_stack, &rs) ||
	    ks_read_u32(k, w->task->task + k->off_curr_ret_stack, &curr))
		return -1;
	ft->ret_stack = rs;
	ft->curr = (int32_t)curr;
	return 0;
}

/* <= 6.10 with HAVE_FUNCTION_GRAPH_RET_ADDR_PTR: scan entries 0..curr for
 * the one whose retp is the slot (x86) / frame (s390) being unwound. */
static kaddr_t ret_addr_struct_array(struct ks_walk *w,
				     const struct fgraph_task *ft,
				     kaddr_t ip, kaddr_t key, int *found)
{
	const struct ks_kernel *k = w->k;
	int64_t curr = ft->curr;

	if (k->frs_retp < 0 || k->frs_size <= 0)
		return ip;
	if (curr < -1)
		curr += FTRACE_NOTRACE_DEPTH;
	if (curr >= FTRACE_RETFUNC_DEPTH)
		curr = FTRACE_RETFUNC_DEPTH - 1;
	for (int64_t i = 0; i <= curr; i++) {
		kaddr_t e = ft->ret_stack + (kaddr_t)i * (kaddr_t)k->frs_size;
		uint64_t retp, ret;
		if (ks_read_u64(k, e + k->frs_retp, &retp) ||
		    ks_read_u64(k, e + k->frs_ret, &ret))
			return ip;
		if (retp == key) {
			*found = 1;
			return ret;
		}
	}
	return ip;
}

/* >= 6.11: walk the frames from the cursor (or the top) down; the first
 * frame whose retp matches and whose ret is not itself return_to_handler
 * (tail calls push extra frames) wins, and the cursor stays there. */
static kaddr_t ret_addr_word_array(struct ks_walk *w,
				   const struct fgraph_task *ft,
				   kaddr_t ip, kaddr_t key, int *found)
{
	const struct ks_kernel *k = w->k;
	long off = w->graph_idx_valid && w->graph_idx > 0 ?
		w->graph_idx : (long)ft->curr;

	if (k->frs_retp < 0)
		return ip;
	if (off > SHADOW_STACK_WORDS)
		off = SHADOW_STACK_WORDS;
	for (int steps = 0; off > 0 && steps < SHADOW_STACK_WORDS; steps++) {
		uint64_t word, ret, retp;
		long back;
		kaddr_t frame;

		if (ks_read_u64(k, ft->ret_stack + (kaddr_t)(off - 1) * 8, &word))
			return ip;
		back = (long)(word & FGRAPH_FRAME_OFFSET_MASK);
		if (back <= 0 || back > off - 1)
			return ip;	/* corrupt: get_ret_stack() gives up too */
		off = off - 1 - back;
		frame = ft->ret_stack + (kaddr_t)off * 8;
		if (ks_read_u64(k, frame + k->frs_retp, &retp) ||
		    ks_read_u64(k, frame + k->frs_ret, &ret))
			return ip;
		if (retp == key && ret != k->return_to_handler) {
			w->graph_idx = off;
			w->graph_idx_valid = 1;
			*found = 1;
			return ret;
		}
	}
	return ip;
}

kaddr_t ks_fgraph_ret_addr(struct ks_walk *w, kaddr_t ip, kaddr_t key,
			   int *found)
{
	struct fgraph_task ft;

	*found = 0;
	if (!ip || ip != w->k->return_to_handler)
		return ip;
	if (w->k->fgraph == KS_FGRAPH_NONE || read_task_fgraph(w, &ft) ||
	    !ft.ret_stack)
		return ip;
	if (w->k->fgraph == KS_FGRAPH_WORD_ARRAY)
		return ret_addr_word_array(w, &ft, ip, key, found);
	return ret_addr_struct_array(w, &ft, ip, key, found);
}
