/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pre-baked stack loader (format: samples/README.md).  A sample is a
 * ks_target like any dump: memory it does not describe is unreadable.
 * The parser takes any bytes (it is fuzzed) and either builds a sample
 * or says which line is wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "byteorder.h"
#include "sample.h"
#include "livepatch.h"

/* Bounds that keep a hostile sample small. */
#define MAX_LINE 4096
#define MAX_ARGS 64
#define MAX_SYMBOLS 8192
#define MAX_MEMBERS 4096
#define MAX_CHUNKS 65536
#define MAX_MEMORY (16u << 20)
#define MAX_NAME 128

struct sym {
	char name[MAX_NAME];
	char module[KS_MOD_LEN];
	kaddr_t addr;
	uint64_t size;
	int text;		/* 0 data, 1 text, 2 weak text */
};

struct member {
	char type[MAX_NAME];
	char member[MAX_NAME];	/* "" for a type's size */
	long offset;
	long size;
};

struct chunk {
	kaddr_t addr;
	size_t len;
	unsigned char *data;
};

struct ks_sample {
	char name[256];
	struct ks_target target;
	const struct ks_arch_ops *arch;
	const struct ks_sample_arch *sarch;	/* NULL: no own directives */
	char release[65];
	int no_reliable;
	struct sym *syms;
	int nsyms;
	struct member *members;
	int nmembers;
	struct chunk *chunks;
	int nchunks;
	size_t memory;
	struct ks_sample_task tasks[KS_SAMPLE_MAX_TASKS];
	int ntasks;
	char *whatif[64];
	int nwhatif;
	/* expect-tasklist: the kernel's task lists walked with their
	 * cross-checks (ks_task_foreach_checked) */
	struct {
		int line;	/* 0: no expectation */
		long tasks;
		int status;	/* 0 ok, 1 warning, 2 error */
		char match[64];
		int pids[64];
		int npids;	/* -1: not given */
	} tasklist;
	void *arch_state;
	/* parse state */
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct ks_sample *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ks_sample *s, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(s->err, s->errlen, "%s:%d: ", s->name, s->line);
	if (n < 0 || (size_t)n >= s->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int ks_sample_number(const char *str, int64_t *out)
{
	char *end;
	int neg = 0;
	unsigned long long v;

	if (!str || !*str)
		return -1;
	if (*str == '-') {
		neg = 1;
		str++;
	}
	if (!isdigit((unsigned char)*str))
		return -1;
	errno = 0;
	v = strtoull(str, &end, 0);
	if (errno || *end)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* ---- target operations ---- */

static int s_read(void *priv, kaddr_t addr, void *buf, size_t len)
{
	struct ks_sample *s = priv;
	unsigned char *out = buf;

	while (len) {
		int i;
		/* later lines override earlier ones */
		for (i = s->nchunks - 1; i >= 0; i--) {
			const struct chunk *c = &s->chunks[i];
			if (addr >= c->addr && addr - c->addr < c->len)
				break;
		}
		if (i < 0)
			return -1;
		const struct chunk *c = &s->chunks[i];
		size_t off = (size_t)(addr - c->addr);
		size_t n = c->len - off < len ? c->len - off : len;
		memcpy(out, c->data + off, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

static int s_lookup_symbol(void *priv, const char *name, kaddr_t *value)
{
	struct ks_sample *s = priv;
	for (int i = 0; i < s->nsyms; i++)
		if (!s->syms[i].module[0] && strcmp(s->syms[i].name, name) == 0) {
			*value = s->syms[i].addr;
			return 0;
		}
	/* Kernels with reliable stack traces have this function; a sample
	 * says "reliable-stacktrace no" to model one without. */
	if (!s->no_reliable && strcmp(name, "arch_stack_walk_reliable") == 0) {
		*value = 1;
		return 0;
	}
	return -1;
}

/* Every vmlinux symbol at the highest address <= addr, in the order the
 * sample lists them.  Module symbols are the core's to read: the sample
 * lays them out in memory as the kernel keeps them (module_kallsyms()).
 * Names live as long as the sample. */
static int s_symbols_at(void *priv, kaddr_t addr, struct ks_symbol *out, int max)
{
	struct ks_sample *s = priv;
	const struct sym *best = NULL;
	int n = 0;

	for (int i = 0; i < s->nsyms; i++) {
		const struct sym *y = &s->syms[i];
		if (!y->module[0] && y->addr <= addr && (!best || y->addr > best->addr))
			best = y;
	}
	if (!best)
		return -1;
	for (int i = 0; i < s->nsyms; i++) {
		const struct sym *y = &s->syms[i];

		if (y->module[0] || y->addr != best->addr)
			continue;
		if (n < max) {
			out[n].name = y->name;
			out[n].value = y->addr;
			out[n].size = y->size;
			out[n].module = NULL;
			out[n].type = y->text == 2 ? 'W' : y->text ? 'T' : 'D';
			out[n].order = -1;
		}
		n++;
	}
	return n;
}

static int s_is_kernel_text(void *priv, kaddr_t addr)
{
	struct ks_sample *s = priv;
	for (int i = 0; i < s->nsyms; i++) {
		const struct sym *y = &s->syms[i];
		if (y->text && addr >= y->addr && addr - y->addr < y->size)
			return 1;
	}
	return 0;
}

static const struct member *find_member(struct ks_sample *s, const char *type,
					const char *member)
{
	for (int i = s->nmembers - 1; i >= 0; i--)
		if (strcmp(s->members[i].type, type) == 0 &&
		    strcmp(s->members[i].member, member) == 0)
			return &s->members[i];
	return NULL;
}

static long s_member_offset(void *priv, const char *type, const char *member)
{
	const struct member *m = find_member(priv, type, member);
	return m ? m->offset : -1;
}

static long s_member_size(void *priv, const char *type, const char *member)
{
	const struct member *m = find_member(priv, type, member);
	return m ? m->size : -1;
}

static long s_type_size(void *priv, const char *type)
{
	const struct member *m = find_member(priv, type, "");
	return m ? m->size : -1;
}

static const struct ks_target_ops sample_ops = {
	.read = s_read,
	.lookup_symbol = s_lookup_symbol,
	.symbols_at = s_symbols_at,
	.is_kernel_text = s_is_kernel_text,
	.member_offset = s_member_offset,
	.member_size = s_member_size,
	.type_size = s_type_size,
};

/* ---- building ---- */

int ks_sample_add_memory(void *loader, kaddr_t addr, const void *bytes,
			 size_t len)
{
	struct ks_sample *s = loader;
	struct chunk *c;

	if (len == 0)
		return 0;
	if (addr + len - 1 < addr)
		return fail(s, "memory wraps around the address space");
	if (s->memory + len > MAX_MEMORY || s->nchunks >= MAX_CHUNKS)
		return fail(s, "too much memory (limit %u bytes)", MAX_MEMORY);
	/* Extend the previous chunk when this one continues it. */
	if (s->nchunks > 0) {
		c = &s->chunks[s->nchunks - 1];
		if (c->addr + c->len == addr) {
			unsigned char *d = realloc(c->data, c->len + len);
			if (!d)
				return fail(s, "out of memory");
			memcpy(d + c->len, bytes, len);
			c->data = d;
			c->len += len;
			s->memory += len;
			return 0;
		}
	}
	if (s->nchunks % 64 == 0) {
		struct chunk *n = realloc(s->chunks,
					  (size_t)(s->nchunks + 64) * sizeof(*n));
		if (!n)
			return fail(s, "out of memory");
		s->chunks = n;
	}
	c = &s->chunks[s->nchunks];
	c->data = malloc(len);
	if (!c->data)
		return fail(s, "out of memory");
	memcpy(c->data, bytes, len);
	c->addr = addr;
	c->len = len;
	s->nchunks++;
	s->memory += len;
	return 0;
}

int ks_sample_add_symbol(void *loader, const char *name, kaddr_t addr,
			 uint64_t size, int is_text, const char *module)
{
	struct ks_sample *s = loader;
	struct sym *y;

	if (strlen(name) >= MAX_NAME || (module && strlen(module) >= KS_MOD_LEN))
		return fail(s, "symbol or module name too long");
	if (s->nsyms >= MAX_SYMBOLS)
		return fail(s, "too many symbols");
	if (s->nsyms % 64 == 0) {
		struct sym *n = realloc(s->syms, (size_t)(s->nsyms + 64) * sizeof(*n));
		if (!n)
			return fail(s, "out of memory");
		s->syms = n;
	}
	y = &s->syms[s->nsyms++];
	memset(y, 0, sizeof(*y));
	snprintf(y->name, sizeof(y->name), "%s", name);
	if (module)
		snprintf(y->module, sizeof(y->module), "%s", module);
	y->addr = addr;
	y->size = size;
	y->text = is_text;
	return 0;
}

void **ks_sample_arch_state(void *loader)
{
	return &((struct ks_sample *)loader)->arch_state;
}

static int add_member(struct ks_sample *s, const char *type,
		      const char *member, long offset, long size)
{
	struct member *m;
	if (strlen(type) >= MAX_NAME || strlen(member) >= MAX_NAME)
		return fail(s, "type or member name too long");
	if (s->nmembers >= MAX_MEMBERS)
		return fail(s, "too many members");
	if (s->nmembers % 64 == 0) {
		struct member *n = realloc(s->members,
					   (size_t)(s->nmembers + 64) * sizeof(*n));
		if (!n)
			return fail(s, "out of memory");
		s->members = n;
	}
	m = &s->members[s->nmembers++];
	snprintf(m->type, sizeof(m->type), "%s", type);
	snprintf(m->member, sizeof(m->member), "%s", member);
	m->offset = offset;
	m->size = size;
	return 0;
}

/* ---- module symbols, laid out as the kernel keeps them ---- */

/* A word of the sample's memory in the arch's byte order. */
static int get_word(struct ks_sample *s, kaddr_t addr, int width, uint64_t *v)
{
	unsigned char b[8];

	if (s_read(s, addr, b, (size_t)width))
		return -1;
	*v = ks_load_uint(b, width, s->arch->big_endian);
	return 0;
}

static void put_word(struct ks_sample *s, unsigned char *p, uint64_t v, int width)
{
	ks_store_uint(p, v, width, s->arch->big_endian);
}

static int covered(const struct ks_sample *s, kaddr_t addr, size_t len)
{
	for (int i = 0; i < s->nchunks; i++)
		if (addr < s->chunks[i].addr + s->chunks[i].len &&
		    s->chunks[i].addr < addr + len)
			return 1;
	return 0;
}

/* How modules_kallsyms() lays a module's copy out (struct mod_kallsyms:
 * symtab, num_symtab, strtab; then the Elf64_Syms, then the names). */
#define SAMPLE_ELF_SYM 24
#define SAMPLE_MAX_MODULES 256

/* One module's mod_kallsyms at *at: its symbols in the order the sample
 * lists them (the symtab order), after ELF's null symbol 0; the module's
 * kallsyms pointer at mod + kallsyms_off.  *at moves past it. */
static int module_copy(struct ks_sample *s, const char *module, kaddr_t mod,
		       long kallsyms_off, kaddr_t *at)
{
	size_t nsyms = 1, strsz = 1, len, str, pos = 1, name = 1;
	unsigned char *buf, ptr[8];
	int rc;

	for (int i = 0; i < s->nsyms; i++)
		if (strcmp(s->syms[i].module, module) == 0) {
			nsyms++;
			strsz += strlen(s->syms[i].name) + 1;
		}
	if (nsyms == 1)
		return 0;
	str = 24 + nsyms * SAMPLE_ELF_SYM;
	/* up to a page end: a dump holds whole pages, and the core reads
	 * names in pieces up to page ends */
	len = (str + strsz + 0xfff) & ~(size_t)0xfff;
	buf = calloc(1, len);
	if (!buf)
		return fail(s, "out of memory");
	put_word(s, buf, *at + 24, 8);			/* symtab */
	put_word(s, buf + 8, nsyms, 4);			/* num_symtab */
	put_word(s, buf + 16, *at + str, 8);		/* strtab */
	for (int i = 0; i < s->nsyms; i++) {
		const struct sym *y = &s->syms[i];
		unsigned char *e = buf + 24 + pos * SAMPLE_ELF_SYM;
		size_t l = strlen(y->name) + 1;
		/* STB_GLOBAL or STB_WEAK, STT_FUNC or STT_OBJECT */
		unsigned info = (y->text == 2 ? 2u : 1u) << 4 | (y->text ? 2u : 1u);

		if (strcmp(y->module, module) != 0)
			continue;
		put_word(s, e, name, 4);		/* st_name */
		e[4] = (unsigned char)info;		/* st_info */
		put_word(s, e + 6, 1, 2);		/* st_shndx: a section */
		put_word(s, e + 8, y->addr, 8);		/* st_value */
		put_word(s, e + 16, y->size, 8);	/* st_size */
		memcpy(buf + str + name, y->name, l);
		name += l;
		pos++;
	}
	put_word(s, ptr, *at, 8);
	rc = ks_sample_add_memory(s, *at, buf, len);
	free(buf);
	if (rc || ks_sample_add_memory(s, mod + (kaddr_t)kallsyms_off, ptr, 8))
		return -1;
	*at += len;
	return 0;
}

/*
 * A sample names module symbols ("sym NAME ADDR SIZE text MODULE"); the
 * core reads them where the kernel keeps them, module->kallsyms (modules.c).
 * So each listed module on the sample's modules list gets that copy in
 * memory nobody else uses: module.kallsyms just past the struct module
 * members the sample declares, the copies above all of its memory.  A
 * sample that declares module.kallsyms itself lays out its own.  Module
 * symbols of a module not on the list name nothing, as in a dump.
 */
static int module_kallsyms(struct ks_sample *s)
{
	const struct member *list = find_member(s, "module", "list");
	const struct member *mname = find_member(s, "module", "name");
	kaddr_t head = 0, mods[SAMPLE_MAX_MODULES], at = 0;
	uint64_t node;
	long off = 0;
	int nmods = 0, any = 0;

	for (int i = 0; i < s->nsyms; i++) {
		if (!s->syms[i].module[0] && strcmp(s->syms[i].name, "modules") == 0)
			head = s->syms[i].addr;
		any |= s->syms[i].module[0] != 0;
	}
	if (!any || !head || !list || !mname || find_member(s, "module", "kallsyms"))
		return 0;
	if (get_word(s, head, 8, &node))
		return 0;
	while (node != head && nmods < SAMPLE_MAX_MODULES) {
		mods[nmods++] = node - (kaddr_t)list->offset;
		if (get_word(s, node, 8, &node))
			break;
	}
	for (int i = 0; i < s->nmembers; i++)
		if (strcmp(s->members[i].type, "module") == 0) {
			long end = s->members[i].offset + (s->members[i].size > 8 ?
							   s->members[i].size : 8);
			if (end > off)
				off = end;
		}
	off = (off + 7) & ~7L;
	for (int tries = 0; tries < 4096; tries++, off += 8) {
		int clash = 0;
		for (int i = 0; i < nmods && !clash; i++)
			clash = covered(s, mods[i] + (kaddr_t)off, 8);
		if (!clash)
			break;
	}
	for (int i = 0; i < s->nchunks; i++)
		if (s->chunks[i].addr + s->chunks[i].len > at)
			at = s->chunks[i].addr + s->chunks[i].len;
	at = (at + 0x1fff) & ~(kaddr_t)0xfff;
	if (at < 0x2000)
		return fail(s, "no room for the module symbols above the sample's memory");
	for (int i = 0; i < nmods; i++) {
		char name[KS_MOD_LEN];
		size_t n = 0;

		while (n + 1 < sizeof(name) &&
		       s_read(s, mods[i] + (kaddr_t)mname->offset + n, &name[n], 1) == 0 &&
		       name[n])
			n++;
		name[n] = 0;
		if (module_copy(s, name, mods[i], off, &at))
			return -1;
	}
	if (add_member(s, "module", "kallsyms", off, 8) ||
	    add_member(s, "mod_kallsyms", "symtab", 0, 8) ||
	    add_member(s, "mod_kallsyms", "num_symtab", 8, 4) ||
	    add_member(s, "mod_kallsyms", "strtab", 16, 8))
		return -1;
	return 0;
}

/* ---- directives ---- */

static int number(struct ks_sample *s, const char *what, const char *str,
		  int64_t *out)
{
	if (ks_sample_number(str, out))
		return fail(s, "%s: '%s' is not a number", what, str);
	return 0;
}

static int put_words(struct ks_sample *s, char **argv, int argc, int width)
{
	int64_t addr, v;
	unsigned char buf[8];

	if (argc < 2)
		return fail(s, "usage: mem ADDR WORD...");
	if (number(s, "address", argv[0], &addr))
		return -1;
	for (int i = 1; i < argc; i++) {
		if (number(s, "word", argv[i], &v))
			return -1;
		put_word(s, buf, (uint64_t)v, width);
		if (ks_sample_add_memory(s, (kaddr_t)addr + (kaddr_t)(i - 1) * width,
					 buf, (size_t)width))
			return -1;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int put_bytes(struct ks_sample *s, char **argv, int argc)
{
	int64_t addr;
	unsigned char buf[MAX_LINE / 2];
	size_t n = 0;

	if (argc != 2)
		return fail(s, "usage: bytes ADDR HEX");
	if (number(s, "address", argv[0], &addr))
		return -1;
	for (const char *p = argv[1]; *p; p += 2) {
		int hi = hexval((unsigned char)p[0]);
		int lo = p[1] ? hexval((unsigned char)p[1]) : -1;
		if (hi < 0 || lo < 0)
			return fail(s, "bytes: bad hex '%s'", argv[1]);
		buf[n++] = (unsigned char)(hi << 4 | lo);
	}
	return ks_sample_add_memory(s, (kaddr_t)addr, buf, n);
}

static int parse_verdict(const char *v, enum ks_verdict *out)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(v, ks_verdict_name((enum ks_verdict)i)) == 0) {
			*out = (enum ks_verdict)i;
			return 0;
		}
	return -1;
}

static int parse_rule(const char *v, enum ks_rule *out)
{
	for (int i = 0; i < KS_RULE_COUNT; i++)
		if (strcmp(v, ks_rule_name((enum ks_rule)i)) == 0) {
			*out = (enum ks_rule)i;
			return 0;
		}
	return -1;
}

static struct ks_sample_task *current_task(struct ks_sample *s)
{
	if (s->ntasks == 0) {
		fail(s, "expectation before any 'task' line");
		return NULL;
	}
	return &s->tasks[s->ntasks - 1];
}

static int do_task(struct ks_sample *s, char **argv, int argc)
{
	struct ks_sample_task *st;
	struct ks_task *t;

	if (s->ntasks >= KS_SAMPLE_MAX_TASKS)
		return fail(s, "too many tasks");
	st = &s->tasks[s->ntasks++];
	memset(st, 0, sizeof(*st));
	st->line = s->line;
	st->expect.nframes[0] = st->expect.nframes[1] = -1;
	st->expect.frame[0] = st->expect.frame[1] = -2;
	st->expect.rule[0] = st->expect.rule[1] = KS_RULE_COUNT;
	t = &st->task;
	t->cpu = -1;
	t->stack_size = s->arch->default_thread_size;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		int64_t v = 0;
		if (!eq)
			return fail(s, "task: expected KEY=VALUE, got '%s'", argv[i]);
		*eq++ = 0;
		if (strcmp(argv[i], "comm") == 0) {
			snprintf(t->comm, sizeof(t->comm), "%s", eq);
			continue;
		}
		if (number(s, argv[i], eq, &v))
			return -1;
		if (strcmp(argv[i], "task") == 0)
			t->task = (kaddr_t)v;
		else if (strcmp(argv[i], "pid") == 0)
			t->pid = t->tgid = (int)v;
		else if (strcmp(argv[i], "tgid") == 0)
			t->tgid = (int)v;
		else if (strcmp(argv[i], "stack") == 0)
			t->stack = (kaddr_t)v;
		else if (strcmp(argv[i], "stack_size") == 0)
			t->stack_size = (uint64_t)v;
		else if (strcmp(argv[i], "ksp") == 0)
			t->ksp = (kaddr_t)v;
		else if (strcmp(argv[i], "flags") == 0)
			t->flags = (uint64_t)v;
		else if (strcmp(argv[i], "state") == 0)
			t->state = (uint64_t)v;
		else if (strcmp(argv[i], "on_cpu") == 0)
			t->on_cpu = v != 0;
		else if (strcmp(argv[i], "cpu") == 0)
			t->cpu = (int)v;
		else if (strcmp(argv[i], "idle") == 0)
			t->is_idle = v != 0;
		else
			return fail(s, "task: unknown key '%s'", argv[i]);
	}
	if (t->stack_size == 0 || t->stack_size > (1u << 24))
		return fail(s, "task: stack_size out of range");
	return 0;
}

static int do_expect(struct ks_sample *s, char **argv, int argc)
{
	struct ks_sample_task *st = current_task(s);
	int modes[2] = { 1, 1 };
	enum ks_verdict verdict = KS_VERDICT_RELIABLE;
	enum ks_rule rule = KS_RULE_COUNT;
	int64_t frame = -2;
	int have_verdict = 0;

	if (!st)
		return -1;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return fail(s, "expect: expected KEY=VALUE, got '%s'", argv[i]);
		*eq++ = 0;
		if (strcmp(argv[i], "verdict") == 0) {
			if (parse_verdict(eq, &verdict))
				return fail(s, "expect: unknown verdict '%s'", eq);
			have_verdict = 1;
		} else if (strcmp(argv[i], "rule") == 0) {
			if (parse_rule(eq, &rule))
				return fail(s, "expect: unknown rule '%s'", eq);
		} else if (strcmp(argv[i], "frame") == 0) {
			if (number(s, "frame", eq, &frame))
				return -1;
		} else if (strcmp(argv[i], "mode") == 0) {
			enum ks_mode m;
			if (ks_mode_parse(eq, &m))
				return fail(s, "expect: unknown mode '%s'", eq);
			modes[0] = m == KS_MODE_KERNEL;
			modes[1] = m == KS_MODE_STRICT;
		} else {
			return fail(s, "expect: unknown key '%s'", argv[i]);
		}
	}
	if (!have_verdict)
		return fail(s, "expect: verdict= is required");
	for (int m = 0; m < 2; m++) {
		if (!modes[m])
			continue;
		st->expect.has_verdict[m] = 1;
		st->expect.verdict[m] = verdict;
		st->expect.rule[m] = rule;
		st->expect.frame[m] = (int)frame;
	}
	return 0;
}

/* "frames [mode=kernel|strict] SYM..." and "labels [mode=...] ...": both
 * modes unless one is named. */
static int take_mode(struct ks_sample *s, char ***argv, int *argc, int modes[2])
{
	enum ks_mode m;
	modes[0] = modes[1] = 1;
	if (*argc > 0 && strncmp((*argv)[0], "mode=", 5) == 0) {
		if (ks_mode_parse((*argv)[0] + 5, &m))
			return fail(s, "unknown mode '%s'", (*argv)[0] + 5);
		modes[0] = m == KS_MODE_KERNEL;
		modes[1] = m == KS_MODE_STRICT;
		(*argv)++;
		(*argc)--;
	}
	return 0;
}

static int do_frames(struct ks_sample *s, char **argv, int argc)
{
	struct ks_sample_task *st = current_task(s);
	int modes[2];

	if (!st || take_mode(s, &argv, &argc, modes))
		return -1;
	if (argc > KS_SAMPLE_MAX_EXPECT_FRAMES)
		return fail(s, "frames: at most %d", KS_SAMPLE_MAX_EXPECT_FRAMES);
	for (int m = 0; m < 2; m++) {
		if (!modes[m])
			continue;
		for (int i = 0; i < st->expect.nframes[m]; i++)
			free(st->expect.frames[m][i]);
		st->expect.nframes[m] = 0;
		for (int i = 0; i < argc; i++) {
			st->expect.frames[m][i] = strdup(argv[i]);
			if (!st->expect.frames[m][i])
				return fail(s, "out of memory");
			st->expect.nframes[m]++;
		}
	}
	return 0;
}

static int do_labels(struct ks_sample *s, char **argv, int argc)
{
	struct ks_sample_task *st = current_task(s);
	unsigned labels[KS_SAMPLE_MAX_EXPECT_FRAMES] = { 0 };
	int modes[2];

	if (!st || take_mode(s, &argv, &argc, modes))
		return -1;
	for (int i = 0; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		int64_t idx;
		if (!colon)
			return fail(s, "labels: expected IDX:LABEL[,LABEL], got '%s'", argv[i]);
		*colon++ = 0;
		if (number(s, "frame index", argv[i], &idx))
			return -1;
		if (idx < 0 || idx >= KS_SAMPLE_MAX_EXPECT_FRAMES)
			return fail(s, "labels: frame index out of range");
		char *save = NULL;
		for (char *tok = strtok_r(colon, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			int bit = ks_label_parse(tok);
			if (bit < 0)
				return fail(s, "labels: unknown label '%s'", tok);
			labels[idx] |= 1u << bit;
		}
	}
	for (int m = 0; m < 2; m++) {
		if (!modes[m])
			continue;
		st->expect.has_labels[m] = 1;
		memcpy(st->expect.labels[m], labels, sizeof(labels));
	}
	return 0;
}

static int do_expect_klp(struct ks_sample *s, char **argv, int argc)
{
	struct ks_sample_task *st = current_task(s);
	struct ks_sample_expect *e;
	int64_t v;

	if (!st)
		return -1;
	if (argc < 1)
		return fail(s, "usage: expect-klp STATE [func=NAME] [frame=N] [pending=0|1]");
	e = &st->expect;
	e->has_klp = 1;
	e->klp_frame = -2;
	e->klp_pending = -1;
	e->klp_func[0] = 0;
	snprintf(e->klp_state, sizeof(e->klp_state), "%s", argv[0]);
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "func=", 5) == 0) {
			snprintf(e->klp_func, sizeof(e->klp_func), "%s", argv[i] + 5);
		} else if (strncmp(argv[i], "frame=", 6) == 0) {
			if (number(s, "frame", argv[i] + 6, &v))
				return -1;
			e->klp_frame = (int)v;
		} else if (strncmp(argv[i], "pending=", 8) == 0) {
			if (number(s, "pending", argv[i] + 8, &v) || (v != 0 && v != 1))
				return fail(s, "expect-klp: pending is 0 or 1");
			e->klp_pending = (int)v;
		} else {
			return fail(s, "expect-klp: unknown key '%s'", argv[i]);
		}
	}
	return 0;
}

static int do_expect_tasklist(struct ks_sample *s, char **argv, int argc)
{
	s->tasklist.line = s->line;
	s->tasklist.tasks = -1;
	s->tasklist.npids = -1;
	for (int i = 0; i < argc; i++) {
		char *v = strchr(argv[i], '=');
		int64_t n;

		if (!v)
			return fail(s, "expect-tasklist: KEY=VALUE expected, got '%s'", argv[i]);
		*v++ = 0;
		if (strcmp(argv[i], "tasks") == 0) {
			if (number(s, "tasks", v, &n))
				return -1;
			s->tasklist.tasks = (long)n;
		} else if (strcmp(argv[i], "status") == 0) {
			if (strcmp(v, "ok") == 0)
				s->tasklist.status = 0;
			else if (strcmp(v, "warning") == 0)
				s->tasklist.status = 1;
			else if (strcmp(v, "error") == 0)
				s->tasklist.status = 2;
			else
				return fail(s, "expect-tasklist: status is ok, warning or error");
		} else if (strcmp(argv[i], "match") == 0) {
			/* '+' stands for a space: one word per argument */
			snprintf(s->tasklist.match, sizeof(s->tasklist.match), "%s", v);
			for (char *c = s->tasklist.match; *c; c++)
				if (*c == '+')
					*c = ' ';
		} else if (strcmp(argv[i], "pids") == 0) {
			char *save = NULL;

			s->tasklist.npids = 0;
			for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				if (s->tasklist.npids >= 64)
					return fail(s, "expect-tasklist: at most 64 pids");
				if (number(s, "pid", t, &n))
					return -1;
				s->tasklist.pids[s->tasklist.npids++] = (int)n;
			}
		} else {
			return fail(s, "expect-tasklist: unknown key '%s'", argv[i]);
		}
	}
	if (s->tasklist.tasks < 0)
		return fail(s, "usage: expect-tasklist tasks=N [status=ok|warning|error] "
			    "[match=WORDS+WITH+PLUSES] [pids=P,P,...]");
	return 0;
}

struct tasklist_seen {
	struct ks_kernel *k;
	long n;
	int pids[64];
};

static int tasklist_cb(void *arg, kaddr_t task)
{
	struct tasklist_seen *t = arg;
	struct ks_task kt;
	char err[128];

	if (t->n < 64)
		t->pids[t->n] = ks_task_read(t->k, task, &kt, err, sizeof(err)) ? -1 : kt.pid;
	t->n++;
	return 0;
}

/* The task-list expectation: 0 when met, else 1 with msg. */
static int check_tasklist(const struct ks_sample *s, struct ks_kernel *k, char *msg,
			  size_t msglen)
{
	struct tasklist_seen t = { .k = k };
	char err[512] = "", warn[512] = "";
	int rc = ks_task_foreach_checked(k, tasklist_cb, &t, warn, sizeof(warn), err,
					 sizeof(err));
	int status = rc ? 2 : warn[0] ? 1 : 0;
	static const char *const names[] = { "ok", "warning", "error" };

	if (status != s->tasklist.status) {
		snprintf(msg, msglen, "status %s, expected %s (error: %s; warning: %s)",
			 names[status], names[s->tasklist.status], err, warn);
		return 1;
	}
	if (t.n != s->tasklist.tasks) {
		snprintf(msg, msglen, "%ld tasks, expected %ld (%s%s)", t.n, s->tasklist.tasks,
			 err, warn);
		return 1;
	}
	if (s->tasklist.match[0] && !strstr(rc ? err : warn, s->tasklist.match)) {
		snprintf(msg, msglen, "'%s' not in the message: %s", s->tasklist.match,
			 rc ? err : warn);
		return 1;
	}
	for (int i = 0; i < s->tasklist.npids && i < t.n && i < 64; i++)
		if (t.pids[i] != s->tasklist.pids[i]) {
			snprintf(msg, msglen, "task #%d has pid %d, expected %d", i, t.pids[i],
				 s->tasklist.pids[i]);
			return 1;
		}
	return 0;
}

static int do_whatif(struct ks_sample *s, char **argv, int argc)
{
	for (int i = 0; i < argc; i++) {
		if (s->nwhatif >= (int)(sizeof(s->whatif) / sizeof(s->whatif[0])))
			return fail(s, "whatif: too many functions");
		s->whatif[s->nwhatif] = strdup(argv[i]);
		if (!s->whatif[s->nwhatif])
			return fail(s, "out of memory");
		s->nwhatif++;
	}
	return 0;
}

int ks_sample_whatif(const struct ks_sample *s, const char *const **names)
{
	*names = (const char *const *)s->whatif;
	return s->nwhatif;
}

int ks_sample_check_klp(const struct ks_sample_task *st,
			const struct ks_klp_state *klp,
			const struct ks_klp_task *kt, char *msg, size_t len)
{
	const struct ks_sample_expect *e = &st->expect;
	char got[32];
	const char *func = "";

	if (!e->has_klp)
		return 0;
	snprintf(got, sizeof(got), "%s", ks_klp_task_state_name(kt->state));
	for (char *c = got; *c; c++)
		if (*c == ' ')
			*c = '-';
	if (kt->func >= 0 && kt->func < klp->nfuncs)
		func = klp->funcs[kt->func].old_name;
	if (strcmp(got, e->klp_state) != 0) {
		snprintf(msg, len, "livepatch: %s%s%s, expected %s", got,
			 *func ? " " : "", func, e->klp_state);
		return -1;
	}
	if (e->klp_func[0] && strcmp(func, e->klp_func) != 0) {
		snprintf(msg, len, "livepatch: function %s, expected %s", func,
			 e->klp_func);
		return -1;
	}
	if (e->klp_frame != -2 && kt->frame != e->klp_frame) {
		snprintf(msg, len, "livepatch: frame %d, expected %d", kt->frame,
			 e->klp_frame);
		return -1;
	}
	if (e->klp_pending >= 0 && kt->pending != e->klp_pending) {
		snprintf(msg, len, "livepatch: TIF_PATCH_PENDING %d, expected %d",
			 kt->pending, e->klp_pending);
		return -1;
	}
	return 0;
}

static int do_line(struct ks_sample *s, char **argv, int argc)
{
	const char *kw = argv[0];
	int64_t a, b, c;

	argv++;
	argc--;
	if (strcmp(kw, "arch") == 0) {
		if (argc != 1)
			return fail(s, "usage: arch x86_64|s390x");
		if (s->arch)
			return fail(s, "arch given twice");
		if (strcmp(argv[0], "x86_64") == 0) {
			s->arch = &ks_arch_x86_64;
			s->sarch = &ks_sample_x86_64;
			s->target.arch = KS_ARCH_X86_64;
		} else if (strcmp(argv[0], "s390x") == 0) {
			s->arch = &ks_arch_s390x;
			s->target.arch = KS_ARCH_S390X;
		} else {
			return fail(s, "unknown arch '%s'", argv[0]);
		}
		return 0;
	}
	if (!s->arch)
		return fail(s, "the first directive must be 'arch'");
	if (strcmp(kw, "kernel") == 0) {
		unsigned x, y, z = 0;
		char extra;
		if (argc != 1 || sscanf(argv[0], "%u.%u.%u%c", &x, &y, &z, &extra) < 2 ||
		    x > 255 || y > 255)
			return fail(s, "usage: kernel MAJOR.MINOR[.PATCH]");
		s->target.version = KS_VERSION(x, y, z);
		if (!s->release[0])
			snprintf(s->release, sizeof(s->release), "%s", argv[0]);
		return 0;
	}
	if (strcmp(kw, "release") == 0) {
		if (argc != 1)
			return fail(s, "usage: release STRING");
		snprintf(s->release, sizeof(s->release), "%s", argv[0]);
		return 0;
	}
	if (strcmp(kw, "reliable-stacktrace") == 0) {
		if (argc != 1 || (strcmp(argv[0], "no") && strcmp(argv[0], "yes")))
			return fail(s, "usage: reliable-stacktrace yes|no");
		s->no_reliable = strcmp(argv[0], "no") == 0;
		return 0;
	}
	if (strcmp(kw, "sym") == 0) {
		int text = 1;
		const char *module = NULL;
		if (argc < 3 || argc > 5)
			return fail(s, "usage: sym NAME ADDR SIZE [text|data|weak] [MODULE]");
		if (number(s, "address", argv[1], &a) || number(s, "size", argv[2], &b))
			return -1;
		if (b < 0)
			return fail(s, "sym: negative size");
		if (argc >= 4) {
			if (strcmp(argv[3], "text") == 0)
				text = 1;
			else if (strcmp(argv[3], "data") == 0)
				text = 0;
			else if (strcmp(argv[3], "weak") == 0)
				text = 2;	/* weak text: nm's 'W' */
			else
				return fail(s, "sym: expected text, data or weak, got '%s'", argv[3]);
		}
		if (argc == 5)
			module = argv[4];
		return ks_sample_add_symbol(s, argv[0], (kaddr_t)a, (uint64_t)b,
					    text, module);
	}
	if (strcmp(kw, "type") == 0) {
		if (argc != 2)
			return fail(s, "usage: type NAME SIZE");
		if (number(s, "size", argv[1], &a))
			return -1;
		return add_member(s, argv[0], "", 0, (long)a);
	}
	if (strcmp(kw, "member") == 0) {
		if (argc != 3 && argc != 4)
			return fail(s, "usage: member TYPE MEMBER OFFSET [SIZE]");
		if (number(s, "offset", argv[2], &a))
			return -1;
		c = -1;
		if (argc == 4 && number(s, "size", argv[3], &c))
			return -1;
		if (a < 0 || !argv[1][0])
			return fail(s, "member: bad offset or name");
		return add_member(s, argv[0], argv[1], (long)a, (long)c);
	}
	if (strcmp(kw, "mem") == 0)
		return put_words(s, argv, argc, 8);
	if (strcmp(kw, "mem32") == 0)
		return put_words(s, argv, argc, 4);
	if (strcmp(kw, "bytes") == 0)
		return put_bytes(s, argv, argc);
	if (strcmp(kw, "task") == 0)
		return do_task(s, argv, argc);
	if (strcmp(kw, "expect") == 0)
		return do_expect(s, argv, argc);
	if (strcmp(kw, "frames") == 0)
		return do_frames(s, argv, argc);
	if (strcmp(kw, "labels") == 0)
		return do_labels(s, argv, argc);
	if (strcmp(kw, "expect-klp") == 0)
		return do_expect_klp(s, argv, argc);
	if (strcmp(kw, "whatif") == 0)
		return do_whatif(s, argv, argc);
	if (strcmp(kw, "expect-tasklist") == 0)
		return do_expect_tasklist(s, argv, argc);
	if (s->sarch && s->sarch->directive) {
		char msg[256] = "";
		int rc = s->sarch->directive(s, kw, argv, argc, msg, sizeof(msg));
		if (rc == 0)
			return 0;
		if (rc < 0)
			return s->err[0] && !msg[0] ? -1 : fail(s, "%s", msg);
	}
	return fail(s, "unknown directive '%s'", kw);
}

void ks_sample_free(struct ks_sample *s)
{
	if (!s)
		return;
	if (s->arch_state && s->sarch && s->sarch->finish) {
		/* let the arch free its scratch state */
		char e[8];
		s->sarch->finish(s, e, sizeof(e));
	}
	for (int i = 0; i < s->nchunks; i++)
		free(s->chunks[i].data);
	free(s->chunks);
	free(s->syms);
	free(s->members);
	for (int i = 0; i < s->nwhatif; i++)
		free(s->whatif[i]);
	for (int t = 0; t < s->ntasks; t++)
		for (int m = 0; m < 2; m++)
			for (int i = 0; i < s->tasks[t].expect.nframes[m]; i++)
				free(s->tasks[t].expect.frames[m][i]);
	free(s);
}

struct ks_sample *ks_sample_parse(const char *text, size_t len,
				  const char *name, char *err, size_t errlen)
{
	struct ks_sample *s = calloc(1, sizeof(*s));
	size_t pos = 0;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (errlen)
		err[0] = 0;
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "sample");
	s->err = err;
	s->errlen = errlen;
	while (pos < len) {
		char line[MAX_LINE + 1];
		char *argv[MAX_ARGS + 1];
		int argc = 0;
		size_t n = 0;

		s->line++;
		while (pos < len && text[pos] != '\n') {
			if (n >= MAX_LINE) {
				fail(s, "line longer than %d bytes", MAX_LINE);
				goto bad;
			}
			if (text[pos] == 0) {
				fail(s, "NUL byte in sample");
				goto bad;
			}
			line[n++] = text[pos++];
		}
		pos++;
		line[n] = 0;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *save = NULL;
		for (char *tok = strtok_r(line, " \t\r", &save); tok;
		     tok = strtok_r(NULL, " \t\r", &save)) {
			if (argc >= MAX_ARGS) {
				fail(s, "more than %d words on a line", MAX_ARGS);
				goto bad;
			}
			argv[argc++] = tok;
		}
		argv[argc] = NULL;
		if (argc == 0)
			continue;
		if (do_line(s, argv, argc))
			goto bad;
	}
	if (!s->arch) {
		fail(s, "no 'arch' directive");
		goto bad;
	}
	if (!s->target.version) {
		fail(s, "no 'kernel' directive");
		goto bad;
	}
	s->target.ops = &sample_ops;
	s->target.priv = s;
	s->target.osrelease = s->release;
	if (module_kallsyms(s))
		goto bad;
	if (s->sarch && s->sarch->finish && s->sarch->finish(s, err, errlen))
		goto bad;
	return s;
bad:
	ks_sample_free(s);
	return NULL;
}

