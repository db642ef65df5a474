/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s390x address translation that libkdumpfile 0.5.1 does not set up by
 * itself: the VMCOREINFO note found through the lowcore (QEMU's s390x ELF
 * dumps carry none), and the page table root and linear maps of kernels
 * whose virtual and physical address spaces are uncoupled (6.10+).
 */
#include "kdump-priv.h"
#include <libkdumpfile/addrxlat.h>
#include "kdump-validate.h"


/*
 * s390x ELF dumps from QEMU carry no VMCOREINFO note.  The kernel keeps
 * a pointer to its VMCOREINFO ELF note in the lowcore (vmcore_info at
 * 0xe0c, arch/s390/include/asm/lowcore.h, 6.1); libkdumpfile 0.5.1 looks
 * there only when os_info has no entry and stops at an os_info checksum
 * it does not accept.  Read the note ourselves and hand it over.
 */
#define S390_LC_VMCORE_INFO 0xe0c
#define VMCOREINFO_MAX (64 * 1024)

void kd_s390x_lowcore_vmcoreinfo(struct ks_dump *d)
{
	unsigned char b[12];
	char *note;
	size_t len;
	uint64_t addr;
	uint32_t namesz, descsz, descoff;
	kdump_attr_t attr;
	char *have = NULL;

	if (kdump_vmcoreinfo_line(d->ctx, "OSRELEASE", &have) == KDUMP_OK) {
		free(have);
		return;
	}
	len = 8;
	if (kdump_read(d->ctx, KDUMP_KPHYSADDR, S390_LC_VMCORE_INFO, b, &len) != KDUMP_OK ||
	    len != 8)
		return;
	addr = ks_load_uint(b, 8, 1);
	len = 12;
	if (!addr || kdump_read(d->ctx, KDUMP_KPHYSADDR, addr, b, &len) != KDUMP_OK || len != 12)
		return;
	namesz = (uint32_t)ks_load_uint(b, 4, 1);
	descsz = (uint32_t)ks_load_uint(b + 4, 4, 1);
	if (namesz != 11 || descsz == 0 || descsz > VMCOREINFO_MAX)
		return;
	descoff = 12 + ((namesz + 3) & ~3u);
	note = malloc(descoff + descsz + 1);
	if (!note)
		return;
	len = descoff + descsz;
	if (kdump_read(d->ctx, KDUMP_KPHYSADDR, addr, note, &len) != KDUMP_OK ||
	    len != descoff + descsz || memcmp(note + 12, "VMCOREINFO", 11) != 0) {
		free(note);
		return;
	}
	{
		/* memory content: checked like the file's (kdump-validate.c) */
		char why[160];

		if (ks_vmcoreinfo_check(note + descoff, descsz, 0, why, sizeof(why))) {
			free(note);
			return;
		}
	}
	attr.type = KDUMP_BLOB;
	attr.val.blob = kdump_blob_new_dup(note + descoff, descsz);
	free(note);
	if (attr.val.blob && kdump_set_attr(d->ctx, "linux.vmcoreinfo.raw", &attr) != KDUMP_OK)
		kdump_clear_err(d->ctx);
}

/*
 * s390x kernels from 6.10 on no longer run the kernel image where it lies
 * in memory.  Alexander Gordeev's 6.10 series uncoupling the s390 virtual
 * and physical address spaces (the kernel commits' titles are not checked
 * here; crash followed with d0164e7e480a "s390x: uncouple physical and
 * virtual memory spaces") maps the image at the virtual __kaslr_offset
 * (VMCOREINFO KERNELOFFSET, 0x3ffe0000000 without KASLR) while it sits at
 * the physical __kaslr_offset_phys (KERNELOFFPHYS), and the identity map
 * of all memory starts at __identity_base (IDENTITYBASE: Debian's 6.12 and
 * 7.2 export it, 0 unless CONFIG_RANDOMIZE_IDENTITY_BASE; taken as 0 where
 * it is not exported).  arch/s390/include/asm/page.h (6.12, 7.2):
 * __pa(x) = x - __kaslr_offset + __kaslr_offset_phys for x >= __kaslr_offset,
 * else x - __identity_base; arch/s390/boot/vmem.c setup_vmem() maps
 * [__kaslr_offset + TEXT_OFFSET, kernel end) and the identity map into
 * swapper_pg_dir, whose physical address is the kernel ASCE.  Everything
 * else a walk needs (vmalloc'ed task stacks, per-CPU areas, lowcore) is
 * reached through those page tables.  arch/s390/kernel/vmcore_info.c
 * exports KERNELOFFPHYS only on these kernels, so its presence decides;
 * an older kernel (6.1: image at its physical address, identity map at 0)
 * keeps libkdumpfile's own set-up untouched.
 *
 * libkdumpfile 0.5.1 knows none of this: src/addrxlat/s390x.c takes the
 * value of SYMBOL(swapper_pg_dir) as the physical address of the page
 * table root, which on these kernels is the virtual 0x3ffe...  We use its
 * own interfaces to fix that: the forced root page table option
 * (addrxlat.force.rootpgt, re-initialising its translation system with
 * the right root), then two linear methods in the kernel-virtual map, for
 * the image and for the identity map, so that these need no page-table
 * walk (and keep working where a dump lacks a page-table page).
 */
/*
 * root_only: set the page table root and stop.  Without a vmlinux the
 * image bounds come from the kallsyms tables, which lie in the image and
 * are reached through the page tables only once the root is right; the
 * linear maps follow in a second call.
 */
