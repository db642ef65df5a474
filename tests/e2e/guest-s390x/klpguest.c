/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpguest - runs as PID 1 inside the s390x test guest (exec'ed by /init once
 * tracing is set up).  It starts the scenario tasks, waits until each one sits
 * where it should, and then has a short-lived reporter print the kernel's own
 * view of every task between KLP-TRUTH-BEGIN and KLP-TRUTH-END on the console.
 * The host dumps the guest right after the end marker.
 *
 * The truth lines (see tests/e2e/mkdump-s390x.sh):
 *   kernel RELEASE
 *   fgraph-functions F...          from tracing/set_ftrace_filter, and the
 *                                  fprobe return probes of dynamic_events
 *                                  (on the function-graph tracer, 6.14+)
 *   kretprobe-functions F...       from tracing/kprobe_events ("r" probes)
 *   task TID TGID COMM SCENARIO
 *   state TID STATE                field 3 of /proc/TID/stat
 *   frame TID SYMBOL+0xOFF/0xSIZE [MODULE]   /proc/TID/stack, innermost first
 *                                  (the kernel leaves out __sched functions
 *                                  such as schedule and do_nanosleep there)
 *   traced TID FUNC LABEL          LABEL = ftrace-graph | kretprobe
 *   reliable TID N                 the kernel's own reliable walk of the task
 *                                  (klpt_reliable.ko, sets with it): the
 *                                  entries walked, or -errno when unreliable
 *   klp TID COMM REASON [FUNC]     the kernel's last klp_try_switch_task
 *                                  round (livepatch, unpatch): REASON = sleeping
 *                                  (on FUNC) | running | unreliable
 *
 * "traced" is derived: a frame whose function is in one of the two sets has
 * its return diverted to return_to_handler / __kretprobe_trampoline.  That is
 * exact here because /init switches tracing on before any user task exists
 * and the chosen functions are ones only our scenario tasks sleep in, so
 * every such frame was entered while the hooks were live.
 *
 * Idle tasks have no /proc entry; they are listed as "task 0 0 swapper/N
 * idle" (one per online CPU) without state or frame lines.
 *
 * Sets sleepers, livepatch and unpatch (argv[1], from /init): two more
 * tasks sleep in klpt_sleeper_wait() of klpt_sleeper.ko (unpatch: in its
 * replacement, see below).  livepatch: once every task has settled the
 * reporter loads klpt_livepatch.ko, which replaces that function, waits for
 * the transition to stall visibly (two retry rounds logged by dynamic debug
 * of kernel/livepatch/transition.c) and then takes the truth.  The kernel
 * signals the remaining tasks after SIGNALS_TIMEOUT (15) retries, about 15 s
 * (v6.1 klp_try_complete_transition()), which would move the sleepers: the
 * reporter refuses to finish when that happened before its end marker.
 * unpatch: PID 1 applies klpt_livepatch.ko before any scenario task exists
 * (the transition completes at once), the sleepers then park in its
 * replacement livepatch_klpt_sleeper_wait(), and the reporter disables the
 * patch: the unpatching transition stalls on them.
 *
 * The reporter is a child of PID 1, which ignores SIGCHLD, so once it exits
 * the kernel reaps it at once and it is gone from the task list before the
 * dump is taken.  PID 1 itself waits in pause(); the reporter prints it only
 * after seeing it there.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"
#define MAX_FUNCS 64
#define MAX_TASKS 4096		/* far more than a 512 MiB test guest runs */
#define QUIET_MS 1500		/* RCU grace periods settle before the truth */
#define MAX_ROLES 64
#define SETTLE_SECONDS 90	/* TCG is slow; a settled task needs far less */
#define KLP_STALL_SECONDS 12	/* below the kernel's 15 retries before signals */
#define MAX_KLP 256

/* One spawned process: its role decides the fallback scenario word and where
 * its threads are expected to sleep before the truth is taken. */
struct role {
	pid_t pid;
	const char *name;	/* comm, also the role key */
	const char *scenario;	/* word used when no traced frame is present */
	const char *expect;	/* substring of a /proc/TID/stack line; NULL: running */
};

struct funcset {
	int n;
	char name[MAX_FUNCS][128];
};

static void msg(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* one write per line keeps lines whole on the shared console */
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Read what is left of fd into buf (NUL-terminated). */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	ssize_t n, total = 0;

	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	return total;
}

