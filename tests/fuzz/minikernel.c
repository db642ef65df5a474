/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stand-in x86_64 "vmlinux" for the dump fuzzer and the synthetic
 * dumps of the tests: linked at the kernel's address (0xffffffff81000000,
 * -mcmodel=kernel), with the symbols, DWARF types and static data a
 * 6.1-era kernel gives klpscan -- a banner, two CPUs' runqueues and idle
 * tasks, init_task.tasks with three processes (one with two threads),
 * nr_threads, the CPU masks, and frame-pointer stacks.  tests/mkkdump.py
 * --vmlinux turns its loaded image into a kdump-compressed or ELF dump;
 * nothing here runs.
 */
#define THREAD_WORDS 2048	/* THREAD_SIZE 16 KiB */

struct list_head {
	struct list_head *next, *prev;
};

struct thread_info {
	unsigned long flags;
	unsigned int cpu;
};

struct thread_struct {
	unsigned long sp;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int __state;
	void *stack;
	int on_cpu;
	unsigned int flags;
	struct list_head tasks;
	int pid;
	int tgid;
	struct list_head thread_group;
	char comm[16];
	struct thread_struct thread;
};

struct inactive_task_frame {
	unsigned long r15, r14, r13, r12, bx, bp, ret_addr;
};

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di,
		orig_ax, ip, cs, flags, sp, ss;
};

struct rq {
	unsigned long nr_running;
	struct task_struct *curr;
	struct task_struct *idle;
};

/* text: _stext first */
void _stext(void);
void __schedule(void);
void schedule(void);
void do_nanosleep(void);
void kthread(void);
void ret_from_fork(void);
void entry_SYSCALL_64(void);
void arch_stack_walk_reliable(void);

__attribute__((used, noinline)) void _stext(void) { __asm__ volatile("nop"); }
__attribute__((used, noinline, aligned(64))) void __schedule(void) { __asm__ volatile(".fill 0x80, 1, 0x90"); }
__attribute__((used, noinline, aligned(64))) void schedule(void) { __asm__ volatile(".fill 0x40, 1, 0x90"); }
__attribute__((used, noinline, aligned(64))) void do_nanosleep(void) { __asm__ volatile(".fill 0x60, 1, 0x90"); }
__attribute__((used, noinline, aligned(64))) void kthread(void) { __asm__ volatile(".fill 0x60, 1, 0x90"); }
__attribute__((used, noinline, aligned(64))) void ret_from_fork(void) { __asm__ volatile(".fill 0x40, 1, 0x90"); }
__attribute__((used, noinline, aligned(64))) void entry_SYSCALL_64(void) { __asm__ volatile(".fill 0x80, 1, 0x90"); }
__attribute__((used, noinline, aligned(64))) void arch_stack_walk_reliable(void) { __asm__ volatile("nop"); }

#define TEXT(f, off) ((unsigned long)((char *)(f) + (off)))

__attribute__((used)) const char linux_banner[] =
	"Linux version 6.1.0-minikernel (fuzz@klpstack) (gcc) #1 SMP PREEMPT_DYNAMIC "
	"Debian 6.1.115-1 (2024-11-01)\n";

extern struct task_struct init_task, idle1, t1, t2, t20, t21, t3;
extern unsigned long stacks[4][THREAD_WORDS];

/*
 * Stacks: a user task asleep in nanosleep (ksp -> inactive_task_frame,
 * bp chain through schedule and do_nanosleep, user pt_regs at the top),
 * a kernel thread asleep under kthread (both reliable by the 6.1 frame
 * pointer rules), and a chain that ends short of pt_regs (unreliable).
 */
