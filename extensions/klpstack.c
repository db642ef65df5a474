/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpstack.so: the crash(8) front-end of the klpstack core.
 *
 * This file is the only one that sees crash's defs.h.  It implements the
 * core's struct ks_target over crash's extension API (memory, symbols,
 * types) and the "klpstack" command; the walking, the rules and the
 * reports are the core's.  Build: "make" (see the klpstack.so rule);
 * load: "extend klpstack.so" inside crash.
 *
 * Two crash behaviours shape this glue:
 *  - crash 8.0.2 (Debian bookworm) sees only the active tasks of kernels
 *    >= 6.1.112 (it mis-sizes struct pid), so the task list comes from
 *    the kernel (ks_task_foreach), never from crash's task table.
 *  - error(FATAL) and symbol_value() of a missing symbol longjmp back to
 *    the prompt.  A scan must survive one bad task, so every crash call
 *    used here is one that returns an error instead.
 */
#include "defs.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "klpstack.h"
#include "summary.h"
#include "livepatch.h"

#if defined(X86_64)
#define KS_GLUE_ARCH KS_ARCH_X86_64
#define KS_GLUE_MACHINE "X86_64"
#elif defined(S390X)
#define KS_GLUE_ARCH KS_ARCH_S390X
#define KS_GLUE_MACHINE "S390X"
#else
#error "build with -DX86_64 or -DS390X (crash's defs.h depends on the target)"
#endif

/* Longest struct or member name passed to gdb; the core's are short. */
#define KS_GLUE_NAME_MAX 64
/* Largest PID (PID_MAX_LIMIT is 4M): bigger numbers are addresses. */
#define KS_GLUE_PID_MAX (4 * 1024 * 1024)

/* ---- the target over crash ---- */

static int glue_read(void *priv, kaddr_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (len > (size_t)LONG_MAX)
		return -1;
	/* QUIET: the core reports what it could not read, once, in its own
	 * words; crash's "readmem error" lines would interleave with the
	 * report. */
	return readmem((ulonglong)addr, KVADDR, buf, (long)len, "klpstack",
		       RETURN_ON_ERROR | QUIET) ? 0 : -1;
}

static int glue_lookup_symbol(void *priv, const char *name, kaddr_t *value)
{
	/* symbol_value() is FATAL for a missing symbol: ask first.
	 * symbol_exists() covers module symbols and static ones from the
	 * vmlinux symtab (e.g. klp_target_state). */
	if (!name || !symbol_exists((char *)name))
		return -1;
	*value = (kaddr_t)symbol_value((char *)name);
	return 0;
}

static int in_table(const struct syment *sp, const struct syment *lo,
		    const struct syment *hi)
{
	uintptr_t p = (uintptr_t)sp;
	return lo && hi && p >= (uintptr_t)lo && p < (uintptr_t)hi;
}

/*
 * crash keeps no symbol sizes.  The kernel's kallsyms defines a symbol's
 * size as the distance to the next higher symbol (kallsyms_lookup_size_
 * offset()), and crash's tables are sorted by address, so do the same
 * within the table that holds sp.  0 = unknown.
 */
static uint64_t symbol_size(const struct syment *sp)
{
	const struct syment *end = NULL;

	if (in_table(sp, st->symtable, st->symend)) {
		end = st->symend;
	} else if (in_table(sp, st->ext_module_symtable, st->ext_module_symend)) {
		end = st->ext_module_symend;
	} else {
		for (int i = 0; i < st->mods_installed && !end; i++) {
			const struct load_module *lm = &st->load_modules[i];
			if (in_table(sp, lm->mod_symtable, lm->mod_symend))
				end = lm->mod_symend;
			else if (in_table(sp, lm->mod_load_symtable, lm->mod_load_symend))
				end = lm->mod_load_symend;
			else if (in_table(sp, lm->mod_init_symtable, lm->mod_init_symend))
				end = lm->mod_init_symend;
			else if (in_table(sp, lm->mod_ext_symtable, lm->mod_ext_symend))
				end = lm->mod_ext_symend;
		}
	}
	if (!end)
		return 0;
	/* Aliases share an address; a handful at most, bound it anyway. */
	for (const struct syment *n = sp + 1; n < end && n <= sp + 64; n++)
		if (n->value > sp->value)
			return n->value - sp->value;
	return 0;
}

