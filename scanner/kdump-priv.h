/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of klpscan's dump target share (scanner/kdump*.c; the
 * public API is kdump.h): struct ks_dump and its vmlinux and symbol table,
 * and the functions one file offers the others.  Where each concern lives:
 *   kdump.c          the dump: open/close, memory reads, target operations
 *   kdump-vmlinux.c  the vmlinux file (ELF, build-id) and the symbol table
 *   kdump-types.c    structure layouts: BTF (the vmlinux's or the dump's),
 *                    else vmlinux DWARF (lazy)
 *   kdump-file.c     file kinds, ELF core checks, VMCOREINFO, banner
 *   kdump-find.c     finding the debug vmlinux that fits the dump
 *   kdump-s390x.c    s390x address translation libkdumpfile lacks
 *   kdump-self.c     no vmlinux: the dump's kallsyms and BTF stand in
 *   kdump-kallsyms.c, kdump-btf.c  the decoders behind kdump-self.c
 *   kdump-validate.c the headers libkdumpfile trusts, checked first
 *   kdump-pages.c    kdump-compressed pages read straight from the file
 */
#ifndef KLPSTACK_KDUMP_PRIV_H
#define KLPSTACK_KDUMP_PRIV_H

#define _GNU_SOURCE	/* memmem */
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>
#include <libkdumpfile/kdumpfile.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "kdump.h"
#include "kdump-validate.h"
#include "namemap.h"
#include "kdump-source.h"
#include "byteorder.h"
#include "klpstack.h"
#include "symbols.h"

/* Bounds on what a dump may claim, so a corrupt one cannot make us loop
 * or allocate without end. */
#define MAX_MODULES 4096
#define MAX_SYM_NAME 256
#define MAX_SEARCH_DEPTH 8
#define MAX_SEARCH_ENTRIES 200000
#define MAX_BUILD_ID 64
#define BANNER_MAX 512

#ifndef EM_S390
#define EM_S390 22
#endif

struct sym {
	kaddr_t addr;
	uint64_t size;		/* kallsyms size: up to the next symbol */
	const char *name;
	unsigned char bind;	/* STB_* */
	char type;		/* nm(1) letter, for the core's alias rule */
};

struct symtab {
	struct sym *syms;	/* sorted by address, then name */
	size_t n;
	struct namemap by_name;	/* name -> index */
};


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
	/* its .BTF section, when it has one (kdump-types.c) */
	struct ks_btf *btf;
	int btf_checked;
};

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

	/* kdump-compressed: the container as checked, and its pages read
	 * straight from the file (kdump-pages.c) */
	struct ks_kdump_layout layout;
	uint64_t fsize;
	struct kd_pages *pages;
};

/* kdump.c */
void kd_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kd_map_get(const struct namemap *m, const char *name, uint64_t *value);
int kd_dump_read(void *priv, kaddr_t addr, void *buf, size_t len);
int kd_read_u64(struct ks_dump *d, kaddr_t addr, uint64_t *v);
int kd_read_u32(struct ks_dump *d, kaddr_t addr, uint32_t *v);

/* kdump-vmlinux.c */
int kd_symtab_finish(struct symtab *t, kaddr_t end_addr);
long kd_symtab_find(const struct symtab *t, kaddr_t addr);
void kd_symtab_free(struct symtab *t);
int kd_peek_vmlinux(const char *path, int machine, unsigned char *id,
		    size_t *idlen);
int kd_vmlinux_file_read(struct vmlinux *v, kaddr_t addr, void *buf,
			 size_t len);
int kd_vmlinux_load_symbols(struct vmlinux *v, int64_t kaslr, char *err,
			    size_t errlen);
int kd_vmlinux_sym(const struct vmlinux *v, const char *name, kaddr_t *addr);
void kd_vmlinux_close(struct vmlinux *v);
int kd_vmlinux_open(struct vmlinux *v, const char *path, char *err,
		    size_t errlen);

/* kdump-types.c */
long kd_member_offset(struct ks_dump *d, const char *type, const char *member);
long kd_type_size(struct ks_dump *d, const char *type);
long kd_member_size(struct ks_dump *d, const char *type, const char *member);

/* kdump-file.c */
int kd_check_elf_core(int fd, off_t fsize, int *bad_ehsize, char *err,
		      size_t errlen);
char *kd_vmcoreinfo(struct ks_dump *d, const char *key);
int kd_check_banner(struct ks_dump *d, char *err, size_t errlen);
const char *kd_kdump_msg(struct ks_dump *d, kdump_status st);
int kd_vmcoreinfo_hex(struct ks_dump *d, const char *key, uint64_t *out,
		      int *present, char *err, size_t errlen);

/* kdump-find.c */
int kd_find_vmlinux(struct ks_dump *d, const char *dump_path,
		    const struct ks_dump_opts *o, char *out, size_t outlen,
		    char *err, size_t errlen);

/* kdump-s390x.c */
void kd_s390x_lowcore_vmcoreinfo(struct ks_dump *d);
int kd_s390x_uncoupled_xlat(struct ks_dump *d, int root_only, char *err, size_t errlen);

/* kdump-self.c */
int kd_dump_self_open(struct ks_dump *d, char *err, size_t errlen);

#endif