#define REGS (THREAD_WORDS - (int)(sizeof(struct pt_regs) / 8))
#define KSP 1900
#define F1 1950
#define F2 1990
#define F3 (REGS - 2)	/* the last frame sits right below pt_regs */
__attribute__((used, aligned(16384))) unsigned long stacks[4][THREAD_WORDS] = {
	[0] = {
		[KSP + 5] = (unsigned long)&stacks[0][F1], [KSP + 6] = TEXT(__schedule, 0x20),
		[F1] = (unsigned long)&stacks[0][F2], [F1 + 1] = TEXT(schedule, 0x10),
		[F2] = (unsigned long)&stacks[0][F3], [F2 + 1] = TEXT(do_nanosleep, 0x30),
		[F3] = 0, [F3 + 1] = TEXT(entry_SYSCALL_64, 0x40),
		[REGS + 16] = 0x401000, [REGS + 17] = 0x33, [REGS + 19] = 0x7ffc0000,
	},
	[1] = {
		[KSP + 5] = (unsigned long)&stacks[1][F1], [KSP + 6] = TEXT(__schedule, 0x20),
		[F1] = (unsigned long)&stacks[1][F2], [F1 + 1] = TEXT(schedule, 0x10),
		[F2] = (unsigned long)&stacks[1][F3], [F2 + 1] = TEXT(kthread, 0x28),
		[F3] = 0, [F3 + 1] = TEXT(ret_from_fork, 0x1f),
		[REGS + 17] = 0x10,	/* copy_thread()'s kernel-mode regs */
	},
	[2] = {
		[KSP + 5] = (unsigned long)&stacks[2][F1], [KSP + 6] = TEXT(__schedule, 0x20),
		[F1] = (unsigned long)&stacks[2][F2], [F1 + 1] = TEXT(schedule, 0x10),
		[F2] = 0, [F2 + 1] = TEXT(do_nanosleep, 0x30),
	},
};

#define TASK(name, p, g, c, st, next, prev, tnext, tprev)			\
	struct task_struct name = {						\
		.pid = (p), .tgid = (g), .comm = c, .stack = (st),		\
		.thread = { .sp = (st) ? (unsigned long)&((unsigned long *)(st))[KSP] : 0 }, \
		.tasks = { &(next).tasks, &(prev).tasks },			\
		.thread_group = { &(tnext).thread_group, &(tprev).thread_group }, \
	}

/* init_task.tasks: t1 -> t2 -> t3; t2's group: t2 -> t20 -> t21 */
__attribute__((used)) TASK(init_task, 0, 0, "swapper/0", 0, t1, t3, init_task, init_task);
__attribute__((used)) TASK(idle1, 0, 0, "swapper/1", 0, idle1, idle1, idle1, idle1);
__attribute__((used)) TASK(t1, 1, 1, "init", stacks[0], t2, init_task, t1, t1);
__attribute__((used)) TASK(t2, 2, 2, "kthreadd", stacks[1], t3, t1, t20, t21);
__attribute__((used)) TASK(t20, 20, 2, "worker-a", stacks[2], t20, t20, t21, t2);
__attribute__((used)) TASK(t21, 21, 2, "worker-b", stacks[3], t21, t21, t2, t20);
__attribute__((used)) TASK(t3, 3, 3, "sleeper", stacks[2], init_task, t2, t3, t3);

__attribute__((used)) struct rq runqueues[2] = {
	{ .curr = &init_task, .idle = &init_task },
	{ .curr = &idle1, .idle = &idle1 },
};
__attribute__((used)) unsigned long __per_cpu_offset[2] = { 0, sizeof(struct rq) };
__attribute__((used)) unsigned int nr_cpu_ids = 2;
__attribute__((used)) int nr_threads = 5;
__attribute__((used)) unsigned long __cpu_possible_mask[1] = { 3 };
__attribute__((used)) unsigned long __cpu_online_mask[1] = { 3 };

/* the types the walk asks for, kept in the DWARF */
__attribute__((used)) struct inactive_task_frame minikernel_itf;
__attribute__((used)) struct pt_regs minikernel_regs;

/* ld's default script PROVIDEs _etext only when something refers to it */
extern char _etext[];
__attribute__((used)) char *minikernel_etext = _etext;
