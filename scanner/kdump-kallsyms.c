// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's own symbol table, read from a dump: what /proc/kallsyms
 * shows, static symbols included, with no debug vmlinux.
 *
 * Layout (kernel/kallsyms.c, kernel/kallsyms_internal.h, scripts/kallsyms.c;
 * 6.1, 6.12, 7.2):
 *  - kallsyms_num_syms: u32 count;
 *  - kallsyms_names: per symbol a length byte (two bytes when its top bit is
 *    set, "big" symbols since 6.1 commit 73bbb94466fd: len = (b0 & 0x7f) |
 *    b1 << 7) and that many token indices; the expanded first character is
 *    the nm type letter;
 *  - kallsyms_token_index: 256 u16 offsets into kallsyms_token_table,
 *    NUL-terminated token strings;
 *  - kallsyms_offsets: one s32 per symbol.  With kallsyms_relative_base
 *    (up to 6.14): base + (u32)off, or, with CONFIG_KALLSYMS_ABSOLUTE_PERCPU
 *    (x86_64 SMP), off itself when off >= 0 (per-CPU symbols) and
 *    base - 1 - off otherwise.  Without it (exported by 6.12's
 *    kernel/vmcore_info.c, no longer by 7.2's, whose kallsyms_sym_address()
 *    is offset_to_ptr()): a place-relative offset, &kallsyms_offsets[i] + off.
 *    The dump tells which: SYMBOL(kallsyms_relative_base) or not.
 * The tables are in the target's byte order (big-endian on s390x).
 * Which offset encoding the x86_64 kernel used is not exported; the data
 * tells: without absolute per-CPU values every offset is below 2 GiB
 * (the image is far smaller), with them every non-per-CPU symbol is
 * negative.  So any negative offset means the absolute-per-CPU encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kdump-source.h"
#include "byteorder.h"

/* Bounds on what a corrupt dump may claim. */
#define KALLSYMS_MAX_SYMS 4000000u
#define KSYM_NAME_LEN 512	/* include/linux/kallsyms.h, 6.1+ */
#define NAMES_CHUNK (256 * 1024)
#define TOKEN_TABLE_MAX (64 * 1024)

/* Read [addr, addr+len) in page-sized pieces so that the error names
 * the first address that is missing from the dump. */
static int read_named(const struct ks_mem *m, kaddr_t addr, void *buf, size_t len,
		      const char *what, char *err, size_t errlen)
{
	size_t done = 0;

	while (done < len) {
		size_t chunk = 4096 - ((addr + done) & 4095);
		if (chunk > len - done)
			chunk = len - done;
		if (m->read(m->priv, addr + done, (char *)buf + done, chunk)) {
			snprintf(err, errlen, "kallsyms: %s at %#llx is not in the dump", what,
				 (unsigned long long)(addr + done));
			return -1;
		}
		done += chunk;
	}
	return 0;
}

/* kallsyms_names is read window by window: its size is not exported and
 * the symbols are expanded one after the other. */
struct names_window {
	const struct ks_mem *m;
	kaddr_t base;
	unsigned char *buf;
	size_t have;		/* bytes of the table in buf */
};

static int names_need(struct names_window *w, size_t upto, char *err, size_t errlen)
{
	size_t want;
	unsigned char *grown;

	if (upto <= w->have)
		return 0;
	want = w->have + NAMES_CHUNK;
	while (want < upto)
		want += NAMES_CHUNK;
	grown = realloc(w->buf, want);
	if (!grown) {
		snprintf(err, errlen, "kallsyms: out of memory");
		return -1;
	}
	w->buf = grown;
	if (read_named(w->m, w->base + w->have, w->buf + w->have, want - w->have,
		       "kallsyms_names", err, errlen)) {
		/* the table may end just before a missing page: keep what
		 * was read and let the caller fail only if it needs more */
		size_t got = w->have;
		while (got + 4096 <= want &&
		       w->m->read(w->m->priv, w->base + got, w->buf + got,
				  4096 - ((w->base + got) & 4095)) == 0)
			got += 4096 - ((w->base + got) & 4095);
		w->have = got;
		return upto <= w->have ? 0 : -1;
	}
	w->have = want;
	return 0;
}

int ks_kallsyms_read(const struct ks_mem *m, const struct ks_kallsyms_loc *loc,
		     struct ks_kallsyms *out, char *err, size_t errlen)
{
	unsigned char b4[8], tidx_raw[512];
	uint16_t tidx[256];
	char *tokens = NULL;
	unsigned char *offs = NULL;
	uint32_t n;
	uint64_t relbase = 0;
	size_t tok_len = 0, names_cap = 0, pos = 0;
	struct names_window w = { m, loc->names, NULL, 0 };
	int be = m->big_endian;

