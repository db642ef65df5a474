// SPDX-License-Identifier: GPL-2.0-or-later
/* String -> value hash map of the dump target (namemap.h). */
#include <stdlib.h>
#include <string.h>
#include "namemap.h"

static uint64_t hash_key(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int grow(struct namemap *m)
{
	size_t cap = m->slots ? (m->mask + 1) * 2 : 256;
	struct namemap_slot *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; m->slots && i <= m->mask; i++) {
		size_t j;
		if (!m->slots[i].key)
			continue;
		j = hash_key(m->slots[i].key) & (cap - 1);
		while (s[j].key)
			j = (j + 1) & (cap - 1);
		s[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->mask = cap - 1;
	return 0;
}

const struct namemap_slot *namemap_find(const struct namemap *m, const char *key)
{
	if (!m->slots)
		return NULL;
	for (size_t j = hash_key(key) & m->mask; m->slots[j].key; j = (j + 1) & m->mask)
		if (strcmp(m->slots[j].key, key) == 0)
			return &m->slots[j];
	return NULL;
}

struct namemap_slot *namemap_slot(struct namemap *m, const char *key, int *found)
{
	size_t j;

	if (!m->slots || (m->used + 1) * 2 > m->mask + 1)
		if (grow(m))
			return NULL;
	for (j = hash_key(key) & m->mask; m->slots[j].key; j = (j + 1) & m->mask) {
		if (strcmp(m->slots[j].key, key) == 0) {
			*found = 1;
			return &m->slots[j];
		}
	}
	if (m->copy_keys) {
		char *copy = strdup(key);
		if (!copy)
			return NULL;
		key = copy;
	}
	*found = 0;
	m->slots[j].key = key;
	m->slots[j].value = m->slots[j].value2 = 0;
	m->used++;
	return &m->slots[j];
}

void namemap_free(struct namemap *m)
{
	for (size_t i = 0; m->copy_keys && m->slots && i <= m->mask; i++)
		free((char *)m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
