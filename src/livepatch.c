/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Livepatch triage (doc/kernel-rules.md §11): the patches, the transition and,
 * per task, the answer klp_try_switch_task() would give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "livepatch.h"

/* KLP_TRANSITION_IDLE / _UNPATCHED / _PATCHED (KLP_UNDEFINED /
 * KLP_UNPATCHED / KLP_PATCHED before 6.10): values never changed. */
#define KLP_IDLE (-1)
#define KLP_UNPATCHED 0
#define KLP_PATCHED 1

static const char *const state_names[] = {
	"switched", "running", "unreliable stack", "sleeping on function",
	"would switch", "no transition", "error",
};

const char *ks_klp_task_state_name(enum ks_klp_task_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ?
		state_names[s] : "?";
}

const char *ks_klp_origin_name(enum ks_klp_origin o)
{
	switch (o) {
	case KS_KLP_ORIG: return "original";
	case KS_KLP_PREV_PATCH: return "previous patch";
	case KS_KLP_NEW: return "new";
	case KS_KLP_WHATIF: return "named";
	}
	return "?";
}

/* Read a NUL-terminated string; byte by byte so a string that ends just
 * before an unreadable page still reads. */
static int read_string(const struct ks_kernel *k, kaddr_t addr, char *buf,
		       size_t len)
{
	size_t i;
	if (!addr)
		return -1;
	for (i = 0; i + 1 < len; i++) {
		if (ks_read(k, addr + i, &buf[i], 1))
			return -1;
		if (!buf[i])
			return 0;
	}
	buf[i] = 0;
	return 0;
}

/* struct layouts, from type info; fallbacks are 6.1 x86_64 values */
struct klp_layout {
	long patch_list, patch_mod, patch_objs, patch_obj_list, patch_enabled;
	long obj_name, obj_funcs, obj_func_list, obj_node, obj_patched, obj_size;
	long func_old_name, func_new_func, func_old_func, func_old_addr;
	long func_old_size, func_new_size, func_node, func_stack_node, func_size;
	long mod_name, ops_node, ops_func_stack;
};

static void read_layout(const struct ks_kernel *k, struct klp_layout *l)
{
	l->patch_list = ks_offset(k, "klp_patch", "list", 16);
	l->patch_mod = ks_offset(k, "klp_patch", "mod", 0);
	l->patch_objs = ks_offset(k, "klp_patch", "objs", 8);
	/* obj_list, func_list: the dynamic lists of 5.1 (atomic replace) */
	l->patch_obj_list = ks_offset(k, "klp_patch", "obj_list", -1);
	l->patch_enabled = ks_offset(k, "klp_patch", "enabled", -1);
	l->obj_name = ks_offset(k, "klp_object", "name", 0);
	l->obj_funcs = ks_offset(k, "klp_object", "funcs", 8);
	l->obj_func_list = ks_offset(k, "klp_object", "func_list", -1);
	l->obj_node = ks_offset(k, "klp_object", "node", -1);
	l->obj_patched = ks_offset(k, "klp_object", "patched", -1);
	l->obj_size = ks_type_size(k, "klp_object", -1);
	l->func_old_name = ks_offset(k, "klp_func", "old_name", 0);
	l->func_new_func = ks_offset(k, "klp_func", "new_func", 8);
	/* old_addr (unsigned long) became old_func (void *) in 5.1 */
	l->func_old_func = ks_offset(k, "klp_func", "old_func", -1);
	l->func_old_addr = ks_offset(k, "klp_func", "old_addr", -1);
	l->func_old_size = ks_offset(k, "klp_func", "old_size", -1);
	l->func_new_size = ks_offset(k, "klp_func", "new_size", -1);
	l->func_node = ks_offset(k, "klp_func", "node", -1);
	l->func_stack_node = ks_offset(k, "klp_func", "stack_node", -1);
	l->func_size = ks_type_size(k, "klp_func", -1);
	l->mod_name = ks_offset(k, "module", "name", 24);
	l->ops_node = ks_offset(k, "klp_ops", "node", 0);
	l->ops_func_stack = ks_offset(k, "klp_ops", "func_stack", 16);
}

