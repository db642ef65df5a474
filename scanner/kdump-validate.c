/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Validation of a kdump-compressed file (makedumpfile's disk_dump_header
 * format, also written by QEMU's dump-guest-memory) before libkdumpfile
 * sees it.
 *
 * libkdumpfile 0.5.1 (src/kdumpfile/diskdump.c) trusts the file:
 *  - a compressed page's descriptor size is checked only against
 *    MAX_PAGE_SIZE (256 KiB), then that many bytes are read into a
 *    buffer of one page: a heap overflow (diskdump_read_page; upstream
 *    0.5.4 maps the data from the file cache instead, commit e403ac1);
 *  - the sub-header's note and VMCOREINFO offsets and sizes, the
 *    bitmap's size and the page data offsets are read through mmap()
 *    without a look at the file's size: SIGBUS past the end of the
 *    file, SIGSEGV on sizes that wrap;
 *  - the header is first tried as a 32-bit one (try_header_32 before
 *    try_header_64); a 64-bit file whose timestamp happens to read as a
 *    valid 32-bit block size takes the 32-bit path with garbage offsets.
 * Each of those is checked here against the file, the same way
 * libkdumpfile will compute it, so a corrupt or truncated dump is one
 * clear error instead of a crashed worker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include "kdump-validate.h"

/* libkdumpfile 0.5.1 src/kdumpfile/kdumpfile-priv.h */
#define LKF_MIN_PAGE_SIZE (1u << 12)
#define LKF_MAX_PAGE_SIZE (1u << 18)

/* struct disk_dump_header_64 (makedumpfile diskdump_mod.h) */
#define DH_VERSION 8
#define DH_MACHINE (12 + 4 * 65)
#define DH_BLOCK_SIZE 428
#define DH_SUB_HDR_SIZE 432
#define DH_BITMAP_BLOCKS 436
#define DH_MAX_MAPNR 440
#define DH_SIZE 464		/* what libkdumpfile's probe reads */
/* struct disk_dump_header_32: the fields try_header_32 looks at */
#define DH32_BLOCK_SIZE 416
#define DH32_BITMAP_BLOCKS 424
#define DH32_MAX_MAPNR 428

/* struct kdump_sub_header_64, at the second block */
#define SH_SPLIT 12
#define SH_OFFSET_VMCOREINFO 32
#define SH_SIZE_VMCOREINFO 40
#define SH_OFFSET_NOTE 48
#define SH_SIZE_NOTE 56
#define SH_MAX_MAPNR_64 96
#define SH_SIZE 104

/* struct page_desc */
#define PD_SIZE 24
#define PD_COMPRESSED (0x1u | 0x2u | 0x4u | 0x20u)	/* zlib lzo snappy zstd */

/* No real note section comes near this (per-CPU PRSTATUS + VMCOREINFO). */
#define MAX_NOTES (64u << 20)

#define CHUNK (1u << 20)

static void verr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t rd(int be, const unsigned char *b, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (be ? 8 * (n - 1 - i) : 8 * i);
	return v;
}

int ks_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t have = 0;

	while (have < len) {
		ssize_t n = pread(fd, (char *)buf + have, len - have, (off_t)(off + have));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
	return 0;
}

/* try_header() of libkdumpfile 0.5.1, including set_page_size()'s
 * power-of-two test: does it accept these fields? */
static int lkf_try_header(int32_t block_size, uint32_t bitmap_blocks, uint32_t max_mapnr)
{
	if (block_size < (int32_t)LKF_MIN_PAGE_SIZE || block_size > (int32_t)LKF_MAX_PAGE_SIZE)
		return 0;
	if ((uint64_t)8 * bitmap_blocks * (uint32_t)block_size < max_mapnr)
		return 0;
	return (block_size & (block_size - 1)) == 0;
}

static int try_fields(const unsigned char *h, int be, int bs_at, int bb_at, int mm_at)
{
	return lkf_try_header((int32_t)rd(be, h + bs_at, 4), (uint32_t)rd(be, h + bb_at, 4),
			      (uint32_t)rd(be, h + mm_at, 4));
}

/* An area [off, off+len) inside the file (without wrapping). */
static int inside(uint64_t off, uint64_t len, uint64_t fsize)
{
	return off <= fsize && len <= fsize - off;
}

/* Walk the set bits of the bitmap below limit, in PFN order, calling
 * fn for each (n counts them).  Returns fn's first non-zero or -1 on a
 * read error. */
typedef int (*bit_fn)(void *arg, uint64_t pfn, uint64_t n);

static int each_set_bit(int fd, uint64_t bm_off, uint64_t limit, bit_fn fn, void *arg)
{
	unsigned char *buf = malloc(CHUNK);
	uint64_t bytes = (limit + 7) / 8, n = 0;
	int rc = 0;

	if (!buf)
		return -1;
	for (uint64_t at = 0; at < bytes && !rc; at += CHUNK) {
		size_t len = bytes - at < CHUNK ? (size_t)(bytes - at) : CHUNK;

		if (ks_pread_all(fd, buf, len, bm_off + at)) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < len && !rc; i++) {
			unsigned b = buf[i];

			while (b && !rc) {
				int bit = __builtin_ctz(b);
				uint64_t pfn = (at + i) * 8 + (uint64_t)bit;

				b &= b - 1;
				if (pfn >= limit)
					break;
				rc = fn(arg, pfn, n++);
			}
		}
	}
	free(buf);
	return rc;
}

