/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A struct ks_target over a real dump: memory from libkdumpfile
 * (kdump-compressed or ELF vmcore), symbols and types from the matching
 * debug vmlinux through elfutils (libelf for the symbol table, libdw for
 * the structures, read lazily).  Without a vmlinux, symbols come from
 * the dump's kallsyms tables and types from its BTF (Linux 6.0+).  vmlinux
 * symbols only: the core reads the module list and each module's symbols
 * from memory itself (src/modules.c).  Only klpscan links this; the crash
 * extension gets the same facts from crash.
 */
#ifndef KLPSTACK_KDUMP_H
#define KLPSTACK_KDUMP_H

#include "target.h"

/* What a file on the command line holds, judged from its first bytes. */
enum ks_file_kind {
	KS_FILE_UNREADABLE = -1,
	KS_FILE_OTHER = 0,	/* not something klpscan reads */
	KS_FILE_SAMPLE,		/* *.sample */
	KS_FILE_ELF_CORE,	/* ELF vmcore (ET_CORE) */
	KS_FILE_KDUMP,		/* kdump-compressed (makedumpfile, QEMU) */
	KS_FILE_FLATTENED,	/* makedumpfile flattened: needs makedumpfile -R */
	KS_FILE_ELF_OTHER,	/* an ELF file that is not a core (a vmlinux?) */
};

enum ks_file_kind ks_dump_file_kind(const char *path);
const char *ks_dump_kind_name(enum ks_file_kind kind);

struct ks_dump_opts {
	const char *vmlinux;		/* --vmlinux; NULL: search for it */
	const char *const *debug_dirs;	/* --debug-dir, searched recursively */
	int ndebug_dirs;
	int no_debuginfo;		/* --no-debuginfo: kallsyms + BTF only */
};

struct ks_dump;

/* Open a dump and its vmlinux.  NULL on failure with one line in err
 * (without the file name: the caller prefixes it). */
struct ks_dump *ks_dump_open(const char *path, const struct ks_dump_opts *o,
			     char *err, size_t errlen);
void ks_dump_close(struct ks_dump *d);

/* The target the core walks; valid until ks_dump_close(). */
const struct ks_target *ks_dump_target(struct ks_dump *d);
/* The vmlinux in use (NULL when the dump's own kallsyms and BTF stand in
 * for it) and the dump's format ("kdump-compressed", "ELF"). */
const char *ks_dump_vmlinux(const struct ks_dump *d);
/* Where symbols and types came from: "vmlinux" / "kallsyms", "dwarf" /
 * "btf". */
const char *ks_dump_symbols_source(const struct ks_dump *d);
const char *ks_dump_types_source(const struct ks_dump *d);
const char *ks_dump_format(const struct ks_dump *d);

#endif
