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
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

/* Enough for any real system; more is a loop in a corrupt list. */
#define KS_MAX_MODULES 8192

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

void ks_modules_free(struct ks_kernel *k)
{
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
