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

/* base + a signed ORC offset */
static kaddr_t add_off(kaddr_t base, int16_t off)
{
	return base + (kaddr_t)(int64_t)off;
}

/* ORC_OFF_STACK: what the step had to read is not on the task stack
 * (the kernel's stack_access_ok() fails, "goto err"); -1. */
static int orc_off_stack(struct x86_unwind_state *s, const char *what,
			 kaddr_t addr, kaddr_t orig_ip)
{
	return x86_unwind_fail(s, KS_RULE_ORC_OFF_STACK,
			       "%s at %#llx (unwinding ip %#llx) is not on the task stack",
			       what, (unsigned long long)addr,
			       (unsigned long long)orig_ip);
}

/* deref_stack_reg(): stack_access_ok() and the read of one word; what
 * names it in the ORC_OFF_STACK message. */
static int deref_stack_reg(struct x86_unwind_state *s, kaddr_t addr,
			   uint64_t *val, const char *what, kaddr_t orig_ip)
{
	if (!x86_on_stack(s, addr, WORD))
		return orc_off_stack(s, what, addr, orig_ip);
	return x86_read_stack(s, addr, val);
}

/* A value from the current full pt_regs, else from the previous full
 * ones when the current regs are only an IRET frame (get_reg(), 5.10+;
 * "unwind through NMI entry").  *have says whether there was one. */
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
 * forked_ip_minus_1 names the symbol when that kernel looks up ip - 1;
 * stacktrace.c reports it in KS_MODE_KERNEL (unreliable).  Both modes go
 * on with the right lookup so the frames are shown.
 */
static void orc_forked_task_start(struct x86_unwind_state *s)
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
	if (!kernel_signal)
		s->forked_ip_minus_1 = forked_asm ? "ret_from_fork_asm"
						  : "ret_from_fork";
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
	orc_forked_task_start(s);
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
 * lost).  The frame is labelled kretprobe-unrecovered either way in
 * kernel mode.  Strict mode says the truth: the caller from the task's
 * instance (<= 5.10: kretprobe_inst_table, ri->fp = the slot since
 * arch_prepare_kretprobe() records it; 5.11-5.15: the task's list),
 * labelled kretprobe, and the walk goes on from the real caller; only a
 * trampoline without an instance stays unrecovered (hidden caller).
 */
static kaddr_t recover_kretprobe_old(struct x86_unwind_state *s, kaddr_t ip, kaddr_t slot)
{
	int found;
	kaddr_t r;

	if (s->w->mode == KS_MODE_STRICT) {
		r = ks_kretprobe_ret_addr(s->w, ip, slot, &found);
		if (found) {
			s->labels |= KS_LABEL(KRETPROBE);
			/* armed after the graph tracer hijacked the slot: the
			 * instance saved return_to_handler */
			if (r && r == s->k->return_to_handler) {
				kaddr_t g = ks_fgraph_ret_addr(s->w, r, slot, &found);

				s->labels |= found ? KS_LABEL(FTRACE_GRAPH)
						   : KS_LABEL(FTRACE_GRAPH_UNRECOVERED);
				if (found)
					r = g;
			}
			return r;
		}
	}
	s->labels |= KS_LABEL(KRETPROBE_UNRECOVERED);
	return ip;
}

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
		return recover_kretprobe_old(s, ip, slot);
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
	if (s->k->version < KS_VERSION(5, 16, 0))
		return recover_kretprobe_old(s, ip, sp - WORD);
	r = ks_kretprobe_ret_addr(s->w, ip, sp - WORD, &found);
	s->labels |= found ? KS_LABEL(KRETPROBE) : KS_LABEL(KRETPROBE_UNRECOVERED);
	return found ? r : ip;
}

/*
 * unwind_next_frame() (arch/x86/kernel/unwind_orc.c), in the steps the
 * kernel's own comments mark (read in the 6.12 and 7.2 sources; the
 * ORC unwinder has had them since it came in 4.14, ee9f8fce9964):
 *   orc_lookup()        find the entry, or the frame-pointer guess;
 *   orc_prev_sp()       "Find the previous frame's stack" (sp_reg);
 *   orc_find_ip()       "Find IP, SP and possibly regs" (type);
 *   orc_find_bp()       "Find BP" (bp_reg);
 *   orc_check_direction() "Prevent a recursive loop due to bad ORC data".
 * Each returns 0 to go on, -1 where the kernel jumps to err or the_end.
 */

