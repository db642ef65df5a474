/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpscan's dump reader: a struct ks_target over libkdumpfile (memory)
 * and the debug vmlinux (symbols through libelf, types through libdw).
 *
 * Nothing here is global: each open dump owns its libkdumpfile context,
 * its ELF/DWARF handles and its lookup tables, so klpscan can fork one
 * worker per dump without sharing anything.
 *
 * Memory: the vmlinux is mapped, never read whole.  The symbol table is
 * copied into a sorted array (a few MB); DWARF is touched only where a
 * structure the core asks for is searched: compile units are indexed one
 * by one (top-level struct/union/typedef names -> DIE offset) until the
 * wanted name turns up, so a lookup of task_struct stops after the first
 * few units instead of loading the whole .debug_info.
 *
 * Without a debug vmlinux (none found, or --no-debuginfo) the dump stands
 * in for it: the symbol table is filled from the kernel's kallsyms tables
 * (kdump-kallsyms.c) and the type questions go to its BTF (kdump-btf.c);
 * dump_self_open() is the one place that sets this up, off_of() and
 * friends the one place that chooses DWARF or BTF.  Everything else here
 * (modules, ftrace trampolines, KASLR, s390x address translation) works
 * the same on either source.
 */
#define _GNU_SOURCE	/* memmem */
#include <ctype.h>
#include <dirent.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libkdumpfile/kdumpfile.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kdump.h"
#include "namemap.h"
#include "kdump-source.h"
#include "kdump-validate.h"
#include "klpstack.h"
#include "symbols.h"

/* Bounds on what a dump may claim, so a corrupt one cannot make us loop
 * or allocate without end. */
#define MAX_MODULES 4096
#define MAX_MODULE_SYMS 500000
#define MAX_SYM_NAME 256
#define MAX_SEARCH_DEPTH 8
#define MAX_SEARCH_ENTRIES 200000
#define MAX_BUILD_ID 64
#define BANNER_MAX 512

#ifndef EM_S390
#define EM_S390 22
#endif

/* ------------------------------------------------------------------ */
/* error text                                                          */

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int map_get(const struct namemap *m, const char *name, uint64_t *value)
{
	const struct namemap_slot *s = namemap_find(m, name);

	if (!s)
		return -1;
	*value = s->value;
	return 0;
}

/* ------------------------------------------------------------------ */
/* symbols                                                             */

struct sym {
	kaddr_t addr;
	uint64_t size;		/* kallsyms size: up to the next symbol */
	const char *name;
	unsigned char bind;	/* STB_* */
	char type;		/* nm(1) letter, for the core's alias rule */
	long order;		/* module symbols: index in the module's symtab */
};

struct symtab {
	struct sym *syms;	/* sorted by address, then name */
	size_t n;
	struct namemap by_name;	/* name -> index */
};

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sort, give every symbol the kallsyms size (distance to the next higher
 * address, end_addr for the last) and index the names.  A global symbol
 * wins a name over a local one of the same name. */
static int symtab_finish(struct symtab *t, kaddr_t end_addr)
{
	if (t->n)
		qsort(t->syms, t->n, sizeof(*t->syms), sym_cmp);
	for (size_t i = 0; i < t->n; i++) {
		size_t j = i + 1;
		while (j < t->n && t->syms[j].addr == t->syms[i].addr)
			j++;
		kaddr_t next = j < t->n ? t->syms[j].addr : end_addr;
		t->syms[i].size = next > t->syms[i].addr ? next - t->syms[i].addr : 0;
	}
	for (size_t i = 0; i < t->n; i++) {
		int found;
		struct namemap_slot *s = namemap_slot(&t->by_name, t->syms[i].name, &found);
		if (!s)
			return -1;
		if (!found || (t->syms[i].bind == STB_GLOBAL &&
			       t->syms[s->value].bind != STB_GLOBAL))
			s->value = i;
	}
	return 0;
}

/* Index of the first alias of the highest address <= addr, -1 if none. */
static long symtab_find(const struct symtab *t, kaddr_t addr)
{
	size_t lo = 0, hi = t->n;

	if (!t->n || addr < t->syms[0].addr)
		return -1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo > 0 && t->syms[lo - 1].addr == t->syms[lo].addr)
		lo--;
	return (long)lo;
}

static void symtab_free(struct symtab *t)
{
	free(t->syms);
	namemap_free(&t->by_name);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------ */
/* the vmlinux                                                         */

struct vmlinux {
	char path[PATH_MAX];
	int fd;
	Elf *elf;
	Dwarf *dw;
	int machine;
	unsigned char build_id[MAX_BUILD_ID];
	size_t build_id_len;

	struct symtab st;
	kaddr_t stext, etext;	/* relocated */
	kaddr_t image_start, image_end;	/* relocated _text.._end */

	/* DWARF index, filled one compile unit at a time */
	struct namemap types;		/* struct/union name -> DIE offset */
	struct namemap typedefs;	/* typedef name -> DIE offset */
	Dwarf_CU *cu;			/* last unit indexed, NULL = none yet */
	Elf_Data *debug_str;		/* for debug_str_may_have() */
	int debug_str_checked;
	int scan_done;
	int dwarf_failed;
};

/* The GNU build-id note of an ELF file; 0 on success. */
static int elf_build_id(Elf *elf, unsigned char *out, size_t *outlen)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) == 0 &&
			    nh.n_descsz > 0 && nh.n_descsz <= MAX_BUILD_ID) {
				memcpy(out, (char *)data->d_buf + desc_off, nh.n_descsz);
				*outlen = nh.n_descsz;
				return 0;
			}
		}
	}
	return -1;
}

/* A quick look at a candidate file: is it an ELF executable of the
 * wanted machine, and what is its build-id?  Returns 0 when it is a
 * usable vmlinux candidate. */
static int peek_vmlinux(const char *path, int machine, unsigned char *id,
			size_t *idlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	GElf_Ehdr eh;
	int rc = -1;

	*idlen = 0;
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) &&
	    eh.e_type == ET_EXEC && (!machine || eh.e_machine == machine)) {
		rc = 0;
		if (elf_build_id(elf, id, idlen))
			*idlen = 0;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

/* Bytes at a (link-time) virtual address of the vmlinux file, from the
 * section holding it.  0 on success. */
static int vmlinux_file_read(struct vmlinux *v, kaddr_t addr, void *buf,
			     size_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS || addr < sh.sh_addr ||
		    addr - sh.sh_addr >= sh.sh_size)
			continue;
		if (len > sh.sh_size - (addr - sh.sh_addr))
			len = sh.sh_size - (addr - sh.sh_addr);
		d = elf_getdata_rawchunk(v->elf, (int64_t)(sh.sh_offset + (addr - sh.sh_addr)),
					 len, ELF_T_BYTE);
		if (!d || d->d_size < len)
			return -1;
		memcpy(buf, d->d_buf, len);
		return 0;
	}
	return -1;
}

/* Load the symbol table, moved by the KASLR offset.  Percpu symbols on
 * x86_64 are offsets into the per-CPU area (their section is linked at
 * 0) and do not move; everything linked inside the image does. */
