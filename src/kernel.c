/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel facts: which arch, which version, where the trampolines are and
 * how the structures the walk reads are laid out.  Everything version-
 * dependent is decided here once per kernel, so the walkers only look at
 * the facts (struct ks_kernel).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "byteorder.h"

/* ---- checked reads in the target's byte order ---- */

int ks_read(const struct ks_kernel *k, kaddr_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	/* An access that wraps around the address space is never valid. */
	if (addr + len - 1 < addr)
		return -1;
	return k->t->ops->read(k->t->priv, addr, buf, len) == 0 ? 0 : -1;
}

int ks_target_read_cstr(const struct ks_target *t, kaddr_t addr, char *buf, size_t len)
{
	size_t have = 0;

	if (!len)
		return -1;
	while (have + 1 < len) {
		size_t chunk = 4096 - ((addr + have) & 4095);
		if (chunk > len - 1 - have)
			chunk = len - 1 - have;
		if (addr + have + chunk - 1 < addr ||
		    t->ops->read(t->priv, addr + have, buf + have, chunk))
			return -1;
		if (memchr(buf + have, 0, chunk))
			return 0;
		have += chunk;
	}
	buf[len - 1] = 0;
	return 0;
}

uint64_t ks_get_u64(const struct ks_kernel *k, const void *p)
{
	return ks_load_uint(p, 8, k->big_endian);
}

uint32_t ks_get_u32(const struct ks_kernel *k, const void *p)
{
	return (uint32_t)ks_load_uint(p, 4, k->big_endian);
}

uint16_t ks_get_u16(const struct ks_kernel *k, const void *p)
{
	return (uint16_t)ks_load_uint(p, 2, k->big_endian);
}

int ks_read_u64(const struct ks_kernel *k, kaddr_t addr, uint64_t *v)
{
	unsigned char b[8];
	if (ks_read(k, addr, b, sizeof(b)))
		return -1;
	*v = ks_get_u64(k, b);
	return 0;
}

int ks_read_u32(const struct ks_kernel *k, kaddr_t addr, uint32_t *v)
{
	unsigned char b[4];
	if (ks_read(k, addr, b, sizeof(b)))
		return -1;
	*v = ks_get_u32(k, b);
	return 0;
}

int ks_read_s32(const struct ks_kernel *k, kaddr_t addr, int32_t *v)
{
	uint32_t u;
	if (ks_read_u32(k, addr, &u))
		return -1;
	*v = (int32_t)u;
	return 0;
}

int ks_read_u16(const struct ks_kernel *k, kaddr_t addr, uint16_t *v)
{
	unsigned char b[2];
	if (ks_read(k, addr, b, sizeof(b)))
		return -1;
	*v = ks_get_u16(k, b);
	return 0;
}

/* ---- symbols and types ---- */

kaddr_t ks_symbol(const struct ks_kernel *k, const char *name)
{
	kaddr_t v = 0;
	if (k->t->ops->lookup_symbol(k->t->priv, name, &v))
		return 0;
	return v;
}

/* Module text is named from the kernel's own module symbols (modules.c),
 * everything else from the target's vmlinux symbols. */
int ks_kernel_symbolize(const struct ks_kernel *k, kaddr_t addr, struct ks_symbol *out)
{
	if (ks_module_text_index(k, addr) >= 0)
		return ks_module_symbolize(k, addr, out);
	return ks_symbolize(k->t, addr, out);
}

int ks_is_text(const struct ks_kernel *k, kaddr_t addr)
{
	if (!addr)
		return 0;
	/* __kernel_text_address() (kernel/extable.c) also accepts init text
	 * after boot: "There might be init symbols in saved stacktraces"
	 * (swapper/0 returns through start_kernel). */
	if (k->init_text_start && addr >= k->init_text_start &&
	    addr < k->init_text_end)
		return 1;
	if (k->t->ops->is_kernel_text(k->t->priv, addr))
		return 1;
	/* Module text, init text included (modules.c): targets know the
	 * core text of modules at best. */
	if (ks_module_text_index(k, addr) >= 0)
		return 1;
	/* is_bpf_text_address(): JIT-compiled BPF (bpf.c) */
	if (ks_bpf_find(k, addr) != NULL)
		return 1;
	/* the arch's own (x86: is_ftrace_trampoline()) */
	return k->arch->extra_text && k->arch->extra_text(k, addr);
}

