/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel virtual memory of a kdump-compressed dump read page by page from
 * the file (kdump-pages.c); what it does not handle is left to
 * kdump_read().
 */
#ifndef KLPSTACK_KDUMP_PAGES_H
#define KLPSTACK_KDUMP_PAGES_H

#include <stddef.h>
#include <stdint.h>
#include <libkdumpfile/kdumpfile.h>
#include "kdump-validate.h"

struct kd_pages;

/* After ks_kdump_validate() passed and libkdumpfile opened the file
 * (its address translation is used); NULL when the file cannot be
 * read this way (every read then goes through kdump_read()). */
struct kd_pages *kd_pages_open(int fd, uint64_t fsize, const struct ks_kdump_layout *lay,
			       kdump_ctx_t *ctx);
void kd_pages_close(struct kd_pages *p);

/* len bytes of kernel virtual memory at addr: 0, or -1 when some page
 * is not for this reader (buf is then partly written). */
int kd_pages_read(struct kd_pages *p, uint64_t addr, void *buf, size_t len);

#endif
