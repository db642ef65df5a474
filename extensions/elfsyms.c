/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A vmlinux's ELF64 symbol table, read straight from the file (see
 * elfsyms.h for why the crash glue needs it).  Every offset and count of
 * the file is checked against its size before use: a damaged or foreign
 * file gives an error, never a read out of bounds.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byteorder.h"
#include "elfsyms.h"
#include "symbols.h"

struct esym {
	uint64_t value;		/* link-time */
	const char *name;	/* into the mapped string table */
	char type;		/* nm letter */
	unsigned char global;
};

struct ks_elfsyms {
	void *map;
	size_t map_len;
	struct esym *syms;	/* sorted by value, then name */
	size_t n;
	int64_t delta;
};

/* ELF fields in the file's byte order (one definition: src/byteorder.h) */
#define g16(big, p) ((uint16_t)ks_load_uint((p), 2, (big)))
#define g32(big, p) ((uint32_t)ks_load_uint((p), 4, (big)))
#define g64(big, p) ks_load_uint((p), 8, (big))

static int esym_cmp(const void *a, const void *b)
{
	const struct esym *x = a, *y = b;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->name, y->name);
}

void ks_elfsyms_close(struct ks_elfsyms *e)
{
	if (!e)
		return;
	if (e->map)
		munmap(e->map, e->map_len);
	free(e->syms);
	free(e);
}

/* Section header i, checked to lie in the file. */
static const unsigned char *shdr(const unsigned char *f, size_t len, uint64_t shoff,
				 unsigned shentsize, unsigned i)
{
	uint64_t at = shoff + (uint64_t)i * shentsize;
	if (shentsize < sizeof(Elf64_Shdr) || at > len || len - at < sizeof(Elf64_Shdr))
		return NULL;
	return f + at;
}

#define SH_TYPE(s) g32(big, (s) + offsetof(Elf64_Shdr, sh_type))
#define SH_FLAGS(s) g64(big, (s) + offsetof(Elf64_Shdr, sh_flags))
#define SH_OFFSET(s) g64(big, (s) + offsetof(Elf64_Shdr, sh_offset))
#define SH_SIZE(s) g64(big, (s) + offsetof(Elf64_Shdr, sh_size))
#define SH_LINK(s) g32(big, (s) + offsetof(Elf64_Shdr, sh_link))
#define SH_ENTSIZE(s) g64(big, (s) + offsetof(Elf64_Shdr, sh_entsize))