/* Read an already open /proc file again from the start.  Opening a file
 * frees a struct file through call_rcu() on close (6.1 file_free()),
 * which starts an RCU grace period and wakes the RCU kthread: the truth
 * is read through descriptors opened before a quiet period instead. */
static ssize_t reread_fd(int fd, char *buf, size_t size)
{
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	return read_all(fd, buf, size);
}

/* Read a small file into buf (NUL-terminated); -1 on error. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t total;

	if (fd < 0)
		return -1;
	total = read_all(fd, buf, size);
	close(fd);
	return total;
}

static void funcset_add(struct funcset *s, const char *name)
{
	if (s->n >= MAX_FUNCS || !*name)
		return;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
	s->n++;
}

static int funcset_has(const struct funcset *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return 1;
	return 0;
}

/* Functions the graph tracer hooks: only meaningful while function_graph is
 * the current tracer; an empty filter then means "everything", which /init
 * never sets up. */
static void load_fgraph(struct funcset *s)
{
	static char buf[65536];
	char *line, *save = NULL;

	s->n = 0;
	if (read_file(TRACEFS "/current_tracer", buf, sizeof(buf)) < 0 ||
	    strncmp(buf, "function_graph", 14))
		return;
	if (read_file(TRACEFS "/set_ftrace_filter", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, " \t")] = '\0';
		funcset_add(s, line);
	}
}

/* fprobe return probes ("f:fprobes/klp_vfs_read vfs_read%return" in
 * dynamic_events), which /init sets up only where fprobe runs on the
 * function-graph tracer (6.14+): their returns go through
 * return_to_handler like the graph tracer's, so they join that set. */
static void load_fprobes(struct funcset *s)
{
	static char buf[65536];
	char *line, *save = NULL;

	if (read_file(TRACEFS "/dynamic_events", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sym, *ret;

		if (line[0] != 'f')
			continue;
		sym = strchr(line, ' ');
		if (!sym)
			continue;
		sym++;
		ret = strstr(sym, "%return");
		if (!ret)
			continue;
		*ret = '\0';
		if (!funcset_has(s, sym))
			funcset_add(s, sym);
	}
}

/* Return probes: lines look like "r64:kprobes/klp_do_wait do_wait". */
static void load_kretprobes(struct funcset *s)
{
	static char buf[65536];
	char *line, *save = NULL;

	s->n = 0;
	if (read_file(TRACEFS "/kprobe_events", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sym;

		if (line[0] != 'r')
			continue;
		sym = strchr(line, ' ');
		if (!sym)
			continue;
		sym++;
		sym[strcspn(sym, " +\t")] = '\0';
		funcset_add(s, sym);
	}
}

/* ---- scenario bodies: each runs in its own process and never returns ---- */

static void set_comm(const char *name)
{
	prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

static void __attribute__((noreturn)) forever_pause(void)
{
	for (;;)
		pause();
}

static void __attribute__((noreturn)) run_nanosleep(void)
{
	for (;;) {
		struct timespec ts = { 1000000, 0 };

		nanosleep(&ts, NULL);
	}
}

static void __attribute__((noreturn)) run_wait(void)
{
	pid_t child = fork();

	if (child == 0) {
		set_comm("klp-waitchild");
		forever_pause();
	}
	if (child < 0) {
		msg("klp-guest: warning: klp-wait: fork: %s", strerror(errno));
		forever_pause();
	}
	for (;;)
		if (waitpid(child, NULL, 0) < 0 && errno != EINTR)
			forever_pause();
}

static pthread_mutex_t futex_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t futex_cv = PTHREAD_COND_INITIALIZER;

static void *futex_thread(void *arg)
{
	(void)arg;
	set_comm("klp-futex-t");
	pthread_mutex_lock(&futex_mu);
	for (;;)
		pthread_cond_wait(&futex_cv, &futex_mu);
	return NULL;
}

static void __attribute__((noreturn)) run_futex(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, futex_thread, NULL)) {
		msg("klp-guest: warning: klp-futex: pthread_create failed");
		forever_pause();
	}
	/* the main thread sleeps in futex_wait too, on the thread's tid word */
	pthread_join(t, NULL);
	forever_pause();
}

static void __attribute__((noreturn)) run_unixread(void)
{
	int sv[2];
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		msg("klp-guest: warning: klp-unixread: socketpair: %s", strerror(errno));
		forever_pause();
	}
	for (;;)
		if (read(sv[0], &c, 1) < 0 && errno != EINTR)
			forever_pause();
}

