/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A string -> two-value hash map (open addressing, FNV-1a), the one the
 * dump target uses for its symbol tables, DWARF type index and BTF
 * indexes.  Keys are borrowed (the caller keeps them alive) or copied,
 * as the map was set up.
 */
#ifndef KLPSTACK_NAMEMAP_H
#define KLPSTACK_NAMEMAP_H

#include <stddef.h>
#include <stdint.h>

struct namemap_slot {
	const char *key;
	uint64_t value, value2;
};

struct namemap {
	struct namemap_slot *slots;
	size_t mask;		/* capacity - 1, a power of two */
	size_t used;
	int copy_keys;		/* keys are strdup'ed and freed with the map */
};

/* The slot of key, inserted with zero values when absent (*found says
 * which).  NULL when out of memory. */
struct namemap_slot *namemap_slot(struct namemap *m, const char *key, int *found);
/* The slot of key, NULL when absent. */
const struct namemap_slot *namemap_find(const struct namemap *m, const char *key);
void namemap_free(struct namemap *m);

#endif
