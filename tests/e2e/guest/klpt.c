/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpt - guest-side test program for the end-to-end test dumps (tests/e2e/).
 *
 * Built on the host with "gcc -static" and put into the guest initramfs.
 * Scenario subcommands park the calling task (or threads of it) in one
 * chosen blocking syscall, so the dump holds stacks with known shape; the
 * "truth" subcommand records what the kernel itself says about every task
 * (/proc/TID/stat, /proc/TID/stack, the tracefs set-up) and prints it to the
 * console between markers, then signals the host that it may stop the guest.
 *
 *   klpt SCEN ROLE        park in SCEN, report ROLE as the scenario word
 *   klpt truth SET [SECS] wait up to SECS for the parked tasks, print truth
 *
 * Every parked task registers itself in /run/klpt/roles/TID with its role and
 * the kernel function its stack must show once it really sleeps, so "truth"
 * can wait for all of them before it reads any stack.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/futex.h>
#include <linux/userfaultfd.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROLE_DIR "/run/klpt/roles"
#define TRACEFS "/sys/kernel/tracing"
#define TRUTH_BEGIN "=== KLPSTACK TRUTH BEGIN ==="
#define TRUTH_END "=== KLPSTACK TRUTH END ==="
#define READY_MARK "=== KLPSTACK READY-TO-DUMP ==="

/* PF_KTHREAD from include/linux/sched.h (v6.1): flags field of /proc/PID/stat. */
#define PF_KTHREAD_BIT 0x00200000UL

/* Upper bounds: the guest has a few hundred tasks at most; stacks are read
 * into fixed buffers so a strange /proc never makes us loop or grow forever. */
#define QUIET_MS 1500	/* RCU grace periods settle before the stacks are read */
#define MAX_TASKS 4096
#define MAX_FRAMES 128
#define MAX_FUNCS 64
#define STACK_BUF 16384
#define MAX_GRAPH 64

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "klpt: FATAL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * A progress line for the kernel log (so "log" in crash shows it) and, via
 * printk, the console; stderr when /dev/kmsg cannot be written.
 */
static void note(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)len) != len)
		fprintf(stderr, "%s\n", buf);
	if (fd >= 0)
		close(fd);
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/*
 * Write ROLE, EXPECT and OUTER for the calling thread; "truth" reads them
 * back.  OUTER ("-" for none) lists, comma separated, functions the task is
 * known to be inside although /proc/PID/stack may not show them: the kernel's
 * own unwinder stops early where it cannot undo a trampoline, and the truth
 * still has to say which returns the scenario hooked.
 */
static void register_role_outer(const char *role, const char *expect, const char *outer)
{
	char path[64], tmp[80];
	FILE *f;

	snprintf(path, sizeof(path), ROLE_DIR "/%d", (int)gettid_());
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("cannot create %s: %s", tmp, strerror(errno));
	fprintf(f, "%s %s %s\n", role, expect, outer);
	if (fclose(f) != 0)
		die("cannot write %s: %s", tmp, strerror(errno));
	/* rename: "truth" never sees a half-written file */
	if (rename(tmp, path) != 0)
		die("cannot rename %s: %s", tmp, strerror(errno));
}

static void register_role(const char *role, const char *expect)
{
	register_role_outer(role, expect, "-");
}

static void set_comm(const char *name)
{
	/* best effort: the comm only makes the truth file easier to read */
	prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/* ---- scenarios ---------------------------------------------------------- */

/*
 * Each scenario function registers the role, then blocks "forever".  The
 * blocking calls are retried on EINTR but give up after a bounded number of
 * spurious wake-ups, so a broken guest never spins.
 */
#define MAX_RETRIES 1000

static void park_nanosleep(const char *role)
{
	/* clock_nanosleep -> hrtimer_nanosleep -> do_nanosleep (v6.1); the
	 * expected frame is hrtimer_nanosleep because /proc/PID/stack leaves out
	 * .sched.text functions such as do_nanosleep (in_sched_functions()). */
	struct timespec ts = { .tv_sec = 1000000, .tv_nsec = 0 };

	register_role(role, "hrtimer_nanosleep");
	for (int i = 0; i < MAX_RETRIES; i++)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

static void make_pipe(int p[2])
{
	if (pipe(p) != 0)
		die("pipe: %s", strerror(errno));
}

static void park_piperead(const char *role)
{
	int p[2];
	char c;

	make_pipe(p);	/* the write end stays open: read() sleeps in pipe_read */
	/* 7.x: anon_pipe_read for a pipe(2) pipe */
	register_role(role, "pipe_read|anon_pipe_read");
	for (int i = 0; i < MAX_RETRIES; i++)
		if (read(p[0], &c, 1) >= 0)
			break;
}

static void park_poll(const char *role)
{
	int p[2];
	struct pollfd pfd;

	make_pipe(p);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	register_role(role, "do_sys_poll");
	for (int i = 0; i < MAX_RETRIES; i++)
		poll(&pfd, 1, -1);
}

static void park_pause(const char *role)
{
	/* __x64_sys_pause -> __do_sys_pause (v6.1) */
	register_role(role, "__do_sys_pause|__x64_sys_pause");
	for (int i = 0; i < MAX_RETRIES; i++)
		pause();
}

static void park_wait(const char *role)
{
	pid_t child = fork();

	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		set_comm("klpt-waitee");
		park_pause("sleep");
		_exit(0);
	}
	/* wait4 -> kernel_wait4 -> do_wait (v6.1) */
	register_role(role, "do_wait");
	for (int i = 0; i < MAX_RETRIES; i++)
		if (waitpid(child, NULL, 0) == child)
			break;
}

static void park_epoll(const char *role)
{
	int p[2], ep;
	struct epoll_event ev = { .events = EPOLLIN };

	make_pipe(p);
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1: %s", strerror(errno));
	if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0)
		die("epoll_ctl: %s", strerror(errno));
	register_role(role, "do_epoll_wait");
	for (int i = 0; i < MAX_RETRIES; i++)
		epoll_wait(ep, &ev, 1, -1);
}