static int vmlinux_load_symbols(struct vmlinux *v, int64_t kaslr, char *err,
				size_t errlen)
{
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr symsh;
	Elf_Data *data;
	size_t nsyms, shnum, shstrndx;
	kaddr_t text = 0, end = 0;
	unsigned char *sec_moves;
	uint64_t *sec_flags;

	while ((scn = elf_nextscn(v->elf, scn))) {
		if (gelf_getshdr(scn, &symsh) && symsh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			break;
		}
	}
	if (!symscn || !(data = elf_getdata(symscn, NULL)) || !symsh.sh_entsize) {
		seterr(err, errlen, "%s has no symbol table (a stripped vmlinux? "
		       "klpscan needs the debug vmlinux)", v->path);
		return -1;
	}
	if (elf_getshdrnum(v->elf, &shnum) || elf_getshdrstrndx(v->elf, &shstrndx)) {
		seterr(err, errlen, "%s: bad section headers", v->path);
		return -1;
	}
	nsyms = symsh.sh_size / symsh.sh_entsize;
	sec_moves = calloc(shnum ? shnum : 1, 1);
	sec_flags = calloc(shnum ? shnum : 1, sizeof(*sec_flags));
	v->st.syms = calloc(nsyms ? nsyms : 1, sizeof(struct sym));
	if (!sec_moves || !sec_flags || !v->st.syms) {
		free(sec_moves);
		free(sec_flags);
		seterr(err, errlen, "out of memory for %zu symbols", nsyms);
		return -1;
	}
	for (size_t i = 1; i < shnum; i++) {
		GElf_Shdr sh;
		Elf_Scn *s = elf_getscn(v->elf, i);
		if (!s || !gelf_getshdr(s, &sh))
			continue;
		if ((sh.sh_flags & SHF_ALLOC) && sh.sh_addr)
			sec_moves[i] = 1;
		/* for nm's letter: the flags, and bit 63 for SHT_NOBITS */
		sec_flags[i] = (sh.sh_flags & ~(1ull << 63)) |
			       (sh.sh_type == SHT_NOBITS ? 1ull << 63 : 0);
	}
	/* _text.._end bounds the image for absolute symbols. */
	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym s;
		const char *name;
		if (!gelf_getsym(data, (int)i, &s) ||
		    !(name = elf_strptr(v->elf, symsh.sh_link, s.st_name)))
			continue;
		if (strcmp(name, "_text") == 0)
			text = s.st_value;
		else if (strcmp(name, "_end") == 0)
			end = s.st_value;
	}
	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym s;
		const char *name;
		unsigned type, bind;
		int moves;
		struct sym *o;

		if (!gelf_getsym(data, (int)i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		bind = GELF_ST_BIND(s.st_info);
		if (type == STT_SECTION || type == STT_FILE || s.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(v->elf, symsh.sh_link, s.st_name);
		if (!name || ks_sym_noise(name))
			continue;
		if (s.st_shndx == SHN_ABS)
			moves = text && end && s.st_value >= text && s.st_value <= end;
		else
			moves = s.st_shndx < shnum && sec_moves[s.st_shndx];
		o = &v->st.syms[v->st.n++];
		o->addr = s.st_value + (moves ? (uint64_t)kaslr : 0);
		o->name = name;
		o->bind = (unsigned char)bind;
		if (s.st_shndx == SHN_ABS)
			o->type = ks_sym_nm_type(bind, type, 2, 0, 0);
		else if (s.st_shndx < shnum)
			o->type = ks_sym_nm_type(bind, type, 0,
						 sec_flags[s.st_shndx] & ~(1ull << 63),
						 (int)(sec_flags[s.st_shndx] >> 63));
		o->order = -1;
	}
	free(sec_moves);
	free(sec_flags);
	if (symtab_finish(&v->st, end ? end + (uint64_t)kaslr : 0)) {
		seterr(err, errlen, "out of memory indexing symbols");
		return -1;
	}
	if (!v->st.n) {
		seterr(err, errlen, "%s has an empty symbol table", v->path);
		return -1;
	}
	{
		uint64_t i;
		if (map_get(&v->st.by_name, "_stext", &i) == 0)
			v->stext = v->st.syms[i].addr;
		if (map_get(&v->st.by_name, "_etext", &i) == 0)
			v->etext = v->st.syms[i].addr;
	}
	if (!v->stext || !v->etext || v->etext <= v->stext) {
		seterr(err, errlen, "%s lacks _stext/_etext: not a Linux vmlinux?", v->path);
		return -1;
	}
	v->image_start = text ? text + (uint64_t)kaslr : v->stext;
	v->image_end = end ? end + (uint64_t)kaslr : v->etext;
	return 0;
}

static int vmlinux_sym(const struct vmlinux *v, const char *name, kaddr_t *addr)
{
	uint64_t i;
	if (map_get(&v->st.by_name, name, &i))
		return -1;
	*addr = v->st.syms[i].addr;
	return 0;
}

static void vmlinux_close(struct vmlinux *v)
{
	if (v->dw)
		dwarf_end(v->dw);
	if (v->elf)
		elf_end(v->elf);
	if (v->fd >= 0)
		close(v->fd);
	symtab_free(&v->st);
	namemap_free(&v->types);
	namemap_free(&v->typedefs);
	v->dw = NULL;
	v->elf = NULL;
	v->fd = -1;
}

static int vmlinux_open(struct vmlinux *v, const char *path, char *err,
			size_t errlen)
{
	GElf_Ehdr eh;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	snprintf(v->path, sizeof(v->path), "%s", path);
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		seterr(err, errlen, "cannot open vmlinux %s: %s", path, strerror(errno));
		return -1;
	}
	/* ELF_C_READ_MMAP: sections are used in place, pages come in only
	 * when touched. */
	v->elf = elf_begin(v->fd, ELF_C_READ_MMAP, NULL);
	if (!v->elf || elf_kind(v->elf) != ELF_K_ELF || !gelf_getehdr(v->elf, &eh) ||
	    eh.e_type != ET_EXEC) {
		seterr(err, errlen, "%s is not an ELF vmlinux", path);
		vmlinux_close(v);
		return -1;
	}
	{
		struct stat st;
		char why[256];

		if (fstat(v->fd, &st) == 0 &&
		    ks_elf_check_whole(v->elf, (uint64_t)st.st_size, why, sizeof(why))) {
			seterr(err, errlen, "vmlinux %s: %s", path, why);
			vmlinux_close(v);
			return -1;
		}
	}
	v->machine = eh.e_machine;
	if (elf_build_id(v->elf, v->build_id, &v->build_id_len))
		v->build_id_len = 0;
	return 0;
}

/* --- DWARF, lazily --- */

static int die_is_declaration(Dwarf_Die *d)
{
	Dwarf_Attribute a;
	bool flag = false;
	if (!dwarf_attr(d, DW_AT_declaration, &a))
		return 0;
	return dwarf_formflag(&a, &flag) == 0 && flag;
}

/* Index the next compile unit's top-level type names.  1 when a unit
 * was indexed, 0 at the end, -1 on error. */
static int dwarf_index_next_unit(struct vmlinux *v)
{
	Dwarf_CU *next;
	Dwarf_Half version;
	uint8_t unit_type;
	Dwarf_Die cudie, child;
	int rc;

	if (v->scan_done)
		return 0;
	rc = dwarf_get_units(v->dw, v->cu, &next, &version, &unit_type, &cudie, NULL);
	if (rc != 0) {
		v->scan_done = 1;
		return rc < 0 ? -1 : 0;
	}
	v->cu = next;
	if (dwarf_child(&cudie, &child) != 0)
		return 1;
	do {
		int tag = dwarf_tag(&child);
		struct namemap *m;
		const char *name;
		struct namemap_slot *s;
		int found;

		if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type)
			m = &v->types;
		else if (tag == DW_TAG_typedef)
			m = &v->typedefs;
		else
			continue;
		name = dwarf_diename(&child);
		if (!name || die_is_declaration(&child))
			continue;
		s = namemap_slot(m, name, &found);
		if (!s)
			return -1;
		if (!found)
			s->value = dwarf_dieoffset(&child);
	} while (dwarf_siblingof(&child, &child) == 0);
	return 1;
}

static int dwarf_ready(struct vmlinux *v)
{
	if (v->dw)
		return 0;
	if (v->dwarf_failed)
		return -1;
	v->dw = dwarf_begin_elf(v->elf, DWARF_C_READ, NULL);
	if (!v->dw) {
		v->dwarf_failed = 1;
		return -1;
	}
	return 0;
}

/*
 * Could a type of this name exist at all?  A search that finds nothing
 * reads every unit of .debug_info (2 s on a 590 MB vmlinux), and the core
 * asks for types of other kernel versions on purpose.  GCC and clang put
 * every name longer than 3 characters into .debug_str (GCC inlines only
 * names that fit in a string offset), so a name missing there is missing
 * everywhere.  The linker may tail-merge strings, hence "name\0"
 * anywhere, not just after a NUL.
 */
static int debug_str_may_have(struct vmlinux *v, const char *name)
{
	size_t len = strlen(name), shstrndx;
	Elf_Scn *scn = NULL;

	if (len < 4)
		return 1;
	if (!v->debug_str_checked) {
		v->debug_str_checked = 1;
		if (elf_getshdrstrndx(v->elf, &shstrndx) == 0) {
			while ((scn = elf_nextscn(v->elf, scn))) {
				GElf_Shdr sh;
				const char *n;
				if (!gelf_getshdr(scn, &sh) ||
				    !(n = elf_strptr(v->elf, shstrndx, sh.sh_name)) ||
				    strcmp(n, ".debug_str") != 0)
					continue;
				/* compressed: cannot search it in place */
				if (!(sh.sh_flags & SHF_COMPRESSED))
					v->debug_str = elf_rawdata(scn, NULL);
				break;
			}
		}
	}
	if (!v->debug_str || !v->debug_str->d_buf)
		return 1;
	return memmem(v->debug_str->d_buf, v->debug_str->d_size, name, len + 1) != NULL;
}

/* A struct or union by name (also through a typedef, e.g. psw_t).
 * 0 with *out filled, -1 when unknown. */
static int dwarf_find_type(struct vmlinux *v, const char *name, Dwarf_Die *out)
{
	uint64_t off;

	if (dwarf_ready(v))
		return -1;
	for (;;) {
		if (!v->scan_done && !debug_str_may_have(v, name) &&
		    map_get(&v->types, name, &off) && map_get(&v->typedefs, name, &off))
			return -1;
		if (map_get(&v->types, name, &off) == 0)
			return dwarf_offdie(v->dw, off, out) ? 0 : -1;
		if (map_get(&v->typedefs, name, &off) == 0) {
			Dwarf_Die td;
			if (!dwarf_offdie(v->dw, off, &td) || dwarf_peel_type(&td, out))
				return -1;
			int tag = dwarf_tag(out);
			return (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) ? 0 : -1;
		}
		if (dwarf_index_next_unit(v) <= 0)
			return -1;
	}
}

static int member_location(Dwarf_Die *m, long *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (!dwarf_attr_integrate(m, DW_AT_data_member_location, &a)) {
		*off = 0;	/* union members have none */
		return 0;
	}
	if (dwarf_formudata(&a, &w) == 0) {
		*off = (long)w;
		return 0;
	}
	/* DWARF 2 style: a location expression DW_OP_plus_uconst N. */
	{
		Dwarf_Op *ops;
		size_t n;
		if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 &&
		    ops[0].atom == DW_OP_plus_uconst) {
			*off = (long)ops[0].number;
			return 0;
		}
	}
	return -1;
}

/* Find member in the aggregate agg (anonymous structs/unions searched
 * too); *off gets its offset from the start of agg, *type its type. */
