/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The livepatch transition report: "which tasks block the transition,
 * and why", task by task in the kernel's own words (klp_try_switch_task's
 * debug messages), and grouped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "livepatch.h"

static const char *direction(const struct ks_klp_state *st, int whatif)
{
	if (whatif)
		return "what-if";
	if (st->transition < 0)
		return "none";
	return st->target_state == 0 ? "unpatching" : "patching";
}

static const char *json_state(enum ks_klp_task_state s)
{
	static const char *const names[] = {
		"switched", "running", "unreliable-stack", "sleeping-on-function",
		"would-switch", "no-transition", "error",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}


void ks_klp_report_begin(struct ks_klp_report *r, struct ks_kernel *k,
			 const struct ks_klp_state *st)
{
	const struct ks_klp_patch *p = st->transition >= 0 ?
		&st->patches[st->transition] : NULL;

	r->st = st;
	r->ntasks = 0;
	memset(r->counts, 0, sizeof(r->counts));
	r->groups = NULL;
	r->ngroups = 0;
	if (r->json) {
		fprintf(r->out, "{\"schema\":\"klpstack-livepatch/1\",\"arch\":");
		ks_json_string(r->out, ks_kernel_arch_name(k));
		fprintf(r->out, ",\"kernel\":");
		ks_json_string(r->out, ks_kernel_release(k));
		fprintf(r->out, ",\"livepatch\":%s,\"direction\":\"%s\",\"patch\":",
			st->supported || r->whatif ? "true" : "false",
			direction(st, r->whatif));
		if (p)
			ks_json_string(r->out, p->name);
		else
			fputs("null", r->out);
		fprintf(r->out, ",\"patches\":[");
		for (int i = 0; i < st->npatches; i++) {
			fprintf(r->out, "%s{\"name\":", i ? "," : "");
			ks_json_string(r->out, st->patches[i].name);
			fprintf(r->out, ",\"enabled\":%s,\"functions\":[",
				st->patches[i].enabled ? "true" : "false");
			for (int j = 0; j < st->patches[i].nfuncs; j++) {
				const struct ks_klp_func *f =
					&st->funcs[st->patches[i].first_func + j];
				fprintf(r->out, "%s{\"old_name\":", j ? "," : "");
				ks_json_string(r->out, f->old_name);
				fprintf(r->out, ",\"object\":");
				ks_json_string(r->out, f->object);
				/* ranges exist for the patch being checked */
				if (i == st->transition)
					fprintf(r->out, ",\"check\":[\"%#llx\",\"%#llx\"],\"origin\":\"%s\"}",
						(unsigned long long)f->start,
						(unsigned long long)f->end,
						ks_klp_origin_name(f->origin));
				else
					fputs(",\"check\":null,\"origin\":null}", r->out);
			}
			fprintf(r->out, "]}");
		}
		fprintf(r->out, "],\"tasks\":[");
		return;
	}
	if (!st->supported && !r->whatif) {
		fprintf(r->out, "livepatch: this kernel has no livepatch support (no klp_patches)\n");
		return;
	}
	if (r->whatif) {
		fprintf(r->out, "what-if: a patch of");
		for (int i = p->first_func; i < p->first_func + p->nfuncs; i++)
			fprintf(r->out, " %s", st->funcs[i].old_name);
		fprintf(r->out, " would wait for these tasks:\n");
	} else if (!p) {
		fprintf(r->out, "livepatch: no transition in progress (%d patch%s loaded)\n",
			st->npatches, st->npatches == 1 ? "" : "es");
		return;
	} else {
		fprintf(r->out, "livepatch: %s %s (klp_patch %#llx), %d function%s\n",
			direction(st, 0), p->name, (unsigned long long)p->addr,
			p->nfuncs, p->nfuncs == 1 ? "" : "s");
		for (int i = p->first_func; i < p->first_func + p->nfuncs; i++) {
			const struct ks_klp_func *f = &st->funcs[i];
			fprintf(r->out, "  %s:%s  checks [%#llx, %#llx) = %s code%s\n",
				f->object, f->old_name, (unsigned long long)f->start,
				(unsigned long long)f->end, ks_klp_origin_name(f->origin),
				f->object_patched ? "" : "  (object not loaded: not checked)");
		}
	}
	fprintf(r->out, "%8s  %-16s %-22s %s\n", "PID", "COMM", "STATE", "REASON");
}

static void add_group(struct ks_klp_report *r, const struct ks_result *res,
		      const struct ks_klp_task *kt)
{
	int func = kt->state == KS_KLP_SLEEPING_ON ? kt->func : -1;
	struct ks_klp_group *g = NULL;

	for (int i = 0; i < r->ngroups; i++)
		if (r->groups[i].state == kt->state && r->groups[i].func == func)
			g = &r->groups[i];
	if (!g) {
		struct ks_klp_group *n = realloc(r->groups,
						 (size_t)(r->ngroups + 1) * sizeof(*n));
		if (!n)
			return;	/* the per-task lines are still complete */
		r->groups = n;
		g = &r->groups[r->ngroups++];
		memset(g, 0, sizeof(*g));
		g->state = kt->state;
		g->func = func;
	}
	if (g->count < KS_KLP_GROUP_PIDS)
		g->pids[g->count] = res->task.pid;
	g->count++;
}

/* The kernel's words, as klp_try_switch_task() prints them. */
static void reason_text(const struct ks_klp_state *st, const struct ks_result *res,
			const struct ks_klp_task *kt, char *buf, size_t len)
{
	const struct ks_frame *f = kt->frame >= 0 && kt->frame < res->nframes ?
		&res->frames[kt->frame] : NULL;
	char where[KS_SYM_LEN + KS_MOD_LEN + 32] = "";

	if (f)
		ks_format_frame(f, where, sizeof(where));
	switch (kt->state) {
	case KS_KLP_RUNNING:
		snprintf(buf, len, "is running");
		break;
	case KS_KLP_UNRELIABLE:
		snprintf(buf, len, "has an unreliable stack (%s%s%s)",
			 ks_rule_name(res->rule), f ? " at " : "", where);
		break;
	case KS_KLP_SLEEPING_ON:
		snprintf(buf, len, "is sleeping on function %s (frame #%d %s, %s code)",
			 st->funcs[kt->func].old_name, kt->frame, where,
			 ks_klp_origin_name(st->funcs[kt->func].origin));
		break;
	case KS_KLP_ERROR:
		snprintf(buf, len, "cannot tell: %s", res->message);
		break;
	case KS_KLP_WOULD_SWITCH:
		snprintf(buf, len, "would switch at the next try");
		break;
	default:
		buf[0] = 0;
	}
}

void ks_klp_report_task(struct ks_klp_report *r, const struct ks_result *res,
			const struct ks_klp_task *kt)
{
	const struct ks_klp_state *st = r->st;
	char reason[KS_MSG_LEN + 2 * KS_SYM_LEN];

	if ((unsigned)kt->state <= KS_KLP_ERROR)
		r->counts[kt->state]++;
	if (ks_klp_blocks(kt->state))
		add_group(r, res, kt);
	reason_text(st, res, kt, reason, sizeof(reason));
	if (r->json) {
		fprintf(r->out, "%s{\"pid\":%d,\"comm\":", r->ntasks ? "," : "",
			res->task.pid);
		ks_json_string(r->out, res->task.comm);
		fprintf(r->out, ",\"task\":\"%#llx\",\"patch_state\":%d,\"pending\":%s,"
			"\"state\":\"%s\",\"verdict\":\"%s\",\"function\":",
			(unsigned long long)res->task.task, kt->patch_state,
			kt->pending ? "true" : "false", json_state(kt->state),
			ks_verdict_name(res->verdict));
		if (kt->state == KS_KLP_SLEEPING_ON)
			ks_json_string(r->out, st->funcs[kt->func].old_name);
		else
			fputs("null", r->out);
		fprintf(r->out, ",\"rule\":");
		if (kt->state == KS_KLP_UNRELIABLE)
			ks_json_string(r->out, ks_rule_name(res->rule));
		else
			fputs("null", r->out);
		if (kt->frame >= 0 && kt->frame < res->nframes) {
			const struct ks_frame *f = &res->frames[kt->frame];
			fprintf(r->out, ",\"frame\":%d,\"ip\":\"%#llx\",\"symbol\":",
				kt->frame, (unsigned long long)f->ip);
			ks_json_string(r->out, f->symbol);
		} else {
			fputs(",\"frame\":null,\"ip\":null,\"symbol\":null", r->out);
		}
		fprintf(r->out, ",\"origin\":");
		if (kt->state == KS_KLP_SLEEPING_ON)
			fprintf(r->out, "\"%s\"", ks_klp_origin_name(st->funcs[kt->func].origin));
		else
			fputs("null", r->out);
		fprintf(r->out, ",\"reason\":");
		ks_json_string(r->out, reason);
		fputc('}', r->out);
	} else if (ks_klp_blocks(kt->state) || r->verbose) {
		fprintf(r->out, "%8d  %-16s %-22s %s\n", res->task.pid, res->task.comm,
			ks_klp_task_state_name(kt->state), reason);
	}
	r->ntasks++;
}

static int by_count(const void *a, const void *b)
{
	const struct ks_klp_group *x = a, *y = b;
	return y->count - x->count;
}

void ks_klp_report_end(struct ks_klp_report *r)
{
	const struct ks_klp_state *st = r->st;
	int blockers = r->counts[KS_KLP_RUNNING] + r->counts[KS_KLP_UNRELIABLE] +
		       r->counts[KS_KLP_SLEEPING_ON] + r->counts[KS_KLP_ERROR];

	if (r->ngroups > 1)
		qsort(r->groups, (size_t)r->ngroups, sizeof(*r->groups), by_count);
	if (r->json) {
		fprintf(r->out, "],\"counts\":{");
		for (int s = 0; s <= KS_KLP_ERROR; s++)
			fprintf(r->out, "%s\"%s\":%d", s ? "," : "",
				json_state((enum ks_klp_task_state)s), r->counts[s]);
		fprintf(r->out, "},\"blockers\":[");
		for (int i = 0; i < r->ngroups; i++) {
			const struct ks_klp_group *g = &r->groups[i];
			fprintf(r->out, "%s{\"state\":\"%s\",\"function\":", i ? "," : "",
				json_state(g->state));
			if (g->func >= 0)
				ks_json_string(r->out, st->funcs[g->func].old_name);
			else
				fputs("null", r->out);
			fprintf(r->out, ",\"count\":%d,\"pids\":[", g->count);
			for (int j = 0; j < g->count && j < KS_KLP_GROUP_PIDS; j++)
				fprintf(r->out, "%s%d", j ? "," : "", g->pids[j]);
			fprintf(r->out, "]}");
		}
		fprintf(r->out, "]}\n");
	} else if (st->transition < 0) {
		if (st->supported)
			fprintf(r->out, "tasks %d: no transition in progress\n", r->ntasks);
	} else {
		if (r->whatif)
			fprintf(r->out, "tasks %d: would block %d (", r->ntasks, blockers);
		else
			fprintf(r->out, "tasks %d: switched %d, pending %d (", r->ntasks,
				r->counts[KS_KLP_SWITCHED],
				r->ntasks - r->counts[KS_KLP_SWITCHED]);
		fprintf(r->out, "running %d, unreliable stack %d, sleeping on a function %d, "
			"cannot tell %d), %s %d\n",
			r->counts[KS_KLP_RUNNING], r->counts[KS_KLP_UNRELIABLE],
			r->counts[KS_KLP_SLEEPING_ON], r->counts[KS_KLP_ERROR],
			r->whatif ? "would not block" : "would switch at the next try",
			r->counts[KS_KLP_WOULD_SWITCH]);
		if (blockers) {
			fprintf(r->out, "blockers, most common first:\n");
			for (int i = 0; i < r->ngroups; i++) {
				const struct ks_klp_group *g = &r->groups[i];
				fprintf(r->out, "%6d  %s%s%s  pids", g->count,
					ks_klp_task_state_name(g->state), g->func >= 0 ? " " : "",
					g->func >= 0 ? st->funcs[g->func].old_name : "");
				for (int j = 0; j < g->count && j < KS_KLP_GROUP_PIDS; j++)
					fprintf(r->out, " %d", g->pids[j]);
				if (g->count > KS_KLP_GROUP_PIDS)
					fprintf(r->out, " +%d", g->count - KS_KLP_GROUP_PIDS);
				fputc('\n', r->out);
			}
		} else if (st->transition >= 0) {
			fprintf(r->out, "no task blocks the %s\n",
				r->whatif ? "patch" : "transition");
		}
	}
	free(r->groups);
	r->groups = NULL;
	r->ngroups = 0;
}
