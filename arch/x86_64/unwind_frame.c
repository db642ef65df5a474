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

/* 0 no / 1 yes / -1 dump error */
static int word_eq(struct x86_unwind_state *s, kaddr_t a, kaddr_t b)
{
	uint64_t va, vb;

	if (!x86_on_stack(s, a, WORD) || !x86_on_stack(s, b, WORD))
		return 0;
	if (x86_read_stack(s, a, &va) || x86_read_stack(s, b, &vb))
		return -1;
	return va == vb;
}

/*
 * is_last_task_frame(): the outermost frame sits right below the
 * task's pt_regs (last_frame = task_pt_regs - 2 words), one word lower
 * when GCC realigned the stack in a function called from entry code
 * (same return address duplicated), or three words lower when an ftrace
 * handler of such a function is on the stack.  (4.9 knew only the
 * first; the realign variant came in 4.10, the ftrace one later.)
 */
static int is_last_task_frame(struct x86_unwind_state *s)
{
	kaddr_t last = task_pt_regs(s) - FRAME_HEADER_SIZE;
	kaddr_t aligned = last - GCC_REALIGN_WORDS * WORD;
	kaddr_t ftrace_bp = last - 3 * WORD;
	int a, b;

	if (s->regs)
		return 0;
	if (s->bp == last)
		return 1;
	if (s->bp == aligned) {
		a = word_eq(s, aligned + WORD, last + WORD);
		if (a)
			return a;
	}
	if (s->bp == ftrace_bp) {
		a = word_eq(s, s->bp, s->bp + 2 * WORD);
		if (a <= 0)
			return a;
		b = word_eq(s, s->bp + WORD, s->bp + 4 * WORD);
		return b;
	}
	return 0;
}

/*
 * update_stack_state(): move to next_bp if it is a frame (or pt_regs) on
 * the task stack, above the end of the current frame.  0 ok, -1 bad
 * address (the rule), -2 dump error.
 */
static int update_stack_state(struct x86_unwind_state *s, kaddr_t next_bp)
{
	const struct x86_layout *l = &s->p->l;
	kaddr_t regs, frame, prev_frame_end, addr_p;
	uint64_t len, addr;
	int user = 0;

	prev_frame_end = s->regs ? s->regs + (kaddr_t)l->regs_size
				 : s->bp + FRAME_HEADER_SIZE;
	regs = decode_frame_pointer(s->k, next_bp);
	if (regs) {
		frame = regs;
		len = (uint64_t)l->regs_size;
	} else {
		frame = next_bp;
		len = FRAME_HEADER_SIZE;
	}
	/* Only the task stack is valid for a task that is not current. */
	if (!x86_on_stack(s, frame, len))
		return -1;
	/* "Make sure it only unwinds up and doesn't overlap the prev frame" */
	if (s->orig_sp && frame < prev_frame_end)
		return -1;
	if (regs) {
		s->regs = regs;
		s->bp = 0;
	} else {
		s->bp = next_bp;
		s->regs = 0;
	}
	s->labels = 0;
	if (s->regs && (x86_regs_user_mode(s, s->regs, &user) || user)) {
		if (!user)
			return -2;
		s->ip = s->raw_ip = 0;
		s->slot = 0;
	} else {
		addr_p = s->regs ? s->regs + (kaddr_t)l->r_ip : s->bp + WORD;
		if (x86_read_stack(s, addr_p, &addr))
			return -2;
		s->raw_ip = addr;
		s->slot = addr_p;
		s->ip = x86_recover_ret_addr(s, addr, addr_p);
	}
	if (!s->orig_sp)
		s->orig_sp = frame;
	s->sp = s->regs ? s->regs : s->bp + FRAME_HEADER_SIZE;
	return 0;
}

/*
 * __unwind_start() for a task that is not current: bp =
 * get_frame_pointer() = &inactive_task_frame->bp; early copies returned
 * the saved bp value instead, which starts one frame out and leaves
 * __schedule out ("x86/unwind: Include __schedule() in stack traces",
 * early 2017; 4.11 is the assumed boundary, UNVERIFIED).
 * A start frame off the stack leaves the state "done" without error:
 * the kernel then reports an empty, reliable trace.  Strict mode says
 * FP_BAD_ADDRESS instead, because nothing was checked.
 */
void x86_fp_unwind_start(struct x86_unwind_state *s, struct ks_walk *w)
{
	const struct x86_layout *l = &s->p->l;
	kaddr_t ksp = w->task->ksp;
	kaddr_t bp = ksp + (kaddr_t)l->itf_bp;
	uint64_t v;
	int r;

	if (w->k->version < KS_VERSION(4, 11, 0)) {
		/* the kernel reads frame->bp wherever thread.sp points; we
		 * read only what is on the task stack */
		if (!x86_on_stack(s, bp, WORD)) {
			s->done = 1;
			if (w->mode == KS_MODE_STRICT)
				x86_unwind_fail(s, KS_RULE_FP_BAD_ADDRESS,
						"thread.sp %#llx is not on the task stack",
						(unsigned long long)ksp);
			return;
		}
		if (x86_read_stack(s, bp, &v))
			return;
		bp = v;
	}
	r = update_stack_state(s, bp);
	if (r == -2)
		return;
	if (r == -1) {
		s->done = 1;
		if (w->mode == KS_MODE_STRICT)
			x86_unwind_fail(s, KS_RULE_FP_BAD_ADDRESS,
					"first frame %#llx is not on the task stack",
					(unsigned long long)bp);
	}
}

int x86_fp_unwind_next(struct x86_unwind_state *s)
{
	const struct x86_layout *l = &s->p->l;
	kaddr_t next_bp;
	uint64_t v;
	int user, r;

	if (x86_unwind_done(s))
		return 0;

	/* Have we reached the end? */
	if (s->regs) {
		if (x86_regs_user_mode(s, s->regs, &user))
			return 0;
		if (user) {
			s->done = 1;
			return 0;
		}
	}

	r = is_last_task_frame(s);
	if (r < 0)
		return 0;
	if (r) {
		kaddr_t regs = task_pt_regs(s);

		/* kthreads: copy_thread()'s kernel-mode regs end the walk;
		 * user tasks: the syscall regs, which entry code does not
		 * encode, are the last frame. */
		if (x86_regs_user_mode(s, regs, &user))
			return 0;
		if (!user) {
			s->done = 1;
			return 0;
		}
		s->regs = regs;
		s->bp = 0;
		s->ip = s->raw_ip = 0;
		s->slot = 0;
		s->labels = 0;
		return 1;
	}

	if (s->next_bp) {
		next_bp = s->next_bp;
		s->next_bp = 0;
	} else if (s->regs) {
		if (x86_read_stack(s, s->regs + (kaddr_t)l->r_bp, &v))
			return 0;
		next_bp = v;
	} else {
		if (x86_read_stack(s, s->bp, &v))
			return 0;
		next_bp = v;
	}

	r = update_stack_state(s, next_bp);
	if (r == -2)
		return 0;
	if (r == -1) {
		/* FP_BAD_ADDRESS: "kernel stack frame pointer ... has bad
		 * value" -- state->error (bad_address). */
		x86_unwind_fail(s, KS_RULE_FP_BAD_ADDRESS,
				"%s at %#llx has bad frame pointer %#llx",
				s->regs ? "pt_regs" : "frame",
				(unsigned long long)(s->regs ? s->regs : s->bp),
				(unsigned long long)next_bp);
		return 0;
	}
	return 1;
}