static int count_bit(void *arg, uint64_t pfn, uint64_t n)
{
	*(uint64_t *)arg = n + 1;
	return 0;
}

struct desc_check {
	int fd, be;
	uint64_t fsize, desc_off, pages, block, data_end;
	unsigned char *buf;	/* descriptors [first, first + have) */
	uint64_t first, have;
	uint64_t bad, truncated;
	char trunc_msg[200];
	char *err;
	size_t errlen;
};

static int check_desc(void *arg, uint64_t pfn, uint64_t n)
{
	struct desc_check *c = arg;
	const unsigned char *d;
	uint64_t off;
	uint32_t size, flags;
	const char *why = NULL;
	char what[160];

	if (n >= c->first + c->have) {
		uint64_t cnt = c->pages - n < CHUNK / PD_SIZE ? c->pages - n : CHUNK / PD_SIZE;

		if (ks_pread_all(c->fd, c->buf, (size_t)(cnt * PD_SIZE), c->desc_off + n * PD_SIZE)) {
			verr(c->err, c->errlen, "cannot read the page descriptors at byte %llu",
			     (unsigned long long)(c->desc_off + n * PD_SIZE));
			return -1;
		}
		c->first = n;
		c->have = cnt;
	}
	d = c->buf + (n - c->first) * PD_SIZE;
	off = rd(c->be, d, 8);
	size = (uint32_t)rd(c->be, d + 8, 4);
	flags = (uint32_t)rd(c->be, d + 12, 4);
	if (flags & PD_COMPRESSED) {
		if (size == 0 || size > c->block) {
			snprintf(what, sizeof(what), "compressed size %u, the block size is %llu",
				 size, (unsigned long long)c->block);
			why = what;
		}
	} else if (size != c->block) {
		snprintf(what, sizeof(what), "uncompressed size %u, not the block size %llu",
			 size, (unsigned long long)c->block);
		why = what;
	}
	if (!why && !inside(off, size, c->fsize)) {
		if (off < c->data_end && (uint64_t)size <= c->data_end - off) {
			/* where a complete file would have it: cut short */
			if (!c->truncated++)
				snprintf(c->trunc_msg, sizeof(c->trunc_msg),
					 "truncated: the data of PFN %#llx (page %llu of %llu) "
					 "ends at byte %llu, the file has %llu",
					 (unsigned long long)pfn, (unsigned long long)n + 1,
					 (unsigned long long)c->pages,
					 (unsigned long long)(off + size),
					 (unsigned long long)c->fsize);
			return 0;
		}
		snprintf(what, sizeof(what), "data offset %llu lies beyond any data a "
			 "complete dump of this size could hold", (unsigned long long)off);
		why = what;
	}
	if (why && !c->bad++)
		verr(c->err, c->errlen, "corrupt page descriptor of PFN %#llx (page %llu of %llu): %s",
		     (unsigned long long)pfn, (unsigned long long)n + 1,
		     (unsigned long long)c->pages, why);
	return 0;
}

