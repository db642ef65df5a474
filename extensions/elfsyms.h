/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The symbol table of a vmlinux file, names as the file has them.
 *
 * crash cuts gcc's clone suffixes off the names it stores (".isra.N",
 * ".part.N", ".llvm.N": symbols.c strip_symbol_end(), 7.x to 9.0) unless
 * started with --no_strip, while the kernel prints them whole.  The crash
 * glue therefore reads the vmlinux's own symtab for kernel addresses.
 * Plain ELF64 of either byte order, no library needed.
 */
#ifndef KLPSTACK_ELFSYMS_H
#define KLPSTACK_ELFSYMS_H

#include "target.h"

struct ks_elfsyms;

/* Open path and index its symbols.  NULL
 * with a message in err when the file has no usable symbol table. */
struct ks_elfsyms *ks_elfsyms_open(const char *path, char *err, size_t errlen);
void ks_elfsyms_close(struct ks_elfsyms *e);

/* Link-time value of a symbol by name (the first global, else the first
 * of that name); 0 on success. */
int ks_elfsyms_value(const struct ks_elfsyms *e, const char *name, kaddr_t *value);

/* The KASLR offset to apply to every value from now on. */
void ks_elfsyms_relocate(struct ks_elfsyms *e, int64_t delta);

/* target.h symbols_at over the file's symbols (relocated); module NULL,
 * order -1, size the distance to the next higher symbol. */
int ks_elfsyms_at(const struct ks_elfsyms *e, kaddr_t addr, struct ks_symbol *out,
		  int max);

#endif
