/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Summary of a scan: tasks with identical stacks (same verdict, same
 * failed rule, same list of frame symbols) form one group; groups are
 * printed most common first, followed by the verdict and label totals.
 * Shared by the crash extension (klpstack -s) and klpscan.
 *
 * Use: ks_summary_init(), ks_summary_add() for every walked task,
 * ks_summary_print(), ks_summary_free().  Everything lives in the struct
 * the caller owns; there is no hidden state.
 */
#ifndef KLPSTACK_SUMMARY_H
#define KLPSTACK_SUMMARY_H

#include <stdio.h>
#include "klpstack.h"

/* How many PIDs a group remembers for the report ("first few"). */
#define KS_SUMMARY_PIDS 8

struct ks_summary_group;

struct ks_summary {
	enum ks_mode mode;
	int ntasks;
	int counts[5];			/* per enum ks_verdict */
	int label_tasks[KS_LABEL_COUNT];	/* tasks with the label */
	int label_frames[KS_LABEL_COUNT];	/* frames with the label */
	int ungrouped;			/* tasks counted but not grouped (no memory) */

	struct ks_summary_group **groups;
	size_t ngroups, cap;
	size_t *slots;			/* hash table: group index + 1, 0 = empty */
	size_t nslots;			/* power of two, or 0 */
};

void ks_summary_init(struct ks_summary *s, enum ks_mode mode);

/* Count one walked task and put it into its group.  0 ok; -1 when
 * memory ran out: the task is still counted in the totals (ungrouped). */
int ks_summary_add(struct ks_summary *s, const struct ks_result *res);

/* Print the groups (most common first; ties in the order they were first
 * seen) and the totals.  verbose: list each group's frames below it
 * instead of one line.  Sorts the groups, hence not const. */
void ks_summary_print(struct ks_summary *s, FILE *out, int verbose);

void ks_summary_free(struct ks_summary *s);

#endif
