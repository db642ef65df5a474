/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the arch-neutral core: byte order, version and sample
 * parsing, module symbols, the fgraph and kretprobe searches, the task-list walk and its
 * bounds, the reports.  Closing line: "unit: N passed, N failed".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <unistd.h>
#include "core.h"
#include "byteorder.h"
#include "sample.h"
#include "../../extensions/elfsyms.h"

#include "../check.h"

static int passed, failed;


static struct ks_sample *load(const char *text, char *err, size_t len)
{
	return ks_sample_parse(text, strlen(text), "t", err, len);
}

static void test_byte_order(void)
{
	static const unsigned char b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ks_kernel le = { .big_endian = 0 }, be = { .big_endian = 1 };

	CHECK(ks_get_u64(&le, b) == 0x0807060504030201ull, "le u64");
	CHECK(ks_get_u64(&be, b) == 0x0102030405060708ull, "be u64");
	CHECK(ks_get_u32(&be, b) == 0x01020304u, "be u32");
	CHECK(ks_get_u16(&le, b) == 0x0201u, "le u16");
}

static void test_sample_errors(void)
{
	char err[256];
	struct ks_sample *s;

	s = load("kernel 6.1\n", err, sizeof(err));
	CHECK(!s && strstr(err, "t:1:") && strstr(err, "arch"), "arch first: %s", err);
	s = load("arch x86_64\nkernel 6.1\nsym foo zz 10\n", err, sizeof(err));
	CHECK(!s && strstr(err, "t:3:") && strstr(err, "not a number"), "bad number: %s", err);
	s = load("arch s390x\nkernel 6.1\nfrobnicate\n", err, sizeof(err));
	CHECK(!s && strstr(err, "unknown directive"), "unknown directive: %s", err);
	s = load("arch s390x\n", err, sizeof(err));
	CHECK(!s && strstr(err, "kernel"), "kernel required: %s", err);
	s = load("arch s390x\nkernel 6.1\nexpect verdict=reliable\n", err, sizeof(err));
	CHECK(!s && strstr(err, "before any 'task'"), "expect before task: %s", err);
	s = load("arch s390x\nkernel 6.1\nmem 0xffffffffffffffff 1 2\n", err, sizeof(err));
	CHECK(!s && strstr(err, "wraps"), "wrap: %s", err);
	s = load("arch s390x\nkernel 6.1\ntask pid=1 bogus=2\n", err, sizeof(err));
	CHECK(!s && strstr(err, "unknown key"), "task key: %s", err);
}

static void test_sample_memory(void)
{
	char err[256];
	unsigned char buf[16];
	struct ks_sample *s = load("arch s390x\nkernel 6.1\nmem 0x1000 0x0102030405060708 9\n"
				   "mem32 0x2000 0xaabbccdd\n", err, sizeof(err));
	CHECK(s != NULL, "load: %s", err);
	if (!s)
		return;
	const struct ks_target *t = ks_sample_target(s);
	CHECK(t->ops->read(t->priv, 0x1000, buf, 16) == 0 && buf[0] == 1 && buf[7] == 8 &&
	      buf[15] == 9, "big-endian words, contiguous");
	CHECK(t->ops->read(t->priv, 0x1008, buf, 9) != 0, "read past the end fails");
	CHECK(t->ops->read(t->priv, 0x2000, buf, 4) == 0 && buf[0] == 0xaa, "mem32");
	CHECK(t->ops->read(t->priv, 0xfff, buf, 2) != 0, "read before the start fails");
	ks_sample_free(s);
}

static void test_version(void)
{
	char err[256];
	struct ks_sample *s = load("arch x86_64\nkernel 6.11.3\nrelease 6.11.0-1-amd64\n",
				   err, sizeof(err));
	struct ks_kernel *k;
	CHECK(s != NULL, "load: %s", err);
	if (!s)
		return;
	k = ks_kernel_open(ks_sample_target(s), err, sizeof(err));
	CHECK(k != NULL, "open: %s", err);
	if (k) {
		CHECK(ks_kernel_version(k) == KS_VERSION(6, 11, 3), "version");
		CHECK(strcmp(ks_kernel_release(k), "6.11.0-1-amd64") == 0, "release");
		ks_kernel_close(k);
	}
	ks_sample_free(s);
}

/* A walk context on a sample, for calling the recovery searches. */
struct fixture {
	struct ks_sample *s;
	struct ks_kernel *k;
	struct ks_task task;
	struct ks_result res;
	struct ks_walk w;
};

static int fixture_open(struct fixture *f, const char *text)
{
	char err[256];
	memset(f, 0, sizeof(*f));
	f->s = load(text, err, sizeof(err));
	if (!f->s) {
		printf("fixture: %s\n", err);
		return -1;
	}
	f->k = ks_kernel_open(ks_sample_target(f->s), err, sizeof(err));
	if (!f->k) {
		printf("fixture: %s\n", err);
		ks_sample_free(f->s);
		return -1;
	}
	f->task = ks_sample_task(f->s, 0)->task;
	f->w.k = f->k;
	f->w.task = &f->task;
	f->w.res = &f->res;
	f->w.mode = KS_MODE_KERNEL;
	return 0;
}