struct ks_sample *ks_sample_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct ks_sample *s;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536) {
			if (cap > (64u << 20)) {
				snprintf(err, errlen, "%s: sample larger than 64 MiB", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			char *n = realloc(buf, cap + 65536);
			if (!n) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = n;
			cap += 65536;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	s = ks_sample_parse(buf, len, path, err, errlen);
	free(buf);
	return s;
}

const struct ks_target *ks_sample_target(struct ks_sample *s)
{
	return &s->target;
}

int ks_sample_ntasks(const struct ks_sample *s)
{
	return s->ntasks;
}

const struct ks_sample_task *ks_sample_task(const struct ks_sample *s, int i)
{
	return i >= 0 && i < s->ntasks ? &s->tasks[i] : NULL;
}

int ks_sample_check(const struct ks_sample_task *st,
		    const struct ks_result *res, char *msg, size_t len)
{
	const struct ks_sample_expect *e = &st->expect;
	int m = res->mode == KS_MODE_STRICT;

	if (e->has_verdict[m]) {
		if (res->verdict != e->verdict[m]) {
			snprintf(msg, len, "verdict %s, expected %s (%s: %s)",
				 ks_verdict_name(res->verdict),
				 ks_verdict_name(e->verdict[m]),
				 ks_rule_name(res->rule), res->message);
			return -1;
		}
		if (e->rule[m] != KS_RULE_COUNT && res->rule != e->rule[m]) {
			snprintf(msg, len, "rule %s, expected %s (%s)",
				 ks_rule_name(res->rule), ks_rule_name(e->rule[m]),
				 res->message);
			return -1;
		}
		if (e->frame[m] != -2 && res->rule_frame != e->frame[m]) {
			snprintf(msg, len, "rule at frame %d, expected %d",
				 res->rule_frame, e->frame[m]);
			return -1;
		}
	}
	if (e->nframes[m] >= 0) {
		if (res->nframes != e->nframes[m]) {
			snprintf(msg, len, "%d frames, expected %d", res->nframes,
				 e->nframes[m]);
			return -1;
		}
		for (int i = 0; i < e->nframes[m]; i++) {
			const char *want = e->frames[m][i];
			const char *got = res->frames[i].symbol[0] ?
				res->frames[i].symbol : "?";
			if (strcmp(want, got) != 0) {
				snprintf(msg, len, "frame %d is %s, expected %s", i,
					 got, want);
				return -1;
			}
		}
	}
	if (e->has_labels[m]) {
		for (int i = 0; i < res->nframes; i++) {
			unsigned want = i < KS_SAMPLE_MAX_EXPECT_FRAMES ? e->labels[m][i] : 0;
			if (res->frames[i].labels != want) {
				char a[160] = "", b[160] = "";
				size_t ua = 0, ub = 0;
				for (unsigned bit = 0; bit < KS_LABEL_COUNT; bit++) {
					if ((res->frames[i].labels & (1u << bit)) && ua < sizeof(a))
						ua += (size_t)snprintf(a + ua, sizeof(a) - ua, "%s ", ks_label_name(bit));
					if ((want & (1u << bit)) && ub < sizeof(b))
						ub += (size_t)snprintf(b + ub, sizeof(b) - ub, "%s ", ks_label_name(bit));
				}
				snprintf(msg, len, "frame %d labels [%s], expected [%s]",
					 i, a, b);
				return -1;
			}
		}
	}
	return 0;
}

void ks_sample_run_check(struct ks_sample *s, struct ks_kernel *k,
			 const char *path, FILE *out, int verbose,
			 int *passed, int *failed)
{
	struct ks_result *res = malloc(sizeof(*res));
	struct ks_klp_state klp;
	const char *const *names;
	int nwhatif = ks_sample_whatif(s, &names);
	int klp_ok;
	char err[256];

	if (!res) {
		fprintf(out, "FAIL %s: out of memory\n", path);
		(*failed)++;
		return;
	}
	klp_ok = ks_klp_read(k, &klp, err, sizeof(err)) == 0;
	if (klp_ok && nwhatif > 0)
		klp_ok = ks_klp_whatif(k, &klp, names, nwhatif, err, sizeof(err)) == 0;
	for (int i = 0; i < s->ntasks; i++) {
		const struct ks_sample_task *st = &s->tasks[i];
		for (int m = 0; m < 2; m++) {
			char msg[512];
			int bad;

			ks_walk_task(k, &st->task, (enum ks_mode)m, res);
			bad = ks_sample_check(st, res, msg, sizeof(msg));
			/* livepatch triage uses what the kernel concludes */
			if (!bad && m == KS_MODE_KERNEL && st->expect.has_klp) {
				struct ks_klp_task kt;
				if (!klp_ok) {
					/* a broken livepatch state is every task's
					 * answer: the dump does not tell */
					memset(&kt, 0, sizeof(kt));
					kt.state = KS_KLP_ERROR;
					kt.func = kt.frame = -1;
				} else {
					ks_klp_check_task(k, &klp, res, nwhatif > 0, &kt);
				}
				bad = ks_sample_check_klp(st, &klp, &kt, msg, sizeof(msg));
				if (bad && !klp_ok)
					snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
						 " (livepatch state: %s)", err);
			}
			if (bad) {
				fprintf(out, "FAIL %s: task %d (line %d), %s mode: %s\n",
					path, st->task.pid, st->line,
					ks_mode_name((enum ks_mode)m), msg);
				(*failed)++;
			} else {
				if (verbose)
					fprintf(out, "ok   %s: task %d, %s mode\n", path,
						st->task.pid, ks_mode_name((enum ks_mode)m));
				(*passed)++;
			}
		}
	}
	if (s->tasklist.line) {
		char msg[1200];

		if (check_tasklist(s, k, msg, sizeof(msg))) {
			fprintf(out, "FAIL %s: task list (line %d): %s\n", path, s->tasklist.line,
				msg);
			(*failed)++;
		} else {
			if (verbose)
				fprintf(out, "ok   %s: task list\n", path);
			(*passed)++;
		}
	}
	ks_klp_free(&klp);
	free(res);
}
