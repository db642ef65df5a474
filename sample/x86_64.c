/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 sample directives that build ORC tables (orc, orc-version,
 * orc-header, orc-end, orc-table): the sample loader's arch part, linked
 * into klpscan and the tests, never into klpstack.so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../arch/x86_64/x86_64.h"
#include "sample.h"

/* ---- samples: ORC tables written in the version's own format ---- */

/*
 * "orc" lines collect entries; "orc-end" sorts them, encodes them in the
 * format of the sample's kernel (or "orc-version") and adds the tables,
 * their __start/__stop symbols and, from v2 on, .orc_header.  All of it
 * happens while the sample is parsed, so sample_finish() only checks and
 * frees (it also runs from ks_sample_free() on a half-built sample, where
 * nothing may be added).  IPs are numbers: symbols cannot be looked up
 * before the sample is complete.
 */

/* Where the tables go unless "orc-table" says else: an address in the
 * kernel image's data area that samples leave free. */
#define SAMPLE_ORC_TABLE 0xffffffff83000000ull
#define SAMPLE_MAX_ORCS 65536

struct sample_orc {
	kaddr_t ip;
	int order;
	struct x86_orc orc;
};

struct sample_state {
	int version;		/* 0 = from the kernel version */
	int header;		/* -1 not given, 0 no, 1 yes */
	int done;		/* orc-end seen */
	kaddr_t table;
	struct sample_orc *e;
	int n, cap;
};

static struct sample_state *sample_state(void *loader, int create)
{
	void **slot = ks_sample_arch_state(loader);

	if (!slot)
		return NULL;
	if (!*slot && create) {
		struct sample_state *st = calloc(1, sizeof(*st));
		if (!st)
			return NULL;
		st->header = -1;
		st->table = SAMPLE_ORC_TABLE;
		*slot = st;
	}
	return *slot;
}

static void sample_state_free(void *loader)
{
	void **slot = ks_sample_arch_state(loader);
	struct sample_state *st;

	if (!slot || !*slot)
		return;
	st = *slot;
	free(st->e);
	free(st);
	*slot = NULL;
}

static int parse_num(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	return ks_sample_number(s, out) == 0 && *out >= lo && *out <= hi ? 0 : -1;
}

static int default_version(uint32_t v)
{
	if (v >= KS_VERSION(7, 1, 0))
		return X86_ORC_V4;
	if (v >= KS_VERSION(6, 4, 0))
		return X86_ORC_V3;
	if (v >= KS_VERSION(6, 3, 0))
		return X86_ORC_V2;
	return X86_ORC_V1;
}

static int cmp_entries(const void *a, const void *b)
{
	const struct sample_orc *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return x->order - y->order;
}

/* orc-end: the tables as the kernel has them after boot (sorted: by
 * sorttable at build time since 5.6, by unwind_init() before). */