static void fixture_close(struct fixture *f)
{
	ks_kernel_close(f->k);
	ks_sample_free(f->s);
}

static void set_error(struct ks_unwind_error *e, enum ks_rule rule,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_error(struct ks_unwind_error *e, enum ks_rule rule,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ks_unwind_error_vset(e, rule, fmt, ap);
	va_end(ap);
}

/* The unwinders' error record: the first error stays, it is reported on
 * the last frame emitted, a dump error gives the ERROR verdict. */
static void test_unwind_error(void)
{
	static struct ks_result res;
	struct ks_unwind_error e;
	struct ks_walk w;

	memset(&w, 0, sizeof(w));
	memset(&e, 0, sizeof(e));
	memset(&res, 0, offsetof(struct ks_result, frames));
	res.verdict = KS_VERDICT_RELIABLE;
	res.rule_frame = -1;
	w.res = &res;

	CHECK(!ks_unwind_error_is_set(&e), "zeroed: no error");
	ks_walk_unwind_error(&w, &e);
	CHECK(res.verdict == KS_VERDICT_RELIABLE, "no error, nothing reported");

	set_error(&e, KS_RULE_ORC_NO_ENTRY, "no ORC entry for %#llx", 0x10ull);
	set_error(&e, KS_RULE_ORC_UNDEFINED, "second");
	CHECK(e.rule == KS_RULE_ORC_NO_ENTRY && strcmp(e.msg, "no ORC entry for 0x10") == 0,
	      "the first error stays: %s", e.msg);
	ks_walk_unwind_error(&w, &e);
	CHECK(res.verdict == KS_VERDICT_UNRELIABLE && res.rule == KS_RULE_ORC_NO_ENTRY &&
	      res.rule_frame == -1 && strcmp(res.message, e.msg) == 0,
	      "reported before any frame: frame %d", res.rule_frame);

	memset(&e, 0, sizeof(e));
	memset(&res, 0, offsetof(struct ks_result, frames));
	res.verdict = KS_VERDICT_RELIABLE;
	res.nframes = 3;
	set_error(&e, KS_RULE_DUMP_UNREADABLE, "stack word at %#llx is not in the dump", 0x20ull);
	ks_walk_unwind_error(&w, &e);
	CHECK(res.verdict == KS_VERDICT_ERROR && res.rule == KS_RULE_DUMP_UNREADABLE &&
	      res.rule_frame == 2, "dump error on the last frame: verdict %d frame %d",
	      (int)res.verdict, res.rule_frame);
}

static void test_fgraph_struct_array(void)
{
	struct fixture f;
	int found;
	kaddr_t r;
	/* 6.1 layout: entries of 32 bytes, ret @0, retp @24; curr = 1 */
	const char *text =
		"arch x86_64\nkernel 6.1.115\n"
		"sym return_to_handler 0xffffffff81001000 0x40\n"
		"member task_struct ret_stack 0x100\nmember task_struct curr_ret_stack 0x108\n"
		"type ftrace_ret_stack 32\nmember ftrace_ret_stack ret 0\nmember ftrace_ret_stack retp 24\n"
		"mem 0x5100 0x9000\nmem32 0x5108 1\n"
		"mem 0x9000 0xffffffff81100010 0 0 0xffffc90000003f00\n"
		"mem 0x9020 0xffffffff81200020 0 0 0xffffc90000003f80\n"
		"task task=0x5000 pid=7 stack=0xffffc90000000000 ksp=0xffffc90000003e00\n";
	if (fixture_open(&f, text)) {
		failed++;
		return;
	}
	r = ks_fgraph_ret_addr(&f.w, 0xffffffff81001000, 0xffffc90000003f80, &found);
	CHECK(found && r == 0xffffffff81200020, "entry 1 by retp");
	r = ks_fgraph_ret_addr(&f.w, 0xffffffff81001000, 0xffffc90000003f00, &found);
	CHECK(found && r == 0xffffffff81100010, "entry 0 by retp");
	r = ks_fgraph_ret_addr(&f.w, 0xffffffff81001000, 0xffffc90000003000, &found);
	CHECK(!found && r == 0xffffffff81001000, "no entry: unchanged");
	r = ks_fgraph_ret_addr(&f.w, 0xffffffff81000500, 0xffffc90000003f00, &found);
	CHECK(!found && r == 0xffffffff81000500, "not return_to_handler: unchanged");
	fixture_close(&f);
}

static void test_fgraph_word_array(void)
{
	struct fixture f;
	int found;
	kaddr_t r;
	/*
	 * 6.11+: frames of 4 words (ret, func, fp, retp) + a bitmap word
	 * whose low 10 bits point back 4 words to the frame.  Two frames:
	 * words 0-3 frame A, word 4 bitmap (back 4), words 5-8 frame B,
	 * word 9 bitmap (back 4); curr_ret_stack = 10.  Frame B is a tail
	 * call duplicate (ret = return_to_handler) with the same retp as A.
	 */
	const char *text =
		"arch x86_64\nkernel 6.12.0\n"
		"sym return_to_handler 0xffffffff81001000 0x40\n"
		"member task_struct ret_stack 0x100\nmember task_struct curr_ret_stack 0x108\n"
		"type ftrace_ret_stack 32\nmember ftrace_ret_stack ret 0\nmember ftrace_ret_stack retp 24\n"
		"mem 0x5100 0x9000\nmem32 0x5108 10\n"
		"mem 0x9000 0xffffffff81100010 0 0 0xffffc90000003f00 0x404\n"
		"mem 0x9028 0xffffffff81001000 0 0 0xffffc90000003f00 0x404\n"
		"task task=0x5000 pid=7 stack=0xffffc90000000000 ksp=0xffffc90000003e00\n";
	if (fixture_open(&f, text)) {
		failed++;
		return;
	}
	r = ks_fgraph_ret_addr(&f.w, 0xffffffff81001000, 0xffffc90000003f00, &found);
	CHECK(found && r == 0xffffffff81100010, "skips the tail-call frame: %llx",
	      (unsigned long long)r);
	CHECK(f.w.graph_idx == 0, "cursor at frame A (%ld)", f.w.graph_idx);
	fixture_close(&f);

	/* A corrupt back offset must end the search, not loop. */
	const char *bad =
		"arch x86_64\nkernel 6.12.0\n"
		"sym return_to_handler 0xffffffff81001000 0x40\n"
		"member task_struct ret_stack 0x100\nmember task_struct curr_ret_stack 0x108\n"
		"type ftrace_ret_stack 32\nmember ftrace_ret_stack ret 0\nmember ftrace_ret_stack retp 24\n"
		"mem 0x5100 0x9000\nmem32 0x5108 5\n"
		"mem 0x9000 0 0 0 0 0x3ff\n"
		"task task=0x5000 pid=7 stack=0xffffc90000000000 ksp=0xffffc90000003e00\n";
	if (fixture_open(&f, bad)) {
		failed++;
		return;
	}
	r = ks_fgraph_ret_addr(&f.w, 0xffffffff81001000, 0x1234, &found);
	CHECK(!found, "corrupt offset: not found");
	fixture_close(&f);
}

static void test_rethook(void)
{
	struct fixture f;
	int found;
	kaddr_t r;
	/* rethook_node: llist @16, ret_addr @32, frame @40.  Node 1 is a
	 * nested instance (ret_addr = trampoline) and must be skipped; the
	 * list then loops back to itself, which must stay bounded. */
	const char *text =
		"arch x86_64\nkernel 6.1.115\n"
		"sym arch_rethook_trampoline 0xffffffff81002000 0x20\n"
		"member task_struct rethooks 0x200\n"
		"member rethook_node llist 16\nmember rethook_node ret_addr 32\nmember rethook_node frame 40\n"
		"mem 0x5200 0x8010\n"
		"mem 0x8010 0x8110 0 0xffffffff81002000 0xffffc90000003f00\n"
		"mem 0x8110 0x8110 0 0xffffffff81300030 0xffffc90000003f58\n"
		"task task=0x5000 pid=7 state=1 stack=0xffffc90000000000 ksp=0xffffc90000003e00\n";
	if (fixture_open(&f, text)) {
		failed++;
		return;
	}
	r = ks_kretprobe_ret_addr(&f.w, 0xffffffff81002000, 0xffffc90000003f58, &found);
	CHECK(found && r == 0xffffffff81300030, "rethook by frame");
	f.w.kr_cur = 0;
	r = ks_kretprobe_ret_addr(&f.w, 0xffffffff81002000, 0xdead, &found);
	CHECK(!found && r == 0xffffffff81002000, "no match in a looping list: bounded, unchanged");
	/* rethook_find_ret_addr() refuses a TASK_RUNNING task (kernel mode) */
	f.task.state = 0;
	f.w.kr_cur = 0;
	r = ks_kretprobe_ret_addr(&f.w, 0xffffffff81002000, 0xffffc90000003f58, &found);
	CHECK(!found, "running task: kernel would not recover");
	f.w.mode = KS_MODE_STRICT;
	f.w.kr_cur = 0;
	r = ks_kretprobe_ret_addr(&f.w, 0xffffffff81002000, 0xffffc90000003f58, &found);
	CHECK(found, "running task: strict recovers");
	fixture_close(&f);
}

static int count_task(void *arg, kaddr_t task)
{
	(void)task;
	(*(int *)arg)++;
	return 0;
}

static int count_task_long(void *arg, kaddr_t task)
{
	(void)task;
	(*(long *)arg)++;
	return 0;
}

static void test_task_list(void)
{
	struct fixture f;
	char err[256];
	int n = 0;
	/* init_task @0x1000, tasks @0x10; leader A @0x2000 (tasks 0x2010),
	 * whose next points to itself: a loop that never returns to the
	 * head.  thread_group @0x20 (<6.6 layout) circular through A only. */
	const char *text =
		"arch x86_64\nkernel 6.1.115\n"
		"sym init_task 0x1000 0 data\n"
		"member task_struct tasks 0x10\nmember task_struct thread_group 0x20\n"
		"mem 0x1010 0x2010\nmem 0x2010 0x2010\nmem 0x2020 0x2020\n"
		"task task=0x1000 pid=0\n";
	if (fixture_open(&f, text)) {
		failed++;
		return;
	}
	CHECK(ks_task_foreach(f.k, count_task, &n, err, sizeof(err)) == -1 &&
	      strstr(err, "loop"), "looping task list ends with an error: %s", err);
	CHECK(n > 1, "tasks found before the loop was seen are reported (%d)", n);
	fixture_close(&f);
}

/* A long, healthy list: the set of tasks met grows past its first size
 * and still reports every task once. */
static void test_task_list_long(void)
{
	enum { N = 3000 };
	struct fixture f;
	char err[256], warn[256];
	size_t cap = 256 + (size_t)N * 64, used;
	char *text = malloc(cap);
	long n = 0;

	if (!text) {
		failed++;
		return;
	}
	used = (size_t)snprintf(text, cap, "arch x86_64\nkernel 6.1.115\n"
				"sym init_task 0x1000 0 data\n"
				"member task_struct tasks 0x10\n"
				"mem 0x1010 0x100010\ntask task=0x1000 pid=0\n");
	/* task i at 0x100000 + i * 0x100, its tasks node at +0x10 */
	for (int i = 0; i < N; i++)
		used += (size_t)snprintf(text + used, cap - used, "mem %#x %#x\n",
					 0x100010 + i * 0x100,
					 i + 1 < N ? 0x100010 + (i + 1) * 0x100 : 0x1010);
	if (fixture_open(&f, text)) {
		free(text);
		failed++;
		return;
	}
	CHECK(ks_task_foreach_checked(f.k, count_task_long, &n, warn, sizeof(warn), err,
				      sizeof(err)) == 0,
	      "a long healthy list walks without an error: %s", err);
	CHECK(n == N + 1, "every task once: %ld of %d", n, N + 1);
	fixture_close(&f);
	free(text);
}

/* task_struct fields read by their member sizes: 7.x made on_cpu a u8
 * followed by on_rq, is_blocked and padding; a 4-byte read of a sleeper
 * with is_blocked set would call it running. */
static void test_on_cpu_u8(void)
{
	struct fixture f;
	struct ks_task t;
	char err[256];
	/* task @0x2000: stack @0x28 -> 0x10000, thread.sp @0x40 + 0,
	 * on_cpu u8 @0x30 = 0, on_rq u8 = 1, is_blocked u8 = 1 */
	const char *text =
		"arch x86_64\nkernel 7.2.13\n"
		"sym init_task 0x1000 0 data\n"
		"member task_struct pid 0x10\nmember task_struct comm 0x50\n"
		"member task_struct stack 0x28\nmember task_struct thread 0x40\n"
		"member thread_struct sp 0\n"
		"mem32 0x2010 7\nbytes 0x2050 6b6c707400000000000000000000000000\n"
		"member task_struct on_cpu 0x30 1\n"
		"mem 0x2028 0x10000\nmem 0x2040 0x13f00\n"
		"bytes 0x2030 00010100\n"
		"task task=0x2000 pid=7\n";
	if (fixture_open(&f, text)) {
		failed++;
		return;
	}
	CHECK(ks_task_read(f.k, 0x2000, &t, err, sizeof(err)) == 0, "task read: %s", err);
	CHECK(t.on_cpu == 0, "u8 on_cpu = 0 with is_blocked set is not running");
	fixture_close(&f);
}

/* THREAD_SIZE from init_stack .. __end_init_stack (the 6.10 name of
 * __end_init_task): a KASAN kernel's 32 KiB, not the 16 KiB default. */
static void test_thread_size_end_init_stack(void)
{
	struct fixture f;
	const char *text =
		"arch x86_64\nkernel 6.12.117\n"
		"sym init_stack 0xffffffff82000000 0 data\n"
		"sym __end_init_stack 0xffffffff82008000 0 data\n"
		"task task=0x2000 pid=7\n";
	if (fixture_open(&f, text)) {
		failed++;
		return;
	}
	CHECK(f.k->thread_size == 0x8000, "THREAD_SIZE %#llx, expected 0x8000",
	      (unsigned long long)f.k->thread_size);
	fixture_close(&f);
}

/* The upstream version behind distribution release strings. */
static void test_version_from_banner(void)
{
	static const struct {
		const char *release, *banner;
		uint32_t want;
	} cases[] = {
		{ "6.1.0-27-cloud-amd64",
		  "Linux version 6.1.0-27-cloud-amd64 (debian-kernel@lists.debian.org) "
		  "(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) "
		  "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)", KS_VERSION(6, 1, 115) },
		{ "5.10.0-46-cloud-amd64",
		  "Linux version 5.10.0-46-cloud-amd64 (debian-kernel@lists.debian.org) "
		  "(gcc-10 (Debian 10.2.1-6) 10.2.1 20210110) #1 SMP Debian 5.10.244-1 (2025-10-01)",
		  KS_VERSION(5, 10, 244) },
		{ "7.2.13+deb14-cloud-amd64",
		  "Linux version 7.2.13+deb14-cloud-amd64 (debian-kernel@lists.debian.org) "
		  "(x86_64-linux-gnu-gcc-16 (Debian 16.1.0-3) 16.1.0) #1 SMP PREEMPT_DYNAMIC "
		  "Debian 7.2.13-1 (2026-11-20)", KS_VERSION(7, 2, 13) },
		{ "5.15.0-91-generic",
		  "Linux version 5.15.0-91-generic (buildd@lcy02-amd64-045) (gcc (Ubuntu "
		  "11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #101-Ubuntu "
		  "SMP Tue Nov 14 13:30:08 UTC 2023 (Ubuntu 5.15.0-91.101-generic 5.15.131)",
		  KS_VERSION(5, 15, 131) },
		{ "5.14.0-503.11.1.el9_5.x86_64",
		  "Linux version 5.14.0-503.11.1.el9_5.x86_64 (mockbuild@x86-64-01) (gcc (GCC) "
		  "11.5.0 20240719 (Red Hat 11.5.0-2)) #1 SMP PREEMPT_DYNAMIC Tue Oct 22 2024", 0 },
		{ "6.4.0-150600.23.25-default",
		  "Linux version 6.4.0-150600.23.25-default (geeko@buildhost) (gcc (SUSE Linux) "
		  "7.5.0) #1 SMP PREEMPT_DYNAMIC Tue Oct 1 2024 (8f2b4d1)", 0 },
		{ "6.12.117", "Linux version 6.12.117 (me@host) (gcc 14.2.0) #3 SMP", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = ks_version_from_banner(cases[i].banner, cases[i].release);
		CHECK(v == cases[i].want, "banner of %s: %#x, expected %#x",
		      cases[i].release, v, cases[i].want);
	}
}

static void test_json_escape(void)
{
	char err[256];
	char *buf = NULL;
	size_t len = 0;
	struct ks_sample *s = load("arch x86_64\nkernel 6.1\ntask pid=3 comm=a\"b\\c on_cpu=1\n",
				   err, sizeof(err));
	struct ks_kernel *k;
	struct ks_result *res = malloc(sizeof(*res));
	FILE *out;

	CHECK(s && res, "load: %s", err);
	if (!s || !res) {
		free(res);
		ks_sample_free(s);
		return;
	}
	k = ks_kernel_open(ks_sample_target(s), err, sizeof(err));
	out = open_memstream(&buf, &len);
	if (k && out) {
		struct ks_report r = { .out = out, .json = 1 };
		ks_report_begin(&r, k, KS_MODE_KERNEL);
		ks_walk_task(k, &ks_sample_task(s, 0)->task, KS_MODE_KERNEL, res);
		ks_report_task(&r, res);
		ks_report_end(&r);
		fclose(out);
		CHECK(strstr(buf, "\"comm\":\"a\\\"b\\\\c\"") != NULL, "escaped comm: %s", buf);
		CHECK(strstr(buf, "\"verdict\":\"running\"") != NULL, "running verdict");
		CHECK(strstr(buf, "\"schema\":\"klpstack/1\"") != NULL, "schema");
		free(buf);
	}
	ks_kernel_close(k);
	ks_sample_free(s);
	free(res);
}

/* A symbol table of up to 8 entries sorted by address, for the alias
 * rule: symbols_at hands out every entry at the highest address <= addr. */
struct table {
	struct ks_symbol s[8];
	int n;
};

static int table_symbols_at(void *priv, kaddr_t addr, struct ks_symbol *out, int max)
{
	const struct table *t = priv;
	kaddr_t best = 0;
	int found = 0, n = 0;

	for (int i = 0; i < t->n; i++)
		if (t->s[i].value <= addr && (!found || t->s[i].value > best)) {
			best = t->s[i].value;
			found = 1;
		}
	if (!found)
		return -1;
	for (int i = 0; i < t->n; i++)
		if (t->s[i].value == best) {
			if (n < max)
				out[n] = t->s[i];
			n++;
		}
	return n;
}

static const char *name_of(struct table *t, kaddr_t addr)
{
	static const struct ks_target_ops ops = { .symbols_at = table_symbols_at };
	struct ks_target tg = { .ops = &ops, .priv = t };
	static struct ks_symbol s;

	return ks_symbolize(&tg, addr, &s) == 0 ? s.name : "?";
}

#define SYM(n, v, ty, m, o) ((struct ks_symbol){ .name = (n), .value = (v), .type = (ty), .module = (m), .order = (o) })

static void test_alias_rule(void)
{
	struct table t;

	/* vmlinux: weak last, then linker markers, underscores, name */
	t = (struct table){ .n = 4, .s = {
		SYM("__noinstr_text_start", 0x100, 'T', NULL, -1),
		SYM("__do_pgm_check", 0x100, 'T', NULL, -1),
		SYM("__se_sys_clock_nanosleep", 0x200, 'T', NULL, -1),
		SYM("__s390x_sys_clock_nanosleep", 0x200, 'T', NULL, -1) } };
	CHECK(strcmp(name_of(&t, 0x150), "__do_pgm_check") == 0, "marker last: %s", name_of(&t, 0x150));
	CHECK(strcmp(name_of(&t, 0x200), "__s390x_sys_clock_nanosleep") == 0, "nm order: %s", name_of(&t, 0x200));
	CHECK(strcmp(name_of(&t, 0xff), "?") == 0, "below every symbol");
	t = (struct table){ .n = 3, .s = {
		SYM("a_weak", 0x100, 'W', NULL, -1),
		SYM("__strong", 0x100, 't', NULL, -1),
		SYM("_stext", 0x100, 'D', NULL, -1) } };
	CHECK(strcmp(name_of(&t, 0x100), "__strong") == 0, "weak and data last: %s", name_of(&t, 0x100));
	/* a weak object ('V') is not weak to kallsyms */
	t = (struct table){ .n = 2, .s = {
		SYM("b_obj", 0x100, 'V', NULL, -1), SYM("__c", 0x100, 'D', NULL, -1) } };
	CHECK(strcmp(name_of(&t, 0x100), "b_obj") == 0, "weak object: %s", name_of(&t, 0x100));
	/* only symbols kallsyms drops at the address: the one below names it */
	t = (struct table){ .n = 3, .s = {
		SYM("func.cold", 0x100, 't', NULL, -1),
		SYM(".L123", 0x180, 't', NULL, -1), SYM("__crc_x", 0x180, 'A', NULL, -1) } };
	CHECK(strcmp(name_of(&t, 0x190), "func.cold") == 0, "ignored aliases: %s", name_of(&t, 0x190));
	/* modules: the symtab order alone, as find_kallsyms_symbol() */
	t = (struct table){ .n = 2, .s = {
		SYM("zz_weak", 0x100, 'W', "m", 3), SYM("aa", 0x100, 'T', "m", 7) } };
	CHECK(strcmp(name_of(&t, 0x100), "zz_weak") == 0, "module order: %s", name_of(&t, 0x100));
	t.s[0].order = t.s[1].order = -1;	/* order lost (crash) */
	CHECK(strcmp(name_of(&t, 0x100), "aa") == 0, "module without order: %s", name_of(&t, 0x100));

	CHECK(ks_sym_in_kallsyms("foo", 'T') && !ks_sym_in_kallsyms("foo", 'a') &&
	      !ks_sym_in_kallsyms("foo", 'U') && !ks_sym_in_kallsyms("__kstrtab_foo", 'R') &&
	      ks_sym_in_kallsyms("__gp", 'A') && !ks_sym_in_kallsyms("kallsyms_names", 'R'),
	      "kallsyms membership");
	/* nm letters: bind 0 local 1 global 2 weak, type 1 object 2 func */
	CHECK(ks_sym_nm_type(1, 2, 0, 0x6, 0) == 'T' && ks_sym_nm_type(0, 2, 0, 0x6, 0) == 't' &&
	      ks_sym_nm_type(2, 2, 0, 0x6, 0) == 'W' && ks_sym_nm_type(2, 1, 0, 0x3, 0) == 'V' &&
	      ks_sym_nm_type(1, 1, 0, 0x3, 1) == 'B' && ks_sym_nm_type(0, 0, 2, 0, 0) == 'a' &&
	      ks_sym_nm_type(1, 1, 0, 0x2, 0) == 'R', "nm letters");
}

/* A small ELF64 file: sections null, .text (code), .symtab, .strtab;
 * symbols: two aliases at 0x1000, a weak one at 0x1040, a local label
 * (kept out) at 0x1050.  Written to path, cut to cut bytes when cut > 0. */
static int write_elf(const char *path, long cut)
{
	static const char strtab[] = "\0__se_sys_x\0__s390x_sys_x\0w\0.L1\0_stext\0_text\0_end";
	unsigned char buf[1024];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh;
	Elf64_Sym *sy;
	size_t symoff = sizeof(*eh), stroff, shoff;
	struct { uint32_t name; unsigned char info; uint16_t ndx; uint64_t value; } s[] = {
		{ 1, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, 0x1000 },
		{ 12, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1, 0x1000 },
		{ 26, ELF64_ST_INFO(STB_WEAK, STT_FUNC), 1, 0x1040 },
		{ 28, ELF64_ST_INFO(STB_LOCAL, STT_NOTYPE), 1, 0x1050 },
		{ 32, ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE), 1, 0x1000 },
		{ 39, ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE), 1, 0x1000 },
		{ 45, ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE), 1, 0x2000 },
	};
	size_t nsym = sizeof(s) / sizeof(s[0]) + 1;
	FILE *f;

	memset(buf, 0, sizeof(buf));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;	/* the unit tests run on x86_64 */
	sy = (Elf64_Sym *)(buf + symoff);
	for (size_t i = 1; i < nsym; i++) {
		sy[i].st_name = s[i - 1].name;
		sy[i].st_info = s[i - 1].info;
		sy[i].st_shndx = s[i - 1].ndx;
		sy[i].st_value = s[i - 1].value;
	}
	stroff = symoff + nsym * sizeof(Elf64_Sym);
	memcpy(buf + stroff, strtab, sizeof(strtab));
	shoff = (stroff + sizeof(strtab) + 7) & ~(size_t)7;
	eh->e_shoff = shoff;
	eh->e_shnum = 4;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	sh = (Elf64_Shdr *)(buf + shoff);
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
	sh[1].sh_addr = 0x1000;
	sh[2].sh_type = SHT_SYMTAB;
	sh[2].sh_offset = symoff;
	sh[2].sh_size = nsym * sizeof(Elf64_Sym);
	sh[2].sh_entsize = sizeof(Elf64_Sym);
	sh[2].sh_link = 3;
	sh[3].sh_type = SHT_STRTAB;
	sh[3].sh_offset = stroff;
	sh[3].sh_size = sizeof(strtab);
	if (!(f = fopen(path, "wb")))
		return -1;
	fwrite(buf, 1, cut > 0 ? (size_t)cut : shoff + 4 * sizeof(Elf64_Shdr), f);
	return fclose(f);
}

