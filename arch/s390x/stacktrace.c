/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch_stack_walk_reliable() for s390 (arch/s390/kernel/stacktrace.c):
 * drive the back-chain unwinder over a task that is not running and
 * decide, frame by frame, whether livepatch may trust the trace.
 *
 *   < 5.5  mainline has no reliable walker (the core reports
 *          NO_RELIABLE_STACKTRACE in kernel mode); the rules applied here
 *          are those of the 2019 v1 patch, as a distro backport onto
 *          5.2-5.4 would have them.
 *   5.5+   every frame must be on the task stack, come from a back chain
 *          (no pt_regs), be kernel text and not a kretprobe/rethook
 *          trampoline; the unwinder must end at the task's final pt_regs
 *          without an error.
 *
 * The kernel returns -EINVAL at the first failure; klpstack records that
 * first failure and keeps walking, so the report lists every frame the
 * unwinder finds.  It stops only on an unwinder error.
 */
#include <stdio.h>
#include "s390x.h"

#define V(a, b, c) KS_VERSION(a, b, c)

static int next_index(const struct ks_walk *w)
{
	return w->res->nframes;
}

/* ---- per-frame rules ---- */

/* Each returns 1 when its rule failed (reported on the walk), 0 when it
 * passed, so a chain of them stops at the first failure as the kernel's
 * early returns do. */

/* "if (state.stack_info.type != STACK_TYPE_TASK) return -EINVAL;" (5.5+).
 * For a task that is not current the unwinder never enters another
 * stack, so this only guards against a broken state. */
static int rule_stack_type_task(struct ks_walk *w,
				const struct s390x_unwind_state *st, int idx)
{
	if (st->type == S390X_STACK_TASK)
		return 0;
	ks_walk_unreliable(w, KS_RULE_S390_BAD_BACKCHAIN, idx,
			   "frame %d is not on the task stack", idx);
	return 1;
}

/* "if (state.regs) return -EINVAL;" (5.5+): the ip came from pt_regs,
 * i.e. an interrupt, exception or preemption in the middle of the stack. */
static int rule_s390_interrupted(struct ks_walk *w,
			    const struct s390x_unwind_state *st, int idx)
{
	if (!st->regs)
		return 0;
	ks_walk_unreliable(w, KS_RULE_S390_INTERRUPTED, idx,
			   "frame %d: kernel-mode pt_regs at 0x%llx in the middle of the stack",
			   idx, (unsigned long long)st->regs);
	return 1;
}

/* unwind_get_return_address() returns 0 unless __kernel_text_address(ip)
 * (5.5+; the 2019 patch tested the same directly). */
static int rule_non_text_ra(struct ks_walk *w,
			    const struct s390x_unwind_state *st, int idx)
{
	if (ks_is_text(w->k, st->ip))
		return 0;
	ks_walk_unreliable(w, KS_RULE_NON_TEXT_RA, idx,
			   "frame %d: return address 0x%llx is not kernel text",
			   idx, (unsigned long long)st->ip);
	return 1;
}

/*
 * The trampoline test:
 *   2019 patch, 5.5-5.17: "state.ip == kretprobe_trampoline"
 *     (__kretprobe_trampoline from 5.16), CONFIG_KPROBES: the kernel
 *     does not recover it (strict mode does; a recovered one passes);
 *   5.18-6.2: unwind_recover_ret_addr() already replaced a trampoline
 *     that has its instance; without one the kernel gets 0 (not text);
 *   6.3+: "state.ip == arch_rethook_trampoline" (CONFIG_RETHOOK), after
 *     rethook_find_ret_addr(), which also gives 0 without its node.
 * Either way a trampoline still standing here fails the stack; klpstack
 * names it by the trampoline rather than by the 0 the kernel saw.
 */
static int rule_kretprobe_trampoline(struct ks_walk *w,
				     const struct s390x_unwind_state *st,
				     int idx)
{
	const char *why;

	if (!ks_is_kretprobe_trampoline(w->k, st->ip))
		return 0;
	if (w->k->version < V(5, 18, 0) && w->mode == KS_MODE_KERNEL)
		why = "rejected outright before 5.18";
	else if (w->mode == KS_MODE_KERNEL &&
		 w->k->kretprobe == KS_KRETPROBE_RETHOOK && w->task->state == 0)
		why = "rethook_find_ret_addr() refuses a TASK_RUNNING task";
	else
		why = "no instance for this frame";
	ks_walk_unreliable(w, KS_RULE_KRETPROBE_TRAMPOLINE, idx,
			   "frame %d: kretprobe/rethook trampoline (%s)",
			   idx, why);
	return 1;
}