struct reader {
	struct ks_kernel *k;
	struct ks_klp_state *st;
	struct klp_layout l;
	struct ks_klp_patch *patch;
	char object[KS_KLP_NAME_LEN];
	int object_patched;
	long budget;
	char *err;
	size_t errlen;
};

static int add_func(struct reader *r, kaddr_t func)
{
	struct ks_kernel *k = r->k;
	struct ks_klp_state *st = r->st;
	struct ks_klp_func *f;
	uint64_t v, name;
	long old_off = r->l.func_old_func >= 0 ? r->l.func_old_func : r->l.func_old_addr;

	if (st->nfuncs >= KS_KLP_MAX_FUNCS) {
		snprintf(r->err, r->errlen, "more than %d patched functions", KS_KLP_MAX_FUNCS);
		return -1;
	}
	if (st->nfuncs % 64 == 0) {
		struct ks_klp_func *n = realloc(st->funcs, (size_t)(st->nfuncs + 64) * sizeof(*n));
		if (!n) {
			snprintf(r->err, r->errlen, "out of memory");
			return -1;
		}
		st->funcs = n;
	}
	f = &st->funcs[st->nfuncs];
	memset(f, 0, sizeof(*f));
	f->addr = func;
	snprintf(f->object, sizeof(f->object), "%s", r->object);
	f->object_patched = r->object_patched;
	if (ks_read_u64(k, func + r->l.func_old_name, &name) ||
	    read_string(k, name, f->old_name, sizeof(f->old_name)))
		snprintf(f->old_name, sizeof(f->old_name), "?");
	if (old_off < 0 || r->l.func_old_size < 0 || r->l.func_new_size < 0) {
		snprintf(r->err, r->errlen, "type information for struct klp_func is missing");
		return -1;
	}
	if (ks_read_u64(k, func + (kaddr_t)old_off, &v))
		goto unreadable;
	f->old_func = v;
	if (ks_read_u64(k, func + r->l.func_new_func, &v))
		goto unreadable;
	f->new_func = v;
	if (ks_read_u64(k, func + r->l.func_old_size, &v))
		goto unreadable;
	f->old_size = v;
	if (ks_read_u64(k, func + r->l.func_new_size, &v))
		goto unreadable;
	f->new_size = v;
	st->nfuncs++;
	r->patch->nfuncs++;
	return 0;
unreadable:
	snprintf(r->err, r->errlen, "klp_func at %#llx is not readable",
		 (unsigned long long)func);
	return -1;
}

static int visit_func(void *arg, kaddr_t func)
{
	return add_func(arg, func);
}

static int read_object(struct reader *r, kaddr_t obj)
{
	struct ks_kernel *k = r->k;
	uint64_t v;
	unsigned char patched = 0;

	if (ks_read_u64(k, obj + r->l.obj_name, &v)) {
		snprintf(r->err, r->errlen, "klp_object at %#llx is not readable",
			 (unsigned long long)obj);
		return -1;
	}
	if (!v || read_string(k, v, r->object, sizeof(r->object)))
		snprintf(r->object, sizeof(r->object), "vmlinux");
	r->object_patched = 1;
	if (r->l.obj_patched >= 0 && ks_read(k, obj + r->l.obj_patched, &patched, 1) == 0)
		r->object_patched = patched != 0;
	if (r->l.obj_func_list >= 0 && r->l.func_node >= 0)
		return ks_list_foreach(k, obj + r->l.obj_func_list, r->l.func_node,
				       visit_func, r, &r->budget, r->err, r->errlen);
	/* < 5.1: the static funcs[] array, ended by an entry without
	 * old_name */
	if (ks_read_u64(k, obj + r->l.obj_funcs, &v) || r->l.func_size <= 0) {
		snprintf(r->err, r->errlen, "klp_object.funcs is not readable");
		return -1;
	}
	for (int i = 0; i < KS_KLP_MAX_FUNCS; i++) {
		uint64_t name;
		kaddr_t f = v + (kaddr_t)i * (kaddr_t)r->l.func_size;
		if (ks_read_u64(k, f + r->l.func_old_name, &name)) {
			snprintf(r->err, r->errlen, "klp_func array is not readable");
			return -1;
		}
		if (!name)
			return 0;
		if (add_func(r, f))
			return -1;
	}
	return 0;
}

static int visit_object(void *arg, kaddr_t obj)
{
	return read_object(arg, obj);
}

