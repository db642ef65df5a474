/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reports: text for people, JSON (schema klpstack/1) for scripts. */
#include <stdio.h>
#include <string.h>
#include "core.h"

void ks_format_frame(const struct ks_frame *f, char *buf, size_t len)
{
	if (f->symbol[0])
		snprintf(buf, len, "%s+%#llx%s%s%s", f->symbol,
			 (unsigned long long)f->offset,
			 f->module[0] ? " [" : "", f->module,
			 f->module[0] ? "]" : "");
	else
		snprintf(buf, len, "%#llx", (unsigned long long)f->ip);
}

void ks_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	while (*s) {
		/* the run of characters written as they are, in one write:
		 * symbol names, every frame */
		size_t n = 0;
		unsigned char c;

		while ((c = (unsigned char)s[n]) && c != '"' && c != '\\' && c >= 0x20 && c < 0x7f)
			n++;
		fwrite(s, 1, n, out);
		s += n;
		if (!c)
			break;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else
			fprintf(out, "\\u%04x", c);
		s++;
	}
	fputc('"', out);
}

static void labels_text(unsigned labels, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned b = 0; b < KS_LABEL_COUNT; b++) {
		if (!(labels & (1u << b)))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "", ks_label_name(b));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

void ks_report_begin(struct ks_report *r, struct ks_kernel *k, enum ks_mode m)
{
	r->ntasks = 0;
	memset(r->counts, 0, sizeof(r->counts));
	if (r->json) {
		fprintf(r->out, "{\"schema\":\"klpstack/1\",\"arch\":");
		ks_json_string(r->out, ks_kernel_arch_name(k));
		fprintf(r->out, ",\"kernel\":");
		ks_json_string(r->out, ks_kernel_release(k));
		fprintf(r->out, ",\"version\":\"%u.%u.%u\",\"unwinder\":",
			k->version >> 16, (k->version >> 8) & 0xff,
			k->version & 0xff);
		ks_json_string(r->out, ks_kernel_unwinder_name(k));
		fprintf(r->out, ",\"mode\":\"%s\",\"tasks\":[", ks_mode_name(m));
		return;
	}
	fprintf(r->out, "%s %s (%u.%u.%u), unwinder %s, mode %s\n",
		ks_kernel_arch_name(k), ks_kernel_release(k), k->version >> 16,
		(k->version >> 8) & 0xff, k->version & 0xff,
		ks_kernel_unwinder_name(k), ks_mode_name(m));
	fprintf(r->out, "%8s  %-16s %-18s  %-10s  %s\n", "PID", "COMM", "TASK",
		"VERDICT", "REASON");
}

static void task_json(struct ks_report *r, const struct ks_result *res)
{
	FILE *out = r->out;

	fprintf(out, "%s{\"pid\":%d,\"tgid\":%d,\"comm\":", r->ntasks ? "," : "",
		res->task.pid, res->task.tgid);
	ks_json_string(out, res->task.comm);
	fprintf(out, ",\"task\":\"%#llx\",\"verdict\":\"%s\",\"reason\":",
		(unsigned long long)res->task.task, ks_verdict_name(res->verdict));
	if (res->verdict == KS_VERDICT_RELIABLE) {
		fputs("null", out);
	} else {
		fprintf(out, "{\"rule\":");
		ks_json_string(out, res->verdict == KS_VERDICT_RUNNING ? "RUNNING" :
			    res->verdict == KS_VERDICT_NO_STACK ? "NO_STACK" :
			    ks_rule_name(res->rule));
		fprintf(out, ",\"message\":");
		ks_json_string(out, res->message);
		fprintf(out, ",\"frame\":");
		if (res->rule_frame >= 0)
			fprintf(out, "%d}", res->rule_frame);
		else
			fputs("null}", out);
	}
	fprintf(out, ",\"frames\":[");
	for (int i = 0; i < res->nframes; i++) {
		const struct ks_frame *f = &res->frames[i];
		fprintf(out, "%s{\"ip\":\"%#llx\",\"symbol\":", i ? "," : "",
			(unsigned long long)f->ip);
		if (f->symbol[0])
			ks_json_string(out, f->symbol);
		else
			fputs("null", out);
		fprintf(out, ",\"offset\":%llu,\"module\":",
			(unsigned long long)f->offset);
		if (f->module[0])
			ks_json_string(out, f->module);
		else
			fputs("null", out);
		if (f->raw_ip != f->ip)
			fprintf(out, ",\"raw_ip\":\"%#llx\"",
				(unsigned long long)f->raw_ip);
		fprintf(out, ",\"labels\":[");
		int n = 0;
		for (unsigned b = 0; b < KS_LABEL_COUNT; b++)
			if (f->labels & (1u << b))
				fprintf(out, "%s\"%s\"", n++ ? "," : "",
					ks_label_name(b));
		fprintf(out, "]}");
	}
	fprintf(out, "]}");
}

