/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ORC data: the four entry formats (decoder and, for pre-baked stacks, encoder),
 * the .orc_header hashes, and the tables read from dump memory
 * (vmlinux __start_orc_unwind_ip[], modules' mod->arch.orc_unwind*),
 * searched as the kernel's orc_find() / __orc_find() do
 * (arch/x86/kernel/unwind_orc.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x86_64.h"

/*
 * Upper bounds that no real kernel reaches: vmlinux has ~0.5M entries,
 * a module a few thousand, a system a few thousand modules.  Anything
 * larger is garbage and would make us allocate or loop for nothing.
 */
#define MAX_VMLINUX_ORCS (16u << 20)
#define MAX_MODULE_ORCS (1u << 20)
#define MAX_FTRACE_OPS 4096
/* FTRACE_OPS_FL_SAVE_REGS = BIT(2) (include/linux/ftrace.h, 3.7-7.x) */
#define FTRACE_OPS_FL_SAVE_REGS 4u

/*
 * .orc_header contents (scripts/orc_hash.sh over orc_types.h), added by
 * b9f174c811e3 in v6.4 and backported to 6.3.10; values as listed by
 * drgn's libdrgn/orc_info.c orc_version_from_header().
 */
static const unsigned char orc_hash_v2[X86_ORC_HEADER_SIZE] = {	/* 6.3 */
	0xdb, 0x84, 0xae, 0xd4, 0x10, 0x3b, 0x31, 0xdd, 0x51, 0xe0,
	0x17, 0xf8, 0xf7, 0x97, 0x83, 0xca, 0x98, 0x5c, 0x2c, 0x51,
};
static const unsigned char orc_hash_v3[X86_ORC_HEADER_SIZE] = {	/* 6.4 */
	0xfe, 0x5d, 0x32, 0xbf, 0x58, 0x1b, 0xd6, 0x3b, 0x2c, 0xa9,
	0xa5, 0xc6, 0x5b, 0xa5, 0xa6, 0x25, 0xea, 0xb3, 0xfe, 0x24,
};
static const unsigned char orc_hash_v4[X86_ORC_HEADER_SIZE] = {	/* 7.1 */
	0x13, 0x7c, 0x36, 0xad, 0x76, 0x27, 0xc4, 0xdd, 0x55, 0x93,
	0x21, 0x76, 0xbb, 0x0e, 0xcd, 0xbd, 0x50, 0x41, 0xfc, 0x82,
};

const unsigned char *x86_orc_header_hash(int version)
{
	switch (version) {
	case X86_ORC_V2: return orc_hash_v2;
	case X86_ORC_V3: return orc_hash_v3;
	case X86_ORC_V4: return orc_hash_v4;
	default: return NULL;
	}
}

/*
 * Register numbers in the entry.  arch/x86/include/asm/orc_types.h up to
 * v7.0: UNDEFINED 0, PREV_SP 1, DX 2, DI 3, BP 4, SP 5, R10 6, R13 7,
 * BP_INDIRECT 8, SP_INDIRECT 9.  v7.1 (1735858caa4b "objtool/x86:
 * Reorder ORC register numbering"): UNDEFINED 0, AX 1, DX 2, SP 3, BP 4,
 * DI 5, R10 6, R13 7, PREV_SP 8, SP_INDIRECT 9, BP_INDIRECT 10.
 */
static const enum x86_orc_reg regs_v1[16] = {
	X86_ORC_REG_UNDEFINED, X86_ORC_REG_PREV_SP, X86_ORC_REG_DX,
	X86_ORC_REG_DI, X86_ORC_REG_BP, X86_ORC_REG_SP, X86_ORC_REG_R10,
	X86_ORC_REG_R13, X86_ORC_REG_BP_INDIRECT, X86_ORC_REG_SP_INDIRECT,
	X86_ORC_REG_BAD, X86_ORC_REG_BAD, X86_ORC_REG_BAD, X86_ORC_REG_BAD,
	X86_ORC_REG_BAD, X86_ORC_REG_BAD,
};
static const enum x86_orc_reg regs_v4[16] = {
	X86_ORC_REG_UNDEFINED, X86_ORC_REG_AX, X86_ORC_REG_DX,
	X86_ORC_REG_SP, X86_ORC_REG_BP, X86_ORC_REG_DI, X86_ORC_REG_R10,
	X86_ORC_REG_R13, X86_ORC_REG_PREV_SP, X86_ORC_REG_SP_INDIRECT,
	X86_ORC_REG_BP_INDIRECT, X86_ORC_REG_BAD, X86_ORC_REG_BAD,
	X86_ORC_REG_BAD, X86_ORC_REG_BAD, X86_ORC_REG_BAD,
};

static const enum x86_orc_reg *reg_map(int version)
{
	return version >= X86_ORC_V4 ? regs_v4 : regs_v1;
}

/* Bits of the 16-bit flags word (little-endian bitfield order). */
#define ORC_SP_REG(f) ((f) & 0xfu)
#define ORC_BP_REG(f) (((f) >> 4) & 0xfu)
#define V1_TYPE(f) (((f) >> 8) & 0x3u)	/* v1, v2: type:2 */
#define V1_END 0x400u			/* v1: end:1 (bit 10, 4.18+) */
#define V2_SIGNAL 0x400u		/* v2: signal:1 (bit 10) */
#define V2_END 0x800u			/* v2: end:1 (bit 11) */
#define V3_TYPE(f) (((f) >> 8) & 0x7u)	/* v3, v4: type:3 */
#define V3_SIGNAL 0x800u		/* v3, v4: signal:1 (bit 11) */

/*
 * Every format in one place.  Types come out in the v3 numbering; the
 * v1/v2 "sp_reg UNDEFINED" entries become UNDEFINED or END_OF_STACK by
 * their end bit, and v1's implicit signal (REGS / REGS_PARTIAL) becomes
 * explicit, as ffb1b4a41016 (v6.3) describes the old behaviour.
 */
void x86_orc_decode(int version, const unsigned char raw[X86_ORC_ENTRY_SIZE],
		    struct x86_orc *o)
{
	uint16_t f = (uint16_t)(raw[4] | raw[5] << 8);
	const enum x86_orc_reg *map = reg_map(version);

	memset(o, 0, sizeof(*o));
	o->sp_offset = (int16_t)(uint16_t)(raw[0] | raw[1] << 8);
	o->bp_offset = (int16_t)(uint16_t)(raw[2] | raw[3] << 8);
	o->raw_sp_reg = ORC_SP_REG(f);
	o->raw_bp_reg = ORC_BP_REG(f);
	o->sp_reg = map[o->raw_sp_reg];
	o->bp_reg = map[o->raw_bp_reg];

	if (version >= X86_ORC_V3) {
		static const enum x86_orc_type t3[8] = {
			X86_ORC_TYPE_UNDEFINED, X86_ORC_TYPE_END_OF_STACK,
			X86_ORC_TYPE_CALL, X86_ORC_TYPE_REGS,
			X86_ORC_TYPE_REGS_PARTIAL, X86_ORC_TYPE_BAD,
			X86_ORC_TYPE_BAD, X86_ORC_TYPE_BAD,
		};
		o->raw_type = V3_TYPE(f);
		o->type = t3[o->raw_type];
		o->signal = !!(f & V3_SIGNAL);
		return;
	}

	{
		static const enum x86_orc_type t1[4] = {
			X86_ORC_TYPE_CALL, X86_ORC_TYPE_REGS,
			X86_ORC_TYPE_REGS_PARTIAL, X86_ORC_TYPE_BAD,
		};
		int end = !!(f & (version == X86_ORC_V2 ? V2_END : V1_END));

		o->raw_type = V1_TYPE(f);
		o->type = t1[o->raw_type];
		if (version == X86_ORC_V2)
			o->signal = !!(f & V2_SIGNAL);
		else
			o->signal = o->type == X86_ORC_TYPE_REGS ||
				    o->type == X86_ORC_TYPE_REGS_PARTIAL;
		if (o->sp_reg == X86_ORC_REG_UNDEFINED)
			o->type = end ? X86_ORC_TYPE_END_OF_STACK
				      : X86_ORC_TYPE_UNDEFINED;
	}
}

static int reg_encode(int version, enum x86_orc_reg r, unsigned *out)
{
	const enum x86_orc_reg *map = reg_map(version);

	for (unsigned i = 0; i < 16; i++) {
		if (map[i] == r && r != X86_ORC_REG_BAD) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/*
 * The inverse, for pre-baked stacks.  -1 when the version cannot express the
 * entry (AX before v7.1, a v1 entry with an explicit signal that its
 * type does not imply, a bad type).
 */
int x86_orc_encode(int version, const struct x86_orc *o,
		   unsigned char raw[X86_ORC_ENTRY_SIZE])
{
	unsigned sp, bp, f;

	if (reg_encode(version, o->sp_reg, &sp) ||
	    reg_encode(version, o->bp_reg, &bp))
		return -1;
	f = sp | bp << 4;
	if (version >= X86_ORC_V3) {
		static const unsigned t3[] = { 0, 1, 2, 3, 4 };
		if (o->type >= X86_ORC_TYPE_BAD)
			return -1;
		f |= t3[o->type] << 8;
		if (o->signal)
			f |= V3_SIGNAL;
	} else {
		unsigned end = version == X86_ORC_V2 ? V2_END : V1_END;

		/* sp_reg UNDEFINED is how v1/v2 say UNDEFINED / END: a frame
		 * type with it would read back as one of those */
		if (o->sp_reg == X86_ORC_REG_UNDEFINED &&
		    o->type != X86_ORC_TYPE_UNDEFINED &&
		    o->type != X86_ORC_TYPE_END_OF_STACK)
			return -1;
		switch (o->type) {
		case X86_ORC_TYPE_UNDEFINED:
			/* sp_reg UNDEFINED, end clear */
			f = bp << 4;
			break;
		case X86_ORC_TYPE_END_OF_STACK:
			f = bp << 4 | end;
			break;
		case X86_ORC_TYPE_CALL:
			break;
		case X86_ORC_TYPE_REGS:
			f |= 1u << 8;
			break;
		case X86_ORC_TYPE_REGS_PARTIAL:
			f |= 2u << 8;
			break;
		default:
			return -1;
		}
		if (version == X86_ORC_V2) {
			if (o->signal)
				f |= V2_SIGNAL;
		} else {
			int implied = o->type == X86_ORC_TYPE_REGS ||
				      o->type == X86_ORC_TYPE_REGS_PARTIAL;
			if (o->signal && !implied)
				return -1;
		}
	}
	raw[0] = (unsigned char)((uint16_t)o->sp_offset & 0xff);
	raw[1] = (unsigned char)((uint16_t)o->sp_offset >> 8);
	raw[2] = (unsigned char)((uint16_t)o->bp_offset & 0xff);
	raw[3] = (unsigned char)((uint16_t)o->bp_offset >> 8);
	raw[4] = (unsigned char)(f & 0xff);
	raw[5] = (unsigned char)(f >> 8);
	return 0;
}

static const char *const reg_names[] = {
	[X86_ORC_REG_UNDEFINED] = "undefined",
	[X86_ORC_REG_PREV_SP] = "prev_sp",
	[X86_ORC_REG_DX] = "dx",
	[X86_ORC_REG_DI] = "di",
	[X86_ORC_REG_BP] = "bp",
	[X86_ORC_REG_SP] = "sp",
	[X86_ORC_REG_R10] = "r10",
	[X86_ORC_REG_R13] = "r13",
	[X86_ORC_REG_BP_INDIRECT] = "bp_indirect",
	[X86_ORC_REG_SP_INDIRECT] = "sp_indirect",
	[X86_ORC_REG_AX] = "ax",
	[X86_ORC_REG_BAD] = "bad",
};

const char *x86_orc_reg_name(enum x86_orc_reg r)
{
	return (unsigned)r <= X86_ORC_REG_BAD ? reg_names[r] : "?";
}

int x86_orc_reg_parse(const char *s, enum x86_orc_reg *out)
{
	for (unsigned i = 0; i < X86_ORC_REG_BAD; i++) {
		if (strcmp(s, reg_names[i]) == 0) {
			*out = (enum x86_orc_reg)i;
			return 0;
		}
	}
	return -1;
}

static const char *const type_names[] = {
	[X86_ORC_TYPE_UNDEFINED] = "undefined",
	[X86_ORC_TYPE_END_OF_STACK] = "end_of_stack",
	[X86_ORC_TYPE_CALL] = "call",
	[X86_ORC_TYPE_REGS] = "regs",
	[X86_ORC_TYPE_REGS_PARTIAL] = "regs_partial",
	[X86_ORC_TYPE_BAD] = "bad",
};

const char *x86_orc_type_name(enum x86_orc_type t)
{
	return (unsigned)t <= X86_ORC_TYPE_BAD ? type_names[t] : "?";
}

int x86_orc_type_parse(const char *s, enum x86_orc_type *out)
{
	for (unsigned i = 0; i < X86_ORC_TYPE_BAD; i++) {
		if (strcmp(s, type_names[i]) == 0) {
			*out = (enum x86_orc_type)i;
			return 0;
		}
	}
	return -1;
}

/* ---- tables in dump memory ---- */

static void table_free(struct x86_orc_table *t)
{
	free(t->ips);
	free(t->orcs);
	t->ips = NULL;
	t->orcs = NULL;
}

void x86_orc_release(struct x86_priv *p)
{
	free(p->tramps);
	p->tramps = NULL;
	p->ntramps = 0;
	table_free(&p->vmlinux);
	for (int i = 0; i < p->nmods; i++)
		table_free(&p->mods[i]);
	free(p->mods);
	p->mods = NULL;
	p->nmods = 0;
}

/* Read a table once; later lookups use the copy.  A table the dump does
 * not hold stays failed (loaded = -1) so we do not retry every frame. */
static int table_load(const struct ks_kernel *k, struct x86_orc_table *t,
		      char *err, size_t errlen)
{
	unsigned char *ipraw;

	if (t->loaded > 0)
		return 0;
	if (t->loaded < 0) {
		snprintf(err, errlen, "ORC table of %s is not in the dump", t->name);
		return -1;
	}
	t->loaded = -1;
	if (t->num == 0)
		goto ok;
	ipraw = malloc((size_t)t->num * 4);
	t->ips = malloc((size_t)t->num * sizeof(int32_t));
	t->orcs = malloc((size_t)t->num * X86_ORC_ENTRY_SIZE);
	if (!ipraw || !t->ips || !t->orcs) {
		free(ipraw);
		table_free(t);
		snprintf(err, errlen, "out of memory for the ORC table of %s", t->name);
		return -1;
	}
	if (ks_read(k, t->ip_table, ipraw, (size_t)t->num * 4) ||
	    ks_read(k, t->orc_table, t->orcs, (size_t)t->num * X86_ORC_ENTRY_SIZE)) {
		free(ipraw);
		table_free(t);
		snprintf(err, errlen,
			 "ORC table of %s (%u entries at %#llx/%#llx) is not in the dump",
			 t->name, t->num, (unsigned long long)t->ip_table,
			 (unsigned long long)t->orc_table);
		return -1;
	}
	for (uint32_t i = 0; i < t->num; i++)
		t->ips[i] = (int32_t)ks_get_u32(k, ipraw + (size_t)i * 4);
	free(ipraw);
ok:
	t->loaded = 1;
	return 0;
}

/* orc_ip(): each entry holds its target relative to its own address. */
static kaddr_t table_ip(const struct x86_orc_table *t, uint32_t i)
{
	return t->ip_table + (kaddr_t)i * 4 + (kaddr_t)(int64_t)t->ips[i];
}

/*
 * __orc_find(): the rightmost entry whose ip <= target.  The "weak"
 * section terminators sort first among equal ips (orc_sort_cmp), so the
 * rightmost one is the real entry.  No entry below the target gives the
 * first entry, as the kernel's "found = first" start does.  An empty
 * table has none: 0, else 1 with *idx.
 */
static int table_find(const struct x86_orc_table *t, kaddr_t ip, uint32_t *idx)
{
	int64_t first = 0, last = (int64_t)t->num - 1, found = 0;

	if (t->num == 0)
		return 0;
	while (first <= last) {
		int64_t mid = first + (last - first) / 2;
		if (table_ip(t, (uint32_t)mid) <= ip) {
			found = mid;
			first = mid + 1;
		} else {
			last = mid - 1;
		}
	}
	*idx = (uint32_t)found;
	return 1;
}

/*
 * Each module's ORC tables (mod->arch.orc_unwind_ip / orc_unwind /
 * num_orcs), read once, index for index with the core's module list
 * (src/modules.c), which also decides whose text an address is in --
 * core or init text: the module's table covers both.
 */
static int modules_load(struct ks_kernel *k, struct x86_priv *p)
{
	const struct x86_layout *l = &p->l;
	const struct ks_module *mods;
	int n;

	if (p->modules_loaded)
		return p->modules_loaded > 0 ? 0 : -1;
	p->modules_loaded = -1;
	if (ks_modules(k, &mods, &n, p->modules_error, sizeof(p->modules_error)))
		return -1;
	if (n == 0) {
		p->modules_loaded = 1;	/* no modules: nothing to search */
		return 0;
	}
	if (l->mod_arch < 0 || l->arch_orc_ip < 0 || l->arch_orc < 0 ||
	    l->arch_num_orcs < 0) {
		snprintf(p->modules_error, sizeof(p->modules_error),
			 "struct module layout unknown: cannot find module ORC tables");
		return -1;
	}
	p->mods = calloc((size_t)n, sizeof(*p->mods));
	if (!p->mods) {
		snprintf(p->modules_error, sizeof(p->modules_error), "out of memory");
		return -1;
	}
	p->nmods = n;
	for (int i = 0; i < n; i++) {
		struct x86_orc_table *t = &p->mods[i];
		kaddr_t mod = mods[i].addr;
		uint64_t ipt, orct;
		uint32_t num;

		snprintf(t->name, sizeof(t->name), "%s", mods[i].name);
		if (ks_read_u64(k, mod + l->mod_arch + l->arch_orc_ip, &ipt) ||
		    ks_read_u64(k, mod + l->mod_arch + l->arch_orc, &orct) ||
		    ks_read_u32(k, mod + l->mod_arch + l->arch_num_orcs, &num)) {
			snprintf(p->modules_error, sizeof(p->modules_error),
				 "struct module at %#llx (%s) is not in the dump",
				 (unsigned long long)mod, t->name);
			return -1;
		}
		if (num > MAX_MODULE_ORCS) {
			snprintf(p->modules_error, sizeof(p->modules_error),
				 "module %s claims %u ORC entries", t->name, num);
			return -1;
		}
		t->ip_table = ipt;
		t->orc_table = orct;
		/* orc_module_find(): a module without tables has no entry. */
		t->num = (ipt && orct) ? num : 0;
	}
	p->modules_loaded = 1;
	return 0;
}

/* The entry for ip in table t: 0 with *found, -1 the table is not in
 * the dump (message in err). */
static int table_entry(const struct ks_kernel *k, struct x86_orc_table *t,
		       kaddr_t ip, struct x86_orc *out, int *found,
		       char *err, size_t errlen)
{
	uint32_t i;

	if (table_load(k, t, err, errlen))
		return -1;
	*found = table_find(t, ip, &i);
	if (*found)
		x86_orc_decode(x86_priv(k)->orc_version,
			       t->orcs + (size_t)i * X86_ORC_ENTRY_SIZE, out);
	return 0;
}

/*
 * ftrace_ops_trampoline(): the dynamic trampolines on ftrace_ops_list
 * (ops->next until &ftrace_list_end), read once.  Kernels or targets
 * without the ftrace_ops layout simply have none.
 */
static int ftrace_tramps_load(const struct ks_kernel *k, struct x86_priv *p)
{
	const struct x86_layout *l = &p->l;
	kaddr_t head = ks_symbol(k, "ftrace_ops_list");
	kaddr_t end = ks_symbol(k, "ftrace_list_end");
	uint64_t ops;

	if (p->tramps_loaded)
		return p->tramps_loaded > 0 ? 0 : -1;
	p->tramps_loaded = 1;
	if (!head || !end || l->ops_next < 0 || l->ops_flags < 0 ||
	    l->ops_tramp < 0 || l->ops_tramp_size < 0)
		return 0;
	p->tramps_loaded = -1;
	if (ks_read_u64(k, head, &ops))
		return -1;
	for (int n = 0; ops && ops != end; n++) {
		uint64_t flags, tramp, size;
		struct x86_ftrace_tramp *grown;

		if (n >= MAX_FTRACE_OPS ||
		    ks_read_u64(k, ops + (kaddr_t)l->ops_flags, &flags) ||
		    ks_read_u64(k, ops + (kaddr_t)l->ops_tramp, &tramp) ||
		    ks_read_u64(k, ops + (kaddr_t)l->ops_tramp_size, &size))
			return -1;
		if (tramp && size && size < (1u << 20) && tramp + size > tramp) {
			grown = realloc(p->tramps,
					(size_t)(p->ntramps + 1) * sizeof(*grown));
			if (!grown)
				return -1;
			p->tramps = grown;
			p->tramps[p->ntramps].start = tramp;
			p->tramps[p->ntramps].end = tramp + size;
			p->tramps[p->ntramps].save_regs =
				!!(flags & FTRACE_OPS_FL_SAVE_REGS);
			p->ntramps++;
		}
		if (ks_read_u64(k, ops + (kaddr_t)l->ops_next, &ops))
			return -1;
	}
	p->tramps_loaded = 1;
	return 0;
}

static const struct x86_ftrace_tramp *ftrace_tramp(const struct ks_kernel *k,
						   kaddr_t ip)
{
	struct x86_priv *p = x86_priv(k);

	if (ftrace_tramps_load(k, p))
		return NULL;
	for (int i = 0; i < p->ntramps; i++)
		if (ip >= p->tramps[i].start && ip < p->tramps[i].end)
			return &p->tramps[i];
	return NULL;
}

/* is_ftrace_trampoline() (kernel/trace/ftrace.c): the dynamic ftrace
 * trampolines are text to __kernel_text_address(); the core asks here
 * (ks_arch_ops.extra_text), so every target gets the same answer. */
int x86_extra_text(const struct ks_kernel *k, kaddr_t ip)
{
	return ftrace_tramp(k, ip) != NULL;
}

/*
 * orc_ftrace_find(): a dynamic trampoline is a copy of ftrace_caller
 * (ftrace_regs_caller with FTRACE_OPS_FL_SAVE_REGS) and uses its ORC.
 * 6.0+ (fc2e426b1161) looks up the same offset in the original; before,
 * the kernel used the entry of the call site ftrace_(regs_)call.
 * 1 with the address to look up in *orig, 0 when ip is no trampoline.
 */
static int orc_ftrace_find(struct ks_kernel *k, kaddr_t ip, kaddr_t *orig)
{
	struct x86_priv *p = x86_priv(k);
	const struct x86_ftrace_tramp *t = ftrace_tramp(k, ip);
	kaddr_t base;

	if (!t)
		return 0;
	if (k->version >= KS_VERSION(6, 0, 0)) {
		base = t->save_regs ? p->ftrace_regs_caller : p->ftrace_caller;
		if (!base)
			return 0;
		*orig = base + (ip - t->start);
	} else {
		*orig = t->save_regs ? p->ftrace_regs_call : p->ftrace_call;
		if (!*orig)
			return 0;
	}
	/* "Prevent unlikely recursion" */
	return *orig != ip;
}

/* orc_find() returning NULL. */
static int no_entry(int *found)
{
	*found = 0;
	return 0;
}

void x86_orc_fp_entry(struct x86_orc *out)
{
	memset(out, 0, sizeof(*out));
	out->type = X86_ORC_TYPE_CALL;
	out->sp_reg = X86_ORC_REG_BP;
	out->sp_offset = 16;
	out->bp_reg = X86_ORC_REG_PREV_SP;
	out->bp_offset = -16;
}

/* null_orc_entry: ip 0 is a call through a NULL pointer, so the return
 * address is at sp and the caller's frame is sp + 8 (CALL). */
static void null_entry(struct x86_orc *out)
{
	memset(out, 0, sizeof(*out));
	out->sp_offset = 8;
	out->sp_reg = X86_ORC_REG_SP;
	out->bp_reg = X86_ORC_REG_UNDEFINED;
	out->type = X86_ORC_TYPE_CALL;
}

/* orc_module_find(): the table of the module whose text (core or init)
 * holds ip into *t, NULL when ip is no module text; -1 when the module
 * list or its tables could not be read (message in err). */
static int module_table(struct ks_kernel *k, kaddr_t ip,
			struct x86_orc_table **t, char *err, size_t errlen)
{
	struct x86_priv *p = x86_priv(k);
	int i;

	*t = NULL;
	if (modules_load(k, p)) {
		snprintf(err, errlen, "%s", p->modules_error);
		return -1;
	}
	i = ks_module_text_index(k, ip);
	if (i >= 0 && i < p->nmods)
		*t = &p->mods[i];
	return 0;
}

/* orc_bpf_find() (7.x): inside the part of a BPF ksym where the JIT has
 * set up its frame (bpf_has_frame_pointer(); a zero fp_start or fp_end
 * means the JIT recorded no frame), the frame-pointer entry counts as
 * found.  Older kernels have no entry for BPF code at all. */
static int orc_bpf_find(const struct ks_kernel *k, kaddr_t ip)
{
	const struct ks_bpf_ksym *b;

	if (!k->bpf_has_fp_range)
		return 0;
	b = ks_bpf_find(k, ip);
	return b && b->fp_start && b->fp_end && ip - b->start >= b->fp_start &&
	       ip - b->start < b->fp_end;
}

/*
 * orc_find(): ip 0 gets the hard-coded null entry; vmlinux text
 * [_stext, _etext) and init text [_sinittext, _einittext) (its entries
 * stay in the table after boot) the vmlinux table; module text the
 * module's table; BPF code its frame-pointer entry (7.x); a dynamic
 * ftrace trampoline the entry of the code it copies; anything else no
 * entry.  Without _stext/_etext (pre-baked stacks) every ip that is
 * neither module text nor a trampoline is vmlinux's.
 */
int x86_orc_find(struct ks_kernel *k, kaddr_t ip, struct x86_orc *out,
		 int *found, char *err, size_t errlen)
{
	struct x86_priv *p = x86_priv(k);
	int have_text = p->stext && p->etext;
	struct x86_orc_table *mod;
	kaddr_t orig;

	*found = 1;
	if (ip == 0) {
		null_entry(out);
		return 0;
	}
	if ((have_text && ip >= p->stext && ip < p->etext) ||
	    (p->sinittext && ip >= p->sinittext && ip < p->einittext))
		return table_entry(k, &p->vmlinux, ip, out, found, err, errlen);
	if (module_table(k, ip, &mod, err, errlen))
		return -1;
	if (mod)
		return mod->num ? table_entry(k, mod, ip, out, found, err, errlen)
				: no_entry(found);
	if (orc_bpf_find(k, ip)) {
		x86_orc_fp_entry(out);
		return 0;
	}
	if (orc_ftrace_find(k, ip, &orig)) {
		/* the original is vmlinux text: one level, no recursion */
		if (have_text && (orig < p->stext || orig >= p->etext))
			return no_entry(found);
		return table_entry(k, &p->vmlinux, orig, out, found, err, errlen);
	}
	if (!have_text)
		return table_entry(k, &p->vmlinux, ip, out, found, err, errlen);
	return no_entry(found);
}

/* Kernel version -> format, for kernels without .orc_header: < 6.4
 * mainline, and 6.3.0-6.3.9 (the header came to 6.3 in 6.3.10). */
static int orc_version_from_kernel(const struct ks_kernel *k, char *why,
				   size_t whylen)
{
	unsigned a, b, c, build;

	/* RHEL 9.6 (5.14.0-517.el9 and later) ships the v6.4 format
	 * without .orc_header (drgn issue #578). */
	if (strstr(k->release, ".el9") &&
	    sscanf(k->release, "%u.%u.%u-%u", &a, &b, &c, &build) == 4 &&
	    a == 5 && b == 14 && build >= 517) {
		snprintf(why, whylen, "RHEL 9 release");
		return X86_ORC_V3;
	}
	snprintf(why, whylen, "kernel version");
	if (k->version >= KS_VERSION(7, 1, 0))
		return X86_ORC_V4;
	if (k->version >= KS_VERSION(6, 4, 0))
		return X86_ORC_V3;
	if (k->version >= KS_VERSION(6, 3, 0))
		return X86_ORC_V2;
	return X86_ORC_V1;
}

int x86_orc_probe(struct ks_kernel *k, struct x86_priv *p, char *err,
		  size_t errlen)
{
	kaddr_t ip_start = ks_symbol(k, "__start_orc_unwind_ip");
	kaddr_t ip_stop = ks_symbol(k, "__stop_orc_unwind_ip");
	kaddr_t orc_start = ks_symbol(k, "__start_orc_unwind");
	kaddr_t orc_stop = ks_symbol(k, "__stop_orc_unwind");
	kaddr_t hdr = ks_symbol(k, "__start_orc_header");
	unsigned char h[X86_ORC_HEADER_SIZE];
	uint64_t num;

	/* unwind_init(): the table must be whole, else orc_init stays false
	 * and every unwind fails. */
	if (!ip_stop || !orc_start || ip_stop < ip_start ||
	    (ip_stop - ip_start) % 4) {
		snprintf(err, errlen,
			 "ORC: __start/__stop_orc_unwind_ip or __start_orc_unwind missing or inconsistent");
		return -1;
	}
	num = (ip_stop - ip_start) / 4;
	if (num == 0 || num > MAX_VMLINUX_ORCS) {
		snprintf(err, errlen, "ORC: vmlinux table has %llu entries",
			 (unsigned long long)num);
		return -1;
	}
	if (orc_stop && (orc_stop < orc_start ||
			 orc_stop - orc_start != num * X86_ORC_ENTRY_SIZE)) {
		snprintf(err, errlen,
			 "ORC: .orc_unwind and .orc_unwind_ip sizes disagree");
		return -1;
	}
	p->vmlinux.ip_table = ip_start;
	p->vmlinux.orc_table = orc_start;
	p->vmlinux.num = (uint32_t)num;
	snprintf(p->vmlinux.name, sizeof(p->vmlinux.name), "vmlinux");

	/* b9f174c811e3 (v6.4, 6.3.10): the hash of orc_types.h names the
	 * format exactly; an unknown hash is a format we cannot decode. */
	if (hdr && ks_read(k, hdr, h, sizeof(h)) == 0) {
		for (int v = X86_ORC_V2; v <= X86_ORC_V4; v++) {
			if (memcmp(h, x86_orc_header_hash(v), sizeof(h)) == 0) {
				p->orc_version = v;
				snprintf(p->orc_version_from,
					 sizeof(p->orc_version_from), ".orc_header");
				return 0;
			}
		}
		snprintf(err, errlen,
			 "ORC: unknown .orc_header hash %02x%02x%02x%02x...: unknown entry format",
			 h[0], h[1], h[2], h[3]);
		return -1;
	}
	p->orc_version = orc_version_from_kernel(k, p->orc_version_from,
						 sizeof(p->orc_version_from));
	return 0;
}