/*
 * The entry: a call frame's ip is a return address, so the kernel looks
 * up the call itself (ip - 1); a signal frame's ip is the interrupted
 * instruction.
 */
static int orc_lookup(struct x86_unwind_state *s, struct x86_orc *orc)
{
	const struct ks_kernel *k = s->k;
	kaddr_t orig_ip = s->ip;
	char err[KS_MSG_LEN];
	int found;

	if (x86_orc_find(s->k, s->signal ? s->ip : s->ip - 1, orc, &found,
			 err, sizeof(err)))
		return x86_unwind_fail(s, KS_RULE_DUMP_UNREADABLE, "%s", err);
	if (!found) {
		/*
		 * ORC_NO_ENTRY: no entry (BPF, generated code, a module built
		 * without objtool).  Since ae6a45a08689 ("x86/unwind/orc: Fall
		 * back to using frame pointers for generated code", 5.2) the
		 * kernel guesses a frame-pointer frame and sets state->error,
		 * so the reliable walk fails here; we keep following the guess
		 * to show the frames the unwinder finds (before 5.2 it stopped
		 * at once: same verdict).
		 */
		x86_unwind_set_error(s, KS_RULE_ORC_NO_ENTRY,
				     "no ORC entry for %#llx",
				     (unsigned long long)orig_ip);
		x86_orc_fp_entry(orc);
		return 0;
	}
	if (orc->type == X86_ORC_TYPE_UNDEFINED) {
		/*
		 * ORC_UNDEFINED vs the end: v3+ (6.4) has UNDEFINED and
		 * END_OF_STACK types; v1/v2 say it with sp_reg UNDEFINED and
		 * the end bit, which 4.18 introduced ("Detect the end of the
		 * stack").  Before 4.18 sp_reg UNDEFINED always meant the end.
		 */
		if (k->version < KS_VERSION(4, 18, 0))
			return x86_unwind_end(s);
		return x86_unwind_fail(s, KS_RULE_ORC_UNDEFINED,
				       "ORC entry for %#llx is UNDEFINED",
				       (unsigned long long)orig_ip);
	}
	if (orc->type == X86_ORC_TYPE_END_OF_STACK)
		return x86_unwind_end(s);
	return 0;
}

/* The pt_regs member behind a register only pt_regs can give (R10,
 * R13, DI, DX, AX), -1 for the others. */
static long pt_regs_offset(const struct x86_layout *l, enum x86_orc_reg r)
{
	switch (r) {
	case X86_ORC_REG_R10:
		return l->r_r10;
	case X86_ORC_REG_R13:
		return l->r_r13;
	case X86_ORC_REG_DI:
		return l->r_di;
	case X86_ORC_REG_DX:
		return l->r_dx;
	case X86_ORC_REG_AX:
		return l->r_ax;
	default:
		return -1;
	}
}

/* sp from such a register, through get_reg(); ORC_BAD_SP_REG when no
 * pt_regs give it. */
static int sp_from_pt_regs(struct x86_unwind_state *s,
			   const struct x86_orc *orc, kaddr_t orig_ip,
			   kaddr_t *sp)
{
	uint64_t v;
	int have;

	if (get_reg(s, pt_regs_offset(&s->p->l, orc->sp_reg), &v, &have))
		return -1;
	if (!have)
		return x86_unwind_fail(s, KS_RULE_ORC_BAD_SP_REG,
				       "missing %s value at %#llx",
				       x86_orc_reg_name(orc->sp_reg),
				       (unsigned long long)orig_ip);
	*sp = v;
	return 0;
}

/*
 * "Find the previous frame's stack": sp_reg + sp_offset; the _INDIRECT
 * registers read it from the stack; R10, R13, DI, DX and AX only
 * pt_regs can give (get_reg()).
 */
