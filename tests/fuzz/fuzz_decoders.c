// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer over the decoders behind klpscan --no-debuginfo, on bytes a
 * damaged or hostile dump could hold: the kallsyms tables
 * (scanner/kdump-kallsyms.c) and BTF, vmlinux and split module BTF
 * (scanner/kdump-btf.c over libbpf).
 *
 * Input: byte 0 picks the decoder and the byte order; for kallsyms the
 * next 12 bytes place the tables inside the rest (which is the memory at
 * a kernel address, reads past it fail); for BTF byte 1..2 split the rest
 * into a vmlinux blob and a module blob.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "kdump-source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE 0xffffffff81000000ull

struct mem {
	const uint8_t *p;
	size_t n;
};

static int mem_read(void *priv, kaddr_t addr, void *buf, size_t len)
{
	const struct mem *m = priv;

	if (addr < BASE || addr - BASE > m->n || len > m->n - (addr - BASE))
		return -1;
	memcpy(buf, m->p + (addr - BASE), len);
	return 0;
}

static void fuzz_kallsyms(const uint8_t *d, size_t n, int be)
{
	struct ks_kallsyms_loc loc;
	struct ks_kallsyms k;
	struct mem m;
	struct ks_mem km = { mem_read, &m, be };
	char err[256];

	if (n < 12)
		return;
	/* table positions: 16-bit offsets into the memory that follows */
	loc.num_syms = BASE + (d[0] | d[1] << 8);
	loc.names = BASE + (d[2] | d[3] << 8);
	loc.token_table = BASE + (d[4] | d[5] << 8);
	loc.token_index = BASE + (d[6] | d[7] << 8);
	loc.offsets = BASE + (d[8] | d[9] << 8);
	loc.relative_base = (d[10] & 1) ? BASE + (d[10] | d[11] << 8) : 0;
	m.p = d + 12;
	m.n = n - 12;
	if (ks_kallsyms_read(&km, &loc, &k, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < k.n; i++)
			if (k.syms[i].name >= k.names_len)
				__builtin_trap();
		ks_kallsyms_free(&k);
	}
}

static void fuzz_btf(const uint8_t *d, size_t n)
{
	static const char *const q[][2] = {
		{ "task_struct", "on_cpu" }, { "task_struct", "x" }, { "module", "list" },
		{ "psw_t", "addr" }, { "a", "b" }, { "btf", "data" },
	};
	struct ks_btf *b;
	size_t split;
	char err[256];

	if (n < 2)
		return;
	split = (size_t)(d[0] | d[1] << 8);
	d += 2;
	n -= 2;
	if (split > n)
		split = n;
	b = ks_btf_new(d, split, err, sizeof(err));
	if (!b)
		return;
	(void)ks_btf_add_module(b, "m", d + split, n - split);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		(void)ks_btf_member_offset(b, q[i][0], q[i][1]);
		(void)ks_btf_member_size(b, q[i][0], q[i][1]);
		(void)ks_btf_type_size(b, q[i][0]);
	}
	ks_btf_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 0x80)
		fuzz_btf(data + 1, size - 1);
	else
		fuzz_kallsyms(data + 1, size - 1, data[0] & 1);
	return 0;
}
