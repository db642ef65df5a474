/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ORC unwinder (CONFIG_UNWINDER_ORC), after
 * arch/x86/kernel/unwind_orc.c: __unwind_start() for a task that is not
 * running, and unwind_next_frame() with every place the kernel sets
 * state->error as a rule of its own (arch/x86_64/rules.h).
 *
 * Post-mortem differences: the only valid stack is the task stack
 * (get_stack_info() accepts nothing else for a task that is not
 * current), and a read the dump cannot serve stops the walk with the
 * ERROR verdict instead of a rule.
 */
#include <stdio.h>
#include <string.h>
#include "x86_64.h"

#define WORD 8

/* stack_access_ok() + the read; 0 ok, -1 rule (off stack), -2 dump. */
static int deref_stack_reg(struct x86_unwind_state *s, kaddr_t addr,
			   uint64_t *val)
{
	if (!x86_on_stack(s, addr, WORD))
		return -1;
	return x86_read_stack(s, addr, val) ? -2 : 0;
}

/* A value from the current full pt_regs, else from the previous full
 * ones when the current regs are only an IRET frame (get_reg(), 5.10+;
 * "unwind through NMI entry"). */
static int get_reg(struct x86_unwind_state *s, long off, uint64_t *val,
		   int *have)
{
	kaddr_t from;

	*have = 0;
	if (!s->regs || off < 0)
		return 0;
	if (s->full_regs)
		from = s->regs;
	else if (s->prev_regs)
		from = s->prev_regs;
	else
		return 0;
	if (x86_read_stack(s, from + (kaddr_t)off, val))
		return -1;
	*have = 1;
	return 0;
}

/*
 * ORC_FORKED_TASK: the start check that decides whether the first ip is
 * a signal frame (looked up at ip) or a return address (ip - 1).  A task
 * that never ran starts at ret_from_fork, where ip - 1 is the last byte
 * of the function before it.
 *   < 5.8: no start check at all; 372a8eaa0599 ("x86/unwind/orc: Fix
 *         ORC for newly forked tasks", x86/urgent July 2020, 5.8) added
 *         signal = (ip == ret_from_fork).  It went to the 4.19/5.4/5.7
 *         stable trees too (August 2020); those patch levels are not
 *         identified here, so older stable kernels count as unfixed;
 *   6.5 - 6.12: "x86: Rewrite ret_from_fork() in C" (6.5) made
 *         ret_from_fork_asm the return address but the check kept
 *         ret_from_fork, until 3bf19a0fb690 ("x86/unwind/orc: Fix unwind
 *         for newly forked tasks", 6.13, in 6.12.x stable too).  Which
 *         symbol the kernel compares with is read from its own
 *         __unwind_start() code (x86_forked_check_is_asm()); the 6.13
 *         cut-off only where that code does not tell.
 * KS_MODE_KERNEL reports what that kernel concluded (unreliable); both
 * modes then go on with the right lookup so the frames are shown.
 */
static void orc_forked_task_rule(struct x86_unwind_state *s)
{
	const struct ks_kernel *k = s->k;
	const struct x86_priv *p = s->p;
	int forked_asm = p->ret_from_fork_asm && s->ip == p->ret_from_fork_asm;
	int forked = forked_asm ||
		     (!p->ret_from_fork_asm && p->ret_from_fork &&
		      s->ip == p->ret_from_fork);
	int kernel_signal;

	if (!forked)
		return;
	s->signal = 1;
	if (k->version < KS_VERSION(5, 8, 0))
		kernel_signal = 0;
	else if (forked_asm && p->forked_check_asm >= 0)
		kernel_signal = p->forked_check_asm;	/* the code says */
	else if (forked_asm && k->version < KS_VERSION(6, 13, 0))
		kernel_signal = 0;
	else
		kernel_signal = 1;
	if (!kernel_signal && s->w->mode == KS_MODE_KERNEL)
		ks_walk_unreliable(s->w, KS_RULE_ORC_FORKED_TASK, 0,
				   "never-run task at %s: this kernel looks up ip-1 there",
				   forked_asm ? "ret_from_fork_asm" : "ret_from_fork");
}

