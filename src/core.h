/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal contract between the arch-neutral core (src/) and the
 * architectures' rules (arch/<arch>/).  Arch code sees the kernel facts,
 * reads memory through the checked helpers below and reports frames and
 * rule failures through the walk.
 */
#ifndef KLPSTACK_CORE_H
#define KLPSTACK_CORE_H

#include <stdarg.h>
#include "klpstack.h"
#include "symbols.h"

struct ks_walk;

/* One small ops table per architecture (arch/<arch>/arch.c). */
struct ks_arch_ops {
	enum ks_arch_id id;
	const char *name;
	int big_endian;
	uint64_t default_thread_size;
	/* Fill the arch part of the kernel facts (unwinder kind, layouts,
	 * tables).  0 ok, -1 with a message. */
	int (*probe)(struct ks_kernel *k, char *err, size_t errlen);
	void (*release)(struct ks_kernel *k);
	/* Name of the unwinder chosen by probe ("orc", "frame-pointer",
	 * "back-chain"). */
	const char *(*unwinder_name)(const struct ks_kernel *k);
	/* The arch's arch_stack_walk_reliable(): start the unwinder on
	 * w->task, emit every frame with ks_walk_emit(), record the first
	 * failed rule with ks_walk_unreliable() and dump problems with
	 * ks_walk_dump_error(). */
	void (*walk_reliable)(struct ks_walk *w);
	/* Optional: text only the arch knows of (x86: dynamic ftrace
	 * trampolines); the one answer for every target. */
	int (*extra_text)(const struct ks_kernel *k, kaddr_t addr);
};

extern const struct ks_arch_ops ks_arch_x86_64;
extern const struct ks_arch_ops ks_arch_s390x;

/* Where the shadow stack of the function-graph tracer and the
 * kretprobe instances live, by kernel version (doc/kernel-rules.md §5, §6). */
enum ks_fgraph_layout {
	KS_FGRAPH_NONE,
	KS_FGRAPH_STRUCT_ARRAY,	/* <= 6.10: struct ftrace_ret_stack[], index */
	KS_FGRAPH_WORD_ARRAY,	/* >= 6.11: unsigned long[], word offset */
};

enum ks_kretprobe_store {
	KS_KRETPROBE_NONE,
	KS_KRETPROBE_HASH_TABLE,	/* <= 5.10: kretprobe_inst_table[64] */
	KS_KRETPROBE_TASK_LIST,		/* 5.11+: task->kretprobe_instances */
	KS_KRETPROBE_RETHOOK,		/* x86 5.18+, s390 6.3+: task->rethooks */
};

struct ks_modsyms;

/* A loaded module and the text it owns (src/modules.c). */
struct ks_module {
	char name[KS_MOD_LEN];
	kaddr_t addr;			/* struct module */
	kaddr_t text, text_end;		/* core text, [text, text_end) */
	kaddr_t init_text, init_text_end;	/* init text while initialising */
	/* its kallsyms copy, read on first need (modules.c); NULL until then */
	struct ks_modsyms *syms;
};

/* A JIT-compiled BPF program, trampoline or dispatcher (src/bpf.c). */
struct ks_bpf_ksym {
	char name[KS_SYM_LEN];
	kaddr_t start, end;
	uint32_t fp_start, fp_end;	/* 7.x: where its frame pointer is set */
};

struct ks_kernel {
	const struct ks_target *t;
	const struct ks_arch_ops *arch;
	uint32_t version;
	char release[65];
	int big_endian;
	int has_reliable_stacktrace;	/* arch_stack_walk_reliable exists */
	uint64_t thread_size;		/* THREAD_SIZE */
	kaddr_t init_text_start, init_text_end;	/* _sinittext, _einittext */

	/* trampolines, 0 when absent */
	kaddr_t return_to_handler;
	kaddr_t kretprobe_trampoline;	/* kretprobe_trampoline or __kretprobe_trampoline */
	kaddr_t rethook_trampoline;	/* arch_rethook_trampoline */

	/* function-graph shadow stack */
	enum ks_fgraph_layout fgraph;
	long off_ret_stack;		/* task_struct.ret_stack */
	long off_curr_ret_stack;	/* task_struct.curr_ret_stack */
	long frs_size;			/* sizeof(struct ftrace_ret_stack) */
	long frs_ret;			/* ftrace_ret_stack.ret */
	long frs_retp;			/* ftrace_ret_stack.retp */

	/* kretprobe / rethook instances */
	enum ks_kretprobe_store kretprobe;
	long off_task_kr;		/* task_struct.kretprobe_instances / rethooks */
	long kri_node;			/* offset of the list node in the instance */
	long kri_ret_addr;		/* ret_addr, relative to the list node */
	long kri_fp;			/* fp / frame, relative to the list node */
	long kri_task;			/* task (hash table era), relative to node */
	kaddr_t kretprobe_inst_table;

	/* task_struct layout (tasks.c) */
	struct ks_task_layout {
		long tasks, thread_group, signal, pid, tgid, comm, flags, state;
		long state_size, stack, thread, on_cpu, on_cpu_size, cpu, thread_info_cpu;
		long ksp;	/* within thread_struct */
		long signal_thread_head, thread_node;
		long rq_curr, rq_idle;
	} ts;