static void park_futex(const char *role)
{
	static uint32_t word;	/* never changes: FUTEX_WAIT sleeps */

	/* futex_wait_queue_me before 5.16; inlined into __futex_wait in 7.x */
	register_role(role, "futex_wait_queue|futex_wait_queue_me|__futex_wait");
	for (int i = 0; i < MAX_RETRIES; i++)
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void park_select(const char *role)
{
	int p[2];

	make_pipe(p);
	register_role(role, "do_select");
	for (int i = 0; i < MAX_RETRIES; i++) {
		fd_set rd;

		FD_ZERO(&rd);
		FD_SET(p[0], &rd);
		select(p[0] + 1, &rd, NULL, NULL, NULL);
	}
}

static void park_sigwait(const char *role)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		die("sigprocmask: %s", strerror(errno));
	/* sigwaitinfo -> rt_sigtimedwait -> do_sigtimedwait (v6.1) */
	register_role_outer(role, "do_sigtimedwait", "__x64_sys_rt_sigtimedwait");
	for (int i = 0; i < MAX_RETRIES; i++)
		sigwaitinfo(&set, NULL);
}

static void park_sigsuspend(const char *role)
{
	sigset_t set;

	sigemptyset(&set);
	register_role(role, "sigsuspend");
	for (int i = 0; i < MAX_RETRIES; i++)
		sigsuspend(&set);
}

static void park_accept(const char *role)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0)
		die("socket: %s", strerror(errno));
	/* abstract name: nothing to clean up in the file system */
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "klpt-accept-%d", (int)getpid());
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 1) != 0)
		die("bind/listen: %s", strerror(errno));
	register_role(role, "unix_accept");
	for (int i = 0; i < MAX_RETRIES; i++)
		accept(s, NULL, NULL);
}

static void park_recv(const char *role)
{
	int sv[2];
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		die("socketpair: %s", strerror(errno));
	register_role(role, "unix_stream_read_generic");
	for (int i = 0; i < MAX_RETRIES; i++)
		if (recv(sv[0], &c, 1, 0) >= 0)
			break;
}

static void park_msgrcv(const char *role)
{
	struct { long type; char text[16]; } msg;
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	if (q < 0)
		die("msgget: %s", strerror(errno));
	register_role(role, "do_msgrcv");
	for (int i = 0; i < MAX_RETRIES; i++)
		msgrcv(q, &msg, sizeof(msg.text), 0, 0);
}

static void park_flock(const char *role)
{
	/* flock locks belong to the open file description: a second open of
	 * the same file in the same process conflicts with the first. */
	const char *path = "/run/klpt/flock";
	int a = open(path, O_RDWR | O_CREAT, 0600);
	int b = open(path, O_RDWR);

	if (a < 0 || b < 0)
		die("open %s: %s", path, strerror(errno));
	if (flock(a, LOCK_EX) != 0)
		die("flock: %s", strerror(errno));
	/* __do_sys_flock -> locks_lock_inode_wait (v6.1) */
	register_role(role, "locks_lock_inode_wait");
	for (int i = 0; i < MAX_RETRIES; i++)
		flock(b, LOCK_EX);
}

/* ---- BPF: a task asleep under an fexit trampoline ------------------------ */

/*
 * The BTF type id of the kernel function NAME, from the kernel's own BTF
 * (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF): what an fexit program
 * names its target by.  The encoding is include/uapi/linux/btf.h's: a
 * header, then the types (id 1 first), each a struct btf_type plus a
 * kind-dependent tail, then the strings.
 */