static int dwarf_find_member(Dwarf_Die *agg, const char *member, long base,
			     long *off, Dwarf_Die *type, int depth)
{
	Dwarf_Die child;

	if (depth > 8 || dwarf_child(agg, &child) != 0)
		return -1;
	do {
		Dwarf_Attribute ta;
		Dwarf_Die t;
		const char *name;
		long here;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		if (member_location(&child, &here))
			continue;
		name = dwarf_diename(&child);
		if (!dwarf_attr_integrate(&child, DW_AT_type, &ta) ||
		    !dwarf_formref_die(&ta, &t))
			continue;
		if (name) {
			if (strcmp(name, member) == 0) {
				*off = base + here;
				*type = t;
				return 0;
			}
			continue;
		}
		/* an anonymous struct or union: its members are ours */
		{
			Dwarf_Die peeled;
			int tag;
			if (dwarf_peel_type(&t, &peeled))
				continue;
			tag = dwarf_tag(&peeled);
			if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type) &&
			    dwarf_find_member(&peeled, member, base + here, off, type,
					      depth + 1) == 0)
				return 0;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return -1;
}

/* ------------------------------------------------------------------ */
/* modules, read from the dump on first need                           */

struct module_info {
	char name[KS_MOD_LEN];
	kaddr_t text_start, text_end;
	struct symtab st;
	char *names;		/* all symbol names, NUL separated */
};

/* ------------------------------------------------------------------ */
/* the dump                                                            */

struct ks_dump {
	struct ks_target target;
	kdump_ctx_t *ctx;
	int fd;
	enum ks_file_kind kind;
	int big_endian;
	char osrelease[80];
	char build_id[2 * MAX_BUILD_ID + 1];
	int64_t kaslr;
	int have_phys_base;	/* x86_64: NUMBER(phys_base) from VMCOREINFO */
	uint64_t phys_base;
	struct vmlinux v;

	/* No debug vmlinux: symbols from the dump's kallsyms tables (they
	 * fill v.st, names in kallsyms.names), types from its BTF
	 * (kdump-kallsyms.c, kdump-btf.c). */
	int from_dump;
	struct ks_kallsyms kallsyms;
	struct ks_btf *btf;

	int modules_state;	/* 0 not read, 1 read, -1 failed (partly) */
	char module_error[192];
	struct module_info *mods;
	int nmods;

	/* symbols_at() hands out module names valid until its next call */
	char last_module[KS_MOD_LEN];
};

/* x86_64 kernel image mapping (__START_KERNEL_map, 512 MiB + KASLR
 * room up to the module area, arch/x86/include/asm/page_64_types.h). */
#define X86_START_KERNEL_MAP 0xffffffff80000000ull
#define X86_KERNEL_MAP_END 0xffffffffc0000000ull

static int dump_read(void *priv, kaddr_t addr, void *buf, size_t len)
{
	struct ks_dump *d = priv;
	size_t got = len;

	if (!len)
		return 0;
	if (kdump_read(d->ctx, KDUMP_KVADDR, addr, buf, &got) == KDUMP_OK && got == len)
		return 0;
	/*
	 * libkdumpfile 0.5.1 can miss the kernel text mapping when KASLR
	 * put it above 0xffffffffa0000000 (fixed after 0.5.4).  The image
	 * is mapped linearly: phys = virt - __START_KERNEL_map + phys_base.
	 */
	if (d->have_phys_base && addr >= X86_START_KERNEL_MAP &&
	    addr + len <= X86_KERNEL_MAP_END) {
		got = len;
		if (kdump_read(d->ctx, KDUMP_KPHYSADDR,
			       addr - X86_START_KERNEL_MAP + d->phys_base, buf,
			       &got) == KDUMP_OK && got == len)
			return 0;
	}
	return -1;
}

/* The dump's byte order (big-endian on s390x): the core converts what
 * it reads itself; these are for the few fields read here. */
static uint64_t get_u64(int be, const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (be ? 8 * (7 - i) : 8 * i);
	return v;
}

static uint32_t get_u32(int be, const unsigned char *b)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)b[i] << (be ? 8 * (3 - i) : 8 * i);
	return v;
}

static uint16_t get_u16(int be, const unsigned char *b)
{
	return be ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
}

static int read_u64(struct ks_dump *d, kaddr_t addr, uint64_t *v)
{
	unsigned char b[8];
	if (dump_read(d, addr, b, 8))
		return -1;
	*v = get_u64(d->big_endian, b);
	return 0;
}

static int read_u32(struct ks_dump *d, kaddr_t addr, uint32_t *v)
{
	unsigned char b[4];
	if (dump_read(d, addr, b, 4))
		return -1;
	*v = get_u32(d->big_endian, b);
	return 0;
}

/* A NUL-terminated string of at most len-1 bytes; pieces are read up to
 * page boundaries so a string ending just before an absent page still
 * reads.  0 on success (possibly cut at len-1). */
static int read_cstr(struct ks_dump *d, kaddr_t addr, char *buf, size_t len)
{
	size_t have = 0;

	if (!len)
		return -1;
	while (have + 1 < len) {
		size_t chunk = 4096 - ((addr + have) & 4095);
		if (chunk > len - 1 - have)
			chunk = len - 1 - have;
		if (dump_read(d, addr + have, buf + have, chunk))
			return -1;
		void *nul = memchr(buf + have, 0, chunk);
		have += chunk;
		if (nul)
			return 0;
	}
	buf[len - 1] = 0;
	return 0;
}

/* The three type questions go to BTF when the dump stands in for the
 * vmlinux, else to the vmlinux DWARF. */
static long off_of(struct ks_dump *d, const char *type, const char *member)
{
	Dwarf_Die agg, t;
	long off;
	if (d->from_dump)
		return d->btf ? ks_btf_member_offset(d->btf, type, member) : -1;
	if (dwarf_find_type(&d->v, type, &agg) ||
	    dwarf_find_member(&agg, member, 0, &off, &t, 0))
		return -1;
	return off;
}

static long size_of(struct ks_dump *d, const char *type)
{
	Dwarf_Die agg;
	Dwarf_Word sz;
	if (d->from_dump)
		return d->btf ? ks_btf_type_size(d->btf, type) : -1;
	if (dwarf_find_type(&d->v, type, &agg) || dwarf_aggregate_size(&agg, &sz))
		return -1;
	return (long)sz;
}

static void module_free(struct module_info *m)
{
	symtab_free(&m->st);
	free(m->names);
}

/* One module's symbols from its mod_kallsyms copy (the kernel keeps the
 * symbols with final addresses there after loading). */
static int module_read_symbols(struct ks_dump *d, struct module_info *m,
			       kaddr_t kallsyms, const long *lo)
{
	uint64_t symtab, strtab;
	uint32_t num;
	unsigned char *raw = NULL;
	size_t *name_at = NULL;
	size_t names_len = 0, names_cap = 0;
	int rc = -1;

	if (read_u64(d, kallsyms + lo[0], &symtab) ||
	    read_u32(d, kallsyms + lo[1], &num) ||
	    read_u64(d, kallsyms + lo[2], &strtab))
		return -1;
	if (num > MAX_MODULE_SYMS || !symtab || !strtab)
		return -1;
	raw = malloc((size_t)num * 24 + 1);
	m->st.syms = calloc(num ? num : 1, sizeof(struct sym));
	if (!raw || !m->st.syms || dump_read(d, symtab, raw, (size_t)num * 24))
		goto out;
	/* First pass: copy names; sym.name is set once the buffer stops
	 * moving. */
	name_at = calloc(num ? num : 1, sizeof(size_t));
	if (!name_at)
		goto out;
	for (uint32_t i = 1; i < num; i++) {
		const unsigned char *e = raw + (size_t)i * 24;
		uint32_t st_name = get_u32(d->big_endian, e);
		unsigned char info = e[4];
		uint16_t shndx = get_u16(d->big_endian, e + 6);
		uint64_t value = get_u64(d->big_endian, e + 8);
		char name[MAX_SYM_NAME];
		size_t l;

		/* find_kallsyms_symbol() (kernel/module/kallsyms.c, 6.1)
		 * skips undefined, unnamed and mapping symbols. */
		if (shndx == SHN_UNDEF || !value)
			continue;
		if (read_cstr(d, strtab + st_name, name, sizeof(name)) ||
		    ks_sym_noise(name))
			continue;
		l = strlen(name) + 1;
		if (names_len + l > names_cap) {
			size_t cap = names_cap ? names_cap * 2 : 4096;
			while (cap < names_len + l)
				cap *= 2;
			char *grown = realloc(m->names, cap);
			if (!grown)
				goto out;
			m->names = grown;
			names_cap = cap;
		}
		memcpy(m->names + names_len, name, l);
		name_at[m->st.n] = names_len;
		names_len += l;
		struct sym *o = &m->st.syms[m->st.n++];
		o->addr = value;
		o->bind = (unsigned char)GELF_ST_BIND(info);
		/* kallsyms keeps the module's own symtab order: the first of
		 * equal addresses wins, no ranking */
		o->order = (long)i;
		o->type = o->bind == STB_WEAK ? 'W' : o->bind == STB_LOCAL ? 't' : 'T';
	}
	for (size_t i = 0; i < m->st.n; i++)
		m->st.syms[i].name = m->names + name_at[i];
	rc = symtab_finish(&m->st, m->text_end);
out:
	free(name_at);
	free(raw);
	return rc;
}