static int read_patch(struct reader *r, kaddr_t patch)
{
	struct ks_kernel *k = r->k;
	struct ks_klp_state *st = r->st;
	struct ks_klp_patch *p;
	uint64_t mod, objs;
	unsigned char enabled = 1;

	if (st->npatches >= KS_KLP_MAX_PATCHES) {
		snprintf(r->err, r->errlen, "more than %d patches", KS_KLP_MAX_PATCHES);
		return -1;
	}
	p = &st->patches[st->npatches];
	memset(p, 0, sizeof(*p));
	p->addr = patch;
	p->first_func = st->nfuncs;
	if (ks_read_u64(k, patch + r->l.patch_mod, &mod) ||
	    !mod || read_string(k, mod + r->l.mod_name, p->name, sizeof(p->name)))
		snprintf(p->name, sizeof(p->name), "patch@%#llx", (unsigned long long)patch);
	if (r->l.patch_enabled >= 0)
		ks_read(k, patch + r->l.patch_enabled, &enabled, 1);
	p->enabled = enabled != 0;
	r->patch = p;
	st->npatches++;
	if (r->l.patch_obj_list >= 0 && r->l.obj_node >= 0)
		return ks_list_foreach(k, patch + r->l.patch_obj_list, r->l.obj_node,
				       visit_object, r, &r->budget, r->err, r->errlen);
	/* < 5.1: static objs[] array, ended by an entry without funcs */
	if (ks_read_u64(k, patch + r->l.patch_objs, &objs) || r->l.obj_size <= 0) {
		snprintf(r->err, r->errlen, "klp_patch.objs is not readable");
		return -1;
	}
	for (int i = 0; i < 256; i++) {
		uint64_t funcs;
		kaddr_t o = objs + (kaddr_t)i * (kaddr_t)r->l.obj_size;
		if (ks_read_u64(k, o + r->l.obj_funcs, &funcs)) {
			snprintf(r->err, r->errlen, "klp_object array is not readable");
			return -1;
		}
		if (!funcs)
			return 0;
		if (read_object(r, o))
			return -1;
	}
	return 0;
}

static int visit_patch(void *arg, kaddr_t patch)
{
	return read_patch(arg, patch);
}

/* Find the klp_ops of an old function and the entry after func on its
 * func_stack (the previous patch's func), as klp_find_ops() and
 * list_next_entry(func, stack_node) do. */
struct ops_search {
	struct reader *r;
	kaddr_t old_func, func;
	int found, singular;
	kaddr_t prev;
};

static int visit_stack_entry(void *arg, kaddr_t f)
{
	struct ops_search *s = arg;
	if (s->found == 1 && !s->prev && f != s->func)
		s->prev = f;
	if (f == s->func)
		s->found = 1;
	return 0;
}

static int visit_ops(void *arg, kaddr_t ops)
{
	struct ops_search *s = arg;
	struct reader *r = s->r;
	const struct ks_kernel *k = r->k;
	kaddr_t head = ops + r->l.ops_func_stack;
	uint64_t first, second, old;
	long old_off = r->l.func_old_func >= 0 ? r->l.func_old_func : r->l.func_old_addr;

	if (ks_read_u64(k, head, &first) ||
	    (first != head &&
	     ks_read_u64(k, first - r->l.func_stack_node + (kaddr_t)old_off, &old))) {
		snprintf(r->err, r->errlen, "klp_ops at %#llx is not readable",
			 (unsigned long long)ops);
		return -1;
	}
	if (first == head || old != s->old_func)
		return 0;
	if (ks_read_u64(k, first, &second)) {
		snprintf(r->err, r->errlen, "klp_ops func_stack at %#llx is not readable",
			 (unsigned long long)head);
		return -1;
	}
	s->singular = second == head;
	s->found = 0;
	if (ks_list_foreach(k, head, r->l.func_stack_node, visit_stack_entry, s,
			    &r->budget, r->err, r->errlen) < 0)
		return -1;
	return 1;	/* this is the ops: stop */
}

/* Without klp_ops (a reader without static symbols): func_stack is the
 * order the patches were enabled in, which is their order on
 * klp_patches (list_add_tail in klp_init_patch() 5.1+, and only the top
 * patch could be enabled before, klp_is_patch_on_top()).  The previous
 * patch's func is the last earlier patch's func on the same old
 * function in an object that is patched. */