long ks_offset(const struct ks_kernel *k, const char *type,
	       const char *member, long fallback)
{
	long off = k->t->ops->member_offset(k->t->priv, type, member);
	return off >= 0 ? off : fallback;
}

long ks_member_size(const struct ks_kernel *k, const char *type,
		    const char *member, long fallback)
{
	long sz = k->t->ops->member_size ?
		k->t->ops->member_size(k->t->priv, type, member) : -1;
	return sz > 0 ? sz : fallback;
}

long ks_type_size(const struct ks_kernel *k, const char *type, long fallback)
{
	long sz = k->t->ops->type_size(k->t->priv, type);
	return sz > 0 ? sz : fallback;
}

int ks_function_code(const struct ks_kernel *k, const char *name,
		     unsigned char *buf, size_t max, size_t *len, kaddr_t *start)
{
	struct ks_symbol s;
	kaddr_t at = ks_symbol(k, name);
	size_t n;

	if (!at || ks_kernel_symbolize(k, at, &s) || s.value != at ||
	    s.size == 0)
		return -1;
	n = s.size < max ? (size_t)s.size : max;
	if (ks_read(k, at, buf, n))
		return -1;
	*len = n;
	*start = at;
	return 0;
}

const char *ks_symbol_name(const struct ks_kernel *k, kaddr_t addr,
			   char *buf, size_t len)
{
	struct ks_symbol s;
	if (len == 0)
		return buf;
	buf[0] = 0;
	if (ks_kernel_symbolize(k, addr, &s) == 0 && s.name)
		snprintf(buf, len, "%s", s.name);
	return buf;
}

/* Visit every entry of a circular list_head list: head is the address
 * of the list_head, entries are reported as (node - node_off). */
int ks_list_foreach(const struct ks_kernel *k, kaddr_t head, long node_off,
		     int (*visit)(void *arg, kaddr_t entry), void *arg,
		     long *budget, char *err, size_t errlen)
{
	uint64_t node;
	/* Brent's cycle check: a list that loops without coming back to
	 * its head is caught after about twice the loop's length. */
	kaddr_t mark = head;
	long power = 1, steps = 0;

	if (ks_read_u64(k, head, &node)) {
		snprintf(err, errlen, "list head %#llx is not readable",
			 (unsigned long long)head);
		return -1;
	}
	while (node != head) {
		int rc;
		if (!node || node == mark || --*budget < 0) {
			snprintf(err, errlen, node ? "list at %#llx does not end (loop)"
					      : "list has a NULL link",
				 (unsigned long long)node);
			return -1;
		}
		if (++steps == power) {
			mark = node;
			power *= 2;
			steps = 0;
		}
		rc = visit(arg, node - (kaddr_t)node_off);
		if (rc)
			return rc;
		if (ks_read_u64(k, node, &node)) {
			snprintf(err, errlen, "list node %#llx is not readable",
				 (unsigned long long)node);
			return -1;
		}
	}
	return 0;
}

/* ---- version ---- */

