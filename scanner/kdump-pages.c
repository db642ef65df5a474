/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pages of a kdump-compressed dump, read without libkdumpfile's page
 * path.  Scanning tasks is reading pages: on a 20,057-task dump 72 % of
 * klpscan's instructions were kdump_read(), 65 % zlib's inflate() and
 * its adler32 inside it (callgrind, bench/README.md).  Here a page is
 * found through the dump's own bitmap and descriptor table (makedumpfile's
 * diskdump format, already checked by kdump-validate.c), inflated with
 * libdeflate (whole-buffer, about twice zlib's speed, the same adler32
 * check) and kept in a small cache; a virtual address is translated by
 * libkdumpfile's own addrxlat system once per page and remembered.
 *
 * Anything unusual is left to kdump_read(), so failures keep
 * libkdumpfile's answer: a page compressed with lzo, snappy or zstd, a
 * page the bitmap does not hold, a descriptor or data past the end of
 * the file (a truncated dump), a translation that fails.
 */
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include "byteorder.h"
#include "kdump-pages.h"

/* makedumpfile diskdump_mod.h: struct page_desc and its flags */
#define PD_SIZE 24
#define PD_ZLIB 0x1u

/* Decompressed pages kept (direct-mapped by PFN) and translations kept
 * (direct-mapped by virtual page): a task's task_struct and stack pages,
 * with room for neighbours in the same slab and the page tables. */
#define PAGE_SLOTS 256
#define XLAT_SLOTS 1024

struct kd_pages {
	int fd;
	int be;
	uint64_t fsize;
	uint32_t block;
	uint64_t limit;		/* PFNs the bitmap covers */
	uint64_t pages;		/* descriptors */
	uint64_t desc_off;
	uint64_t *bits;		/* the bitmap as 64-bit words, PFN order */
	uint32_t *rank;		/* set bits before each word */
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	struct libdeflate_decompressor *inflater;
	unsigned char *packed;	/* one compressed page */
	unsigned char *data;	/* PAGE_SLOTS pages */
	uint64_t slot_pfn[PAGE_SLOTS];	/* PFN + 1; 0: empty */
	uint64_t xlat_vpage[XLAT_SLOTS];	/* virtual page + 1; 0: empty */
	uint64_t xlat_ppage[XLAT_SLOTS];
};

/* The bitmap of dumped pages: byte PFN/8, bit PFN%8 (makedumpfile's
 * set_bit_on_2nd_bitmap()); kept as words with a running count, so a
 * PFN's descriptor index is one popcount away.  The count fits 32 bits
 * (open refuses more pages): the index costs half the bitmap again. */
static int load_bitmap(struct kd_pages *p, uint64_t bitmap_off)
{
	uint64_t words = (p->limit + 63) / 64, bytes = (p->limit + 7) / 8;
	uint32_t seen = 0;

	p->bits = calloc(words, sizeof(*p->bits));
	p->rank = calloc(words, sizeof(*p->rank));
	if (!p->bits || !p->rank || ks_pread_all(p->fd, p->bits, (size_t)bytes, bitmap_off))
		return -1;
	for (uint64_t i = 0; i < words; i++) {
		/* the file's bytes in PFN order: a little-endian word */
		uint64_t w = ks_load_uint(&p->bits[i], 8, 0);

		/* bits at or above the limit are not the bitmap's (libkdumpfile
		 * reads none of them) */
		if (i == words - 1 && p->limit % 64)
			w &= (1ull << (p->limit % 64)) - 1;
		p->bits[i] = w;
		p->rank[i] = seen;
		seen += (uint32_t)__builtin_popcountll(w);
	}
	return 0;
}

struct kd_pages *kd_pages_open(int fd, uint64_t fsize, const struct ks_kdump_layout *lay,
			       kdump_ctx_t *ctx)
{
	struct kd_pages *p;

	if (!lay->block_size || lay->block_size > (1u << 18) || !lay->max_pfn ||
	    lay->pages > UINT32_MAX)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->fd = fd;
	p->be = lay->big_endian;
	p->fsize = fsize;
	p->block = lay->block_size;
	p->limit = lay->max_pfn;
	p->pages = lay->pages;
	p->desc_off = lay->desc_off;
	p->inflater = libdeflate_alloc_decompressor();
	p->packed = malloc(p->block);
	p->data = malloc((size_t)PAGE_SLOTS * p->block);
	if (!p->inflater || !p->packed || !p->data || load_bitmap(p, lay->bitmap_off) ||
	    kdump_get_addrxlat(ctx, &p->axctx, &p->axsys) != KDUMP_OK) {
		kd_pages_close(p);
		return NULL;
	}
	return p;
}