static void test_elfsyms(void)
{
	char path[] = "/tmp/klpstack-unit-elfXXXXXX", err[256];
	struct ks_symbol out[8];
	struct ks_elfsyms *e;
	kaddr_t v;
	int fd = mkstemp(path), n;

	CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	close(fd);
	CHECK(write_elf(path, 0) == 0, "write elf");
	e = ks_elfsyms_open(path, err, sizeof(err));
	CHECK(e != NULL, "open: %s", err);
	if (e) {
		ks_elfsyms_relocate(e, 0x100);
		n = ks_elfsyms_at(e, 0x1120, out, 8);
		/* all four at 0x1000 (+0x100), sizes up to the weak one */
		CHECK(n == 4 && out[0].value == 0x1100 && out[0].size == 0x40 &&
		      out[0].type == 'T', "aliases: n=%d", n);
		n = ks_elfsyms_at(e, 0x1155, out, 8);	/* .L1 is not loaded */
		CHECK(n == 1 && strcmp(out[0].name, "w") == 0 && out[0].type == 'W',
		      "weak, label skipped: n=%d", n);
		CHECK(ks_elfsyms_at(e, 0x10ff, out, 8) == -1, "below the first symbol");
		CHECK(ks_elfsyms_value(e, "_end", &v) == 0 && v == 0x2000, "value by name");
		ks_elfsyms_close(e);
	}
	/* cut inside the section headers, then inside the symbols */
	CHECK(write_elf(path, 0x1a0) == 0, "write cut elf");
	e = ks_elfsyms_open(path, err, sizeof(err));
	CHECK(!e && err[0], "cut headers: %s", err);
	ks_elfsyms_close(e);
	CHECK(write_elf(path, 10) == 0, "write tiny file");
	e = ks_elfsyms_open(path, err, sizeof(err));
	CHECK(!e && strstr(err, "not an ELF64"), "tiny: %s", err);
	ks_elfsyms_close(e);
	e = ks_elfsyms_open("/nonexistent/vmlinux", err, sizeof(err));
	CHECK(!e && strstr(err, "/nonexistent/vmlinux"), "missing: %s", err);
	unlink(path);
}