	/* the modules list, read once at open (modules.c) */
	struct ks_module *modules;
	int nmodules, modules_cap;
	int modules_state;		/* 1 read, -1 unreadable */
	char modules_error[KS_MSG_LEN];
	/* where a module's kallsyms copy is: module.kallsyms -> struct
	 * mod_kallsyms (4.6+), else the same members in struct module */
	struct ks_modsyms_layout {
		long kallsyms;		/* module.kallsyms, -1 before 4.6 */
		long symtab, num_symtab, strtab;
	} modsyms;

	/* bpf_kallsyms, read once at open (bpf.c) */
	struct ks_bpf_ksym *bpf;
	int nbpf, bpf_cap;
	int bpf_state;			/* 1 read, -1 unreadable */
	int bpf_has_fp_range;		/* struct bpf_ksym has fp_start/fp_end */
	char bpf_error[KS_MSG_LEN];

	void *arch_priv;	/* owned by the arch (e.g. ORC table cache) */
};

/* BPF code (bpf.c): the ksym holding addr, NULL if none. */
void ks_bpf_load(struct ks_kernel *k);
void ks_bpf_free(struct ks_kernel *k);
const struct ks_bpf_ksym *ks_bpf_find(const struct ks_kernel *k, kaddr_t addr);

/* The modules list (modules.c).  ks_modules() gives the list or, when the
 * dump did not let it be read, -1 with the reason. */
void ks_modules_load(struct ks_kernel *k);
void ks_modules_free(struct ks_kernel *k);
int ks_modules(const struct ks_kernel *k, const struct ks_module **mods, int *n,
	       char *err, size_t errlen);
/* Index of the module whose core or init text holds addr, -1 if none. */
int ks_module_text_index(const struct ks_kernel *k, kaddr_t addr);
/* The symbol the kernel names a module address with
 * (find_kallsyms_symbol()): 0 with it, -1 when addr is in no module or no
 * symbol of its module names it, KS_MODSYMS_UNREADABLE when the module's
 * symbols cannot be read (out->module still names the module).  Strings
 * live as long as the kernel. */
#define KS_MODSYMS_UNREADABLE (-2)
int ks_module_symbolize(const struct ks_kernel *k, kaddr_t addr, struct ks_symbol *out);
/* Address of symbol name in module (NULL: every module, in list order,
 * the first that has it), 0 when none has it. */
kaddr_t ks_module_symbol(const struct ks_kernel *k, const char *module, const char *name);

/* The name of addr, vmlinux (the target's symbols) or module (the
 * kernel's own copy, modules.c): 0 ok, -1 none, KS_MODSYMS_UNREADABLE as
 * above. */
int ks_kernel_symbolize(const struct ks_kernel *k, kaddr_t addr, struct ks_symbol *out);

/* Checked reads in the target's byte order.  0 ok, -1 unreadable. */
int ks_read(const struct ks_kernel *k, kaddr_t addr, void *buf, size_t len);
int ks_read_u64(const struct ks_kernel *k, kaddr_t addr, uint64_t *v);
int ks_read_u32(const struct ks_kernel *k, kaddr_t addr, uint32_t *v);
int ks_read_s32(const struct ks_kernel *k, kaddr_t addr, int32_t *v);
int ks_read_u16(const struct ks_kernel *k, kaddr_t addr, uint16_t *v);
uint64_t ks_get_u64(const struct ks_kernel *k, const void *p);
uint32_t ks_get_u32(const struct ks_kernel *k, const void *p);
uint16_t ks_get_u16(const struct ks_kernel *k, const void *p);

/* vmlinux symbol address, 0 when absent. */
kaddr_t ks_symbol(const struct ks_kernel *k, const char *name);
int ks_is_text(const struct ks_kernel *k, kaddr_t addr);
/* Member offset / type size with a documented fallback (-1: none). */
long ks_offset(const struct ks_kernel *k, const char *type,
	       const char *member, long fallback);
long ks_member_size(const struct ks_kernel *k, const char *type,
		    const char *member, long fallback);
long ks_type_size(const struct ks_kernel *k, const char *type, long fallback);
/* The machine code of function name (at most max bytes): 0 ok, -1 when
 * the symbol, its size or its text is not known.  For facts only the
 * code tells (which symbol a check compares with). */
int ks_function_code(const struct ks_kernel *k, const char *name,
		     unsigned char *buf, size_t max, size_t *len, kaddr_t *start);
/* Name of the function containing addr ("" when unknown). */
const char *ks_symbol_name(const struct ks_kernel *k, kaddr_t addr,
			   char *buf, size_t len);

/* Visit every entry of a circular list_head list: head is the address
 * of the list_head, entries are reported as (node - node_off).  visit
 * returns nonzero to stop (passed back).  *budget bounds the steps across
 * calls; a NULL link, a loop or an unreadable node ends with -1 and a
 * message. */
