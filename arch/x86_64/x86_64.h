/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 internals shared by arch.c, orc.c and the two unwinders: the
 * layouts probe() finds, the ORC entry in its decoded form and the
 * unwinder state, shaped like the kernel's struct unwind_state
 * (arch/x86/include/asm/unwind.h) so each rule sits where the kernel
 * applies it.
 */
#ifndef KLPSTACK_X86_64_H
#define KLPSTACK_X86_64_H

#include "../../src/core.h"

/*
 * ORC format versions (numbering as drgn's libdrgn/orc.h; the kernel has
 * no such number):
 *   1  v4.14 - v6.2   ee9f8fce9964: type:2, bit 10 "end" (from 4.18)
 *   2  v6.3           ffb1b4a41016: type:2, bit 10 "signal", bit 11 "end"
 *   3  v6.4 - v7.0    fb799447ae29: type:3 (UNDEFINED, END_OF_STACK, CALL,
 *                     REGS, REGS_PARTIAL), bit 11 "signal"
 *   4  v7.1+          1735858caa4b: as 3 with renumbered registers
 */
#define X86_ORC_V1 1
#define X86_ORC_V2 2
#define X86_ORC_V3 3
#define X86_ORC_V4 4

/* Decoded types: the v3+ numbering, which has all five. */
enum x86_orc_type {
	X86_ORC_TYPE_UNDEFINED = 0,
	X86_ORC_TYPE_END_OF_STACK = 1,
	X86_ORC_TYPE_CALL = 2,
	X86_ORC_TYPE_REGS = 3,
	X86_ORC_TYPE_REGS_PARTIAL = 4,
	X86_ORC_TYPE_BAD = 5,	/* a value no version defines */
};

/* Decoded registers: our own numbering, independent of the version. */
enum x86_orc_reg {
	X86_ORC_REG_UNDEFINED,
	X86_ORC_REG_PREV_SP,
	X86_ORC_REG_DX,
	X86_ORC_REG_DI,
	X86_ORC_REG_BP,
	X86_ORC_REG_SP,
	X86_ORC_REG_R10,
	X86_ORC_REG_R13,
	X86_ORC_REG_BP_INDIRECT,
	X86_ORC_REG_SP_INDIRECT,
	X86_ORC_REG_AX,
	X86_ORC_REG_BAD,	/* a number the version does not define */
};

/* struct orc_entry is 6 packed bytes in every version. */
#define X86_ORC_ENTRY_SIZE 6

struct x86_orc {
	int16_t sp_offset;
	int16_t bp_offset;
	enum x86_orc_reg sp_reg;
	enum x86_orc_reg bp_reg;
	enum x86_orc_type type;
	int signal;
	unsigned raw_sp_reg, raw_bp_reg, raw_type;	/* for messages */
};

void x86_orc_decode(int version, const unsigned char raw[X86_ORC_ENTRY_SIZE],
		    struct x86_orc *out);
int x86_orc_encode(int version, const struct x86_orc *in,
		   unsigned char raw[X86_ORC_ENTRY_SIZE]);
const char *x86_orc_reg_name(enum x86_orc_reg r);
int x86_orc_reg_parse(const char *s, enum x86_orc_reg *out);
const char *x86_orc_type_name(enum x86_orc_type t);
int x86_orc_type_parse(const char *s, enum x86_orc_type *out);
/* .orc_header hash for a version (2..4), NULL for version 1. */
const unsigned char *x86_orc_header_hash(int version);
#define X86_ORC_HEADER_SIZE 20

/* One ORC table (vmlinux or a module), cached from dump memory. */
struct x86_orc_table {
	kaddr_t ip_table;	/* int orc_unwind_ip[] (self-relative) */
	kaddr_t orc_table;	/* struct orc_entry orc_unwind[] */
	uint32_t num;
	int loaded;		/* 1 ok, -1 failed to read */
	int32_t *ips;		/* raw self-relative offsets */
	unsigned char *orcs;	/* raw entries */
	char name[KS_MOD_LEN];
};