static void modules_fail(struct ks_dump *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void modules_fail(struct ks_dump *d, const char *fmt, ...)
{
	va_list ap;
	d->modules_state = -1;
	if (d->module_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(d->module_error, sizeof(d->module_error), fmt, ap);
	va_end(ap);
}

/* Walk the dump's "modules" list once: names, text ranges, symbols. */
static void modules_load(struct ks_dump *d)
{
	kaddr_t head;
	uint64_t node;
	long o_list, o_name, o_kallsyms, o_mem = -1, o_core = -1;
	long o_base, o_size;
	long lo[3];

	if (d->modules_state)
		return;
	d->modules_state = 1;
	if (vmlinux_sym(&d->v, "modules", &head))
		return;		/* CONFIG_MODULES=n: nothing to find */
	o_list = off_of(d, "module", "list");
	o_name = off_of(d, "module", "name");
	/* Symbols: module->kallsyms points to a struct mod_kallsyms
	 * (4.6+); before, symtab/num_symtab/strtab sat in struct module. */
	o_kallsyms = off_of(d, "module", "kallsyms");
	if (o_kallsyms >= 0) {
		lo[0] = off_of(d, "mod_kallsyms", "symtab");
		lo[1] = off_of(d, "mod_kallsyms", "num_symtab");
		lo[2] = off_of(d, "mod_kallsyms", "strtab");
	} else {
		lo[0] = off_of(d, "module", "symtab");
		lo[1] = off_of(d, "module", "num_symtab");
		lo[2] = off_of(d, "module", "strtab");
	}
	/* Text: mem[MOD_TEXT] (6.4+, MOD_TEXT = 0, struct module_memory
	 * base/size), core_layout.base/text_size (4.5-6.3), or
	 * module_core/core_text_size in struct module (< 4.5). */
	if ((o_mem = off_of(d, "module", "mem")) >= 0) {
		o_base = off_of(d, "module_memory", "base");
		o_size = off_of(d, "module_memory", "size");
	} else if ((o_core = off_of(d, "module", "core_layout")) >= 0) {
		o_base = off_of(d, "module_layout", "base");
		o_size = off_of(d, "module_layout", "text_size");
	} else {
		o_core = 0;
		o_base = off_of(d, "module", "module_core");
		o_size = off_of(d, "module", "core_text_size");
	}
	if (o_list < 0 || o_name < 0 || o_base < 0 || o_size < 0 ||
	    (o_mem < 0 && o_core < 0)) {
		modules_fail(d, "struct module layout unknown in the vmlinux debug info");
		return;
	}
	if (read_u64(d, head, &node)) {
		modules_fail(d, "modules list head is not in the dump");
		return;
	}
	while (node != head) {
		struct module_info m, *grown;
		kaddr_t mod = node - (kaddr_t)o_list;
		uint64_t base, kallsyms = 0;
		uint32_t size;
		kaddr_t range = mod + (o_mem >= 0 ? o_mem : o_core);

		if (d->nmods >= MAX_MODULES) {
			modules_fail(d, "modules list longer than %d (loop?)", MAX_MODULES);
			return;
		}
		memset(&m, 0, sizeof(m));
		if (!node || read_u64(d, range + o_base, &base) ||
		    read_u32(d, range + o_size, &size)) {
			modules_fail(d, "struct module at %#llx is not in the dump",
				     (unsigned long long)mod);
			return;
		}
		if (read_cstr(d, mod + o_name, m.name, sizeof(m.name)))
			snprintf(m.name, sizeof(m.name), "module@%llx",
				 (unsigned long long)mod);
		for (char *c = m.name; *c; c++)
			if (!isprint((unsigned char)*c))
				*c = '?';
		m.text_start = base;
		m.text_end = base + size;
		if (o_kallsyms < 0)
			kallsyms = mod;
		if (lo[0] < 0 || lo[1] < 0 || lo[2] < 0 ||
		    (o_kallsyms >= 0 && read_u64(d, mod + o_kallsyms, &kallsyms)) ||
		    !kallsyms || module_read_symbols(d, &m, kallsyms, lo)) {
			module_free(&m);
			memset(&m.st, 0, sizeof(m.st));
			m.names = NULL;
			modules_fail(d, "symbols of module %s are not readable", m.name);
		}
		grown = realloc(d->mods, (size_t)(d->nmods + 1) * sizeof(*grown));
		if (!grown) {
			module_free(&m);
			modules_fail(d, "out of memory reading modules");
			return;
		}
		d->mods = grown;
		d->mods[d->nmods++] = m;
		if (read_u64(d, node, &node)) {
			modules_fail(d, "modules list broken after %s", m.name);
			return;
		}
	}
}


static const struct module_info *module_at(struct ks_dump *d, kaddr_t addr)
{
	modules_load(d);
	for (int i = 0; i < d->nmods; i++)
		if (addr >= d->mods[i].text_start && addr < d->mods[i].text_end)
			return &d->mods[i];
	return NULL;
}

/* --- target operations --- */

static int op_lookup_symbol(void *priv, const char *name, kaddr_t *value)
{
	struct ks_dump *d = priv;
	uint64_t i;

	if (vmlinux_sym(&d->v, name, value) == 0)
		return 0;
	/* "module:symbol" is not a kernel convention; plain names are
	 * searched in every module, the first one wins. */
	modules_load(d);
	for (int m = 0; m < d->nmods; m++)
		if (map_get(&d->mods[m].st.by_name, name, &i) == 0) {
			*value = d->mods[m].st.syms[i].addr;
			return 0;
		}
	return -1;
}

/* All symbols at the highest symbol address <= addr of one table
 * (sorted by address); -1 when none. */
static int table_symbols_at(const struct symtab *t, kaddr_t addr,
			    const char *module, struct ks_symbol *out, int max)
{
	long i = symtab_find(t, addr);
	int n = 0;

	if (i < 0)
		return -1;
	for (size_t j = (size_t)i; j < t->n && t->syms[j].addr == t->syms[i].addr; j++) {
		if (n < max) {
			const struct sym *y = &t->syms[j];
			out[n].name = y->name;
			out[n].value = y->addr;
			out[n].size = y->size;
			out[n].module = module;
			out[n].type = y->type;
			out[n].order = y->order;
		}
		n++;
	}
	return n;
}

static int op_symbols_at(void *priv, kaddr_t addr, struct ks_symbol *out, int max)
{
	struct ks_dump *d = priv;
	const struct module_info *m;

	/* the image first, then module text */
	if (addr >= d->v.image_start && addr < d->v.image_end)
		return table_symbols_at(&d->v.st, addr, NULL, out, max);
	m = module_at(d, addr);
	if (m) {
		long i = symtab_find(&m->st, addr);
		if (i < 0 || m->st.syms[i].addr < m->text_start)
			return -1;
		snprintf(d->last_module, sizeof(d->last_module), "%s", m->name);
		return table_symbols_at(&m->st, addr, d->last_module, out, max);
	}
	/* Outside the image and every module (ftrace or BPF trampolines,
	 * heap): no name, as /proc/PID/stack prints a bare address. */
	return -1;
}

/* __kernel_text_address() (kernel/extable.c, 6.1) after boot: core
 * text (init text is freed by then), module text, ftrace trampolines.
 * kprobe instruction slots and BPF programs are not looked up. */
static int op_is_kernel_text(void *priv, kaddr_t addr)
{
	struct ks_dump *d = priv;

	if (addr >= d->v.stext && addr < d->v.etext)
		return 1;
	/* modules' core text here; init text, BPF and ftrace trampolines
	 * the core adds (ks_is_text) */
	return module_at(d, addr) != NULL;
}

static long op_member_offset(void *priv, const char *type, const char *member)
{
	return off_of(priv, type, member);
}

static long op_member_size(void *priv, const char *type, const char *member)
{
	struct ks_dump *d = priv;
	Dwarf_Die agg, t;
	Dwarf_Word sz;
	long off;

	if (d->from_dump)
		return d->btf ? ks_btf_member_size(d->btf, type, member) : -1;
	if (dwarf_find_type(&d->v, type, &agg) ||
	    dwarf_find_member(&agg, member, 0, &off, &t, 0) ||
	    dwarf_aggregate_size(&t, &sz))
		return -1;
	return (long)sz;
}

static long op_type_size(void *priv, const char *type)
{
	return size_of(priv, type);
}

static const struct ks_target_ops dump_ops = {
	.read = dump_read,
	.lookup_symbol = op_lookup_symbol,
	.symbols_at = op_symbols_at,
	.is_kernel_text = op_is_kernel_text,
	.member_offset = op_member_offset,
	.member_size = op_member_size,
	.type_size = op_type_size,
};

/* ------------------------------------------------------------------ */
/* file kinds                                                          */

enum ks_file_kind ks_dump_file_kind(const char *path)
{
	unsigned char h[64];
	size_t len = strlen(path);
	ssize_t n;
	int fd;

	struct stat st;

	if (len > 7 && strcmp(path + len - 7, ".sample") == 0)
		return KS_FILE_SAMPLE;
	/* a FIFO or a device could block the open or the read forever */
	if (stat(path, &st))
		return KS_FILE_UNREADABLE;
	if (!S_ISREG(st.st_mode))
		return KS_FILE_OTHER;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return KS_FILE_UNREADABLE;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n < 0)
		return KS_FILE_UNREADABLE;
	if (n >= 18 && memcmp(h, ELFMAG, SELFMAG) == 0) {
		unsigned type = h[EI_DATA] == ELFDATA2MSB ? (unsigned)(h[16] << 8 | h[17])
							  : (unsigned)(h[17] << 8 | h[16]);
		return type == ET_CORE ? KS_FILE_ELF_CORE : KS_FILE_ELF_OTHER;
	}
	if (n >= 8 && (memcmp(h, "KDUMP   ", 8) == 0 || memcmp(h, "DISKDUMP", 8) == 0))
		return KS_FILE_KDUMP;
	if (n >= 12 && memcmp(h, "makedumpfile", 12) == 0)
		return KS_FILE_FLATTENED;
	return KS_FILE_OTHER;
}

const char *ks_dump_kind_name(enum ks_file_kind kind)
{
	switch (kind) {
	case KS_FILE_SAMPLE: return "sample";
	case KS_FILE_ELF_CORE: return "ELF";
	case KS_FILE_KDUMP: return "kdump-compressed";
	case KS_FILE_FLATTENED: return "makedumpfile-flattened";
	case KS_FILE_ELF_OTHER: return "ELF (not a core)";
	case KS_FILE_UNREADABLE: return "unreadable";
	default: return "unknown";
	}
}

/* ------------------------------------------------------------------ */
/* checks before libkdumpfile sees the file                            */

/* ELF vmcore: program headers must fit the file, else it was cut short
 * (libkdumpfile would only fail later, page by page).  Also catches the
 * QEMU 7.2 s390x header (e_ehsize 8, little-endian section headers)
 * that libkdumpfile cannot read. */
static int check_elf_core(int fd, off_t fsize, int *bad_ehsize, char *err,
			  size_t errlen)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	size_t phnum;
	uint64_t need = 0;
	int rc = 0;

	if (!elf || !gelf_getehdr(elf, &eh)) {
		seterr(err, errlen, "broken ELF header: %s", elf_errmsg(-1));
		if (elf)
			elf_end(elf);
		return -1;
	}
	/* QEMU 7.2 writes e_ehsize 8 on every target; libkdumpfile copes
	 * unless the section headers are broken as well (s390x). */
	*bad_ehsize = eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_ehsize != sizeof(Elf64_Ehdr);
	if (elf_getphdrnum(elf, &phnum)) {
		seterr(err, errlen, "cannot read the program headers: %s", elf_errmsg(-1));
		elf_end(elf);
		return -1;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_offset + ph.p_filesz > need)
			need = ph.p_offset + ph.p_filesz;
	}
	if (need > (uint64_t)fsize) {
		seterr(err, errlen, "truncated: the program headers need %llu bytes, the file has %llu",
		       (unsigned long long)need, (unsigned long long)fsize);
		rc = -1;
	}
	elf_end(elf);
	return rc;
}