/*
 * VMCOREINFO text: libkdumpfile 0.5.1 sets its page size from the
 * PAGESIZE line and sizes its page buffers by it; a huge one fails an
 * allocation, and the cleanup of that failed open crashes in
 * kdump_free(); one smaller than the kdump block size lets a compressed
 * page (up to a block) overflow the buffer.  page_size: the block size
 * it must equal, 0 for any valid one.
 */
int ks_vmcoreinfo_check(const char *text, size_t len, uint64_t page_size, char *err,
			size_t errlen)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* libkdumpfile 0.5.1 files each line under its key split at
		 * dots (create_attr_path()); a key that starts with a dot ends
		 * in a look-up of the empty prefix, whose leading-dot test
		 * (lookup_dir_attr()) reads the key as "." and hashes SIZE_MAX
		 * bytes: a crash inside kdump_open_fdset().  No kernel writes
		 * such a key (VMCOREINFO keys are C identifiers and
		 * TYPE(name) forms). */
		if (l > 0 && p[0] == '.') {
			char shown[25];
			size_t i;

			/* the file's bytes as printable text only */
			for (i = 0; i < l && i < sizeof(shown) - 1; i++)
				shown[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
			shown[i] = 0;
			verr(err, errlen, "corrupt VMCOREINFO: a line's key starts with '.' (\"%s\")",
			     shown);
			return -1;
		}
		/* libkdumpfile takes a line that starts with the key and has no
		 * '=' (e.g. NUL bytes after it) as an empty value: page size
		 * 0, the same failed allocation and crash as a huge one */
		if (l >= 8 && memcmp(p, "PAGESIZE", 8) == 0 && (l == 8 || p[8] != '=')) {
			verr(err, errlen, "corrupt VMCOREINFO: a PAGESIZE line without a value");
			return -1;
		}
		if (l > 9 && memcmp(p, "PAGESIZE=", 9) == 0) {
			uint64_t v = 0;
			size_t i;

			for (i = 9; i < l && p[i] >= '0' && p[i] <= '9'; i++)
				v = v < (1ull << 40) ? v * 10 + (uint64_t)(p[i] - '0') : v;
			if (i < l || i == 9) {
				verr(err, errlen, "corrupt VMCOREINFO: PAGESIZE is not a number");
				return -1;
			}
			if (v < LKF_MIN_PAGE_SIZE || v > LKF_MAX_PAGE_SIZE || (v & (v - 1))) {
				/* the digits as written (all digits: printable) */
				verr(err, errlen, "corrupt VMCOREINFO: PAGESIZE=%.*s is not a page "
				     "size", (int)(l - 9 > 24 ? 24 : l - 9), p + 9);
				return -1;
			}
			if (page_size && v != page_size) {
				verr(err, errlen, "corrupt VMCOREINFO: PAGESIZE=%llu, the block size "
				     "is %llu", (unsigned long long)v, (unsigned long long)page_size);
				return -1;
			}
		}
		p += l + 1;
	}
	return 0;
}

/* Every VMCOREINFO note in an ELF note area. */
static int check_notes(const unsigned char *n, uint64_t len, int be, uint64_t page_size,
		       char *err, size_t errlen)
{
	while (len >= 12) {
		uint64_t namesz = rd(be, n, 4), descsz = rd(be, n + 4, 4);
		uint64_t descoff = 12 + ((namesz + 3) & ~3ull);

		if (descoff > len || descsz > len - descoff)
			return 0;	/* libkdumpfile stops there too */
		if (namesz >= 10 && memcmp(n + 12, "VMCOREINFO", 10) == 0 &&
		    (namesz == 10 || n[12 + 10] == 0) &&
		    ks_vmcoreinfo_check((const char *)n + descoff, descsz, page_size, err, errlen))
			return -1;
		descoff += (descsz + 3) & ~3ull;
		if (descoff >= len)
			return 0;
		n += descoff;
		len -= descoff;
	}
	return 0;
}

