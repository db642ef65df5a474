/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Structure layouts for the target's type questions: from the vmlinux
 * DWARF through libdw, lazily (compile units are indexed one by one,
 * top-level struct/union/typedef names -> DIE offset, until the wanted
 * name turns up, so a lookup of task_struct stops after the first few
 * units instead of loading the whole .debug_info), or from the dump's
 * BTF when the dump stands in for the vmlinux or the vmlinux has a .BTF
 * section (kdump-btf.c).  kd_member_offset() and friends are the one
 * place that chooses DWARF or BTF.
 */
#include "kdump-priv.h"
#include <dwarf.h>

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

/* The vmlinux's section of that name (its header in *sh), or NULL. */
static Elf_Scn *vmlinux_section(struct vmlinux *v, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (!v->elf || elf_getshdrstrndx(v->elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(v->elf, scn))) {
		const char *n;

		if (gelf_getshdr(scn, sh) && (n = elf_strptr(v->elf, shstrndx, sh->sh_name)) &&
		    strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
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
	size_t len = strlen(name);

	if (len < 4)
		return 1;
	if (!v->debug_str_checked) {
		GElf_Shdr sh;
		Elf_Scn *scn = vmlinux_section(v, ".debug_str", &sh);

		v->debug_str_checked = 1;
		/* compressed: cannot search it in place */
		if (scn && !(sh.sh_flags & SHF_COMPRESSED))
			v->debug_str = elf_rawdata(scn, NULL);
	}
	if (!v->debug_str || !v->debug_str->d_buf)
		return 1;
	return memmem(v->debug_str->d_buf, v->debug_str->d_size, name, len + 1) != NULL;
}

/* A struct or union by name (also through a typedef, e.g. psw_t).
 * 0 with *out filled, -1 when unknown. */
static int kd_dwarf_find_type(struct vmlinux *v, const char *name, Dwarf_Die *out)
{
	uint64_t off;

	if (dwarf_ready(v))
		return -1;
	for (;;) {
		if (!v->scan_done && !debug_str_may_have(v, name) &&
		    kd_map_get(&v->types, name, &off) && kd_map_get(&v->typedefs, name, &off))
			return -1;
		if (kd_map_get(&v->types, name, &off) == 0)
			return dwarf_offdie(v->dw, off, out) ? 0 : -1;
		if (kd_map_get(&v->typedefs, name, &off) == 0) {
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
static int kd_dwarf_find_member(Dwarf_Die *agg, const char *member, long base,
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
			    kd_dwarf_find_member(&peeled, member, base + here, off, type,
					      depth + 1) == 0)
				return 0;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return -1;
}

/* --- the vmlinux's own BTF --- */

/*
 * A vmlinux built with CONFIG_DEBUG_INFO_BTF (Debian's x86_64 kernels
 * since 5.10) carries every type of the kernel in its .BTF section, a few
 * MB parsed once by the reader --no-debuginfo uses (kdump-btf.c).  A
 * DWARF search instead walks compile units until it meets the type: on
 * the 6.1 cloud vmlinux 304 units and 470 M instructions before the
 * first task is read, 57 % of a whole scan of an 80-task dump
 * (callgrind), against 15 M through BTF.  pahole encodes BTF from that
 * same DWARF, so the layouts are the same; DWARF still answers for a
 * type the BTF does not have (and for a vmlinux without .BTF, e.g.
 * Debian's s390x kernels).  NULL when there is none.
 */
static struct ks_btf *vmlinux_btf(struct vmlinux *v)
{
	GElf_Shdr sh;
	Elf_Scn *scn;
	Elf_Data *data;
	char err[256];

	if (v->btf_checked)
		return v->btf;
	v->btf_checked = 1;
	scn = vmlinux_section(v, ".BTF", &sh);
	if (!scn || sh.sh_type == SHT_NOBITS)
		return NULL;
	data = elf_getdata(scn, NULL);
	if (data && data->d_buf && data->d_size)
		v->btf = ks_btf_new(data->d_buf, data->d_size, err, sizeof(err));
	return v->btf;
}

/* The BTF that knows this type, or NULL: DWARF's turn. */
static struct ks_btf *btf_for(struct ks_dump *d, const char *type)
{
	struct ks_btf *b = d->from_dump ? d->btf : vmlinux_btf(&d->v);

	if (b && !d->from_dump && ks_btf_type_size(b, type) < 0)
		return NULL;
	return b;
}

/* The three type questions go to BTF when the dump stands in for the
 * vmlinux or the vmlinux has its own, else to the vmlinux DWARF. */
long kd_member_offset(struct ks_dump *d, const char *type, const char *member)
{
	struct ks_btf *b = btf_for(d, type);
	Dwarf_Die agg, t;
	long off;

	if (b)
		return ks_btf_member_offset(b, type, member);
	if (d->from_dump || kd_dwarf_find_type(&d->v, type, &agg) ||
	    kd_dwarf_find_member(&agg, member, 0, &off, &t, 0))
		return -1;
	return off;
}

long kd_type_size(struct ks_dump *d, const char *type)
{
	struct ks_btf *b = btf_for(d, type);
	Dwarf_Die agg;
	Dwarf_Word sz;

	if (b)
		return ks_btf_type_size(b, type);
	if (d->from_dump || kd_dwarf_find_type(&d->v, type, &agg) ||
	    dwarf_aggregate_size(&agg, &sz))
		return -1;
	return (long)sz;
}

long kd_member_size(struct ks_dump *d, const char *type, const char *member)
{
	struct ks_btf *b = btf_for(d, type);
	Dwarf_Die agg, t;
	Dwarf_Word sz;
	long off;

	if (b)
		return ks_btf_member_size(b, type, member);
	if (d->from_dump || kd_dwarf_find_type(&d->v, type, &agg) ||
	    kd_dwarf_find_member(&agg, member, 0, &off, &t, 0) ||
	    dwarf_aggregate_size(&t, &sz))
		return -1;
	return (long)sz;
}