/*
 * __unwind_start() for a task that is not current, as 5.10 and later
 * have it: frame = thread.sp (struct inactive_task_frame), sp =
 * thread.sp + sizeof(frame), bp = frame->bp, ip = frame->ret_addr.
 * (Early ORC kernels set sp = thread.sp and skipped ahead to the first
 * frame; that variant is not modelled -- UNVERIFIED when it changed.)
 * ORC_BAD_START: sp not on the task stack (the kernel sets state->error
 * and the reliable walk returns -EINVAL before any frame).
 */
void x86_orc_unwind_start(struct x86_unwind_state *s, struct ks_walk *w)
{
	const struct x86_layout *l;
	kaddr_t ksp = w->task->ksp;
	uint64_t bp, ip;

	l = &s->p->l;
	if (ksp < s->stack_begin || ksp + (kaddr_t)l->itf_size < ksp ||
	    !x86_on_stack(s, ksp, (uint64_t)l->itf_size) ||
	    !x86_on_stack(s, ksp + (kaddr_t)l->itf_size, 1)) {
		x86_unwind_fail(s, KS_RULE_ORC_BAD_START,
				"thread.sp %#llx: frame not on the task stack [%#llx, %#llx)",
				(unsigned long long)ksp,
				(unsigned long long)s->stack_begin,
				(unsigned long long)s->stack_end);
		return;
	}
	if (x86_read_stack(s, ksp + (kaddr_t)l->itf_bp, &bp) ||
	    x86_read_stack(s, ksp + (kaddr_t)l->itf_ret_addr, &ip))
		return;
	s->sp = ksp + (kaddr_t)l->itf_size;
	s->bp = bp;
	s->ip = s->raw_ip = ip;
	s->slot = ksp + (kaddr_t)l->itf_ret_addr;
	s->signal = 0;
	orc_forked_task_rule(s);
}

/* SP_INDIRECT: 87ccc826bf1c (5.12) changed the meaning for the
 * call_on_stack() pattern from *(sp + off) to *(sp) + off. */
static int sp_indirect_new(const struct ks_kernel *k)
{
	return k->version >= KS_VERSION(5, 12, 0);
}

/*
 * The kernel's CALL-frame recovery: unwind_recover_ret_addr() (5.16+:
 * fgraph, then kretprobe / rethook) or ftrace_graph_ret_addr() alone
 * (< 5.16).
 *
 * Before 5.16 a kretprobe_trampoline return address stays as it is.  It
 * is text, so the frame is consumed; the next step looks up
 * kretprobe_trampoline - 1 (no signal), i.e. the ORC entry of whatever
 * precedes the trampoline, and continues from there.  We do exactly
 * that lookup in the dump's own table instead of guessing an outcome:
 * the kernel's verdict then follows from the same data (mostly an error
 * or a bogus return address, sometimes "reliable" with the caller
 * lost).  The frame is labelled kretprobe-unrecovered either way, so
 * strict mode reports the hidden caller.
 */
kaddr_t x86_recover_ret_addr(struct x86_unwind_state *s, kaddr_t ip, kaddr_t slot)
{
	int found;
	kaddr_t r;

	if (s->k->version >= KS_VERSION(5, 16, 0))
		return ks_recover_ret_addr(s->w, ip, slot, &s->labels);
	if (ip && ip == s->k->return_to_handler) {
		r = ks_fgraph_ret_addr(s->w, ip, slot, &found);
		s->labels |= found ? KS_LABEL(FTRACE_GRAPH)
				   : KS_LABEL(FTRACE_GRAPH_UNRECOVERED);
		ip = found ? r : ip;
	}
	if (ks_is_kretprobe_trampoline(s->k, ip))
		s->labels |= KS_LABEL(KRETPROBE_UNRECOVERED);
	return ip;
}