/* Read [off, off+len) (checked inside the file) and check its notes, or
 * its VMCOREINFO text when raw. */
static int check_note_area(int fd, uint64_t off, uint64_t len, int be, int raw,
			   uint64_t page_size, char *err, size_t errlen)
{
	unsigned char *buf;
	int rc;

	if (!len)
		return 0;
	buf = malloc(len);
	if (!buf) {
		verr(err, errlen, "out of memory");
		return -1;
	}
	if (ks_pread_all(fd, buf, len, off)) {
		free(buf);
		verr(err, errlen, "cannot read the notes at byte %llu", (unsigned long long)off);
		return -1;
	}
	rc = raw ? ks_vmcoreinfo_check((const char *)buf, len, page_size, err, errlen)
		 : check_notes(buf, len, be, page_size, err, errlen);
	free(buf);
	return rc;
}

int ks_kdump_validate(int fd, uint64_t fsize, struct ks_kdump_layout *out,
		      char *err, size_t errlen)
{
	unsigned char h[DH_SIZE], sh[SH_SIZE];
	int be;
	uint32_t block, bitmap_blocks, max_mapnr;
	int32_t sub_hdr, version;
	uint64_t max_pfn, bm_off, bm_size, max_bitmap_pfn, limit, pages = 0, desc_off;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = 0;
	if (fsize < DH_SIZE || ks_pread_all(fd, h, sizeof(h), 0)) {
		verr(err, errlen, "truncated: no complete kdump header (%llu bytes)",
		     (unsigned long long)fsize);
		return -1;
	}
	memcpy(out->machine, h + DH_MACHINE, 65);
	out->machine[65] = 0;

	/* libkdumpfile tries the 32-bit layout first, either byte order */
	if (try_fields(h, 0, DH32_BLOCK_SIZE, DH32_BITMAP_BLOCKS, DH32_MAX_MAPNR) ||
	    try_fields(h, 1, DH32_BLOCK_SIZE, DH32_BITMAP_BLOCKS, DH32_MAX_MAPNR)) {
		verr(err, errlen, "the kdump header also reads as a 32-bit one (bytes 416-431), "
		     "which libkdumpfile 0.5.1 would take: a 32-bit dump or a corrupt header; "
		     "only 64-bit x86_64 and s390x dumps are read");
		return -1;
	}
	/* then the 64-bit one, little-endian first */
	if (try_fields(h, 0, DH_BLOCK_SIZE, DH_BITMAP_BLOCKS, DH_MAX_MAPNR))
		be = 0;
	else if (try_fields(h, 1, DH_BLOCK_SIZE, DH_BITMAP_BLOCKS, DH_MAX_MAPNR))
		be = 1;
	else {
		uint32_t le_bs = (uint32_t)rd(0, h + DH_BLOCK_SIZE, 4);
		uint32_t be_bs = (uint32_t)rd(1, h + DH_BLOCK_SIZE, 4);
		verr(err, errlen, "corrupt kdump header: block size %u (or %u big-endian), "
		     "%u bitmap blocks for %u pages", le_bs, be_bs,
		     (uint32_t)rd(0, h + DH_BITMAP_BLOCKS, 4), (uint32_t)rd(0, h + DH_MAX_MAPNR, 4));
		return -1;
	}
	out->big_endian = be;
	version = (int32_t)rd(be, h + DH_VERSION, 4);
	block = (uint32_t)rd(be, h + DH_BLOCK_SIZE, 4);
	sub_hdr = (int32_t)rd(be, h + DH_SUB_HDR_SIZE, 4);
	bitmap_blocks = (uint32_t)rd(be, h + DH_BITMAP_BLOCKS, 4);
	max_mapnr = (uint32_t)rd(be, h + DH_MAX_MAPNR, 4);
	out->block_size = block;
	out->header_version = version;
	if (version < 0 || version > 1000) {
		verr(err, errlen, "corrupt kdump header: version %d", version);
		return -1;
	}
	if (sub_hdr < 0 || (uint64_t)sub_hdr > fsize / block ||
	    (uint64_t)bitmap_blocks > fsize / block ||
	    !inside((uint64_t)(1 + sub_hdr) * block, (uint64_t)bitmap_blocks * block, fsize)) {
		verr(err, errlen, "corrupt or truncated kdump header: %d sub-header and %u bitmap "
		     "blocks of %u bytes do not fit in the file's %llu bytes", sub_hdr,
		     bitmap_blocks, block, (unsigned long long)fsize);
		return -1;
	}

	max_pfn = max_mapnr;
	if (version >= 1) {
		if (!inside(block, SH_SIZE, fsize) || ks_pread_all(fd, sh, sizeof(sh), block)) {
			verr(err, errlen, "truncated: no complete kdump sub-header");
			return -1;
		}
		if (version >= 2 && rd(be, sh + SH_SPLIT, 4)) {
			verr(err, errlen, "one part of a split dump (makedumpfile --split): "
			     "join the parts first (makedumpfile --reassemble)");
			return -1;
		}
		if (version >= 4) {
			out->note_off = rd(be, sh + SH_OFFSET_NOTE, 8);
			out->note_size = rd(be, sh + SH_SIZE_NOTE, 8);
			if (out->note_size && (out->note_size > MAX_NOTES ||
					       !inside(out->note_off, out->note_size, fsize))) {
				verr(err, errlen, "corrupt kdump sub-header: %llu note bytes at byte "
				     "%llu, the file has %llu", (unsigned long long)out->note_size,
				     (unsigned long long)out->note_off, (unsigned long long)fsize);
				return -1;
			}
			if (check_note_area(fd, out->note_off, out->note_size, be, 0, block, err,
					    errlen))
				return -1;
		} else if (version == 3) {
			uint64_t off = rd(be, sh + SH_OFFSET_VMCOREINFO, 8);
			uint64_t size = rd(be, sh + SH_SIZE_VMCOREINFO, 8);
			if (size > MAX_NOTES || !inside(off, size, fsize)) {
				verr(err, errlen, "corrupt kdump sub-header: %llu VMCOREINFO bytes at "
				     "byte %llu, the file has %llu", (unsigned long long)size,
				     (unsigned long long)off, (unsigned long long)fsize);
				return -1;
			}
			if (check_note_area(fd, off, size, be, 1, block, err, errlen))
				return -1;
		}
		if (version >= 6)
			max_pfn = rd(be, sh + SH_MAX_MAPNR_64, 8);
	}

	/* read_bitmap() of libkdumpfile 0.5.1: with two bitmaps (every
	 * makedumpfile and QEMU file) the second one lists the pages in
	 * the file; an old single bitmap is used whole. */
	bm_off = (uint64_t)(1 + sub_hdr) * block;
	desc_off = bm_off + (uint64_t)bitmap_blocks * block;
	bm_size = (uint64_t)bitmap_blocks * block;
	max_bitmap_pfn = bm_size * 8;
	if (max_pfn <= max_bitmap_pfn / 2) {
		bm_size = (uint64_t)(bitmap_blocks / 2) * block;
		bm_off += bm_size;
		max_bitmap_pfn = bm_size * 8;
	}
	limit = max_pfn < max_bitmap_pfn ? max_pfn : max_bitmap_pfn;
	out->max_pfn = limit;
	out->desc_off = desc_off;
	out->bitmap_off = bm_off;

	if (each_set_bit(fd, bm_off, limit, count_bit, &pages)) {
		verr(err, errlen, "cannot read the page bitmap");
		return -1;
	}
	out->pages = pages;
	if (pages > (fsize - desc_off) / PD_SIZE) {
		verr(err, errlen, "the page bitmap lists %llu pages, whose descriptors would end at "
		     "byte %llu, past the file's %llu bytes (truncated, or a corrupt bitmap)",
		     (unsigned long long)pages, (unsigned long long)(desc_off + pages * PD_SIZE),
		     (unsigned long long)fsize);
		return -1;
	}
	if (pages) {
		struct desc_check c = {
			.fd = fd, .be = be, .fsize = fsize, .desc_off = desc_off,
			.pages = pages, .block = block, .err = err, .errlen = errlen,
			/* the most a complete file could hold: every page whole */
			.data_end = desc_off + pages * PD_SIZE + pages * (uint64_t)block,
		};
		int rc;

		c.buf = malloc(CHUNK);
		if (!c.buf) {
			verr(err, errlen, "out of memory");
			return -1;
		}
		rc = each_set_bit(fd, bm_off, limit, check_desc, &c);
		free(c.buf);
		if (rc && !c.bad) {
			if (!err[0])
				verr(err, errlen, "cannot read the page bitmap");
			return -1;
		}
		if (c.bad || c.truncated) {
			uint64_t more = c.bad ? c.bad - 1 + c.truncated : c.truncated - 1;

			if (!c.bad)
				verr(err, errlen, "%s", c.trunc_msg);
			if (more) {
				size_t l = strlen(err);
				snprintf(err + l, errlen - l, " (and %llu more pages)",
					 (unsigned long long)more);
			}
			return -1;
		}
	}
	return 0;
}

