/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The s390 back-chain unwinder, as arch/s390/kernel/unwind_bc.c walks a
 * task that is not running: start at task->thread.ksp, take r14 from
 * each frame's register save area, follow the back chain, and at a zero
 * back chain look for the pt_regs of an entry (interrupt, exception,
 * system call) right above the frame.  Same iterator shape as the
 * kernel's (start / next / done / error with a state struct); every check
 * lives in one function named after the kernel rule.
 *
 * Two rule sets (s390x.h): the 2019 reliable unwinder (v1 patch, for
 * 5.2-5.4 backports) and mainline 5.5+ (with the 5.18 recovery changes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "s390x.h"

#define V(a, b, c) KS_VERSION(a, b, c)

/* ---- outcomes ---- */

/*
 * One convention for the helpers below: an int helper returns 0 to go
 * on and -1 where the kernel jumps to out_err or out_stop -- the walk is
 * done and, for out_err, the error is recorded in st->err (a rule, or
 * KS_RULE_DUMP_UNREADABLE for a read the dump cannot serve), which
 * stacktrace.c reports; each rule_*() applies one rule that way.
 * Predicates (on_stack(), outside_of_stack(), get_stack_info(),
 * update_stack_info(), is_final_pt_regs()) return 1 or 0 and record
 * nothing.  unwind_next_frame returns 1 when it moved to another frame.
 */

/* out_err: unwind_error() is set (st->err, the first error) and the
 * walk is done; -1. */
static int unwind_fail(struct s390x_unwind_state *st, enum ks_rule rule,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int unwind_fail(struct s390x_unwind_state *st, enum ks_rule rule,
		       const char *fmt, ...)
{
	va_list ap;

	st->type = S390X_STACK_UNKNOWN;
	va_start(ap, fmt);
	ks_unwind_error_vset(&st->err, rule, fmt, ap);
	va_end(ap);
	return -1;
}

/* out_stop: done without an error (the final pt_regs); -1. */
static int unwind_stop(struct s390x_unwind_state *st)
{
	st->type = S390X_STACK_UNKNOWN;
	return -1;
}

/* Every word the unwinder reads comes from the dump and may be missing:
 * that is not a kernel rule, it ends the walk with a dump error. */
static int read_word(struct s390x_unwind_state *st, kaddr_t addr,
		     uint64_t *v, const char *what)
{
	if (ks_read_u64(st->w->k, addr, v) == 0)
		return 0;
	return unwind_fail(st, KS_RULE_DUMP_UNREADABLE, "cannot read %s at 0x%llx",
			   what, (unsigned long long)addr);
}

static uint64_t task_stack_size(const struct ks_walk *w)
{
	if (w->task->stack_size)
		return w->task->stack_size;
	return w->k->arch->default_thread_size ?
		w->k->arch->default_thread_size : S390X_THREAD_SIZE;
}

/* ---- stacks (arch/s390/kernel/dumpstack.c, asm/stacktrace.h) ---- */

/*
 * get_stack_info() for a task that is not current (5.5+, same in the
 * 2019 get_stack_info_reliable()): sp must be non-zero, 8-byte aligned
 * ("ABI requires SP to be aligned 8 bytes") and inside the task's own
 * stack [stack, stack + THREAD_SIZE); the per-CPU stacks (irq, nodat,
 * restart, mcck) are only considered for current.  Each stack type may
 * be entered once per walk (visit_mask), so a second entry into the task
 * stack (a back chain that goes down) is refused here.  A predicate: 1
 * when sp starts a stack it may enter (the kernel's 0), else 0 (its
 * -EINVAL); the rules use it through update_stack_info().
 */
static int get_stack_info(struct s390x_unwind_state *st, kaddr_t sp)
{
	const struct ks_task *t = st->w->task;
	uint64_t size = task_stack_size(st->w);
	kaddr_t stack = t->stack;

	st->type = S390X_STACK_UNKNOWN;
	if (!sp || (sp & 7))
		return 0;
	if (stack + size < stack)	/* a bogus task->stack */
		return 0;
	if (sp < stack || sp >= stack + size)
		return 0;
	if (st->visit_mask & (1ul << S390X_STACK_TASK))
		return 0;
	st->visit_mask |= 1ul << S390X_STACK_TASK;
	st->type = S390X_STACK_TASK;
	st->begin = stack;
	st->end = stack + size;
	return 1;
}

/* on_stack(): [addr, addr + len) lies on the current stack. */
static int on_stack(const struct s390x_unwind_state *st, kaddr_t addr,
		    uint64_t len)
{
	if (st->type == S390X_STACK_UNKNOWN)
		return 0;
	if (addr + len < addr)
		return 0;
	return addr >= st->begin && addr + len <= st->end;
}

/* outside_of_stack() (5.3+ form, overflow-safe): the new sp does not go
 * up, or its frame would not fit below the end of the current stack. */
static int outside_of_stack(const struct s390x_unwind_state *st, kaddr_t sp)
{
	return sp <= st->sp ||
	       sp > st->end - (kaddr_t)st->lay->sf_size;
}

/* update_stack_info(): the new sp starts a valid, not yet visited stack
 * and a whole frame fits there. */
static int update_stack_info(struct s390x_unwind_state *st, kaddr_t sp)
{
	if (!get_stack_info(st, sp) ||
	    !on_stack(st, sp, (uint64_t)st->lay->sf_size)) {
		st->type = S390X_STACK_UNKNOWN;
		return 0;
	}
	return 1;
}

/* is_final_pt_regs() (5.5+): the task's own pt_regs at the top of its
 * stack, task_pt_regs() = stack + THREAD_SIZE - sizeof(struct pt_regs),
 * for user tasks and kthreads alike; the other case (user pt_regs at the
 * top of the irq stack) only exists for current. */
static int is_final_pt_regs(const struct s390x_unwind_state *st, kaddr_t regs)
{
	return regs == st->w->task->stack + task_stack_size(st->w) -
		(kaddr_t)st->lay->regs_size;
}

/* ---- return address recovery ---- */

/*
 * 5.18 (d81675b60d09) passed NULL instead of the frame as retp to
 * ftrace_graph_ret_addr(), so no graph entry matched; ded466e18066
 * ("s390/unwind: fix fgraph return address recovery") fixed it, in the
 * 5.18.18 stable batch (review 2022-08-15).  5.19.2 is assumed to carry
 * it from the same batch (UNVERIFIED).
 */
static int fgraph_null_retp_bug(uint32_t v)
{
	return (v >= V(5, 18, 0) && v < V(5, 18, 18)) ||
	       (v >= V(5, 19, 0) && v < V(5, 19, 2));
}

static kaddr_t recover_fgraph(struct s390x_unwind_state *st, kaddr_t ip,
			      kaddr_t key, unsigned *labels)
{
	int found;
	kaddr_t r;

	if (!ip || ip != st->w->k->return_to_handler)
		return ip;
	r = ks_fgraph_ret_addr(st->w, ip, key, &found);
	if (!found) {
		*labels |= KS_LABEL(FTRACE_GRAPH_UNRECOVERED);
		return ip;
	}
	*labels |= KS_LABEL(FTRACE_GRAPH);
	return r;
}

/*
 * Where the kernel recovers a hijacked return address, with the key it
 * uses (the frame's sp: prepare_ftrace_return() / ftrace_graph_func()
 * record r15 at function entry, arch_prepare_kretprobe() /
 * arch_rethook_prepare() set fp/frame = r15, 5.18+):
 *   5.18+  unwind_recover_ret_addr(): fgraph, then kretprobe/rethook;
 *          5.18.0-5.18.17 with NULL as the fgraph key (kernel mode);
 *   < 5.18 ftrace_graph_ret_addr() only, NULL at the start frame
 *          (__unwind_start), the frame's sp in unwind_next_frame();
 *          kretprobe trampolines stay: kretprobe recovery and ri->fp =
 *          r15 (09bc20c8fb35) both arrived in 5.18.
 * Strict mode asks what is really there: both, with the frame's sp.
 */
static kaddr_t unwind_recover_ret_addr(struct s390x_unwind_state *st,
				       kaddr_t ip, int at_start,
				       unsigned *labels)
{
	struct ks_walk *w = st->w;
	uint32_t v = w->k->version;
	int found;
	kaddr_t r;

	if (w->mode == KS_MODE_STRICT ||
	    (v >= V(5, 18, 0) && !fgraph_null_retp_bug(v)))
		return ks_recover_ret_addr(w, ip, st->sp, labels);

	if (v >= V(5, 18, 0)) {
		ip = recover_fgraph(st, ip, 0, labels);
		if (ks_is_kretprobe_trampoline(w->k, ip)) {
			r = ks_kretprobe_ret_addr(w, ip, st->sp, &found);
			if (!found) {
				*labels |= KS_LABEL(KRETPROBE_UNRECOVERED);
				return ip;
			}
			*labels |= KS_LABEL(KRETPROBE);
			ip = r;
		}
		return ip;
	}

	ip = recover_fgraph(st, ip, at_start ? 0 : st->sp, labels);
	if (ks_is_kretprobe_trampoline(w->k, ip))
		*labels |= KS_LABEL(KRETPROBE_UNRECOVERED);
	return ip;
}

/* ---- reading frames ---- */

static int read_r14(struct s390x_unwind_state *st, kaddr_t sp, uint64_t *r14)
{
	return read_word(st, sp + (kaddr_t)st->lay->sf_r14, r14,
			 "saved r14 of the stack frame");
}

static int read_back_chain(struct s390x_unwind_state *st, kaddr_t sp,
			   uint64_t *bc)
{
	return read_word(st, sp + (kaddr_t)st->lay->sf_back_chain, bc,
			 "back chain");
}

/* ---- the unwinder's rules, one function each ---- */

/*
 * S390_BAD_KSP: __unwind_start() (5.5+; the 2019 patch alike) refuses a
 * thread.ksp that update_stack_info() does not accept: zero, misaligned,
 * off the task stack, or too close to its end for a whole frame.
 */
static int rule_s390_bad_ksp(struct s390x_unwind_state *st, kaddr_t sp)
{
	const struct ks_walk *w = st->w;

	if (update_stack_info(st, sp))
		return 0;
	if (!sp)
		unwind_fail(st, KS_RULE_S390_BAD_KSP, "saved ksp is 0");
	else if (sp & 7)
		unwind_fail(st, KS_RULE_S390_BAD_KSP,
			    "saved ksp 0x%llx is not 8-byte aligned",
			    (unsigned long long)sp);
	else
		unwind_fail(st, KS_RULE_S390_BAD_KSP,
			    "saved ksp 0x%llx is not on the task stack [0x%llx, 0x%llx) or its frame does not fit",
			    (unsigned long long)sp,
			    (unsigned long long)w->task->stack,
			    (unsigned long long)(w->task->stack +
						 task_stack_size(w)));
	return -1;
}

/*
 * S390_BAD_BACKCHAIN: a new sp (a back chain, or gprs[15] of pt_regs)
 * that outside_of_stack() flags must start another valid stack
 * (update_stack_info(), 5.5+); for a task that is not running there is
 * none, the task stack itself being visited already.  The 2019 patch
 * failed on outside_of_stack() directly: the same result.
 */
static int rule_s390_bad_backchain(struct s390x_unwind_state *st,
				   kaddr_t sp, const char *what)
{
	if (!outside_of_stack(st, sp) || update_stack_info(st, sp))
		return 0;
	unwind_fail(st, KS_RULE_S390_BAD_BACKCHAIN,
		    "%s 0x%llx at sp 0x%llx %s", what, (unsigned long long)sp,
		    (unsigned long long)st->sp,
		    sp <= st->sp ? "does not go up" :
		    "leaves the task stack (or its frame does not fit)");
	return -1;
}

/* S390_PTREGS_OFF_STACK: pt_regs after a zero back chain must lie on the
 * stack, on_stack(info, sp, sizeof(struct pt_regs)) (5.5+, "report an
 * error if pt_regs are not on stack"; 5.2-5.4 just stopped). */
static int rule_s390_ptregs_off_stack(struct s390x_unwind_state *st,
				      kaddr_t regs)
{
	if (on_stack(st, regs, (uint64_t)st->lay->regs_size))
		return 0;
	unwind_fail(st, KS_RULE_S390_PTREGS_OFF_STACK,
		    "pt_regs at 0x%llx (zero back chain at sp 0x%llx) do not fit on the task stack",
		    (unsigned long long)regs, (unsigned long long)st->sp);
	return -1;
}

/* S390_MISALIGNED_SP: "Sanity check: ABI requires SP to be aligned 8
 * bytes" at the end of unwind_next_frame() (5.5+). */
static int rule_s390_misaligned_sp(struct s390x_unwind_state *st, kaddr_t sp)
{
	if (!(sp & 7))
		return 0;
	unwind_fail(st, KS_RULE_S390_MISALIGNED_SP,
		    "stack pointer 0x%llx is not 8-byte aligned",
		    (unsigned long long)sp);
	return -1;
}

/* 2019 rules: pt_regs only at the stack top.  Any other place is an
 * interrupt or exception frame, which the v1 unwinder treated as an
 * error (S390_INTERRUPTED), or does not fit (S390_PTREGS_OFF_STACK). */
static int rule_2019_ptregs_at_top(struct s390x_unwind_state *st,
				   kaddr_t regs)
{
	if (regs == st->end - (kaddr_t)st->lay->regs_size)
		return 0;
	if (rule_s390_ptregs_off_stack(st, regs))
		return -1;
	unwind_fail(st, KS_RULE_S390_INTERRUPTED,
		    "pt_regs at 0x%llx are not at the top of the task stack (2019 rules: an error)",
		    (unsigned long long)regs);
	return -1;
}

/* S390_FINAL_REGS_NOT_USER (2019 rules): a task that is neither
 * PF_KTHREAD nor PF_IDLE must end in user-mode pt_regs. */
static int rule_s390_final_regs_not_user(struct s390x_unwind_state *st,
					 kaddr_t regs, uint64_t mask)
{
	const struct ks_task *t = st->w->task;

	if ((t->flags & (KS_PF_KTHREAD | KS_PF_IDLE)) || t->is_idle ||
	    (mask & S390X_PSW_MASK_PSTATE))
		return 0;
	unwind_fail(st, KS_RULE_S390_FINAL_REGS_NOT_USER,
		    "final pt_regs at 0x%llx of a user task are kernel mode (psw.mask 0x%016llx)",
		    (unsigned long long)regs, (unsigned long long)mask);
	return -1;
}

/* klpstack's own bound: sp rises by at least 8 bytes per back chain, a
 * pt_regs frame adds one step, so a walk longer than this is broken
 * state (it cannot happen with the rules above; the bound is cheap). */
static int walk_limit(struct s390x_unwind_state *st)
{
	int max_steps = (int)(task_stack_size(st->w) / 4) + 4;

	if (++st->steps <= max_steps)
		return 0;
	unwind_fail(st, KS_RULE_WALK_LIMIT,
		    "back-chain walk did not end after %d steps", max_steps);
	return -1;
}

/* ---- start ---- */

/*
 * __unwind_start() for a task that is not running: sp = task->thread.ksp
 * (saved by __switch_to, which stored r6-r15 into the frame there), ip =
 * that frame's r14, a return address into __schedule.  (The kernel's
 * state->reliable, which 5.2-5.4 cleared for the first frame, matters
 * only to show_stack's "?" marks and is not kept here.)
 */
void s390x_unwind_start(struct s390x_unwind_state *st, struct ks_walk *w,
			enum s390x_rules rules)
{
	kaddr_t sp = w->task->ksp;
	uint64_t r14;

	memset(st, 0, sizeof(*st));
	st->w = w;
	st->lay = s390x_layout(w->k);
	st->rules = rules;
	st->type = S390X_STACK_UNKNOWN;

	if (rule_s390_bad_ksp(st, sp) || read_r14(st, sp, &r14))
		return;
	st->sp = sp;
	st->raw_ip = r14;
	st->slot = sp + (kaddr_t)st->lay->sf_r14;
	st->regs = 0;
	st->labels = 0;
	st->ip = unwind_recover_ret_addr(st, r14, 1, &st->labels);
}

/* ---- next, 5.5+ ---- */

/* The frame unwind_next_frame() moves to, before its "Update unwind
 * state". */
struct next_frame {
	kaddr_t sp;
	kaddr_t regs;		/* pt_regs the ip comes from, or 0 */
	uint64_t raw;		/* the return address as read */
	kaddr_t slot;		/* where it was read */
	int have_ip;		/* ip and labels recovered already */
	kaddr_t ip;
	unsigned labels;
};

/*
 * After a pt_regs frame the next frame is the interrupted function's own
 * (same sp, regs->gprs[15]); the r14 in it is whatever that function's
 * last callee left there.  It is skipped (*skip) when it is not text
 * (5.5, "filter bogus r14") or, 5.18+, when it recovers to psw.addr
 * again ("avoid duplicated unwinding entries for kretprobes").
 */
static int next_after_regs(struct s390x_unwind_state *st,
			   struct next_frame *f, int *skip)
{
	uint32_t v = st->w->k->version;

	*skip = 0;
	if (read_r14(st, st->sp, &f->raw))
		return -1;
	if (!ks_is_text(st->w->k, f->raw)) {
		*skip = 1;
		return 0;
	}
	/* The kernel (5.18+) recovers r14 once for this comparison and
	 * once more for the frame; recovering twice would advance the
	 * kretprobe / 6.11+ fgraph cursors past this frame, so the one
	 * result serves both. */
	f->ip = unwind_recover_ret_addr(st, f->raw, 0, &f->labels);
	if (v >= V(5, 18, 0) && f->ip == st->ip)
		*skip = 1;
	f->have_ip = 1;
	f->sp = st->sp;
	f->slot = f->sp + (kaddr_t)st->lay->sf_r14;
	return 0;
}

/* "Non-zero back-chain points to the previous frame": its r14. */
static int next_from_back_chain(struct s390x_unwind_state *st, kaddr_t bc,
				struct next_frame *f)
{
	if (rule_s390_bad_backchain(st, bc, "back chain") ||
	    read_r14(st, bc, &f->raw))
		return -1;
	f->sp = bc;
	f->slot = bc + (kaddr_t)st->lay->sf_r14;
	return 0;
}

/* "No back-chain, look for a pt_regs structure" at sp +
 * STACK_FRAME_OVERHEAD: the task's final pt_regs end the walk
 * (is_final_pt_regs, "goto out_stop"), any other pt_regs make an entry
 * frame with ip = psw.addr and sp = gprs[15]. */
static int next_from_pt_regs(struct s390x_unwind_state *st,
			     struct next_frame *f)
{
	const struct s390x_layout *l = st->lay;
	kaddr_t regs = st->sp + S390X_STACK_FRAME_OVERHEAD;
	uint64_t r15;

	if (rule_s390_ptregs_off_stack(st, regs))
		return -1;
	if (is_final_pt_regs(st, regs)) {
		st->final_regs = regs;
		return unwind_stop(st);
	}
	if (read_word(st, regs + (kaddr_t)l->regs_psw_addr, &f->raw,
		      "pt_regs psw.addr") ||
	    read_word(st, regs + (kaddr_t)l->regs_r15, &r15, "pt_regs gprs[15]") ||
	    rule_s390_bad_backchain(st, r15, "r15 of the pt_regs"))
		return -1;
	f->sp = r15;
	f->regs = regs;
	f->slot = regs + (kaddr_t)l->regs_psw_addr;
	return 0;
}

/*
 * unwind_next_frame() (5.5 -> 6.x): after a pt_regs frame see
 * next_after_regs(), else follow the back chain or, at a zero one, the
 * pt_regs above the frame.  The new sp must be 8-byte aligned.  The
 * return address is recovered once sp is the new frame's (the key of
 * the recovery).
 */
static int unwind_next_frame_5_5(struct s390x_unwind_state *st)
{
	struct next_frame f;
	uint64_t bc;
	int skip;

	for (;;) {
		if (walk_limit(st))
			return 0;
		memset(&f, 0, sizeof(f));
		if (st->regs) {
			if (next_after_regs(st, &f, &skip))
				return 0;
			if (skip) {
				st->regs = 0;
				continue;	/* return unwind_next_frame(state) */
			}
		} else if (read_back_chain(st, st->sp, &bc) ||
			   (bc ? next_from_back_chain(st, bc, &f)
			       : next_from_pt_regs(st, &f))) {
			return 0;
		}
		if (rule_s390_misaligned_sp(st, f.sp))
			return 0;

		/* Update unwind state */
		st->sp = f.sp;
		st->regs = f.regs;
		st->raw_ip = f.raw;
		st->slot = f.slot;
		if (!f.have_ip)
			f.ip = unwind_recover_ret_addr(st, f.raw, 0, &f.labels);
		st->ip = f.ip;
		st->labels = f.labels;
		return 1;
	}
}

/* ---- next, the 2019 rules ---- */

/*
 * unwind_next_frame_reliable() of the 2019 patch (v1, 2019-07-10): a
 * non-zero back chain must stay on the task stack, except that an idle
 * task's last back chain points to the nodat stack (CALL_ON_STACK in
 * smp_start_secondary) and is taken as a zero back chain; at a zero back
 * chain the pt_regs must be exactly at the stack top, and user mode for
 * a task that is neither PF_KTHREAD nor PF_IDLE.  There is no alignment
 * check after the start frame.
 */
static int unwind_next_frame_2019(struct s390x_unwind_state *st)
{
	const struct s390x_layout *l = st->lay;
	const struct ks_task *t = st->w->task;
	int idle = (t->flags & KS_PF_IDLE) || t->is_idle;
	uint64_t bc, raw, mask;
	kaddr_t regs;

	if (walk_limit(st) || read_back_chain(st, st->sp, &bc))
		return 0;
	if (bc && !(idle && outside_of_stack(st, bc))) {
		if (rule_s390_bad_backchain(st, bc, "back chain") ||
		    read_r14(st, bc, &raw))
			return 0;
		st->sp = bc;
		st->raw_ip = raw;
		st->slot = bc + (kaddr_t)l->sf_r14;
		st->regs = 0;
		st->labels = 0;
		st->ip = unwind_recover_ret_addr(st, raw, 0, &st->labels);
		return 1;
	}

	regs = st->sp + S390X_STACK_FRAME_OVERHEAD;
	if (rule_2019_ptregs_at_top(st, regs) ||
	    read_word(st, regs + (kaddr_t)l->regs_psw_mask, &mask,
		      "pt_regs psw.mask") ||
	    rule_s390_final_regs_not_user(st, regs, mask))
		return 0;
	st->final_regs = regs;
	st->regs = regs;
	unwind_stop(st);
	return 0;
}

int s390x_unwind_next_frame(struct s390x_unwind_state *st)
{
	if (s390x_unwind_done(st))
		return 0;
	if (st->rules == S390X_RULES_2019)
		return unwind_next_frame_2019(st);
	return unwind_next_frame_5_5(st);
}
