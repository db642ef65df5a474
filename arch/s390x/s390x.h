/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s390x private contract between arch.c (layouts from type info),
 * unwind_bc.c (the back-chain unwinder) and stacktrace.c (the reliable
 * walker).  Nothing here is visible to the core.
 */
#ifndef KLPSTACK_S390X_H
#define KLPSTACK_S390X_H

#include "../../src/core.h"

/*
 * arch/s390/include/uapi/asm/ptrace.h: STACK_FRAME_OVERHEAD is 160 on
 * 64-bit in every version; unwind_bc.c finds the pt_regs of an entry
 * frame at sp + STACK_FRAME_OVERHEAD (5.2+).
 */
#define S390X_STACK_FRAME_OVERHEAD 160
/* arch/s390/include/asm/ptrace.h: user_mode() tests this PSW bit. */
#define S390X_PSW_MASK_PSTATE 0x0001000000000000ull
/* asm/thread_info.h: THREAD_SIZE = PAGE_SIZE << THREAD_SIZE_ORDER (2),
 * 16 KiB; 64 KiB with KASAN/KMSAN (the task says which). */
#define S390X_THREAD_SIZE 16384

/*
 * Layouts read from type info once per kernel (arch.c), kept in
 * k->arch_priv.  Offsets are in bytes.
 */
struct s390x_layout {
	/* struct stack_frame: the kernel is built with -mpacked-stack
	 * -mbackchain, so back_chain is the last word (152) and
	 * gprs[10] = r6..r15 start at 72.  The user/ABI layout
	 * (stack_frame_user) has back_chain at 0 and gprs at 48. */
	long sf_back_chain;
	long sf_gprs;
	long sf_r14;		/* sf_gprs + 8 * (14 - 6) */
	long sf_size;		/* sizeof(struct stack_frame) */
	int sf_from_types;	/* 1 if both offsets came from type info */
	/* struct pt_regs { args[1]; psw_t psw; gprs[16]; ... } */
	long regs_psw_mask;
	long regs_psw_addr;
	long regs_gprs;
	long regs_r15;		/* regs_gprs + 8 * 15 */
	long regs_size;		/* sizeof(struct pt_regs) */
	int regs_from_types;
};

static inline const struct s390x_layout *s390x_layout(const struct ks_kernel *k)
{
	return (const struct s390x_layout *)k->arch_priv;
}

/* Which rules the unwinder follows (chosen from the kernel version). */
enum s390x_rules {
	/* The 2019 reliable unwinder (Miroslav Benes, v1 2019-07-10) as a
	 * distro would backport it onto 5.2-5.4: separate start/next,
	 * task stack only, pt_regs only at the stack top, user mode
	 * required for user tasks, idle tasks' nodat back chain. */
	S390X_RULES_2019,
	/* Mainline 5.5+: the normal unwinder, reliability decided per frame
	 * by arch_stack_walk_reliable(). */
	S390X_RULES_5_5,
};

enum s390x_stack_type {
	S390X_STACK_UNKNOWN,	/* unwind_done() */
	S390X_STACK_TASK,
};

/*
 * The kernel's struct unwind_state (arch/s390/include/asm/unwind.h) plus
 * what a report needs about each frame (raw value, where it was read,
 * recovery labels).
 */
struct s390x_unwind_state {
	struct ks_walk *w;
	const struct s390x_layout *lay;
	enum s390x_rules rules;

	/* struct stack_info + stack_mask */
	enum s390x_stack_type type;
	kaddr_t begin, end;
	unsigned long visit_mask;

	/* the current frame */
	kaddr_t sp;
	kaddr_t ip;		/* after recovery */
	kaddr_t raw_ip;		/* as read */
	kaddr_t slot;		/* where raw_ip was read */
	kaddr_t regs;		/* pt_regs this frame's ip came from, or 0 */
	unsigned labels;	/* recovery labels of this frame */

	struct ks_unwind_error err;	/* unwind_error(), the first one */
	kaddr_t final_regs;	/* pt_regs at the stack top the walk ended on */
	int steps;		/* bound on unwind_next_frame() calls */
};

void s390x_unwind_start(struct s390x_unwind_state *st, struct ks_walk *w,
			enum s390x_rules rules);
/* 1: moved to another frame; 0: done, then s390x_unwind_error() tells
 * whether it ended on an error (recorded in st->err). */
int s390x_unwind_next_frame(struct s390x_unwind_state *st);

static inline int s390x_unwind_done(const struct s390x_unwind_state *st)
{
	return st->type == S390X_STACK_UNKNOWN;
}

static inline int s390x_unwind_error(const struct s390x_unwind_state *st)
{
	return ks_unwind_error_is_set(&st->err);
}

/* arch_stack_walk_reliable() (stacktrace.c), the ops table's walker. */
void s390x_walk_reliable(struct ks_walk *w);

/* Read psw.mask of a pt_regs; 0 ok, -1 unreadable. */
int s390x_read_psw_mask(const struct ks_kernel *k, kaddr_t regs,
			uint64_t *mask);

#endif
