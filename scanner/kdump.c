/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpscan's dump target: struct ks_dump, a struct ks_target over
 * libkdumpfile (memory) and the debug vmlinux (symbols through libelf,
 * types through libdw), or the dump itself standing in for the vmlinux.
 * This file opens and closes a dump (ks_dump_open(): file checks, then
 * libkdumpfile, VMCOREINFO, the vmlinux or the dump's own tables), reads
 * its memory and answers the target operations.  The concerns it calls on
 * live beside it (kdump-priv.h says which file holds what).
 *
 * Nothing here is global: each open dump owns its libkdumpfile context,
 * its ELF/DWARF handles and its lookup tables, so klpscan can fork one
 * worker per dump without sharing anything.
 */
#include "kdump-priv.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kdump-pages.h"
#include "kdump-validate.h"

void kd_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int kd_map_get(const struct namemap *m, const char *name, uint64_t *value)
{
	const struct namemap_slot *s = namemap_find(m, name);

	if (!s)
		return -1;
	*value = s->value;
	return 0;
}

/* x86_64 kernel image mapping (__START_KERNEL_map, 512 MiB + KASLR
 * room up to the module area, arch/x86/include/asm/page_64_types.h). */
#define X86_START_KERNEL_MAP 0xffffffff80000000ull
#define X86_KERNEL_MAP_END 0xffffffffc0000000ull

int kd_dump_read(void *priv, kaddr_t addr, void *buf, size_t len)
{
	struct ks_dump *d = priv;
	size_t got = len;

	if (!len)
		return 0;
	/* kdump-compressed: pages straight from the file (kdump-pages.c);
	 * what it leaves, and ELF dumps, through libkdumpfile */
	if (d->pages && kd_pages_read(d->pages, addr, buf, len) == 0)
		return 0;
	if (kdump_read(d->ctx, KDUMP_KVADDR, addr, buf, &got) == KDUMP_OK && got == len)
		return 0;
	/*
	 * libkdumpfile 0.5.1 can miss the kernel text mapping when KASLR
	 * put it above 0xffffffffa0000000 (fixed after 0.5.4).  The image
	 * is mapped linearly: phys = virt - __START_KERNEL_map + phys_base.
	 */
	if (d->have_phys_base && addr >= X86_START_KERNEL_MAP &&
	    addr + len <= X86_KERNEL_MAP_END) {
		got = len;
		if (kdump_read(d->ctx, KDUMP_KPHYSADDR,
			       addr - X86_START_KERNEL_MAP + d->phys_base, buf,
			       &got) == KDUMP_OK && got == len)
			return 0;
	}
	return -1;
}

int kd_read_u64(struct ks_dump *d, kaddr_t addr, uint64_t *v)
{
	unsigned char b[8];
	if (kd_dump_read(d, addr, b, 8))
		return -1;
	*v = ks_load_uint(b, 8, d->big_endian);
	return 0;
}

int kd_read_u32(struct ks_dump *d, kaddr_t addr, uint32_t *v)
{
	unsigned char b[4];
	if (kd_dump_read(d, addr, b, 4))
		return -1;
	*v = (uint32_t)ks_load_uint(b, 4, d->big_endian);
	return 0;
}

/* --- target operations --- */

/* vmlinux symbols only: the core reads module symbols itself (src/modules.c) */
static int op_lookup_symbol(void *priv, const char *name, kaddr_t *value)
{
	struct ks_dump *d = priv;

	return kd_vmlinux_sym(&d->v, name, value);
}

/* All symbols at the highest symbol address <= addr of one table
 * (sorted by address); -1 when none. */
static int table_symbols_at(const struct symtab *t, kaddr_t addr,
			    struct ks_symbol *out, int max)
{
	long i = kd_symtab_find(t, addr);
	int n = 0;

	if (i < 0)
		return -1;
	for (size_t j = (size_t)i; j < t->n && t->syms[j].addr == t->syms[i].addr; j++) {
		if (n < max) {
			const struct sym *y = &t->syms[j];
			out[n].name = y->name;
			out[n].value = y->addr;
			out[n].size = y->size;
			out[n].module = NULL;
			out[n].type = y->type;
			out[n].order = -1;
		}
		n++;
	}
	return n;
}

static int op_symbols_at(void *priv, kaddr_t addr, struct ks_symbol *out, int max)
{
	struct ks_dump *d = priv;

	/* The image only.  Module text the core names from the kernel's
	 * module symbols; elsewhere (ftrace or BPF trampolines, heap) no
	 * name, as /proc/PID/stack prints a bare address. */
	if (addr >= d->v.image_start && addr < d->v.image_end)
		return table_symbols_at(&d->v.st, addr, out, max);
	return -1;
}

/* __kernel_text_address() (kernel/extable.c, 6.1) after boot: core
 * text here; init text, module text (the kernel's module list), BPF
 * and ftrace trampolines the core adds (ks_is_text). */
static int op_is_kernel_text(void *priv, kaddr_t addr)
{
	struct ks_dump *d = priv;

	return addr >= d->v.stext && addr < d->v.etext;
}

static long op_member_offset(void *priv, const char *type, const char *member)
{
	return kd_member_offset(priv, type, member);
}

static long op_member_size(void *priv, const char *type, const char *member)
{
	return kd_member_size(priv, type, member);
}

static long op_type_size(void *priv, const char *type)
{
	return kd_type_size(priv, type);
}

static const struct ks_target_ops dump_ops = {
	.read = kd_dump_read,
	.lookup_symbol = op_lookup_symbol,
	.symbols_at = op_symbols_at,
	.is_kernel_text = op_is_kernel_text,
	.member_offset = op_member_offset,
	.member_size = op_member_size,
	.type_size = op_type_size,
};

static enum ks_arch_id arch_from_name(const char *name)
{
	if (!name)
		return KS_ARCH_UNKNOWN;
	if (strcmp(name, KDUMP_ARCH_X86_64) == 0)
		return KS_ARCH_X86_64;
	if (strcmp(name, KDUMP_ARCH_S390X) == 0)
		return KS_ARCH_S390X;
	return KS_ARCH_UNKNOWN;
}

void ks_dump_close(struct ks_dump *d)
{
	if (!d)
		return;
	kd_pages_close(d->pages);
	kd_vmlinux_close(&d->v);
	ks_kallsyms_free(&d->kallsyms);
	ks_btf_free(d->btf);
	if (d->ctx)
		kdump_free(d->ctx);
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

/*
 * libkdumpfile's page cache (attribute cache.size, 1024 pages by default)
 * is searched entry by entry on every kdump_read(): with the core reading
 * each stack page once (ks_walk_read_u64) and a task_struct in one read
 * (ks_task_read), a small cache serves as well and every read is cheaper
 * (callgrind, x86_64 e2e dump: 199 k -> 171 k instructions per task, the
 * whole run 843 M -> 834 M).  A library without the attribute keeps its
 * default: this only tunes speed.
 */
#define DUMP_CACHE_PAGES 64

static void dump_tune_cache(kdump_ctx_t *ctx)
{
	(void)kdump_set_number_attr(ctx, "cache.size", DUMP_CACHE_PAGES);
}

static struct ks_dump *dump_open(const char *path, const struct ks_dump_opts *o,
				  char *err, size_t errlen)
{
	struct ks_dump *d;
	struct stat st;
	char machine[66] = "";
	const char *arch_name = NULL;
	char vmlinux[PATH_MAX];
	kdump_status ks;
	char *val;
	int bad_ehsize = 0;

	elf_version(EV_CURRENT);
	d = calloc(1, sizeof(*d));
	if (!d) {
		kd_seterr(err, errlen, "out of memory");
		return NULL;
	}
	d->fd = -1;
	d->v.fd = -1;
	d->kind = ks_dump_file_kind(path);
	switch (d->kind) {
	case KS_FILE_ELF_CORE:
	case KS_FILE_KDUMP:
		break;
	case KS_FILE_FLATTENED:
		kd_seterr(err, errlen, "makedumpfile flattened format: convert it first "
		       "(makedumpfile -R NEWFILE < FILE)");
		goto fail;
	case KS_FILE_UNREADABLE: {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		int e = errno;
		if (fd >= 0)
			close(fd);
		kd_seterr(err, errlen, "cannot read: %s", fd >= 0 ? "read error" : strerror(e));
		goto fail;
	}
	case KS_FILE_ELF_OTHER:
		kd_seterr(err, errlen, "an ELF file but not a core dump (a vmlinux? give it with --vmlinux)");
		goto fail;
	default:
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			kd_seterr(err, errlen, "not a regular file");
		else
			kd_seterr(err, errlen, "not a dump: neither an ELF core nor kdump-compressed");
		goto fail;
	}
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &st)) {
		kd_seterr(err, errlen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (d->kind == KS_FILE_ELF_CORE) {
		/* every header libkdumpfile trusts (kdump-validate.c) */
		if (ks_elf_core_validate(d->fd, (uint64_t)st.st_size, err, errlen))
			goto fail;
		if (kd_check_elf_core(d->fd, st.st_size, &bad_ehsize, err, errlen))
			goto fail;
	} else {
		struct ks_kdump_layout lay;

		/* every field libkdumpfile trusts (kdump-validate.c) */
		if (ks_kdump_validate(d->fd, (uint64_t)st.st_size, &lay, err, errlen))
			goto fail;
		d->layout = lay;
		d->fsize = (uint64_t)st.st_size;
		snprintf(machine, sizeof(machine), "%s", lay.machine);
		d->big_endian = lay.big_endian;
		/* QEMU leaves utsname empty or writes "S390X"; libkdumpfile
		 * then needs the architecture named.  The only big-endian
		 * machine we read is s390x, the only little-endian one
		 * x86_64. */
		if (strcasecmp(machine, "s390x") == 0)
			arch_name = KDUMP_ARCH_S390X;
		else if (strcasecmp(machine, "x86_64") == 0)
			arch_name = KDUMP_ARCH_X86_64;
		else if (!machine[0])
			arch_name = d->big_endian ? KDUMP_ARCH_S390X : KDUMP_ARCH_X86_64;
	}

	d->ctx = kdump_new();
	if (!d->ctx) {
		kd_seterr(err, errlen, "out of memory (libkdumpfile)");
		goto fail;
	}
	dump_tune_cache(d->ctx);
	if ((ks = kdump_set_string_attr(d->ctx, KDUMP_ATTR_OSTYPE, "linux")) != KDUMP_OK) {
		kd_seterr(err, errlen, "libkdumpfile: cannot set addrxlat.ostype: %s", kd_kdump_msg(d, ks));
		goto fail;
	}
	if ((ks = kdump_open_fd(d->ctx, d->fd)) != KDUMP_OK) {
		if (bad_ehsize)
			kd_seterr(err, errlen, "libkdumpfile cannot open it (%s): the ELF header size "
			       "is not 64 (a QEMU 7.2 s390x dump?); repair it (e_ehsize=64, "
			       "e_shoff=e_shnum=e_shstrndx=0) or use the kdump format",
			       kd_kdump_msg(d, ks));
		else
			kd_seterr(err, errlen, "libkdumpfile cannot open it: %s", kd_kdump_msg(d, ks));
		goto fail;
	}
	{
		const char *an = NULL;
		/* libkdumpfile 0.5.1 knows the machine only from a lower-case
		 * utsname ("S390X" from QEMU is not recognised, empty is
		 * common).  Naming it after the open makes it read the
		 * VMCOREINFO too; before the open it would not. */
		if (kdump_get_string_attr(d->ctx, KDUMP_ATTR_ARCH_NAME, &an) != KDUMP_OK || !an) {
			if (arch_name && (ks = kdump_set_string_attr(d->ctx, KDUMP_ATTR_ARCH_NAME,
								     arch_name)) != KDUMP_OK) {
				kd_seterr(err, errlen, "libkdumpfile: cannot set arch.name: %s",
				       kd_kdump_msg(d, ks));
				goto fail;
			}
			an = NULL;
			if (kdump_get_string_attr(d->ctx, KDUMP_ATTR_ARCH_NAME, &an) != KDUMP_OK || !an) {
				kd_seterr(err, errlen, "libkdumpfile cannot tell the architecture");
				goto fail;
			}
		}
		d->target.arch = arch_from_name(an);
		if (d->target.arch == KS_ARCH_UNKNOWN) {
			kd_seterr(err, errlen, "architecture %s is not supported (x86_64, s390x)", an);
			goto fail;
		}
		d->big_endian = d->target.arch == KS_ARCH_S390X;
	}
	if (d->target.arch == KS_ARCH_S390X)
		kd_s390x_lowcore_vmcoreinfo(d);

	val = kd_vmcoreinfo(d, "OSRELEASE");
	if (!val) {
		kd_seterr(err, errlen, "the dump has no VMCOREINFO (QEMU guests need -device vmcoreinfo "
		       "and the qemu_fw_cfg module): cannot place the kernel");
		goto fail;
	}
	snprintf(d->osrelease, sizeof(d->osrelease), "%s", val);
	free(val);
	if ((val = kd_vmcoreinfo(d, "BUILD-ID"))) {
		size_t n = 0;
		for (const char *c = val; *c && n + 1 < sizeof(d->build_id); c++)
			if (isxdigit((unsigned char)*c))
				d->build_id[n++] = (char)tolower((unsigned char)*c);
		d->build_id[n] = 0;
		free(val);
	}
	if ((val = kd_vmcoreinfo(d, "KERNELOFFSET"))) {
		d->kaslr = (int64_t)strtoull(val, NULL, 16);
		free(val);
	}
	if (d->target.arch == KS_ARCH_X86_64 && (val = kd_vmcoreinfo(d, "NUMBER(phys_base)"))) {
		/* printed with %ld: may be negative */
		d->phys_base = (uint64_t)strtoll(val, NULL, 10);
		d->have_phys_base = 1;
		free(val);
	}

	d->target.ops = &dump_ops;
	d->target.priv = d;
	d->target.osrelease = d->osrelease;
	/*
	 * Symbols and types: from the debug vmlinux when one fits, else from
	 * the dump itself (kallsyms and BTF); --no-debuginfo asks for the
	 * dump alone, --vmlinux for that file alone.
	 */
	if (o->no_debuginfo) {
		char self[512];

		if (kd_dump_self_open(d, self, sizeof(self)) == 0)
			return d;
		kd_seterr(err, errlen, "--no-debuginfo: %s; this kernel needs its debug vmlinux "
		       "(--vmlinux or --debug-dir)", self);
		goto fail;
	}
	if (kd_find_vmlinux(d, path, o, vmlinux, sizeof(vmlinux), err, errlen)) {
		char why[1024], self[512];

		if (o->vmlinux)
			goto fail;
		snprintf(why, sizeof(why), "%s", err);
		if (kd_dump_self_open(d, self, sizeof(self)) == 0)
			return d;
		kd_seterr(err, errlen, "%s; the dump cannot stand in for it: %s", why, self);
		goto fail;
	}
	if (kd_vmlinux_open(&d->v, vmlinux, err, errlen))
		goto fail;
	if (kd_vmlinux_load_symbols(&d->v, d->kaslr, err, errlen))
		goto fail;
	if (d->target.arch == KS_ARCH_S390X && kd_s390x_uncoupled_xlat(d, 0, err, errlen))
		goto fail;
	if (kd_check_banner(d, err, errlen))
		goto fail;
	return d;
fail:
	ks_dump_close(d);
	return NULL;
}

struct ks_dump *ks_dump_open(const char *path, const struct ks_dump_opts *o,
			     char *err, size_t errlen)
{
	struct ks_dump *d = dump_open(path, o, err, errlen);

	/* Once libkdumpfile has its final address translation (VMCOREINFO
	 * read, s390x's own set up): the direct page reader takes it over
	 * for reads; without it (out of memory) every read still works. */
	if (d && d->kind == KS_FILE_KDUMP)
		d->pages = kd_pages_open(d->fd, d->fsize, &d->layout, d->ctx);
	return d;
}

const struct ks_target *ks_dump_target(struct ks_dump *d)
{
	return &d->target;
}

const char *ks_dump_vmlinux(const struct ks_dump *d)
{
	return d->from_dump ? NULL : d->v.path;
}

const char *ks_dump_symbols_source(const struct ks_dump *d)
{
	return d->from_dump ? "kallsyms" : "vmlinux";
}

const char *ks_dump_types_source(const struct ks_dump *d)
{
	return d->from_dump ? "btf" : "dwarf";
}

const char *ks_dump_format(const struct ks_dump *d)
{
	return ks_dump_kind_name(d->kind);
}
