// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JIT-compiled BPF code: programs, trampolines (fentry/fexit) and
 * dispatchers, as the kernel lists them on bpf_kallsyms (kernel/bpf/
 * core.c, struct bpf_ksym since 5.8 "bpf: Add bpf_ksym_add/del
 * functions").  Read once per kernel.
 *
 * Why the walk needs them:
 * - __kernel_text_address() accepts is_bpf_text_address() (kernel/
 *   extable.c): a return address into a BPF program or trampoline is
 *   text, so a task asleep under an fexit trampoline or in a sleepable
 *   program passes the text check.
 * - kallsyms names them from the ksym ("bpf_prog_<tag>_<name>",
 *   "bpf_trampoline_<key>"), without a module, as /proc/PID/stack shows.
 * - x86 ORC knows no BPF code: before 7.x orc_find() fails and the
 *   unwinder guesses a frame-pointer frame with state->error set
 *   (unreliable); 7.x added orc_bpf_find(), a frame-pointer entry that
 *   counts as found inside [start + fp_start, start + fp_end) of the ksym
 *   (the JIT records where its frame is set up).  The fp_start member is
 *   how a dump tells which of the two its kernel does.
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

/* More ksyms than this is a loop in a corrupt list. */
#define KS_MAX_BPF_KSYMS 65536

struct bpf_layout {
	long lnode, start, end, name, name_size, fp_start, fp_end;
};

static int add_ksym(struct ks_kernel *k, const struct ks_bpf_ksym *b)
{
	if (k->nbpf == k->bpf_cap) {
		int cap = k->bpf_cap ? k->bpf_cap * 2 : 16;
		struct ks_bpf_ksym *grown = realloc(k->bpf, (size_t)cap * sizeof(*grown));
		if (!grown)
			return -1;
		k->bpf = grown;
		k->bpf_cap = cap;
	}
	k->bpf[k->nbpf++] = *b;
	return 0;
}

static int read_ksym(const struct ks_kernel *k, const struct bpf_layout *l,
		     kaddr_t ksym, struct ks_bpf_ksym *b)
{
	size_t nlen = (size_t)l->name_size < sizeof(b->name) ?
		(size_t)l->name_size : sizeof(b->name) - 1;
	uint64_t start, end;
	uint32_t fs = 0, fe = 0;

	memset(b, 0, sizeof(*b));
	if (ks_read_u64(k, ksym + (kaddr_t)l->start, &start) ||
	    ks_read_u64(k, ksym + (kaddr_t)l->end, &end))
		return -1;
	if (l->fp_start >= 0 && l->fp_end >= 0 &&
	    (ks_read_u32(k, ksym + (kaddr_t)l->fp_start, &fs) ||
	     ks_read_u32(k, ksym + (kaddr_t)l->fp_end, &fe)))
		return -1;
	/* the name is for show: a short read leaves the address */
	if (ks_read(k, ksym + (kaddr_t)l->name, b->name, nlen) == 0)
		b->name[nlen] = 0;
	if (!b->name[0] || memchr(b->name, 0, nlen + 1) == NULL)
		snprintf(b->name, sizeof(b->name), "bpf@%#llx",
			 (unsigned long long)start);
	b->start = start;
	b->end = end > start ? end : start;
	b->fp_start = fs;
	b->fp_end = fe;
	return 0;
}

void ks_bpf_load(struct ks_kernel *k)
{
	struct bpf_layout l;
	kaddr_t head = ks_symbol(k, "bpf_kallsyms");
	uint64_t node;

	k->bpf_state = 1;
	if (!head)
		return;		/* no BPF JIT (or older than 5.8): no BPF text */
	l.lnode = ks_offset(k, "bpf_ksym", "lnode", -1);
	l.start = ks_offset(k, "bpf_ksym", "start", -1);
	l.end = ks_offset(k, "bpf_ksym", "end", -1);
	l.name = ks_offset(k, "bpf_ksym", "name", -1);
	l.name_size = ks_member_size(k, "bpf_ksym", "name", 128);
	l.fp_start = ks_offset(k, "bpf_ksym", "fp_start", -1);
	l.fp_end = ks_offset(k, "bpf_ksym", "fp_end", -1);
	k->bpf_has_fp_range = l.fp_start >= 0 && l.fp_end >= 0;
	if (l.lnode < 0 || l.start < 0 || l.end < 0 || l.name < 0) {
		snprintf(k->bpf_error, sizeof(k->bpf_error),
			 "struct bpf_ksym layout unknown: BPF code cannot be told");
		goto fail;
	}
	if (ks_read_u64(k, head, &node)) {
		snprintf(k->bpf_error, sizeof(k->bpf_error),
			 "bpf_kallsyms at %#llx is not in the dump",
			 (unsigned long long)head);
		goto fail;
	}
	while (node != head) {
		struct ks_bpf_ksym b;

		if (k->nbpf >= KS_MAX_BPF_KSYMS) {
			snprintf(k->bpf_error, sizeof(k->bpf_error),
				 "bpf_kallsyms has more than %d entries (loop?)",
				 KS_MAX_BPF_KSYMS);
			goto fail;
		}
		if (read_ksym(k, &l, node - (kaddr_t)l.lnode, &b) || add_ksym(k, &b) ||
		    ks_read_u64(k, node, &node)) {
			snprintf(k->bpf_error, sizeof(k->bpf_error),
				 "bpf_kallsyms entry at %#llx is not in the dump",
				 (unsigned long long)node);
			goto fail;
		}
	}
	return;
fail:
	k->bpf_state = -1;
	k->nbpf = 0;
}

const struct ks_bpf_ksym *ks_bpf_find(const struct ks_kernel *k, kaddr_t addr)
{
	for (int i = 0; i < k->nbpf; i++)
		if (addr >= k->bpf[i].start && addr < k->bpf[i].end)
			return &k->bpf[i];
	return NULL;
}

void ks_bpf_free(struct ks_kernel *k)
{
	free(k->bpf);
	k->bpf = NULL;
	k->nbpf = k->bpf_cap = 0;
}
