/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch_stack_walk_reliable() for x86_64 (arch/x86/kernel/stacktrace.c;
 * save_stack_trace_tsk_reliable() before 5.2), driving the ORC or the
 * frame-pointer unwinder, plus the helpers both unwinders share.
 *
 * The kernel returns -EINVAL at the first failed check.  klpstack records
 * that first failure as the verdict and keeps walking as long as the
 * unwinder can, so the report lists every frame the unwinder finds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "x86_64.h"

/* ---- helpers shared by the unwinders ---- */

static int last_frame(const struct x86_unwind_state *s)
{
	return s->w->res->nframes - 1;
}

/* state->error = true, the first error kept (ks_unwind_error_vset). */
void x86_unwind_set_error(struct x86_unwind_state *s, enum ks_rule rule,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ks_unwind_error_vset(&s->err, rule, fmt, ap);
	va_end(ap);
}

/* The dump lacks memory the kernel would have read: stop, verdict ERROR. */
int x86_read_stack(struct x86_unwind_state *s, kaddr_t addr, uint64_t *val)
{
	if (ks_read_u64(s->k, addr, val) == 0)
		return 0;
	return x86_unwind_fail(s, KS_RULE_DUMP_UNREADABLE,
			       "stack word at %#llx is not in the dump",
			       (unsigned long long)addr);
}

/* user_mode(): x86_64 looks only at the RPL bits of cs. */
int x86_regs_user_mode(struct x86_unwind_state *s, kaddr_t regs, int *user)
{
	uint64_t cs;

	if (x86_read_stack(s, regs + (kaddr_t)s->p->l.r_cs, &cs))
		return -1;
	*user = (cs & 3) != 0;
	return 0;
}

/* "End-of-stack check for user tasks" (ORC, 4.18 "Do not unwind after
 * user regs"), "Have we reached the end?" (frame pointer): nothing is
 * unwound past user-mode regs. */
int x86_unwind_user_regs_end(struct x86_unwind_state *s)
{
	int user;

	if (!s->regs)
		return 0;
	if (x86_regs_user_mode(s, s->regs, &user))
		return -1;
	return user ? x86_unwind_end(s) : 0;
}

static void unwind_start(struct x86_unwind_state *s, struct ks_walk *w)
{
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->k = w->k;
	s->p = x86_priv(w->k);
	s->stack_begin = w->task->stack;
	s->stack_end = w->task->stack +
		(w->task->stack_size ? w->task->stack_size
				     : w->k->arch->default_thread_size);
	if (s->p->unwinder == X86_UNWINDER_ORC)
		x86_orc_unwind_start(s, w);
	else
		x86_fp_unwind_start(s, w);
}

static int unwind_next_frame(struct x86_unwind_state *s)
{
	if (s->p->unwinder == X86_UNWINDER_ORC)
		return x86_orc_unwind_next(s);
	return x86_fp_unwind_next(s);
}

/* ---- the reliable walk ---- */

/* unwind_error(): the kernel's walker returns -EINVAL at once -- its
 * loop ends on it, and "Check for stack corruption" after the loop.
 * klpstack reports it as soon as it is set and goes on showing what the
 * unwinder still finds (ORC's frame-pointer guess).  Asking again is
 * harmless: the walk keeps its first failure. */
static void unwind_error_rule(struct x86_unwind_state *s)
{
	if (x86_unwind_error(s))
		ks_walk_unwind_error(s->w, &s->err);
}

/* ORC_FORKED_TASK (unwind_orc.c, orc_forked_task_start()): a never-run
 * task this kernel looks up at ip - 1.  Kernel mode reports what that
 * kernel concluded, before any frame. */
static void orc_forked_task_rule(struct x86_unwind_state *s)
{
	if (!s->forked_ip_minus_1 || s->w->mode != KS_MODE_KERNEL)
		return;
	ks_walk_unreliable(s->w, KS_RULE_ORC_FORKED_TASK, 0,
			   "never-run task at %s: this kernel looks up ip-1 there",
			   s->forked_ip_minus_1);
}

/* FP_KERNEL_REGS: "Kernel mode registers on the stack indicate an
 * in-kernel interrupt or exception (e.g., preemption or a page fault),
 * which can make frame pointers unreliable" -- CONFIG_FRAME_POINTER
 * only; ORC unwinds through them since 4.18 ("Do not fail for ORC with
 * regs on stack"). */
static void fp_kernel_regs_rule(struct x86_unwind_state *s, int idx)
{
	ks_walk_unreliable(s->w, KS_RULE_FP_KERNEL_REGS, idx,
			   "kernel-mode pt_regs at %#llx (ip %#llx)",
			   (unsigned long long)s->regs,
			   (unsigned long long)s->ip);
}

/* 5.16+ recovery failed: kretprobe_find_ret_addr() /
 * rethook_find_ret_addr() return 0, unwind_get_return_address() gives 0
 * and the walk is -EINVAL.  (Before 5.16 the trampoline is text and the
 * kernel accepts it; strict mode flags that through the label.) */
static void kretprobe_trampoline_rule(struct x86_unwind_state *s, int idx)
{
	if (s->k->version < KS_VERSION(5, 16, 0) ||
	    !(s->labels & KS_LABEL(KRETPROBE_UNRECOVERED)))
		return;
	ks_walk_unreliable(s->w, KS_RULE_KRETPROBE_TRAMPOLINE, idx,
			   "%#llx: no kretprobe/rethook instance for slot %#llx, the kernel gets 0",
			   (unsigned long long)s->raw_ip,
			   (unsigned long long)s->slot);
}