static int prev_from_patches(const struct ks_klp_state *st, int tp,
			     const struct ks_klp_func *f)
{
	int prev = -1;
	for (int p = 0; p < tp; p++) {
		const struct ks_klp_patch *q = &st->patches[p];
		for (int i = q->first_func; i < q->first_func + q->nfuncs; i++)
			if (st->funcs[i].object_patched &&
			    st->funcs[i].old_func == f->old_func)
				prev = i;
	}
	return prev;
}

/* The range klp_check_stack_func() compares with (transition.c, 4.12+):
 * unpatching: the func itself; patching: the original function when
 * klp_ops' func_stack holds only this func, else the next func on it
 * (the previous patch's replacement).  Only patched objects count; a
 * func_stack or klp_ops that cannot be read is an error, not a guess. */
static int set_ranges(struct reader *r)
{
	struct ks_klp_state *st = r->st;
	const struct ks_kernel *k = r->k;
	kaddr_t ops_head = ks_symbol(k, "klp_ops");
	const struct ks_klp_patch *p;

	if (st->transition < 0)
		return 0;
	p = &st->patches[st->transition];
	for (int i = p->first_func; i < p->first_func + p->nfuncs; i++) {
		struct ks_klp_func *f = &st->funcs[i];
		if (st->target_state == KLP_UNPATCHED) {
			f->start = f->new_func;
			f->end = f->new_func + f->new_size;
			f->origin = KS_KLP_NEW;
			continue;
		}
		f->start = f->old_func;
		f->end = f->old_func + f->old_size;
		f->origin = KS_KLP_ORIG;
		if (!f->object_patched)
			continue;	/* not on any func_stack, never checked */
		if (!ops_head || r->l.func_stack_node < 0) {
			int prev = prev_from_patches(st, st->transition, f);
			if (prev >= 0) {
				f->start = st->funcs[prev].new_func;
				f->end = f->start + st->funcs[prev].new_size;
				f->origin = KS_KLP_PREV_PATCH;
			}
			continue;
		}
		struct ops_search s = { .r = r, .old_func = f->old_func, .func = f->addr };
		int rc = ks_list_foreach(k, ops_head, r->l.ops_node, visit_ops, &s,
					 &r->budget, r->err, r->errlen);
		if (rc < 0)
			return -1;
		if (rc == 0 || !s.found) {
			snprintf(r->err, r->errlen,
				 "klp_func %s of a patched object is on no klp_ops func_stack",
				 f->old_name);
			return -1;
		}
		if (s.singular)
			continue;
		uint64_t nf, ns;
		if (!s.prev ||
		    ks_read_u64(k, s.prev + r->l.func_new_func, &nf) ||
		    ks_read_u64(k, s.prev + r->l.func_new_size, &ns)) {
			snprintf(r->err, r->errlen,
				 "previous klp_func of %s on func_stack is not readable",
				 f->old_name);
			return -1;
		}
		f->start = nf;
		f->end = nf + ns;
		f->origin = KS_KLP_PREV_PATCH;
	}
	return 0;
}

