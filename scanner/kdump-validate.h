/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks of a kdump-compressed file's container before libkdumpfile
 * reads it: libkdumpfile 0.5.1 trusts the header, the sub-header and the
 * page descriptors, and a corrupt field there crashes the process (see
 * kdump-validate.c for each defect).
 */
#ifndef KLPSTACK_KDUMP_VALIDATE_H
#define KLPSTACK_KDUMP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

struct ks_kdump_layout {
	int big_endian;		/* the byte order libkdumpfile will use */
	char machine[66];	/* utsname.machine, "" when empty */
	uint32_t block_size;
	int32_t header_version;
	uint64_t max_pfn;	/* the PFNs libkdumpfile reads: below this */
	uint64_t pages;		/* descriptors it can reach */
	uint64_t desc_off;	/* the page descriptor table */
	uint64_t bitmap_off;	/* the bitmap of the pages in the file */
	uint64_t note_off, note_size;	/* 0 size: none */
};

/* Exactly len bytes of the file at off (short reads and EINTR retried):
 * 0, or -1 at the end of the file or on an error. */
int ks_pread_all(int fd, void *buf, size_t len, uint64_t off);

/*
 * Check every field libkdumpfile 0.5.1 trusts, against the file's size
 * and its own limits, and every page descriptor it can reach: the data
 * inside the file, no bigger than a block.  0 when the file is safe to
 * hand over, -1 with one line in err (without the file name) otherwise.
 */
int ks_kdump_validate(int fd, uint64_t fsize, struct ks_kdump_layout *out,
		      char *err, size_t errlen);

/*
 * VMCOREINFO text about to reach libkdumpfile (from the file, or read
 * from s390x memory): a PAGESIZE line that is not a page size (or not
 * page_size, when given) is refused.  0 ok, -1 with one line in err.
 */
int ks_vmcoreinfo_check(const char *text, size_t len, uint64_t page_size, char *err,
			size_t errlen);

/*
 * An ELF vmcore: every header and area libkdumpfile 0.5.1's elfdump.c
 * reads (program and section header tables with their entry sizes, the
 * extended numbering in section 0, notes, loads, sections, the section
 * name table) inside the file.  0 when safe, -1 with one line in err.
 */
int ks_elf_core_validate(int fd, uint64_t fsize, char *err, size_t errlen);

/*
 * An ELF file (the vmlinux) cut short: its section header table or a
 * section's contents past the end of the file.  Without this a
 * truncated vmlinux looks stripped (its section headers come last).
 * 0 when whole, -1 with one line in err (the caller names the file).
 */
struct Elf;
int ks_elf_check_whole(struct Elf *elf, uint64_t fsize, char *err, size_t errlen);

#endif
