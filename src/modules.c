// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's module list, read once per kernel: each module's name and
 * the text it owns, core and init.  The one place that decides "is this
 * address module text" for the core and the arch rules (the x86_64 ORC
 * lookup finds a module's tables through it).
 *
 * __module_text_address() (kernel/module/main.c) counts both the core
 * text and, while the module is still initialising, its init text
 * (within_module_mem_type(MOD_TEXT) || MOD_INIT_TEXT, 6.4+; before 6.4
 * within_module_core()/within_module_init() over core_layout and
 * init_layout text_size).  A task blocked in a module's init function
 * returns through init text, and the module's ORC table covers it
 * (module_finalize() sorts .orc_unwind over every section).
 *
 * Module symbols come from the same place the kernel names them from:
 * each module's own kallsyms copy (module->kallsyms, struct mod_kallsyms
 * since 4.6 8244062ef1e5 "modules: fix longstanding /proc/kallsyms vs
 * module insertion race."; before that symtab/num_symtab/strtab sat in
 * struct module), read once per module on first need.  While a module
 * initialises, mod->kallsyms points at the full copy, init symbols
 * included; do_init_module() switches it to core_kallsyms.  The targets
 * give vmlinux symbols only.
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

/* Enough for any real system; more is a loop in a corrupt list. */
#define KS_MAX_MODULES 8192
/* A module's symtab: the largest real ones (amdgpu, i915) hold well
 * under 100,000 entries; more is a corrupt count. */
#define KS_MAX_MODULE_SYMS 500000
/* KSYM_NAME_LEN (512 since 6.1, 128 before): longer is cut */
#define KS_MODSYM_NAME 512
/* sizeof(Elf64_Sym): st_name u32, st_info u8, st_other u8, st_shndx
 * u16, st_value u64, st_size u64; in the kernel's byte order */
#define ELF64_SYM_SIZE 24
#define ELF_SHN_UNDEF 0
#define ELF_STB_LOCAL 0
#define ELF_STB_WEAK 2

/*
 * enum mod_mem_type (include/linux/module.h, 6.4 ac3b43283923 "module:
 * replace module_layout with module_memory"): MOD_TEXT 0, MOD_DATA,
 * MOD_RODATA, MOD_RO_AFTER_INIT, MOD_INIT_TEXT 4, ...  Enum values are
 * not in the member/size information a target gives, and the order has
 * not changed since 6.4 (checked against 6.12 and 7.2).
 */
#define MOD_MEM_TEXT 0
#define MOD_MEM_INIT_TEXT 4

struct module_layout_facts {
	long list, name, name_size;
	long mem, mem_stride, mem_base, mem_size;	/* 6.4+ */
	long core_layout, init_layout, layout_base, layout_text_size; /* 4.5-6.3 */
	long module_core, core_text_size, module_init, init_text_size; /* < 4.5 */
};

static void layout_probe(const struct ks_kernel *k, struct module_layout_facts *l)
{
	l->list = ks_offset(k, "module", "list", -1);
	l->name = ks_offset(k, "module", "name", -1);
	l->name_size = ks_member_size(k, "module", "name", 56);
	l->mem = ks_offset(k, "module", "mem", -1);
	l->mem_stride = ks_type_size(k, "module_memory", -1);
	l->mem_base = ks_offset(k, "module_memory", "base", 0);
	l->mem_size = ks_offset(k, "module_memory", "size", 8);
	l->core_layout = ks_offset(k, "module", "core_layout", -1);
	l->init_layout = ks_offset(k, "module", "init_layout", -1);
	l->layout_base = ks_offset(k, "module_layout", "base", 0);
	l->layout_text_size = ks_offset(k, "module_layout", "text_size", 12);
	l->module_core = ks_offset(k, "module", "module_core", -1);
	l->core_text_size = ks_offset(k, "module", "core_text_size", -1);
	l->module_init = ks_offset(k, "module", "module_init", -1);
	l->init_text_size = ks_offset(k, "module", "init_text_size", -1);
}