static void __attribute__((noreturn)) run_select(void)
{
	int p[2];

	if (pipe(p) < 0) {
		msg("klp-guest: warning: klp-select: pipe: %s", strerror(errno));
		forever_pause();
	}
	for (;;) {
		fd_set r;

		FD_ZERO(&r);
		FD_SET(p[0], &r);
		select(p[0] + 1, &r, NULL, NULL, NULL);
	}
}

/* The kernel itself faults on a userfaultfd-registered, never-populated
 * buffer: read() from a pipe copies into it, copy_to_user takes a page fault
 * in kernel mode and handle_userfault() sleeps, since nobody reads the uffd. */
static void __attribute__((noreturn)) run_uffd(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	char *buf;
	int uffd, p[2];

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0) {
		msg("klp-guest: warning: klp-uffd: userfaultfd: %s", strerror(errno));
		forever_pause();
	}
	if (ioctl(uffd, UFFDIO_API, &api) < 0) {
		msg("klp-guest: warning: klp-uffd: UFFDIO_API: %s", strerror(errno));
		forever_pause();
	}
	buf = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		msg("klp-guest: warning: klp-uffd: mmap: %s", strerror(errno));
		forever_pause();
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (unsigned long)buf;
	reg.range.len = 2 * psz;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) {
		msg("klp-guest: warning: klp-uffd: UFFDIO_REGISTER: %s", strerror(errno));
		forever_pause();
	}
	if (pipe(p) < 0 || write(p[1], "klpstack", 8) != 8) {
		msg("klp-guest: warning: klp-uffd: pipe: %s", strerror(errno));
		forever_pause();
	}
	if (read(p[0], buf, 8) < 0)
		msg("klp-guest: warning: klp-uffd: read returned: %s", strerror(errno));
	forever_pause();
}

static void __attribute__((noreturn)) run_busy(void)
{
	volatile unsigned long n = 0;

	/* low priority: the reporter and the console must still get CPU time */
	setpriority(PRIO_PROCESS, 0, 19);
	for (;;)
		n++;
}

static void __attribute__((noreturn)) run_busysys(void)
{
	setpriority(PRIO_PROCESS, 0, 19);
	for (;;)
		syscall(SYS_getppid);
}

/* read() of /dev/klpt_sleeper sleeps in klpt_sleeper_wait(), the function
 * klpt_livepatch.ko replaces (tests/e2e/guest/livepatch/klpt_sleeper.c) */
static void __attribute__((noreturn)) run_klpsleep(void)
{
	int fd = open("/dev/klpt_sleeper", O_RDONLY | O_CLOEXEC);
	char c;

	if (fd < 0) {
		msg("klp-guest: error: open /dev/klpt_sleeper: %s", strerror(errno));
		forever_pause();
	}
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	forever_pause();
}

struct spec {
	const char *name;
	const char *scenario;
	const char *expect;
	void (*body)(void);
};

static const struct spec specs[] = {
	{ "klp-nanosleep", "sleep", "hrtimer_nanosleep", run_nanosleep },
	{ "klp-nanosleep", "sleep", "hrtimer_nanosleep", run_nanosleep },
	{ "klp-wait", "sleep", "do_wait", run_wait },
	{ "klp-futex", "sleep", "futex_wait", run_futex },
	{ "klp-unixread", "sleep", "unix_stream_read_generic", run_unixread },
	{ "klp-unixread", "sleep", "unix_stream_read_generic", run_unixread },
	{ "klp-select", "sleep", "do_select", run_select },
	{ "klp-uffd", "uffd", "handle_userfault", run_uffd },
	{ "klp-pause", "sleep", "sys_pause", forever_pause },
	{ "klp-busy", "busy", NULL, run_busy },
	{ "klp-busysys", "busy", NULL, run_busysys },
};

/* only in the sets with the test modules (sleepers, livepatch) */
static const struct spec klp_specs[] = {
	{ "klp-sleeper", "klp-sleeper", "klpt_sleeper_wait", run_klpsleep },
	{ "klp-sleeper", "klp-sleeper", "klpt_sleeper_wait", run_klpsleep },
};