/* Layout facts read once by probe(). */
struct x86_layout {
	/* struct pt_regs */
	long regs_size, r_ip, r_cs, r_sp, r_bp, r_flags, r_orig_ax;
	long r_r10, r_r13, r_di, r_dx, r_ax;
	/* struct inactive_task_frame */
	long itf_size, itf_bp, itf_ret_addr;
	/* struct ftrace_ops (dynamic trampolines) */
	long ops_next, ops_flags, ops_tramp, ops_tramp_size;
	/* struct module (ORC in modules) */
	long mod_arch, arch_orc_ip, arch_orc, arch_num_orcs;
};

enum x86_unwinder { X86_UNWINDER_ORC, X86_UNWINDER_FP };

/* A dynamic ftrace trampoline (ftrace_ops.trampoline, x86 4.x+). */
struct x86_ftrace_tramp {
	kaddr_t start, end;
	int save_regs;		/* FTRACE_OPS_FL_SAVE_REGS */
};

struct x86_priv {
	enum x86_unwinder unwinder;
	int orc_version;
	char orc_version_from[48];	/* how the version was decided */
	struct x86_layout l;
	kaddr_t ret_from_fork, ret_from_fork_asm;
	/* __unwind_start() compares a never-run task's ip with
	 * ret_from_fork_asm (1), ret_from_fork (0), or the code does not
	 * tell (-1): see x86_forked_check_is_asm() */
	int forked_check_asm;
	kaddr_t stext, etext;
	/* TOP_OF_KERNEL_STACK_PADDING: 16 with CONFIG_X86_FRED, else 0 */
	kaddr_t top_of_stack_padding;
	kaddr_t sinittext, einittext;
	kaddr_t ftrace_caller, ftrace_regs_caller, ftrace_call, ftrace_regs_call;
	int tramps_loaded;	/* 0 not yet, 1 ok, -1 failed */
	struct x86_ftrace_tramp *tramps;
	int ntramps;
	struct x86_orc_table vmlinux;
	int modules_loaded;	/* 0 not yet, 1 ok, -1 failed */
	struct x86_orc_table *mods;
	int nmods;
	char modules_error[KS_MSG_LEN];
};

static inline struct x86_priv *x86_priv(const struct ks_kernel *k)
{
	return (struct x86_priv *)k->arch_priv;
}

/* orc.c: the entry for ip, as orc_find() returns it: 0 with *found (0
 * is the kernel's NULL), -1 the dump lacks the table (message in err). */
int x86_orc_find(struct ks_kernel *k, kaddr_t ip, struct x86_orc *out,
		 int *found, char *err, size_t errlen);
/* orc_fp_entry: the entry of a frame-pointer frame (CALL, sp = bp + 16,
 * bp saved at sp - 16): ORC's guess for code without an entry (5.2+),
 * and 7.x's entry for a BPF program's body. */
void x86_orc_fp_entry(struct x86_orc *out);
void x86_orc_release(struct x86_priv *p);
/* __kernel_text_address() beyond what the target calls text: init text
 * (kept as text after boot, kernel/extable.c) and dynamic ftrace
 * trampolines (is_ftrace_trampoline()). */
int x86_extra_text(const struct ks_kernel *k, kaddr_t ip);
/* probe(): vmlinux tables and the format version. */
int x86_orc_probe(struct ks_kernel *k, struct x86_priv *p, char *err,
		  size_t errlen);

/*
 * The unwinder state, fields as in the kernel's struct unwind_state
 * (arch/x86/include/asm/unwind.h); err is the kernel's state->error with
 * the rule naming where it was set and the message (src/core.h).
 *
 * One convention for the unwinders (unwind_orc.c, unwind_frame.c) and
 * the helpers they share (stacktrace.c), as the kernel's iterator:
 *   - next() returns 1 when it moved to another frame, 0 when not; the
 *     caller then asks x86_unwind_done() and x86_unwind_error();
 *   - a helper returning int gives 0 to go on and -1 when the walk
 *     stops there: done is set and, unless it is the end of the stack,
 *     the error is recorded in err (a rule, or KS_RULE_DUMP_UNREADABLE
 *     for a read the dump cannot serve);
 *   - predicates (x86_on_stack(), *_ok(), is_*()) return 1 or 0 and
 *     cannot fail;
 *   - only stacktrace.c reports on the walk (ks_walk_*).
 * error() without done happens once: ORC's frame-pointer guess after
 * ORC_NO_ENTRY goes on, as the kernel's does.
 */