static int orc_prev_sp(struct x86_unwind_state *s, const struct x86_orc *orc,
		       kaddr_t orig_ip, kaddr_t *sp)
{
	int indirect = 0;
	uint64_t v;

	switch (orc->sp_reg) {
	case X86_ORC_REG_SP:
		*sp = add_off(s->sp, orc->sp_offset);
		break;
	case X86_ORC_REG_BP:
		*sp = add_off(s->bp, orc->sp_offset);
		break;
	case X86_ORC_REG_SP_INDIRECT:
		*sp = sp_indirect_new(s->k) ? s->sp : add_off(s->sp, orc->sp_offset);
		indirect = 1;
		break;
	case X86_ORC_REG_BP_INDIRECT:
		*sp = add_off(s->bp, orc->sp_offset);
		indirect = 1;
		break;
	case X86_ORC_REG_R10:
	case X86_ORC_REG_R13:
	case X86_ORC_REG_DI:
	case X86_ORC_REG_DX:
	case X86_ORC_REG_AX:
		return sp_from_pt_regs(s, orc, orig_ip, sp);
	default:
		return x86_unwind_fail(s, KS_RULE_ORC_BAD_SP_REG,
				       "unknown SP base reg %u at %#llx",
				       orc->raw_sp_reg, (unsigned long long)orig_ip);
	}
	if (!indirect)
		return 0;
	if (deref_stack_reg(s, *sp, &v, "indirect stack pointer", orig_ip))
		return -1;
	*sp = v;
	if (orc->sp_reg == X86_ORC_REG_SP_INDIRECT && sp_indirect_new(s->k))
		*sp = add_off(*sp, orc->sp_offset);
	return 0;
}

/* ORC_TYPE_CALL: the return address sits just below the previous sp. */
static int orc_call_frame(struct x86_unwind_state *s, kaddr_t sp,
			  kaddr_t orig_ip)
{
	kaddr_t ip_p = sp - WORD;
	uint64_t v;

	if (deref_stack_reg(s, ip_p, &v, "return address", orig_ip))
		return -1;
	s->raw_ip = v;
	s->slot = ip_p;
	s->ip = x86_recover_ret_addr(s, v, ip_p);
	s->sp = sp;
	s->regs = 0;
	s->prev_regs = 0;
	return 0;
}

/* ip and sp of the interrupted context from the pt_regs at regs (the
 * full ones or, for REGS_PARTIAL, the IRET frame part). */
static int orc_read_regs_ip_sp(struct x86_unwind_state *s, kaddr_t regs)
{
	const struct x86_layout *l = &s->p->l;
	uint64_t v;

	if (x86_read_stack(s, regs + (kaddr_t)l->r_ip, &v))
		return -1;
	s->raw_ip = v;
	s->slot = regs + (kaddr_t)l->r_ip;
	if (x86_read_stack(s, regs + (kaddr_t)l->r_sp, &v))
		return -1;
	s->sp = v;
	s->ip = recover_regs(s, s->raw_ip, s->sp);
	return 0;
}

/* ORC_TYPE_REGS: deref_stack_regs(), the whole pt_regs must be on the
 * stack. */
static int orc_regs_frame(struct x86_unwind_state *s, kaddr_t sp,
			  kaddr_t orig_ip)
{
	if (!x86_on_stack(s, sp, (uint64_t)s->p->l.regs_size))
		return orc_off_stack(s, "pt_regs", sp, orig_ip);
	if (orc_read_regs_ip_sp(s, sp))
		return -1;
	s->regs = sp;
	s->prev_regs = 0;
	s->full_regs = 1;
	return 0;
}

/* ORC_TYPE_REGS_PARTIAL: deref_stack_iret_regs(), only the IRET frame
 * (ip, cs, flags, sp, ss) is there; regs = sp - offsetof(ip).  The last
 * full regs stay for get_reg(). */
static int orc_iret_frame(struct x86_unwind_state *s, kaddr_t sp,
			  kaddr_t orig_ip)
{
	const struct x86_layout *l = &s->p->l;
	uint64_t iret_size = (uint64_t)(l->regs_size - l->r_ip);
	kaddr_t regs = sp - (kaddr_t)l->r_ip;

	if (!x86_on_stack(s, sp, iret_size))
		return orc_off_stack(s, "IRET frame", sp, orig_ip);
	if (orc_read_regs_ip_sp(s, regs))
		return -1;
	if (s->full_regs)
		s->prev_regs = s->regs;
	s->regs = regs;
	s->full_regs = 0;
	return 0;
}