/* ------------------------------------------------------------------ */
/* VMCOREINFO and the banner                                           */

static char *vmcoreinfo(struct ks_dump *d, const char *key)
{
	char *val = NULL;
	if (kdump_vmcoreinfo_line(d->ctx, key, &val) != KDUMP_OK)
		return NULL;
	return val;
}

/* The banner in the dump must equal the one in the vmlinux: catches a
 * wrong vmlinux even without a build-id, and a wrong KASLR offset. */
static int check_banner(struct ks_dump *d, char *err, size_t errlen)
{
	kaddr_t at;
	char mem[BANNER_MAX], file[BANNER_MAX];

	if (vmlinux_sym(&d->v, "linux_banner", &at)) {
		seterr(err, errlen, "%s has no linux_banner symbol", d->v.path);
		return -1;
	}
	memset(file, 0, sizeof(file));
	if (vmlinux_file_read(&d->v, at - (kaddr_t)d->kaslr, file, sizeof(file) - 1))
		file[0] = 0;
	file[sizeof(file) - 1] = 0;
	if (read_cstr(d, at, mem, sizeof(mem))) {
		seterr(err, errlen,
		       "linux_banner at %#llx is not readable in the dump: %s does not match it "
		       "(or the KASLR offset %#llx is wrong)",
		       (unsigned long long)at, d->v.path, (unsigned long long)d->kaslr);
		return -1;
	}
	if (file[0] && strcmp(mem, file) != 0) {
		char *nl;
		if ((nl = strchr(mem, '\n')))
			*nl = 0;
		if ((nl = strchr(file, '\n')))
			*nl = 0;
		seterr(err, errlen, "%s does not match the dump: dump says '%.120s', vmlinux '%.120s'",
		       d->v.path, mem, file);
		return -1;
	}
	if (!d->target.version)
		d->target.version = ks_version_from_banner(mem, d->osrelease);
	return 0;
}

/* ------------------------------------------------------------------ */
/* finding the vmlinux                                                 */

struct search {
	struct ks_dump *d;
	int machine;
	const unsigned char *id;	/* NULL when the dump has no BUILD-ID */
	size_t idlen;
	char found[PATH_MAX];
	char tried[512];		/* for the error message */
	long entries;
};

static void note_tried(struct search *s, const char *path, const char *why)
{
	size_t used = strlen(s->tried);
	if (used + 8 >= sizeof(s->tried))
		return;
	snprintf(s->tried + used, sizeof(s->tried) - used, "%s%s (%s)",
		 used ? ", " : "", path, why);
}

/* Does the vmlinux at path fit the dump?  Build-ids must be equal when
 * both have one; otherwise the banner check after loading the symbols
 * decides (the banner in memory must equal the file's). */
static int candidate_matches(struct search *s, const char *path, int quiet)
{
	unsigned char id[MAX_BUILD_ID];
	size_t idlen;
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	if (peek_vmlinux(path, s->machine, id, &idlen)) {
		if (!quiet)
			note_tried(s, path, "not a vmlinux for this machine");
		return 0;
	}
	if (s->id && idlen) {
		if (idlen == s->idlen && memcmp(id, s->id, idlen) == 0) {
			snprintf(s->found, sizeof(s->found), "%s", path);
			return 1;
		}
		if (!quiet)
			note_tried(s, path, "other build-id");
		return 0;
	}
	/* No build-id to compare: accept it for the banner check. */
	snprintf(s->found, sizeof(s->found), "%s", path);
	return 1;
}

static int search_dir(struct search *s, const char *dir, int depth)
{
	DIR *dh;
	struct dirent *e;
	int hit = 0;

	if (depth > MAX_SEARCH_DEPTH || !(dh = opendir(dir)))
		return 0;
	while (!hit && (e = readdir(dh))) {
		char path[PATH_MAX];
		struct stat st;
		const char *n = e->d_name;
		size_t l = strlen(n);

		if (++s->entries > MAX_SEARCH_ENTRIES)
			break;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, n) >= (int)sizeof(path))
			continue;
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			/* A symlinked directory could loop: only real ones. */
			struct stat lst;
			if (lstat(path, &lst) == 0 && S_ISDIR(lst.st_mode))
				hit = search_dir(s, path, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (!s->id) {
			/* Before 5.10 VMCOREINFO names no build-id: take a
			 * vmlinux whose path names the release; the banner
			 * check decides. */
			if (strncmp(n, "vmlinux", 7) == 0 && strstr(path, s->d->osrelease))
				hit = candidate_matches(s, path, 1);
		} else if (strncmp(n, "vmlinux", 7) == 0 ||
			   (l > 6 && strcmp(n + l - 6, ".debug") == 0)) {
			hit = candidate_matches(s, path, 1);
		}
	}
	closedir(dh);
	return hit;
}

static int find_vmlinux(struct ks_dump *d, const char *dump_path,
			const struct ks_dump_opts *o, char *out, size_t outlen,
			char *err, size_t errlen)
{
	struct search s;
	unsigned char id[MAX_BUILD_ID];
	size_t idlen = 0;
	char path[PATH_MAX];
	const char *rel = d->osrelease;

	memset(&s, 0, sizeof(s));
	s.d = d;
	s.machine = d->target.arch == KS_ARCH_S390X ? EM_S390 : EM_X86_64;
	for (size_t i = 0; d->build_id[2 * i] && d->build_id[2 * i + 1] && i < sizeof(id); i++) {
		unsigned byte;
		if (sscanf(d->build_id + 2 * i, "%2x", &byte) != 1)
			break;
		id[idlen++] = (unsigned char)byte;
	}
	if (idlen) {
		s.id = id;
		s.idlen = idlen;
	}
	if (o->vmlinux) {
		if (!candidate_matches(&s, o->vmlinux, 0)) {
			struct stat vst;
			const char *why = stat(o->vmlinux, &vst) ? strerror(errno) :
				!S_ISREG(vst.st_mode) ? "not a regular file" :
				strstr(s.tried, "(other build-id)") ? "other build-id" :
				"not a vmlinux for this machine";
			seterr(err, errlen, "--vmlinux %s does not fit the dump: %s (the dump's build-id is %s)",
			       o->vmlinux, why, d->build_id[0] ? d->build_id : "unknown");
			return -1;
		}
		snprintf(out, outlen, "%s", s.found);
		return 0;
	}
	/* next to the dump (the e2e dump directories keep one there) */
	{
		const char *slash = strrchr(dump_path, '/');
		int dl = slash ? (int)(slash - dump_path) : 1;
		snprintf(path, sizeof(path), "%.*s/vmlinux", dl, slash ? dump_path : ".");
		if (candidate_matches(&s, path, 1))
			goto found;
	}
	if (rel[0]) {
		static const char *const fmts[] = {
			"/usr/lib/debug/boot/vmlinux-%s",
			"/usr/lib/debug/lib/modules/%s/vmlinux",
			"/boot/vmlinux-%s",
			"/lib/modules/%s/build/vmlinux",
		};
		for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
			snprintf(path, sizeof(path), fmts[i], rel);
			if (access(path, R_OK) == 0 && candidate_matches(&s, path, 0))
				goto found;
		}
	}
	if (idlen > 1) {
		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug",
			 d->build_id, d->build_id + 2);
		if (access(path, R_OK) == 0 && candidate_matches(&s, path, 0))
			goto found;
	}
	for (int i = 0; i < o->ndebug_dirs; i++) {
		s.entries = 0;
		if ((s.id || rel[0]) && search_dir(&s, o->debug_dirs[i], 0))
			goto found;
	}
	seterr(err, errlen,
	       "no debug vmlinux for %s (build-id %s)%s%s: pass --vmlinux or --debug-dir, or install "
	       "the kernel's debug package (Debian: linux-image-%s-dbg)",
	       rel[0] ? rel : "this kernel", d->build_id[0] ? d->build_id : "unknown",
	       s.tried[0] ? "; tried " : "", s.tried, rel[0] ? rel : "RELEASE");
	return -1;