static void modsyms_layout_probe(const struct ks_kernel *k, struct ks_modsyms_layout *o)
{
	const char *holder;

	o->kallsyms = ks_offset(k, "module", "kallsyms", -1);
	holder = o->kallsyms >= 0 ? "mod_kallsyms" : "module";
	o->symtab = ks_offset(k, holder, "symtab", -1);
	o->num_symtab = ks_offset(k, holder, "num_symtab", -1);
	o->strtab = ks_offset(k, holder, "strtab", -1);
}

/* base + text size at mod + base_off / mod + size_off (size: u32). */
static int read_range(const struct ks_kernel *k, kaddr_t mod, long base_off,
		      long size_off, kaddr_t *start, kaddr_t *end)
{
	uint64_t base;
	uint32_t size;

	if (ks_read_u64(k, mod + (kaddr_t)base_off, &base) ||
	    ks_read_u32(k, mod + (kaddr_t)size_off, &size))
		return -1;
	if (!base || !size || base + size < base) {
		*start = *end = 0;
		return 0;
	}
	*start = base;
	*end = base + size;
	return 0;
}

/*
 * Core text must be readable (else the module list is not trusted); init
 * text that the dump does not hold counts as none: an address there is
 * then not text, which can only make a walk unreliable, never reliable.
 */
static int read_text(const struct ks_kernel *k, const struct module_layout_facts *l,
		     kaddr_t mod, struct ks_module *m)
{
	long core_base, core_size, init_base = -1, init_size = -1;

	if (l->mem >= 0 && l->mem_stride > 0) {
		long core = l->mem + MOD_MEM_TEXT * l->mem_stride;
		long init = l->mem + MOD_MEM_INIT_TEXT * l->mem_stride;
		core_base = core + l->mem_base;
		core_size = core + l->mem_size;
		init_base = init + l->mem_base;
		init_size = init + l->mem_size;
	} else if (l->core_layout >= 0) {
		core_base = l->core_layout + l->layout_base;
		core_size = l->core_layout + l->layout_text_size;
		if (l->init_layout >= 0) {
			init_base = l->init_layout + l->layout_base;
			init_size = l->init_layout + l->layout_text_size;
		}
	} else if (l->module_core >= 0 && l->core_text_size >= 0) {
		core_base = l->module_core;
		core_size = l->core_text_size;
		if (l->module_init >= 0 && l->init_text_size >= 0) {
			init_base = l->module_init;
			init_size = l->init_text_size;
		}
	} else {
		return -1;
	}
	if (read_range(k, mod, core_base, core_size, &m->text, &m->text_end))
		return -1;
	if (init_base < 0 ||
	    read_range(k, mod, init_base, init_size, &m->init_text, &m->init_text_end))
		m->init_text = m->init_text_end = 0;
	return 0;
}

/* module.name, a NUL-terminated char[MODULE_NAME_LEN]: the whole array
 * at once, or byte by byte up to the NUL where the dump holds less. */
static int read_name(const struct ks_kernel *k, kaddr_t at, char *buf, size_t len)
{
	if (ks_read(k, at, buf, len) == 0) {
		buf[len] = 0;
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (ks_read(k, at + i, &buf[i], 1))
			return -1;
		if (!buf[i])
			return 0;
	}
	buf[len] = 0;
	return 0;
}

static int add_module(struct ks_kernel *k, const struct ks_module *m)
{
	if (k->nmodules == k->modules_cap) {
		int cap = k->modules_cap ? k->modules_cap * 2 : 32;
		struct ks_module *grown = realloc(k->modules, (size_t)cap * sizeof(*grown));
		if (!grown)
			return -1;
		k->modules = grown;
		k->modules_cap = cap;
	}
	k->modules[k->nmodules++] = *m;
	return 0;
}

/* Walk list_for_each_entry(mod, &modules, list); on failure the list is
 * unknown (modules_error says why), never half-trusted. */