/* REGS / REGS_PARTIAL: unwind_recover_rethook() (5.18) /
 * unwind_recover_kretprobe() (5.16): only the kretprobe trampoline, with
 * the slot just below the interrupted sp (interrupted at the trampoline's
 * first instruction, right after the RET into it). */
static kaddr_t recover_regs(struct x86_unwind_state *s, kaddr_t ip, kaddr_t sp)
{
	int found;
	kaddr_t r;

	if (!ks_is_kretprobe_trampoline(s->k, ip))
		return ip;
	if (s->k->version < KS_VERSION(5, 16, 0)) {
		s->labels |= KS_LABEL(KRETPROBE_UNRECOVERED);
		return ip;
	}
	r = ks_kretprobe_ret_addr(s->w, ip, sp - WORD, &found);
	s->labels |= found ? KS_LABEL(KRETPROBE) : KS_LABEL(KRETPROBE_UNRECOVERED);
	return found ? r : ip;
}

static void orc_off_stack(struct x86_unwind_state *s, const char *what,
			  kaddr_t addr, kaddr_t orig_ip)
{
	x86_unwind_fail(s, KS_RULE_ORC_OFF_STACK,
			"%s at %#llx (unwinding ip %#llx) is not on the task stack",
			what, (unsigned long long)addr,
			(unsigned long long)orig_ip);
}

