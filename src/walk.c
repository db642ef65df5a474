/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One task, one walk: the generic half of stack_trace_save_tsk_reliable()
 * (kernel/stacktrace.c) and klp_check_stack() (kernel/livepatch/
 * transition.c).  The arch's walk_reliable() drives the unwinder and calls
 * back here for every frame (the kernel's consume_entry) and for every
 * failed rule.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include "core.h"

/* kernel/livepatch/transition.c: #define MAX_STACK_ENTRIES 100 (4.12+). */
#define KLP_MAX_STACK_ENTRIES 100

static const char *const rule_names[] = {
#define KS_RULE_NAME(name, msg) #name,
	KS_ALL_RULES(KS_RULE_NAME)
#undef KS_RULE_NAME
};

static const char *const rule_messages[] = {
#define KS_RULE_MSG(name, msg) msg,
	KS_ALL_RULES(KS_RULE_MSG)
#undef KS_RULE_MSG
};

const char *ks_rule_name(enum ks_rule r)
{
	return (unsigned)r < KS_RULE_COUNT ? rule_names[r] : "?";
}

const char *ks_rule_message(enum ks_rule r)
{
	return (unsigned)r < KS_RULE_COUNT ? rule_messages[r] : "?";
}

static const char *const label_names[] = {
#define KS_LABEL_STR(name, str) str,
	KS_LABELS(KS_LABEL_STR)
#undef KS_LABEL_STR
};

const char *ks_label_name(unsigned bit)
{
	return bit < KS_LABEL_COUNT ? label_names[bit] : "?";
}

int ks_label_parse(const char *s)
{
	for (unsigned i = 0; i < KS_LABEL_COUNT; i++)
		if (strcmp(s, label_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *ks_verdict_name(enum ks_verdict v)
{
	static const char *const names[] = {
		"reliable", "unreliable", "running", "no-stack", "error",
	};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

const char *ks_mode_name(enum ks_mode m)
{
	return m == KS_MODE_STRICT ? "strict" : "kernel";
}

int ks_mode_parse(const char *s, enum ks_mode *out)
{
	if (strcmp(s, "kernel") == 0)
		*out = KS_MODE_KERNEL;
	else if (strcmp(s, "strict") == 0)
		*out = KS_MODE_STRICT;
	else
		return -1;
	return 0;
}

/* ---- callbacks for the arch walkers ---- */

static void record(struct ks_walk *w, enum ks_verdict v, enum ks_rule rule,
		   int frame, const char *fmt, va_list ap)
{
	struct ks_result *r = w->res;
	if (r->verdict != KS_VERDICT_RELIABLE)
		return;		/* the first failure is the kernel's answer */
	r->verdict = v;
	r->rule = rule;
	r->rule_frame = frame;
	if (fmt && *fmt)
		vsnprintf(r->message, sizeof(r->message), fmt, ap);
	else
		snprintf(r->message, sizeof(r->message), "%s", ks_rule_message(rule));
}

void ks_walk_unreliable(struct ks_walk *w, enum ks_rule rule, int frame,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(w, KS_VERDICT_UNRELIABLE, rule, frame, fmt, ap);
	va_end(ap);
}

void ks_walk_dump_error(struct ks_walk *w, int frame, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(w, KS_VERDICT_ERROR, KS_RULE_DUMP_UNREADABLE, frame, fmt, ap);
	va_end(ap);
}

int ks_walk_failed(const struct ks_walk *w)
{
	return w->res->verdict != KS_VERDICT_RELIABLE;
}

void ks_unwind_error_vset(struct ks_unwind_error *e, enum ks_rule rule,
			  const char *fmt, va_list ap)
{
	if (ks_unwind_error_is_set(e))
		return;
	e->rule = rule;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

void ks_walk_unwind_error(struct ks_walk *w, const struct ks_unwind_error *e)
{
	int frame = w->res->nframes > 0 ? w->res->nframes - 1 : -1;

	if (!ks_unwind_error_is_set(e))
		return;
	if (e->rule == KS_RULE_DUMP_UNREADABLE)
		ks_walk_dump_error(w, frame, "%s", e->msg);
	else
		ks_walk_unreliable(w, e->rule, frame, "%s", e->msg);
}

static void symbolize(const struct ks_kernel *k, struct ks_frame *f)
{
	struct ks_symbol s;
	/* /proc/PID/stack prints "%pB": the symbol of ip-1, so a return
	 * address just past a function's last call (the very start of the
	 * next symbol) names that function, at +size.  Which alias names
	 * it: ks_symbolize(), src/symbols.c; a module's: modules.c. */
	kaddr_t look = f->ip ? f->ip - 1 : 0;

	const struct ks_bpf_ksym *b;
	int rc;

	f->symbol[0] = 0;
	f->module[0] = 0;
	f->offset = 0;
	/* bpf_address_lookup(): BPF code is named by its ksym, no module */
	if (f->ip && (b = ks_bpf_find(k, look)) != NULL) {
		snprintf(f->symbol, sizeof(f->symbol), "%s", b->name);
		f->offset = f->ip - b->start;
		return;
	}
	if (!f->ip)
		return;
	rc = ks_kernel_symbolize(k, look, &s);
	/* a module whose symbols the dump lacks: its name at least */
	if (rc == KS_MODSYMS_UNREADABLE && s.module)
		snprintf(f->module, sizeof(f->module), "%s", s.module);
	if (rc || !s.name)
		return;
	if (s.size && look >= s.value + s.size)
		return;
	/* A symbol of unknown size far below the address (a section end
	 * marker, a data label) does not name code. */
	if (!s.size && look - s.value >= (1u << 20))
		return;
	snprintf(f->symbol, sizeof(f->symbol), "%s", s.name);
	if (s.module)
		snprintf(f->module, sizeof(f->module), "%s", s.module);
	f->offset = f->ip - s.value;
}

struct ks_frame *ks_walk_emit(struct ks_walk *w, kaddr_t ip, kaddr_t raw_ip,
			      kaddr_t sp, kaddr_t slot, kaddr_t regs,
			      unsigned labels)
{
	struct ks_result *r = w->res;
	struct ks_frame *f;
	int idx;

	if (w->stop)
		return NULL;
	if (r->nframes >= KS_MAX_FRAMES) {
		r->truncated = 1;
		w->stop = 1;
		ks_walk_unreliable(w, KS_RULE_WALK_LIMIT, r->nframes - 1,
				   "walk stopped after %d frames", KS_MAX_FRAMES);
		return NULL;
	}
	idx = r->nframes++;
	f = &r->frames[idx];
	memset(f, 0, sizeof(*f));
	f->ip = ip;
	f->raw_ip = raw_ip;
	f->sp = sp;
	f->slot = slot;
	f->regs = regs;
	f->labels = labels;
	symbolize(w->k, f);

	/* stack_trace_consume_entry() returns false once the buffer is
	 * full, also when this entry filled its last slot, and every arch
	 * walker turns that into -EINVAL. */
	w->consumed++;
	if (w->consumed >= KLP_MAX_STACK_ENTRIES)
		ks_walk_unreliable(w, KS_RULE_TOO_DEEP, idx,
				   "%d entries fill klp_check_stack's buffer of %d",
				   w->consumed, KLP_MAX_STACK_ENTRIES);

	if (w->mode == KS_MODE_STRICT) {
		if (labels & KS_LABEL(FTRACE_GRAPH_UNRECOVERED))
			ks_walk_unreliable(w, KS_RULE_FGRAPH_UNRECOVERED, idx,
					   "return_to_handler at frame %d has no ret_stack entry: its caller is hidden",
					   idx);
		if (labels & KS_LABEL(KRETPROBE_UNRECOVERED))
			ks_walk_unreliable(w, KS_RULE_KRETPROBE_UNRECOVERED, idx,
					   "kretprobe trampoline at frame %d has no instance: its caller is hidden",
					   idx);
	}
	return f;
}

/* ---- kernel-mode pt_regs labels ---- */

static int name_has_prefix(const char *name, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (strncmp(name, *prefixes, strlen(*prefixes)) == 0)
			return 1;
	return 0;
}

/*
 * Entry code that takes exceptions (faults, traps), by arch:
 *  x86_64 (5.8+ idtentry): asm_exc_<name> calls exc_<name>; older
 *    kernels: page_fault, general_protection, do_page_fault...
 *  s390x: pgm_check_handler calls __do_pgm_check, which dispatches to
 *    do_dat_exception / do_protection_exception (5.x-6.x).
 */
static const char *const exception_entries[] = {
	"asm_exc_", "exc_", "page_fault", "async_page_fault",
	"do_page_fault", "do_general_protection", "general_protection",
	"pgm_check_handler", "__do_pgm_check", "do_dat_exception",
	"do_protection_exception", "do_exception",
	NULL,
};

unsigned ks_classify_kernel_regs(struct ks_walk *w, int regs_frame)
{
	const struct ks_result *r = w->res;
	int i;

	if (regs_frame <= 0 || regs_frame >= r->nframes)
		return KS_LABEL(INTERRUPTED);
	/* Frames between the previous pt_regs frame (or the top) and this
	 * one ran on top of the interrupted context. */
	for (i = regs_frame - 1; i >= 0; i--) {
		if (r->frames[i].regs)
			break;
		if (strcmp(r->frames[i].symbol, "preempt_schedule_irq") == 0)
			return KS_LABEL(PREEMPTED);
	}
	/* The entry frame just above the pt_regs names the kind of event. */
	if (name_has_prefix(r->frames[regs_frame - 1].symbol, exception_entries))
		return KS_LABEL(EXCEPTION);
	/* x86 FRED (6.9+): every kernel-mode event enters through
	 * asm_fred_entrypoint_kernel, and fred_entry_from_kernel() dispatches
	 * to the handler (fred_hwexc() -> exc_page_fault() ...) a frame or
	 * more further in: the first handler frame names the event. */
	if (strcmp(r->frames[regs_frame - 1].symbol, "asm_fred_entrypoint_kernel") == 0) {
		for (i = regs_frame - 2; i >= 0 && !r->frames[i].regs; i--) {
			if (name_has_prefix(r->frames[i].symbol, exception_entries) ||
			    strcmp(r->frames[i].symbol, "fred_hwexc") == 0)
				return KS_LABEL(EXCEPTION);
			if (strncmp(r->frames[i].symbol, "sysvec_", 7) == 0 ||
			    strcmp(r->frames[i].symbol, "fred_extint") == 0)
				return KS_LABEL(INTERRUPTED);
		}
	}
	return KS_LABEL(INTERRUPTED);
}

/* ---- stack words ---- */

int ks_walk_read_u64(struct ks_walk *w, kaddr_t addr, uint64_t *v)
{
	kaddr_t base = addr & ~(kaddr_t)(KS_WALK_PAGE - 1);
	size_t off = (size_t)(addr - base);
	struct ks_walk_page *p = NULL;

	/* a word across two pages: read as it is */
	if (off > KS_WALK_PAGE - 8)
		return ks_read_u64(w->k, addr, v);
	for (int i = 0; i < 2; i++)
		if (w->pages[i].state && w->pages[i].addr == base)
			p = &w->pages[i];
	if (!p) {
		p = &w->pages[w->page_next];
		w->page_next ^= 1;
		p->addr = base;
		p->state = ks_read(w->k, base, p->buf, sizeof(p->buf)) == 0 ? 1 : -1;
	}
	/* a page the dump does not hold whole (an ELF segment ending inside
	 * it): word by word, as before */
	if (p->state < 0)
		return ks_read_u64(w->k, addr, v);
	*v = ks_get_u64(w->k, p->buf + off);
	return 0;
}

/* ---- the task ---- */

void ks_walk_task(struct ks_kernel *k, const struct ks_task *t,
		  enum ks_mode mode, struct ks_result *out)
{
	struct ks_walk w;

	/* Only the header: frames are cleared one by one as they are
	 * emitted (ks_walk_emit), and zeroing all KS_MAX_FRAMES of them was
	 * most of the per-task cost outside the dump reads. */
	memset(out, 0, offsetof(struct ks_result, frames));
	out->task = *t;
	out->mode = mode;
	out->verdict = KS_VERDICT_RELIABLE;
	out->rule = KS_RULE_NONE;
	out->rule_frame = -1;

	/* klp_check_and_switch_task(): a task on another CPU is -EBUSY,
	 * never walked. */
	if (t->on_cpu) {
		out->verdict = KS_VERDICT_RUNNING;
		snprintf(out->message, sizeof(out->message),
			 "running on CPU %d at dump time", t->cpu);
		return;
	}
	/* stack_trace_save_tsk_reliable(): no stack (exited task) is a
	 * reliable, empty trace (5.2+). */
	if (!t->stack) {
		out->verdict = KS_VERDICT_NO_STACK;
		snprintf(out->message, sizeof(out->message), "task has no stack");
		return;
	}
	/* the walk state up to the page buffers (whose state says empty) */
	memset(&w, 0, offsetof(struct ks_walk, pages));
	w.pages[0].state = w.pages[1].state = 0;
	w.k = k;
	w.task = t;
	w.mode = mode;
	w.res = out;
	/* Still walked, so the report shows the frames. */
	if (!k->has_reliable_stacktrace && mode == KS_MODE_KERNEL)
		ks_walk_unreliable(&w, KS_RULE_NO_RELIABLE_STACKTRACE, -1,
				   "kernel %s has no arch_stack_walk_reliable: tasks switch only at exit to user space or idle",
				   k->release);
	k->arch->walk_reliable(&w);
}

void ks_walk_task_unreadable(struct ks_result *out, kaddr_t task,
			     enum ks_mode mode, const char *msg)
{
	/* the frame buffers stay as they are, as ks_walk_task() leaves them:
	 * nframes 0 says none is valid */
	memset(out, 0, offsetof(struct ks_result, frames));
	out->task.task = task;
	out->task.pid = -1;
	out->task.tgid = -1;
	out->task.cpu = -1;
	snprintf(out->task.comm, sizeof(out->task.comm), "?");
	out->mode = mode;
	out->verdict = KS_VERDICT_ERROR;
	out->rule = KS_RULE_DUMP_UNREADABLE;
	out->rule_frame = -1;
	snprintf(out->message, sizeof(out->message), "%s", msg);
}
