/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * No debug vmlinux (none found, or --no-debuginfo): the dump stands in for
 * it.  The symbol table is filled from the kernel's kallsyms tables
 * (kdump-kallsyms.c), the type questions go to its BTF, modules' split
 * BTF included (kdump-btf.c), and the banner is read from memory.
 * kd_dump_self_open() is the one place that sets this up.
 */
#include "kdump-priv.h"
#include <ctype.h>

#define BTF_MAX_SIZE (64u << 20)
#define BTF_MODULE_MAX (8u << 20)
#define BTF_MODULES_TOTAL (128u << 20)

/* nm type letter -> ELF binding: lower case is local, w/W/v/V weak. */
static unsigned char ksym_bind(char type)
{
	if (type == 'w' || type == 'W' || type == 'v' || type == 'V')
		return STB_WEAK;
	return isupper((unsigned char)type) ? STB_GLOBAL : STB_LOCAL;
}

/* The kallsyms tables into v.st, with their nm letters: which alias
 * names an address is the core's kallsyms rule (src/symbols.c), the same
 * as with the vmlinux; here every candidate is one the kernel's table
 * really holds. */
static int self_symbols(struct ks_dump *d, char *err, size_t errlen)
{
	struct ks_vmcoreinfo_key {
		const char *key;
		kaddr_t *to;
		int required;
	};
	struct ks_kallsyms_loc loc;
	const struct ks_vmcoreinfo_key keys[] = {
		{ "SYMBOL(kallsyms_num_syms)", &loc.num_syms, 1 },
		{ "SYMBOL(kallsyms_names)", &loc.names, 1 },
		{ "SYMBOL(kallsyms_token_table)", &loc.token_table, 1 },
		{ "SYMBOL(kallsyms_token_index)", &loc.token_index, 1 },
		{ "SYMBOL(kallsyms_offsets)", &loc.offsets, 1 },
		{ "SYMBOL(kallsyms_relative_base)", &loc.relative_base, 0 },
	};
	struct ks_mem mem = { kd_dump_read, d, d->big_endian };
	struct vmlinux *v = &d->v;
	uint64_t i;
	kaddr_t text = 0, end = 0;
	char why[256];

	memset(&loc, 0, sizeof(loc));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint64_t val;
		int have;
		if (kd_vmcoreinfo_hex(d, keys[k].key, &val, &have, err, errlen))
			return -1;
		if (!have && keys[k].required) {
			/* kernel/crash_core.c exports them since 6.0 (commit
			 * 5fd8fea935a1, "vmcoreinfo: include kallsyms symbols";
			 * kallsyms_num_syms, left out there, came with its
			 * follow-up fix in the same cycle) */
			kd_seterr(err, errlen, "its VMCOREINFO has no %s (the kallsyms tables are "
			       "exported from Linux 6.0 on, this is %s)", keys[k].key,
			       d->osrelease);
			return -1;
		}
		*keys[k].to = have ? (kaddr_t)val : 0;
	}
	/* s390x 6.10+: the tables lie in the image, reached through the
	 * kernel's page tables once their root is known */
	if (d->target.arch == KS_ARCH_S390X && kd_s390x_uncoupled_xlat(d, 1, err, errlen))
		return -1;
	if (ks_kallsyms_read(&mem, &loc, &d->kallsyms, why, sizeof(why))) {
		kd_seterr(err, errlen, "%s", why);
		return -1;
	}
	v->fd = -1;
	v->st.syms = calloc(d->kallsyms.n, sizeof(struct sym));
	if (!v->st.syms) {
		kd_seterr(err, errlen, "out of memory for %zu kallsyms", d->kallsyms.n);
		return -1;
	}
	for (size_t k = 0; k < d->kallsyms.n; k++) {
		const struct ks_ksym *ks = &d->kallsyms.syms[k];
		struct sym *o = &v->st.syms[v->st.n++];

		o->addr = ks->addr;
		o->name = d->kallsyms.names + ks->name;
		o->bind = ksym_bind(ks->type);
		o->type = ks->type;
		if (strcmp(o->name, "_text") == 0)
			text = o->addr;
		else if (strcmp(o->name, "_end") == 0)
			end = o->addr;
	}
	if (kd_symtab_finish(&v->st, end)) {
		kd_seterr(err, errlen, "out of memory indexing kallsyms");
		return -1;
	}
	if (kd_map_get(&v->st.by_name, "_stext", &i) == 0)
		v->stext = v->st.syms[i].addr;
	if (kd_map_get(&v->st.by_name, "_etext", &i) == 0)
		v->etext = v->st.syms[i].addr;
	if (!v->stext || !v->etext || v->etext <= v->stext) {
		kd_seterr(err, errlen, "the dump's kallsyms lack _stext/_etext: the tables do not "
		       "decode");
		return -1;
	}
	v->image_start = text ? text : v->stext;
	v->image_end = end > v->image_start ? end : v->etext;
	if (d->target.arch == KS_ARCH_S390X && kd_s390x_uncoupled_xlat(d, 0, err, errlen))
		return -1;
	return 0;
}

