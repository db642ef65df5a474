// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the decoders behind klpscan --no-debuginfo: kallsyms
 * tables built here in every encoding the kernel has used since 6.0
 * (relative base, absolute per-CPU, place-relative; "big" names; both
 * byte orders), and BTF blobs built with libbpf (anonymous members,
 * typedefs, bitfields, split module BTF, big-endian).
 * Closing line: "kdump-unit: N passed, N failed".
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kdump-source.h"

#include "../check.h"

static int passed, failed;


/* ---- a fake dump: one buffer at a kernel address ---- */

#define MEM_BASE 0xffffffff81000000ull
#define MEM_SIZE (64 * 1024)

struct fake {
	unsigned char mem[MEM_SIZE];
	kaddr_t hole_from;	/* reads at or above it fail (0: none) */
};

static int fake_read(void *priv, kaddr_t addr, void *buf, size_t len)
{
	struct fake *f = priv;

	if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE ||
	    (f->hole_from && addr + len > f->hole_from))
		return -1;
	memcpy(buf, f->mem + (addr - MEM_BASE), len);
	return 0;
}

static void put32(int be, unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (be ? 8 * (3 - i) : 8 * i));
}

static void put16(int be, unsigned char *p, uint16_t v)
{
	p[be ? 0 : 1] = (unsigned char)(v >> 8);
	p[be ? 1 : 0] = (unsigned char)v;
}

static void put64(int be, unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (be ? 8 * (7 - i) : 8 * i));
}

/* Table layout in the fake memory (offsets from MEM_BASE). */
enum { AT_NUM = 0x0, AT_BASE = 0x8, AT_TIDX = 0x100, AT_TOK = 0x400,
       AT_OFFS = 0x1000, AT_NAMES = 0x2000 };

enum enc { ENC_RELATIVE, ENC_ABS_PERCPU, ENC_PLACE };

struct tsym {
	const char *name;	/* type letter first, as the kernel stores it */
	kaddr_t addr;
};

/*
 * Tokens: token 0x01 expands to "__" (a merged pair, as scripts/kallsyms.c
 * makes them), every other byte to itself.  Names are stored with "__"
 * compressed into 0x01.
 */
static void build(struct fake *f, int be, enum enc enc, const struct tsym *s, int n,
		  struct ks_kallsyms_loc *loc)
{
	unsigned char *tok = f->mem + AT_TOK;
	size_t tpos = 0, npos = 0;
	kaddr_t base = MEM_BASE;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 256; i++) {
		put16(be, f->mem + AT_TIDX + 2 * i, (uint16_t)tpos);
		if (i == 1) {
			memcpy(tok + tpos, "__", 3);
			tpos += 3;
		} else {
			tok[tpos++] = (unsigned char)i;
			tok[tpos++] = 0;
		}
	}
	put32(be, f->mem + AT_NUM, (uint32_t)n);
	put64(be, f->mem + AT_BASE, base);
	for (int i = 0; i < n; i++) {
		unsigned char enc_name[600];
		size_t len = 0;
		int32_t off;

		for (const char *c = s[i].name; *c; c++) {
			if (c[0] == '_' && c[1] == '_') {
				enc_name[len++] = 1;
				c++;
			} else {
				enc_name[len++] = (unsigned char)*c;
			}
		}
		if (len > 127) {
			f->mem[AT_NAMES + npos++] = (unsigned char)(0x80 | (len & 0x7f));
			f->mem[AT_NAMES + npos++] = (unsigned char)(len >> 7);
		} else {
			f->mem[AT_NAMES + npos++] = (unsigned char)len;
		}
		memcpy(f->mem + AT_NAMES + npos, enc_name, len);
		npos += len;
		switch (enc) {
		case ENC_RELATIVE:
			off = (int32_t)(uint32_t)(s[i].addr - base);
			break;
		case ENC_ABS_PERCPU:
			off = s[i].addr < 0x80000000ull ? (int32_t)s[i].addr
							: (int32_t)(base - 1 - s[i].addr);
			break;
		default:
			off = (int32_t)(int64_t)(s[i].addr - (MEM_BASE + AT_OFFS + 4 * (kaddr_t)i));
		}
		put32(be, f->mem + AT_OFFS + 4 * i, (uint32_t)off);
	}
	loc->num_syms = MEM_BASE + AT_NUM;
	loc->names = MEM_BASE + AT_NAMES;
	loc->token_table = MEM_BASE + AT_TOK;
	loc->token_index = MEM_BASE + AT_TIDX;
	loc->offsets = MEM_BASE + AT_OFFS;
	loc->relative_base = enc == ENC_PLACE ? 0 : MEM_BASE + AT_BASE;
}

