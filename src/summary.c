/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Grouping of identical stacks (klpstack -s).  A typical system has
 * hundreds of tasks but a few dozen distinct stacks: kworkers idling in
 * worker_thread, user tasks sleeping in the same syscalls.  Showing each
 * distinct stack once with its count is what makes a large scan
 * readable; the odd group out is usually the interesting one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "summary.h"

struct ks_summary_group {
	uint64_t hash;
	enum ks_verdict verdict;
	enum ks_rule rule;
	size_t order;			/* when the group was first seen */
	int count;
	int npids;
	int pids[KS_SUMMARY_PIDS];
	int nframes;
	unsigned labels;		/* union over the group's frames */
	char message[KS_MSG_LEN];	/* first task's reason */
	size_t keylen;
	char key[];			/* frame names, each ended by '\n' */
};

/* Same idea as the report's frame format, without the offset: two tasks
 * sleeping in the same functions belong together even when a compiler
 * placed two call sites in one of them. */
static size_t frame_name(const struct ks_frame *f, char *buf, size_t len)
{
	int n;
	if (!f->symbol[0])
		n = snprintf(buf, len, "?\n");
	else if (f->module[0])
		n = snprintf(buf, len, "%s [%s]\n", f->symbol, f->module);
	else
		n = snprintf(buf, len, "%s\n", f->symbol);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

/* The key of a result: all its frame names.  Returns a malloc'ed string
 * (length in *lenp) or NULL when out of memory. */
static char *make_key(const struct ks_result *res, size_t *lenp)
{
	/* symbol + " [" + module + "]\n" per frame */
	size_t per = KS_SYM_LEN + KS_MOD_LEN + 4;
	int n = res->nframes < 0 ? 0 :
		res->nframes > KS_MAX_FRAMES ? KS_MAX_FRAMES : res->nframes;
	char *key = malloc((size_t)n * per + 1);
	size_t used = 0;

	if (!key)
		return NULL;
	for (int i = 0; i < n; i++)
		used += frame_name(&res->frames[i], key + used, per + 1);
	key[used] = 0;
	*lenp = used;
	return key;
}

/* FNV-1a: cheap and good enough for a few thousand distinct stacks. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t group_hash(enum ks_verdict v, enum ks_rule r, const char *key,
			   size_t keylen)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int32_t vr[2] = { (int32_t)v, (int32_t)r };
	h = hash_bytes(h, vr, sizeof(vr));
	return hash_bytes(h, key, keylen);
}

void ks_summary_init(struct ks_summary *s, enum ks_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
}

void ks_summary_free(struct ks_summary *s)
{
	for (size_t i = 0; i < s->ngroups; i++)
		free(s->groups[i]);
	free(s->groups);
	free(s->slots);
	ks_summary_init(s, s->mode);
}

static int rehash(struct ks_summary *s, size_t nslots)
{
	size_t *slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < s->ngroups; i++) {
		size_t j = (size_t)s->groups[i]->hash & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = i + 1;
	}
	free(s->slots);
	s->slots = slots;
	s->nslots = nslots;
	return 0;
}

static void count_totals(struct ks_summary *s, const struct ks_result *res)
{
	unsigned seen = 0;

	s->ntasks++;
	if ((unsigned)res->verdict < 5)
		s->counts[res->verdict]++;
	for (int i = 0; i < res->nframes && i < KS_MAX_FRAMES; i++) {
		unsigned l = res->frames[i].labels;
		for (unsigned b = 0; b < KS_LABEL_COUNT; b++) {
			if (!(l & (1u << b)))
				continue;
			s->label_frames[b]++;
			if (!(seen & (1u << b)))
				s->label_tasks[b]++;
			seen |= 1u << b;
		}
	}
}

static void add_pid(struct ks_summary_group *g, int pid)
{
	g->count++;
	if (g->npids < KS_SUMMARY_PIDS)
		g->pids[g->npids++] = pid;
}

int ks_summary_add(struct ks_summary *s, const struct ks_result *res)
{
	struct ks_summary_group *g;
	size_t keylen, j;
	uint64_t h;
	char *key;
	enum ks_rule rule;

	count_totals(s, res);
	/* The rule is part of a stack's identity only when one failed. */
	rule = res->verdict == KS_VERDICT_UNRELIABLE ||
	       res->verdict == KS_VERDICT_ERROR ? res->rule : KS_RULE_NONE;
	key = make_key(res, &keylen);
	if (!key)
		goto nomem;
	h = group_hash(res->verdict, rule, key, keylen);

	if (s->nslots) {
		for (j = (size_t)h & (s->nslots - 1); s->slots[j];
		     j = (j + 1) & (s->nslots - 1)) {
			g = s->groups[s->slots[j] - 1];
			if (g->hash == h && g->verdict == res->verdict &&
			    g->rule == rule && g->keylen == keylen &&
			    memcmp(g->key, key, keylen) == 0) {
				add_pid(g, res->task.pid);
				free(key);
				return 0;
			}
		}
	}

	/* A new group.  Keep the table at most half full so probes stay
	 * short. */
	if ((s->ngroups + 1) * 2 > s->nslots &&
	    rehash(s, s->nslots ? s->nslots * 2 : 64))
		goto nomem_key;
	if (s->ngroups == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct ks_summary_group **gs = realloc(s->groups, cap * sizeof(*gs));
		if (!gs)
			goto nomem_key;
		s->groups = gs;
		s->cap = cap;
	}
	g = malloc(sizeof(*g) + keylen + 1);
	if (!g)
		goto nomem_key;
	memset(g, 0, sizeof(*g));
	g->hash = h;
	g->verdict = res->verdict;
	g->rule = rule;
	g->order = s->ngroups;
	g->nframes = res->nframes;
	for (int i = 0; i < res->nframes && i < KS_MAX_FRAMES; i++)
		g->labels |= res->frames[i].labels;
	snprintf(g->message, sizeof(g->message), "%s", res->message);
	g->keylen = keylen;
	memcpy(g->key, key, keylen + 1);
	free(key);
	add_pid(g, res->task.pid);

	for (j = (size_t)h & (s->nslots - 1); s->slots[j];
	     j = (j + 1) & (s->nslots - 1))
		;
	s->groups[s->ngroups] = g;
	s->slots[j] = ++s->ngroups;
	return 0;

nomem_key:
	free(key);
nomem:
	s->ungrouped++;
	return -1;
}

