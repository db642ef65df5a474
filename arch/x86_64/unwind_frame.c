/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame-pointer unwinder (CONFIG_UNWINDER_FRAME_POINTER), after
 * arch/x86/kernel/unwind_frame.c: follow the rbp chain, where entry
 * code stores an encoded pt_regs pointer instead of a frame pointer.
 */
#include <stdio.h>
#include <string.h>
#include "x86_64.h"

#define WORD 8
#define FRAME_HEADER_SIZE (2 * WORD)
/* GCC_REALIGN_WORDS on x86_64 */
#define GCC_REALIGN_WORDS 1

/*
 * decode_frame_pointer(): is this "frame pointer" an encoded pt_regs
 * pointer (ENCODE_FRAME_POINTER in the entry code)?
 *   4.9: the MSB cleared, decoded by setting it again ("x86/entry/
 *        unwind: Create stack frames for saved interrupt registers");
 *   4.10+: the LSB set ("leaq 1(%rsp), %rbp"), decoded by clearing it
 *        (x86_32 kept the MSB form).
 * The switching commit was not identified: the kernel copies read show
 * the MSB form with 4.9's single last-frame check and the LSB form with
 * the GCC-realign check that followed; 4.10 is the assumed boundary
 * (UNVERIFIED).
 */
static kaddr_t decode_frame_pointer(const struct ks_kernel *k, kaddr_t bp)
{
	const kaddr_t msb = (kaddr_t)1 << 63;

	if (k->version < KS_VERSION(4, 10, 0))
		return (bp & msb) ? 0 : (bp | msb);
	return (bp & 1) ? (bp & ~(kaddr_t)1) : 0;
}

/* task_pt_regs(): top of the task stack minus TOP_OF_KERNEL_STACK_PADDING
 * minus sizeof(pt_regs).  The padding is 0 on x86_64, two words with
 * CONFIG_X86_FRED (6.9, "x86/fred: Reserve space for the FRED stack
 * frame"; the FRED frame is two words longer): x86_probe() tells it from
 * the FRED entry code being in the image. */
static kaddr_t task_pt_regs(const struct x86_unwind_state *s)
{
	return s->stack_end - s->p->top_of_stack_padding - (kaddr_t)s->p->l.regs_size;
}

/* Do the stack words at a and b hold the same value?  Into *eq; off the
 * stack they do not. */
static int word_eq(struct x86_unwind_state *s, kaddr_t a, kaddr_t b, int *eq)
{
	uint64_t va, vb;

	*eq = 0;
	if (!x86_on_stack(s, a, WORD) || !x86_on_stack(s, b, WORD))
		return 0;
	if (x86_read_stack(s, a, &va) || x86_read_stack(s, b, &vb))
		return -1;
	*eq = va == vb;
	return 0;
}

/*
 * is_last_task_frame(): the outermost frame sits right below the
 * task's pt_regs (last_frame = task_pt_regs - 2 words), one word lower
 * when GCC realigned the stack in a function called from entry code
 * (same return address duplicated), or three words lower when an ftrace
 * handler of such a function is on the stack.  (4.9 knew only the
 * first; the realign variant came in 4.10, the ftrace one later.)
 * The answer goes to *last.
 */
static int is_last_task_frame(struct x86_unwind_state *s, int *last)
{
	kaddr_t last_bp = task_pt_regs(s) - FRAME_HEADER_SIZE;
	kaddr_t aligned = last_bp - GCC_REALIGN_WORDS * WORD;
	kaddr_t ftrace_bp = last_bp - 3 * WORD;
	int eq;

	*last = 0;
	if (s->regs)
		return 0;
	if (s->bp == last_bp) {
		*last = 1;
		return 0;
	}
	if (s->bp == aligned)
		return word_eq(s, aligned + WORD, last_bp + WORD, last);
	if (s->bp == ftrace_bp) {
		if (word_eq(s, s->bp, s->bp + 2 * WORD, &eq))
			return -1;
		if (eq)
			return word_eq(s, s->bp + WORD, s->bp + 4 * WORD, last);
	}
	return 0;
}

/* The frame next_bp points to, or the pt_regs it encodes; its size. */
static kaddr_t next_frame(const struct x86_unwind_state *s, kaddr_t next_bp,
			  kaddr_t *regs, uint64_t *len)
{
	*regs = decode_frame_pointer(s->k, next_bp);
	*len = *regs ? (uint64_t)s->p->l.regs_size : FRAME_HEADER_SIZE;
	return *regs ? *regs : next_bp;
}

/*
 * The checks of update_stack_state(), where the kernel returns false:
 * the next frame must lie on the task stack (the only valid one for a
 * task that is not current) and, after the first frame, "Make sure it
 * only unwinds up and doesn't overlap the prev frame".
 */
static int next_frame_ok(const struct x86_unwind_state *s, kaddr_t next_bp)
{
	kaddr_t regs, frame, prev_frame_end;
	uint64_t len;

	prev_frame_end = s->regs ? s->regs + (kaddr_t)s->p->l.regs_size
				 : s->bp + FRAME_HEADER_SIZE;
	frame = next_frame(s, next_bp, &regs, &len);
	if (!x86_on_stack(s, frame, len))
		return 0;
	return !s->orig_sp || frame >= prev_frame_end;
}