struct x86_unwind_state {
	struct ks_walk *w;
	struct ks_kernel *k;
	struct x86_priv *p;
	kaddr_t stack_begin, stack_end;	/* the task stack: the only valid one */
	int done;
	struct ks_unwind_error err;
	kaddr_t ip;		/* as reported (recovered) */
	kaddr_t raw_ip;		/* as read */
	kaddr_t slot;		/* where raw_ip was read, 0 = none */
	unsigned labels;	/* recovery labels of the current frame */
	kaddr_t sp, bp;
	kaddr_t regs;		/* current pt_regs, 0 = none */
	/* ORC only */
	int full_regs;
	kaddr_t prev_regs;
	int signal;
	/* ORC_FORKED_TASK: the symbol a never-run task starts at when this
	 * kernel looks up ip - 1 there, NULL otherwise */
	const char *forked_ip_minus_1;
	/* frame pointer only: the first frame, 0 before it (the kernel keeps
	 * it for unwind_dump() and tests it as "not the first frame") */
	kaddr_t orig_sp;
};

/* Stack bounds of the walked task (on_stack()). */
static inline int x86_on_stack(const struct x86_unwind_state *s, kaddr_t addr,
			       uint64_t len)
{
	return addr >= s->stack_begin && addr < s->stack_end &&
	       addr + len > addr && addr + len <= s->stack_end;
}

static inline int x86_unwind_done(const struct x86_unwind_state *s)
{
	return s->done;
}

static inline int x86_unwind_error(const struct x86_unwind_state *s)
{
	return ks_unwind_error_is_set(&s->err);
}

/* The end of the stack ("goto the_end"): done without an error; -1. */
static inline int x86_unwind_end(struct x86_unwind_state *s)
{
	s->done = 1;
	return -1;
}

/* stacktrace.c: the helpers the unwinders share. */
/* state->error = true: record the first error, the walk goes on. */
void x86_unwind_set_error(struct x86_unwind_state *s, enum ks_rule rule,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "goto err": record the first error and stop; -1.  (s is a plain
 * variable at every use.) */
#define x86_unwind_fail(s, ...) \
	(x86_unwind_set_error((s), __VA_ARGS__), x86_unwind_end(s))
/* A stack word; the dump lacking it stops the walk. */
int x86_read_stack(struct x86_unwind_state *s, kaddr_t addr, uint64_t *val);
/* user_mode() of the pt_regs at regs, into *user. */
int x86_regs_user_mode(struct x86_unwind_state *s, kaddr_t regs, int *user);
/* "End-of-stack check for user tasks" at the top of both unwinders'
 * unwind_next_frame(): user-mode regs end the walk. */
int x86_unwind_user_regs_end(struct x86_unwind_state *s);

/* unwind_recover_ret_addr() (asm/unwind.h), shared by both unwinders:
 * fgraph in every version (key = the return-address slot); kretprobe /
 * rethook from 5.16, before which the trampoline stays in the trace
 * (text: the frame-pointer walk calls it reliable with the caller
 * missing, dynup/kpatch#67) and is labelled kretprobe-unrecovered. */
kaddr_t x86_recover_ret_addr(struct x86_unwind_state *s, kaddr_t ip, kaddr_t slot);

/* The two unwinders: start / next (done and error above). */
void x86_orc_unwind_start(struct x86_unwind_state *s, struct ks_walk *w);
int x86_orc_unwind_next(struct x86_unwind_state *s);
void x86_fp_unwind_start(struct x86_unwind_state *s, struct ks_walk *w);
int x86_fp_unwind_next(struct x86_unwind_state *s);

/* stacktrace.c */
void x86_walk_reliable(struct ks_walk *w);

#endif