int kd_s390x_uncoupled_xlat(struct ks_dump *d, int root_only, char *err, size_t errlen)
{
	uint64_t kphys = 0, ident = 0, swapper = 0, root, kvirt = (uint64_t)d->kaslr;
	kdump_num_t max_pfn = 0, page_shift = 12;
	addrxlat_sys_t *sys = NULL;
	addrxlat_map_t *map = NULL, *old;
	addrxlat_meth_t meth;
	addrxlat_range_t range;
	kdump_status ks;
	int have;

	if (kd_vmcoreinfo_hex(d, "KERNELOFFPHYS", &kphys, &have, err, errlen))
		return -1;
	if (!have)
		return 0;
	if (kd_vmcoreinfo_hex(d, "IDENTITYBASE", &ident, &have, err, errlen) ||
	    kd_vmcoreinfo_hex(d, "SYMBOL(swapper_pg_dir)", &swapper, &have, err, errlen))
		return -1;
	if (!have) {
		kd_seterr(err, errlen, "s390x kernel with KERNELOFFPHYS but no SYMBOL(swapper_pg_dir) "
		       "in VMCOREINFO: cannot find the kernel page tables");
		return -1;
	}
	if (!root_only && (d->v.image_end <= d->v.image_start || swapper < d->v.image_start ||
			   swapper >= d->v.image_end || d->v.image_start < kvirt)) {
		kd_seterr(err, errlen, "SYMBOL(swapper_pg_dir) %#llx is not inside the kernel image "
		       "[%#llx, %#llx) of %s (KERNELOFFSET %#llx)",
		       (unsigned long long)swapper, (unsigned long long)d->v.image_start,
		       (unsigned long long)d->v.image_end,
		       d->from_dump ? "the dump's kallsyms" : d->v.path,
		       (unsigned long long)kvirt);
		return -1;
	}
	root = swapper - kvirt + kphys;

	if ((ks = kdump_set_number_attr(d->ctx, KDUMP_ATTR_XLAT_FORCE ".rootpgt.as",
					KDUMP_KPHYSADDR)) != KDUMP_OK ||
	    (ks = kdump_set_address_attr(d->ctx, KDUMP_ATTR_XLAT_FORCE ".rootpgt.addr",
					 root)) != KDUMP_OK) {
		kd_seterr(err, errlen, "libkdumpfile: cannot set the s390x page table root %#llx: %s",
		       (unsigned long long)root, kd_kdump_msg(d, ks));
		return -1;
	}
	/* re-initialises the translation with that root */
	if ((ks = kdump_get_addrxlat(d->ctx, NULL, &sys)) != KDUMP_OK) {
		kd_seterr(err, errlen, "libkdumpfile: s390x translation with the page table root "
		       "%#llx (swapper_pg_dir) failed: %s", (unsigned long long)root,
		       kd_kdump_msg(d, ks));
		return -1;
	}
	if (root_only) {
		addrxlat_sys_decref(sys);
		return 0;
	}
	if (kdump_get_number_attr(d->ctx, KDUMP_ATTR_PAGE_SHIFT, &page_shift) != KDUMP_OK ||
	    page_shift < 12 || page_shift > 20)
		page_shift = 12;
	if (kdump_get_number_attr(d->ctx, "max_pfn", &max_pfn) != KDUMP_OK)
		max_pfn = 0;
	kdump_clear_err(d->ctx);

	old = addrxlat_sys_get_map(sys, ADDRXLAT_SYS_MAP_KV_PHYS);
	map = old ? addrxlat_map_copy(old) : addrxlat_map_new();
	if (!map)
		goto nomem;

	memset(&meth, 0, sizeof(meth));
	meth.kind = ADDRXLAT_LINEAR;
	meth.target_as = ADDRXLAT_KPHYSADDR;
	meth.param.linear.off = (addrxlat_off_t)(kphys - kvirt);
	addrxlat_sys_set_meth(sys, ADDRXLAT_SYS_METH_KTEXT, &meth);
	range.meth = ADDRXLAT_SYS_METH_KTEXT;
	range.endoff = d->v.image_end - d->v.image_start - 1;
	if (addrxlat_map_set(map, d->v.image_start, &range) != ADDRXLAT_OK)
		goto nomem;

	/* The identity map covers the memory the dump has, up to the kernel
	 * image (which lies far above it). */
	if (max_pfn && max_pfn < (UINT64_MAX >> page_shift) && ident < kvirt) {
		uint64_t size = (uint64_t)max_pfn << page_shift;

		if (size > kvirt - ident)
			size = kvirt - ident;
		meth.param.linear.off = -(addrxlat_off_t)ident;
		addrxlat_sys_set_meth(sys, ADDRXLAT_SYS_METH_DIRECT, &meth);
		range.meth = ADDRXLAT_SYS_METH_DIRECT;
		range.endoff = size - 1;
		if (addrxlat_map_set(map, ident, &range) != ADDRXLAT_OK)
			goto nomem;
	}
	addrxlat_sys_set_map(sys, ADDRXLAT_SYS_MAP_KV_PHYS, map);
	addrxlat_map_decref(map);
	addrxlat_sys_decref(sys);
	return 0;
nomem:
	if (map)
		addrxlat_map_decref(map);
	addrxlat_sys_decref(sys);
	kd_seterr(err, errlen, "out of memory (libaddrxlat map)");
	return -1;
}
