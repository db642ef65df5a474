/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Naming an address as the kernel names it: which of the symbols a target
 * knows at an address kallsyms would print.  One rule for every front end
 * (crash, klpscan, pre-baked stacks); the targets only list the candidates.
 */
#ifndef KLPSTACK_SYMBOLS_H
#define KLPSTACK_SYMBOLS_H

#include "target.h"

/* Nonzero when the kernel's kallsyms table holds a symbol of this name and
 * nm(1) type (type 0 = unknown, taken as text). */
int ks_sym_in_kallsyms(const char *name, char type);

/* Symbols a target need not load at all: never named by kallsyms and
 * never looked up (symbol CRCs, export strings, local labels, CFI type
 * hashes, whose absolute values can fall inside a small kernel image and
 * would cut the size of the function they land in). */
int ks_sym_noise(const char *name);

/* ARM mapping symbols and local labels, which the module lookup skips
 * (is_arm_mapping_symbol() in 6.1's kernel/module/kallsyms.c, later
 * is_mapping_symbol() in include/linux/module_symbol.h). */
int ks_sym_module_mapping(const char *name);

/* Negative when a names the address before b (kallsyms' order of aliases,
 * see symbols.c), positive when b does; never 0 for distinct names. */
int ks_sym_alias_cmp(const struct ks_symbol *a, const struct ks_symbol *b);

/* The symbol kallsyms_lookup() would name addr with: the preferred alias
 * at the highest kallsyms symbol address <= addr.  out->size is the
 * largest size a target gave for that address (kallsyms: the distance to
 * the next symbol).  Strings valid until the target's next symbols_at
 * call.  0 on success, -1 when no symbol names addr. */
int ks_symbolize(const struct ks_target *t, kaddr_t addr, struct ks_symbol *out);

/* nm(1)'s letter for an ELF symbol: bind/type as in st_info, shndx_kind
 * 0 = defined in a section, 1 = SHN_UNDEF, 2 = SHN_ABS; sec_flags the
 * section's sh_flags, sec_nobits its sh_type == SHT_NOBITS.  (binutils'
 * bfd decode_symclass, reduced to what kallsyms looks at.) */
char ks_sym_nm_type(unsigned bind, unsigned type, int shndx_kind,
		    uint64_t sec_flags, int sec_nobits);

#endif