void ks_modules_load(struct ks_kernel *k)
{
	struct module_layout_facts l;
	kaddr_t head = ks_symbol(k, "modules");
	uint64_t node;

	k->modules_state = 1;
	if (!head)
		return;		/* no module support: no module text */
	layout_probe(k, &l);
	modsyms_layout_probe(k, &k->modsyms);
	if (l.list < 0) {
		snprintf(k->modules_error, sizeof(k->modules_error),
			 "struct module layout unknown: module text cannot be told");
		goto fail;
	}
	if (ks_read_u64(k, head, &node)) {
		snprintf(k->modules_error, sizeof(k->modules_error),
			 "modules list head at %#llx is not in the dump",
			 (unsigned long long)head);
		goto fail;
	}
	while (node != head) {
		struct ks_module m;
		kaddr_t mod = node - (kaddr_t)l.list;
		size_t nlen = l.name_size > 0 && (size_t)l.name_size < sizeof(m.name) ?
			(size_t)l.name_size : sizeof(m.name) - 1;

		if (k->nmodules >= KS_MAX_MODULES) {
			snprintf(k->modules_error, sizeof(k->modules_error),
				 "modules list has more than %d entries (loop?)",
				 KS_MAX_MODULES);
			goto fail;
		}
		memset(&m, 0, sizeof(m));
		m.addr = mod;
		if (l.name < 0 || read_name(k, mod + (kaddr_t)l.name, m.name, nlen))
			snprintf(m.name, sizeof(m.name), "module@%#llx",
				 (unsigned long long)mod);
		if (read_text(k, &l, mod, &m)) {
			snprintf(k->modules_error, sizeof(k->modules_error),
				 "struct module at %#llx (%s) is not in the dump",
				 (unsigned long long)mod, m.name);
			goto fail;
		}
		if (add_module(k, &m)) {
			snprintf(k->modules_error, sizeof(k->modules_error), "out of memory");
			goto fail;
		}
		if (ks_read_u64(k, node, &node)) {	/* list_head.next */
			snprintf(k->modules_error, sizeof(k->modules_error),
				 "modules list at %#llx is not in the dump",
				 (unsigned long long)node);
			goto fail;
		}
	}
	return;
fail:
	k->modules_state = -1;
	k->nmodules = 0;
}

int ks_modules(const struct ks_kernel *k, const struct ks_module **mods, int *n,
	       char *err, size_t errlen)
{
	if (k->modules_state < 0) {
		snprintf(err, errlen, "%s", k->modules_error);
		return -1;
	}
	*mods = k->modules;
	*n = k->nmodules;
	return 0;
}

int ks_module_text_index(const struct ks_kernel *k, kaddr_t addr)
{
	for (int i = 0; i < k->nmodules; i++) {
		const struct ks_module *m = &k->modules[i];
		if ((addr >= m->text && addr < m->text_end) ||
		    (addr >= m->init_text && addr < m->init_text_end))
			return i;
	}
	return -1;
}

static void modsyms_free(struct ks_modsyms *ms);

void ks_modules_free(struct ks_kernel *k)
{
	for (int i = 0; i < k->nmodules; i++)
		modsyms_free(k->modules[i].syms);
	free(k->modules);
	k->modules = NULL;
	k->nmodules = k->modules_cap = 0;
}

int ks_kernel_module(const struct ks_kernel *k, int i, const char **name, kaddr_t *module)
{
	if (!k || i < 0 || i >= k->nmodules)
		return -1;
	*name = k->modules[i].name;
	*module = k->modules[i].addr;
	return 0;
}

int ks_kernel_module_at(const struct ks_kernel *k, kaddr_t addr, const char **name,
			kaddr_t *module)
{
	return k ? ks_kernel_module(k, ks_module_text_index(k, addr), name, module) : -1;
}

/* ---- module symbols ---- */

/* A symbol find_kallsyms_symbol() may name an address with. */
struct ks_modsym {
	kaddr_t value;
	uint32_t order;		/* index in the module's symtab */
	uint32_t name;		/* offset in names */
	char type;		/* nm letter from the binding */
};