/* One Elf64_Sym as a sample "bytes" line (little-endian). */
static void elf_sym_line(char *out, size_t len, kaddr_t at, uint32_t name,
			 unsigned info, uint16_t shndx, uint64_t value)
{
	unsigned char e[24] = { 0 };
	int n;

	ks_store_uint(e, name, 4, 0);
	e[4] = (unsigned char)info;
	ks_store_uint(e + 6, shndx, 2, 0);
	ks_store_uint(e + 8, value, 8, 0);
	n = snprintf(out, len, "bytes %#llx ", (unsigned long long)at);
	for (int i = 0; i < 24 && n > 0 && (size_t)n < len; i++)
		n += snprintf(out + n, len - (size_t)n, "%02x", e[i]);
	snprintf(out + n, len - (size_t)n, "\n");
}

/*
 * Module symbols as find_kallsyms_symbol() (kernel/module/kallsyms.c)
 * names addresses: module "m" with core text [0x1000, 0x2000) and init
 * text [0x9000, 0x9100), its own mod_kallsyms copy laid out here;
 * module "bad" whose copy is not in memory.
 */
static void test_module_symbols(void)
{
	static const struct { const char *name; unsigned info; uint16_t shndx; uint64_t value; } syms[] = {
		{ "", 0, 0, 0 },			/* ELF's null symbol */
		{ "zz", 0x12, 1, 0x1100 },		/* GLOBAL FUNC */
		{ "aa", 0x02, 1, 0x1100 },		/* LOCAL FUNC, same address */
		{ "undef", 0x10, 0, 0x1180 },		/* SHN_UNDEF: skipped */
		{ "$x", 0x00, 1, 0x1180 },		/* mapping symbol: skipped */
		{ "", 0x12, 1, 0x1180 },		/* unnamed: skipped */
		{ "next", 0x22, 1, 0x1200 },		/* WEAK FUNC */
		{ "last", 0x12, 1, 0x1800 },
		{ "init_fn", 0x12, 2, 0x9000 },
	};
	size_t nsyms = sizeof(syms) / sizeof(syms[0]), cap = 64 * 1024, len;
	char *text = malloc(cap), line[256], err[256], warn[256];
	uint32_t name_at = 1;
	struct ks_sample *s;
	struct ks_kernel *k;
	struct ks_symbol y;

	if (!text)
		return;
	len = (size_t)snprintf(text, cap,
		"arch x86_64\nkernel 6.1.115\n"
		"sym modules 0x10000 16 data\n"
		"member module list 8\nmember module name 24\n"
		"member module core_layout 0x140\nmember module init_layout 0x180\n"
		"member module_layout base 0\nmember module_layout text_size 12\n"
		"member module kallsyms 0x200\n"
		"member mod_kallsyms symtab 0\nmember mod_kallsyms num_symtab 8\n"
		"member mod_kallsyms strtab 16\n"
		"mem 0x10000 0x20008 0x30008\n"			/* LIST_HEAD(modules) */
		"mem 0x20008 0x30008 0x10000\n"			/* m.list */
		"mem 0x30008 0x10000 0x20008\n"			/* bad.list */
		"bytes 0x20018 6d00\nbytes 0x30018 62616400\n"	/* "m", "bad" */
		"mem 0x20140 0x1000\nmem32 0x2014c 0x1000\n"	/* core text */
		"mem 0x20180 0x9000\nmem32 0x2018c 0x100\n"	/* init text */
		"mem 0x30140 0x3000\nmem32 0x3014c 0x1000\n"
		"mem 0x20200 0x40000\nmem 0x30200 0x70000\n"	/* ->kallsyms */
		"mem 0x40000 0x40100\nmem32 0x40008 %zu\nmem 0x40010 0x50000\n",
		nsyms);
	for (size_t i = 0; i < nsyms; i++) {
		uint32_t at = syms[i].name[0] ? name_at : 0;

		elf_sym_line(line, sizeof(line), 0x40100 + 24 * i, at, syms[i].info,
			     syms[i].shndx, syms[i].value);
		len += (size_t)snprintf(text + len, cap - len, "%s", line);
		if (syms[i].name[0]) {
			len += (size_t)snprintf(text + len, cap - len, "bytes %#x ", 0x50000 + at);
			for (const char *c = syms[i].name; *c; c++)
				len += (size_t)snprintf(text + len, cap - len, "%02x", (unsigned char)*c);
			len += (size_t)snprintf(text + len, cap - len, "00\n");
			name_at += (uint32_t)strlen(syms[i].name) + 1;
		}
	}
	/* the string table's page ends in zeros, as a dump holds whole pages */
	for (kaddr_t a = 0x50000 + name_at; a < 0x51000; a += 32)
		len += (size_t)snprintf(text + len, cap - len,
					"bytes %#llx %064d\n", (unsigned long long)a, 0);
	s = load(text, err, sizeof(err));
	free(text);
	CHECK(s != NULL, "load: %s", err);
	if (!s)
		return;
	k = ks_kernel_open(ks_sample_target(s), err, sizeof(err));
	CHECK(k != NULL, "open: %s", err);
	if (!k) {
		ks_sample_free(s);
		return;
	}
	CHECK(ks_kernel_symbolize(k, 0x1150, &y) == 0 && strcmp(y.name, "zz") == 0 &&
	      y.value == 0x1100 && y.size == 0x100 && strcmp(y.module, "m") == 0 &&
	      y.order == 1, "first in symtab order, size to the next symbol");
	CHECK(ks_kernel_symbolize(k, 0x1190, &y) == 0 && strcmp(y.name, "zz") == 0,
	      "undefined, mapping and unnamed symbols skipped");
	CHECK(ks_kernel_symbolize(k, 0x1200, &y) == 0 && strcmp(y.name, "next") == 0 &&
	      y.type == 'W', "weak: %c", y.type);
	CHECK(ks_kernel_symbolize(k, 0x1fff, &y) == 0 && strcmp(y.name, "last") == 0 &&
	      y.size == 0x800, "last symbol: size to the text end (%#llx)",
	      (unsigned long long)y.size);
	CHECK(ks_kernel_symbolize(k, 0x1050, &y) == -1, "below the first symbol");
	CHECK(ks_kernel_symbolize(k, 0x9010, &y) == 0 && strcmp(y.name, "init_fn") == 0 &&
	      y.size == 0x100, "init text while initialising");
	CHECK(ks_module_symbol(k, "m", "aa") == 0x1100 && ks_module_symbol(k, NULL, "last") == 0x1800,
	      "by name");
	CHECK(ks_kernel_modules_warning(k, warn, sizeof(warn)) == 0, "no warning yet");
	CHECK(ks_module_symbol(k, "m", "undef") == 0 && ks_module_symbol(k, "m", "nope") == 0,
	      "undefined or absent: none");
	CHECK(ks_kernel_symbolize(k, 0x3010, &y) == KS_MODSYMS_UNREADABLE &&
	      y.module && strcmp(y.module, "bad") == 0, "unreadable: the module still named");
	CHECK(ks_kernel_modules_warning(k, warn, sizeof(warn)) == 1 &&
	      strcmp(warn, "symbols of module bad are not readable") == 0, "warning: %s", warn);
	ks_kernel_close(k);
	ks_sample_free(s);
}

int main(void)
{
	test_byte_order();
	test_sample_errors();
	test_sample_memory();
	test_version();
	test_fgraph_struct_array();
	test_fgraph_word_array();
	test_rethook();
	test_task_list();
	test_task_list_long();
	test_on_cpu_u8();
	test_version_from_banner();
	test_thread_size_end_init_stack();
	test_json_escape();
	test_alias_rule();
	test_elfsyms();
	test_module_symbols();
	test_unwind_error();
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