found:
	snprintf(out, outlen, "%s", s.found);
	return 0;
}

/* ------------------------------------------------------------------ */
/* open / close                                                        */

static enum ks_arch_id arch_from_name(const char *name)
{
	if (!name)
		return KS_ARCH_UNKNOWN;
	if (strcmp(name, KDUMP_ARCH_X86_64) == 0)
		return KS_ARCH_X86_64;
	if (strcmp(name, KDUMP_ARCH_S390X) == 0)
		return KS_ARCH_S390X;
	return KS_ARCH_UNKNOWN;
}

void ks_dump_close(struct ks_dump *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->nmods; i++)
		module_free(&d->mods[i]);
	free(d->mods);
	vmlinux_close(&d->v);
	ks_kallsyms_free(&d->kallsyms);
	ks_btf_free(d->btf);
	if (d->ctx)
		kdump_free(d->ctx);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

/*
 * s390x ELF dumps from QEMU carry no VMCOREINFO note.  The kernel keeps
 * a pointer to its VMCOREINFO ELF note in the lowcore (vmcore_info at
 * 0xe0c, arch/s390/include/asm/lowcore.h, 6.1); libkdumpfile 0.5.1 looks
 * there only when os_info has no entry and stops at an os_info checksum
 * it does not accept.  Read the note ourselves and hand it over.
 */
#define S390_LC_VMCORE_INFO 0xe0c
#define VMCOREINFO_MAX (64 * 1024)

static void s390x_lowcore_vmcoreinfo(struct ks_dump *d)
{
	unsigned char b[12];
	char *note;
	size_t len;
	uint64_t addr;
	uint32_t namesz, descsz, descoff;
	kdump_attr_t attr;
	char *have = NULL;

	if (kdump_vmcoreinfo_line(d->ctx, "OSRELEASE", &have) == KDUMP_OK) {
		free(have);
		return;
	}
	len = 8;
	if (kdump_read(d->ctx, KDUMP_KPHYSADDR, S390_LC_VMCORE_INFO, b, &len) != KDUMP_OK ||
	    len != 8)
		return;
	addr = get_u64(1, b);
	len = 12;
	if (!addr || kdump_read(d->ctx, KDUMP_KPHYSADDR, addr, b, &len) != KDUMP_OK || len != 12)
		return;
	namesz = get_u32(1, b);
	descsz = get_u32(1, b + 4);
	if (namesz != 11 || descsz == 0 || descsz > VMCOREINFO_MAX)
		return;
	descoff = 12 + ((namesz + 3) & ~3u);
	note = malloc(descoff + descsz + 1);
	if (!note)
		return;
	len = descoff + descsz;
	if (kdump_read(d->ctx, KDUMP_KPHYSADDR, addr, note, &len) != KDUMP_OK ||
	    len != descoff + descsz || memcmp(note + 12, "VMCOREINFO", 11) != 0) {
		free(note);
		return;
	}
	{
		/* memory content: checked like the file's (kdump-validate.c) */
		char why[160];

		if (ks_vmcoreinfo_check(note + descoff, descsz, 0, why, sizeof(why))) {
			free(note);
			return;
		}
	}
	attr.type = KDUMP_BLOB;
	attr.val.blob = kdump_blob_new_dup(note + descoff, descsz);
	free(note);
	if (attr.val.blob && kdump_set_attr(d->ctx, "linux.vmcoreinfo.raw", &attr) != KDUMP_OK)
		kdump_clear_err(d->ctx);
}

static const char *kdump_msg(struct ks_dump *d, kdump_status st)
{
	const char *m = kdump_get_err(d->ctx);
	return m ? m : kdump_strerror(st);
}

/* A hexadecimal VMCOREINFO value ("KERNELOFFPHYS=900000").  0 with
 * *present set to 0 when the key is absent, -1 when it is malformed. */
static int vmcoreinfo_hex(struct ks_dump *d, const char *key, uint64_t *out,
			  int *present, char *err, size_t errlen)
{
	char *val = vmcoreinfo(d, key), *end;
	unsigned long long v;

	*present = 0;
	if (!val)
		return 0;
	errno = 0;
	v = strtoull(val, &end, 16);
	if (errno || end == val || (*end && !isspace((unsigned char)*end))) {
		seterr(err, errlen, "VMCOREINFO %s=%.40s is not a hexadecimal number", key, val);
		free(val);
		return -1;
	}
	free(val);
	*out = v;
	*present = 1;
	return 0;
}

/*
 * s390x kernels from 6.10 on no longer run the kernel image where it lies
 * in memory.  Alexander Gordeev's 6.10 series uncoupling the s390 virtual
 * and physical address spaces (the kernel commits' titles are not checked
 * here; crash followed with d0164e7e480a "s390x: uncouple physical and
 * virtual memory spaces") maps the image at the virtual __kaslr_offset
 * (VMCOREINFO KERNELOFFSET, 0x3ffe0000000 without KASLR) while it sits at
 * the physical __kaslr_offset_phys (KERNELOFFPHYS), and the identity map
 * of all memory starts at __identity_base (IDENTITYBASE: Debian's 6.12 and
 * 7.2 export it, 0 unless CONFIG_RANDOMIZE_IDENTITY_BASE; taken as 0 where
 * it is not exported).  arch/s390/include/asm/page.h (6.12, 7.2):
 * __pa(x) = x - __kaslr_offset + __kaslr_offset_phys for x >= __kaslr_offset,
 * else x - __identity_base; arch/s390/boot/vmem.c setup_vmem() maps
 * [__kaslr_offset + TEXT_OFFSET, kernel end) and the identity map into
 * swapper_pg_dir, whose physical address is the kernel ASCE.  Everything
 * else a walk needs (vmalloc'ed task stacks, per-CPU areas, lowcore) is
 * reached through those page tables.  arch/s390/kernel/vmcore_info.c
 * exports KERNELOFFPHYS only on these kernels, so its presence decides;
 * an older kernel (6.1: image at its physical address, identity map at 0)
 * keeps libkdumpfile's own set-up untouched.
 *
 * libkdumpfile 0.5.1 knows none of this: src/addrxlat/s390x.c takes the
 * value of SYMBOL(swapper_pg_dir) as the physical address of the page
 * table root, which on these kernels is the virtual 0x3ffe...  We use its
 * own interfaces to fix that: the forced root page table option
 * (addrxlat.force.rootpgt, re-initialising its translation system with
 * the right root), then two linear methods in the kernel-virtual map, for
 * the image and for the identity map, so that these need no page-table
 * walk (and keep working where a dump lacks a page-table page).
 */
/*
 * root_only: set the page table root and stop.  Without a vmlinux the
 * image bounds come from the kallsyms tables, which lie in the image and
 * are reached through the page tables only once the root is right; the
 * linear maps follow in a second call.
 */
