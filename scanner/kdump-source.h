/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpscan's sources of symbols and types other than the debug vmlinux,
 * read from the dump itself (scanner/kdump-kallsyms.c, scanner/kdump-btf.c).
 * Only scanner/kdump*.c include this: it is the seam between the dump
 * reader (kdump.c, kdump-self.c), which owns the dump and its lookup
 * tables, and the decoders, which know only how to read memory.
 */
#ifndef KLPSTACK_KDUMP_SOURCE_H
#define KLPSTACK_KDUMP_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "target.h"

/* Reading the dump: kernel virtual memory in the target's byte order. */
struct ks_mem {
	int (*read)(void *priv, kaddr_t addr, void *buf, size_t len);
	void *priv;
	int big_endian;
};

/* ---- kallsyms ---- */

/* Where the kernel's compressed symbol tables lie, from VMCOREINFO
 * (kernel/vmcore_info.c, 6.0+; kernel/crash_core.c before 6.8). */
struct ks_kallsyms_loc {
	kaddr_t num_syms, names, token_table, token_index, offsets;
	kaddr_t relative_base;		/* 0: not exported (6.15+) */
};

struct ks_ksym {
	kaddr_t addr;
	uint32_t name;		/* offset into ks_kallsyms.names */
	char type;		/* nm-style: T t D d W w ... */
};

struct ks_kallsyms {
	struct ks_ksym *syms;	/* in the kernel's table order */
	size_t n;
	char *names;		/* NUL-separated */
	size_t names_len;
	int absolute_percpu;	/* the table used CONFIG_KALLSYMS_ABSOLUTE_PERCPU */
};

/* Read and expand every vmlinux symbol.  0 on success, -1 with err. */
int ks_kallsyms_read(const struct ks_mem *m, const struct ks_kallsyms_loc *loc,
		     struct ks_kallsyms *out, char *err, size_t errlen);
void ks_kallsyms_free(struct ks_kallsyms *k);

/* ---- BTF ---- */

struct ks_btf;

/* vmlinux BTF from the raw bytes of __start_BTF..__stop_BTF (copied). */
struct ks_btf *ks_btf_new(const void *data, size_t size, char *err, size_t errlen);
/* A module's split BTF on top of the vmlinux BTF (copied); 0 or -1. */
int ks_btf_add_module(struct ks_btf *b, const char *name, const void *data, size_t size);
void ks_btf_free(struct ks_btf *b);
/* Called once, on the first struct not found in the vmlinux BTF, to add
 * the modules' BTF (ks_btf_add_module); lookups go on either way. */
void ks_btf_set_module_loader(struct ks_btf *b, void (*load)(void *priv, struct ks_btf *b),
			      void *priv);

/* The three questions of struct ks_target_ops, -1 when unknown.
 * Answers are cached per struct and member. */
long ks_btf_member_offset(struct ks_btf *b, const char *type, const char *member);
long ks_btf_member_size(struct ks_btf *b, const char *type, const char *member);
long ks_btf_type_size(struct ks_btf *b, const char *type);

#endif