static int sample_orc_end(void *loader, struct sample_state *st, char *err,
			  size_t errlen)
{
	const struct ks_target *t = ks_sample_target(loader);
	unsigned char *ipbytes, *orcbytes;
	kaddr_t ip_tab = st->table, orc_tab, hdr;
	int version, header, ret = -1;

	if (st->done) {
		snprintf(err, errlen, "orc-end given twice");
		return -1;
	}
	if (st->n == 0) {
		snprintf(err, errlen, "orc-end: no orc entries");
		return -1;
	}
	if (!st->version && (!t || !t->version)) {
		snprintf(err, errlen, "orc-end: 'kernel' (or orc-version) must come first");
		return -1;
	}
	version = st->version ? st->version : default_version(t->version);
	/* .orc_header exists from 6.3.10 / 6.4 on; a sample that names the
	 * format gets it too, so probe() decodes that format. */
	header = st->header >= 0 ? st->header : (st->version >= X86_ORC_V2);
	if (header && version < X86_ORC_V2) {
		snprintf(err, errlen, "orc-header: ORC v1 kernels have no .orc_header");
		return -1;
	}
	ipbytes = malloc((size_t)st->n * 4);
	orcbytes = malloc((size_t)st->n * X86_ORC_ENTRY_SIZE);
	if (!ipbytes || !orcbytes) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (st->n > 1)
		qsort(st->e, (size_t)st->n, sizeof(*st->e), cmp_entries);
	orc_tab = (ip_tab + (kaddr_t)st->n * 4 + 15) & ~(kaddr_t)15;
	hdr = (orc_tab + (kaddr_t)st->n * X86_ORC_ENTRY_SIZE + 15) & ~(kaddr_t)15;
	for (int i = 0; i < st->n; i++) {
		/* each entry holds its ip relative to its own address */
		int64_t rel = (int64_t)(st->e[i].ip - (ip_tab + (kaddr_t)i * 4));
		uint32_t u;

		if (rel < INT32_MIN || rel > INT32_MAX) {
			snprintf(err, errlen,
				 "orc: ip %#llx is too far from the table at %#llx",
				 (unsigned long long)st->e[i].ip,
				 (unsigned long long)ip_tab);
			goto out;
		}
		u = (uint32_t)(int32_t)rel;
		for (int b = 0; b < 4; b++)
			ipbytes[i * 4 + b] = (unsigned char)(u >> (8 * b));
		if (x86_orc_encode(version, &st->e[i].orc,
				   orcbytes + (size_t)i * X86_ORC_ENTRY_SIZE)) {
			snprintf(err, errlen,
				 "orc: entry at %#llx (%s, sp %s, bp %s%s) cannot be written in ORC v%d",
				 (unsigned long long)st->e[i].ip,
				 x86_orc_type_name(st->e[i].orc.type),
				 x86_orc_reg_name(st->e[i].orc.sp_reg),
				 x86_orc_reg_name(st->e[i].orc.bp_reg),
				 st->e[i].orc.signal ? ", signal" : "", version);
			goto out;
		}
	}
	if (ks_sample_add_memory(loader, ip_tab, ipbytes, (size_t)st->n * 4) ||
	    ks_sample_add_memory(loader, orc_tab, orcbytes,
				 (size_t)st->n * X86_ORC_ENTRY_SIZE) ||
	    ks_sample_add_symbol(loader, "__start_orc_unwind_ip", ip_tab,
				 (uint64_t)st->n * 4, 0, NULL) ||
	    ks_sample_add_symbol(loader, "__stop_orc_unwind_ip",
				 ip_tab + (kaddr_t)st->n * 4, 0, 0, NULL) ||
	    ks_sample_add_symbol(loader, "__start_orc_unwind", orc_tab,
				 (uint64_t)st->n * X86_ORC_ENTRY_SIZE, 0, NULL) ||
	    ks_sample_add_symbol(loader, "__stop_orc_unwind",
				 orc_tab + (kaddr_t)st->n * X86_ORC_ENTRY_SIZE,
				 0, 0, NULL)) {
		snprintf(err, errlen, "orc: cannot add the tables to the sample");
		goto out;
	}
	if (header &&
	    (ks_sample_add_memory(loader, hdr, x86_orc_header_hash(version),
				  X86_ORC_HEADER_SIZE) ||
	     ks_sample_add_symbol(loader, "__start_orc_header", hdr,
				  X86_ORC_HEADER_SIZE, 0, NULL) ||
	     ks_sample_add_symbol(loader, "__stop_orc_header",
				  hdr + X86_ORC_HEADER_SIZE, 0, 0, NULL))) {
		snprintf(err, errlen, "orc: cannot add .orc_header to the sample");
		goto out;
	}
	st->done = 1;
	ret = 0;
out:
	free(ipbytes);
	free(orcbytes);
	return ret;
}