static void test_kallsyms_encodings(void)
{
	static char big[300];
	struct tsym syms[] = {
		{ "Tstartup_64", MEM_BASE + 0x100 },
		{ "t__schedule", MEM_BASE + 0x2345 },
		{ "Tschedule", MEM_BASE + 0x2400 },
		{ "dstatic_data.0", MEM_BASE + 0x9000 },
		{ NULL, MEM_BASE + 0xa000 },		/* a "big" name */
		{ "Dlinux_banner", MEM_BASE + 0x7fff0 },
	};
	struct tsym percpu = { "Dpcpu_hot", 0x2a000 };
	static struct fake f;

	memset(big, 'x', sizeof(big) - 1);
	big[0] = 't';
	syms[4].name = big;
	for (int be = 0; be < 2; be++)
		for (int enc = ENC_RELATIVE; enc <= ENC_PLACE; enc++) {
			struct tsym all[8];
			int n = 0;
			struct ks_kallsyms_loc loc;
			struct ks_mem m = { fake_read, &f, be };
			struct ks_kallsyms k;
			char err[256] = "";
			int rc;

			if (enc == ENC_ABS_PERCPU)
				all[n++] = percpu;
			for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
				all[n++] = syms[i];
			build(&f, be, enc, all, n, &loc);
			rc = ks_kallsyms_read(&m, &loc, &k, err, sizeof(err));
			CHECK(rc == 0 && k.n == (size_t)n, "be %d enc %d: read: %s", be, enc, err);
			if (rc)
				continue;
			CHECK(k.absolute_percpu == (enc == ENC_ABS_PERCPU),
			      "be %d enc %d: absolute per-CPU told by the data", be, enc);
			for (int i = 0; i < n; i++) {
				CHECK(strcmp(k.names + k.syms[i].name, all[i].name + 1) == 0 &&
				      k.syms[i].type == all[i].name[0],
				      "be %d enc %d: name %d '%.40s'", be, enc, i,
				      k.names + k.syms[i].name);
				CHECK(k.syms[i].addr == all[i].addr,
				      "be %d enc %d: %s at %#llx, want %#llx", be, enc,
				      all[i].name + 1, (unsigned long long)k.syms[i].addr,
				      (unsigned long long)all[i].addr);
			}
			ks_kallsyms_free(&k);
		}
}

static void test_kallsyms_errors(void)
{
	static struct fake f;
	struct tsym one[] = { { "Tfoo", MEM_BASE + 0x10 } };
	struct ks_kallsyms_loc loc;
	struct ks_mem m = { fake_read, &f, 0 };
	struct ks_kallsyms k;
	char err[256];

	build(&f, 0, ENC_RELATIVE, one, 1, &loc);
	put32(0, f.mem + AT_NUM, 0);
	CHECK(ks_kallsyms_read(&m, &loc, &k, err, sizeof(err)) && strstr(err, "is 0"),
	      "zero symbols: %s", err);
	put32(0, f.mem + AT_NUM, 0x7fffffff);
	CHECK(ks_kallsyms_read(&m, &loc, &k, err, sizeof(err)) && strstr(err, "not a symbol table"),
	      "absurd count: %s", err);
	/* more symbols claimed than the names table holds: the names run
	 * into memory the dump lacks */
	put32(0, f.mem + AT_NUM, 1000);
	memset(f.mem + AT_NAMES + 5, 0x41, 0x1000 - 5);	/* 65-byte names */
	f.hole_from = MEM_BASE + 0x3000;
	CHECK(ks_kallsyms_read(&m, &loc, &k, err, sizeof(err)) && strstr(err, "not in the dump"),
	      "names past the dump: %s", err);
	f.hole_from = 0;
	loc.offsets = MEM_BASE + MEM_SIZE;
	put32(0, f.mem + AT_NUM, 1);
	CHECK(ks_kallsyms_read(&m, &loc, &k, err, sizeof(err)) &&
	      strstr(err, "kallsyms_offsets at"), "offsets missing: %s", err);
	build(&f, 0, ENC_RELATIVE, one, 1, &loc);
	f.mem[AT_NAMES] = 0;
	CHECK(ks_kallsyms_read(&m, &loc, &k, err, sizeof(err)) && strstr(err, "empty name"),
	      "empty name: %s", err);
}

/* ---- BTF ---- */

/* struct task_struct { int a; union { long x; struct { char y; short z; }; };
 *                      unsigned int bits:3, more:5; u8 on_cpu; };
 * typedef struct { unsigned long mask, addr; } psw_t; */
static struct btf *make_btf(void)
{
	struct btf *b = btf__new_empty();
	int i_int, i_long, i_char, i_short, i_uint, i_u8, anon_s, anon_u, ts, psw, ul;

	if (!b)
		return NULL;
	i_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	i_long = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	i_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	i_short = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	i_uint = btf__add_int(b, "unsigned int", 4, 0);
	i_u8 = btf__add_int(b, "u8", 1, 0);
	ul = btf__add_int(b, "unsigned long", 8, 0);
	anon_s = btf__add_struct(b, NULL, 4);
	btf__add_field(b, "y", i_char, 0, 0);
	btf__add_field(b, "z", i_short, 16, 0);
	anon_u = btf__add_union(b, NULL, 8);
	btf__add_field(b, "x", i_long, 0, 0);
	btf__add_field(b, NULL, anon_s, 0, 0);
	ts = btf__add_struct(b, "task_struct", 24);
	btf__add_field(b, "a", i_int, 0, 0);
	btf__add_field(b, NULL, anon_u, 64, 0);
	btf__add_field(b, "bits", i_uint, 128, 3);
	btf__add_field(b, "more", i_uint, 131, 5);
	btf__add_field(b, "on_cpu", i_u8, 136, 0);
	psw = btf__add_struct(b, NULL, 16);
	btf__add_field(b, "mask", ul, 0, 0);
	btf__add_field(b, "addr", ul, 64, 0);
	btf__add_typedef(b, "psw_t", psw);
	(void)ts;
	return b;
}