static void task_text(struct ks_report *r, const struct ks_result *res)
{
	FILE *out = r->out;
	char reason[KS_MSG_LEN + 64] = "";

	if (res->verdict == KS_VERDICT_UNRELIABLE || res->verdict == KS_VERDICT_ERROR) {
		if (res->rule_frame >= 0)
			snprintf(reason, sizeof(reason), "%s at #%d: %s",
				 ks_rule_name(res->rule), res->rule_frame,
				 res->message);
		else
			snprintf(reason, sizeof(reason), "%s: %s",
				 ks_rule_name(res->rule), res->message);
	} else if (res->verdict != KS_VERDICT_RELIABLE) {
		snprintf(reason, sizeof(reason), "%s", res->message);
	}
	fprintf(out, "%8d  %-16s %#018llx  %-10s  %s\n", res->task.pid,
		res->task.comm, (unsigned long long)res->task.task,
		ks_verdict_name(res->verdict), reason);
	if (!r->verbose)
		return;
	for (int i = 0; i < res->nframes; i++) {
		const struct ks_frame *f = &res->frames[i];
		char sym[KS_SYM_LEN + KS_MOD_LEN + 40], labels[200];
		ks_format_frame(f, sym, sizeof(sym));
		labels_text(f->labels, labels, sizeof(labels));
		fprintf(out, "          #%-3d %#018llx  %-48s%s%s%s%s%s\n", i,
			(unsigned long long)f->ip, sym, labels[0] ? " [" : "",
			labels, labels[0] ? "]" : "",
			i == res->rule_frame ? "  <- " : "",
			i == res->rule_frame ? ks_rule_name(res->rule) : "");
	}
	if (res->truncated)
		fprintf(out, "          ... (walk stopped at %d frames)\n",
			KS_MAX_FRAMES);
}

void ks_report_task(struct ks_report *r, const struct ks_result *res)
{
	if ((unsigned)res->verdict < 5)
		r->counts[res->verdict]++;
	if (r->json)
		task_json(r, res);
	else
		task_text(r, res);
	r->ntasks++;
}

void ks_report_end(struct ks_report *r)
{
	if (r->json) {
		fprintf(r->out, "],\"counts\":{");
		for (int v = 0; v < 5; v++)
			fprintf(r->out, "%s\"%s\":%d", v ? "," : "",
				ks_verdict_name((enum ks_verdict)v), r->counts[v]);
		fprintf(r->out, "}}\n");
		return;
	}
	fprintf(r->out, "tasks %d: reliable %d, unreliable %d, running %d, no-stack %d, error %d\n",
		r->ntasks, r->counts[KS_VERDICT_RELIABLE],
		r->counts[KS_VERDICT_UNRELIABLE], r->counts[KS_VERDICT_RUNNING],
		r->counts[KS_VERDICT_NO_STACK], r->counts[KS_VERDICT_ERROR]);
}