static int btf_func_id(const char *name)
{
	static unsigned char btf[64 << 20];
	int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	uint32_t hdr_len, type_off, type_len, str_off, str_len, pos, end;
	int id = 1;

	if (fd < 0)
		die("open /sys/kernel/btf/vmlinux: %s", strerror(errno));
	for (;;) {
		ssize_t r = read(fd, btf + len, sizeof(btf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read /sys/kernel/btf/vmlinux: %s", strerror(errno));
		if (r == 0 || (len += (size_t)r) == sizeof(btf))
			break;
	}
	close(fd);
	if (len < 24 || btf[0] != 0x9f || btf[1] != 0xeb)
		die("/sys/kernel/btf/vmlinux: no BTF header");
	memcpy(&hdr_len, btf + 4, 4);
	memcpy(&type_off, btf + 8, 4);
	memcpy(&type_len, btf + 12, 4);
	memcpy(&str_off, btf + 16, 4);
	memcpy(&str_len, btf + 20, 4);
	if ((uint64_t)hdr_len + type_off + type_len > len ||
	    (uint64_t)hdr_len + str_off + str_len > len)
		die("/sys/kernel/btf/vmlinux: sections beyond the file");
	pos = hdr_len + type_off;
	end = pos + type_len;
	while (pos + 12 <= end) {
		uint32_t name_off, info, kind, vlen, tail;
		static const uint8_t per_member[20] = {
			[3] = 0, [4] = 12, [5] = 12, [6] = 8, [13] = 8, [15] = 12, [19] = 12 };
		static const uint8_t fixed[20] = { [1] = 4, [3] = 12, [14] = 4, [17] = 4 };

		memcpy(&name_off, btf + pos, 4);
		memcpy(&info, btf + pos + 4, 4);
		kind = (info >> 24) & 0x1f;
		vlen = info & 0xffff;
		if (kind == 0 || kind >= 20)
			die("/sys/kernel/btf/vmlinux: unknown BTF kind %u at type %d", kind, id);
		/* BTF_KIND_FUNC = 12 */
		if (kind == 12 && name_off < str_len &&
		    strcmp((const char *)btf + hdr_len + str_off + name_off, name) == 0)
			return id;
		tail = fixed[kind] + per_member[kind] * vlen;
		pos += 12 + tail;
		id++;
	}
	die("no BTF function %s in this kernel", name);
	return -1;
}

static long bpf_call(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/*
 * Attach an fexit program ("return 0": it only has to exist) to FUNC and
 * keep it attached for as long as this process lives: every later call of
 * FUNC runs through a BPF trampoline, which calls FUNC's body and so sits
 * on the stack below it while FUNC sleeps.  Raw bpf(2): BPF_PROG_LOAD of a
 * BPF_PROG_TYPE_TRACING program with expected_attach_type BPF_TRACE_FEXIT
 * and the function's BTF id, then BPF_RAW_TRACEPOINT_OPEN (5.5+).
 */
static void attach_fexit(const char *func)
{
	struct bpf_insn prog[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[65536];
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	union bpf_attr attr;
	int prog_fd, link_fd;

	/* before 5.11 BPF memory counts against RLIMIT_MEMLOCK */
	setrlimit(RLIMIT_MEMLOCK, &unlimited);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACING;
	attr.expected_attach_type = BPF_TRACE_FEXIT;
	attr.attach_btf_id = (uint32_t)btf_func_id(func);
	attr.insns = (uintptr_t)prog;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	snprintf(attr.prog_name, sizeof(attr.prog_name), "klpt_fexit");
	prog_fd = (int)bpf_call(BPF_PROG_LOAD, &attr);
	if (prog_fd < 0)
		die("BPF_PROG_LOAD fexit/%s: %s (verifier: %.200s)", func, strerror(errno), log);
	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.prog_fd = (uint32_t)prog_fd;
	link_fd = (int)bpf_call(BPF_RAW_TRACEPOINT_OPEN, &attr);
	if (link_fd < 0)
		die("attaching fexit/%s: %s", func, strerror(errno));
}

static void park_bpf_fexit(const char *role)
{
	/* mq_timedreceive -> do_mq_timedreceive -> wq_sleep -> schedule (5.10
	 * to 7.x); no other scenario task uses a message queue */
	struct mq_attr qa = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	char name[32], msg[16];
	mqd_t q;

	snprintf(name, sizeof(name), "/klpt-%d", (int)getpid());
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &qa);
	if (q == (mqd_t)-1)
		die("mq_open: %s", strerror(errno));
	attach_fexit("do_mq_timedreceive");
	register_role(role, "do_mq_timedreceive");
	for (int i = 0; i < MAX_RETRIES; i++)
		mq_receive(q, msg, sizeof(msg), NULL);
}

/* ---- fprobe: a return probe of the fprobe layer ---------------------------- */

static void park_semop(const char *role)
{
	/* semop -> __do_semtimedop (6.1+; do_semtimedop before) -> schedule;
	 * the init script puts an fprobe return probe on it where the kernel
	 * has fprobe events (6.7+) */
	struct sembuf down = { .sem_num = 0, .sem_op = -1, .sem_flg = 0 };
	int s = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);

	if (s < 0)
		die("semget: %s", strerror(errno));
	register_role(role, "__do_semtimedop|do_semtimedop");
	for (int i = 0; i < MAX_RETRIES; i++)
		semop(s, &down, 1);
}

/* ---- a task blocked in a module's init function ---------------------------- */

static void park_modinit(const char *role)
{
	/* finit_module -> load_module -> do_init_module -> do_one_initcall ->
	 * klpt_initwait_init, which sleeps in the module's init text */
	int fd = open("/klpt/klpt_initwait.ko", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open /klpt/klpt_initwait.ko: %s", strerror(errno));
	register_role(role, "klpt_initwait_init");
	if (syscall(SYS_finit_module, fd, "", 0) != 0)
		die("finit_module klpt_initwait.ko returned: %s", strerror(errno));
	die("klpt_initwait.ko finished its init: it must sleep there");
}

static void park_klpsleep(const char *role, const char *expect)
{
	/* klpt_sleeper.ko: read() sleeps in klpt_sleeper_wait(), the function
	 * klpt_livepatch.ko replaces (tests/e2e/guest/livepatch/); once that
	 * patch is applied, in its replacement */
	int fd = open("/dev/klpt_sleeper", O_RDONLY);
	char c;

	if (fd < 0)
		die("open /dev/klpt_sleeper: %s", strerror(errno));
	register_role(role, expect);
	for (int i = 0; i < MAX_RETRIES; i++)
		if (read(fd, &c, 1) >= 0)
			break;
}

/* ---- userfaultfd: a kernel-mode page fault that nobody services ---------- */

struct uffd_job {
	const char *role;
	char *buf;
	size_t len;
	int fd;
};

static void *uffd_reader(void *arg)
{
	struct uffd_job *job = arg;

	set_comm("klpt-uffd-flt");
	/* read() copies file data into the registered, still missing pages:
	 * copy_to_user faults in kernel mode and the fault handler sleeps in
	 * handle_userfault(), with the kernel-mode pt_regs of the fault on the
	 * stack above it. */
	register_role(job->role, "handle_userfault");
	for (int i = 0; i < MAX_RETRIES; i++)
		if (read(job->fd, job->buf, job->len) >= 0)
			break;
	return NULL;
}

static void park_uffd(const char *role)
{
	static struct uffd_job job;
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	struct uffdio_register reg;
	const char *src = "/run/klpt/uffd-src";
	char data[8192];
	pthread_t th;
	int uffd, fd;

	/* no UFFD_USER_MODE_ONLY: we want the kernel-mode fault (root may) */
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		die("userfaultfd: %s", strerror(errno));
	if (ioctl(uffd, UFFDIO_API, &api) != 0)
		die("UFFDIO_API: %s", strerror(errno));
	job.len = sizeof(data);
	job.buf = mmap(NULL, job.len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (job.buf == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)job.buf;
	reg.range.len = job.len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0)
		die("UFFDIO_REGISTER: %s", strerror(errno));

	memset(data, 'u', sizeof(data));
	fd = open(src, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, sizeof(data)) != (ssize_t)sizeof(data))
		die("cannot prepare %s: %s", src, strerror(errno));
	if (lseek(fd, 0, SEEK_SET) != 0)
		die("lseek: %s", strerror(errno));
	job.fd = fd;
	job.role = role;
	if (pthread_create(&th, NULL, uffd_reader, &job) != 0)
		die("pthread_create failed");
	/* the main thread keeps the userfaultfd open and never reads it */
	park_pause("sleep");
}

/* ---- busy: spin inside the kernel ---------------------------------------- */

static void park_busy(const char *role, const char *dev)
{
	size_t len = 1 << 20;
	char *buf = malloc(len);
	int fd = open(dev, O_RDONLY);

	if (!buf || fd < 0)
		die("busy: cannot open %s: %s", dev, strerror(errno));
	memset(buf, 0, len);	/* fault the pages in now: later reads stay in the kernel */
	register_role(role, "-");
	/* Runs until the guest is stopped; the bound only guards against a
	 * guest that runs for days. */
	for (unsigned long i = 0; i < 100000000UL; i++)
		if (read(fd, buf, len) < 0 && errno != EINTR)
			die("busy: read %s: %s", dev, strerror(errno));
}

/* ---- truth ----------------------------------------------------------------- */

struct strset {
	char **v;
	size_t n, cap;
};

static void strset_add(struct strset *s, const char *str)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			die("out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = strdup(str);
	if (!s->v[s->n])
		die("out of memory");
	s->n++;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strset_sort(struct strset *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmpstr);
}

static int strset_has_sorted(const struct strset *s, const char *str)
{
	return s->n && bsearch(&str, s->v, s->n, sizeof(*s->v), cmpstr) != NULL;
}

static int strset_has(const struct strset *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 1;
	return 0;
}

/* Read a whole (small) file; returns bytes read or -1. Always NUL-terminated. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (fd < 0)
		return -1;
	while (got < size - 1) {
		ssize_t r = read(fd, buf + got, size - 1 - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	close(fd);
	return (ssize_t)got;
}

/* Function name of a /proc/PID/stack line "[<0>] name+0x1/0x2 [mod]". */
static void frame_func(const char *frame, char *out, size_t size)
{
	size_t i = 0;

	while (frame[i] && frame[i] != '+' && frame[i] != ' ' && i + 1 < size) {
		out[i] = frame[i];
		i++;
	}
	out[i] = '\0';
}

struct task {
	int tid, tgid;
	char comm[64];
	char state;
	unsigned long flags;
	char role[32];
	char expect[64];
	char outer[256];
	int nframes;
	char *frames[MAX_FRAMES];	/* "sym+0xoff/0xsize [mod]" */
	int moved;			/* stack differed on a second read */
	int stack_fd;			/* /proc/TID/stack, open across the quiet period */
	int ngraph;			/* open graph-traced calls, outermost first */
	char graph[MAX_GRAPH][96];
	int reliable_known;		/* the kernel's verdict was asked, twice alike */
	int reliable;			/* entries walked, or -errno (unreliable) */
};

/* Parse /proc/TID/stat: comm may hold spaces and ')' so use the last ')'. */
static int read_stat(struct task *t)
{
	char path[64], buf[1024];
	char *open_p, *close_p, *p;
	size_t len;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", t->tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p || close_p[1] != ' ')
		return -1;
	len = (size_t)(close_p - open_p - 1);
	if (len >= sizeof(t->comm))
		len = sizeof(t->comm) - 1;
	memcpy(t->comm, open_p + 1, len);
	t->comm[len] = '\0';
	/* one word per field in the truth file */
	for (char *c = t->comm; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '\n')
			*c = '_';
	if (!t->comm[0])
		strcpy(t->comm, "_");
	p = close_p + 2;
	t->state = *p;
	/* fields after comm: 3 state, 4 ppid, ... 9 flags */
	for (field = 3; field < 9 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	t->flags = strtoul(p, NULL, 10);
	return 0;
}

/*
 * Read /proc/TID/stack through a descriptor opened beforehand.  Closing a
 * file frees its struct file through call_rcu() (6.1 file_free()), which
 * starts an RCU grace period and wakes the RCU kthread: if the truth
 * opened files, that kthread would move between the truth and the dump.
 */
static ssize_t reread_fd(int fd, char *buf, size_t size)
{
	size_t got = 0;

	if (fd < 0 || size == 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while (got < size - 1) {
		ssize_t r = read(fd, buf + got, size - 1 - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

static int read_stack(struct task *t)
{
	char path[64];
	static char buf[STACK_BUF];
	char *line, *save = NULL;

	for (int i = 0; i < t->nframes; i++)
		free(t->frames[i]);
	t->nframes = 0;
	if (t->stack_fd > 0) {
		if (reread_fd(t->stack_fd, buf, sizeof(buf)) < 0)
			return -1;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/stack", t->tid);
		if (read_file(path, buf, sizeof(buf)) < 0)
			return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line && t->nframes < MAX_FRAMES;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strstr(line, "] ");

		/* "[<0>] sym+off/size [mod]": the address is hidden (kptr_restrict) */
		if (line[0] != '[' || !sp)
			continue;
		t->frames[t->nframes] = strdup(sp + 2);
		if (!t->frames[t->nframes])
			die("out of memory");
		t->nframes++;
	}
	return 0;
}

/*
 * Is NAME the function WANT, or a clone the compiler made of it
 * (do_sigtimedwait.isra.0, sigsuspend.isra.0 on 6.12)?
 */
static int same_function(const char *name, const char *want, size_t wlen)
{
	return strncmp(name, want, wlen) == 0 && (name[wlen] == '\0' || name[wlen] == '.');
}

/* FUNCS: one function or alternatives "A|B" (names differ by kernel). */
static int stack_has(const struct task *t, const char *funcs)
{
	char name[128];

	for (int i = 0; i < t->nframes; i++) {
		const char *f = funcs;

		frame_func(t->frames[i], name, sizeof(name));
		while (*f) {
			size_t len = strcspn(f, "|");

			if (len && same_function(name, f, len))
				return 1;
			f += len;
			if (*f == '|')
				f++;
		}
	}
	return 0;
}

static void read_role(struct task *t)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), ROLE_DIR "/%d", t->tid);
	t->role[0] = t->expect[0] = t->outer[0] = '\0';
	if (read_file(path, buf, sizeof(buf)) > 0)
		sscanf(buf, "%31s %63s %255s", t->role, t->expect, t->outer);
	if (strcmp(t->outer, "-") == 0)
		t->outer[0] = '\0';
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static size_t list_tasks(struct task *tasks, size_t max)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;
	size_t n = 0;

	if (!proc)
		die("cannot open /proc: %s", strerror(errno));
	while ((pe = readdir(proc)) && n < max) {
		char path[300];
		DIR *td;
		struct dirent *te;

		if (!is_number(pe->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", pe->d_name);
		td = opendir(path);
		if (!td)
			continue;	/* exited meanwhile */
		while ((te = readdir(td)) && n < max) {
			if (!is_number(te->d_name))
				continue;
			memset(&tasks[n], 0, sizeof(tasks[n]));
			tasks[n].tid = atoi(te->d_name);
			tasks[n].tgid = atoi(pe->d_name);
			n++;
		}
		closedir(td);
	}
	closedir(proc);
	return n;
}

/*
 * Wait until every user task (all are scenario tasks in this guest, but for
 * PID 1, which runs this) has registered and sleeps where it said it would.
 * A task that is still between fork and exec has no role yet: it counts as
 * pending too, so no late starter is missed.
 */
static void wait_ready(int secs)
{
	static struct task tasks[MAX_TASKS];
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 200000000 };
	pid_t self = getpid();

	for (int round = 0; round <= secs * 5; round++) {
		size_t n = list_tasks(tasks, MAX_TASKS);
		int pending = 0, last = round == secs * 5;

		for (size_t i = 0; i < n; i++) {
			struct task *t = &tasks[i];

			if (t->tgid == self || read_stat(t) != 0 || (t->flags & PF_KTHREAD_BIT))
				continue;
			read_role(t);
			if (!t->role[0]) {
				pending++;
				if (last)
					note("klpt: warning: task %d (%s) never registered", t->tid, t->comm);
			} else if (strcmp(t->expect, "-") != 0 &&
				   (read_stack(t) != 0 || !stack_has(t, t->expect))) {
				pending++;
				if (last)
					note("klpt: warning: task %d (%s) not in %s",
					     t->tid, t->role, t->expect);
			}
			for (int f = 0; f < t->nframes; f++)
				free(t->frames[f]);
			t->nframes = 0;
		}
		if (!pending)
			return;
		nanosleep(&tick, NULL);
	}
}

/* Parse kprobe_events: "r32:kprobes/klpr_1 core_sys_select" (return probes only). */
static void read_kretprobes(struct strset *out)
{
	static char buf[16384];
	char *line, *save = NULL;

	if (read_file(TRACEFS "/kprobe_events", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char kind[128], sym[128], name[128];

		if (sscanf(line, "%127s %127s", kind, sym) != 2 || kind[0] != 'r')
			continue;
		/* "[MOD:]SYM[+0]" -> SYM */
		{
			char *c = strchr(sym, ':');
			const char *s = c ? c + 1 : sym;

			frame_func(s, name, sizeof(name));
		}
		if (!strset_has(out, name) && out->n < MAX_FUNCS)
			strset_add(out, name);
	}
}

/*
 * fprobe return probes from dynamic_events: "f:fprobes/klpf_1 FUNC%return".
 * How the hooked return shows on the stack depends on the fprobe layer:
 * since 6.14 ("fprobe: Rewrite fprobe on function-graph tracer") fprobe
 * hooks returns through the function-graph shadow stack (return_to_handler,
 * with fprobe's data words between the entries); before, through a rethook
 * (arch_rethook_trampoline), the same as a kretprobe.  Returns that label.
 */
static const char *read_fprobes(struct strset *out)
{
	static char buf[16384];
	char *line, *save = NULL;
	struct utsname uts;
	unsigned major = 0, minor = 0;

	if (read_file(TRACEFS "/dynamic_events", buf, sizeof(buf)) < 0)
		return "kretprobe";
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char kind[128], sym[128];
		char *ret;

		if (sscanf(line, "%127s %127s", kind, sym) != 2 || kind[0] != 'f' ||
		    !(ret = strstr(sym, "%return")))
			continue;
		*ret = '\0';
		if (!strset_has(out, sym) && out->n < MAX_FUNCS)
			strset_add(out, sym);
	}
	if (uname(&uts) == 0)
		sscanf(uts.release, "%u.%u", &major, &minor);
	return major > 6 || (major == 6 && minor >= 14) ? "ftrace-graph" : "kretprobe";
}

static void read_graph_functions(const char *path, struct strset *out, size_t max)
{
	static char buf[1 << 16];
	char *line, *save = NULL;

	if (read_file(path, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (line[0] == '#' || sscanf(line, "%127s", name) != 1)
			continue;
		if (!strset_has(out, name) && out->n < max)
			strset_add(out, name);
	}
}

/* available_filter_functions: "name" or "name [module]"; ~50k lines. */
static void read_traceable(struct strset *out)
{
	FILE *f = fopen(TRACEFS "/available_filter_functions", "r");
	char line[256], name[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s", name) == 1)
			strset_add(out, name);
	fclose(f);
	strset_sort(out);
}

static int read_int_file(const char *path, int dflt)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return dflt;
	return atoi(buf);
}

static void print_list(FILE *o, const char *key, const struct strset *s)
{
	fputs(key, o);
	for (size_t i = 0; i < s->n; i++)
		fprintf(o, " %s", s->v[i]);
	fputc('\n', o);
}

static struct task *find_task(struct task *tasks, size_t n, int tid)
{
	for (size_t i = 0; i < n; i++)
		if (tasks[i].tid == tid)
			return &tasks[i];
	return NULL;
}

/*
 * The graph tracer's own record of which calls it hooked: with funcgraph-proc
 * every line of the "trace" file names the task, and an entry "func() {"
 * without its "}" yet is a call still in progress whose return address is
 * return_to_handler.  This covers the functions /proc/PID/stack hides
 * (.sched.text: do_nanosleep, schedule ...), which no other interface shows.
 * Lines look like (v6.1, kernel/trace/trace_functions_graph.c):
 *    1)  klpt-na-96    |               |  hrtimer_nanosleep() {
 *    1)  klpt-na-96    |   2.345 us    |  }
 * Returns 0 when the buffer was read and lost nothing, -1 otherwise.
 */
static int read_graph_hooks(struct task *tasks, size_t n, int ncpus)
{
	FILE *f;
	static char line[4096];
	long lines = 0;

	/* an overwritten entry would leave a call without its "{": give up */
	for (int cpu = 0; cpu < ncpus; cpu++) {
		char path[128], buf[2048];
		const char *ov;

		snprintf(path, sizeof(path), TRACEFS "/per_cpu/cpu%d/stats", cpu);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			return -1;
		ov = strstr(buf, "overrun: ");
		if (!ov || atol(ov + 9) != 0) {
			note("klpt: warning: trace buffer of cpu%d overran", cpu);
			return -1;
		}
	}
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && lines++ < 10000000L) {
		char *bar1, *bar2, *text, *dash, *end;
		struct task *t;
		int tid;

		if (line[0] == '#')
			continue;
		bar1 = strchr(line, '|');
		bar2 = bar1 ? strrchr(line, '|') : NULL;
		if (!bar1 || bar2 == bar1)
			continue;	/* context-switch arrows, separators */
		*bar1 = '\0';
		/* task column "comm-pid": pid after the last '-' */
		end = bar1;
		while (end > line && end[-1] == ' ')
			*--end = '\0';
		dash = strrchr(line, '-');
		if (!dash || !is_number(dash + 1))
			continue;
		tid = atoi(dash + 1);
		text = bar2 + 1;
		while (*text == ' ')
			text++;
		text[strcspn(text, "\n")] = '\0';
		t = find_task(tasks, n, tid);
		if (!t)
			continue;	/* exited, or not in /proc (idle) */
		if (text[0] == '}') {
			if (t->ngraph > 0)
				t->ngraph--;
		} else if (text[0] && text[0] != '/' && text[strlen(text) - 1] == '{') {
			size_t len = strcspn(text, "(");

			if (t->ngraph < MAX_GRAPH) {
				if (len >= sizeof(t->graph[0]))
					len = sizeof(t->graph[0]) - 1;
				memcpy(t->graph[t->ngraph], text, len);
				t->graph[t->ngraph][len] = '\0';
			}
			t->ngraph++;
		}
		/* "func();" is a call that returned; comments are events */
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (tasks[i].ngraph > MAX_GRAPH) {
			note("klpt: warning: task %d: more than %d graph entries", tasks[i].tid, MAX_GRAPH);
			return -1;
		}
	return 0;
}

/*
 * Which return addresses of task T carry a trampoline:
 * - a kretprobe hooks every active call of a probed function (the probes
 *   exist before any scenario task starts, and maxactive is generous): the
 *   frames name them;
 * - the graph tracer: from its own record when that could be read (GRAPH_OK;
 *   exact, hidden .sched.text frames included), else from the frames: the
 *   outermost filter function and, with max_graph_depth 0, every traceable
 *   function inside it that /proc/PID/stack shows.
 * Kretprobe lines come first, then ftrace-graph lines, each innermost first.
 * One function with both: on v6.1 x86 the graph tracer is an ftrace_ops too
 * and the ops list runs newest first (add_ftrace_ops() inserts at the head,
 * kernel/trace/ftrace.c); the init script registers the kprobes before it
 * starts the tracer, so return_to_handler is stored first and the rethook
 * trampoline replaces it: the kretprobe is the outer trampoline.
 */
static void print_traced(FILE *o, const struct task *t, const struct strset *fg,
			 const struct strset *kr, const struct strset *fp, const char *fp_label,
			 const struct strset *traceable, int depth, int tracer_on, int graph_ok)
{
	char names[MAX_FRAMES + 16][128];
	int n = 0, outer = -1;

	for (int i = 0; i < t->nframes && n < MAX_FRAMES; i++)
		frame_func(t->frames[i], names[n++], sizeof(names[0]));
	/* functions the task is known to be in but the kernel's walk did not
	 * reach: they are outside all visible frames */
	if (t->outer[0]) {
		char buf[256], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", t->outer);
		for (tok = strtok_r(buf, ",", &save); tok && n < MAX_FRAMES + 16;
		     tok = strtok_r(NULL, ",", &save)) {
			int seen = 0;

			for (int i = 0; i < n; i++)
				seen |= strcmp(names[i], tok) == 0;
			if (!seen)
				snprintf(names[n++], sizeof(names[0]), "%s", tok);
		}
	}
	for (int i = 0; i < n; i++)
		if (strset_has(kr, names[i]) ||
		    (strcmp(fp_label, "kretprobe") == 0 && strset_has(fp, names[i])))
			fprintf(o, "traced %d %s kretprobe\n", t->tid, names[i]);
	/* fprobe returns on the shadow stack: every call made after the probe
	 * was enabled, known from the frames (the graph tracer's record does
	 * not show them); the scenario task has no other graph hooks, so
	 * innermost first holds */
	for (int i = 0; i < n; i++)
		if (strcmp(fp_label, "ftrace-graph") == 0 && strset_has(fp, names[i]))
			fprintf(o, "traced %d %s ftrace-graph\n", t->tid, names[i]);
	if (!tracer_on)
		return;
	if (graph_ok) {
		for (int i = t->ngraph - 1; i >= 0; i--)
			fprintf(o, "traced %d %s ftrace-graph\n", t->tid, t->graph[i]);
		return;
	}
	for (int i = 0; i < n; i++)
		if (strset_has(fg, names[i]))
			outer = i;
	for (int i = 0; i <= outer; i++)
		if (i == outer || (depth == 0 && strset_has_sorted(traceable, names[i])))
			fprintf(o, "traced %d %s ftrace-graph\n", t->tid, names[i]);
}

/* ---- livepatch set: load the patch, then read the kernel's verdicts ---- */

#define KLP_MSG "klp_try_switch_task: "
#define MAX_KLP 1024

struct klp_line {
	double ts;
	int pid;
	char comm[64];
	char reason[16];	/* sleeping, running, unreliable */
	char func[128];
};

/*
 * The kernel log's klp_try_switch_task lines (kernel/livepatch/transition.c,
 * v6.1, pr_debug enabled through dynamic debug):
 *   "klp_try_switch_task: COMM:PID is sleeping on function FUNC"
 *   "klp_try_switch_task: COMM:PID is running"
 *   "klp_try_switch_task: COMM:PID has an unreliable stack"
 * A retry prints one line per blocking task within a few milliseconds, and
 * retries come about a second apart: lines closer than 0.3 s form a round.
 * Returns the number of rounds; OUT gets the lines of the last one.
 */
static int klp_last_round(struct klp_line *out, int *nout)
{
	static char buf[1 << 21];
	int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	char *line, *save = NULL;
	double last_ts = -1;
	int rounds = 0;

	*nout = 0;
	if (len <= 0)
		return 0;
	buf[len] = '\0';
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
		colon = strrchr(rest, ':');	/* the comm may hold ':' itself */
		if (!colon || !is_number(colon + 1))
			continue;
		*colon = '\0';
		k.pid = atoi(colon + 1);
		snprintf(k.comm, sizeof(k.comm), "%s", rest);
		for (char *c = k.comm; *c; c++)
			if (*c == ' ')
				*c = '_';
		if (last_ts < 0 || k.ts - last_ts > 0.3) {
			rounds++;
			*nout = 0;
		}
		last_ts = k.ts;
		if (*nout < MAX_KLP)
			out[(*nout)++] = k;
	}
	return rounds;
}

static void load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0)
		note("klpt: warning: cannot load %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* stacked / unpatch / replace sets: apply klpt_livepatch.ko while nobody
 * sleeps in the function, then park two tasks in its replacement, and
 * start the task under a BPF trampoline (an unreliable stack before 7.x
 * would have kept the first patch from finishing). */
static void klp_first_patch(int secs)
{
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 250000000 };
	char buf[16] = "";

	load_module("/klpt/klpt_livepatch.ko");
	for (int i = 0; i < secs * 4; i++) {
		if (read_file("/sys/kernel/livepatch/klpt_livepatch/transition", buf,
			      sizeof(buf)) > 0 && buf[0] == '0')
			break;
		nanosleep(&tick, NULL);
	}
	if (buf[0] != '0')
		die("the first patch's transition did not finish");
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (i == 2)
				execl("/bin/klpt", "klpt", "bpf-fexit", "bpf-fexit", (char *)NULL);
			else
				execl("/bin/klpt", "klpt", "klpsleep-patched", "klp-sleeper",
				      (char *)NULL);
			_exit(127);
		}
		if (pid < 0)
			note("klpt: warning: fork: %s", strerror(errno));
	}
	wait_ready(secs);
}

/* Start the transition (livepatch: load the patch; stacked: load a
 * second patch on top; unpatch: disable the first; replace: load an
 * atomic-replace patch on top) and wait for it to stall visibly. */
static void klp_start(const char *set, int secs)
{
	static struct klp_line lines[MAX_KLP];
	const char *ctl[] = { "/proc/dynamic_debug/control",
			      "/sys/kernel/debug/dynamic_debug/control" };
	const char *cmd = "file kernel/livepatch/transition.c +p";
	struct timespec tick = { .tv_sec = 0, .tv_nsec = 250000000 };
	int fd, done = 0, n, before;

	for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]) && !done; i++) {
		fd = open(ctl[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			done = write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);
			close(fd);
		}
	}
	if (!done)
		note("klpt: warning: cannot enable dynamic debug for kernel/livepatch/transition.c");
	if (strcmp(set, "livepatch") != 0)
		klp_first_patch(secs);
	before = klp_last_round(lines, &n);
	if (strcmp(set, "unpatch") == 0) {
		fd = open("/sys/kernel/livepatch/klpt_livepatch/enabled", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			note("klpt: warning: cannot disable klpt_livepatch: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	} else if (strcmp(set, "replace") == 0) {
		/* atomic replace: the kernel adds a nop for klpt_sleeper_wait */
		load_module("/klpt/klpt_livepatch_replace.ko");
	} else {
		load_module(strcmp(set, "stacked") == 0 ? "/klpt/klpt_livepatch2.ko"
							 : "/klpt/klpt_livepatch.ko");
	}
	note("klpt: truth: transition started, waiting for two stalled retries");
	/* Two rounds: the first may still catch tasks on their way to sleep.
	 * The kernel sends fake signals after 15 retries: stay well below. */
	for (int i = 0; i < secs * 4; i++) {
		if (klp_last_round(lines, &n) >= before + 2)
			return;
		nanosleep(&tick, NULL);
	}
	note("klpt: warning: no stalled livepatch transition seen");
}

static void print_klp(FILE *o)
{
	static struct klp_line lines[MAX_KLP];
	int n;

	klp_last_round(lines, &n);
	for (int i = 0; i < n; i++) {
		fprintf(o, "klp %d %s %s", lines[i].pid, lines[i].comm, lines[i].reason);
		if (lines[i].func[0])
			fprintf(o, " %s", lines[i].func);
		fputc('\n', o);
	}
}

/* the sets whose dump is taken while a livepatch transition stalls */
static int klp_set(const char *set)
{
	return strcmp(set, "livepatch") == 0 || strcmp(set, "stacked") == 0 ||
	       strcmp(set, "unpatch") == 0 || strcmp(set, "replace") == 0;
}

static int do_truth(const char *set, int secs)
{
	static struct task tasks[MAX_TASKS];
	struct strset fg = { 0 }, kr = { 0 }, fp = { 0 }, traceable = { 0 };
	const char *fp_label;
	int reliable_fd;
	struct utsname uts;
	char tracer[64] = "", cmdline[1024] = "";
	int depth, tracer_on, graph_ok = 0;
	size_t n;
	FILE *o = stdout;
	static char obuf[1 << 20];

	set_comm("klpt-truth");
	note("klpt: truth: waiting for the scenario tasks");
	wait_ready(secs);
	if (klp_set(set))
		klp_start(set, 10);
	note("klpt: truth: reading tracefs");

	read_graph_functions(TRACEFS "/set_graph_function", &fg, MAX_FUNCS);
	read_kretprobes(&kr);
	fp_label = read_fprobes(&fp);
	read_traceable(&traceable);
	depth = read_int_file(TRACEFS "/max_graph_depth", 0);
	read_file(TRACEFS "/current_tracer", tracer, sizeof(tracer));
	tracer[strcspn(tracer, "\n")] = '\0';
	tracer_on = strcmp(tracer, "function_graph") == 0;
	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	cmdline[strcspn(cmdline, "\n")] = '\0';
	if (uname(&uts) != 0)
		die("uname: %s", strerror(errno));

	/* Kernel messages printed to the serial console in the middle of the
	 * truth block would garble it: from now on only emergencies go to the
	 * console (they still reach the log buffer). */
	{
		int fd = open("/proc/sys/kernel/printk", O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "1", 1) != 1)
			note("klpt: warning: cannot quiet the console: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}

	/* Read every stack first, then print: printing over the serial line is
	 * slow and sleeping stacks must be read as close to the stop as can be. */
	note("klpt: truth: reading the tasks");
	n = list_tasks(tasks, MAX_TASKS);
	/* Everything that opens a file comes first (stat, roles, one
	 * descriptor per stack), then a quiet period for the grace periods
	 * that started, then the stacks through those descriptors. */
	for (size_t i = 0; i < n; i++) {
		struct task *t = &tasks[i];
		char path[64];

		t->stack_fd = -1;
		if (read_stat(t) != 0) {
			t->tid = -1;	/* exited meanwhile */
			continue;
		}
		read_role(t);
		snprintf(path, sizeof(path), "/proc/%d/stack", t->tid);
		t->stack_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	/* klpt_reliable.ko, where the line builds test modules */
	reliable_fd = open("/sys/kernel/debug/klpt_reliable", O_WRONLY | O_CLOEXEC);
	if (tracer_on) {
		long ncpus = sysconf(_SC_NPROCESSORS_CONF);

		graph_ok = read_graph_hooks(tasks, n, ncpus > 0 && ncpus < 4096 ? (int)ncpus : 1) == 0;
		if (!graph_ok)
			note("klpt: warning: graph hooks taken from the frames, not the trace buffer");
	}
	usleep(QUIET_MS * 1000);
	for (size_t i = 0; i < n; i++) {
		struct task *t = &tasks[i];

		if (t->tid >= 0 && read_stack(t) != 0)
			t->nframes = 0;
	}
	/* The kernel's own reliable-stack verdict of every sleeping task,
	 * between the two stack reads: a task that moves meanwhile gets its
	 * "moved" line below.  Asked twice, kept when both answers agree. */
	for (size_t i = 0; i < n && reliable_fd >= 0; i++) {
		struct task *t = &tasks[i];
		int r[2];

		if (t->tid < 0 || t->tid == getpid() || !strchr("SDI", t->state))
			continue;
		for (int k = 0; k < 2; k++) {
			char tid[16];
			int len = snprintf(tid, sizeof(tid), "%d", t->tid);

			r[k] = write(reliable_fd, tid, (size_t)len) == len ? 0 : -errno;
		}
		if (r[0] == r[1] && r[0] != -EBUSY && r[0] != -ESRCH) {
			t->reliable_known = 1;
			t->reliable = r[0];
		}
	}
	/* Read every stack a second time: a task whose stack changed in between
	 * (running, preempted, woken) gets a "moved" line, so a comparison can
	 * leave its frames out instead of failing on them. */
	for (size_t i = 0; i < n; i++) {
		static struct task again;
		struct task *t = &tasks[i];

		if (t->tid < 0)
			continue;
		memset(&again, 0, sizeof(again));
		again.tid = t->tid;
		again.stack_fd = t->stack_fd;
		if (read_stack(&again) != 0 || again.nframes != t->nframes)
			t->moved = 1;
		for (int f = 0; f < again.nframes; f++) {
			if (!t->moved && strcmp(again.frames[f], t->frames[f]) != 0)
				t->moved = 1;
			free(again.frames[f]);
		}
	}

	{
		size_t live = 0;

		for (size_t i = 0; i < n; i++)
			live += tasks[i].tid >= 0;
		note("klpt: truth: %zu tasks recorded, printing them; the host dumps next", live);
	}
	setvbuf(o, obuf, _IOFBF, sizeof(obuf));
	fprintf(o, "\n%s\n", TRUTH_BEGIN);
	fprintf(o, "kernel %s\n", uts.release);
	fprintf(o, "guest %s\n", set);
	fprintf(o, "cmdline %s\n", cmdline);
	fprintf(o, "tracer %s max_graph_depth %d hooks-from %s\n", tracer[0] ? tracer : "none",
		depth, graph_ok ? "trace-buffer" : "frames");
	print_list(o, "fgraph-functions", &fg);
	print_list(o, "kretprobe-functions", &kr);
	fprintf(o, "fprobe-functions %s", fp_label);
	print_list(o, "", &fp);
	for (size_t i = 0; i < n; i++) {
		struct task *t = &tasks[i];
		const char *role = t->role;

		if (t->tid < 0)
			continue;
		if (!role[0]) {
			if (t->tid == getpid())
				role = "init";	/* this is PID 1: the init script exec'd us */
			else if (t->flags & PF_KTHREAD_BIT)
				role = "kthread";
			else
				role = "other";
		}
		fprintf(o, "task %d %d %s %s\n", t->tid, t->tgid, t->comm, role);
		fprintf(o, "state %d %c\n", t->tid, t->state);
		for (int f = 0; f < t->nframes; f++)
			fprintf(o, "frame %d %s\n", t->tid, t->frames[f]);
		if (t->moved)
			fprintf(o, "moved %d\n", t->tid);
		if (t->reliable_known)
			fprintf(o, "reliable %d %d\n", t->tid, t->reliable);
		print_traced(o, t, &fg, &kr, &fp, fp_label, &traceable, depth, tracer_on, graph_ok);
	}
	/* last: the freshest retry before the stop */
	if (klp_set(set))
		print_klp(o);
	fprintf(o, "%s\n%s\n", TRUTH_END, READY_MARK);
	if (fflush(o) != 0)
		die("cannot write the truth: %s", strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	const char *scen, *role;

	if (argc < 3) {
		fprintf(stderr, "usage: klpt SCENARIO ROLE | klpt busy ROLE DEV | klpt truth SET [SECS]\n");
		return 2;
	}
	scen = argv[1];
	role = argv[2];
	if (strcmp(scen, "truth") == 0) {
		int secs = argc > 3 ? atoi(argv[3]) : 60;

		do_truth(role, secs > 0 ? secs : 60);
		/* We are PID 1 here: never exit (the kernel would panic), keep
		 * still so the stacks stay as printed until the host stops us. */
		for (;;)
			pause();
	}
	if (mkdir("/run/klpt", 0755) != 0 && errno != EEXIST)
		die("mkdir /run/klpt: %s", strerror(errno));
	if (mkdir(ROLE_DIR, 0755) != 0 && errno != EEXIST)
		die("mkdir " ROLE_DIR ": %s", strerror(errno));
	{
		char comm[16];

		snprintf(comm, sizeof(comm), "klpt-%s", scen);
		set_comm(comm);
	}
	if (strcmp(scen, "nanosleep") == 0)
		park_nanosleep(role);
	else if (strcmp(scen, "piperead") == 0)
		park_piperead(role);
	else if (strcmp(scen, "poll") == 0)
		park_poll(role);
	else if (strcmp(scen, "wait") == 0)
		park_wait(role);
	else if (strcmp(scen, "epoll") == 0)
		park_epoll(role);
	else if (strcmp(scen, "futex") == 0)
		park_futex(role);
	else if (strcmp(scen, "select") == 0)
		park_select(role);
	else if (strcmp(scen, "sigwait") == 0)
		park_sigwait(role);
	else if (strcmp(scen, "pause") == 0)
		park_pause(role);
	else if (strcmp(scen, "sigsuspend") == 0)
		park_sigsuspend(role);
	else if (strcmp(scen, "accept") == 0)
		park_accept(role);
	else if (strcmp(scen, "recv") == 0)
		park_recv(role);
	else if (strcmp(scen, "msgrcv") == 0)
		park_msgrcv(role);
	else if (strcmp(scen, "flock") == 0)
		park_flock(role);
	else if (strcmp(scen, "uffd") == 0)
		park_uffd(role);
	else if (strcmp(scen, "bpf-fexit") == 0)
		park_bpf_fexit(role);
	else if (strcmp(scen, "semop") == 0)
		park_semop(role);
	else if (strcmp(scen, "modinit") == 0)
		park_modinit(role);
	else if (strcmp(scen, "klpsleep") == 0)
		park_klpsleep(role, "klpt_sleeper_wait");
	else if (strcmp(scen, "klpsleep-patched") == 0)
		park_klpsleep(role, "livepatch_klpt_sleeper_wait");
	else if (strcmp(scen, "busy") == 0)
		park_busy(role, argc > 3 ? argv[3] : "/dev/zero");
	else
		die("unknown scenario '%s'", scen);
	return 0;
}