static int s390x_uncoupled_xlat(struct ks_dump *d, int root_only, char *err, size_t errlen)
{
	uint64_t kphys = 0, ident = 0, swapper = 0, root, kvirt = (uint64_t)d->kaslr;
	kdump_num_t max_pfn = 0, page_shift = 12;
	addrxlat_sys_t *sys = NULL;
	addrxlat_map_t *map = NULL, *old;
	addrxlat_meth_t meth;
	addrxlat_range_t range;
	kdump_status ks;
	int have;

	if (vmcoreinfo_hex(d, "KERNELOFFPHYS", &kphys, &have, err, errlen))
		return -1;
	if (!have)
		return 0;
	if (vmcoreinfo_hex(d, "IDENTITYBASE", &ident, &have, err, errlen) ||
	    vmcoreinfo_hex(d, "SYMBOL(swapper_pg_dir)", &swapper, &have, err, errlen))
		return -1;
	if (!have) {
		seterr(err, errlen, "s390x kernel with KERNELOFFPHYS but no SYMBOL(swapper_pg_dir) "
		       "in VMCOREINFO: cannot find the kernel page tables");
		return -1;
	}
	if (!root_only && (d->v.image_end <= d->v.image_start || swapper < d->v.image_start ||
			   swapper >= d->v.image_end || d->v.image_start < kvirt)) {
		seterr(err, errlen, "SYMBOL(swapper_pg_dir) %#llx is not inside the kernel image "
		       "[%#llx, %#llx) of %s (KERNELOFFSET %#llx)",
		       (unsigned long long)swapper, (unsigned long long)d->v.image_start,
		       (unsigned long long)d->v.image_end,
		       d->from_dump ? "the dump's kallsyms" : d->v.path,
		       (unsigned long long)kvirt);
		return -1;
	}
	root = swapper - kvirt + kphys;

	if ((ks = kdump_set_number_attr(d->ctx, KDUMP_ATTR_XLAT_FORCE ".rootpgt.as",
					KDUMP_KPHYSADDR)) != KDUMP_OK ||
	    (ks = kdump_set_address_attr(d->ctx, KDUMP_ATTR_XLAT_FORCE ".rootpgt.addr",
					 root)) != KDUMP_OK) {
		seterr(err, errlen, "libkdumpfile: cannot set the s390x page table root %#llx: %s",
		       (unsigned long long)root, kdump_msg(d, ks));
		return -1;
	}
	/* re-initialises the translation with that root */
	if ((ks = kdump_get_addrxlat(d->ctx, NULL, &sys)) != KDUMP_OK) {
		seterr(err, errlen, "libkdumpfile: s390x translation with the page table root "
		       "%#llx (swapper_pg_dir) failed: %s", (unsigned long long)root,
		       kdump_msg(d, ks));
		return -1;
	}
	if (root_only) {
		addrxlat_sys_decref(sys);
		return 0;
	}
	if (kdump_get_number_attr(d->ctx, KDUMP_ATTR_PAGE_SHIFT, &page_shift) != KDUMP_OK ||
	    page_shift < 12 || page_shift > 20)
		page_shift = 12;
	if (kdump_get_number_attr(d->ctx, "max_pfn", &max_pfn) != KDUMP_OK)
		max_pfn = 0;
	kdump_clear_err(d->ctx);

	old = addrxlat_sys_get_map(sys, ADDRXLAT_SYS_MAP_KV_PHYS);
	map = old ? addrxlat_map_copy(old) : addrxlat_map_new();
	if (!map)
		goto nomem;

	memset(&meth, 0, sizeof(meth));
	meth.kind = ADDRXLAT_LINEAR;
	meth.target_as = ADDRXLAT_KPHYSADDR;
	meth.param.linear.off = (addrxlat_off_t)(kphys - kvirt);
	addrxlat_sys_set_meth(sys, ADDRXLAT_SYS_METH_KTEXT, &meth);
	range.meth = ADDRXLAT_SYS_METH_KTEXT;
	range.endoff = d->v.image_end - d->v.image_start - 1;
	if (addrxlat_map_set(map, d->v.image_start, &range) != ADDRXLAT_OK)
		goto nomem;

	/* The identity map covers the memory the dump has, up to the kernel
	 * image (which lies far above it). */
	if (max_pfn && max_pfn < (UINT64_MAX >> page_shift) && ident < kvirt) {
		uint64_t size = (uint64_t)max_pfn << page_shift;

		if (size > kvirt - ident)
			size = kvirt - ident;
		meth.param.linear.off = -(addrxlat_off_t)ident;
		addrxlat_sys_set_meth(sys, ADDRXLAT_SYS_METH_DIRECT, &meth);
		range.meth = ADDRXLAT_SYS_METH_DIRECT;
		range.endoff = size - 1;
		if (addrxlat_map_set(map, ident, &range) != ADDRXLAT_OK)
			goto nomem;
	}
	addrxlat_sys_set_map(sys, ADDRXLAT_SYS_MAP_KV_PHYS, map);
	addrxlat_map_decref(map);
	addrxlat_sys_decref(sys);
	return 0;
nomem:
	if (map)
		addrxlat_map_decref(map);
	addrxlat_sys_decref(sys);
	seterr(err, errlen, "out of memory (libaddrxlat map)");
	return -1;
}