/* ---- after the walk ---- */

/* The frame whose zero back chain led to the task's final pt_regs is
 * where the task entered the kernel: a system call or exception from
 * user space (user-mode PSW) or, for kthreads, the starter frame. */
static void label_final_frame(struct ks_walk *w,
			      const struct s390x_unwind_state *st)
{
	struct ks_frame *f;
	uint64_t mask;

	if (!st->final_regs || w->res->nframes == 0)
		return;
	/* Only a label: an unreadable PSW changes no verdict. */
	if (s390x_read_psw_mask(w->k, st->final_regs, &mask))
		return;
	f = &w->res->frames[w->res->nframes - 1];
	if (mask & S390X_PSW_MASK_PSTATE)
		f->labels |= KS_LABEL(USER_ENTRY);
	else if (w->task->flags & (KS_PF_KTHREAD | KS_PF_IDLE))
		f->labels |= KS_LABEL(KTHREAD_START);
}

/* ---- the walkers ---- */

static void walk_reliable_5_5(struct ks_walk *w)
{
	struct s390x_unwind_state st;

	for (s390x_unwind_start(&st, w, S390X_RULES_5_5);
	     !s390x_unwind_done(&st);
	     s390x_unwind_next_frame(&st)) {
		int idx = next_index(w);
		struct ks_frame *f;

		/* First failed rule wins, as the kernel's early returns. */
		if (!rule_stack_type_task(w, &st, idx) &&
		    !rule_s390_interrupted(w, &st, idx) &&
		    !rule_non_text_ra(w, &st, idx))
			rule_kretprobe_trampoline(w, &st, idx);

		f = ks_walk_emit(w, st.ip, st.raw_ip, st.sp, st.slot, st.regs,
				 st.labels);
		if (!f)
			return;		/* klpstack's own frame limit */
		if (st.regs)
			f->labels |= ks_classify_kernel_regs(w, idx);
	}
	/* unwind_error(): the kernel's "Check for stack corruption" (or the
	 * dump could not give what the unwinder had to read). */
	if (s390x_unwind_error(&st))
		ks_walk_unwind_error(w, &st.err);
	else
		label_final_frame(w, &st);
}

/* The 2019 walk ended at the final pt_regs: a user task's last frame is
 * its entry from user space (the unwinder checked the PSW); a kthread's
 * or idle task's psw.addr is one more entry. */
static void final_regs_2019(struct ks_walk *w,
			    const struct s390x_unwind_state *st)
{
	kaddr_t psw_addr = st->final_regs + (kaddr_t)st->lay->regs_psw_addr;
	uint64_t addr;

	if (!(w->task->flags & (KS_PF_KTHREAD | KS_PF_IDLE)) && !w->task->is_idle) {
		if (w->res->nframes > 0)
			w->res->frames[w->res->nframes - 1].labels |=
				KS_LABEL(USER_ENTRY);
		return;
	}
	if (ks_read_u64(w->k, psw_addr, &addr)) {
		ks_walk_dump_error(w, next_index(w),
				   "cannot read psw.addr of the final pt_regs at 0x%llx",
				   (unsigned long long)st->final_regs);
		return;
	}
	ks_walk_emit(w, addr, addr, st->sp, psw_addr, st->final_regs,
		     KS_LABEL(KTHREAD_START));
}

/*
 * __save_stack_trace_tsk_reliable() of the 2019 patch: text and
 * trampoline checks per frame, an unwinder error fails the stack, and a
 * kthread's (or idle task's) final psw.addr - kernel_thread_starter,
 * 0 for swapper/0 - is stored as one more entry.
 */
static void walk_reliable_2019(struct ks_walk *w)
{
	struct s390x_unwind_state st;

	for (s390x_unwind_start(&st, w, S390X_RULES_2019);
	     !s390x_unwind_done(&st) && !s390x_unwind_error(&st);
	     s390x_unwind_next_frame(&st)) {
		int idx = next_index(w);

		if (!rule_non_text_ra(w, &st, idx))
			rule_kretprobe_trampoline(w, &st, idx);
		if (!ks_walk_emit(w, st.ip, st.raw_ip, st.sp, st.slot, 0,
				  st.labels))
			return;
	}
	if (s390x_unwind_error(&st)) {
		ks_walk_unwind_error(w, &st.err);
		return;
	}
	if (st.final_regs)
		final_regs_2019(w, &st);
}

void s390x_walk_reliable(struct ks_walk *w)
{
	if (w->k->version < V(5, 5, 0))
		walk_reliable_2019(w);
	else
		walk_reliable_5_5(w);
}
