// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Struct layouts from the kernel's own BTF (CONFIG_DEBUG_INFO_BTF), read
 * from the dump, through libbpf's BTF API: the vmlinux blob lies between
 * __start_BTF and __stop_BTF (include/asm-generic/vmlinux.lds.h, .BTF is
 * kept in memory for the BPF verifier), modules carry split BTF on top of
 * it (CONFIG_DEBUG_INFO_BTF_MODULES).  libbpf byte-swaps a blob of the
 * other endianness (s390x read on x86_64) when it parses it.
 *
 * Lazy: the BTF is parsed once (a few MB, milliseconds), the names of
 * structs, unions and typedefs are indexed in one pass, and a member is
 * looked up only when the core asks; answers are cached.
 */
#define _GNU_SOURCE	/* memfd_create */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kdump-source.h"
#include "namemap.h"

#define MAX_BTF_MODULES 4096
#define MAX_ANON_DEPTH 8

/* Insert (first insertion wins); 0 or -1 when out of memory. */
static int bmap_put(struct namemap *m, const char *key, long a, long b)
{
	int found;
	struct namemap_slot *s;

	m->copy_keys = 1;	/* keys are built in stack buffers */
	s = namemap_slot(m, key, &found);

	if (!s)
		return -1;
	if (!found) {
		s->value = (uint64_t)a;
		s->value2 = (uint64_t)b;
	}
	return 0;
}

struct ks_btf_one {
	struct btf *btf;
	struct namemap names;	/* struct/union/typedef name -> type id */
	int indexed;
};

struct ks_btf {
	struct ks_btf_one vmlinux;
	struct ks_btf_one *mods;
	int nmods;
	void (*load_modules)(void *priv, struct ks_btf *b);
	void *load_priv;
	int modules_loaded;
	struct namemap members;	/* "type\nmember" -> offset, size */
	struct namemap sizes;	/* "type" -> size */
};

/* libbpf prints its own warnings to stderr; klpscan says what failed in
 * its own words, once. */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

struct ks_btf *ks_btf_new(const void *data, size_t size, char *err, size_t errlen)
{
	struct ks_btf *b;

	libbpf_set_print(quiet_print);
	if (size < 24 || size > UINT32_MAX) {
		snprintf(err, errlen, "BTF: %zu bytes between __start_BTF and __stop_BTF: "
			 "not a BTF blob", size);
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "BTF: out of memory");
		return NULL;
	}
	/* btf__new() copies the bytes and checks the header, every type
	 * and every string offset (btf_sanity_check in libbpf 1.1). */
	b->vmlinux.btf = btf__new(data, (uint32_t)size);
	if (!b->vmlinux.btf) {
		snprintf(err, errlen, "BTF: the dump's vmlinux BTF does not parse: %s",
			 strerror(errno));
		free(b);
		return NULL;
	}
	return b;
}

/*
 * btf__new_split() is declared by libbpf 1.1's btf.h but missing from its
 * symbol map (Debian bookworm's libbpf.so.1.1.2 does not export it; 1.2
 * does): hand the bytes over as a file, through an anonymous memfd, to
 * btf__parse_raw_split(), which is exported since 0.3.
 */
static struct btf *new_split(const void *data, size_t size, struct btf *base)
{
	char path[64];
	struct btf *s = NULL;
	int fd = memfd_create("klpscan-btf", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return NULL;
	while (done < size) {
		ssize_t n = write(fd, (const char *)data + done, size - done);
		if (n <= 0)
			goto out;
		done += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	s = btf__parse_raw_split(path, base);
	if (libbpf_get_error(s))
		s = NULL;
out:
	close(fd);
	return s;
}

int ks_btf_add_module(struct ks_btf *b, const char *name, const void *data, size_t size)
{
	struct ks_btf_one *grown;
	struct btf *s;

	(void)name;
	if (b->nmods >= MAX_BTF_MODULES || size < 24 || size > UINT32_MAX)
		return -1;
	s = new_split(data, size, b->vmlinux.btf);
	if (!s)
		return -1;
	grown = realloc(b->mods, (size_t)(b->nmods + 1) * sizeof(*grown));
	if (!grown) {
		btf__free(s);
		return -1;
	}
	b->mods = grown;
	memset(&b->mods[b->nmods], 0, sizeof(b->mods[0]));
	b->mods[b->nmods++].btf = s;
	return 0;
}

void ks_btf_set_module_loader(struct ks_btf *b, void (*load)(void *priv, struct ks_btf *b),
			      void *priv)
{
	b->load_modules = load;
	b->load_priv = priv;
}

static void one_free(struct ks_btf_one *o)
{
	btf__free(o->btf);
	namemap_free(&o->names);
}

void ks_btf_free(struct ks_btf *b)
{
	if (!b)
		return;
	/* split BTFs first: they point into the base */
	for (int i = 0; i < b->nmods; i++)
		one_free(&b->mods[i]);
	free(b->mods);
	one_free(&b->vmlinux);
	namemap_free(&b->members);
	namemap_free(&b->sizes);
	free(b);
}

/* One pass over the types this BTF adds (not its base): names of complete
 * structs and unions, and of typedefs (psw_t), to their ids.  A struct
 * name wins over a typedef of the same name, as in kdump.c's DWARF index. */
static int one_index(struct ks_btf_one *o)
{
	const struct btf *base;
	uint32_t first = 1, n;

	if (o->indexed)
		return o->indexed > 0 ? 0 : -1;
	o->indexed = -1;
	base = btf__base_btf(o->btf);
	if (base)
		first = btf__type_cnt(base);
	n = btf__type_cnt(o->btf);
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t id = first; id < n; id++) {
			const struct btf_type *t = btf__type_by_id(o->btf, id);
			const char *name;
			if (!t || !t->name_off)
				continue;
			if (pass == 0 ? !btf_is_composite(t) : !btf_is_typedef(t))
				continue;
			name = btf__name_by_offset(o->btf, t->name_off);
			if (!name || !name[0])
				continue;
			/* "char" map key: struct and typedef share a namespace
			 * here; the struct, inserted first, wins */
			if (bmap_put(&o->names, name, (long)id, 0))
				return -1;
		}
	o->indexed = 1;
	return 0;
}

/* Skip typedefs and const/volatile/restrict; 0 when id is not a type. */
static uint32_t peel(const struct btf *btf, uint32_t id)
{
	for (int i = 0; i < 32 && id; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t)
			return 0;
		if (!btf_is_typedef(t) && !btf_is_mod(t))
			return id;
		id = t->type;
	}
	return 0;
}

