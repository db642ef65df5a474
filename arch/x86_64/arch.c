/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64: probe (unwinder, ORC format, layouts) and the ops table.  The
 * pre-baked stack directives that build ORC tables are outside the core
 * (with the test target's loader, test builds only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x86_64.h"

/* THREAD_SIZE = PAGE_SIZE << (2 + KASAN_STACK_ORDER): 16 KiB without
 * KASAN (arch/x86/include/asm/page_64_types.h, 4.x-7.x). */
#define X86_THREAD_SIZE 16384

/*
 * Layouts from type information, with the x86_64 values of 4.x-7.x as
 * fallbacks (arch/x86/include/asm/ptrace.h, switch_to.h):
 *   struct pt_regs: r15 0, r14 8, r13 16, r12 24, bp 32, bx 40, r11 48,
 *     r10 56, r9 64, r8 72, ax 80, cx 88, dx 96, si 104, di 112,
 *     orig_ax 120, ip 128, cs 136, flags 144, sp 152, ss 160; size 168
 *     (6.9+ FRED turns cs/ss into unions: same offsets).
 *   struct inactive_task_frame: r15 0, r14 8, r13 16, r12 24, bx 32,
 *     bp 40, ret_addr 48; size 56.  (Some 4.x releases also had a
 *     "flags" slot on x86_64: type info decides.)
 */
static void probe_layout(const struct ks_kernel *k, struct x86_layout *l)
{
	l->regs_size = ks_type_size(k, "pt_regs", 168);
	l->r_ip = ks_offset(k, "pt_regs", "ip", 128);
	l->r_cs = ks_offset(k, "pt_regs", "cs", 136);
	l->r_flags = ks_offset(k, "pt_regs", "flags", 144);
	l->r_sp = ks_offset(k, "pt_regs", "sp", 152);
	l->r_bp = ks_offset(k, "pt_regs", "bp", 32);
	l->r_orig_ax = ks_offset(k, "pt_regs", "orig_ax", 120);
	l->r_r10 = ks_offset(k, "pt_regs", "r10", 56);
	l->r_r13 = ks_offset(k, "pt_regs", "r13", 16);
	l->r_di = ks_offset(k, "pt_regs", "di", 112);
	l->r_dx = ks_offset(k, "pt_regs", "dx", 96);
	l->r_ax = ks_offset(k, "pt_regs", "ax", 80);

	l->itf_size = ks_type_size(k, "inactive_task_frame", 56);
	l->itf_bp = ks_offset(k, "inactive_task_frame", "bp", 40);
	l->itf_ret_addr = ks_offset(k, "inactive_task_frame", "ret_addr", 48);

	/* struct ftrace_ops: no fallbacks either (config dependent) */
	l->ops_next = ks_offset(k, "ftrace_ops", "next", -1);
	l->ops_flags = ks_offset(k, "ftrace_ops", "flags", -1);
	l->ops_tramp = ks_offset(k, "ftrace_ops", "trampoline", -1);
	l->ops_tramp_size = ks_offset(k, "ftrace_ops", "trampoline_size", -1);

	/* struct module: no fallbacks, the layout moves with every config;
	 * without type info module addresses simply have no ORC entry. */
	l->mod_arch = ks_offset(k, "module", "arch", -1);
	l->arch_orc_ip = ks_offset(k, "mod_arch_specific", "orc_unwind_ip", -1);
	l->arch_orc = ks_offset(k, "mod_arch_specific", "orc_unwind", -1);
	l->arch_num_orcs = ks_offset(k, "mod_arch_specific", "num_orcs", -1);
}

static int layout_sane(const struct x86_layout *l, char *err, size_t errlen)
{
	if (l->regs_size < 64 || l->regs_size > 4096 ||
	    l->r_ip < 0 || l->r_cs < 0 || l->r_sp < 0 || l->r_bp < 0 ||
	    l->r_ip + 8 > l->regs_size || l->r_cs + 8 > l->regs_size ||
	    l->r_sp + 8 > l->regs_size || l->r_bp + 8 > l->regs_size) {
		snprintf(err, errlen, "x86_64: struct pt_regs layout is implausible");
		return -1;
	}
	if (l->itf_size < 16 || l->itf_size > 256 || l->itf_bp < 0 ||
	    l->itf_ret_addr < 0 || l->itf_bp + 8 > l->itf_size ||
	    l->itf_ret_addr + 8 > l->itf_size) {
		snprintf(err, errlen,
			 "x86_64: struct inactive_task_frame layout is implausible");
		return -1;
	}
	return 0;
}

/*
 * Does the x86 code of [start, start + len) refer to target?  Either as a
 * RIP-relative displacement ending an instruction (lea/mov/cmp with
 * target(%rip)) or as a sign-extended 32-bit absolute (the kernel is
 * built with -mcmodel=kernel: "cmp $target, %reg"); the dump's text has
 * both relocated for KASLR.  A chance match of 4 bytes with a kernel
 * text address inside one function is not a concern.
 */
static int x86_code_refers_to(const unsigned char *code, size_t len,
			      kaddr_t start, kaddr_t target)
{
	for (size_t i = 0; i + 4 <= len; i++) {
		int32_t d = (int32_t)((uint32_t)code[i] | (uint32_t)code[i + 1] << 8 |
				      (uint32_t)code[i + 2] << 16 |
				      (uint32_t)code[i + 3] << 24);
		if (start + i + 4 + (kaddr_t)(int64_t)d == target)
			return 1;
		if ((kaddr_t)(int64_t)d == target)
			return 1;
	}
	return 0;
}

/*
 * Which address __unwind_start() takes for a task that never ran (the
 * ORC_FORKED_TASK rule in unwind_orc.c): "x86: Rewrite ret_from_fork()
 * in C" (6.5) made ret_from_fork_asm the saved return address but the
 * check kept comparing with ret_from_fork, until 3bf19a0fb690
 * ("x86/unwind/orc: Fix unwind for newly forked tasks", 6.13), which the
 * stable trees took back into 6.12.x (6.12.117 has it) and vendors into
 * older lines.  The kernel's own code says which one it compares with;
 * 1 ret_from_fork_asm, 0 ret_from_fork, -1 the code does not tell.
 */
static int x86_forked_check_is_asm(const struct ks_kernel *k,
				   const struct x86_priv *p)
{
	unsigned char code[1024];
	size_t len;
	kaddr_t start;
	int asm_ref, plain_ref;

	if (!p->ret_from_fork_asm || !p->ret_from_fork ||
	    ks_function_code(k, "__unwind_start", code, sizeof(code), &len, &start))
		return -1;
	asm_ref = x86_code_refers_to(code, len, start, p->ret_from_fork_asm);
	plain_ref = x86_code_refers_to(code, len, start, p->ret_from_fork);
	if (asm_ref != plain_ref)
		return asm_ref;
	return -1;
}

static int x86_probe(struct ks_kernel *k, char *err, size_t errlen)
{
	struct x86_priv *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->arch_priv = p;
	probe_layout(k, &p->l);
	if (layout_sane(&p->l, err, errlen))
		return -1;
	p->ret_from_fork = ks_symbol(k, "ret_from_fork");
	p->ret_from_fork_asm = ks_symbol(k, "ret_from_fork_asm");
	/* CONFIG_X86_FRED (6.9+) builds the FRED entry points whether or not
	 * the CPU uses FRED, and reserves two words above task_pt_regs() */
	p->top_of_stack_padding = ks_symbol(k, "asm_fred_entrypoint_user") ? 16 : 0;
	p->stext = ks_symbol(k, "_stext");
	p->etext = ks_symbol(k, "_etext");
	if (p->etext <= p->stext)
		p->stext = p->etext = 0;
	p->sinittext = ks_symbol(k, "_sinittext");
	p->einittext = ks_symbol(k, "_einittext");
	if (p->einittext <= p->sinittext)
		p->sinittext = p->einittext = 0;
	p->ftrace_caller = ks_symbol(k, "ftrace_caller");
	p->ftrace_regs_caller = ks_symbol(k, "ftrace_regs_caller");
	p->ftrace_call = ks_symbol(k, "ftrace_call");
	p->ftrace_regs_call = ks_symbol(k, "ftrace_regs_call");

	/* The unwinder the kernel was built with: ORC (UNWINDER_ORC, 4.14+)
	 * has the tables; otherwise frame pointers (UNWINDER_FRAME_POINTER).
	 * UNWINDER_GUESS kernels have no reliable walker, which the core
	 * sees from the missing arch_stack_walk_reliable. */
	if (ks_symbol(k, "__start_orc_unwind_ip")) {
		p->unwinder = X86_UNWINDER_ORC;
		p->forked_check_asm = x86_forked_check_is_asm(k, p);
		return x86_orc_probe(k, p, err, errlen);
	}
	p->unwinder = X86_UNWINDER_FP;
	return 0;
}

static void x86_release(struct ks_kernel *k)
{
	struct x86_priv *p = x86_priv(k);

	if (!p)
		return;
	x86_orc_release(p);
	free(p);
	k->arch_priv = NULL;
}

/* "orc" or "frame-pointer" (the contract in core.h); the ORC format
 * version and how it was decided are in x86_priv(k) for diagnostics. */
static const char *x86_unwinder_name(const struct ks_kernel *k)
{
	const struct x86_priv *p = x86_priv(k);

	if (!p)
		return "unknown";
	return p->unwinder == X86_UNWINDER_FP ? "frame-pointer" : "orc";
}

const struct ks_arch_ops ks_arch_x86_64 = {
	.id = KS_ARCH_X86_64,
	.name = "x86_64",
	.big_endian = 0,
	.default_thread_size = X86_THREAD_SIZE,
	.probe = x86_probe,
	.release = x86_release,
	.unwinder_name = x86_unwinder_name,
	.walk_reliable = x86_walk_reliable,
	.extra_text = x86_extra_text,
};