/*
 * Module BTF.  module.btf_data is cleared once the module is live
 * (do_init_module(), kernel/module/main.c 5.11..7.2: ".BTF is not
 * SHF_ALLOC and will get removed"); what stays is the kernel's parsed
 * copy, btf_module_notify() (kernel/bpf/btf.c) listing each module's
 * struct btf on btf_modules with its raw bytes in btf.data/data_size.
 * A module whose BTF cannot be read is left out: its types stay unknown.
 */
static void self_module_btf(void *priv, struct ks_btf *b)
{
	struct ks_dump *d = priv;
	kaddr_t head;
	uint64_t node, btf, data, total = 0;
	uint32_t size;
	long o_list = ks_btf_member_offset(b, "btf_module", "list");
	long o_btf = ks_btf_member_offset(b, "btf_module", "btf");
	long o_data = ks_btf_member_offset(b, "btf", "data");
	long o_size = ks_btf_member_offset(b, "btf", "data_size");

	if (kd_vmlinux_sym(&d->v, "btf_modules", &head) || o_list < 0 || o_btf < 0 ||
	    o_data < 0 || o_size < 0 || kd_read_u64(d, head, &node))
		return;
	for (int n = 0; node != head && n < MAX_MODULES; n++) {
		kaddr_t bm = node - (kaddr_t)o_list;
		unsigned char *blob;

		if (!node || kd_read_u64(d, bm + o_btf, &btf) || !btf ||
		    kd_read_u64(d, btf + o_data, &data) || kd_read_u32(d, btf + o_size, &size))
			return;
		/* a module's BTF is tens of KB: a damaged list must not make
		 * us read gigabytes */
		if (data && size && size <= BTF_MODULE_MAX && total + size <= BTF_MODULES_TOTAL &&
		    (blob = malloc(size))) {
			total += size;
			if (kd_dump_read(d, data, blob, size) == 0)
				(void)ks_btf_add_module(b, "", blob, size);
			free(blob);
		}
		if (kd_read_u64(d, node, &node))
			return;
	}
}