/* ------------------------------------------------------------------ */
/* no debug vmlinux: the dump's own kallsyms and BTF                   */

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
	struct ks_mem mem = { dump_read, d, d->big_endian };
	struct vmlinux *v = &d->v;
	uint64_t i;
	kaddr_t text = 0, end = 0;
	char why[256];

	memset(&loc, 0, sizeof(loc));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint64_t val;
		int have;
		if (vmcoreinfo_hex(d, keys[k].key, &val, &have, err, errlen))
			return -1;
		if (!have && keys[k].required) {
			/* kernel/crash_core.c exports them since 6.0 (commit
			 * 5fd8fea935a1, "vmcoreinfo: include kallsyms symbols";
			 * kallsyms_num_syms, left out there, came with its
			 * follow-up fix in the same cycle) */
			seterr(err, errlen, "its VMCOREINFO has no %s (the kallsyms tables are "
			       "exported from Linux 6.0 on, this is %s)", keys[k].key,
			       d->osrelease);
			return -1;
		}
		*keys[k].to = have ? (kaddr_t)val : 0;
	}
	/* s390x 6.10+: the tables lie in the image, reached through the
	 * kernel's page tables once their root is known */
	if (d->target.arch == KS_ARCH_S390X && s390x_uncoupled_xlat(d, 1, err, errlen))
		return -1;
	if (ks_kallsyms_read(&mem, &loc, &d->kallsyms, why, sizeof(why))) {
		seterr(err, errlen, "%s", why);
		return -1;
	}
	v->fd = -1;
	v->st.syms = calloc(d->kallsyms.n, sizeof(struct sym));
	if (!v->st.syms) {
		seterr(err, errlen, "out of memory for %zu kallsyms", d->kallsyms.n);
		return -1;
	}
	for (size_t k = 0; k < d->kallsyms.n; k++) {
		const struct ks_ksym *ks = &d->kallsyms.syms[k];
		struct sym *o = &v->st.syms[v->st.n++];

		o->addr = ks->addr;
		o->name = d->kallsyms.names + ks->name;
		o->bind = ksym_bind(ks->type);
		o->type = ks->type;
		o->order = -1;
		if (strcmp(o->name, "_text") == 0)
			text = o->addr;
		else if (strcmp(o->name, "_end") == 0)
			end = o->addr;
	}
	if (symtab_finish(&v->st, end)) {
		seterr(err, errlen, "out of memory indexing kallsyms");
		return -1;
	}
	if (map_get(&v->st.by_name, "_stext", &i) == 0)
		v->stext = v->st.syms[i].addr;
	if (map_get(&v->st.by_name, "_etext", &i) == 0)
		v->etext = v->st.syms[i].addr;
	if (!v->stext || !v->etext || v->etext <= v->stext) {
		seterr(err, errlen, "the dump's kallsyms lack _stext/_etext: the tables do not "
		       "decode");
		return -1;
	}
	v->image_start = text ? text : v->stext;
	v->image_end = end > v->image_start ? end : v->etext;
	if (d->target.arch == KS_ARCH_S390X && s390x_uncoupled_xlat(d, 0, err, errlen))
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

	if (vmlinux_sym(&d->v, "btf_modules", &head) || o_list < 0 || o_btf < 0 ||
	    o_data < 0 || o_size < 0 || read_u64(d, head, &node))
		return;
	for (int n = 0; node != head && n < MAX_MODULES; n++) {
		kaddr_t bm = node - (kaddr_t)o_list;
		unsigned char *blob;

		if (!node || read_u64(d, bm + o_btf, &btf) || !btf ||
		    read_u64(d, btf + o_data, &data) || read_u32(d, btf + o_size, &size))
			return;
		/* a module's BTF is tens of KB: a damaged list must not make
		 * us read gigabytes */
		if (data && size && size <= BTF_MODULE_MAX && total + size <= BTF_MODULES_TOTAL &&
		    (blob = malloc(size))) {
			total += size;
			if (dump_read(d, data, blob, size) == 0)
				(void)ks_btf_add_module(b, "", blob, size);
			free(blob);
		}
		if (read_u64(d, node, &node))
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

	if (vmlinux_sym(&d->v, "__start_BTF", &start) ||
	    vmlinux_sym(&d->v, "__stop_BTF", &stop)) {
		seterr(err, errlen, "the kernel has no BTF (no __start_BTF in its kallsyms: built "
		       "without CONFIG_DEBUG_INFO_BTF), so no struct layouts");
		return -1;
	}
	if (stop <= start || stop - start > BTF_MAX_SIZE) {
		seterr(err, errlen, "__start_BTF %#llx .. __stop_BTF %#llx is not a BTF blob",
		       (unsigned long long)start, (unsigned long long)stop);
		return -1;
	}
	size = (size_t)(stop - start);
	blob = malloc(size);
	if (!blob) {
		seterr(err, errlen, "out of memory for %zu bytes of BTF", size);
		return -1;
	}
	/* one read; page by page only to name the first missing page */
	for (size_t done = dump_read(d, start, blob, size) == 0 ? size : 0; done < size;) {
		size_t chunk = 4096 - ((start + done) & 4095);
		if (chunk > size - done)
			chunk = size - done;
		if (dump_read(d, start + done, blob + done, chunk)) {
			seterr(err, errlen, "the kernel's BTF at %#llx is not in the dump (filtered "
			       "out?)", (unsigned long long)(start + done));
			free(blob);
			return -1;
		}
		done += chunk;
	}
	d->btf = ks_btf_new(blob, size, why, sizeof(why));
	free(blob);
	if (!d->btf) {
		seterr(err, errlen, "%s", why);
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

	if (vmlinux_sym(&d->v, "linux_banner", &at)) {
		/* scripts/kallsyms.c keeps data symbols only with
		 * CONFIG_KALLSYMS_ALL; without them neither the task list
		 * nor __start_BTF can be found.  Whether there is BTF at
		 * all the text tells: btf_vmlinux_init() is built only with
		 * CONFIG_DEBUG_INFO_BTF (kernel/bpf/sysfs_btf.c, 5.7..7.2). */
		kaddr_t init;
		int btf = vmlinux_sym(&d->v, "btf_vmlinux_init", &init) == 0;

		seterr(err, errlen, "the dump's kallsyms hold no data symbols (no linux_banner: "
		       "the kernel was built without CONFIG_KALLSYMS_ALL)%s",
		       btf ? ", so neither its data nor its BTF can be found"
			   : " and it has no BTF (no btf_vmlinux_init: built without "
			     "CONFIG_DEBUG_INFO_BTF): neither its data nor its struct layouts can be "
			     "found");
		return -1;
	}
	snprintf(want, sizeof(want), "Linux version %s ", d->osrelease);
	if (read_cstr(d, at, mem, sizeof(mem)) || strncmp(mem, want, strlen(want)) != 0) {
		seterr(err, errlen, "linux_banner at %#llx (from the dump's kallsyms) does not "
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
static int dump_self_open(struct ks_dump *d, char *err, size_t errlen)
{
	d->from_dump = 1;
	if (self_symbols(d, err, errlen) || self_banner(d, err, errlen) ||
	    self_types(d, err, errlen)) {
		symtab_free(&d->v.st);
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

/*
 * libkdumpfile's page cache (attribute cache.size, 1024 pages by default)
 * is searched entry by entry on every kdump_read(): with the core reading
 * each stack page once (ks_walk_read_u64) and a task_struct in one read
 * (ks_task_read), a small cache serves as well and every read is cheaper
 * (callgrind, x86_64 e2e dump: 199 k -> 171 k instructions per task, the
 * whole run 843 M -> 834 M).  A library without the attribute keeps its
 * default: this only tunes speed.
 */
#define DUMP_CACHE_PAGES 64

static void dump_tune_cache(kdump_ctx_t *ctx)
{
	(void)kdump_set_number_attr(ctx, "cache.size", DUMP_CACHE_PAGES);
}

struct ks_dump *ks_dump_open(const char *path, const struct ks_dump_opts *o,
			     char *err, size_t errlen)
{
	struct ks_dump *d;
	struct stat st;
	char machine[66] = "";
	const char *arch_name = NULL;
	char vmlinux[PATH_MAX];
	kdump_status ks;
	char *val;
	int bad_ehsize = 0;

	elf_version(EV_CURRENT);
	d = calloc(1, sizeof(*d));
	if (!d) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	d->fd = -1;
	d->v.fd = -1;
	d->kind = ks_dump_file_kind(path);
	switch (d->kind) {
	case KS_FILE_ELF_CORE:
	case KS_FILE_KDUMP:
		break;
	case KS_FILE_FLATTENED:
		seterr(err, errlen, "makedumpfile flattened format: convert it first "
		       "(makedumpfile -R NEWFILE < FILE)");
		goto fail;
	case KS_FILE_UNREADABLE: {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		int e = errno;
		if (fd >= 0)
			close(fd);
		seterr(err, errlen, "cannot read: %s", fd >= 0 ? "read error" : strerror(e));
		goto fail;
	}
	case KS_FILE_ELF_OTHER:
		seterr(err, errlen, "an ELF file but not a core dump (a vmlinux? give it with --vmlinux)");
		goto fail;
	default:
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			seterr(err, errlen, "not a regular file");
		else
			seterr(err, errlen, "not a dump: neither an ELF core nor kdump-compressed");
		goto fail;
	}
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &st)) {
		seterr(err, errlen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (d->kind == KS_FILE_ELF_CORE) {
		/* every header libkdumpfile trusts (kdump-validate.c) */
		if (ks_elf_core_validate(d->fd, (uint64_t)st.st_size, err, errlen))
			goto fail;
		if (check_elf_core(d->fd, st.st_size, &bad_ehsize, err, errlen))
			goto fail;
	} else {
		struct ks_kdump_layout lay;

		/* every field libkdumpfile trusts (kdump-validate.c) */
		if (ks_kdump_validate(d->fd, (uint64_t)st.st_size, &lay, err, errlen))
			goto fail;
		snprintf(machine, sizeof(machine), "%s", lay.machine);
		d->big_endian = lay.big_endian;
		/* QEMU leaves utsname empty or writes "S390X"; libkdumpfile
		 * then needs the architecture named.  The only big-endian
		 * machine we read is s390x, the only little-endian one
		 * x86_64. */
		if (strcasecmp(machine, "s390x") == 0)
			arch_name = KDUMP_ARCH_S390X;
		else if (strcasecmp(machine, "x86_64") == 0)
			arch_name = KDUMP_ARCH_X86_64;
		else if (!machine[0])
			arch_name = d->big_endian ? KDUMP_ARCH_S390X : KDUMP_ARCH_X86_64;
	}

	d->ctx = kdump_new();
	if (!d->ctx) {
		seterr(err, errlen, "out of memory (libkdumpfile)");
		goto fail;
	}
	dump_tune_cache(d->ctx);
	if ((ks = kdump_set_string_attr(d->ctx, KDUMP_ATTR_OSTYPE, "linux")) != KDUMP_OK) {
		seterr(err, errlen, "libkdumpfile: cannot set addrxlat.ostype: %s", kdump_msg(d, ks));
		goto fail;
	}
	if ((ks = kdump_open_fd(d->ctx, d->fd)) != KDUMP_OK) {
		if (bad_ehsize)
			seterr(err, errlen, "libkdumpfile cannot open it (%s): the ELF header size "
			       "is not 64 (a QEMU 7.2 s390x dump?); repair it (e_ehsize=64, "
			       "e_shoff=e_shnum=e_shstrndx=0) or use the kdump format",
			       kdump_msg(d, ks));
		else
			seterr(err, errlen, "libkdumpfile cannot open it: %s", kdump_msg(d, ks));
		goto fail;
	}
	{
		const char *an = NULL;
		/* libkdumpfile 0.5.1 knows the machine only from a lower-case
		 * utsname ("S390X" from QEMU is not recognised, empty is
		 * common).  Naming it after the open makes it read the
		 * VMCOREINFO too; before the open it would not. */
		if (kdump_get_string_attr(d->ctx, KDUMP_ATTR_ARCH_NAME, &an) != KDUMP_OK || !an) {
			if (arch_name && (ks = kdump_set_string_attr(d->ctx, KDUMP_ATTR_ARCH_NAME,
								     arch_name)) != KDUMP_OK) {
				seterr(err, errlen, "libkdumpfile: cannot set arch.name: %s",
				       kdump_msg(d, ks));
				goto fail;
			}
			an = NULL;
			if (kdump_get_string_attr(d->ctx, KDUMP_ATTR_ARCH_NAME, &an) != KDUMP_OK || !an) {
				seterr(err, errlen, "libkdumpfile cannot tell the architecture");
				goto fail;
			}
		}
		d->target.arch = arch_from_name(an);
		if (d->target.arch == KS_ARCH_UNKNOWN) {
			seterr(err, errlen, "architecture %s is not supported (x86_64, s390x)", an);
			goto fail;
		}
		d->big_endian = d->target.arch == KS_ARCH_S390X;
	}
	if (d->target.arch == KS_ARCH_S390X)
		s390x_lowcore_vmcoreinfo(d);

	val = vmcoreinfo(d, "OSRELEASE");
	if (!val) {
		seterr(err, errlen, "the dump has no VMCOREINFO (QEMU guests need -device vmcoreinfo "
		       "and the qemu_fw_cfg module): cannot place the kernel");
		goto fail;
	}
	snprintf(d->osrelease, sizeof(d->osrelease), "%s", val);
	free(val);
	if ((val = vmcoreinfo(d, "BUILD-ID"))) {
		size_t n = 0;
		for (const char *c = val; *c && n + 1 < sizeof(d->build_id); c++)
			if (isxdigit((unsigned char)*c))
				d->build_id[n++] = (char)tolower((unsigned char)*c);
		d->build_id[n] = 0;
		free(val);
	}
	if ((val = vmcoreinfo(d, "KERNELOFFSET"))) {
		d->kaslr = (int64_t)strtoull(val, NULL, 16);
		free(val);
	}
	if (d->target.arch == KS_ARCH_X86_64 && (val = vmcoreinfo(d, "NUMBER(phys_base)"))) {
		/* printed with %ld: may be negative */
		d->phys_base = (uint64_t)strtoll(val, NULL, 10);
		d->have_phys_base = 1;
		free(val);
	}

	d->target.ops = &dump_ops;
	d->target.priv = d;
	d->target.osrelease = d->osrelease;
	/*
	 * Symbols and types: from the debug vmlinux when one fits, else from
	 * the dump itself (kallsyms and BTF); --no-debuginfo asks for the
	 * dump alone, --vmlinux for that file alone.
	 */
	if (o->no_debuginfo) {
		char self[512];

		if (dump_self_open(d, self, sizeof(self)) == 0)
			return d;
		seterr(err, errlen, "--no-debuginfo: %s; this kernel needs its debug vmlinux "
		       "(--vmlinux or --debug-dir)", self);
		goto fail;
	}
	if (find_vmlinux(d, path, o, vmlinux, sizeof(vmlinux), err, errlen)) {
		char why[1024], self[512];

		if (o->vmlinux)
			goto fail;
		snprintf(why, sizeof(why), "%s", err);
		if (dump_self_open(d, self, sizeof(self)) == 0)
			return d;
		seterr(err, errlen, "%s; the dump cannot stand in for it: %s", why, self);
		goto fail;
	}
	if (vmlinux_open(&d->v, vmlinux, err, errlen))
		goto fail;
	if (vmlinux_load_symbols(&d->v, d->kaslr, err, errlen))
		goto fail;
	if (d->target.arch == KS_ARCH_S390X && s390x_uncoupled_xlat(d, 0, err, errlen))
		goto fail;
	if (check_banner(d, err, errlen))
		goto fail;
	return d;
fail:
	ks_dump_close(d);
	return NULL;
}

const struct ks_target *ks_dump_target(struct ks_dump *d)
{
	return &d->target;
}

const char *ks_dump_vmlinux(const struct ks_dump *d)
{
	return d->from_dump ? NULL : d->v.path;
}

const char *ks_dump_symbols_source(const struct ks_dump *d)
{
	return d->from_dump ? "kallsyms" : "vmlinux";
}

const char *ks_dump_types_source(const struct ks_dump *d)
{
	return d->from_dump ? "btf" : "dwarf";
}

const char *ks_dump_format(const struct ks_dump *d)
{
	return ks_dump_kind_name(d->kind);
}

const char *ks_dump_module_error(const struct ks_dump *d)
{
	return d->module_error;
}