/* Returns 1 when a new frame is ready, 0 at the end or on error. */
int x86_orc_unwind_next(struct x86_unwind_state *s)
{
	struct ks_kernel *k = s->k;
	const struct x86_layout *l = &s->p->l;
	kaddr_t orig_ip = s->ip, prev_sp = s->sp, sp = 0, ip_p;
	struct x86_orc orc;
	char err[KS_MSG_LEN];
	uint64_t v;
	int r, have, indirect = 0, user;

	if (x86_unwind_done(s))
		return 0;
	s->labels = 0;
	s->slot = 0;

	/* End-of-stack check for user tasks (4.18 "Do not unwind after
	 * user regs"). */
	if (s->regs) {
		if (x86_regs_user_mode(s, s->regs, &user))
			return 0;
		if (user) {
			s->done = 1;
			return 0;
		}
	}

	/* A call frame's ip is a return address: look up the call itself
	 * (ip - 1); a signal frame's ip is the interrupted instruction. */
	r = x86_orc_find(k, s->signal ? s->ip : s->ip - 1, &orc, err, sizeof(err));
	if (r < 0) {
		x86_unwind_dump_fail(s, "%s", err);
		return 0;
	}
	if (r > 0) {
		/*
		 * ORC_NO_ENTRY: no entry (BPF, generated code, a module built
		 * without objtool).  Since ae6a45a08689 ("x86/unwind/orc: Fall
		 * back to using frame pointers for generated code", 5.2) the
		 * kernel guesses a frame-pointer frame and sets state->error,
		 * so the reliable walk fails here; we keep following the guess
		 * to show the frames the unwinder finds (before 5.2 it stopped
		 * at once: same verdict).
		 */
		x86_unwind_fail(s, KS_RULE_ORC_NO_ENTRY,
				"no ORC entry for %#llx", (unsigned long long)orig_ip);
		s->done = 0;
		memset(&orc, 0, sizeof(orc));
		orc.type = X86_ORC_TYPE_CALL;
		orc.sp_reg = X86_ORC_REG_BP;
		orc.sp_offset = 16;
		orc.bp_reg = X86_ORC_REG_PREV_SP;
		orc.bp_offset = -16;
	} else if (orc.type == X86_ORC_TYPE_UNDEFINED) {
		/*
		 * ORC_UNDEFINED vs the end: v3+ (6.4) has UNDEFINED and
		 * END_OF_STACK types; v1/v2 say it with sp_reg UNDEFINED and
		 * the end bit, which 4.18 introduced ("Detect the end of the
		 * stack").  Before 4.18 sp_reg UNDEFINED always meant the end.
		 */
		if (k->version < KS_VERSION(4, 18, 0)) {
			s->done = 1;
			return 0;
		}
		x86_unwind_fail(s, KS_RULE_ORC_UNDEFINED,
				"ORC entry for %#llx is UNDEFINED",
				(unsigned long long)orig_ip);
		return 0;
	} else if (orc.type == X86_ORC_TYPE_END_OF_STACK) {
		s->done = 1;
		return 0;
	}

	/* 6.3+: the entry says whether the frame above is a signal frame;
	 * before, REGS / REGS_PARTIAL implied it (decoded the same way). */
	s->signal = orc.signal;

	/* Find the previous frame's stack. */
	switch (orc.sp_reg) {
	case X86_ORC_REG_SP:
		sp = s->sp + (kaddr_t)(int64_t)orc.sp_offset;
		break;
	case X86_ORC_REG_BP:
		sp = s->bp + (kaddr_t)(int64_t)orc.sp_offset;
		break;
	case X86_ORC_REG_SP_INDIRECT:
		sp = sp_indirect_new(k) ? s->sp
					: s->sp + (kaddr_t)(int64_t)orc.sp_offset;
		indirect = 1;
		break;
	case X86_ORC_REG_BP_INDIRECT:
		sp = s->bp + (kaddr_t)(int64_t)orc.sp_offset;
		indirect = 1;
		break;
	case X86_ORC_REG_R10:
	case X86_ORC_REG_R13:
	case X86_ORC_REG_DI:
	case X86_ORC_REG_DX:
	case X86_ORC_REG_AX: {
		long off = orc.sp_reg == X86_ORC_REG_R10 ? l->r_r10 :
			   orc.sp_reg == X86_ORC_REG_R13 ? l->r_r13 :
			   orc.sp_reg == X86_ORC_REG_DI ? l->r_di :
			   orc.sp_reg == X86_ORC_REG_DX ? l->r_dx : l->r_ax;
		if (get_reg(s, off, &v, &have))
			return 0;
		if (!have) {
			/* ORC_BAD_SP_REG: a register only pt_regs can give */
			x86_unwind_fail(s, KS_RULE_ORC_BAD_SP_REG,
					"missing %s value at %#llx",
					x86_orc_reg_name(orc.sp_reg),
					(unsigned long long)orig_ip);
			return 0;
		}
		sp = v;
		break;
	}
	default:
		x86_unwind_fail(s, KS_RULE_ORC_BAD_SP_REG,
				"unknown SP base reg %u at %#llx", orc.raw_sp_reg,
				(unsigned long long)orig_ip);
		return 0;
	}

	if (indirect) {
		r = deref_stack_reg(s, sp, &v);
		if (r == -1) {
			orc_off_stack(s, "indirect stack pointer", sp, orig_ip);
			return 0;
		}
		if (r == -2)
			return 0;
		sp = v;
		if (orc.sp_reg == X86_ORC_REG_SP_INDIRECT && sp_indirect_new(k))
			sp += (kaddr_t)(int64_t)orc.sp_offset;
	}

	/* Find IP, SP and possibly regs. */
	switch (orc.type) {
	case X86_ORC_TYPE_CALL:
		ip_p = sp - WORD;
		r = deref_stack_reg(s, ip_p, &v);
		if (r == -1) {
			orc_off_stack(s, "return address", ip_p, orig_ip);
			return 0;
		}
		if (r == -2)
			return 0;
		s->raw_ip = v;
		s->slot = ip_p;
		s->ip = x86_recover_ret_addr(s, v, ip_p);
		s->sp = sp;
		s->regs = 0;
		s->prev_regs = 0;
		break;

	case X86_ORC_TYPE_REGS:
		/* deref_stack_regs(): the whole pt_regs must be on the stack */
		if (!x86_on_stack(s, sp, (uint64_t)l->regs_size)) {
			orc_off_stack(s, "pt_regs", sp, orig_ip);
			return 0;
		}
		if (x86_read_stack(s, sp + (kaddr_t)l->r_ip, &v))
			return 0;
		s->raw_ip = v;
		s->slot = sp + (kaddr_t)l->r_ip;
		if (x86_read_stack(s, sp + (kaddr_t)l->r_sp, &v))
			return 0;
		s->sp = v;
		s->ip = recover_regs(s, s->raw_ip, s->sp);
		s->regs = sp;
		s->prev_regs = 0;
		s->full_regs = 1;
		break;

	case X86_ORC_TYPE_REGS_PARTIAL: {
		/* deref_stack_iret_regs(): only the IRET frame (ip, cs,
		 * flags, sp, ss) is there; regs = sp - offsetof(ip). */
		uint64_t iret_size = (uint64_t)(l->regs_size - l->r_ip);
		kaddr_t regs = sp - (kaddr_t)l->r_ip;

		if (!x86_on_stack(s, sp, iret_size)) {
			orc_off_stack(s, "IRET frame", sp, orig_ip);
			return 0;
		}
		if (x86_read_stack(s, regs + (kaddr_t)l->r_ip, &v))
			return 0;
		s->raw_ip = v;
		s->slot = regs + (kaddr_t)l->r_ip;
		if (x86_read_stack(s, regs + (kaddr_t)l->r_sp, &v))
			return 0;
		s->sp = v;
		s->ip = recover_regs(s, s->raw_ip, s->sp);
		if (s->full_regs)
			s->prev_regs = s->regs;
		s->regs = regs;
		s->full_regs = 0;
		break;
	}

	default:
		/* ORC_BAD_TYPE */
		x86_unwind_fail(s, KS_RULE_ORC_BAD_TYPE,
				"unknown ORC entry type %u at %#llx", orc.raw_type,
				(unsigned long long)orig_ip);
		return 0;
	}

	/* Find BP. */
	switch (orc.bp_reg) {
	case X86_ORC_REG_UNDEFINED:
		if (get_reg(s, l->r_bp, &v, &have))
			return 0;
		if (have)
			s->bp = v;
		break;
	case X86_ORC_REG_PREV_SP:
		r = deref_stack_reg(s, sp + (kaddr_t)(int64_t)orc.bp_offset, &v);
		if (r == -1) {
			orc_off_stack(s, "saved bp",
				      sp + (kaddr_t)(int64_t)orc.bp_offset, orig_ip);
			return 0;
		}
		if (r == -2)
			return 0;
		s->bp = v;
		break;
	case X86_ORC_REG_BP:
		r = deref_stack_reg(s, s->bp + (kaddr_t)(int64_t)orc.bp_offset, &v);
		if (r == -1) {
			orc_off_stack(s, "saved bp",
				      s->bp + (kaddr_t)(int64_t)orc.bp_offset, orig_ip);
			return 0;
		}
		if (r == -2)
			return 0;
		s->bp = v;
		break;
	default:
		/* ORC_BAD_BP_REG */
		x86_unwind_fail(s, KS_RULE_ORC_BAD_BP_REG,
				"unknown BP base reg %u for ip %#llx", orc.raw_bp_reg,
				(unsigned long long)orig_ip);
		return 0;
	}

	/* ORC_WRONG_DIRECTION: "Prevent a recursive loop due to bad ORC
	 * data" -- on the same stack the new sp must be above the old. */
	if (x86_on_stack(s, s->sp, WORD) && x86_on_stack(s, prev_sp, 1) &&
	    s->sp <= prev_sp) {
		x86_unwind_fail(s, KS_RULE_ORC_WRONG_DIRECTION,
				"stack going in the wrong direction at %#llx (sp %#llx <= %#llx)",
				(unsigned long long)orig_ip,
				(unsigned long long)s->sp,
				(unsigned long long)prev_sp);
		return 0;
	}
	return 1;
}