static int glue_symbolize(void *priv, kaddr_t addr, struct ks_symbol *out)
{
	struct load_module *lm = NULL;
	struct syment *sp;
	ulong offset = 0;

	sp = value_search((ulong)addr, &offset);
	if (!sp || !sp->name)
		return -1;
	out->name = sp->name;
	out->value = sp->value;
	out->size = symbol_size(sp);
	/* crash's module names live in st->load_modules for the session:
	 * valid as long as the core needs them. */
	out->module = NULL;
	if (module_symbol((ulong)addr, NULL, &lm, NULL, 0) && lm && lm->mod_name[0])
		out->module = lm->mod_name;
	return 0;
}

static int glue_is_kernel_text(void *priv, kaddr_t addr)
{
	return is_kernel_text((ulong)addr);
}

/* Names end up in gdb command lines: accept C identifiers only. */
static int valid_name(const char *s)
{
	size_t n = 0;
	if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (; s[n]; n++)
		if (!(s[n] == '_' || (s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9')))
			return 0;
	return n < KS_GLUE_NAME_MAX;
}

static long glue_member_offset(void *priv, const char *type, const char *member)
{
	long off;

	if (!valid_name(type) || !valid_name(member))
		return -1;
	off = MEMBER_OFFSET((char *)type, (char *)member);
	/* crash's direct lookup does not see into anonymous structs and
	 * unions (e.g. task_struct's randomized_struct_fields); ask gdb
	 * for the address of the member instead. */
	if (off < 0)
		off = ANON_MEMBER_OFFSET((char *)type, (char *)member);
	return off >= 0 ? off : -1;
}

/*
 * Size of a member that crash's MEMBER_SIZE cannot see (anonymous
 * struct/union).  Asked from gdb directly: crash 8.0.2's
 * ANON_MEMBER_SIZE prints the size in decimal and reads it back as hex.
 */
static long anon_member_size(const char *type, const char *member)
{
	char cmd[3 * KS_GLUE_NAME_MAX + 64], line[64];
	long size = -1;
	FILE *tmp = tmpfile();

	if (!tmp)
		return -1;
	snprintf(cmd, sizeof(cmd), "printf \"%%d\", (int)sizeof(((struct %s *)0)->%s)",
		 type, member);
	if (gdb_pass_through(cmd, tmp, GNU_RETURN_ON_ERROR)) {
		char *end;
		rewind(tmp);
		if (fgets(line, sizeof(line), tmp)) {
			errno = 0;
			size = strtol(line, &end, 10);
			if (errno || end == line || size <= 0)
				size = -1;
		}
	}
	fclose(tmp);
	return size;
}

static long glue_member_size(void *priv, const char *type, const char *member)
{
	long size;

	if (!valid_name(type) || !valid_name(member))
		return -1;
	size = MEMBER_SIZE((char *)type, (char *)member);
	if (size <= 0 && glue_member_offset(priv, type, member) >= 0)
		size = anon_member_size(type, member);
	return size > 0 ? size : -1;
}

static long glue_type_size(void *priv, const char *type)
{
	long size;

	if (!valid_name(type))
		return -1;
	size = STRUCT_SIZE((char *)type);
	return size > 0 ? size : -1;
}

static const struct ks_target_ops glue_ops = {
	.read = glue_read,
	.lookup_symbol = glue_lookup_symbol,
	.symbolize = glue_symbolize,
	.is_kernel_text = glue_is_kernel_text,
	.member_offset = glue_member_offset,
	.member_size = glue_member_size,
	.type_size = glue_type_size,
};

/*
 * Debian's release strings hide the upstream version ("6.1.0-27-cloud-
 * amd64" is 6.1.115); its linux_banner names it after the build number:
 * "... #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)".  The
 * compiler part before the '#' also says "(Debian 12.2.0-14)", so only
 * the text after the last '#' is searched, and the result must agree
 * with the release's major.minor.  0 = not found.
 */
static uint32_t banner_version(const char *banner, const char *release)
{
	const char *p = strrchr(banner, '#');
	unsigned a, b, c, ra, rb;

	if (!p || sscanf(release, "%u.%u", &ra, &rb) != 2)
		return 0;
	for (int n = 0; n < 4 && (p = strstr(p, "Debian ")); n++) {
		p += strlen("Debian ");
		if (sscanf(p, "%u.%u.%u", &a, &b, &c) == 3 && a == ra && b == rb)
			return KS_VERSION(a, b, c);
	}
	return 0;
}

static uint32_t kernel_version(const char *release)
{
	uint32_t v = banner_version(kt->proc_version, release);
	if (v)
		return v;
	/* crash's own idea, from the same release string; 0 lets the core
	 * parse the release itself. */
	if (kt->kernel_version[0] && kt->kernel_version[0] < 256 &&
	    kt->kernel_version[1] < 256)
		return KS_VERSION(kt->kernel_version[0], kt->kernel_version[1],
				  kt->kernel_version[2]);
	return 0;
}

/* ---- per-command state ---- */

/*
 * Everything one klpstack command allocates.  A command can still be cut
 * short by a longjmp (Ctrl-C, or a FATAL error deep inside crash), so
 * the state is reachable from here and released at the end of the
 * command, at the start of the next one, by crash's CLEANUP call and on
 * unload.  One command runs at a time: crash is single-threaded.
 */
struct glue_state {
	struct ks_target target;
	char release[sizeof(kt->utsname.release) + 1];
	struct ks_kernel *k;
	kaddr_t *tasks;
	size_t ntasks, cap;
	struct ks_result *res;
	struct ks_summary summary;
	int summary_live;
	int active_known;	/* crash can tell which tasks are on a CPU */
	struct ks_klp_state klp;	/* -p, -f */
};

static struct glue_state glue;

static void glue_release(void)
{
	if (glue.summary_live)
		ks_summary_free(&glue.summary);
	ks_klp_free(&glue.klp);
	ks_kernel_close(glue.k);
	free(glue.tasks);
	free(glue.res);
	memset(&glue, 0, sizeof(glue));
}

/* ---- selecting tasks ---- */

struct selector {
	int is_task;		/* task address, else PID */
	kaddr_t task;
	long pid;
	int found;
	const char *arg;
};

struct collect {
	struct ks_kernel *k;
	struct selector *sel;
	int nsel;		/* 0 = every task */
	int oom;
};

static int remember_task(kaddr_t task)
{
	if (glue.ntasks == glue.cap) {
		size_t cap = glue.cap ? glue.cap * 2 : 1024;
		kaddr_t *t = realloc(glue.tasks, cap * sizeof(*t));
		if (!t)
			return -1;
		glue.tasks = t;
		glue.cap = cap;
	}
	glue.tasks[glue.ntasks++] = task;
	return 0;
}

static int collect_task(void *arg, kaddr_t task)
{
	struct collect *c = arg;
	struct ks_task t;
	char err[KS_MSG_LEN];
	int want = c->nsel == 0, have_pid = 0;

	for (int i = 0; i < c->nsel; i++) {
		struct selector *s = &c->sel[i];
		if (s->is_task) {
			if (s->task == task)
				want = s->found = 1;
			continue;
		}
		/* PIDs from task_struct itself: crash's PID hash is what is
		 * broken on these kernels. */
		if (!have_pid)
			have_pid = ks_task_read(c->k, task, &t, err, sizeof(err)) == 0 ? 1 : -1;
		if (have_pid == 1 && t.pid == s->pid)
			want = s->found = 1;
	}
	if (want && remember_task(task)) {
		c->oom = 1;
		return 1;	/* stop: report what was found */
	}
	return 0;
}

/* "1234" is a PID; "0x..." or anything with hex letters, or a number too
 * big for a PID, is a task_struct address (as crash's own commands take
 * them).  -1 when neither. */
static int parse_selector(const char *arg, struct selector *s)
{
	unsigned long long v;
	char *end;
	int hex = strncmp(arg, "0x", 2) == 0 || strncmp(arg, "0X", 2) == 0;

	memset(s, 0, sizeof(*s));
	s->arg = arg;
	for (const char *p = arg; *p && !hex; p++)
		if ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))
			hex = 1;
	errno = 0;
	v = strtoull(arg, &end, hex ? 16 : 10);
	if (errno || end == arg || *end || arg[0] == '-')
		return -1;
	if (!hex && v <= KS_GLUE_PID_MAX) {
		s->pid = (long)v;
		return 0;
	}
	if (!hex) {
		/* a long decimal-looking string: crash reads those as hex
		 * addresses too */
		errno = 0;
		v = strtoull(arg, &end, 16);
		if (errno || *end)
			return -1;
	}
	/*
	 * The same test on every arch: IS_KVADDR() alone accepts 0xabc on
	 * s390x (its kernel space starts at 0), rejects it on x86_64.  No
	 * task_struct lies in the first 64 KiB (s390x lowcore and absolute
	 * zero pages, x86_64 user space), none is less than pointer
	 * aligned (slab objects), and it must be in the dump.
	 */
	{
		uint64_t word;

		if (!IS_KVADDR((ulong)v) || v < 0x10000 || (v & 7) ||
		    glue_read(NULL, (kaddr_t)v, &word, sizeof(word)))
			return -1;
	}
	s->is_task = 1;
	s->task = (kaddr_t)v;
	return 0;
}

/* ---- the command ---- */

struct options {
	int verbose, json, summary;
	int read_only;		/* -R: benchmarking baseline, no walk */
	int livepatch;		/* -p: the transition's blockers */
	char *functions;	/* -f: what-if list, "f1,mod:f2" */
	enum ks_mode mode;
};

/* Diagnostics must not land inside the JSON document: with "klpstack -j
 * > file", crash's error() writes to the redirected output as well. */
static void diag(const struct options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void diag(const struct options *o, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (o->json) {
		fprintf(pc->error_fp ? pc->error_fp : stderr, "klpstack: %s\n", buf);
		fflush(pc->error_fp ? pc->error_fp : stderr);
	} else {
		error(INFO, "%s\n", buf);
	}
}

/* A task whose task_struct could not be read still gets a line (verdict
 * error), so one bad task neither stops the scan nor goes unnoticed. */
static void unreadable_result(struct ks_result *res, kaddr_t task,
			      enum ks_mode mode, const char *msg)
{
	memset(res, 0, sizeof(*res));
	res->task.task = task;
	res->task.pid = -1;
	res->task.tgid = -1;
	res->task.cpu = -1;
	snprintf(res->task.comm, sizeof(res->task.comm), "?");
	res->mode = mode;
	res->verdict = KS_VERDICT_ERROR;
	res->rule = KS_RULE_DUMP_UNREADABLE;
	res->rule_frame = -1;
	snprintf(res->message, sizeof(res->message), "%s", msg);
}

/*
 * crash knows which tasks were on a CPU when the dump was taken (panic
 * task, runqueue curr, QEMU-stopped CPUs).  Only asked for tasks in
 * crash's own table, and only when crash has a way to answer: its
 * task_has_cpu() is FATAL otherwise.
 */
static struct task_context *crash_active_context(kaddr_t task)
{
	struct task_context *tc;

	if (!glue.active_known || !(tc = task_to_context((ulong)task)))
		return NULL;
	return is_task_active((ulong)task) ? tc : NULL;
}

/* Walk one task into glue.res. */
static void result_of(struct ks_kernel *k, kaddr_t task, enum ks_mode mode)
{
	struct ks_result *res = glue.res;
	struct ks_task t;
	char err[KS_MSG_LEN];

	if (ks_task_read(k, task, &t, err, sizeof(err))) {
		unreadable_result(res, task, mode, err);
	} else {
		/* task->on_cpu can be clear for a task that was on a CPU of
		 * a stopped guest or took the panic IPI in some paths;
		 * crash's answer wins, as the kernel would see those tasks
		 * running.  crash also knows which CPU, which the core cannot
		 * read where the kernel keeps it in thread_info (x86_64 and
		 * s390x 5.16+). */
		struct task_context *tc = crash_active_context(task);
		if (tc) {
			t.on_cpu = 1;
			if (t.cpu < 0)
				t.cpu = (int)tc->processor;
		}
		ks_walk_task(k, &t, mode, res);
	}
}

static void walk_one(struct ks_kernel *k, kaddr_t task, const struct options *o,
		     struct ks_report *r)
{
	struct ks_result *res = glue.res;

	result_of(k, task, o->mode);
	if (o->summary) {
		if (ks_summary_add(&glue.summary, res))
			diag(o, "out of memory: task %#llx counted, not grouped",
			     (unsigned long long)task);
	} else {
		ks_report_task(r, res);
	}
}

/*
 * -R, a benchmarking aid (bench/run.sh): read every selected task's stack
 * (task->stack, THREAD_SIZE bytes) with readmem and do nothing else.  Its
 * time is the floor a walk cannot go below on this dump: task_struct and
 * stack pages fetched through crash, i.e. mostly the dump's decompression.
 * Read page by page, as readmem does internally anyway, so that a task
 * with one filtered-out page still counts the others.
 */
static void read_stacks_only(struct ks_kernel *k)
{
	unsigned long long bytes = 0, pages_bad = 0;
	size_t tasks_bad = 0, no_stack = 0;
	ulong page = PAGESIZE();
	char err[KS_MSG_LEN];
	char *buf;

	if (page == 0 || page > 65536)
		page = 4096;
	buf = GETBUF(page);	/* crash frees it on any exit, longjmp included */
	for (size_t i = 0; i < glue.ntasks; i++) {
		struct ks_task t;

		if (ks_task_read(k, glue.tasks[i], &t, err, sizeof(err))) {
			tasks_bad++;
			continue;
		}
		if (!t.stack || t.stack_size == 0) {
			no_stack++;
			continue;
		}
		/* stack_size is the core's THREAD_SIZE (a power of two of
		 * 8-64 KiB): the loop is bounded by it. */
		for (uint64_t off = 0; off < t.stack_size; off += page) {
			uint64_t len = t.stack_size - off < page ? t.stack_size - off : page;
			if (glue_read(NULL, t.stack + off, buf, (size_t)len) == 0)
				bytes += len;
			else
				pages_bad++;
		}
	}
	FREEBUF(buf);
	fprintf(fp, "klpstack -R: %zu tasks, %llu stack bytes read, %llu pages "
		"unreadable, %zu tasks without a stack, %zu task_structs unreadable\n",
		glue.ntasks, bytes, pages_bad, no_stack, tasks_bad);
}

/*
 * -p / -f: what klp_try_switch_task() would say of every selected task,
 * for the patch in transition or for a what-if list of functions.  The
 * kernel's own conclusion decides, so the walk is in kernel mode.
 */
#define MAX_WHATIF 256
static void livepatch_triage(struct ks_kernel *k, const struct options *o)
{
	const char *names[MAX_WHATIF];
	struct ks_klp_report kr;
	char err[512], *list = NULL, *save = NULL;
	int n = 0;

	if (ks_klp_read(k, &glue.klp, err, sizeof(err))) {
		error(INFO, "livepatch state: %s\n", err);
		return;
	}
	if (o->functions) {
		/* GETBUF: crash frees it on any exit */
		list = GETBUF(strlen(o->functions) + 1);
		strcpy(list, o->functions);
		for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
			if (n >= MAX_WHATIF) {
				error(INFO, "-f: at most %d functions\n", MAX_WHATIF);
				return;
			}
			names[n++] = f;
		}
		if (ks_klp_whatif(k, &glue.klp, names, n, err, sizeof(err))) {
			error(INFO, "-f: %s\n", err);
			return;
		}
	}
	memset(&kr, 0, sizeof(kr));
	kr.out = fp;
	kr.json = o->json;
	kr.verbose = o->verbose;
	kr.whatif = n > 0;
	ks_klp_report_begin(&kr, k, &glue.klp);
	for (size_t i = 0; i < glue.ntasks; i++) {
		struct ks_klp_task tri;

		result_of(k, glue.tasks[i], KS_MODE_KERNEL);
		ks_klp_check_task(k, &glue.klp, glue.res, kr.whatif, &tri);
		ks_klp_report_task(&kr, glue.res, &tri);
	}
	ks_klp_report_end(&kr);
}

static struct ks_kernel *open_kernel(char *err, size_t errlen)
{
	snprintf(glue.release, sizeof(glue.release), "%s", kt->utsname.release);
	glue.target.ops = &glue_ops;
	glue.target.priv = NULL;
	glue.target.arch = KS_GLUE_ARCH;
	glue.target.osrelease = glue.release;
	glue.target.version = kernel_version(glue.release);
	return ks_kernel_open(&glue.target, err, errlen);
}

static void cmd_klpstack(void)
{
	struct options o = { .mode = KS_MODE_KERNEL };
	struct selector *sel = NULL;
	struct collect col;
	struct ks_report r;
	char err[512];
	int c, nsel = 0, rc;

	glue_release();		/* left over by an interrupted command */

	while ((c = getopt(argcnt, args, "vjsRm:pf:")) != EOF) {
		switch (c) {
		case 'v':
			o.verbose = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 's':
			o.summary = 1;
			break;
		case 'R':
			o.read_only = 1;
			break;
		case 'm':
			if (ks_mode_parse(optarg, &o.mode)) {
				error(INFO, "unknown mode \"%s\": use kernel or strict\n",
				      optarg);
				return;
			}
			break;
		case 'p':
			o.livepatch = 1;
			break;
		case 'f':
			o.functions = optarg;
			break;
		default:
			argerrs++;
			break;
		}
	}
	if (argerrs)
		cmd_usage(pc->curcmd, SYNOPSIS);	/* does not return */
	if (o.functions && !strpbrk(o.functions, "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.:")) {
		/* "", ",,,": a mistake, never a plain transition report */
		error(INFO, "-f \"%s\": no function names (func or module:func, "
		      "comma-separated)\n", o.functions);
		return;
	}
	if (o.json && o.summary) {
		error(INFO, "-j and -s do not combine: the JSON report lists every task\n");
		return;
	}
	if (o.read_only && (o.json || o.summary || o.verbose)) {
		error(INFO, "-R only reads the stacks: it prints no report\n");
		return;
	}

	/* Selectors: GETBUF memory is crash's and freed on any exit. */
	if (argcnt > optind) {
		sel = (struct selector *)GETBUF(sizeof(*sel) * (size_t)(argcnt - optind));
		for (int i = optind; i < argcnt && args[i]; i++) {
			if (parse_selector(args[i], &sel[nsel])) {
				error(INFO, "\"%s\" is neither a PID nor a task address\n",
				      args[i]);
				return;
			}
			nsel++;
		}
	}

	/* Ask before anything is allocated: get_active_set() may longjmp
	 * on a dump whose runqueues it cannot read. */
	glue.active_known = VALID_MEMBER(task_struct_has_cpu) ||
			    VALID_MEMBER(task_struct_cpus_runnable) ||
			    get_active_set();

	glue.k = open_kernel(err, sizeof(err));
	if (!glue.k) {
		error(INFO, "cannot use this dump: %s\n", err);
		glue_release();
		return;
	}
	glue.res = malloc(sizeof(*glue.res));
	if (!glue.res) {
		error(INFO, "out of memory\n");
		glue_release();
		return;
	}

	/* First the list, then the walks: the list's problems are reported
	 * before the report starts, and PIDs are matched on the way. */
	col = (struct collect){ .k = glue.k, .sel = sel, .nsel = nsel };
	{
		char warn[512];

		rc = ks_task_foreach_checked(glue.k, collect_task, &col, warn, sizeof(warn),
					     err, sizeof(err));
		if (rc)
			diag(&o, "task list: %s (%zu tasks found)", err, glue.ntasks);
		if (warn[0])
			diag(&o, "warning: task list: %s", warn);
	}
	if (col.oom)
		diag(&o, "out of memory after %zu tasks: the list is incomplete",
		     glue.ntasks);
	for (int i = 0; i < nsel; i++) {
		if (sel[i].found)
			continue;
		if (!sel[i].is_task) {
			diag(&o, "PID %ld: not in the kernel's task list", sel[i].pid);
			continue;
		}
		/* An address the lists do not reach (an exiting task, a
		 * damaged list): walk it anyway, the user asked for it. */
		diag(&o, "task %#llx is not in the kernel's task list; walking it anyway",
		     (unsigned long long)sel[i].task);
		if (remember_task(sel[i].task)) {
			diag(&o, "out of memory");
			break;
		}
	}
	if (nsel && glue.ntasks == 0) {
		glue_release();
		return;
	}

	if (o.read_only) {
		read_stacks_only(glue.k);
		fflush(fp);
		glue_release();
		return;
	}
	if (o.livepatch || o.functions) {
		livepatch_triage(glue.k, &o);
		fflush(fp);
		glue_release();
		return;
	}

	memset(&r, 0, sizeof(r));
	r.out = fp;
	r.json = o.json;
	r.verbose = o.verbose;
	if (o.summary) {
		ks_summary_init(&glue.summary, o.mode);
		glue.summary_live = 1;
		fprintf(fp, "%s %s (%u.%u.%u), unwinder %s\n",
			ks_kernel_arch_name(glue.k), ks_kernel_release(glue.k),
			ks_kernel_version(glue.k) >> 16,
			(ks_kernel_version(glue.k) >> 8) & 0xff,
			ks_kernel_version(glue.k) & 0xff,
			ks_kernel_unwinder_name(glue.k));
	} else {
		ks_report_begin(&r, glue.k, o.mode);
	}
	for (size_t i = 0; i < glue.ntasks; i++)
		walk_one(glue.k, glue.tasks[i], &o, &r);
	if (o.summary)
		ks_summary_print(&glue.summary, fp, o.verbose);
	else
		ks_report_end(&r);
	fflush(fp);
	glue_release();
}

/* Called by crash's restore_sanity() before every command and after an
 * error: frees what an interrupted klpstack command left behind. */
static void cmd_klpstack_cleanup(void)
{
	glue_release();
}

static char *help_klpstack[] = {
"klpstack",
"which tasks block a livepatch transition, and why",
"[-v] [-j] [-s] [-m kernel|strict] [-p | -f func[,func...]] [pid | taskp] ...",
"  This command walks the kernel stack of every task, or of the tasks",
"  given, with the rules of the kernel's reliable stack walker",
"  (arch_stack_walk_reliable), the one livepatch uses to decide whether a",
"  task can switch to the new code.  Return addresses hidden behind the",
"  function-graph tracer (return_to_handler) and kretprobe/rethook",
"  trampolines are recovered as the kernel recovers them.  Each task gets",
"  a verdict:\n",
"      reliable  the kernel would accept this stack.",
"    unreliable  the kernel would reject it; the rule that failed and the",
"                frame it failed at are shown.",
"       running  on a CPU when the dump was taken: livepatch does not walk",
"                running tasks (-EBUSY).",
"      no-stack  the task has no stack (it has exited).",
"         error  the dump does not hold what the walk needs.\n",
"  The task list is read from the kernel (each CPU's idle task, then",
"  init_task.tasks and every thread group), not from crash's task table.\n",
"       pid  walk the task with this PID (decimal; 0 selects every idle task).",
"     taskp  walk the task at this hexadecimal task_struct address.",
"        -v  list every frame with its labels (ftrace-graph, kretprobe,",
"            preempted, exception, interrupted, user-entry, kthread-start).",
"        -j  print one JSON document (schema klpstack/1) with every frame.",
"        -s  summary: group the tasks with identical stacks (same verdict,",
"            same failed rule, same frame symbols), one line per group with",
"            its count and first PIDs, most common first; then the counts of",
"            verdicts and labels.  With -v each group's frames are listed.",
"   -m mode  kernel: what that kernel's walker concludes (default).",
"            strict: also reject stacks whose caller stayed hidden behind a",
"            trampoline without its shadow-stack entry or instance.",
"        -p  livepatch triage: for the patch in transition, every task that",
"            blocks it with the kernel's own reason (is running, has an",
"            unreliable stack, is sleeping on function F: the frame that",
"            matched and whether it matched the original code, the previous",
"            patch's or the new one), then the blockers grouped by reason",
"            and function, most common first.  With -v also the tasks that",
"            switched or would switch; with -j as JSON (klpstack-livepatch/1).",
"   -f list  what-if: which tasks would block a patch of these functions",
"            now (comma-separated; func or module:func), same output as -p.",
"\n  A benchmarking aid, -R, reads every selected task's stack pages",
"  (task->stack, THREAD_SIZE bytes) and prints only how much it read: the",
"  cost of fetching the stacks from the dump, without walking them (see",
"  bench/README.md in the klpstack sources).",
"\nEXAMPLES",
"  Walk every task:\n",
"    %s> klpstack",
"    x86_64 6.1.0-56-cloud-amd64 (6.1.192), unwinder orc, mode kernel",
"         PID  COMM             TASK                VERDICT     REASON",
"           0  swapper/0        0xffffffff87e1aa40  reliable",
"           0  swapper/1        0xff1939e00125c180  reliable",
"           1  klpt-truth       0xff1939e0011f20c0  reliable",
"           2  kthreadd         0xff1939e0011f0000  reliable",
"         ...",
"         111  klpt-busy        0xff1939e0100d20c0  running     running on CPU 1 at dump time",
"         112  klpt-busy        0xff1939e010758000  reliable",
"         113  klpt-busy        0xff1939e01075c180  running     running on CPU 0 at dump time",
"         114  klpt-busy        0xff1939e01075a0c0  reliable",
"    tasks 75: reliable 73, unreliable 0, running 2, no-stack 0, error 0",
"\n  Show the frames of one task; its callers hidden behind return_to_handler",
"  and the kretprobe trampoline were recovered:\n",
"    %s> klpstack -v 101",
"    x86_64 6.1.0-56-cloud-amd64 (6.1.192), unwinder orc, mode kernel",
"         PID  COMM             TASK                VERDICT     REASON",
"         101  klpt-select      0xff1939e010164180  reliable",
"              #0   0xffffffff86e10e3d  __schedule+0x34d",
"              #1   0xffffffff86e1154a  schedule+0x5a",
"              #2   0xffffffff86e17002  schedule_hrtimeout_range_clock+0x112",
"              #3   0xffffffff867696ac  do_select+0x67c",
"              #4   0xffffffff8676a7da  core_sys_select+0x1ba                            [ftrace-graph]",
"              #5   0xffffffff8676ac39  do_pselect.constprop.0+0xe9                      [kretprobe]",
"              #6   0xffffffff8676ad95  __x64_sys_pselect6+0x65",
"              #7   0xffffffff86e03f4d  do_syscall_64+0x5d",
"              #8   0xffffffff87000126  entry_SYSCALL_64_after_hwframe+0x6e              [user-entry]",
"    tasks 1: reliable 1, unreliable 0, running 0, no-stack 0, error 0",
"\n  Group identical stacks, most common first:\n",
"    %s> klpstack -s",
"    x86_64 6.1.0-56-cloud-amd64 (6.1.192), unwinder orc",
"    75 tasks, 33 distinct stacks (mode kernel)",
"     TASKS  VERDICT   PIDS                     STACK (innermost first)",
"        20  reliable  3,4,5,6,10,26,33,36 +12  __schedule <- schedule <- rescuer_thread <- kthread <- ret_from_fork",
"        13  reliable  7,8,9,17,22,23,28,30 +5  __schedule <- schedule <- worker_thread <- kthread <- ret_from_fork",
"         6  reliable  14,16,18,19,20,21        __schedule <- schedule <- smpboot_thread_fn <- kthread <- ret_from_fork",
"         4  reliable  1,103,104,108            __schedule <- schedule <- __x64_sys_pause <- do_syscall_64 <- entry_SYSCALL_64_after_hwframe",
"         2  running   111,113                  -",
"         ...",
"         1  reliable  112                      __schedule <- preempt_schedule_common <- __cond_resched <- read_zero <- vfs_read <- ksys_read <- do_syscall_64 <- entry_SYSCALL_64_after_hwframe",
"",
"    verdicts: reliable 73, unreliable 0, running 2, no-stack 0, error 0",
"    labels: ftrace-graph 6 tasks (6 frames), kretprobe 4 tasks (4 frames), exception 1 task (1 frame), user-entry 20 tasks (20 frames), kthread-start 53 tasks (53 frames)",
"\n  A task whose stack page is missing from the dump:\n",
"    %s> klpstack 95",
"    x86_64 6.1.0-56-cloud-amd64 (6.1.192), unwinder orc, mode kernel",
"         PID  COMM             TASK                VERDICT     REASON",
"          95  klpt-nanosleep   0xff1939e001b84180  error       DUMP_UNREADABLE: stack word at 0xff631031c03dbc98 is not in the dump",
"    tasks 1: reliable 0, unreliable 0, running 0, no-stack 0, error 1",
"\n  Write the JSON report (schema klpstack/1) to a file:\n",
"    %s> klpstack -j > klpstack.json",
NULL
};

static struct command_table_entry command_table[] = {
	{ "klpstack", cmd_klpstack, help_klpstack, 0 },
	/* Not a command users type: crash calls CLEANUP entries from
	 * restore_sanity() and hides them from "help". */
	{ "klpstack_cleanup", cmd_klpstack_cleanup, NULL, CLEANUP },
	{ NULL, NULL, NULL, 0 },
};

static void __attribute__((constructor)) klpstack_init(void)
{
	/* defs.h's structures differ per target: an extension built for
	 * another architecture would misread all of them. */
	if (!machine_type(KS_GLUE_MACHINE)) {
		error(INFO, "klpstack.so was built for %s, this crash is for %s\n",
		      KS_GLUE_MACHINE, pc->machine_type ? pc->machine_type : "?");
		return;
	}
	register_extension(command_table);
}

static void __attribute__((destructor)) klpstack_fini(void)
{
	glue_release();
}