/* orc IP TYPE SP_REG SP_OFF BP_REG BP_OFF [signal] [end] */
static int sample_orc_entry(struct sample_state *st, char **argv, int argc,
			    char *err, size_t errlen)
{
	struct sample_orc e;
	int64_t ip, spo, bpo;

	memset(&e, 0, sizeof(e));
	if (st->done) {
		snprintf(err, errlen, "orc: entry after orc-end");
		return -1;
	}
	if (argc < 6 || argc > 8) {
		snprintf(err, errlen,
			 "orc: expected IP TYPE SP_REG SP_OFF BP_REG BP_OFF [signal] [end]");
		return -1;
	}
	if (ks_sample_number(argv[0], &ip) || ip == 0) {
		snprintf(err, errlen, "orc: IP '%s' must be a nonzero number", argv[0]);
		return -1;
	}
	if (x86_orc_type_parse(argv[1], &e.orc.type)) {
		snprintf(err, errlen, "orc: unknown type '%s'", argv[1]);
		return -1;
	}
	if (x86_orc_reg_parse(argv[2], &e.orc.sp_reg) ||
	    x86_orc_reg_parse(argv[4], &e.orc.bp_reg)) {
		snprintf(err, errlen, "orc: unknown register '%s' or '%s'",
			 argv[2], argv[4]);
		return -1;
	}
	if (parse_num(argv[3], -32768, 32767, &spo) ||
	    parse_num(argv[5], -32768, 32767, &bpo)) {
		snprintf(err, errlen, "orc: offsets must fit in 16 bits");
		return -1;
	}
	e.orc.sp_offset = (int16_t)spo;
	e.orc.bp_offset = (int16_t)bpo;
	for (int i = 6; i < argc; i++) {
		if (strcmp(argv[i], "signal") == 0) {
			e.orc.signal = 1;
		} else if (strcmp(argv[i], "end") == 0) {
			/* the v1/v2 way of saying END_OF_STACK */
			e.orc.type = X86_ORC_TYPE_END_OF_STACK;
		} else {
			snprintf(err, errlen, "orc: unknown flag '%s'", argv[i]);
			return -1;
		}
	}
	if (st->n >= SAMPLE_MAX_ORCS) {
		snprintf(err, errlen, "orc: more than %d entries", SAMPLE_MAX_ORCS);
		return -1;
	}
	if (st->n == st->cap) {
		int cap = st->cap ? 2 * st->cap : 64;
		struct sample_orc *ne = realloc(st->e, (size_t)cap * sizeof(*ne));
		if (!ne) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		st->e = ne;
		st->cap = cap;
	}
	e.ip = (kaddr_t)ip;
	e.order = st->n;
	st->e[st->n++] = e;
	return 0;
}

static int x86_sample_directive(void *loader, const char *kw, char **argv, int argc,
			 char *err, size_t errlen)
{
	struct sample_state *st;
	int64_t v;

	if (strcmp(kw, "orc") && strcmp(kw, "orc-version") &&
	    strcmp(kw, "orc-header") && strcmp(kw, "orc-table") &&
	    strcmp(kw, "orc-end"))
		return 1;
	st = sample_state(loader, 1);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strcmp(kw, "orc") == 0)
		return sample_orc_entry(st, argv, argc, err, errlen);
	if (strcmp(kw, "orc-end") == 0) {
		if (argc != 0) {
			snprintf(err, errlen, "orc-end takes no arguments");
			return -1;
		}
		return sample_orc_end(loader, st, err, errlen);
	}
	if (st->n || st->done) {
		snprintf(err, errlen, "%s must come before the orc entries", kw);
		return -1;
	}
	if (strcmp(kw, "orc-version") == 0) {
		if (argc != 1 || parse_num(argv[0], 1, 4, &v)) {
			snprintf(err, errlen, "orc-version: expected 1, 2, 3 or 4");
			return -1;
		}
		st->version = (int)v;
		return 0;
	}
	if (strcmp(kw, "orc-header") == 0) {
		if (argc != 1 || (strcmp(argv[0], "yes") && strcmp(argv[0], "no"))) {
			snprintf(err, errlen, "orc-header: expected yes or no");
			return -1;
		}
		st->header = strcmp(argv[0], "yes") == 0;
		return 0;
	}
	/* orc-table ADDR */
	if (argc != 1 || ks_sample_number(argv[0], &v) || v == 0) {
		snprintf(err, errlen, "orc-table: expected an address");
		return -1;
	}
	st->table = (kaddr_t)v;
	return 0;
}

/* Only checks and frees: see the comment at the top of this part. */
static int x86_sample_finish(void *loader, char *err, size_t errlen)
{
	struct sample_state *st = sample_state(loader, 0);
	int ret = 0;

	if (!st)
		return 0;
	if (st->n && !st->done) {
		snprintf(err, errlen, "orc entries without orc-end");
		ret = -1;
	}
	sample_state_free(loader);
	return ret;
}

const struct ks_sample_arch ks_sample_x86_64 = {
	.id = KS_ARCH_X86_64,
	.directive = x86_sample_directive,
	.finish = x86_sample_finish,
};