	memset(out, 0, sizeof(*out));
	if (read_named(m, loc->num_syms, b4, 4, "kallsyms_num_syms", err, errlen))
		return -1;
	n = (uint32_t)ks_load_uint(b4, 4, be);
	if (!n || n > KALLSYMS_MAX_SYMS) {
		snprintf(err, errlen, "kallsyms: kallsyms_num_syms is %u: not a symbol table", n);
		return -1;
	}
	if (loc->relative_base) {
		if (read_named(m, loc->relative_base, b4, 8, "kallsyms_relative_base", err, errlen))
			return -1;
		relbase = ks_load_uint(b4, 8, be);
	}
	if (read_named(m, loc->token_index, tidx_raw, sizeof(tidx_raw), "kallsyms_token_index",
		       err, errlen))
		return -1;
	for (int i = 0; i < 256; i++) {
		tidx[i] = (uint16_t)ks_load_uint(tidx_raw + 2 * i, 2, be);
		if (tidx[i] >= tok_len)
			tok_len = tidx[i] + 1u;
	}
	/* The longest token starts at the highest index; tokens are short
	 * (scripts/kallsyms.c merges pairs), a page past it is plenty. */
	tok_len += 4096;
	if (tok_len > TOKEN_TABLE_MAX)
		tok_len = TOKEN_TABLE_MAX;
	tokens = malloc(tok_len + 1);
	offs = malloc((size_t)n * 4);
	out->syms = calloc(n, sizeof(*out->syms));
	if (!tokens || !offs || !out->syms) {
		snprintf(err, errlen, "kallsyms: out of memory for %u symbols", n);
		goto fail;
	}
	/* the bytes after the table may be unreadable: read what is there */
	{
		size_t got = 0;
		while (got < tok_len) {
			size_t chunk = 4096 - ((loc->token_table + got) & 4095);
			if (chunk > tok_len - got)
				chunk = tok_len - got;
			if (m->read(m->priv, loc->token_table + got, tokens + got, chunk))
				break;
			got += chunk;
		}
		tokens[got] = 0;
		for (int i = 0; i < 256; i++)
			if (tidx[i] >= got || !memchr(tokens + tidx[i], 0, got - tidx[i])) {
				snprintf(err, errlen, "kallsyms: token %d (offset %u) is not in the "
					 "dump's kallsyms_token_table", i, tidx[i]);
				goto fail;
			}
	}
	if (read_named(m, loc->offsets, offs, (size_t)n * 4, "kallsyms_offsets", err, errlen))
		goto fail;
	if (loc->relative_base)
		for (uint32_t i = 0; i < n; i++)
			if ((int32_t)ks_load_uint(offs + 4 * (size_t)i, 4, be) < 0) {
				out->absolute_percpu = 1;
				break;
			}

	for (uint32_t i = 0; i < n; i++) {
		char name[KSYM_NAME_LEN + 1];
		size_t len, nl = 0;
		int32_t off;

		if (names_need(&w, pos + 2, err, errlen))
			goto fail;
		len = w.buf[pos++];
		if (len & 0x80)
			len = (len & 0x7f) | (size_t)w.buf[pos++] << 7;
		if (!len) {
			snprintf(err, errlen, "kallsyms: symbol %u has an empty name", i);
			goto fail;
		}
		if (names_need(&w, pos + len, err, errlen))
			goto fail;
		for (size_t t = 0; t < len; t++) {
			const char *tok = tokens + tidx[w.buf[pos + t]];
			for (; *tok && nl < KSYM_NAME_LEN; tok++)
				name[nl++] = *tok;
		}
		pos += len;
		name[nl] = 0;
		if (nl < 2) {
			snprintf(err, errlen, "kallsyms: symbol %u has no name after its type", i);
			goto fail;
		}
		if (out->names_len + nl > names_cap) {
			size_t cap = names_cap ? names_cap * 2 : (size_t)n * 24;
			char *grown;
			while (cap < out->names_len + nl)
				cap *= 2;
			grown = realloc(out->names, cap);
			if (!grown) {
				snprintf(err, errlen, "kallsyms: out of memory");
				goto fail;
			}
			out->names = grown;
			names_cap = cap;
		}
		/* name[0] is the type letter, the name follows */
		memcpy(out->names + out->names_len, name + 1, nl);
		out->syms[i].name = (uint32_t)out->names_len;
		out->syms[i].type = name[0];
		out->names_len += nl;

		off = (int32_t)ks_load_uint(offs + 4 * (size_t)i, 4, be);
		if (!loc->relative_base)
			out->syms[i].addr = loc->offsets + 4 * (kaddr_t)i + (kaddr_t)(int64_t)off;
		else if (!out->absolute_percpu)
			out->syms[i].addr = relbase + (uint32_t)off;
		else if (off >= 0)
			out->syms[i].addr = (kaddr_t)off;
		else
			out->syms[i].addr = relbase - 1 - (kaddr_t)(int64_t)off;
	}
	out->n = n;
	free(w.buf);
	free(tokens);
	free(offs);
	return 0;
fail:
	free(w.buf);
	free(tokens);
	free(offs);
	ks_kallsyms_free(out);
	return -1;
}

void ks_kallsyms_free(struct ks_kallsyms *k)
{
	free(k->syms);
	free(k->names);
	memset(k, 0, sizeof(*k));
}