static int index_symbols(struct ks_elfsyms *e, char *err, size_t errlen)
{
	const unsigned char *f = e->map, *sym_sh = NULL, *str_sh;
	size_t len = e->map_len;
	uint64_t shoff, symoff, symsize, stroff, strsize;
	unsigned shnum, shentsize;
	int big;

	if (len < sizeof(Elf64_Ehdr) || memcmp(f, ELFMAG, SELFMAG) != 0 ||
	    f[EI_CLASS] != ELFCLASS64 ||
	    (f[EI_DATA] != ELFDATA2LSB && f[EI_DATA] != ELFDATA2MSB)) {
		snprintf(err, errlen, "not an ELF64 file");
		return -1;
	}
	big = f[EI_DATA] == ELFDATA2MSB;
	shoff = g64(big, f + offsetof(Elf64_Ehdr, e_shoff));
	shnum = g16(big, f + offsetof(Elf64_Ehdr, e_shnum));
	shentsize = g16(big, f + offsetof(Elf64_Ehdr, e_shentsize));
	for (unsigned i = 1; i < shnum; i++) {
		const unsigned char *s = shdr(f, len, shoff, shentsize, i);
		if (!s) {
			snprintf(err, errlen, "section header %u is outside the file", i);
			return -1;
		}
		if (SH_TYPE(s) == SHT_SYMTAB) {
			sym_sh = s;
			break;
		}
	}
	if (!sym_sh) {
		snprintf(err, errlen, "no symbol table (stripped)");
		return -1;
	}
	str_sh = SH_LINK(sym_sh) < shnum ? shdr(f, len, shoff, shentsize, SH_LINK(sym_sh)) : NULL;
	symoff = SH_OFFSET(sym_sh);
	symsize = SH_SIZE(sym_sh);
	if (!str_sh || SH_ENTSIZE(sym_sh) != sizeof(Elf64_Sym) || symoff > len ||
	    symsize > len - symoff || SH_OFFSET(str_sh) > len ||
	    SH_SIZE(str_sh) > len - SH_OFFSET(str_sh) || SH_SIZE(str_sh) == 0 ||
	    f[SH_OFFSET(str_sh) + SH_SIZE(str_sh) - 1] != 0) {
		snprintf(err, errlen, "damaged symbol table");
		return -1;
	}
	stroff = SH_OFFSET(str_sh);
	strsize = SH_SIZE(str_sh);
	e->syms = calloc(symsize / sizeof(Elf64_Sym) + 1, sizeof(*e->syms));
	if (!e->syms) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint64_t i = 1; i < symsize / sizeof(Elf64_Sym); i++) {
		const unsigned char *y = f + symoff + i * sizeof(Elf64_Sym);
		uint32_t name = g32(big, y + offsetof(Elf64_Sym, st_name));
		unsigned char info = y[offsetof(Elf64_Sym, st_info)];
		uint16_t ndx = g16(big, y + offsetof(Elf64_Sym, st_shndx));
		unsigned type = ELF64_ST_TYPE(info), bind = ELF64_ST_BIND(info);
		const unsigned char *sec;
		struct esym *o;

		if (type == STT_SECTION || type == STT_FILE || ndx == SHN_UNDEF ||
		    name == 0 || name >= strsize ||
		    ks_sym_noise((const char *)f + stroff + name))
			continue;
		o = &e->syms[e->n];
		if (ndx == SHN_ABS) {
			o->type = ks_sym_nm_type(bind, type, 2, 0, 0);
		} else if (ndx < shnum && ndx < SHN_LORESERVE &&
			   (sec = shdr(f, len, shoff, shentsize, ndx)) != NULL) {
			o->type = ks_sym_nm_type(bind, type, 0, SH_FLAGS(sec),
						 SH_TYPE(sec) == SHT_NOBITS);
		} else {
			continue;
		}
		o->value = g64(big, y + offsetof(Elf64_Sym, st_value));
		o->name = (const char *)f + stroff + name;
		o->global = bind == STB_GLOBAL;
		e->n++;
	}
	if (!e->n) {
		snprintf(err, errlen, "empty symbol table");
		return -1;
	}
	qsort(e->syms, e->n, sizeof(*e->syms), esym_cmp);
	return 0;
}

struct ks_elfsyms *ks_elfsyms_open(const char *path, char *err, size_t errlen)
{
	struct ks_elfsyms *e;
	struct stat st;
	int fd;

	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "empty or unreadable");
		if (fd >= 0)
			close(fd);
		free(e);
		return NULL;
	}
	e->map_len = (size_t)st.st_size;
	e->map = mmap(NULL, e->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (e->map == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		e->map = NULL;
		ks_elfsyms_close(e);
		return NULL;
	}
	if (index_symbols(e, err, errlen)) {
		ks_elfsyms_close(e);
		return NULL;
	}
	return e;
}

int ks_elfsyms_value(const struct ks_elfsyms *e, const char *name, kaddr_t *value)
{
	int found = 0;

	for (size_t i = 0; i < e->n; i++) {
		if (strcmp(e->syms[i].name, name) != 0)
			continue;
		if (!found || e->syms[i].global)
			*value = e->syms[i].value;
		found = 1;
		if (e->syms[i].global)
			break;
	}
	return found ? 0 : -1;
}

void ks_elfsyms_relocate(struct ks_elfsyms *e, int64_t delta)
{
	e->delta = delta;
}

int ks_elfsyms_at(const struct ks_elfsyms *e, kaddr_t addr, struct ks_symbol *out,
		  int max)
{
	uint64_t link = addr - (uint64_t)e->delta;
	size_t lo = 0, hi = e->n, first, next;
	int n = 0;

	if (!e->n || link < e->syms[0].value)
		return -1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->syms[mid].value <= link)
			lo = mid;
		else
			hi = mid;
	}
	first = lo;
	while (first > 0 && e->syms[first - 1].value == e->syms[lo].value)
		first--;
	for (next = lo + 1; next < e->n && e->syms[next].value == e->syms[lo].value; next++)
		;
	for (size_t i = first; i < next; i++, n++) {
		if (n >= max)
			continue;
		out[n].name = e->syms[i].name;
		out[n].value = e->syms[i].value + (uint64_t)e->delta;
		out[n].size = next < e->n ? e->syms[next].value - e->syms[i].value : 0;
		out[n].module = NULL;
		out[n].type = e->syms[i].type;
		out[n].order = -1;
	}
	return n;
}