/* The struct or union named name in one BTF. */
static int find_in(struct ks_btf_one *o, const char *name, const struct btf **btf,
		   uint32_t *id)
{
	const struct namemap_slot *s;
	const struct btf_type *t;
	uint32_t tid;

	if (one_index(o) || !(s = namemap_find(&o->names, name)))
		return -1;
	tid = peel(o->btf, (uint32_t)(long)s->value);
	t = tid ? btf__type_by_id(o->btf, tid) : NULL;
	if (!t || !btf_is_composite(t))
		return -1;
	*btf = o->btf;
	*id = tid;
	return 0;
}

/* The vmlinux first, then each module.  Module BTF is read only once the
 * vmlinux has missed (the core asks for other versions' structs on
 * purpose); the flag is set first, as the loader asks for vmlinux
 * structs itself. */
static int find_struct(struct ks_btf *b, const char *name, const struct btf **btf,
		       uint32_t *id)
{
	if (find_in(&b->vmlinux, name, btf, id) == 0)
		return 0;
	if (!b->modules_loaded) {
		b->modules_loaded = 1;
		if (b->load_modules)
			b->load_modules(b->load_priv, b);
	}
	for (int i = 0; i < b->nmods; i++)
		if (find_in(&b->mods[i], name, btf, id) == 0)
			return 0;
	return -1;
}

/* A member of the aggregate id, anonymous structs and unions searched
 * too: its byte offset from the aggregate and its type id. */
static int find_member(const struct btf *btf, uint32_t id, const char *member, long base,
		       long *off, uint32_t *type, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *mem;
	uint16_t vlen;

	if (!t || !btf_is_composite(t) || depth > MAX_ANON_DEPTH)
		return -1;
	mem = btf_members(t);
	vlen = btf_vlen(t);
	for (uint16_t i = 0; i < vlen; i++) {
		long here = (long)(btf_member_bit_offset(t, i) / 8);
		if (mem[i].name_off) {
			const char *n = btf__name_by_offset(btf, mem[i].name_off);
			if (n && strcmp(n, member) == 0) {
				*off = base + here;
				*type = mem[i].type;
				return 0;
			}
			continue;
		}
		{
			uint32_t inner = peel(btf, mem[i].type);
			const struct btf_type *it = inner ? btf__type_by_id(btf, inner) : NULL;
			if (it && btf_is_composite(it) &&
			    find_member(btf, inner, member, base + here, off, type, depth + 1) == 0)
				return 0;
		}
	}
	return -1;
}

/* Offset and size of type.member, from the cache or BTF; both -1 when
 * unknown (and that is cached too). */
static void member_lookup(struct ks_btf *b, const char *type, const char *member, long *off,
			  long *size)
{
	char key[256];
	const struct namemap_slot *s;
	const struct btf *btf;
	uint32_t id, mtype;

	*off = *size = -1;
	if (snprintf(key, sizeof(key), "%s\n%s", type, member) >= (int)sizeof(key))
		return;
	if ((s = namemap_find(&b->members, key))) {
		*off = (long)s->value;
		*size = (long)s->value2;
		return;
	}
	if (find_struct(b, type, &btf, &id) == 0 &&
	    find_member(btf, id, member, 0, off, &mtype, 0) == 0) {
		long long sz = btf__resolve_size(btf, mtype);
		*size = sz < 0 ? -1 : (long)sz;
	}
	/* a failed insert only costs a later lookup again */
	(void)bmap_put(&b->members, key, *off, *size);
}

long ks_btf_member_offset(struct ks_btf *b, const char *type, const char *member)
{
	long off, size;
	member_lookup(b, type, member, &off, &size);
	return off;
}

long ks_btf_member_size(struct ks_btf *b, const char *type, const char *member)
{
	long off, size;
	member_lookup(b, type, member, &off, &size);
	return off < 0 ? -1 : size;
}

long ks_btf_type_size(struct ks_btf *b, const char *type)
{
	const struct namemap_slot *s = namemap_find(&b->sizes, type);
	const struct btf *btf;
	uint32_t id;
	long size = -1;

	if (s)
		return (long)s->value;
	if (find_struct(b, type, &btf, &id) == 0) {
		long long sz = btf__resolve_size(btf, id);
		size = sz < 0 ? -1 : (long)sz;
	}
	(void)bmap_put(&b->sizes, type, size, 0);
	return size;
}
