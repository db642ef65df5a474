/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Feeds candidate aliases to the core's ks_symbolize() for
 * tests/names/kallsyms-names.py.  Input: groups of lines, "HEXADDR" then
 * "NMTYPE NAME" per symbol at that address, a blank line after each group;
 * output: one line per group, the chosen name (empty when none).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"

#define MAX_LINE 1024
#define MAX_INPUT (MAX_LINE - 8)

struct group {
	kaddr_t addr;
	int n;
	char type[KS_MAX_ALIASES];
	char name[KS_MAX_ALIASES][MAX_LINE];
};

static int group_symbols_at(void *priv, kaddr_t addr, struct ks_symbol *out, int max)
{
	const struct group *g = priv;

	if (addr < g->addr || g->n == 0)
		return -1;
	for (int i = 0; i < g->n && i < max; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].name = g->name[i];
		out[i].value = g->addr;
		out[i].type = g->type[i];
		out[i].order = -1;
	}
	return g->n;
}

static void answer(struct group *g)
{
	static const struct ks_target_ops ops = { .symbols_at = group_symbols_at };
	struct ks_target t = { .ops = &ops, .priv = g };
	struct ks_symbol s;

	if (ks_symbolize(&t, g->addr, &s) == 0)
		printf("%s\n", s.name);
	else
		printf("\n");
	g->n = 0;
}

int main(void)
{
	static struct group g;
	char line[MAX_INPUT];
	int have = 0;

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0]) {
			if (have)
				answer(&g);
			have = 0;
		} else if (!have) {
			g.addr = strtoull(line, NULL, 16);
			g.n = 0;
			have = 1;
		} else if (g.n < KS_MAX_ALIASES && line[1] == ' ') {
			g.type[g.n] = line[0];
			snprintf(g.name[g.n], sizeof(g.name[g.n]), "%s", line + 2);
			g.n++;
		}
	}
	if (have)
		answer(&g);
	return 0;
}