static int cmp_groups(const void *a, const void *b)
{
	const struct ks_summary_group *x = *(const struct ks_summary_group *const *)a;
	const struct ks_summary_group *y = *(const struct ks_summary_group *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void verdict_text(const struct ks_summary_group *g, char *buf, size_t len)
{
	if (g->verdict == KS_VERDICT_UNRELIABLE || g->verdict == KS_VERDICT_ERROR)
		snprintf(buf, len, "%s %s", ks_verdict_name(g->verdict),
			 ks_rule_name(g->rule));
	else
		snprintf(buf, len, "%s", ks_verdict_name(g->verdict));
}

static void pids_text(const struct ks_summary_group *g, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (int i = 0; i < g->npids; i++) {
		int n = snprintf(buf + used, len - used, "%s%d", i ? "," : "",
				 g->pids[i]);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
	if (g->count > g->npids)
		snprintf(buf + used, len - used, " +%d", g->count - g->npids);
}

/* Rebuild the hash slots after sorting moved the groups around. */
static void reindex(struct ks_summary *s)
{
	if (s->nslots && rehash(s, s->nslots)) {
		/* Without memory the old slots point at wrong groups: drop
		 * them, further adds then start a new table. */
		free(s->slots);
		s->slots = NULL;
		s->nslots = 0;
	}
}

void ks_summary_print(struct ks_summary *s, FILE *out, int verbose)
{
	char verdict[64], pids[128];
	int nlabels = 0, wv = (int)strlen("VERDICT"), wp = (int)strlen("PIDS");

	if (s->ngroups > 1)
		qsort(s->groups, s->ngroups, sizeof(*s->groups), cmp_groups);
	reindex(s);

	/* Columns as wide as their widest cell, so the stacks line up. */
	for (size_t i = 0; i < s->ngroups; i++) {
		verdict_text(s->groups[i], verdict, sizeof(verdict));
		pids_text(s->groups[i], pids, sizeof(pids));
		if ((int)strlen(verdict) > wv)
			wv = (int)strlen(verdict);
		if ((int)strlen(pids) > wp)
			wp = (int)strlen(pids);
	}
	fprintf(out, "%d tasks, %zu distinct stacks (mode %s)\n", s->ntasks,
		s->ngroups, ks_mode_name(s->mode));
	if (!verbose)
		fprintf(out, "%6s  %-*s  %-*s  %s\n", "TASKS", wv, "VERDICT",
			wp, "PIDS", "STACK (innermost first)");
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct ks_summary_group *g = s->groups[i];
		const char *p = g->key, *nl;

		verdict_text(g, verdict, sizeof(verdict));
		pids_text(g, pids, sizeof(pids));
		if (verbose) {
			fprintf(out, "%s%d task%s  %s  pids %s", i ? "\n" : "",
				g->count, g->count == 1 ? "" : "s", verdict, pids);
			for (unsigned b = 0, n = 0; b < KS_LABEL_COUNT; b++)
				if (g->labels & (1u << b))
					fprintf(out, "%s%s", n++ ? "," : "  labels ",
						ks_label_name(b));
			fputc('\n', out);
			if (g->verdict != KS_VERDICT_RELIABLE && g->message[0])
				fprintf(out, "    reason: %s\n", g->message);
			for (int f = 0; (nl = strchr(p, '\n')); f++, p = nl + 1)
				fprintf(out, "    #%-3d %.*s\n", f, (int)(nl - p), p);
			continue;
		}
		fprintf(out, "%6d  %-*s  %-*s  ", g->count, wv, verdict, wp, pids);
		if (!*p)
			fputs("-", out);
		for (int f = 0; (nl = strchr(p, '\n')); f++, p = nl + 1)
			fprintf(out, "%s%.*s", f ? " <- " : "", (int)(nl - p), p);
		fputc('\n', out);
	}
	if (s->ungrouped)
		fprintf(out, "(%d tasks not grouped: out of memory)\n", s->ungrouped);

	fprintf(out, "%sverdicts: reliable %d, unreliable %d, running %d, no-stack %d, error %d\n",
		s->ngroups ? "\n" : "",
		s->counts[KS_VERDICT_RELIABLE], s->counts[KS_VERDICT_UNRELIABLE],
		s->counts[KS_VERDICT_RUNNING], s->counts[KS_VERDICT_NO_STACK],
		s->counts[KS_VERDICT_ERROR]);
	fprintf(out, "labels:");
	for (unsigned b = 0; b < KS_LABEL_COUNT; b++) {
		if (!s->label_frames[b])
			continue;
		fprintf(out, "%s %s %d task%s (%d frame%s)", nlabels++ ? "," : "",
			ks_label_name(b), s->label_tasks[b],
			s->label_tasks[b] == 1 ? "" : "s", s->label_frames[b],
			s->label_frames[b] == 1 ? "" : "s");
	}
	fprintf(out, "%s\n", nlabels ? "" : " none");
}
