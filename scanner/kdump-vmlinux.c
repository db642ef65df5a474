/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The debug vmlinux file and the symbol table klpscan names addresses
 * with.  The vmlinux is mapped, never read whole: its ELF symbol table is
 * copied into a sorted array (a few MB) with each symbol's kallsyms size,
 * relocated by the dump's KASLR offset; its GNU build-id identifies it
 * (kdump-find.c); its DWARF is read lazily (kdump-types.c).  The same
 * table holds the dump's own kallsyms symbols when the dump stands in for
 * the vmlinux (kdump-self.c).
 */
#include "kdump-priv.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kdump-validate.h"

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sort, give every symbol the kallsyms size (distance to the next higher
 * address, end_addr for the last) and index the names.  A global symbol
 * wins a name over a local one of the same name. */
int kd_symtab_finish(struct symtab *t, kaddr_t end_addr)
{
	if (t->n)
		qsort(t->syms, t->n, sizeof(*t->syms), sym_cmp);
	for (size_t i = 0; i < t->n; i++) {
		size_t j = i + 1;
		while (j < t->n && t->syms[j].addr == t->syms[i].addr)
			j++;
		kaddr_t next = j < t->n ? t->syms[j].addr : end_addr;
		t->syms[i].size = next > t->syms[i].addr ? next - t->syms[i].addr : 0;
	}
	for (size_t i = 0; i < t->n; i++) {
		int found;
		struct namemap_slot *s = namemap_slot(&t->by_name, t->syms[i].name, &found);
		if (!s)
			return -1;
		if (!found || (t->syms[i].bind == STB_GLOBAL &&
			       t->syms[s->value].bind != STB_GLOBAL))
			s->value = i;
	}
	return 0;
}

/* Index of the first alias of the highest address <= addr, -1 if none. */
long kd_symtab_find(const struct symtab *t, kaddr_t addr)
{
	size_t lo = 0, hi = t->n;

	if (!t->n || addr < t->syms[0].addr)
		return -1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo > 0 && t->syms[lo - 1].addr == t->syms[lo].addr)
		lo--;
	return (long)lo;
}

void kd_symtab_free(struct symtab *t)
{
	free(t->syms);
	namemap_free(&t->by_name);
	memset(t, 0, sizeof(*t));
}

/* The GNU build-id note of an ELF file; 0 on success. */
static int elf_build_id(Elf *elf, unsigned char *out, size_t *outlen)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) == 0 &&
			    nh.n_descsz > 0 && nh.n_descsz <= MAX_BUILD_ID) {
				memcpy(out, (char *)data->d_buf + desc_off, nh.n_descsz);
				*outlen = nh.n_descsz;
				return 0;
			}
		}
	}
	return -1;
}

/* A quick look at a candidate file: is it an ELF executable of the
 * wanted machine, and what is its build-id?  Returns 0 when it is a
 * usable vmlinux candidate. */
int kd_peek_vmlinux(const char *path, int machine, unsigned char *id,
		    size_t *idlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	GElf_Ehdr eh;
	int rc = -1;

	*idlen = 0;
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) &&
	    eh.e_type == ET_EXEC && (!machine || eh.e_machine == machine)) {
		rc = 0;
		if (elf_build_id(elf, id, idlen))
			*idlen = 0;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

/* Bytes at a (link-time) virtual address of the vmlinux file, from the
 * section holding it.  0 on success. */
int kd_vmlinux_file_read(struct vmlinux *v, kaddr_t addr, void *buf,
			 size_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS || addr < sh.sh_addr ||
		    addr - sh.sh_addr >= sh.sh_size)
			continue;
		if (len > sh.sh_size - (addr - sh.sh_addr))
			len = sh.sh_size - (addr - sh.sh_addr);
		d = elf_getdata_rawchunk(v->elf, (int64_t)(sh.sh_offset + (addr - sh.sh_addr)),
					 len, ELF_T_BYTE);
		if (!d || d->d_size < len)
			return -1;
		memcpy(buf, d->d_buf, len);
		return 0;
	}
	return -1;
}

/* Load the symbol table, moved by the KASLR offset.  Percpu symbols on
 * x86_64 are offsets into the per-CPU area (their section is linked at
 * 0) and do not move; everything linked inside the image does. */