int ks_klp_read(struct ks_kernel *k, struct ks_klp_state *st, char *err,
		size_t errlen)
{
	struct reader r = { .k = k, .st = st, .budget = 1 << 20,
			    .err = err, .errlen = errlen };
	kaddr_t patches = ks_symbol(k, "klp_patches");
	kaddr_t tp = ks_symbol(k, "klp_transition_patch");
	kaddr_t ts = ks_symbol(k, "klp_target_state");
	uint64_t v;
	int32_t target;
	int have_target = 0;

	memset(st, 0, sizeof(*st));
	st->transition = -1;
	st->target_state = KLP_IDLE;
	/* TIF_PATCH_PENDING: x86 13, s390 5; both 9 with the generic TIF
	 * bits of 6.18. */
	if (k->version >= KS_VERSION(6, 18, 0))
		st->tif_patch_pending_bit = 9;
	else
		st->tif_patch_pending_bit = k->arch->id == KS_ARCH_S390X ? 5 : 13;
	st->off_patch_state = ks_offset(k, "task_struct", "patch_state", -1);
	{
		long ti = ks_offset(k, "task_struct", "thread_info", -1);
		st->off_ti_flags = ti >= 0 ? ti + ks_offset(k, "thread_info", "flags", 0) : -1;
	}
	if (!patches || !tp)
		return 0;	/* no CONFIG_LIVEPATCH */
	st->supported = 1;
	read_layout(k, &r.l);
	if (ks_read_u64(k, tp, &v)) {
		snprintf(err, errlen, "klp_transition_patch is not readable");
		return -1;
	}
	st->transition_addr = v;
	if (ts && ks_read_s32(k, ts, &target) == 0) {
		st->target_state = target;
		have_target = 1;
	}
	if (ks_list_foreach(k, patches, r.l.patch_list, visit_patch, &r, &r.budget,
			    err, errlen) < 0)
		return -1;
	for (int i = 0; i < st->npatches; i++)
		if (st->patches[i].addr == st->transition_addr)
			st->transition = i;
	if (st->transition_addr && st->transition < 0) {
		/* a patch in transition is always on klp_patches; read it
		 * anyway */
		if (read_patch(&r, st->transition_addr))
			return -1;
		st->transition = st->npatches - 1;
	}
	/* klp_init_transition() sets klp_transition_patch before
	 * klp_target_state, klp_complete_transition() resets the state
	 * before the patch: a dump taken in between, or an unreadable
	 * state, does not say which way the transition goes. */
	if (st->transition >= 0 &&
	    (!have_target || (st->target_state != KLP_PATCHED &&
			      st->target_state != KLP_UNPATCHED))) {
		snprintf(err, errlen, "klp_transition_patch is set but klp_target_state is %s",
			 have_target ? "not a transition state" : "unknown");
		return -1;
	}
	return set_ranges(&r);
}

void ks_klp_free(struct ks_klp_state *st)
{
	free(st->funcs);
	st->funcs = NULL;
	st->nfuncs = 0;
}

int ks_klp_whatif(struct ks_kernel *k, struct ks_klp_state *st,
		  const char *const *names, int n, char *err, size_t errlen)
{
	struct ks_klp_patch *p;

	if (st->npatches >= KS_KLP_MAX_PATCHES) {
		snprintf(err, errlen, "too many patches");
		return -1;
	}
	p = &st->patches[st->npatches];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "what-if");
	p->first_func = st->nfuncs;
	for (int i = 0; i < n; i++) {
		char buf[KS_KLP_NAME_LEN], *func = buf, *module = NULL, *pos;
		struct ks_symbol sym;
		struct ks_klp_func *f;
		kaddr_t addr;

		snprintf(buf, sizeof(buf), "%s", names[i]);
		if ((pos = strchr(buf, ',')) != NULL) {
			*pos++ = 0;
			if (strcmp(pos, "0") != 0 && strcmp(pos, "1") != 0) {
				snprintf(err, errlen,
					 "%s: sympos %s needs every symbol of that name; this target gives only the first (use module:func)",
					 names[i], pos);
				return -1;
			}
		}
		if ((pos = strchr(buf, ':')) != NULL) {
			*pos++ = 0;
			module = buf;
			func = pos;
		}
		/* "module:func" looks in that module first (as
		 * klp_find_object_symbol() searches the patched object);
		 * then, and for a plain name, vmlinux and each module (a
		 * function found elsewhere is reported below) */
		addr = module ? ks_module_symbol(k, module, func) : 0;
		if (!addr)
			addr = ks_symbol(k, func);
		if (!addr)
			addr = ks_module_symbol(k, NULL, func);
		if (!addr || ks_kernel_symbolize(k, addr, &sym) ||
		    sym.value != addr) {
			snprintf(err, errlen, "function %s not found", names[i]);
			return -1;
		}
		if (module && (!sym.module || strcmp(sym.module, module) != 0)) {
			snprintf(err, errlen, "function %s is in %s, not in %s", func,
				 sym.module ? sym.module : "vmlinux", module);
			return -1;
		}
		if (!sym.size) {
			snprintf(err, errlen, "function %s has no known size", names[i]);
			return -1;
		}
		if (st->nfuncs >= KS_KLP_MAX_FUNCS) {
			snprintf(err, errlen, "too many functions");
			return -1;
		}
		if (st->nfuncs % 64 == 0) {
			struct ks_klp_func *nf = realloc(st->funcs,
							 (size_t)(st->nfuncs + 64) * sizeof(*nf));
			if (!nf) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			st->funcs = nf;
		}
		f = &st->funcs[st->nfuncs++];
		memset(f, 0, sizeof(*f));
		snprintf(f->old_name, sizeof(f->old_name), "%s", func);
		snprintf(f->object, sizeof(f->object), "%s", module ? module : "vmlinux");
		f->object_patched = 1;
		f->old_func = f->start = addr;
		f->old_size = sym.size;
		f->end = addr + sym.size;
		f->origin = KS_KLP_WHATIF;
		p->nfuncs++;
	}
	st->transition = st->npatches++;
	st->target_state = KLP_PATCHED;
	return 0;
}