/* The vmlinux BTF between __start_BTF and __stop_BTF. */
static int self_types(struct ks_dump *d, char *err, size_t errlen)
{
	kaddr_t start, stop;
	unsigned char *blob;
	size_t size;
	char why[256];

	if (kd_vmlinux_sym(&d->v, "__start_BTF", &start) ||
	    kd_vmlinux_sym(&d->v, "__stop_BTF", &stop)) {
		kd_seterr(err, errlen, "the kernel has no BTF (no __start_BTF in its kallsyms: built "
		       "without CONFIG_DEBUG_INFO_BTF), so no struct layouts");
		return -1;
	}
	if (stop <= start || stop - start > BTF_MAX_SIZE) {
		kd_seterr(err, errlen, "__start_BTF %#llx .. __stop_BTF %#llx is not a BTF blob",
		       (unsigned long long)start, (unsigned long long)stop);
		return -1;
	}
	size = (size_t)(stop - start);
	blob = malloc(size);
	if (!blob) {
		kd_seterr(err, errlen, "out of memory for %zu bytes of BTF", size);
		return -1;
	}
	/* one read; page by page only to name the first missing page */
	for (size_t done = kd_dump_read(d, start, blob, size) == 0 ? size : 0; done < size;) {
		size_t chunk = 4096 - ((start + done) & 4095);
		if (chunk > size - done)
			chunk = size - done;
		if (kd_dump_read(d, start + done, blob + done, chunk)) {
			kd_seterr(err, errlen, "the kernel's BTF at %#llx is not in the dump (filtered "
			       "out?)", (unsigned long long)(start + done));
			free(blob);
			return -1;
		}
		done += chunk;
	}
	d->btf = ks_btf_new(blob, size, why, sizeof(why));
	free(blob);
	if (!d->btf) {
		kd_seterr(err, errlen, "%s", why);
		return -1;
	}
	ks_btf_set_module_loader(d->btf, self_module_btf, d);
	return 0;
}

/* The banner the kallsyms name must read as this release's: proves the
 * tables decoded right (and, with the version, gives the upstream one). */
static int self_banner(struct ks_dump *d, char *err, size_t errlen)
{
	kaddr_t at;
	char mem[BANNER_MAX], want[128];

	if (kd_vmlinux_sym(&d->v, "linux_banner", &at)) {
		/* scripts/kallsyms.c keeps data symbols only with
		 * CONFIG_KALLSYMS_ALL; without them neither the task list
		 * nor __start_BTF can be found.  Whether there is BTF at
		 * all the text tells: btf_vmlinux_init() is built only with
		 * CONFIG_DEBUG_INFO_BTF (kernel/bpf/sysfs_btf.c, 5.7..7.2). */
		kaddr_t init;
		int btf = kd_vmlinux_sym(&d->v, "btf_vmlinux_init", &init) == 0;

		kd_seterr(err, errlen, "the dump's kallsyms hold no data symbols (no linux_banner: "
		       "the kernel was built without CONFIG_KALLSYMS_ALL)%s",
		       btf ? ", so neither its data nor its BTF can be found"
			   : " and it has no BTF (no btf_vmlinux_init: built without "
			     "CONFIG_DEBUG_INFO_BTF): neither its data nor its struct layouts can be "
			     "found");
		return -1;
	}
	snprintf(want, sizeof(want), "Linux version %s ", d->osrelease);
	if (ks_target_read_cstr(&d->target, at, mem, sizeof(mem)) || strncmp(mem, want, strlen(want)) != 0) {
		kd_seterr(err, errlen, "linux_banner at %#llx (from the dump's kallsyms) does not "
		       "read 'Linux version %s': the kallsyms tables do not decode",
		       (unsigned long long)at, d->osrelease);
		return -1;
	}
	if (!d->target.version)
		d->target.version = ks_version_from_banner(mem, d->osrelease);
	return 0;
}

/* Symbols and types from the dump alone.  On failure, d is as before
 * (no half-filled tables) and err says what is missing. */
int kd_dump_self_open(struct ks_dump *d, char *err, size_t errlen)
{
	d->from_dump = 1;
	if (self_symbols(d, err, errlen) || self_banner(d, err, errlen) ||
	    self_types(d, err, errlen)) {
		kd_symtab_free(&d->v.st);
		memset(&d->v, 0, sizeof(d->v));
		d->v.fd = -1;
		ks_kallsyms_free(&d->kallsyms);
		ks_btf_free(d->btf);
		d->btf = NULL;
		d->from_dump = 0;
		return -1;
	}
	return 0;
}