int ks_elf_check_whole(Elf *elf, uint64_t fsize, char *err, size_t errlen)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;

	if (!gelf_getehdr(elf, &eh)) {
		verr(err, errlen, "broken ELF header: %s", elf_errmsg(-1));
		return -1;
	}
	/* e_shnum 0 with e_shoff set: the count is in section 0's sh_size
	 * (more than 0xff00 sections); one entry at least must fit */
	if (eh.e_shoff && !inside(eh.e_shoff, (uint64_t)(eh.e_shnum ? eh.e_shnum : 1) *
				  eh.e_shentsize, fsize)) {
		verr(err, errlen, "truncated: the section headers end at byte %llu, the file "
		     "has %llu", (unsigned long long)(eh.e_shoff +
						       (uint64_t)eh.e_shnum * eh.e_shentsize),
		     (unsigned long long)fsize);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		if (!inside(sh.sh_offset, sh.sh_size, fsize)) {
			verr(err, errlen, "truncated: section %zu ends at byte %llu, the file has %llu",
			     elf_ndxscn(scn), (unsigned long long)(sh.sh_offset + sh.sh_size),
			     (unsigned long long)fsize);
			return -1;
		}
	}
	return 0;
}

/*
 * libkdumpfile 0.5.1 init_elf64() (src/kdumpfile/elfdump.c) takes
 * e_phentsize and e_shentsize as they are -- 0 makes it read a header
 * out of a zero-length chunk (a NULL dereference) -- and reads every
 * header, note segment and section through mmap() without comparing
 * with the file's size.
 */