void kd_pages_close(struct kd_pages *p)
{
	if (!p)
		return;
	if (p->axsys)
		addrxlat_sys_decref(p->axsys);
	if (p->axctx)
		addrxlat_ctx_decref(p->axctx);
	if (p->inflater)
		libdeflate_free_decompressor(p->inflater);
	free(p->bits);
	free(p->rank);
	free(p->packed);
	free(p->data);
	free(p);
}

/* The physical page of a virtual one, through the dump's own page
 * tables (addrxlat), remembered. */
static int translate(struct kd_pages *p, uint64_t vpage, uint64_t *ppage)
{
	unsigned slot = (unsigned)(vpage % XLAT_SLOTS);
	addrxlat_fulladdr_t fa;

	if (p->xlat_vpage[slot] == vpage + 1) {
		*ppage = p->xlat_ppage[slot];
		return 0;
	}
	fa.addr = vpage * p->block;
	fa.as = ADDRXLAT_KVADDR;
	if (addrxlat_fulladdr_conv(&fa, ADDRXLAT_MACHPHYSADDR, p->axctx, p->axsys) != ADDRXLAT_OK ||
	    fa.addr % p->block)
		return -1;
	p->xlat_vpage[slot] = vpage + 1;
	p->xlat_ppage[slot] = fa.addr / p->block;
	*ppage = p->xlat_ppage[slot];
	return 0;
}

/* One page, decompressed; NULL for whatever kdump_read() should answer. */
static const unsigned char *page_get(struct kd_pages *p, uint64_t pfn)
{
	unsigned slot = (unsigned)(pfn % PAGE_SLOTS);
	unsigned char *dst = p->data + (size_t)slot * p->block;
	unsigned char d[PD_SIZE];
	uint64_t word, idx, off;
	uint32_t size, flags;
	unsigned bit;
	size_t got;

	if (p->slot_pfn[slot] == pfn + 1)
		return dst;
	if (pfn >= p->limit)
		return NULL;
	word = pfn / 64;
	bit = (unsigned)(pfn % 64);
	if (!(p->bits[word] >> bit & 1))
		return NULL;
	idx = p->rank[word] + (uint64_t)__builtin_popcountll(p->bits[word] & ((1ull << bit) - 1));
	if (idx >= p->pages || ks_pread_all(p->fd, d, sizeof(d), p->desc_off + idx * PD_SIZE))
		return NULL;
	off = ks_load_uint(d, 8, p->be);
	size = (uint32_t)ks_load_uint(d + 8, 4, p->be);
	flags = (uint32_t)ks_load_uint(d + 12, 4, p->be);
	if (size > p->block || off > p->fsize || size > p->fsize - off)
		return NULL;
	/* the slot is reused: empty until the page is whole */
	p->slot_pfn[slot] = 0;
	if (flags == PD_ZLIB) {
		if (ks_pread_all(p->fd, p->packed, size, off) ||
		    libdeflate_zlib_decompress(p->inflater, p->packed, size, dst, p->block,
					       &got) != LIBDEFLATE_SUCCESS ||
		    got != p->block)
			return NULL;
	} else if (flags == 0 && size == p->block) {
		if (ks_pread_all(p->fd, dst, size, off))
			return NULL;
	} else {
		return NULL;
	}
	p->slot_pfn[slot] = pfn + 1;
	return dst;
}

int kd_pages_read(struct kd_pages *p, uint64_t addr, void *buf, size_t len)
{
	unsigned char *out = buf;

	while (len) {
		uint64_t off = addr % p->block, ppage;
		size_t n = len < p->block - off ? len : (size_t)(p->block - off);
		const unsigned char *page;

		if (translate(p, addr / p->block, &ppage) || !(page = page_get(p, ppage)))
			return -1;
		memcpy(out, page + off, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}