/* unpatch: the same, asleep in the patch's replacement */
static const struct spec klp_specs_patched[] = {
	{ "klp-sleeper", "klp-sleeper", "livepatch_klpt_sleeper_wait", run_klpsleep },
	{ "klp-sleeper", "klp-sleeper", "livepatch_klpt_sleeper_wait", run_klpsleep },
};

/* ---- the reporter ---- */

struct tinfo {
	pid_t tid, tgid;
};

static int cmp_tinfo(const void *a, const void *b)
{
	const struct tinfo *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* All threads of all processes, sorted by TID; returns the count. */
static int list_tasks(struct tinfo *out, int max)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;
	int n = 0;

	if (!proc)
		return 0;
	while ((pe = readdir(proc)) && n < max) {
		char path[64];
		struct dirent *te;
		DIR *task;
		pid_t tgid;

		if (!isdigit((unsigned char)pe->d_name[0]))
			continue;
		tgid = atoi(pe->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task", tgid);
		task = opendir(path);
		if (!task)
			continue;	/* exited meanwhile */
		while ((te = readdir(task)) && n < max) {
			if (!isdigit((unsigned char)te->d_name[0]))
				continue;
			out[n].tid = atoi(te->d_name);
			out[n].tgid = tgid;
			n++;
		}
		closedir(task);
	}
	closedir(proc);
	qsort(out, n, sizeof(out[0]), cmp_tinfo);
	return n;
}

/* State letter and flags from /proc/TID/stat; comm may hold ')' so parse
 * from the last ')'. */
static int task_stat(pid_t tid, char *state, unsigned long *flags)
{
	char path[64], buf[1024], *p;
	unsigned long f = 0;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	/* field 3 is the state; flags is field 9 */
	p += 2;
	for (field = 3; field < 9 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		f = strtoul(p, NULL, 10);
	*flags = f;
	return 0;
}

static void task_comm(pid_t tid, char *comm, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", tid);
	if (read_file(path, comm, size) <= 0)
		snprintf(comm, size, "?");
	comm[strcspn(comm, "\n")] = '\0';
	/* the truth format splits on blanks */
	for (char *c = comm; *c; c++)
		if (isspace((unsigned char)*c))
			*c = '_';
	if (!*comm)
		snprintf(comm, size, "?");
}

static ssize_t task_stack(pid_t tid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stack", tid);
	return read_file(path, buf, size);
}

/* Frame text of one /proc/TID/stack line: "[<0>] name+0x1/0x2 [mod]" ->
 * "name+0x1/0x2 [mod]". */
static const char *frame_text(const char *line)
{
	const char *p = line;

	if (p[0] == '[') {
		p = strchr(p, ']');
		p = p ? p + 1 : line;
		while (*p == ' ')
			p++;
	}
	return p;
}

static int stack_has(pid_t tid, const char *what)
{
	static char buf[16384];

	if (task_stack(tid, buf, sizeof(buf)) <= 0)
		return 0;
	return strstr(buf, what) != NULL;
}

#define PF_KTHREAD 0x00200000UL

static const struct role *find_role(const struct role *roles, int nroles, pid_t tgid)
{
	for (int i = 0; i < nroles; i++)
		if (roles[i].pid == tgid)
			return &roles[i];
	return NULL;
}

/* Wait until every scenario thread (and PID 1) sits where it is expected. */
static void settle(const struct role *roles, int nroles)
{
	static struct tinfo t[MAX_TASKS];
	time_t end = time(NULL) + SETTLE_SECONDS;
	int pending = 1;

	while (pending && time(NULL) < end) {
		int n = list_tasks(t, MAX_TASKS);

		pending = 0;
		if (!stack_has(1, "sys_pause"))
			pending = 1;
		for (int i = 0; i < n && !pending; i++) {
			const struct role *r = find_role(roles, nroles, t[i].tgid);

			if (r && r->expect && !stack_has(t[i].tid, r->expect))
				pending = 1;
		}
		for (int i = 0; i < nroles && !pending; i++) {
			char path[64];

			/* a process whose threads are not all up yet */
			snprintf(path, sizeof(path), "/proc/%d/task", roles[i].pid);
			if (access(path, F_OK))
				pending = 1;
		}
		if (pending)
			sleep_ms(200);
	}
	if (pending)
		msg("klp-guest: warning: not every task settled within %d s", SETTLE_SECONDS);
}

static void print_funcs(const char *key, const struct funcset *s)
{
	char line[4096];
	size_t len;

	len = snprintf(line, sizeof(line), "%s", key);
	for (int i = 0; i < s->n && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, " %s", s->name[i]);
	msg("%s", line);
}

static void report_kretprobe_misses(void)
{
	static char buf[16384];
	char *line, *save = NULL;
	unsigned long missed = 0;

	/* kprobe_profile: "  EVENT  NHIT  NMISSED" */
	if (read_file(TRACEFS "/kprobe_profile", buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char ev[256];
		unsigned long hit, miss;

		if (sscanf(line, "%255s %lu %lu", ev, &hit, &miss) == 3)
			missed += miss;
	}
	msg("klp-guest: kretprobe-missed %lu", missed);
}

/* Stacks as first read, to tell which tasks moved while the truth was
 * being printed: their truth is not what the dump will hold. */
static struct {
	pid_t tid;
	int fd;			/* /proc/TID/stack, opened before the quiet period */
	unsigned long hash;
	/* /proc/TID/stat and comm, also read before it */
	int alive;
	char state;
	unsigned long flags;
	char comm[64];
	int reliable_known;	/* the kernel was asked, twice alike */
	int reliable;		/* its answer: entries walked, or -errno */
} seen[MAX_TASKS];
static int nseen;

static int seen_fd(pid_t tid)
{
	for (int i = 0; i < nseen; i++)
		if (seen[i].tid == tid)
			return seen[i].fd;
	return -1;
}

static unsigned long text_hash(const char *s, ssize_t len)
{
	unsigned long h = 1469598103934665603UL;	/* FNV-1a */

	for (ssize_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211UL;
	}
	return h;
}

/* Read every listed stack again right before the end marker (the host
 * stops the guest at it) and name the tasks whose stack changed. */
static void report_moved(void)
{
	static char buf[16384];

	for (int i = 0; i < nseen; i++) {
		ssize_t len = reread_fd(seen[i].fd, buf, sizeof(buf));

		if (len < 0 || text_hash(buf, len) != seen[i].hash)
			msg("moved %d", seen[i].tid);
	}
}

/* ---- livepatch sets: start a transition, read the kernel's verdicts ---- */

#define KLP_MSG "klp_try_switch_task: "

struct klp_line {
	double ts;
	int pid;
	char comm[64];
	char reason[16];	/* sleeping, running, unreliable */
	char func[128];
};

/* The whole kernel log (it holds a few hundred lines here). */
static int read_klog(char *buf, int size)
{
	int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size - 1);

	if (len < 0)
		len = 0;
	buf[len] = '\0';
	return len;
}

/*
 * The kernel's klp_try_switch_task lines (v6.1 kernel/livepatch/transition.c,
 * pr_debug made visible through dynamic debug):
 *   "klp_try_switch_task: COMM:PID is sleeping on function FUNC"
 *   "klp_try_switch_task: COMM:PID is running"
 *   "klp_try_switch_task: COMM:PID has an unreliable stack"
 * One retry prints its lines within milliseconds and retries come a second
 * apart (round_jiffies_relative(HZ)): lines closer than 0.3 s form a round.
 * Returns the number of rounds; OUT gets the lines of the last one.
 */
static int klp_rounds(struct klp_line *out, int *nout)
{
	static char buf[1 << 20];
	char *line, *save = NULL;
	double last = -1;
	int rounds = 0;

	*nout = 0;
	read_klog(buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *m = strstr(line, KLP_MSG), *ts = strchr(line, '['), *rest, *colon;
		struct klp_line k;

		if (!m || !ts)
			continue;
		memset(&k, 0, sizeof(k));
		k.ts = strtod(ts + 1, NULL);
		rest = m + strlen(KLP_MSG);
		if ((m = strstr(rest, " is sleeping on function ")) != NULL) {
			snprintf(k.reason, sizeof(k.reason), "sleeping");
			snprintf(k.func, sizeof(k.func), "%s", m + strlen(" is sleeping on function "));
		} else if ((m = strstr(rest, " is running")) != NULL) {
			snprintf(k.reason, sizeof(k.reason), "running");
		} else if ((m = strstr(rest, " has an unreliable stack")) != NULL) {
			snprintf(k.reason, sizeof(k.reason), "unreliable");
		} else {
			continue;
		}
		*m = '\0';
		colon = strrchr(rest, ':');	/* a comm may hold ':' itself */
		if (!colon || !isdigit((unsigned char)colon[1]))
			continue;
		*colon = '\0';
		k.pid = atoi(colon + 1);
		snprintf(k.comm, sizeof(k.comm), "%s", rest);
		for (char *c = k.comm; *c; c++)
			if (isspace((unsigned char)*c))
				*c = '_';
		if (last < 0 || k.ts - last > 0.3) {
			rounds++;
			*nout = 0;
		}
		last = k.ts;
		if (*nout < MAX_KLP)
			out[(*nout)++] = k;
	}
	return rounds;
}

static int klp_signalled(void)
{
	static char buf[1 << 20];

	read_klog(buf, sizeof(buf));
	/* v6.1 klp_send_signals(), after SIGNALS_TIMEOUT retries */
	return strstr(buf, "signaling remaining tasks") != NULL;
}

static void load_livepatch(void)
{
	int fd = open("/klpt/klpt_livepatch.ko", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
		msg("klp-guest: error: cannot load klpt_livepatch.ko: %s", strerror(errno));
		forever_pause();
	}
	close(fd);
}

/* unpatch, in PID 1 before any scenario task: apply the patch and wait
 * for its transition to complete */
static void klp_first_patch(void)
{
	char buf[16] = "";

	load_livepatch();
	for (int i = 0; i < KLP_STALL_SECONDS * 10; i++) {
		if (read_file("/sys/kernel/livepatch/klpt_livepatch/transition", buf,
			      sizeof(buf)) > 0 && buf[0] == '0')
			return;
		sleep_ms(100);
	}
	msg("klp-guest: error: the patching transition did not complete within %d s",
	    KLP_STALL_SECONDS);
	forever_pause();
}

/* Start the transition (livepatch: load the patch; unpatch: disable it)
 * and wait until it has stalled in two retry rounds (the first may still
 * catch tasks on their way to sleep). */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double klp_t0;	/* when the transition was started */

static void klp_start(int unpatch)
{
	static struct klp_line lines[MAX_KLP];
	const char *cmd = "file kernel/livepatch/transition.c +p";
	int fd, n, before, ok;

	fd = open("/proc/dynamic_debug/control", O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);
	if (fd >= 0)
		close(fd);
	if (!ok) {
		msg("klp-guest: error: cannot enable dynamic debug of kernel/livepatch/transition.c");
		forever_pause();
	}
	before = klp_rounds(lines, &n);
	klp_t0 = now_s();
	if (unpatch) {
		fd = open("/sys/kernel/livepatch/klpt_livepatch/enabled", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			msg("klp-guest: error: cannot disable klpt_livepatch: %s", strerror(errno));
			forever_pause();
		}
		close(fd);
	} else {
		load_livepatch();
	}
	for (int i = 0; i < KLP_STALL_SECONDS * 10; i++) {
		if (klp_rounds(lines, &n) >= before + 2)
			return;
		sleep_ms(100);
	}
	msg("klp-guest: error: no stalled livepatch transition within %d s", KLP_STALL_SECONDS);
	forever_pause();
}

static void print_klp(void)
{
	static struct klp_line lines[MAX_KLP];
	int n;

	klp_rounds(lines, &n);
	for (int i = 0; i < n; i++) {
		if (lines[i].func[0])
			msg("klp %d %s %s %s", lines[i].pid, lines[i].comm, lines[i].reason,
			    lines[i].func);
		else
			msg("klp %d %s %s", lines[i].pid, lines[i].comm, lines[i].reason);
	}
}

/* The kernel's own reliable walk of every sleeping task (klpt_reliable.ko:
 * a write of the TID succeeds when stack_trace_save_tsk_reliable() does),
 * asked twice and kept when both answers agree. */
static void ask_reliable(pid_t self)
{
	int fd = open("/sys/kernel/debug/klpt_reliable", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;		/* no test modules in this guest */
	for (int i = 0; i < nseen; i++) {
		char tid[16];
		int len, r[2];

		if (!seen[i].alive || seen[i].tid == self || !strchr("SDI", seen[i].state))
			continue;
		len = snprintf(tid, sizeof(tid), "%d", seen[i].tid);
		for (int k = 0; k < 2; k++)
			r[k] = write(fd, tid, len) == len ? 0 : -errno;
		if (r[0] == r[1] && r[0] != -EBUSY && r[0] != -ESRCH) {
			seen[i].reliable_known = 1;
			seen[i].reliable = r[0];
		}
	}
	close(fd);
}

static void __attribute__((noreturn)) reporter(const struct role *roles, int nroles,
					       int livepatch, int unpatch)
{
	static struct tinfo t[MAX_TASKS];
	static char stack[16384];
	struct funcset fg, kr;
	struct utsname u;
	pid_t self = getpid();
	int n, ncpu = 0;
	char buf[256];

	set_comm("klp-reporter");
	settle(roles, nroles);
	if (livepatch || unpatch)
		klp_start(unpatch);
	load_fgraph(&fg);
	load_fprobes(&fg);
	load_kretprobes(&kr);
	report_kretprobe_misses();
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "unknown");

	msg("KLP-TRUTH-BEGIN");
	msg("kernel %s", u.release);
	print_funcs("fgraph-functions", &fg);
	print_funcs("kretprobe-functions", &kr);

	/* online CPUs: "0-1" or "0" */
	if (read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0) {
		int lo = 0, hi = 0;

		if (sscanf(buf, "%d-%d", &lo, &hi) == 2)
			ncpu = hi + 1;
		else if (sscanf(buf, "%d", &lo) == 1)
			ncpu = lo + 1;
	}
	for (int c = 0; c < ncpu && c < 64; c++)
		msg("task 0 0 swapper/%d idle", c);

	n = list_tasks(t, MAX_TASKS);
	for (int i = 0; i < n && nseen < MAX_TASKS; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/stack", t[i].tid);
		seen[nseen].tid = t[i].tid;
		seen[nseen].fd = open(path, O_RDONLY | O_CLOEXEC);
		seen[nseen].alive = task_stat(t[i].tid, &seen[nseen].state,
					      &seen[nseen].flags) == 0;
		task_comm(t[i].tid, seen[nseen].comm, sizeof(seen[nseen].comm));
		nseen++;
	}
	/* let the grace periods that opening files started run out */
	sleep_ms(QUIET_MS);
	ask_reliable(self);
	for (int i = 0; i < n; i++) {
		const struct role *r = find_role(roles, nroles, t[i].tgid);
		pid_t tid = t[i].tid;
		char comm[64], state, *line, *save = NULL;
		const char *scenario = "other";
		unsigned long flags = 0;
		int inner = 0, outer_fg = 0, outer_kr = 0, reliable_known = 0, reliable = 0;
		ssize_t len;

		if (t[i].tgid == self)
			continue;
		{
			int j = 0;

			while (j < nseen && seen[j].tid != tid)
				j++;
			if (j == nseen || !seen[j].alive)
				continue;	/* exited meanwhile */
			state = seen[j].state;
			flags = seen[j].flags;
			snprintf(comm, sizeof(comm), "%s", seen[j].comm);
			reliable_known = seen[j].reliable_known;
			reliable = seen[j].reliable;
		}
		len = reread_fd(seen_fd(tid), stack, sizeof(stack));
		if (len < 0)
			len = 0;
		for (int j = 0; j < nseen; j++)
			if (seen[j].tid == tid)
				seen[j].hash = text_hash(stack, len);

		/* which kinds of traced frame, innermost first */
		{
			static char copy[16384];
			char *l, *sv = NULL;

			memcpy(copy, stack, len + 1);
			for (l = strtok_r(copy, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv)) {
				char fn[128];
				const char *f = frame_text(l);

				snprintf(fn, sizeof(fn), "%.*s", (int)strcspn(f, "+ "), f);
				if (funcset_has(&fg, fn)) {
					if (!inner)
						inner = 'f';
					else
						outer_fg = 1;
				}
				if (funcset_has(&kr, fn)) {
					if (!inner)
						inner = 'k';
					else
						outer_kr = 1;
				}
			}
		}
		if (r && !strcmp(r->scenario, "uffd"))
			scenario = "uffd";
		else if (inner == 'f' && outer_kr)
			scenario = "fgraph-in-kretprobe";
		else if (inner == 'k' && outer_fg)
			scenario = "kretprobe-in-fgraph";
		else if (inner == 'f')
			scenario = "fgraph";
		else if (inner == 'k')
			scenario = "kretprobe";
		else if (r)
			scenario = r->scenario;
		else if (!strncmp(comm, "klp-", 4))
			scenario = "sleep";	/* klp-waitchild: forked by klp-wait */
		else if (tid == 1)
			scenario = "init";
		else if (flags & PF_KTHREAD)
			scenario = "kthread";

		msg("task %d %d %s %s", tid, t[i].tgid, comm, scenario);
		msg("state %d %c", tid, state);
		for (line = strtok_r(stack, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			msg("frame %d %s", tid, frame_text(line));
		if (reliable_known)
			msg("reliable %d %d", tid, reliable);
		/* strtok_r wrote NULs into stack: walk it again for traced frames */
		len = reread_fd(seen_fd(tid), stack, sizeof(stack));
		if (len < 0)
			len = 0;
		save = NULL;
		for (line = strtok_r(stack, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char fn[128];
			const char *f = frame_text(line);

			snprintf(fn, sizeof(fn), "%.*s", (int)strcspn(f, "+ "), f);
			if (funcset_has(&fg, fn))
				msg("traced %d %s ftrace-graph", tid, fn);
			if (funcset_has(&kr, fn))
				msg("traced %d %s kretprobe", tid, fn);
		}
	}
	report_moved();
	if (livepatch || unpatch) {
		/* last: the freshest retry round before the host stops the guest */
		print_klp();
		if (klp_signalled()) {
			msg("klp-guest: error: the kernel signalled the blocking tasks before "
			    "the truth was complete (a slow guest?)");
			forever_pause();
		}
	}
	msg("KLP-TRUTH-END");
	if (livepatch || unpatch)
		msg("klp-guest: the transition started %.1f s before the end marker",
		    now_s() - klp_t0);
	/* Stay: an exit now frees the task through RCU callbacks, which
	 * starts a grace period and moves the RCU kthread away from the
	 * stack just reported, before the host stops the guest. */
	for (;;)
		pause();
}

/* Start the scenario processes of SPECS, recording each as a role. */
static void spawn(const struct spec *specs_, size_t n, struct role *roles, int *nroles)
{
	for (size_t i = 0; i < n && *nroles < MAX_ROLES; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			signal(SIGCHLD, SIG_DFL);
			set_comm(specs_[i].name);
			specs_[i].body();
			_exit(0);
		}
		if (pid < 0) {
			msg("klp-guest: warning: fork for %s: %s", specs_[i].name, strerror(errno));
			continue;
		}
		roles[*nroles].pid = pid;
		roles[*nroles].name = specs_[i].name;
		roles[*nroles].scenario = specs_[i].scenario;
		roles[*nroles].expect = specs_[i].expect;
		(*nroles)++;
	}
}

int main(int argc, char **argv)
{
	struct role roles[MAX_ROLES];
	int nroles = 0;
	int livepatch = argc > 1 && !strcmp(argv[1], "livepatch");
	int unpatch = argc > 1 && !strcmp(argv[1], "unpatch");
	int sleepers = livepatch || (argc > 1 && !strcmp(argv[1], "sleepers"));
	pid_t rep;

	if (getpid() != 1) {
		fprintf(stderr, "klpguest: must run as PID 1 of the test guest\n");
		return 1;
	}
	/* children are reaped by the kernel, so an exited reporter vanishes */
	signal(SIGCHLD, SIG_IGN);

	if (unpatch)
		klp_first_patch();
	spawn(specs, sizeof(specs) / sizeof(specs[0]), roles, &nroles);
	if (sleepers)
		spawn(klp_specs, sizeof(klp_specs) / sizeof(klp_specs[0]), roles, &nroles);
	if (unpatch)
		spawn(klp_specs_patched, sizeof(klp_specs_patched) / sizeof(klp_specs_patched[0]),
		      roles, &nroles);

	rep = fork();
	if (rep == 0)
		reporter(roles, nroles, livepatch, unpatch);
	if (rep < 0)
		msg("klp-guest: error: cannot fork the reporter: %s", strerror(errno));
	forever_pause();
}