#define EH64_SIZE 64
#define PH64_SIZE 56
#define SH64_SIZE 64
#define PN_XNUM_ 0xffff
#define MAX_HEADERS (1u << 20)

int ks_elf_core_validate(int fd, uint64_t fsize, char *err, size_t errlen)
{
	unsigned char eh[EH64_SIZE], buf[PH64_SIZE > SH64_SIZE ? PH64_SIZE : SH64_SIZE];
	uint64_t phoff, shoff, phnum, shnum, shstrndx;
	unsigned phentsize, shentsize;
	int be;

	if (errlen)
		err[0] = 0;
	if (fsize < EH64_SIZE || ks_pread_all(fd, eh, sizeof(eh), 0)) {
		verr(err, errlen, "truncated: no complete ELF header");
		return -1;
	}
	if (eh[4] != 2) {	/* EI_CLASS */
		verr(err, errlen, "a %s ELF core: only 64-bit x86_64 and s390x dumps are read",
		     eh[4] == 1 ? "32-bit" : "corrupt");
		return -1;
	}
	if (eh[5] != 1 && eh[5] != 2) {	/* EI_DATA */
		verr(err, errlen, "corrupt ELF header: byte order %u", eh[5]);
		return -1;
	}
	be = eh[5] == 2;
	phoff = rd(be, eh + 32, 8);
	shoff = rd(be, eh + 40, 8);
	phentsize = (unsigned)rd(be, eh + 54, 2);
	phnum = rd(be, eh + 56, 2);
	shentsize = (unsigned)rd(be, eh + 58, 2);
	shnum = rd(be, eh + 60, 2);
	shstrndx = rd(be, eh + 62, 2);

	/* extended numbering: the counts in section header 0 */
	if (shoff && (shnum == 0 || phnum == PN_XNUM_)) {
		if (shentsize < SH64_SIZE || !inside(shoff, SH64_SIZE, fsize) ||
		    ks_pread_all(fd, buf, SH64_SIZE, shoff)) {
			verr(err, errlen, "corrupt ELF header: section header 0 (%u bytes at byte "
			     "%llu) does not fit the file's %llu bytes", shentsize,
			     (unsigned long long)shoff, (unsigned long long)fsize);
			return -1;
		}
		if (shnum == 0)
			shnum = rd(be, buf + 32, 8);	/* sh_size */
		if (shnum > 0 && phnum == PN_XNUM_)
			phnum = rd(be, buf + 44, 4);	/* sh_info */
	}
	if (phnum > MAX_HEADERS || shnum > MAX_HEADERS) {
		verr(err, errlen, "corrupt ELF header: %llu program and %llu section headers",
		     (unsigned long long)phnum, (unsigned long long)shnum);
		return -1;
	}
	if (phnum && (phentsize < PH64_SIZE ||
		      !inside(phoff, phnum * phentsize, fsize))) {
		verr(err, errlen, "corrupt or truncated ELF header: %llu program headers of %u "
		     "bytes at byte %llu, the file has %llu", (unsigned long long)phnum,
		     phentsize, (unsigned long long)phoff, (unsigned long long)fsize);
		return -1;
	}
	if (shnum && (shentsize < SH64_SIZE ||
		      !inside(shoff, shnum * shentsize, fsize))) {
		verr(err, errlen, "corrupt or truncated ELF header: %llu section headers of %u "
		     "bytes at byte %llu, the file has %llu", (unsigned long long)shnum,
		     shentsize, (unsigned long long)shoff, (unsigned long long)fsize);
		return -1;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		uint32_t type;
		uint64_t off, filesz;

		if (ks_pread_all(fd, buf, PH64_SIZE, phoff + i * phentsize)) {
			verr(err, errlen, "cannot read program header %llu", (unsigned long long)i);
			return -1;
		}
		type = (uint32_t)rd(be, buf, 4);
		off = rd(be, buf + 8, 8);
		filesz = rd(be, buf + 32, 8);
		if (type == 4 && filesz > MAX_NOTES) {	/* PT_NOTE */
			verr(err, errlen, "corrupt ELF core: a note segment of %llu bytes",
			     (unsigned long long)filesz);
			return -1;
		}
		if ((type == 1 || type == 4) && !inside(off, filesz, fsize)) {
			verr(err, errlen, "%s: program header %llu (%s) needs bytes %llu-%llu, the "
			     "file has %llu", off < fsize ? "truncated" : "corrupt ELF core",
			     (unsigned long long)i, type == 1 ? "LOAD" : "NOTE",
			     (unsigned long long)off, (unsigned long long)(off + filesz),
			     (unsigned long long)fsize);
			return -1;
		}
		if (type == 4 && check_note_area(fd, off, filesz, be, 0, 0, err, errlen))
			return -1;
	}
	if (shnum && shstrndx >= shnum) {
		verr(err, errlen, "corrupt ELF header: section name table %llu of %llu sections",
		     (unsigned long long)shstrndx, (unsigned long long)shnum);
		return -1;
	}
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t off, size;

		if (ks_pread_all(fd, buf, SH64_SIZE, shoff + i * shentsize)) {
			verr(err, errlen, "cannot read section header %llu", (unsigned long long)i);
			return -1;
		}
		off = rd(be, buf + 24, 8);
		size = rd(be, buf + 32, 8);
		/* section 0 of extended numbering holds counts, not an area */
		if (i == 0 || !size)
			continue;
		if (!inside(off, size, fsize) || size > MAX_NOTES) {
			verr(err, errlen, "corrupt ELF core: section %llu needs bytes %llu-%llu, the "
			     "file has %llu", (unsigned long long)i, (unsigned long long)off,
			     (unsigned long long)(off + size), (unsigned long long)fsize);
			return -1;
		}
	}
	return 0;
}