static int stack_hits(const struct ks_klp_state *st, const struct ks_result *res,
		      struct ks_klp_task *out)
{
	const struct ks_klp_patch *p = &st->patches[st->transition];
	/* klp_check_stack(): objects that are patched, each function, each
	 * entry of the trace; the first function that matches is named. */
	for (int i = p->first_func; i < p->first_func + p->nfuncs; i++) {
		const struct ks_klp_func *f = &st->funcs[i];
		if (!f->object_patched)
			continue;
		for (int j = 0; j < res->nframes; j++) {
			kaddr_t a = res->frames[j].ip;
			if (a >= f->start && a < f->end) {
				out->func = i;
				out->frame = j;
				return 1;
			}
		}
	}
	return 0;
}

void ks_klp_check_task(struct ks_kernel *k, const struct ks_klp_state *st,
		       const struct ks_result *res, int whatif,
		       struct ks_klp_task *out)
{
	long off_ps = st->off_patch_state;
	long off_flags = st->off_ti_flags;
	int32_t ps;
	uint64_t flags;
	int have_ps = 0, have_flags = 0;

	memset(out, 0, sizeof(*out));
	out->func = out->frame = -1;
	out->patch_state = KLP_IDLE;
	if (!whatif && off_ps >= 0 && ks_read_s32(k, res->task.task + off_ps, &ps) == 0) {
		out->patch_state = ps;
		have_ps = 1;
	}
	if (!whatif && off_flags >= 0 &&
	    ks_read_u64(k, res->task.task + off_flags, &flags) == 0) {
		out->pending = (flags >> st->tif_patch_pending_bit) & 1;
		have_flags = 1;
	}
	if (st->transition < 0) {
		out->state = KS_KLP_NO_TRANSITION;
		return;
	}
	/* klp_try_switch_task(): already in the target state?  Without
	 * patch_state, TIF_PATCH_PENDING tells: klp_start_transition() sets
	 * it on every task not in the target state and switching clears
	 * it with the state. */
	if (!whatif && !have_ps && !have_flags) {
		out->state = KS_KLP_ERROR;
		return;
	}
	if (!whatif && (have_ps ? out->patch_state == st->target_state : !out->pending)) {
		out->state = KS_KLP_SWITCHED;
		return;
	}
	switch (res->verdict) {
	case KS_VERDICT_RUNNING:
		out->state = KS_KLP_RUNNING;
		return;
	case KS_VERDICT_UNRELIABLE:
		out->state = KS_KLP_UNRELIABLE;
		out->frame = res->rule_frame;
		return;
	case KS_VERDICT_ERROR:
		out->state = KS_KLP_ERROR;
		return;
	case KS_VERDICT_NO_STACK:	/* an empty trace: nothing to find */
	case KS_VERDICT_RELIABLE:
		break;
	}
	out->state = stack_hits(st, res, out) ? KS_KLP_SLEEPING_ON : KS_KLP_WOULD_SWITCH;
}

/* The states that keep klp_try_complete_transition() waiting: the task
 * runs, its stack is unreliable, it sleeps on a checked function, or the
 * dump cannot tell (an error is never counted as switched). */
int ks_klp_blocks(enum ks_klp_task_state s)
{
	return s == KS_KLP_RUNNING || s == KS_KLP_UNRELIABLE ||
	       s == KS_KLP_SLEEPING_ON || s == KS_KLP_ERROR;
}
