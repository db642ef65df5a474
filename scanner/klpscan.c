/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpscan: the standalone front-end of the klpstack core.  It runs the
 * core on pre-baked stacks (the .sample files) and on real dumps
 * (kdump-compressed or ELF vmcores, through kdump.c).
 *
 * Every input is handled by a forked worker (-j N at a time): a dump
 * that makes a library misbehave cannot take the others down, and the
 * core's no-global-state rule holds trivially.  A worker writes its
 * output to temporary files and reports progress and totals through a
 * pipe; the parent prints the outputs in input order.  With fewer
 * inputs than workers, a dump's worker forks helpers that compute part
 * of its tasks (split_*, "one dump, several workers").
 *
 * Exit status: 0 every task reliable (or running / without a stack),
 * 1 some task unreliable, 2 an input could not be read or a task's walk
 * hit missing dump memory, 64 usage.  With --check: 0 when every task
 * matched its expectation, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <dirent.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kdump.h"
#include "klpstack.h"
#include "sample.h"
#include "livepatch.h"
#include "summary.h"

#define EXIT_UNRELIABLE 1
#define EXIT_ERROR 2
#define EXIT_USAGE 64

#define MAX_WORKERS 64
#define MAX_DEBUG_DIRS 16
#define MAX_DIR_DEPTH 4
#define TOP_FRAMES 5

enum output { OUT_TEXT, OUT_JSON, OUT_CSV };
#define MAX_FUNCTIONS 256

struct options {
	enum output output;
	int verbose;
	int check;
	int workers;
	int split;	/* workers on each dump (one dump's tasks split) */
	int read_floor;	/* --read-floor (bench/): read the stacks, no walk */
	int progress;
	enum ks_mode mode;
	struct ks_dump_opts dump;
	const char *debug_dirs[MAX_DEBUG_DIRS];
	/* livepatch triage: the transition (--livepatch) or a what-if list
	 * (-f / --functions-from) */
	int livepatch;
	const char *functions[MAX_FUNCTIONS];
	int nfunctions;
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: klpscan [options] INPUT...\n"
"\n"
"Walk every task's kernel stack with the kernel's reliable rules and give\n"
"each task a verdict: reliable, unreliable (with the rule that failed),\n"
"running, no-stack or error.  INPUTs are dumps (kdump-compressed or ELF\n"
"vmcores), directories holding dumps, glob patterns, and samples (*.sample).\n"
"\n"
"  -m, --mode kernel|strict  kernel: what that kernel would conclude (default);\n"
"                            strict: hidden callers make a stack unreliable\n"
"  -v, --verbose             list every task and frame with its labels\n"
"      --json                JSON Lines: one object (schema klpstack/1) per input\n"
"      --csv                 one CSV row per task\n"
"      --vmlinux PATH        the debug vmlinux (default: found from the dump's\n"
"                            build-id and release)\n"
"      --debug-dir DIR       also search DIR recursively for the vmlinux\n"
"      --no-debuginfo        no vmlinux: symbols from the dump's kallsyms,\n"
"                            types from its BTF (Linux 6.0+ with BTF; used\n"
"                            anyway when no matching vmlinux is found)\n"
"  -j, --jobs N              N workers (default 1): N inputs in parallel, or\n"
"                            one dump's tasks split across them\n"
"      --no-progress         no progress bar (shown when stderr is a terminal)\n"
"      --check               compare with the expectations in the samples\n"
"                            (both modes); print 'N passed, N failed'\n"
"  -p, --livepatch           livepatch triage: which tasks block the patch in\n"
"                            transition, and why (the kernel's own reasons)\n"
"  -f, --functions F[,F...]  what-if: which tasks would block a patch of these\n"
"                            functions now (func or module:func)\n"
"      --functions-from FILE the same, names one per line (# comments)\n"
"  -h, --help                this text\n"
"      --version             klpscan's version\n"
"\n"
"Exit status: 0 all reliable, 1 some task unreliable, 2 an input or a\n"
"task could not be read, 64 bad usage.  With -p or -f: 0 no task blocks,\n"
"1 some task blocks, 2 an input could not be read.  See klpscan(1).\n");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* output helpers                                                      */