int kd_vmlinux_load_symbols(struct vmlinux *v, int64_t kaslr, char *err,
			    size_t errlen)
{
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr symsh;
	Elf_Data *data;
	size_t nsyms, shnum, shstrndx;
	kaddr_t text = 0, end = 0;
	unsigned char *sec_moves;
	uint64_t *sec_flags;

	while ((scn = elf_nextscn(v->elf, scn))) {
		if (gelf_getshdr(scn, &symsh) && symsh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			break;
		}
	}
	if (!symscn || !(data = elf_getdata(symscn, NULL)) || !symsh.sh_entsize) {
		kd_seterr(err, errlen, "%s has no symbol table (a stripped vmlinux? "
		       "klpscan needs the debug vmlinux)", v->path);
		return -1;
	}
	if (elf_getshdrnum(v->elf, &shnum) || elf_getshdrstrndx(v->elf, &shstrndx)) {
		kd_seterr(err, errlen, "%s: bad section headers", v->path);
		return -1;
	}
	nsyms = symsh.sh_size / symsh.sh_entsize;
	sec_moves = calloc(shnum ? shnum : 1, 1);
	sec_flags = calloc(shnum ? shnum : 1, sizeof(*sec_flags));
	v->st.syms = calloc(nsyms ? nsyms : 1, sizeof(struct sym));
	if (!sec_moves || !sec_flags || !v->st.syms) {
		free(sec_moves);
		free(sec_flags);
		kd_seterr(err, errlen, "out of memory for %zu symbols", nsyms);
		return -1;
	}
	for (size_t i = 1; i < shnum; i++) {
		GElf_Shdr sh;
		Elf_Scn *s = elf_getscn(v->elf, i);
		if (!s || !gelf_getshdr(s, &sh))
			continue;
		if ((sh.sh_flags & SHF_ALLOC) && sh.sh_addr)
			sec_moves[i] = 1;
		/* for nm's letter: the flags, and bit 63 for SHT_NOBITS */
		sec_flags[i] = (sh.sh_flags & ~(1ull << 63)) |
			       (sh.sh_type == SHT_NOBITS ? 1ull << 63 : 0);
	}
	/* _text.._end bounds the image for absolute symbols. */
	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym s;
		const char *name;
		if (!gelf_getsym(data, (int)i, &s) ||
		    !(name = elf_strptr(v->elf, symsh.sh_link, s.st_name)))
			continue;
		if (strcmp(name, "_text") == 0)
			text = s.st_value;
		else if (strcmp(name, "_end") == 0)
			end = s.st_value;
	}
	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym s;
		const char *name;
		unsigned type, bind;
		int moves;
		struct sym *o;

		if (!gelf_getsym(data, (int)i, &s))
			continue;
		type = GELF_ST_TYPE(s.st_info);
		bind = GELF_ST_BIND(s.st_info);
		if (type == STT_SECTION || type == STT_FILE || s.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(v->elf, symsh.sh_link, s.st_name);
		if (!name || ks_sym_noise(name))
			continue;
		if (s.st_shndx == SHN_ABS)
			moves = text && end && s.st_value >= text && s.st_value <= end;
		else
			moves = s.st_shndx < shnum && sec_moves[s.st_shndx];
		o = &v->st.syms[v->st.n++];
		o->addr = s.st_value + (moves ? (uint64_t)kaslr : 0);
		o->name = name;
		o->bind = (unsigned char)bind;
		if (s.st_shndx == SHN_ABS)
			o->type = ks_sym_nm_type(bind, type, 2, 0, 0);
		else if (s.st_shndx < shnum)
			o->type = ks_sym_nm_type(bind, type, 0,
						 sec_flags[s.st_shndx] & ~(1ull << 63),
						 (int)(sec_flags[s.st_shndx] >> 63));
	}
	free(sec_moves);
	free(sec_flags);
	if (kd_symtab_finish(&v->st, end ? end + (uint64_t)kaslr : 0)) {
		kd_seterr(err, errlen, "out of memory indexing symbols");
		return -1;
	}
	if (!v->st.n) {
		kd_seterr(err, errlen, "%s has an empty symbol table", v->path);
		return -1;
	}
	{
		uint64_t i;
		if (kd_map_get(&v->st.by_name, "_stext", &i) == 0)
			v->stext = v->st.syms[i].addr;
		if (kd_map_get(&v->st.by_name, "_etext", &i) == 0)
			v->etext = v->st.syms[i].addr;
	}
	if (!v->stext || !v->etext || v->etext <= v->stext) {
		kd_seterr(err, errlen, "%s lacks _stext/_etext: not a Linux vmlinux?", v->path);
		return -1;
	}
	v->image_start = text ? text + (uint64_t)kaslr : v->stext;
	v->image_end = end ? end + (uint64_t)kaslr : v->etext;
	return 0;
}

int kd_vmlinux_sym(const struct vmlinux *v, const char *name, kaddr_t *addr)
{
	uint64_t i;
	if (kd_map_get(&v->st.by_name, name, &i))
		return -1;
	*addr = v->st.syms[i].addr;
	return 0;
}

void kd_vmlinux_close(struct vmlinux *v)
{
	if (v->dw)
		dwarf_end(v->dw);
	if (v->elf)
		elf_end(v->elf);
	if (v->fd >= 0)
		close(v->fd);
	kd_symtab_free(&v->st);
	namemap_free(&v->types);
	namemap_free(&v->typedefs);
	ks_btf_free(v->btf);
	v->btf = NULL;
	v->btf_checked = 0;
	v->dw = NULL;
	v->elf = NULL;
	v->fd = -1;
}

int kd_vmlinux_open(struct vmlinux *v, const char *path, char *err,
		    size_t errlen)
{
	GElf_Ehdr eh;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	snprintf(v->path, sizeof(v->path), "%s", path);
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		kd_seterr(err, errlen, "cannot open vmlinux %s: %s", path, strerror(errno));
		return -1;
	}
	/* ELF_C_READ_MMAP: sections are used in place, pages come in only
	 * when touched. */
	v->elf = elf_begin(v->fd, ELF_C_READ_MMAP, NULL);
	if (!v->elf || elf_kind(v->elf) != ELF_K_ELF || !gelf_getehdr(v->elf, &eh) ||
	    eh.e_type != ET_EXEC) {
		kd_seterr(err, errlen, "%s is not an ELF vmlinux", path);
		kd_vmlinux_close(v);
		return -1;
	}
	{
		struct stat st;
		char why[256];

		if (fstat(v->fd, &st) == 0 &&
		    ks_elf_check_whole(v->elf, (uint64_t)st.st_size, why, sizeof(why))) {
			kd_seterr(err, errlen, "vmlinux %s: %s", path, why);
			kd_vmlinux_close(v);
			return -1;
		}
	}
	v->machine = eh.e_machine;
	if (elf_build_id(v->elf, v->build_id, &v->build_id_len))
		v->build_id_len = 0;
	return 0;
}