/* NON_TEXT_RA: unwind_get_return_address() is 0 unless
 * __kernel_text_address(ip) -- "A NULL or invalid return address
 * probably means there's some generated code which
 * __kernel_text_address() doesn't know about." */
static void non_text_ra_rule(struct x86_unwind_state *s, int idx)
{
	if (ks_is_text(s->k, s->ip))
		return;
	ks_walk_unreliable(s->w, KS_RULE_NON_TEXT_RA, idx,
			   "return address %#llx is not kernel text",
			   (unsigned long long)s->ip);
}

/* FP_USER_REGS_NOT_LAST: 4.12-4.17 (FP only) skipped the user-mode
 * syscall regs and required the unwind to be done right after them. */
static void fp_user_regs_not_last_rule(struct x86_unwind_state *s)
{
	if (s->k->version >= KS_VERSION(4, 18, 0) ||
	    s->p->unwinder != X86_UNWINDER_FP)
		return;
	unwind_next_frame(s);
	if (!x86_unwind_done(s))
		ks_walk_unreliable(s->w, KS_RULE_FP_USER_REGS_NOT_LAST,
				   last_frame(s),
				   "frames follow the user-mode pt_regs");
}

/* USER_TASK_NO_USER_REGS: from 4.18 "Success path for non-user tasks,
 * i.e. kthreads and idle tasks" -- a walk that ended without user regs
 * was reliable only for PF_KTHREAD | PF_IDLE; 039a7a30ec10 ("x86/
 * stacktrace: Fix reliable check for empty user task stacks") dropped
 * it: in the x86/urgent pull of 2020-07-25, so mainline 5.8, and in the
 * stable reviews of 2020-08-03, 5.4.56 and 5.7.13 (doc/kernel-rules.md
 * §2; the 5.7.y number from that review's date). */
static int user_task_regs_fix_in(uint32_t v)
{
	return v >= KS_VERSION(5, 8, 0) ||
	       (v >= KS_VERSION(5, 7, 13) && v < KS_VERSION(5, 8, 0)) ||
	       (v >= KS_VERSION(5, 4, 56) && v < KS_VERSION(5, 5, 0));
}

static void user_task_no_user_regs_rule(struct x86_unwind_state *s)
{
	const struct ks_task *t = s->w->task;

	if (s->k->version < KS_VERSION(4, 18, 0) ||
	    user_task_regs_fix_in(s->k->version))
		return;
	if ((t->flags & (KS_PF_KTHREAD | KS_PF_IDLE)) || t->is_idle)
		return;
	ks_walk_unreliable(s->w, KS_RULE_USER_TASK_NO_USER_REGS,
			   last_frame(s),
			   "user task's stack ends without user-mode pt_regs");
}

static void label_last(struct ks_walk *w, unsigned label)
{
	if (w->res->nframes > 0)
		w->res->frames[w->res->nframes - 1].labels |= label;
}

/* How the walk ended: at user regs ("Success path for user tasks"), at
 * the end of the stack without them, or on an error or a limit. */
static void walk_end(struct x86_unwind_state *s, int user_exit)
{
	const struct ks_task *t = s->w->task;

	if (s->err.rule == KS_RULE_DUMP_UNREADABLE)
		return;
	if (user_exit) {
		label_last(s->w, KS_LABEL(USER_ENTRY));
		return;
	}
	if (x86_unwind_error(s) || !x86_unwind_done(s))
		return;
	/* The end of the stack without user regs: kthreads (ret_from_fork
	 * / ret_from_fork_asm's END_OF_STACK hint), idle tasks. */
	if ((t->flags & (KS_PF_KTHREAD | KS_PF_IDLE)) || t->is_idle)
		label_last(s->w, KS_LABEL(KTHREAD_START));
	user_task_no_user_regs_rule(s);
}

void x86_walk_reliable(struct ks_walk *w)
{
	struct x86_unwind_state s;
	int user_exit = 0;

	unwind_start(&s, w);
	orc_forked_task_rule(&s);
	/* Bounded: every step moves sp up a finite stack (the wrong-
	 * direction / bad-address rules) and ks_walk_emit() stops at
	 * KS_MAX_FRAMES; the counter is a last guard. */
	for (int steps = 0;; steps++) {
		struct ks_frame *f;
		int idx = w->res->nframes;
		int user = 0;

		unwind_error_rule(&s);
		if (x86_unwind_done(&s) || steps >= 4 * KS_MAX_FRAMES)
			break;
		/* unwind_get_entry_regs() */
		if (s.regs) {
			if (x86_regs_user_mode(&s, s.regs, &user))
				break;
			if (user) {
				/* Success path for user tasks: the user regs
				 * frame itself is not consumed. */
				user_exit = 1;
				fp_user_regs_not_last_rule(&s);
				break;
			}
			if (s.p->unwinder == X86_UNWINDER_FP)
				fp_kernel_regs_rule(&s, idx);
		}
		kretprobe_trampoline_rule(&s, idx);
		f = ks_walk_emit(w, s.ip, s.raw_ip, s.sp, s.slot, s.regs, s.labels);
		if (!f)
			break;
		if (s.regs)
			f->labels |= ks_classify_kernel_regs(w, idx);
		non_text_ra_rule(&s, idx);
		unwind_next_frame(&s);
	}
	unwind_error_rule(&s);
	walk_end(&s, user_exit);
}