int ks_list_foreach(const struct ks_kernel *k, kaddr_t head, long node_off,
		    int (*visit)(void *arg, kaddr_t entry), void *arg,
		    long *budget, char *err, size_t errlen);

/* One walk of one task: the cookie passed down the arch walker. */
struct ks_walk {
	struct ks_kernel *k;
	const struct ks_task *task;
	enum ks_mode mode;
	struct ks_result *res;
	int consumed;		/* entries the kernel's consume callback took */
	/* recovery cursors, as the kernel keeps them in its unwind state */
	long graph_idx;		/* fgraph: where the next search starts */
	int graph_idx_valid;
	kaddr_t kr_cur;		/* kretprobe/rethook list cursor */
	int stop;		/* set when the walk must end (limit) */
};

/* The kernel's consume callback plus our record of the frame: adds the
 * frame, symbolises it, applies TOO_DEEP (the 100th entry fails, as
 * stack_trace_consume_entry does) and, in strict mode only, turns the
 * FTRACE_GRAPH_UNRECOVERED / KRETPROBE_UNRECOVERED labels into the
 * FGRAPH_UNRECOVERED / KRETPROBE_UNRECOVERED rules.  Kernel-mode
 * consequences of unrecovered trampolines are the arch's to apply.
 * The arch keeps walking after a failed rule (the report shows every
 * frame the unwinder finds, as /proc/PID/stack would) and stops only on
 * an unwinder error or at the end.  Returns the stored frame, or NULL
 * when the walk must stop (klpstack's own frame limit, KS_MAX_FRAMES). */
struct ks_frame *ks_walk_emit(struct ks_walk *w, kaddr_t ip, kaddr_t raw_ip,
			      kaddr_t sp, kaddr_t slot, kaddr_t regs,
			      unsigned labels);
/* Record a failed rule (the first one wins; frame -1 = none). */
void ks_walk_unreliable(struct ks_walk *w, enum ks_rule rule, int frame,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Record that the dump lacks memory the walk needs: verdict ERROR
 * (unless a rule already failed earlier in the walk). */
void ks_walk_dump_error(struct ks_walk *w, int frame, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Was a rule or dump error recorded? */
int ks_walk_failed(const struct ks_walk *w);

/*
 * The first error an arch unwinder met: the kernel's state->error, with
 * the rule that names the place it was set and the report's message.
 * Both arches keep one in their unwind state and follow the kernel's
 * iterator (unwind_start / unwind_next_frame / unwind_done /
 * unwind_error): the unwinder only records, the arch's
 * arch_stack_walk_reliable() asks unwind_error() and reports it with
 * ks_walk_unwind_error(), where the kernel's walker returns -EINVAL.
 * rule KS_RULE_NONE (all zero): no error; KS_RULE_DUMP_UNREADABLE: the
 * dump lacks memory the kernel would have read (verdict ERROR).
 */
struct ks_unwind_error {
	enum ks_rule rule;
	char msg[KS_MSG_LEN];
};

/* Record an error unless one is recorded already: the first is the one
 * the kernel would have stopped at. */
void ks_unwind_error_vset(struct ks_unwind_error *e, enum ks_rule rule,
			  const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static inline int ks_unwind_error_is_set(const struct ks_unwind_error *e)
{
	return e->rule != KS_RULE_NONE;
}

/* Report a recorded error on the walk.  It belongs to the last frame
 * emitted (-1 before any): the link from that frame is what broke. */
void ks_walk_unwind_error(struct ks_walk *w, const struct ks_unwind_error *e);

/*
 * Recover the real return address behind the ftrace-graph and kretprobe
 * trampolines, in the kernel's order (fgraph first, then kretprobe), as
 * unwind_recover_ret_addr() / ftrace_graph_ret_addr() /
 * kretprobe_find_ret_addr() / rethook_find_ret_addr() do.  key is the
 * arch's match key (x86_64: address of the return-address slot; s390x:
 * the frame's sp).  *labels gets KS_LABEL(FTRACE_GRAPH) etc.  Returns the
 * recovered address, or ip unchanged (with an -UNRECOVERED label) when
 * the shadow stack / instance list does not hold it.
 */
kaddr_t ks_recover_ret_addr(struct ks_walk *w, kaddr_t ip, kaddr_t key,
			    unsigned *labels);
kaddr_t ks_fgraph_ret_addr(struct ks_walk *w, kaddr_t ip, kaddr_t key,
			   int *found);
kaddr_t ks_kretprobe_ret_addr(struct ks_walk *w, kaddr_t ip, kaddr_t key,
			      int *found);
int ks_is_kretprobe_trampoline(const struct ks_kernel *k, kaddr_t ip);

/*
 * Label a kernel-mode pt_regs frame: preempted (preempt_schedule_irq
 * between it and the previous pt_regs or the top), exception (a fault or
 * trap entry just above it) or interrupted.  regs_frame is the index of
 * the frame whose ip came from the pt_regs; entry_frame the frame just
 * above it (the entry code), -1 if none.
 */
unsigned ks_classify_kernel_regs(struct ks_walk *w, int regs_frame);

#endif