/* "6.1.0-27-cloud-amd64" -> 6.1.0; "5.14.0-517.el9" -> 5.14.0. */
static uint32_t parse_release(const char *rel)
{
	unsigned a = 0, b = 0, c = 0;
	if (!rel || sscanf(rel, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	if (a > 255 || b > 255)
		return 0;
	return KS_VERSION(a, b, c);
}

/*
 * The upstream version behind a distribution's release string, from the
 * banner (the one place it is derived; both front ends hand the banner
 * in).  0 when the banner does not say: the release then decides.
 *  Debian: "... #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)"
 *          (the compiler part before the last '#' says "(Debian
 *          12.2.0-14)" too, so only the text after it is searched);
 *  Ubuntu: "... #101-Ubuntu SMP ... (Ubuntu 5.15.0-91.101-generic
 *          5.15.131)": the last word inside that parenthesis;
 *  RHEL "5.14.0-503.el9", SUSE "6.4.0-150600.23-default" and upstream
 *          releases carry no more than the release itself.
 * Either must agree with the release's major.minor.
 */
uint32_t ks_version_from_banner(const char *banner, const char *release)
{
	unsigned a, b, c, ra, rb;
	const char *p;

	if (!banner || !release || sscanf(release, "%u.%u", &ra, &rb) != 2)
		return 0;
	/* the last "(Ubuntu ": the compiler's "(Ubuntu 11.4.0-...)" comes first */
	p = NULL;
	for (const char *q = banner; (q = strstr(q, "(Ubuntu ")) != NULL; q++)
		p = q;
	if (p) {
		const char *end = strchr(p, ')');
		const char *word = NULL;
		for (const char *q = p; q && (!end || q < end); q = strchr(q + 1, ' '))
			word = q + 1;
		if (word && sscanf(word, "%u.%u.%u", &a, &b, &c) == 3 && a == ra && b == rb &&
		    a < 256 && b < 256)
			return KS_VERSION(a, b, c);
	}
	p = strrchr(banner, '#');
	for (int n = 0; p && n < 4 && (p = strstr(p, "Debian ")); n++) {
		p += strlen("Debian ");
		if (sscanf(p, "%u.%u.%u", &a, &b, &c) == 3 && a == ra && b == rb &&
		    a < 256 && b < 256)
			return KS_VERSION(a, b, c);
	}
	return 0;
}

uint32_t ks_kernel_version(const struct ks_kernel *k) { return k->version; }
const char *ks_kernel_release(const struct ks_kernel *k) { return k->release; }
const char *ks_kernel_arch_name(const struct ks_kernel *k) { return k->arch->name; }

const char *ks_kernel_unwinder_name(const struct ks_kernel *k)
{
	return k->arch->unwinder_name ? k->arch->unwinder_name(k) : "unknown";
}

/* ---- function-graph shadow stack (doc/kernel-rules.md §5) ---- */

static void probe_fgraph(struct ks_kernel *k)
{
	k->return_to_handler = ks_symbol(k, "return_to_handler");
	k->off_ret_stack = ks_offset(k, "task_struct", "ret_stack", -1);
	k->off_curr_ret_stack = ks_offset(k, "task_struct", "curr_ret_stack", -1);
	if (!k->return_to_handler || k->off_ret_stack < 0 ||
	    k->off_curr_ret_stack < 0) {
		k->fgraph = KS_FGRAPH_NONE;
		return;
	}
	/* v6.11 ("function_graph: Convert ret_stack to a series of longs")
	 * turned ret_stack into an unsigned long array with a word offset;
	 * before it was an array of struct ftrace_ret_stack and an index.
	 * The same series ("function_graph: Allow multiple users to attach
	 * to function graph") added fgraph_array[], the registered users:
	 * its presence tells the layout on a vendor kernel that took the
	 * series back; the version decides only where neither says. */
	if (ks_symbol(k, "fgraph_array"))
		k->fgraph = KS_FGRAPH_WORD_ARRAY;
	else
		k->fgraph = k->version >= KS_VERSION(6, 11, 0) ?
			KS_FGRAPH_WORD_ARRAY : KS_FGRAPH_STRUCT_ARRAY;
	/* Layout of one entry: ret first; retp exists on x86 and s390 since
	 * HAVE_FUNCTION_GRAPH_RET_ADDR_PTR (4.x), always since 6.11. */
	k->frs_ret = ks_offset(k, "ftrace_ret_stack", "ret", 0);
	k->frs_retp = ks_offset(k, "ftrace_ret_stack", "retp", -1);
	k->frs_size = ks_type_size(k, "ftrace_ret_stack", -1);
}

/* ---- kretprobe / rethook instances (doc/kernel-rules.md §6) ---- */

static void probe_kretprobe(struct ks_kernel *k)
{
	kaddr_t t;

	/* Trampoline names: kretprobe_trampoline (<= 5.15),
	 * __kretprobe_trampoline (5.16+), arch_rethook_trampoline (x86 5.18+,
	 * s390 6.3+). */
	t = ks_symbol(k, "__kretprobe_trampoline");
	if (!t)
		t = ks_symbol(k, "kretprobe_trampoline");
	k->kretprobe_trampoline = t;
	k->rethook_trampoline = ks_symbol(k, "arch_rethook_trampoline");

	k->kretprobe = KS_KRETPROBE_NONE;
	if ((k->off_task_kr = ks_offset(k, "task_struct", "rethooks", -1)) >= 0) {
		/* struct kretprobe_instance embeds struct rethook_node node
		 * first; the list runs through rethook_node.llist. */
		k->kretprobe = KS_KRETPROBE_RETHOOK;
		k->kri_node = ks_offset(k, "rethook_node", "llist", 16);
		k->kri_ret_addr = ks_offset(k, "rethook_node", "ret_addr", 32) - k->kri_node;
		k->kri_fp = ks_offset(k, "rethook_node", "frame", 40) - k->kri_node;
		k->kri_task = -1;
	} else if ((k->off_task_kr = ks_offset(k, "task_struct",
					       "kretprobe_instances", -1)) >= 0) {
		/* 5.11+: llist through kretprobe_instance.llist. */
		k->kretprobe = KS_KRETPROBE_TASK_LIST;
		k->kri_node = ks_offset(k, "kretprobe_instance", "llist", 16);
		k->kri_ret_addr = ks_offset(k, "kretprobe_instance", "ret_addr", 32) - k->kri_node;
		k->kri_fp = ks_offset(k, "kretprobe_instance", "fp", 40) - k->kri_node;
		k->kri_task = -1;
	} else if ((k->kretprobe_inst_table = ks_symbol(k, "kretprobe_inst_table"))) {
		/* <= 5.10: 64 hlist buckets, hashed by task. */
		k->kretprobe = KS_KRETPROBE_HASH_TABLE;
		k->kri_node = ks_offset(k, "kretprobe_instance", "hlist", 0);
		k->kri_ret_addr = ks_offset(k, "kretprobe_instance", "ret_addr", 24) - k->kri_node;
		k->kri_fp = ks_offset(k, "kretprobe_instance", "fp", 40) - k->kri_node;
		k->kri_task = ks_offset(k, "kretprobe_instance", "task", 32) - k->kri_node;
	}
}

/* ---- task_struct layout (tasks.c) ---- */

static void probe_task_layout(struct ks_kernel *k)
{
	k->ts.tasks = ks_offset(k, "task_struct", "tasks", -1);
	k->ts.thread_group = ks_offset(k, "task_struct", "thread_group", -1);
	k->ts.thread_node = ks_offset(k, "task_struct", "thread_node", -1);
	k->ts.signal = ks_offset(k, "task_struct", "signal", -1);
	k->ts.signal_thread_head = ks_offset(k, "signal_struct", "thread_head", -1);
	k->ts.pid = ks_offset(k, "task_struct", "pid", -1);
	k->ts.tgid = ks_offset(k, "task_struct", "tgid", -1);
	k->ts.comm = ks_offset(k, "task_struct", "comm", -1);
	k->ts.flags = ks_offset(k, "task_struct", "flags", -1);
	/* "state" became "__state" (unsigned int) in 5.14. */
	k->ts.state = ks_offset(k, "task_struct", "__state", -1);
	k->ts.state_size = ks_member_size(k, "task_struct", "__state", 4);
	if (k->ts.state < 0) {
		k->ts.state = ks_offset(k, "task_struct", "state", -1);
		k->ts.state_size = ks_member_size(k, "task_struct", "state", 8);
	}
	k->ts.stack = ks_offset(k, "task_struct", "stack", -1);
	k->ts.thread = ks_offset(k, "task_struct", "thread", -1);
	k->ts.on_cpu = ks_offset(k, "task_struct", "on_cpu", -1);
	/* int on_cpu until 7.x made it a u8 followed by on_rq, is_blocked
	 * and padding: read exactly the member's size, or a sleeper with
	 * is_blocked set looks like it is on a CPU. */
	k->ts.on_cpu_size = ks_member_size(k, "task_struct", "on_cpu", 4);
	k->ts.cpu = ks_offset(k, "task_struct", "cpu", -1);
	/* task_struct.cpu with THREAD_INFO_IN_TASK (x86 4.9+, s390 5.x+ in
	 * most configs), else thread_info.cpu. */
	k->ts.thread_info_cpu = -1;
	if (k->ts.cpu < 0) {
		long ti = ks_offset(k, "task_struct", "thread_info", -1);
		long cpu = ks_offset(k, "thread_info", "cpu", -1);
		if (ti >= 0 && cpu >= 0)
			k->ts.thread_info_cpu = ti + cpu;
	}
	/* x86_64 keeps the saved stack pointer in thread.sp, s390 in
	 * thread.ksp. */
	k->ts.ksp = ks_offset(k, "thread_struct", "sp", -1);
	if (k->ts.ksp < 0)
		k->ts.ksp = ks_offset(k, "thread_struct", "ksp", -1);
	k->ts.rq_curr = ks_offset(k, "rq", "curr", -1);
	k->ts.rq_idle = ks_offset(k, "rq", "idle", -1);
}

struct ks_kernel *ks_kernel_open(const struct ks_target *t, char *err,
				 size_t errlen)
{
	struct ks_kernel *k;

	if (!t || !t->ops || !t->ops->read || !t->ops->lookup_symbol ||
	    !t->ops->symbols_at || !t->ops->is_kernel_text ||
	    !t->ops->member_offset || !t->ops->type_size) {
		snprintf(err, errlen, "incomplete target");
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->t = t;
	switch (t->arch) {
	case KS_ARCH_X86_64:
		k->arch = &ks_arch_x86_64;
		break;
	case KS_ARCH_S390X:
		k->arch = &ks_arch_s390x;
		break;
	default:
		snprintf(err, errlen, "unsupported architecture");
		free(k);
		return NULL;
	}
	k->big_endian = k->arch->big_endian;
	snprintf(k->release, sizeof(k->release), "%s",
		 t->osrelease ? t->osrelease : "");
	k->version = t->version;
	if (!k->version)
		k->version = ks_version_from_banner(t->banner, t->osrelease);
	if (!k->version)
		k->version = parse_release(t->osrelease);
	if (!k->version) {
		snprintf(err, errlen, "cannot tell the kernel version from release '%s'",
			 k->release);
		free(k);
		return NULL;
	}
	/* klp_have_reliable_stack(): the arch has arch_stack_walk_reliable
	 * (5.2+) or save_stack_trace_tsk_reliable (4.12-5.1). */
	k->has_reliable_stacktrace =
		ks_symbol(k, "arch_stack_walk_reliable") != 0 ||
		ks_symbol(k, "save_stack_trace_tsk_reliable") != 0;
	/* THREAD_SIZE: init_stack spans exactly one; its end is marked by
	 * __end_init_task (4.x+), renamed __end_init_stack in 6.10 (the
	 * linker-script rework that put init_task's stack in its own
	 * section).  16 KiB by default, more with KASAN (x86 32 KiB, s390
	 * 64 KiB): never trust the default where the symbols tell. */
	k->thread_size = k->arch->default_thread_size;
	{
		kaddr_t a = ks_symbol(k, "init_stack");
		kaddr_t b = ks_symbol(k, "__end_init_stack");
		if (!b)
			b = ks_symbol(k, "__end_init_task");
		if (a && b > a && b - a >= 8192 && b - a <= 65536 &&
		    ((b - a) & (b - a - 1)) == 0)
			k->thread_size = b - a;
	}
	k->init_text_start = ks_symbol(k, "_sinittext");
	k->init_text_end = ks_symbol(k, "_einittext");
	if (k->init_text_end <= k->init_text_start)
		k->init_text_start = k->init_text_end = 0;
	probe_fgraph(k);
	probe_kretprobe(k);
	probe_task_layout(k);
	ks_modules_load(k);
	ks_bpf_load(k);
	if (k->arch->probe(k, err, errlen)) {
		if (k->arch->release)
			k->arch->release(k);
		ks_modules_free(k);
		ks_bpf_free(k);
		free(k);
		return NULL;
	}
	return k;
}

void ks_kernel_close(struct ks_kernel *k)
{
	if (!k)
		return;
	if (k->arch->release)
		k->arch->release(k);
	ks_modules_free(k);
	ks_bpf_free(k);
	free(k);
}