static void test_btf(void)
{
	for (int be = 0; be < 2; be++) {
		struct btf *src = make_btf();
		const void *raw;
		uint32_t size;
		struct ks_btf *b;
		char err[256] = "";

		CHECK(src != NULL, "libbpf builds a BTF");
		if (!src)
			return;
		/* the dump's byte order: s390x read on x86_64 */
		btf__set_endianness(src, be ? BTF_BIG_ENDIAN : BTF_LITTLE_ENDIAN);
		raw = btf__raw_data(src, &size);
		b = raw ? ks_btf_new(raw, size, err, sizeof(err)) : NULL;
		CHECK(b != NULL, "be %d: parse: %s", be, err);
		btf__free(src);
		if (!b)
			continue;
		CHECK(ks_btf_member_offset(b, "task_struct", "a") == 0, "be %d: a", be);
		CHECK(ks_btf_member_offset(b, "task_struct", "x") == 8, "be %d: x in anon union", be);
		CHECK(ks_btf_member_offset(b, "task_struct", "z") == 10 &&
		      ks_btf_member_size(b, "task_struct", "z") == 2,
		      "be %d: z in anon struct in anon union", be);
		CHECK(ks_btf_member_offset(b, "task_struct", "on_cpu") == 17 &&
		      ks_btf_member_size(b, "task_struct", "on_cpu") == 1, "be %d: u8 on_cpu", be);
		CHECK(ks_btf_member_offset(b, "task_struct", "more") == 16,
		      "be %d: bitfield byte", be);
		CHECK(ks_btf_type_size(b, "task_struct") == 24, "be %d: sizeof", be);
		CHECK(ks_btf_member_offset(b, "psw_t", "addr") == 8 &&
		      ks_btf_type_size(b, "psw_t") == 16, "be %d: through a typedef", be);
		CHECK(ks_btf_member_offset(b, "task_struct", "nope") == -1 &&
		      ks_btf_member_size(b, "task_struct", "nope") == -1, "be %d: no member", be);
		CHECK(ks_btf_type_size(b, "no_such") == -1 &&
		      ks_btf_member_offset(b, "no_such", "a") == -1, "be %d: no struct", be);
		/* cached answers are the same */
		CHECK(ks_btf_member_offset(b, "task_struct", "z") == 10, "be %d: cached", be);
		ks_btf_free(b);
	}
	{
		char err[256] = "";
		unsigned char junk[64];
		memset(junk, 0x5a, sizeof(junk));
		CHECK(ks_btf_new(junk, sizeof(junk), err, sizeof(err)) == NULL &&
		      strstr(err, "does not parse"), "junk BTF: %s", err);
		CHECK(ks_btf_new(junk, 4, err, sizeof(err)) == NULL &&
		      strstr(err, "not a BTF blob"), "tiny BTF: %s", err);
	}
}

/* A module's split BTF, found once the vmlinux misses, through the
 * loader hook. */
static void add_module(void *priv, struct ks_btf *b)
{
	/* split on a base identical to the one ks_btf parsed */
	struct btf *base = priv;
	struct btf *mod = btf__new_empty_split(base);
	const void *raw;
	uint32_t size;
	int i_int = btf__find_by_name_kind(base, "int", BTF_KIND_INT);

	btf__add_struct(mod, "fw_cfg_sysfs_entry", 8);
	btf__add_field(mod, "size", i_int, 32, 0);
	raw = btf__raw_data(mod, &size);
	CHECK(raw && ks_btf_add_module(b, "qemu_fw_cfg", raw, size) == 0, "module BTF added");
	btf__free(mod);
}

static void test_btf_modules(void)
{
	struct btf *src = make_btf();
	const void *raw;
	uint32_t size;
	struct ks_btf *b;
	char err[256] = "";

	raw = btf__raw_data(src, &size);
	b = ks_btf_new(raw, size, err, sizeof(err));
	CHECK(b != NULL, "parse: %s", err);
	if (b) {
		ks_btf_set_module_loader(b, add_module, src);
		CHECK(ks_btf_member_offset(b, "task_struct", "a") == 0, "vmlinux first");
		CHECK(ks_btf_member_offset(b, "fw_cfg_sysfs_entry", "size") == 4 &&
		      ks_btf_type_size(b, "fw_cfg_sysfs_entry") == 8, "a module's struct");
		ks_btf_free(b);
	}
	btf__free(src);
}

int main(void)
{
	test_kallsyms_encodings();
	test_kallsyms_errors();
	test_btf();
	test_btf_modules();
	printf("kdump-unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