struct ks_modsyms {
	int state;		/* 1 read, -1 unreadable */
	struct ks_modsym *v;	/* by value, then symtab order */
	size_t n;
	char *names;
	size_t names_len, names_cap;
};

static void modsyms_free(struct ks_modsyms *ms)
{
	if (!ms)
		return;
	free(ms->v);
	free(ms->names);
	free(ms);
}

static int modsym_cmp(const void *a, const void *b)
{
	const struct ks_modsym *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int names_add(struct ks_modsyms *ms, const char *name, uint32_t *at)
{
	size_t l = strlen(name) + 1;

	if (ms->names_len + l > UINT32_MAX)
		return -1;
	if (ms->names_len + l > ms->names_cap) {
		size_t cap = ms->names_cap ? ms->names_cap * 2 : 4096;
		char *grown;

		while (cap < ms->names_len + l)
			cap *= 2;
		grown = realloc(ms->names, cap);
		if (!grown)
			return -1;
		ms->names = grown;
		ms->names_cap = cap;
	}
	memcpy(ms->names + ms->names_len, name, l);
	*at = (uint32_t)ms->names_len;
	ms->names_len += l;
	return 0;
}

/*
 * The symbols find_kallsyms_symbol() (kernel/module/kallsyms.c 6.1; the
 * same loop in kernel/module.c since 2.6) looks at: from index 1 (ELF's
 * symbol 0 is null), not undefined (SHN_UNDEF), named, no mapping symbol.
 * A name the dump does not hold is left out like an unnamed one.
 */
static int modsyms_read(const struct ks_kernel *k, const struct ks_module *m,
			struct ks_modsyms *ms)
{
	const struct ks_modsyms_layout *o = &k->modsyms;
	uint64_t holder = m->addr, symtab, strtab;
	uint32_t num;
	unsigned char *raw;
	char name[KS_MODSYM_NAME];

	if (o->symtab < 0 || o->num_symtab < 0 || o->strtab < 0 ||
	    (o->kallsyms >= 0 && ks_read_u64(k, m->addr + (kaddr_t)o->kallsyms, &holder)) ||
	    !holder ||
	    ks_read_u64(k, holder + (kaddr_t)o->symtab, &symtab) ||
	    ks_read_u32(k, holder + (kaddr_t)o->num_symtab, &num) ||
	    ks_read_u64(k, holder + (kaddr_t)o->strtab, &strtab) ||
	    !symtab || !strtab || num > KS_MAX_MODULE_SYMS)
		return -1;
	raw = malloc((size_t)num * ELF64_SYM_SIZE + 1);
	ms->v = calloc(num ? num : 1, sizeof(*ms->v));
	if (!raw || !ms->v || ks_read(k, symtab, raw, (size_t)num * ELF64_SYM_SIZE)) {
		free(raw);
		return -1;
	}
	for (uint32_t i = 1; i < num; i++) {
		const unsigned char *e = raw + (size_t)i * ELF64_SYM_SIZE;
		uint32_t st_name = ks_get_u32(k, e);
		unsigned bind = e[4] >> 4;
		struct ks_modsym *y;

		if (ks_get_u16(k, e + 6) == ELF_SHN_UNDEF ||
		    ks_target_read_cstr(k->t, strtab + st_name, name, sizeof(name)) ||
		    !name[0] || ks_sym_module_mapping(name))
			continue;
		y = &ms->v[ms->n];
		if (names_add(ms, name, &y->name)) {
			free(raw);
			return -1;
		}
		y->value = ks_get_u64(k, e + 8);
		y->order = i;
		y->type = bind == ELF_STB_WEAK ? 'W' : bind == ELF_STB_LOCAL ? 't' : 'T';
		ms->n++;
	}
	free(raw);
	if (ms->n)
		qsort(ms->v, ms->n, sizeof(*ms->v), modsym_cmp);
	return 0;
}

/* Module i's symbols, read on first need; NULL when unreadable.  The
 * cache hangs off the module entry (k's own memory), so a const kernel
 * can fill it. */
static const struct ks_modsyms *modsyms_of(const struct ks_kernel *k, int i)
{
	struct ks_module *m = &k->modules[i];
	struct ks_modsyms *ms = m->syms;

	if (!ms) {
		ms = calloc(1, sizeof(*ms));
		if (!ms)
			return NULL;
		if (modsyms_read(k, m, ms)) {
			free(ms->v);
			free(ms->names);
			memset(ms, 0, sizeof(*ms));
			ms->state = -1;
		} else {
			ms->state = 1;
		}
		m->syms = ms;
	}
	return ms->state > 0 ? ms : NULL;
}

static void modsym_out(const struct ks_module *m, const struct ks_modsyms *ms,
		       size_t i, uint64_t size, struct ks_symbol *out)
{
	const struct ks_modsym *y = &ms->v[i];

	out->name = ms->names + y->name;
	out->value = y->value;
	out->size = size;
	out->module = m->name;
	out->type = y->type;
	out->order = (long)y->order;
}

/*
 * find_kallsyms_symbol(): the symbol of the highest address <= addr, the
 * first of them in symtab order (a later one of the same address never
 * replaces it: "thisval > bestval"); its size is the distance to the next
 * higher symbol, at most to the end of the text addr is in (core or init).
 * A best symbol below that text names nothing here.
 */
int ks_module_symbolize(const struct ks_kernel *k, kaddr_t addr, struct ks_symbol *out)
{
	int i = k ? ks_module_text_index(k, addr) : -1;
	const struct ks_module *m;
	const struct ks_modsyms *ms;
	kaddr_t start, end;
	size_t lo = 0, hi, best, next;

	if (i < 0)
		return -1;
	m = &k->modules[i];
	ms = modsyms_of(k, i);
	if (!ms) {
		memset(out, 0, sizeof(*out));
		out->module = m->name;
		out->order = -1;
		return KS_MODSYMS_UNREADABLE;
	}
	if (addr >= m->text && addr < m->text_end) {
		start = m->text;
		end = m->text_end;
	} else {
		start = m->init_text;
		end = m->init_text_end;
	}
	/* first symbol above addr */
	hi = ms->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ms->v[mid].value <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	next = lo;
	if (next == 0)
		return -1;
	best = next - 1;
	while (best > 0 && ms->v[best - 1].value == ms->v[best].value)
		best--;
	if (ms->v[best].value < start)
		return -1;
	if (next < ms->n && ms->v[next].value < end)
		end = ms->v[next].value;
	modsym_out(m, ms, best, end - ms->v[best].value, out);
	return 0;
}

/* find_kallsyms_symbol_value(): the first of that name in symtab order. */
static int module_lookup(const struct ks_kernel *k, int i, const char *name, kaddr_t *value)
{
	const struct ks_modsyms *ms = modsyms_of(k, i);
	long found = -1;

	for (size_t j = 0; ms && j < ms->n; j++)
		if (strcmp(ms->names + ms->v[j].name, name) == 0 &&
		    (found < 0 || ms->v[j].order < ms->v[found].order))
			found = (long)j;
	if (found < 0)
		return -1;
	*value = ms->v[found].value;
	return 0;
}

kaddr_t ks_module_symbol(const struct ks_kernel *k, const char *module, const char *name)
{
	kaddr_t v;

	for (int i = 0; k && name && i < k->nmodules; i++) {
		if (module && strcmp(k->modules[i].name, module) != 0)
			continue;
		if (module_lookup(k, i, name, &v) == 0)
			return v;
	}
	return 0;
}

int ks_kernel_modules_warning(const struct ks_kernel *k, char *buf, size_t len)
{
	if (!k || !len)
		return 0;
	buf[0] = 0;
	if (k->modules_state < 0) {
		snprintf(buf, len, "%s", k->modules_error);
		return 1;
	}
	for (int i = 0; i < k->nmodules; i++)
		if (k->modules[i].syms && k->modules[i].syms->state < 0) {
			snprintf(buf, len, "symbols of module %s are not readable",
				 k->modules[i].name);
			return 1;
		}
	return 0;
}