/* "Find IP, SP and possibly regs", by the entry's type. */
static int orc_find_ip(struct x86_unwind_state *s, const struct x86_orc *orc,
		       kaddr_t sp, kaddr_t orig_ip)
{
	switch (orc->type) {
	case X86_ORC_TYPE_CALL:
		return orc_call_frame(s, sp, orig_ip);
	case X86_ORC_TYPE_REGS:
		return orc_regs_frame(s, sp, orig_ip);
	case X86_ORC_TYPE_REGS_PARTIAL:
		return orc_iret_frame(s, sp, orig_ip);
	default:	/* ORC_BAD_TYPE */
		return x86_unwind_fail(s, KS_RULE_ORC_BAD_TYPE,
				       "unknown ORC entry type %u at %#llx",
				       orc->raw_type, (unsigned long long)orig_ip);
	}
}

/* "Find BP": from pt_regs when bp_reg is UNDEFINED (if there are any),
 * else saved at the previous sp or the current bp plus bp_offset. */
static int orc_find_bp(struct x86_unwind_state *s, const struct x86_orc *orc,
		       kaddr_t sp, kaddr_t orig_ip)
{
	kaddr_t addr;
	uint64_t v;
	int have;

	switch (orc->bp_reg) {
	case X86_ORC_REG_UNDEFINED:
		if (get_reg(s, s->p->l.r_bp, &v, &have))
			return -1;
		if (have)
			s->bp = v;
		return 0;
	case X86_ORC_REG_PREV_SP:
		addr = add_off(sp, orc->bp_offset);
		break;
	case X86_ORC_REG_BP:
		addr = add_off(s->bp, orc->bp_offset);
		break;
	default:	/* ORC_BAD_BP_REG */
		return x86_unwind_fail(s, KS_RULE_ORC_BAD_BP_REG,
				       "unknown BP base reg %u for ip %#llx",
				       orc->raw_bp_reg, (unsigned long long)orig_ip);
	}
	if (deref_stack_reg(s, addr, &v, "saved bp", orig_ip))
		return -1;
	s->bp = v;
	return 0;
}

/* ORC_WRONG_DIRECTION: "Prevent a recursive loop due to bad ORC data"
 * -- on the same stack the new sp must be above the old. */
static int orc_check_direction(struct x86_unwind_state *s, kaddr_t prev_sp,
			       kaddr_t orig_ip)
{
	if (x86_on_stack(s, s->sp, WORD) && x86_on_stack(s, prev_sp, 1) &&
	    s->sp <= prev_sp)
		return x86_unwind_fail(s, KS_RULE_ORC_WRONG_DIRECTION,
				       "stack going in the wrong direction at %#llx (sp %#llx <= %#llx)",
				       (unsigned long long)orig_ip,
				       (unsigned long long)s->sp,
				       (unsigned long long)prev_sp);
	return 0;
}

/* 1: moved to the previous frame (after ORC_NO_ENTRY with the error
 * set); 0: not moved, done -- x86_unwind_error() says whether on an
 * error. */
int x86_orc_unwind_next(struct x86_unwind_state *s)
{
	kaddr_t orig_ip = s->ip, prev_sp = s->sp, sp = 0;
	struct x86_orc orc;

	if (x86_unwind_done(s))
		return 0;
	s->labels = 0;
	s->slot = 0;
	if (x86_unwind_user_regs_end(s) || orc_lookup(s, &orc))
		return 0;
	/* 6.3+: the entry says whether the frame above is a signal frame;
	 * before, REGS / REGS_PARTIAL implied it (decoded the same way). */
	s->signal = orc.signal;
	if (orc_prev_sp(s, &orc, orig_ip, &sp) ||
	    orc_find_ip(s, &orc, sp, orig_ip) ||
	    orc_find_bp(s, &orc, sp, orig_ip) ||
	    orc_check_direction(s, prev_sp, orig_ip))
		return 0;
	return 1;
}