/* RFC 4180: quote a field when it holds a comma, quote or line break. */
static void csv_str(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_row(FILE *out, const char *input, const struct ks_result *res)
{
	char frames[TOP_FRAMES * (KS_SYM_LEN + KS_MOD_LEN + 40)];
	size_t used = 0;

	csv_str(out, input);
	fprintf(out, ",%d,%d,", res->task.pid, res->task.tgid);
	csv_str(out, res->task.comm);
	fprintf(out, ",%#llx,%s,", (unsigned long long)res->task.task,
		ks_verdict_name(res->verdict));
	if (res->verdict == KS_VERDICT_UNRELIABLE || res->verdict == KS_VERDICT_ERROR)
		fputs(ks_rule_name(res->rule), out);
	fputc(',', out);
	if (res->rule_frame >= 0)
		fprintf(out, "%d", res->rule_frame);
	fputc(',', out);
	frames[0] = 0;
	for (int i = 0; i < res->nframes && i < TOP_FRAMES; i++) {
		char f[KS_SYM_LEN + KS_MOD_LEN + 32];
		ks_format_frame(&res->frames[i], f, sizeof(f));
		int n = snprintf(frames + used, sizeof(frames) - used, "%s%s",
				 i ? " < " : "", f);
		if (n < 0 || (size_t)n >= sizeof(frames) - used)
			break;
		used += (size_t)n;
	}
	csv_str(out, frames);
	fputc('\n', out);
}

/*
 * A klpstack/1 report object with the input's facts added in front:
 * report is what ks_report_* wrote ("{\"schema\":...}\n"), extra the
 * keys to add (",\"input\":..." form, without the leading comma).
 */
static void json_merge(FILE *out, const char *report, size_t len, const char *extra)
{
	static const char head[] = "{\"schema\":\"";
	size_t skip = 1;

	while (len && (report[len - 1] == '\n' || report[len - 1] == ' '))
		len--;
	if (len < 2 || report[0] != '{') {
		fprintf(out, "{\"schema\":\"klpstack/1\"%s%s}\n", extra[0] ? "," : "", extra);
		return;
	}
	/* keep "schema" the first key (klpstack/1, klpstack-livepatch/1) */
	if (len > sizeof(head) - 1 && memcmp(report, head, sizeof(head) - 1) == 0) {
		const char *q = memchr(report + sizeof(head) - 1, '"', len - (sizeof(head) - 1));
		if (q && (size_t)(q - report) + 2 < len && q[1] == ',')
			skip = (size_t)(q - report) + 2;
	}
	fwrite(report, 1, skip, out);
	if (extra[0]) {
		fputs(extra, out);
		fputc(',', out);
	}
	fwrite(report + skip, 1, len - skip, out);
	fputc('\n', out);
}

struct input {
	char *path;
	enum ks_file_kind kind;
	char error[128];	/* known before any worker looks: reported as is */
};

/* ------------------------------------------------------------------ */
/* one input, in a worker                                              */

/* What a worker tells the parent: progress lines "P tasks" and one
 * closing line "R rc passed failed tasks" (plus "M message" for the
 * summary table when the input failed). */
struct worker {
	int fd;
	double last;
	long tasks;
	int finished;	/* the closing line was sent */
};

static void worker_send(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void worker_send(struct worker *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (w->fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	for (int i = 0; i < n; i++)	/* one message, one line */
		if (buf[i] == '\n')
			buf[i] = ' ';
	buf[n++] = '\n';
	/* Short messages on a pipe are written whole; a failed write only
	 * costs the progress bar. */
	if (write(w->fd, buf, (size_t)n) < 0)
		w->fd = -1;
}

static void worker_progress(struct worker *w)
{
	double t;
	w->tasks++;
	if (w->tasks % 16)
		return;
	t = now();
	if (t - w->last < 0.1)
		return;
	w->last = t;
	worker_send(w, "P %ld", w->tasks);
}

struct result_totals {
	int rc;
	int passed, failed;
	long tasks;
	int counts[5];
};

static void fold_verdict(struct result_totals *r, enum ks_verdict v)
{
	if ((unsigned)v < 5)
		r->counts[v]++;
	if (v == KS_VERDICT_ERROR)
		r->rc = EXIT_ERROR;
	else if (v == KS_VERDICT_UNRELIABLE && r->rc == 0)
		r->rc = EXIT_UNRELIABLE;
}

/* Hand the results over: flush the output files, send the closing line.
 * The parent keeps them only if this process then exits cleanly
 * (WORKER_DONE): a fault in the teardown that follows -- glibc noticing
 * a heap corrupted earlier -- voids them. */
static void worker_finish(struct worker *w, FILE *out, FILE *errf,
			  const struct result_totals *tot)
{
	if (w->finished)
		return;
	w->finished = 1;
	fflush(out);
	fflush(errf);
	worker_send(w, "R %d %d %d %ld %d %d %d %d %d", tot->rc, tot->passed,
		    tot->failed, tot->tasks, tot->counts[0], tot->counts[1],
		    tot->counts[2], tot->counts[3], tot->counts[4]);
}

/*
 * The record of an input that has no report: a JSON object with "error"
 * (README: one object per input), or one CSV row with verdict "error",
 * rule INPUT_ERROR and the message in the last column.  Text output has
 * the message on stderr and in the summary table.
 */
static void error_record(const struct options *o, FILE *out, const char *path,
			 const char *msg)
{
	if (o->check)
		return;
	if (o->output == OUT_JSON) {
		fprintf(out, "{\"schema\":\"%s\",\"input\":",
			o->livepatch || o->nfunctions ? "klpstack-livepatch/1" : "klpstack/1");
		ks_json_string(out, path);
		fprintf(out, ",\"error\":");
		ks_json_string(out, msg);
		fprintf(out, "}\n");
	} else if (o->output == OUT_CSV) {
		csv_str(out, path);
		fputs(",,,,,error,INPUT_ERROR,,", out);
		csv_str(out, msg);
		fputc('\n', out);
	}
}

static void input_error(const struct options *o, FILE *out, FILE *err,
			struct worker *w, const char *path, const char *msg)
{
	fprintf(err, "klpscan: %s: %s\n", path, msg);
	error_record(o, out, path, msg);
	worker_send(w, "M %s", msg);
}

/* One dump's tasks on several workers (split_*, below): 1 when a helper
 * computed this task (res, and kt when not NULL, filled), 0 when the
 * caller computes it. */
struct split;
static int split_take(struct split *sp, kaddr_t task, struct ks_result *res,
		      struct ks_klp_task *kt);

/* ---- livepatch triage (-p, -f) ---- */

struct klp_scan {
	struct ks_kernel *k;
	struct ks_klp_state st;
	struct ks_klp_report rep;
	struct ks_result *res;
	struct worker *w;
	struct result_totals *tot;
	struct split *sp;	/* helpers computing some tasks, or NULL */
	int whatif;
	int blockers;
};

/* One task's walk and transition check: the same computation here and
 * in a split helper. */
static void klp_task_result(struct ks_kernel *k, const struct ks_klp_state *st, int whatif,
			    const struct ks_task *t, struct ks_result *res,
			    struct ks_klp_task *kt)
{
	/* the kernel's own conclusion decides a transition */
	ks_walk_task(k, t, KS_MODE_KERNEL, res);
	ks_klp_check_task(k, st, res, whatif, kt);
}

/* A task of the dump's lists: its facts, or a task with no stack known
 * (the walk says so as an error) when they cannot be read. */
static void klp_dump_task_result(struct ks_kernel *k, const struct ks_klp_state *st,
				 int whatif, kaddr_t task, struct ks_result *res,
				 struct ks_klp_task *kt)
{
	char err[KS_MSG_LEN];
	struct ks_task t;

	if (ks_task_read(k, task, &t, err, sizeof(err))) {
		memset(&t, 0, sizeof(t));
		t.task = task;
		t.cpu = -1;
		snprintf(t.comm, sizeof(t.comm), "?");
	}
	klp_task_result(k, st, whatif, &t, res, kt);
}

static void klp_emit(struct klp_scan *c, const struct ks_klp_task *kt)
{
	ks_klp_report_task(&c->rep, c->res, kt);
	if (ks_klp_blocks(kt->state))
		c->blockers++;
	/* -p / -f: an unreliable stack matters only when the task blocks
	 * (counted above); the verdict is tallied, the exit status is the
	 * blockers' (and an unreadable task's) */
	if ((unsigned)c->res->verdict < 5)
		c->tot->counts[c->res->verdict]++;
	if (c->res->verdict == KS_VERDICT_ERROR)
		c->tot->rc = EXIT_ERROR;
	c->tot->tasks++;
	worker_progress(c->w);
}

static void klp_one(struct klp_scan *c, const struct ks_task *t)
{
	struct ks_klp_task kt;

	klp_task_result(c->k, &c->st, c->whatif, t, c->res, &kt);
	klp_emit(c, &kt);
}

static int klp_task_cb(void *arg, kaddr_t task)
{
	struct klp_scan *c = arg;
	struct ks_klp_task kt;

	if (!split_take(c->sp, task, c->res, &kt))
		klp_dump_task_result(c->k, &c->st, c->whatif, task, c->res, &kt);
	klp_emit(c, &kt);
	return 0;
}

/* "vmlinux PATH", or the dump's own sources when it stood in for one. */
static void dump_sources(const struct ks_dump *d, char *buf, size_t len)
{
	if (ks_dump_vmlinux(d))
		snprintf(buf, len, "vmlinux %s", ks_dump_vmlinux(d));
	else
		snprintf(buf, len, "no vmlinux: symbols from the dump's %s, types from its %s",
			 ks_dump_symbols_source(d),
			 strcmp(ks_dump_types_source(d), "btf") == 0 ? "BTF" : "DWARF");
}

/* The same as JSON keys: ,"vmlinux":...,"symbols":...,"types":... */
static void json_sources(FILE *x, const struct ks_dump *d)
{
	fprintf(x, ",\"vmlinux\":");
	if (ks_dump_vmlinux(d))
		ks_json_string(x, ks_dump_vmlinux(d));
	else
		fputs("null", x);
	fprintf(x, ",\"symbols\":");
	ks_json_string(x, ks_dump_symbols_source(d));
	fprintf(x, ",\"types\":");
	ks_json_string(x, ks_dump_types_source(d));
}

/* The keys klpscan adds in front of a report's own (json_merge), in
 * one order for every kind of input: "input", then those set here. */
struct input_keys {
	const char *path;
	const char *format;		/* "format", NULL: no key */
	const struct ks_dump *d;	/* "vmlinux", "symbols", "types" */
	int timed;			/* "seconds" */
	double seconds;
	int has_error;			/* "error": the message, or null */
	const char *error;
	const char *warning;		/* "warning", NULL or "": no key */
};

/* Write a report (buf, len: what ks_report_* wrote) with the input's
 * keys merged in. */
static void json_input_merge(FILE *out, const char *buf, size_t len,
			     const struct input_keys *ik)
{
	char *xb = NULL;
	size_t xl = 0;
	FILE *x = open_memstream(&xb, &xl);

	if (x) {
		fprintf(x, "\"input\":");
		ks_json_string(x, ik->path);
		if (ik->format) {
			fprintf(x, ",\"format\":");
			ks_json_string(x, ik->format);
		}
		if (ik->d)
			json_sources(x, ik->d);
		if (ik->timed)
			fprintf(x, ",\"seconds\":%.3f", ik->seconds);
		if (ik->has_error) {
			fprintf(x, ",\"error\":");
			if (ik->error)
				ks_json_string(x, ik->error);
			else
				fputs("null", x);
		}
		if (ik->warning && ik->warning[0]) {
			fprintf(x, ",\"warning\":");
			ks_json_string(x, ik->warning);
		}
		if (fclose(x)) {
			free(xb);
			xb = NULL;
		}
	}
	json_merge(out, buf ? buf : "", buf ? len : 0, xb ? xb : "");
	free(xb);
}

/* Livepatch triage of one kernel: the tasks come from the sample or
 * from the kernel's task list (d: the dump, NULL for a sample).  Returns
 * the exit status. */
static int run_livepatch(struct ks_kernel *k, struct ks_sample *sample,
			 const char *path, const struct ks_dump *d, const struct options *o,
			 FILE *out, struct split *sp,
			 struct worker *w, struct result_totals *tot)
{
	struct klp_scan c;
	char err[512] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *rs = NULL;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.k = k;
	c.w = w;
	c.tot = tot;
	c.whatif = o->nfunctions > 0;
	c.sp = sp;
	c.res = malloc(sizeof(*c.res));
	if (!c.res) {
		fprintf(out, "klpscan: %s: out of memory\n", path);
		return EXIT_ERROR;
	}
	if (ks_klp_read(k, &c.st, err, sizeof(err)) ||
	    (c.whatif && ks_klp_whatif(k, &c.st, o->functions, o->nfunctions,
				       err, sizeof(err)))) {
		char msg[600];

		snprintf(msg, sizeof(msg), "livepatch: %s", err);
		if (o->output == OUT_TEXT)
			fprintf(out, "klpscan: %s: %s\n", path, msg);
		else
			error_record(o, out, path, msg);
		worker_send(w, "M %s", msg);
		ks_klp_free(&c.st);
		free(c.res);
		return EXIT_ERROR;
	}
	if (o->output == OUT_JSON) {
		/* merged with the input's facts below */
		rs = open_memstream(&buf, &len);
		if (!rs) {
			fprintf(out, "klpscan: %s: out of memory\n", path);
			ks_klp_free(&c.st);
			free(c.res);
			return EXIT_ERROR;
		}
	}
	c.rep.out = rs ? rs : out;
	c.rep.json = o->output == OUT_JSON;
	c.rep.verbose = o->verbose;
	c.rep.whatif = c.whatif;
	if (o->output == OUT_TEXT && d) {
		char src[4200];

		dump_sources(d, src, sizeof(src));
		fprintf(out, "== %s (%s)\n", path, src);
	} else if (o->output == OUT_TEXT) {
		fprintf(out, "== %s\n", path);
	}
	ks_klp_report_begin(&c.rep, k, &c.st);
	if (sample) {
		for (int i = 0; i < ks_sample_ntasks(sample); i++)
			klp_one(&c, &ks_sample_task(sample, i)->task);
	} else {
		char warn[512];

		if (ks_task_foreach_checked(k, klp_task_cb, &c, warn, sizeof(warn), err,
					    sizeof(err))) {
			fprintf(stderr, "klpscan: %s: task list: %s\n", path, err);
			worker_send(w, "M task list: %s", err);
			rc = EXIT_ERROR;
		}
		if (warn[0])
			fprintf(stderr, "klpscan: %s: warning: task list: %s\n", path, warn);
	}
	ks_klp_report_end(&c.rep);
	if (rs) {
		char msg[600];
		struct input_keys ik = { .path = path, .d = d, .has_error = 1 };

		fclose(rs);
		if (rc) {
			snprintf(msg, sizeof(msg), "task list: %s", err);
			ik.error = msg;
		}
		json_input_merge(out, buf, len, &ik);
		free(buf);
	}
	if (!rc && c.blockers)
		rc = EXIT_UNRELIABLE;
	ks_klp_free(&c.st);
	free(c.res);
	return rc;
}

static void run_sample(const char *path, const struct options *o, FILE *out,
		       FILE *errf, struct worker *w, struct result_totals *tot)
{
	char err[512];
	struct ks_sample *s = ks_sample_load(path, err, sizeof(err));
	struct ks_kernel *k;
	struct ks_result *res;

	if (!s) {
		/* the loader's message names file and line already */
		fprintf(errf, "klpscan: %s\n", err);
		error_record(o, out, path, err);
		worker_send(w, "M %s", err);
		if (o->check)
			tot->failed++;
		tot->rc = EXIT_ERROR;
		return;
	}
	k = ks_kernel_open(ks_sample_target(s), err, sizeof(err));
	if (!k) {
		input_error(o, out, errf, w, path, err);
		ks_sample_free(s);
		if (o->check)
			tot->failed++;
		tot->rc = EXIT_ERROR;
		return;
	}
	res = malloc(sizeof(*res));
	if (!res) {
		input_error(o, out, errf, w, path, "out of memory");
		ks_kernel_close(k);
		ks_sample_free(s);
		tot->rc = EXIT_ERROR;
		return;
	}
	if ((o->livepatch || o->nfunctions) && !o->check) {
		int rc = run_livepatch(k, s, path, NULL, o, out, NULL, w, tot);
		if (rc > tot->rc)
			tot->rc = rc;
	} else if (o->check) {
		/* verdicts, frames, labels and livepatch triage, both modes */
		ks_sample_run_check(s, k, path, out, o->verbose, &tot->passed,
				    &tot->failed);
		tot->tasks += ks_sample_ntasks(s);
		worker_progress(w);
	} else {
		char *buf = NULL;
		size_t len = 0;
		FILE *rep = o->output == OUT_JSON ? open_memstream(&buf, &len) : out;
		struct ks_report r = { .out = rep ? rep : out, .json = o->output == OUT_JSON,
				       .verbose = o->verbose };

		if (o->output == OUT_TEXT)
			fprintf(out, "== %s\n", path);
		if (o->output != OUT_CSV)
			ks_report_begin(&r, k, o->mode);
		for (int i = 0; i < ks_sample_ntasks(s); i++) {
			ks_walk_task(k, &ks_sample_task(s, i)->task, o->mode, res);
			if (o->output == OUT_CSV)
				csv_row(out, path, res);
			else
				ks_report_task(&r, res);
			fold_verdict(tot, res->verdict);
			worker_progress(w);
			tot->tasks++;
		}
		if (o->output != OUT_CSV)
			ks_report_end(&r);
		if (rep && rep != out) {
			struct input_keys ik = { .path = path, .format = "sample" };

			fclose(rep);
			json_input_merge(out, buf, len, &ik);
			free(buf);
		}
	}
	free(res);
	ks_kernel_close(k);
	ks_sample_free(s);
}

/* A dump: every task of the kernel's own lists. */
struct dump_scan {
	struct ks_kernel *k;
	const struct options *o;
	const char *path;
	FILE *out;
	struct ks_report *rep;	/* json / verbose text */
	struct ks_summary *sum;	/* text */
	struct ks_result *res;
	struct worker *w;
	struct result_totals *tot;
	struct split *sp;	/* helpers computing some tasks, or NULL */
};

/* One task of the dump's lists: its walk, or an error when the task's
 * own facts are missing (it still counts, so a damaged dump never looks
 * clean).  The same computation here and in a split helper. */
static void scan_task_result(struct ks_kernel *k, enum ks_mode mode, kaddr_t task,
			     struct ks_result *res)
{
	char err[KS_MSG_LEN];
	struct ks_task t;

	if (ks_task_read(k, task, &t, err, sizeof(err))) {
		ks_walk_task_unreadable(res, task, mode, err);
	} else {
		ks_walk_task(k, &t, mode, res);
	}
}

static int scan_task(void *arg, kaddr_t task)
{
	struct dump_scan *c = arg;

	if (!split_take(c->sp, task, c->res, NULL))
		scan_task_result(c->k, c->o->mode, task, c->res);
	if (c->o->output == OUT_CSV)
		csv_row(c->out, c->path, c->res);
	else if (c->rep)
		ks_report_task(c->rep, c->res);
	if (c->sum)
		ks_summary_add(c->sum, c->res);
	fold_verdict(c->tot, c->res->verdict);
	c->tot->tasks++;
	worker_progress(c->w);
	return 0;
}

/* ------------------------------------------------------------------ */
/* one dump, several workers                                           */

/*
 * With -j N on fewer dumps than N, a dump's tasks are split: the worker
 * of the dump (the leader) forks helpers, each of which opens the dump
 * itself (its own libkdumpfile context), walks the same task lists and
 * computes its share of the tasks by their position in the lists
 * (split_owner()).  A helper sends its results
 * down its own pipe in list order; the leader, visiting the tasks in
 * that same order, takes each from the helper whose turn it is.  All the
 * output is written by the leader, in the order of -j 1, so it is the
 * same byte for byte.
 *
 * The helpers only ever save time: a result that does not come, or
 * does not name the task the leader is at (a helper that failed, died
 * or saw other lists), makes the leader drop that helper and compute its
 * tasks itself.
 */
#define SPLIT_MAGIC 0x6b6c7073706c6974ull	/* "klpsplit" */

struct split {
	int n;			/* workers on this dump, the leader included */
	pid_t pid[MAX_WORKERS];
	int fd[MAX_WORKERS];	/* helper i's results, -1 once dropped */
	long index;		/* position of the task being visited */
	long taken;		/* tasks a helper computed */
};

/*
 * Who computes the task at this position: in every run of 3n - 1 tasks,
 * the leader 2 and each helper 3.  The leader also writes every task's
 * report (about a sixth of a task's cost in JSON, callgrind), so an equal
 * share would leave the helpers waiting for it.
 */
static int split_owner(long index, int n)
{
	long pos = index % (3L * n - 1);

	return pos < 2 ? 0 : 1 + (int)((pos - 2) / 3);
}

struct split_rec {
	uint64_t magic;
	long index;
	kaddr_t task;
	int nframes;
	int has_kt;
	struct ks_klp_task kt;
	/* then the result up to its frames, and nframes frames */
};

/* write()/read() of a whole buffer; -1 on error or end of file */
static int full_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int full_read(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int split_send(int fd, long index, kaddr_t task, const struct ks_result *res,
		      const struct ks_klp_task *kt)
{
	struct split_rec r;

	memset(&r, 0, sizeof(r));
	r.magic = SPLIT_MAGIC;
	r.index = index;
	r.task = task;
	r.nframes = res->nframes;
	if (kt) {
		r.has_kt = 1;
		r.kt = *kt;
	}
	if (full_write(fd, &r, sizeof(r)) ||
	    full_write(fd, res, offsetof(struct ks_result, frames)) ||
	    full_write(fd, res->frames, (size_t)res->nframes * sizeof(res->frames[0])))
		return -1;
	return 0;
}

/* A helper: what the leader's worker computes for its share of tasks. */
struct split_helper {
	const struct options *o;
	struct ks_kernel *k;
	struct ks_klp_state *st;	/* -p / -f, else NULL */
	struct ks_result *res;
	int id, n, fd;
	long index;
	long sent;
	const char *fault;		/* test hook */
};

static int split_helper_task(void *arg, kaddr_t task)
{
	struct split_helper *h = arg;
	struct ks_klp_task kt;
	long index = h->index++;

	if (split_owner(index, h->n) != h->id)
		return 0;
	if (h->st)
		klp_dump_task_result(h->k, h->st, h->o->nfunctions > 0, task, h->res, &kt);
	else
		scan_task_result(h->k, h->o->mode, task, h->res);
	/* Test hook (tests/frontend.sh): a helper that dies or lies after
	 * its first result. */
	if (h->fault && h->sent == 1) {
		if (strcmp(h->fault, "abort") == 0)
			abort();
		if (strcmp(h->fault, "lie") == 0)
			task ^= 0x40;
	}
	if (split_send(h->fd, index, task, h->res, h->st ? &kt : NULL))
		return 1;	/* the leader is gone or has dropped us */
	h->sent++;
	return 0;
}

/* The helper process: no output of its own, ever; _exit only (the
 * leader's buffered output must not be flushed twice). */
static void split_helper_main(const char *path, const struct options *o, int id, int n,
			      int fd)
{
	struct split_helper h = { .o = o, .id = id, .n = n, .fd = fd };
	struct ks_klp_state st;
	char err[1024], warn[512];
	struct ks_dump *d;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (devnull >= 0) {
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
	}
	h.fault = getenv("KLPSCAN_TEST_SPLIT_FAULT");
	memset(&st, 0, sizeof(st));
	d = ks_dump_open(path, &o->dump, err, sizeof(err));
	if (!d)
		_exit(1);
	h.k = ks_kernel_open(ks_dump_target(d), err, sizeof(err));
	h.res = malloc(sizeof(*h.res));
	if (!h.k || !h.res)
		_exit(1);
	if (o->livepatch || o->nfunctions) {
		if (ks_klp_read(h.k, &st, err, sizeof(err)) ||
		    (o->nfunctions && ks_klp_whatif(h.k, &st, o->functions, o->nfunctions,
						    err, sizeof(err))))
			_exit(1);
		h.st = &st;
	}
	ks_task_foreach_checked(h.k, split_helper_task, &h, warn, sizeof(warn), err,
				sizeof(err));
	_exit(0);
}

/* Fork the helpers of a dump (o->split workers in all).  Returns NULL
 * when there are none: the leader then computes every task. */
static struct split *split_start(const char *path, const struct options *o, FILE *out,
				 FILE *errf, struct worker *w)
{
	struct split *sp;

	if (o->split < 2)
		return NULL;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->n = o->split > MAX_WORKERS ? MAX_WORKERS : o->split;
	for (int i = 0; i < MAX_WORKERS; i++)
		sp->fd[i] = -1;
	fflush(stdout);
	fflush(stderr);
	fflush(out);
	fflush(errf);
	for (int i = 1; i < sp->n; i++) {
		int p[2];
		pid_t pid;

		if (pipe(p))
			continue;
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			/* the leader's other pipes: a helper holding one open
			 * would keep its writer from seeing the leader go */
			for (int j = 1; j < i; j++)
				if (sp->fd[j] >= 0)
					close(sp->fd[j]);
			if (w->fd >= 0)
				close(w->fd);
			split_helper_main(path, o, i, sp->n, p[1]);
		}
		close(p[1]);
		if (pid < 0) {
			close(p[0]);
			continue;
		}
		sp->pid[i] = pid;
		sp->fd[i] = p[0];
	}
	return sp;
}

/* Stop using helper i: its tasks are computed by the leader from now on. */
static void split_drop(struct split *sp, int i)
{
	close(sp->fd[i]);
	sp->fd[i] = -1;
	kill(sp->pid[i], SIGKILL);
	while (waitpid(sp->pid[i], NULL, 0) < 0 && errno == EINTR)
		;
}

static int split_take(struct split *sp, kaddr_t task, struct ks_result *res,
		      struct ks_klp_task *kt)
{
	struct split_rec r;
	long index;
	int i;

	if (!sp)
		return 0;
	index = sp->index++;
	i = split_owner(index, sp->n);
	if (i == 0 || sp->fd[i] < 0)
		return 0;
	if (full_read(sp->fd[i], &r, sizeof(r)) || r.magic != SPLIT_MAGIC ||
	    r.index != index || r.task != task || r.nframes < 0 ||
	    r.nframes > KS_MAX_FRAMES || r.has_kt != (kt != NULL) ||
	    full_read(sp->fd[i], res, offsetof(struct ks_result, frames)) ||
	    res->nframes != r.nframes || res->task.task != task ||
	    full_read(sp->fd[i], res->frames, (size_t)r.nframes * sizeof(res->frames[0]))) {
		split_drop(sp, i);
		return 0;
	}
	if (kt)
		*kt = r.kt;
	sp->taken++;
	return 1;
}

static void split_end(struct split *sp)
{
	if (!sp)
		return;
	/* Test hook (tests/frontend.sh): did the helpers do their share? */
	if (getenv("KLPSCAN_TEST_SPLIT_STATS"))
		fprintf(stderr, "klpscan: split: %ld of %ld tasks from %d helpers\n", sp->taken,
			sp->index, sp->n - 1);
	for (int i = 1; i < sp->n; i++)
		if (sp->fd[i] >= 0)
			split_drop(sp, i);
	free(sp);
}

/*
 * --read-floor, for bench/ only (not in the usage text): per task, its
 * facts and its whole stack (THREAD_SIZE bytes, a page at a time), and
 * nothing else -- the cost of getting the stacks out of the dump, which
 * a walk (reading only the stack pages it needs) is compared with.  The
 * crash extension's "klpstack -R" does the same inside crash.
 */
struct read_floor {
	struct ks_kernel *k;
	const struct ks_target *t;
	struct worker *w;
	struct result_totals *tot;
	unsigned long long bytes, unreadable;
};

static int read_floor_task(void *arg, kaddr_t task)
{
	struct read_floor *f = arg;
	char err[KS_MSG_LEN];
	unsigned char page[4096];
	struct ks_task t;

	f->tot->tasks++;
	worker_progress(f->w);
	if (ks_task_read(f->k, task, &t, err, sizeof(err)) || !t.stack)
		return 0;
	for (uint64_t off = 0; off < t.stack_size; off += sizeof(page)) {
		if (f->t->ops->read(f->t->priv, t.stack + off, page, sizeof(page)))
			f->unreadable++;
		else
			f->bytes += sizeof(page);
	}
	return 0;
}

static int run_read_floor(struct ks_kernel *k, const struct ks_target *t, const char *path,
			  FILE *out, struct worker *w, struct result_totals *tot)
{
	struct read_floor f = { .k = k, .t = t, .w = w, .tot = tot };
	char err[512], warn[512];
	double t0 = now();
	int rc = ks_task_foreach_checked(k, read_floor_task, &f, warn, sizeof(warn), err,
					 sizeof(err));

	fprintf(out, "%s: read floor: %ld tasks, %llu bytes of stack read, %llu pages "
		"unreadable, %.3f s%s%s\n", path, tot->tasks, f.bytes, f.unreadable,
		now() - t0, rc ? "; task list: " : "", rc ? err : "");
	return rc ? EXIT_ERROR : 0;
}

static void run_dump(const char *path, const struct options *o, FILE *out,
		     FILE *errf, struct worker *w, struct result_totals *tot)
{
	char err[1024], list_err[512] = "", list_warn[512] = "";
	char mod_warn[KS_MSG_LEN + 64] = "";
	struct ks_dump *d;
	struct ks_kernel *k;
	struct ks_report rep;
	struct ks_summary sum;
	struct dump_scan c;
	char *buf = NULL;
	size_t len = 0;
	FILE *rs = NULL;
	double t0 = now(), t1, t2;
	struct split *sp;
	int rc;

	if (o->check) {
		/* nothing to compare a dump with */
		input_error(o, out, errf, w, path, "--check needs samples with expectations");
		tot->failed++;
		tot->rc = EXIT_ERROR;
		return;
	}
	/* the helpers open the dump while this process does */
	sp = split_start(path, o, out, errf, w);
	d = ks_dump_open(path, &o->dump, err, sizeof(err));
	if (!d) {
		split_end(sp);
		input_error(o, out, errf, w, path, err);
		tot->rc = EXIT_ERROR;
		return;
	}
	k = ks_kernel_open(ks_dump_target(d), err, sizeof(err));
	if (!k) {
		split_end(sp);
		input_error(o, out, errf, w, path, err);
		tot->rc = EXIT_ERROR;
		worker_finish(w, out, errf, tot);
		ks_dump_close(d);
		return;
	}
	t1 = now();
	if (o->read_floor) {
		split_end(sp);
		tot->rc = run_read_floor(k, ks_dump_target(d), path, out, w, tot);
		worker_finish(w, out, errf, tot);
		ks_kernel_close(k);
		ks_dump_close(d);
		return;
	}
	if (o->livepatch || o->nfunctions) {
		rc = run_livepatch(k, NULL, path, d, o, out, sp, w, tot);
		split_end(sp);
		if (rc > tot->rc)
			tot->rc = rc;
		worker_finish(w, out, errf, tot);
		ks_kernel_close(k);
		ks_dump_close(d);
		return;
	}
	memset(&c, 0, sizeof(c));
	memset(&rep, 0, sizeof(rep));
	c.k = k;
	c.o = o;
	c.path = path;
	c.out = out;
	c.w = w;
	c.tot = tot;
	c.sp = sp;
	c.res = malloc(sizeof(*c.res));
	if (!c.res) {
		input_error(o, out, errf, w, path, "out of memory");
		goto done;
	}
	if (o->output == OUT_JSON) {
		rs = open_memstream(&buf, &len);
		if (!rs) {
			input_error(o, out, errf, w, path, "out of memory");
			goto done;
		}
		rep.out = rs;
		rep.json = 1;
		c.rep = &rep;
		ks_report_begin(&rep, k, o->mode);
	} else if (o->output == OUT_TEXT) {
		char src[4200];

		dump_sources(d, src, sizeof(src));
		fprintf(out, "== %s (%s dump, %s)\n", path, ks_dump_format(d), src);
		if (o->verbose) {
			/* the kernel line and the task table */
			rep.out = out;
			rep.verbose = 1;
			c.rep = &rep;
			ks_report_begin(&rep, k, o->mode);
		} else {
			fprintf(out, "%s %s (%u.%u.%u), unwinder %s\n",
				ks_kernel_arch_name(k), ks_kernel_release(k),
				ks_kernel_version(k) >> 16, (ks_kernel_version(k) >> 8) & 0xff,
				ks_kernel_version(k) & 0xff, ks_kernel_unwinder_name(k));
		}
		ks_summary_init(&sum, o->mode);
		c.sum = &sum;
	}
	rc = ks_task_foreach_checked(k, scan_task, &c, list_warn, sizeof(list_warn), list_err,
				     sizeof(list_err));
	t2 = now();
	/* module list or module symbols the dump did not let the core read */
	ks_kernel_modules_warning(k, mod_warn, sizeof(mod_warn));
	split_end(sp);
	sp = NULL;
	if (rc) {
		/* the tasks found so far are reported; the dump still fails */
		fprintf(errf, "klpscan: %s: task list: %s\n", path, list_err);
		worker_send(w, "M task list: %s", list_err);
		tot->rc = EXIT_ERROR;
	}
	if (o->output == OUT_JSON) {
		char both[1024];
		struct input_keys ik = { .path = path, .format = ks_dump_format(d), .d = d,
					 .timed = 1, .seconds = t2 - t0, .has_error = 1,
					 .error = rc ? list_err : NULL, .warning = both };

		ks_report_end(&rep);
		fclose(rs);
		rs = NULL;
		snprintf(both, sizeof(both), "%s%s%s%s", mod_warn,
			 mod_warn[0] && list_warn[0] ? "; " : "",
			 list_warn[0] ? "task list: " : "", list_warn);
		json_input_merge(out, buf, len, &ik);
	} else if (o->output == OUT_TEXT) {
		if (o->verbose)
			ks_report_end(&rep);
		ks_summary_print(&sum, out, 0);
		ks_summary_free(&sum);
		if (mod_warn[0])
			fprintf(out, "warning: %s\n", mod_warn);
		if (list_warn[0])
			fprintf(out, "warning: task list: %s\n", list_warn);
		if (rc)
			fprintf(out, "error: task list: %s\n", list_err);
		fprintf(out, "%ld tasks in %.2f s (open %.2f s, walk %.2f s, %.0f tasks/s)\n\n",
			tot->tasks, t2 - t0, t1 - t0, t2 - t1,
			t2 > t1 ? (double)tot->tasks / (t2 - t1) : 0.0);
	}
done:
	split_end(sp);
	if (rs)
		fclose(rs);
	free(buf);
	free(c.res);
	worker_finish(w, out, errf, tot);
	ks_kernel_close(k);
	ks_dump_close(d);
}

/*
 * A worker's exit status when it got all the way through: WORKER_DONE
 * plus its result's status.  Anything else -- a signal, a sanitizer's or
 * a library's exit(1), an abort in a library's teardown after the
 * closing line was sent -- means its process went wrong at some point
 * and nothing it wrote can be trusted (a heap corrupted by a bad dump
 * is often only noticed at free()).
 */
#define WORKER_DONE 40

/* Test hook (tests/frontend.sh): make the worker fail at a chosen point,
 * as a misbehaving library would. */
static void worker_fault(const char *when)
{
	const char *f = getenv("KLPSCAN_TEST_WORKER_FAULT");

	if (!f || strncmp(f, when, strlen(when)) != 0)
		return;
	f += strlen(when);
	if (strcmp(f, ":abort") == 0)
		abort();
	if (strcmp(f, ":segv") == 0)
		raise(SIGSEGV);
	if (strcmp(f, ":exit1") == 0)
		_exit(1);
}

static int worker_main(const struct input *in, const struct options *o, FILE *out,
		       FILE *errf, int progfd)
{
	const char *path = in->path;
	enum ks_file_kind kind = in->kind;
	struct worker w = { .fd = progfd, .last = now() };
	struct result_totals tot;

	memset(&tot, 0, sizeof(tot));
	worker_fault("start");
	if (in->error[0]) {
		input_error(o, out, errf, &w, path, in->error);
		tot.rc = EXIT_ERROR;
		if (o->check)
			tot.failed++;
	} else if (kind == KS_FILE_SAMPLE)
		run_sample(path, o, out, errf, &w, &tot);
	else
		run_dump(path, o, out, errf, &w, &tot);
	worker_finish(&w, out, errf, &tot);
	worker_fault("end");
	return WORKER_DONE + tot.rc;
}

/* ------------------------------------------------------------------ */
/* inputs                                                              */

struct inputs {
	struct input *v;
	int n, cap;
};

static int add_input(struct inputs *in, const char *path, enum ks_file_kind kind)
{
	if (in->n == in->cap) {
		int cap = in->cap ? in->cap * 2 : 16;
		struct input *g = realloc(in->v, (size_t)cap * sizeof(*g));
		if (!g)
			return -1;
		in->v = g;
		in->cap = cap;
	}
	in->v[in->n].path = strdup(path);
	if (!in->v[in->n].path)
		return -1;
	in->v[in->n].kind = kind;
	in->v[in->n].error[0] = 0;
	in->n++;
	return 0;
}

static int add_bad_input(struct inputs *in, const char *path, const char *error)
{
	if (add_input(in, path, KS_FILE_OTHER))
		return -1;
	snprintf(in->v[in->n - 1].error, sizeof(in->v[in->n - 1].error), "%s", error);
	return 0;
}

/* In a directory, a file that is neither a dump nor a sample is left out
 * (dmesg.txt, System.map) with a note -- unless its name, or its size
 * and binary contents, say it was meant to be a dump: then it is an
 * input that fails, so a dump with a damaged signature cannot vanish
 * from a scan. */
#define DUMPLIKE_SIZE (1 << 20)

static int looks_like_dump(const char *path, const struct stat *st)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (strncmp(base, "vmcore", 6) == 0 || strstr(base, "dump") ||
	    (n > 5 && strcmp(base + n - 5, ".core") == 0) ||
	    (n > 7 && strcmp(base + n - 7, ".vmcore") == 0))
		return 1;
	/* big and binary: text files (System.map, logs) are not dumps */
	if (st->st_size >= DUMPLIKE_SIZE) {
		unsigned char head[512];
		ssize_t got;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

		if (fd < 0)
			return 1;
		got = read(fd, head, sizeof(head));
		close(fd);
		for (ssize_t i = 0; i < got; i++)
			if (head[i] < 0x09 || (head[i] > 0x0d && head[i] < 0x20))
				return 1;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory: the dumps and samples in it and below (sorted, a few
 * levels deep); vmlinux files and other ELF files are left out. */
static int add_dir(struct inputs *in, const char *dir, int depth)
{
	DIR *dh;
	struct dirent *e;
	char **names = NULL;
	int n = 0, cap = 0, rc = 0;

	size_t dl = strlen(dir);

	if (depth > MAX_DIR_DEPTH)
		return add_bad_input(in, dir, "directory nested too deep: not scanned");
	if (!(dh = opendir(dir))) {
		char msg[128];
		snprintf(msg, sizeof(msg), "cannot read the directory: %s", strerror(errno));
		return add_bad_input(in, dir, msg);
	}
	while (dl > 1 && dir[dl - 1] == '/')	/* "dumps/" -> "dumps/x" */
		dl--;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **g = realloc(names, (size_t)cap * sizeof(*g));
			if (!g) {
				rc = -1;
				break;
			}
			names = g;
		}
		names[n] = malloc(dl + strlen(e->d_name) + 2);
		if (!names[n]) {
			rc = -1;
			break;
		}
		sprintf(names[n], "%.*s/%s", (int)dl, dir, e->d_name);
		n++;
	}
	closedir(dh);
	if (n > 1)
		qsort(names, (size_t)n, sizeof(*names), name_cmp);
	for (int i = 0; i < n; i++) {
		struct stat st, lst;

		if (rc)
			;
		else if (stat(names[i], &st) != 0) {
			/* a dangling link, a file gone meanwhile */
			rc = add_input(in, names[i], KS_FILE_UNREADABLE);
		} else if (S_ISDIR(st.st_mode)) {
			if (lstat(names[i], &lst) == 0 && S_ISDIR(lst.st_mode))
				rc = add_dir(in, names[i], depth + 1);
			else	/* links could loop */
				fprintf(stderr, "klpscan: %s: skipped: a symbolic link to a "
					"directory (name it on the command line)\n", names[i]);
		} else if (S_ISREG(st.st_mode)) {
			enum ks_file_kind k = ks_dump_file_kind(names[i]);
			if (k == KS_FILE_SAMPLE || k == KS_FILE_ELF_CORE ||
			    k == KS_FILE_KDUMP || k == KS_FILE_FLATTENED ||
			    k == KS_FILE_UNREADABLE)
				rc = add_input(in, names[i], k);
			else if (k == KS_FILE_OTHER && looks_like_dump(names[i], &st))
				rc = add_input(in, names[i], k);
			else if (k == KS_FILE_OTHER)
				fprintf(stderr, "klpscan: %s: skipped: neither a dump nor a "
					"sample\n", names[i]);
			/* KS_FILE_ELF_OTHER: a vmlinux or a module next to the dump */
		} else {
			fprintf(stderr, "klpscan: %s: skipped: not a regular file\n", names[i]);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int expand_arg(struct inputs *in, const char *arg)
{
	struct stat st;

	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		int before = in->n;
		if (add_dir(in, arg, 0))
			return -1;
		if (in->n == before)
			fprintf(stderr, "klpscan: %s: no dumps or samples in this directory\n", arg);
		return 0;
	}
	/* A pattern the shell did not expand (quoted, or no match). */
	if (access(arg, F_OK) != 0 && strpbrk(arg, "*?[")) {
		glob_t g;
		int rc = glob(arg, 0, NULL, &g);
		if (rc == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				if (expand_arg(in, g.gl_pathv[i])) {
					globfree(&g);
					return -1;
				}
			globfree(&g);
			return 0;
		}
		if (rc != GLOB_NOMATCH)
			return -1;
	}
	return add_input(in, arg, ks_dump_file_kind(arg));
}

/* ------------------------------------------------------------------ */
/* the parent: workers, ordered output, progress                        */

struct job {
	const struct input *in;
	pid_t pid;
	int state;		/* 0 waiting, 1 running, 2 finished, 3 printed */
	FILE *out, *err;
	int pfd;		/* progress pipe, read end */
	char line[1024];
	size_t linelen;
	int got_result;
	struct result_totals tot;
	long live_tasks;
	char message[256];
	double started, seconds;
};

static void job_line(struct job *j, const char *l)
{
	if (l[0] == 'P' && l[1] == ' ') {
		j->live_tasks = atol(l + 2);
	} else if (l[0] == 'M' && l[1] == ' ') {
		if (!j->message[0])
			snprintf(j->message, sizeof(j->message), "%s", l + 2);
	} else if (l[0] == 'R' && l[1] == ' ') {
		struct result_totals *t = &j->tot;
		if (sscanf(l + 2, "%d %d %d %ld %d %d %d %d %d", &t->rc, &t->passed,
			   &t->failed, &t->tasks, &t->counts[0], &t->counts[1],
			   &t->counts[2], &t->counts[3], &t->counts[4]) == 9)
			j->got_result = 1;
		j->live_tasks = t->tasks;
	}
}

/* Read what the worker sent; returns 1 at end of file. */
static int job_read(struct job *j)
{
	char buf[4096];
	ssize_t n = read(j->pfd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : 1;
	if (n == 0)
		return 1;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			j->line[j->linelen] = 0;
			job_line(j, j->line);
			j->linelen = 0;
		} else if (j->linelen + 1 < sizeof(j->line)) {
			j->line[j->linelen++] = buf[i];
		}
	}
	return 0;
}

/* Start a worker for j.  On failure the job is finished at once with
 * its error in place (state 2, or 3 when not even its files exist). */
static void job_start(struct job *j, const struct options *o)
{
	int p[2];

	j->started = now();
	j->out = tmpfile();
	j->err = tmpfile();
	if (!j->out || !j->err) {
		fprintf(stderr, "klpscan: %s: not scanned, no temporary files: %s\n",
			j->in->path, strerror(errno));
		if (j->out)
			fclose(j->out);
		if (j->err)
			fclose(j->err);
		j->out = j->err = NULL;
		snprintf(j->message, sizeof(j->message), "not scanned: no temporary files");
		/* printed in order by run_all() */
		j->tot.rc = EXIT_ERROR;
		j->tot.failed++;
		j->state = 3;
		return;
	}
	fflush(stdout);
	fflush(stderr);
	if (pipe(p) == 0) {
		j->pid = fork();
		if (j->pid == 0) {
			close(p[0]);
			signal(SIGPIPE, SIG_IGN);
			_exit(worker_main(j->in, o, j->out, j->err, p[1]));
		}
		if (j->pid > 0) {
			close(p[1]);
			j->pfd = p[0];
			fcntl(j->pfd, F_SETFD, FD_CLOEXEC);
			j->state = 1;
			return;
		}
		close(p[0]);
		close(p[1]);
	}
	snprintf(j->message, sizeof(j->message), "not scanned: cannot start a worker: %s",
		 strerror(errno));
	fprintf(j->err, "klpscan: %s: %s\n", j->in->path, j->message);
	error_record(o, j->out, j->in->path, j->message);
	j->tot.rc = EXIT_ERROR;
	j->tot.failed++;
	j->state = 2;
}

/* Replace whatever a failed worker wrote with the input's error record. */
static void job_discard(struct job *j, const struct options *o, const char *msg)
{
	fflush(j->out);
	if (ftruncate(fileno(j->out), 0) == 0 && fseek(j->out, 0, SEEK_SET) == 0)
		error_record(o, j->out, j->in->path, msg);
	fprintf(j->err, "klpscan: %s: %s\n", j->in->path, msg);
	snprintf(j->message, sizeof(j->message), "%s", msg);
	memset(&j->tot, 0, sizeof(j->tot));
	j->tot.rc = EXIT_ERROR;
	j->tot.failed = 1;
}

static void job_reap(struct job *j, const struct options *o)
{
	int status = 0;
	char msg[200];

	close(j->pfd);
	j->pfd = -1;
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	j->seconds = now() - j->started;
	j->state = 2;
	if (j->got_result && WIFEXITED(status) &&
	    WEXITSTATUS(status) == WORKER_DONE + j->tot.rc)
		return;
	/* The worker went wrong somewhere, before or after its closing
	 * line: its whole result is void.  The other inputs go on. */
	if (WIFSIGNALED(status))
		snprintf(msg, sizeof(msg), "worker killed by signal %d (%s)%s",
			 WTERMSIG(status), strsignal(WTERMSIG(status)),
			 j->got_result ? " after its result: result discarded" : "");
	else
		snprintf(msg, sizeof(msg), "worker exited with status %d %s",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			 j->got_result ? "after its result: result discarded" : "without a result");
	job_discard(j, o, msg);
}

static void copy_file(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;

	fflush(from);
	if (fseek(from, 0, SEEK_SET))
		return;
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

struct progress {
	int on;
	int shown;
	double start, last;
};

static void progress_clear(struct progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = 0;
	}
}

static void progress_draw(struct progress *p, int done, int total, long tasks, int force)
{
	double t = now();
	int width = 24, fill;

	if (!p->on || (!force && t - p->last < 0.1))
		return;
	p->last = t;
	fill = total ? done * width / total : width;
	fputs("\r\033[K[", stderr);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %d/%d inputs, %ld tasks, %.0f tasks/s", done, total, tasks,
		t > p->start ? (double)tasks / (t - p->start) : 0.0);
	fflush(stderr);
	p->shown = 1;
}

static void job_print(struct job *j, struct progress *p)
{
	progress_clear(p);
	copy_file(j->out, stdout);
	fflush(stdout);
	copy_file(j->err, stderr);
	fflush(stderr);
	fclose(j->out);
	fclose(j->err);
	j->out = j->err = NULL;
	j->state = 3;
}

/* The cross-input table (text output, when dumps were scanned). */
static void print_table(const struct job *jobs, int n)
{
	int w = 5;

	for (int i = 0; i < n; i++) {
		int l = (int)strlen(jobs[i].in->path);
		if (l > w)
			w = l > 60 ? 60 : l;
	}
	printf("== summary\n%-*s  %6s %8s %10s %7s %8s %5s %8s  %s\n", w, "INPUT", "TASKS",
	       "RELIABLE", "UNRELIABLE", "RUNNING", "NO-STACK", "ERROR", "SECONDS", "NOTE");
	for (int i = 0; i < n; i++) {
		const struct job *j = &jobs[i];
		const int *c = j->tot.counts;
		/* the whole message went to stderr; a table cell stays short */
		printf("%-*s  %6ld %8d %10d %7d %8d %5d %8.2f  %.100s%s\n", w, j->in->path,
		       j->tot.tasks, c[0], c[1], c[2], c[3], c[4], j->seconds,
		       j->message, strlen(j->message) > 100 ? "..." : "");
	}
}

static int run_all(struct inputs *in, const struct options *o)
{
	struct job *jobs = calloc((size_t)in->n, sizeof(*jobs));
	struct progress prog = { .on = o->progress, .start = now() };
	int next_start = 0, next_print = 0, running = 0, done = 0;
	int rc = 0, passed = 0, failed = 0, any_dump = 0;
	long done_tasks = 0;

	if (!jobs) {
		fprintf(stderr, "klpscan: out of memory\n");
		return EXIT_ERROR;
	}
	if (o->output == OUT_CSV && !o->check)
		printf("dump,pid,tgid,comm,task,verdict,rule,frame,top_frames\n");
	for (int i = 0; i < in->n; i++) {
		jobs[i].in = &in->v[i];
		jobs[i].pfd = -1;
		if (in->v[i].kind != KS_FILE_SAMPLE)
			any_dump = 1;
	}
	while (next_print < in->n) {
		struct pollfd pf[MAX_WORKERS];
		int idx[MAX_WORKERS], np = 0;
		long live = 0;

		/* Start workers, but do not run too far ahead of the output:
		 * finished jobs hold open temporary files until printed. */
		while (running < o->workers && next_start < in->n &&
		       next_start - next_print < 4 * o->workers + 16) {
			struct job *j = &jobs[next_start++];
			job_start(j, o);
			if (j->state == 1)
				running++;
			else
				done++;
		}
		for (int i = next_print; i < next_start; i++)
			if (jobs[i].state == 1 && np < MAX_WORKERS) {
				pf[np].fd = jobs[i].pfd;
				pf[np].events = POLLIN;
				idx[np++] = i;
			}
		if (np && poll(pf, (nfds_t)np, 200) > 0) {
			for (int i = 0; i < np; i++) {
				if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				if (job_read(&jobs[idx[i]])) {
					job_reap(&jobs[idx[i]], o);
					running--;
					done++;
					done_tasks += jobs[idx[i]].tot.tasks;
				}
			}
		}
		while (next_print < in->n && jobs[next_print].state >= 2) {
			struct job *j = &jobs[next_print];
			if (j->state == 2) {
				job_print(j, &prog);
			} else if (!j->out) {
				/* never started (no temporary files) */
				progress_clear(&prog);
				error_record(o, stdout, j->in->path, j->message);
			}
			if (j->tot.rc > rc)
				rc = j->tot.rc;
			passed += j->tot.passed;
			failed += j->tot.failed;
			next_print++;
		}
		for (int i = next_print; i < next_start; i++)
			if (jobs[i].state == 1)
				live += jobs[i].live_tasks;
		progress_draw(&prog, done, in->n, done_tasks + live, 0);
	}
	progress_clear(&prog);
	if (o->check) {
		printf("samples: %d passed, %d failed\n", passed, failed);
		rc = failed ? 1 : 0;
	} else if (o->output == OUT_TEXT && any_dump && in->n > 0) {
		print_table(jobs, in->n);
		fflush(stdout);
		if (prog.on || in->n > 1) {
			double t = now() - prog.start;
			fprintf(stderr, "klpscan: %d inputs, %ld tasks in %.1f s (%.0f tasks/s, %d workers)\n",
				in->n, done_tasks, t, t > 0 ? (double)done_tasks / t : 0.0, o->workers);
		}
	}
	fflush(stdout);
	free(jobs);
	return rc;
}

/* Split a list of function names into o->functions.  Each name is a
 * copy of its own, freed by free_functions() at the end of the run.
 * Returns the number of names added, -1 on error. */
static int add_functions(struct options *o, const char *list, const char *seps)
{
	char *copy = strdup(list), *save = NULL;
	int added = 0;

	if (!copy) {
		fprintf(stderr, "klpscan: out of memory\n");
		return -1;
	}
	for (char *tok = strtok_r(copy, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		if (o->nfunctions >= MAX_FUNCTIONS) {
			fprintf(stderr, "klpscan: at most %d functions\n", MAX_FUNCTIONS);
			free(copy);
			return -1;
		}
		if (!(o->functions[o->nfunctions] = strdup(tok))) {
			fprintf(stderr, "klpscan: out of memory\n");
			free(copy);
			return -1;
		}
		o->nfunctions++;
		added++;
	}
	free(copy);
	return added;
}

static void free_functions(struct options *o)
{
	for (int i = 0; i < o->nfunctions; i++)
		free((char *)o->functions[i]);
	o->nfunctions = 0;
}

/* -f LIST: an empty list ("", ",,,") is a mistake, never "no what-if". */
static int add_functions_arg(struct options *o, const char *list)
{
	int n = add_functions(o, list, ",");

	if (n == 0)
		fprintf(stderr, "klpscan: -f '%s': no function names (func or module:func, "
			"comma-separated)\n", list);
	return n > 0 ? 0 : -1;
}

static int add_functions_file(struct options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int total = 0;

	if (!f) {
		fprintf(stderr, "klpscan: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		int n;

		if (hash)
			*hash = 0;
		if ((n = add_functions(o, line, " \t\r\n,")) < 0) {
			fclose(f);
			return -1;
		}
		total += n;
	}
	if (ferror(f)) {
		fprintf(stderr, "klpscan: %s: read error\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (!total) {
		fprintf(stderr, "klpscan: --functions-from %s: no function names in the file\n",
			path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_CSV, OPT_CHECK, OPT_VMLINUX, OPT_DEBUG_DIR,
	       OPT_NO_PROGRESS, OPT_FUNCTIONS_FROM, OPT_NO_DEBUGINFO, OPT_VERSION,
	       OPT_READ_FLOOR };
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
		{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
		{ "no-debuginfo", no_argument, NULL, OPT_NO_DEBUGINFO },
		{ "jobs", required_argument, NULL, 'j' },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "livepatch", no_argument, NULL, 'p' },
		{ "functions", required_argument, NULL, 'f' },
		{ "functions-from", required_argument, NULL, OPT_FUNCTIONS_FROM },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "read-floor", no_argument, NULL, OPT_READ_FLOOR },	/* bench/ only */
		{ NULL, 0, NULL, 0 },
	};
	struct options o;
	struct inputs in = { 0 };
	int c, rc, no_progress = 0;

	memset(&o, 0, sizeof(o));
	o.mode = KS_MODE_KERNEL;
	o.workers = 1;
	while ((c = getopt_long(argc, argv, "m:vj:hpf:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_VERSION:
			printf("klpscan %s\n", KLPSTACK_VERSION);
			free_functions(&o);
			return 0;
		case 'p':
			o.livepatch = 1;
			break;
		case 'f':
			if (add_functions_arg(&o, optarg))
				goto usage_error;
			break;
		case OPT_FUNCTIONS_FROM:
			if (add_functions_file(&o, optarg))
				goto usage_error;
			break;
		case 'm':
			if (ks_mode_parse(optarg, &o.mode)) {
				fprintf(stderr, "klpscan: unknown mode '%s' (kernel or strict)\n",
					optarg);
				goto usage_error;
			}
			break;
		case 'v':
			o.verbose = 1;
			break;
		case OPT_JSON:
			o.output = OUT_JSON;
			break;
		case OPT_CSV:
			o.output = OUT_CSV;
			break;
		case OPT_CHECK:
			o.check = 1;
			break;
		case OPT_VMLINUX:
			o.dump.vmlinux = optarg;
			break;
		case OPT_NO_DEBUGINFO:
			o.dump.no_debuginfo = 1;
			break;
		case OPT_DEBUG_DIR:
			if (o.dump.ndebug_dirs >= MAX_DEBUG_DIRS) {
				fprintf(stderr, "klpscan: at most %d --debug-dir\n", MAX_DEBUG_DIRS);
				goto usage_error;
			}
			o.debug_dirs[o.dump.ndebug_dirs++] = optarg;
			break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > MAX_WORKERS) {
				fprintf(stderr, "klpscan: -j wants a number from 1 to %d\n",
					MAX_WORKERS);
				goto usage_error;
			}
			o.workers = (int)n;
			break;
		}
		case OPT_NO_PROGRESS:
			no_progress = 1;
			break;
		case OPT_READ_FLOOR:
			o.read_floor = 1;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto usage_error;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		goto usage_error;
	}
	o.dump.debug_dirs = o.debug_dirs;
	o.progress = !no_progress && isatty(STDERR_FILENO) && !o.check;
	for (int i = optind; i < argc; i++)
		if (expand_arg(&in, argv[i])) {
			fprintf(stderr, "klpscan: out of memory\n");
			rc = EXIT_ERROR;
			goto out;
		}
	if (!in.n) {
		fprintf(stderr, "klpscan: nothing to scan\n");
		rc = EXIT_ERROR;
		goto out;
	}
	/* -j N on fewer inputs than N: the spare workers split the dumps'
	 * tasks (N / inputs workers on each) */
	o.split = in.n < o.workers ? o.workers / in.n : 1;
	rc = run_all(&in, &o);
	goto out;
usage_error:
	rc = EXIT_USAGE;
out:
	for (int i = 0; i < in.n; i++)
		free(in.v[i].path);
	free(in.v);
	free_functions(&o);
	return rc;
}