/*
 * The rest of update_stack_state(): move to the frame next_frame_ok()
 * accepted and read its return address (none for user-mode regs).
 */
static int update_stack_state(struct x86_unwind_state *s, kaddr_t next_bp)
{
	const struct x86_layout *l = &s->p->l;
	kaddr_t regs, frame, addr_p;
	uint64_t len, addr;
	int user = 0;

	frame = next_frame(s, next_bp, &regs, &len);
	s->regs = regs;
	s->bp = regs ? 0 : next_bp;
	s->labels = 0;
	if (s->regs && x86_regs_user_mode(s, s->regs, &user))
		return -1;
	if (user) {
		s->ip = s->raw_ip = 0;
		s->slot = 0;
	} else {
		addr_p = s->regs ? s->regs + (kaddr_t)l->r_ip : s->bp + WORD;
		if (x86_read_stack(s, addr_p, &addr))
			return -1;
		s->raw_ip = addr;
		s->slot = addr_p;
		s->ip = x86_recover_ret_addr(s, addr, addr_p);
	}
	if (!s->orig_sp)
		s->orig_sp = frame;
	s->sp = s->regs ? s->regs : s->bp + FRAME_HEADER_SIZE;
	return 0;
}

/* A start the kernel walks from no frame at all: it is done, an empty
 * and reliable trace.  Strict mode says FP_BAD_ADDRESS instead, because
 * nothing was checked. */
static void bad_start(struct x86_unwind_state *s, const char *what,
		      kaddr_t addr)
{
	s->done = 1;
	if (s->w->mode == KS_MODE_STRICT)
		x86_unwind_fail(s, KS_RULE_FP_BAD_ADDRESS,
				"%s %#llx is not on the task stack", what,
				(unsigned long long)addr);
}

/*
 * __unwind_start() for a task that is not current: bp =
 * get_frame_pointer() = &inactive_task_frame->bp; early copies returned
 * the saved bp value instead, which starts one frame out and leaves
 * __schedule out ("x86/unwind: Include __schedule() in stack traces",
 * early 2017; 4.11 is the assumed boundary, UNVERIFIED).
 * The kernel's first_frame skipping and state->next_bp (set only when
 * starting from regs with ip 0, a call through NULL) serve walks of
 * current or from given regs, never a blocked task: not modelled.
 */
void x86_fp_unwind_start(struct x86_unwind_state *s, struct ks_walk *w)
{
	const struct x86_layout *l = &s->p->l;
	kaddr_t ksp = w->task->ksp;
	kaddr_t bp = ksp + (kaddr_t)l->itf_bp;
	uint64_t v;

	if (w->k->version < KS_VERSION(4, 11, 0)) {
		/* the kernel reads frame->bp wherever thread.sp points; we
		 * read only what is on the task stack */
		if (!x86_on_stack(s, bp, WORD)) {
			bad_start(s, "thread.sp", ksp);
			return;
		}
		if (x86_read_stack(s, bp, &v))
			return;
		bp = v;
	}
	if (!next_frame_ok(s, bp))
		bad_start(s, "first frame", bp);
	else
		update_stack_state(s, bp);
}

/* The last frame (is_last_task_frame()): kthreads end at copy_thread()'s
 * kernel-mode regs; for user tasks the syscall regs, which entry code
 * does not encode, are one more frame. */
static int task_regs_frame(struct x86_unwind_state *s)
{
	kaddr_t regs = task_pt_regs(s);
	int user;

	if (x86_regs_user_mode(s, regs, &user))
		return -1;
	if (!user)
		return x86_unwind_end(s);
	s->regs = regs;
	s->bp = 0;
	s->ip = s->raw_ip = 0;
	s->slot = 0;
	s->labels = 0;
	return 0;
}

/* 1: moved to the previous frame; 0: not moved, done -- x86_unwind_error()
 * says whether on an error. */
int x86_fp_unwind_next(struct x86_unwind_state *s)
{
	kaddr_t next_bp;
	uint64_t v;
	int last;

	if (x86_unwind_done(s) || x86_unwind_user_regs_end(s) ||
	    is_last_task_frame(s, &last))
		return 0;
	if (last)
		return task_regs_frame(s) == 0;

	/* Get the next frame pointer (pt_regs->bp, else the saved bp). */
	if (x86_read_stack(s, s->regs ? s->regs + (kaddr_t)s->p->l.r_bp : s->bp, &v))
		return 0;
	next_bp = v;
	if (!next_frame_ok(s, next_bp)) {
		/* FP_BAD_ADDRESS: "kernel stack frame pointer ... has bad
		 * value" -- state->error (bad_address). */
		x86_unwind_fail(s, KS_RULE_FP_BAD_ADDRESS,
				"%s at %#llx has bad frame pointer %#llx",
				s->regs ? "pt_regs" : "frame",
				(unsigned long long)(s->regs ? s->regs : s->bp),
				(unsigned long long)next_bp);
		return 0;
	}
	return update_stack_state(s, next_bp) == 0;
}
