#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Writes the s390x samples (samples/s390x/*.sample).  Each task stack is
# laid out frame by frame from the stack top down, so back chains, saved
# r14/r15, pt_regs and the expected frames always agree.  The generated
# files are what `make check` reads; run this script only to change them:
#   python3 samples/s390x/mksamples.py samples/s390x
#
# Layouts (s390x, -mpacked-stack): struct stack_frame 160 bytes with
# gprs[0..9] = r6..r15 at 72 (r14 at 136, r15 at 144) and back_chain at
# 152; struct pt_regs psw.mask 8, psw.addr 16, gprs 24 (r15 at 144),
# 200 bytes (6.1) or 184 (5.x); THREAD_SIZE 16 KiB; a task's final
# pt_regs sit at the stack top, the frame below them has a zero back
# chain.  A frame allocated by function F holds, in its save area, the
# r14 that F's callee saved: the return address into F.

import os
import sys
import textwrap

S61 = {
    # name: (addr, size)
    '__ret_from_fork': (0x0010e4a0, 0x120),
    'do_dat_exception': (0x001353d0, 0x48),
    'do_exception': (0x00134f50, 0x480),
    'worker_thread': (0x00182f10, 0x4a0),
    'kthread': (0x0018c7a8, 0x1a0),
    'hrtimer_nanosleep': (0x001fb2b8, 0x138),
    '__s390x_sys_nanosleep': (0x001fb3f0, 0xc0),
    'filemap_read': (0x00312a80, 0x3c8),
    'filemap_fault': (0x00313f00, 0x5a0),
    'folio_wait_bit_common': (0x0030f6c8, 0x3a0),
    '__do_fault': (0x0035e4b0, 0x110),
    'handle_mm_fault': (0x003686a8, 0x2e8),
    'vfs_read': (0x0049f0c8, 0x1d0),
    'ksys_read': (0x004a1d40, 0xf8),
    '__s390x_sys_read': (0x004a1e38, 0x48),
    'copy_page_from_iter': (0x0066c1d8, 0x1a8),
    'raw_copy_from_user': (0x0066a0f0, 0x70),
    'pipe_write': (0x004b2e60, 0x6a0),
    'vfs_write': (0x004a0398, 0x2a0),
    'ksys_write': (0x004a1f10, 0xf8),
    '__s390x_sys_write': (0x004a2008, 0x48),
    'ext4_file_read_iter': (0x0055e6f8, 0x110),
    'do_io_irq': (0x00a1b9e8, 0x128),
    '__do_syscall': (0x00a1c038, 0xf0),
    '__do_pgm_check': (0x00a1c128, 0x1e8),
    '__schedule': (0x00a1d6c8, 0x6e8),
    'schedule': (0x00a1ddb0, 0xb8),
    'preempt_schedule_irq': (0x00a1de68, 0x90),
    'io_schedule': (0x00a1df00, 0x50),
    'irqentry_exit': (0x00a1f2a0, 0x90),
    'schedule_timeout': (0x00a21c10, 0x110),
    'do_nanosleep': (0x00a22e00, 0x130),
    'system_call': (0x00a2b400, 0x120),
    'ret_from_fork': (0x00a2b520, 0x30),
    'pgm_check_handler': (0x00a2b550, 0x1c0),
    'io_int_handler': (0x00a2b710, 0x140),
    # mcount.S (5.16+): ftrace_common with the inner label
    # ftrace_graph_caller, then return_to_handler
    'ftrace_common': (0x00a2d5e0, 0x44),
    'ftrace_graph_caller': (0x00a2d624, 0x2c),
    'return_to_handler': (0x00a2d650, 0x38),
    # kprobes.c (<= 6.2): the trampoline is a label in a C function
    # after its 6-byte hotpatch nop; mcount.S (6.3+): arch_rethook_trampoline
    # follows the hotpatch trampolines
    'kretprobe_trampoline_holder': (0x00a2d69a, 0x8),
    'ftrace_shared_hotpatch_trampoline_exrl': (0x00a2d690, 0x10),
    '__kretprobe_trampoline': (0x00a2d6a0, 0x30),
    'arch_rethook_trampoline': (0x00a2d6a0, 0x30),
    'kretprobe_trampoline': (0x00a2d6a0, 0x30),
    'kernel_thread_starter': (0x00a2b5d0, 0x18),
    'smpboot_thread_fn': (0x001923e8, 0x240),
    'do_syscall': (0x00a1c038, 0xf0),
    'pipe_read': (0x004b25a0, 0x4c0),
    'ep_poll': (0x00520f38, 0x7d0),
    'do_epoll_wait': (0x00521708, 0xe8),
    '__s390x_sys_epoll_wait': (0x005217f0, 0x90),
    'psi_avgs_work': (0x001d9e00, 0x150),
    'process_one_work': (0x00182888, 0x688),
    'rcu_gp_kthread': (0x001e3e10, 0x1f0),
    'futex_wait_queue': (0x0024a2b0, 0xc0),
    'futex_wait': (0x0024a5a0, 0x1a8),
    'do_futex': (0x00246fe8, 0x1e0),
    '__s390x_sys_futex': (0x00247310, 0x170),
    'cpu_idle_poll': (0x00a23000, 0x100),
}

PSW_USER = 0x0705200180000000    # DAT IO EXT MCHECK PSTATE key 0, 64-bit
PSW_KERNEL = 0x0704c00180000000  # DAT IO EXT MCHECK, home space, 64-bit


class Frame:
    """A stack frame: the r14 saved in its save area (the return address
    into the function that allocated it), its size, and its back chain
    (default: the next outer frame; 0 right below pt_regs)."""

    def __init__(self, r14, size=0xa0, bc=None, note=''):
        self.r14, self.size, self.bc, self.note = r14, size, bc, note


class Regs:
    """pt_regs placed right below the current position: the task's final
    ones at the stack top, or an entry mid-stack whose gprs[15] is the
    interrupted function's frame (the next outer frame by default)."""

    def __init__(self, mask, addr, r15=None, note='', at=None):
        self.mask, self.addr, self.r15, self.note, self.at = mask, addr, r15, note, at


def ra(name, off, table=S61):
    a, s = table[name]
    assert 0 < off <= s, (name, off)
    return a + off


class Layout:
    def __init__(self, bc=152, gprs=72, size=160, regs_size=200, psw=8, rgprs=24):
        self.bc, self.gprs, self.size = bc, gprs, size
        self.r14 = gprs + 64
        self.r15 = gprs + 72
        self.regs_size, self.psw, self.rgprs = regs_size, psw, rgprs


PACKED = Layout()


def build(end, items, lay=PACKED, cursor=None):
    """Lay out items (outermost first) downwards from end (or cursor).
    Returns (ksp, the sample's mem lines, the frames' sp, outermost first)."""
    lines = []
    cur = end if cursor is None else cursor
    prev = None
    sps = []
    for it in items:
        if isinstance(it, Regs):
            addr = (cur - lay.regs_size) if it.at is None else it.at
            r15 = it.r15 if it.r15 is not None else (prev or 0)
            gprs = [0] * 16
            gprs[15] = r15
            words = [it.mask, it.addr] + gprs
            lines.append('# pt_regs at %#x%s: psw.mask psw.addr gprs[0..15]' %
                         (addr, (' (' + it.note + ')') if it.note else ''))
            lines.append('mem %#x %s' % (addr + lay.psw, ' '.join('%#x' % w for w in words)))
            cur = addr
            prev = None
        else:
            sp = cur - it.size
            bc = it.bc if it.bc is not None else (prev or 0)
            note = ('  ' + it.note) if it.note else ''
            lines.append('# frame sp %#x, size %#x%s' % (sp, it.size, note))
            if lay.r14 + 8 == lay.r15 and lay.r15 + 8 == lay.bc:
                lines.append('mem %#x %#x %#x %#x' % (sp + lay.r14, it.r14, sp, bc))
            else:
                lines.append('mem %#x %#x %#x' % (sp + lay.r14, it.r14, sp))
                lines.append('mem %#x %#x' % (sp + lay.bc, bc))
            sps.append(sp)
            prev = sp
            cur = sp
    return cur, lines, sps


def syms(names, table=S61, extra=()):
    out = []
    for n in names:
        a, s = table[n]
        out.append('sym %s %#x %#x' % (n, a, s))
    out.extend(extra)
    return out


class Sample:
    def __init__(self, path, title, about, kernel, release=None):
        self.path = path
        self.out = ['# SPDX-License-Identifier: GPL-2.0-or-later', '#', '# ' + title, '#']
        for l in textwrap.dedent(about).strip('\n').split('\n'):
            self.out.append(('# ' + l).rstrip())
        self.out += ['', 'arch s390x', 'kernel ' + kernel]
        if release:
            self.out.append('release ' + release)

    def add(self, *lines):
        for l in lines:
            if isinstance(l, (list, tuple)):
                self.add(*l)
            else:
                self.out.append(l)

    def blank(self):
        self.out.append('')

    def write(self):
        with open(self.path, 'w') as f:
            f.write('\n'.join(self.out).rstrip('\n') + '\n')


TYPES_61 = [
    '# struct stack_frame (-mpacked-stack) and struct pt_regs, as in 6.1',
    'type stack_frame 160',
    'member stack_frame back_chain 152 8',
    'member stack_frame gprs 72 80',
    'type pt_regs 200',
    'member pt_regs psw 8 16',
    'member psw_t mask 0 8',
    'member psw_t addr 8 8',
    'member pt_regs gprs 24 128',
    'member pt_regs flags 176 8',
]


def user_stack_61(end, usp=0x3ffe3bfe8a0, upsw=0x3ffa2c0e1b2):
    """A task asleep in nanosleep(2), 6.1 frame chain (outermost first)."""
    return [
        Regs(PSW_USER, upsw, usp, 'system call entry from user space'),
        Frame(ra('system_call', 0x78), 0xa0, note='system_call (zero back chain)'),
        Frame(ra('__do_syscall', 0xd4), 0xb8, note='__do_syscall'),
        Frame(ra('__s390x_sys_nanosleep', 0x94), 0xb0, note='__s390x_sys_nanosleep'),
        Frame(ra('hrtimer_nanosleep', 0xd2), 0xf0, note='hrtimer_nanosleep'),
        Frame(ra('do_nanosleep', 0x8a), 0xc0, note='do_nanosleep'),
        Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp, r14 saved by __switch_to)'),
    ]


NANOSLEEP_SYMS = ['__schedule', 'schedule', 'do_nanosleep', 'hrtimer_nanosleep',
                  '__s390x_sys_nanosleep', '__do_syscall', 'system_call']
NANOSLEEP_FRAMES = 'frames __schedule schedule do_nanosleep hrtimer_nanosleep __s390x_sys_nanosleep __do_syscall system_call'


def samples_1(D):
    # ---------------------------------------------------------------- 1
    s = Sample(D + 'user-nanosleep.sample',
        'A user task asleep in nanosleep(2): the reliable case (6.1).',
        '''
    Rules (arch/s390/kernel/unwind_bc.c, stacktrace.c, 5.5+): start at
    thread.ksp, r14 of each frame is the return address, back chains go up
    the task stack; system_call's frame has a zero back chain and the pt_regs
    right above it are task_pt_regs() (stack top - sizeof(struct pt_regs)):
    the walk stops there without an error and the final pt_regs are not
    reported.  Every frame is on the task stack, text, no pt_regs: reliable.
    The last frame is where the task entered the kernel: user-entry (the
    final PSW has PSTATE set).

    The packed struct stack_frame layout is given by type info here
    (back_chain 152, gprs 72), as Debian's 6.1 s390x debuginfo has it.
    A second task is on a CPU (never walked: -EBUSY) and a third has no
    stack (exited: reliably empty).
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(NANOSLEEP_SYMS))
    s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000a8c000, 0x38000a90000
    s.add('# task stack of sleep/4711: [%#x, %#x), pt_regs at %#x' % (S, E, E - 200))
    ksp, lines, sps = build(E, user_stack_61(E))
    s.add(lines); s.blank()
    s.add('task task=0x1f2e4100 pid=4711 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add(NANOSLEEP_FRAMES)
    s.add('labels 6:user-entry')
    s.blank()
    s.add('# on CPU 1 at dump time: thread.ksp is stale, the kernel never checks it')
    s.add('task task=0x1f2e8200 pid=4712 comm=yes stack=0x38000a94000 ksp=0x38000a97e00 on_cpu=1 cpu=1')
    s.add('expect verdict=running')
    s.blank()
    s.add('# exited, stack freed (task->stack == NULL)')
    s.add('task task=0x1f2ec300 pid=4713 comm=true stack=0 ksp=0')
    s.add('expect verdict=no-stack')
    s.write()

    # ---------------------------------------------------------------- 2
    s = Sample(D + 'kthread-worker.sample',
        'A kworker asleep in worker_thread: kthread-start (6.1).',
        '''
    Kernel threads end like user tasks since 5.5 ("s390: avoid misusing
    CALL_ON_STACK for task stack setup"): copy_thread() leaves a zero back
    chain frame right below pt_regs at the stack top; ret_from_fork calls
    __ret_from_fork, which calls the thread function (kthread).  The final
    pt_regs are kernel mode (no PSTATE) and are only compared by address
    (is_final_pt_regs), so the walk ends there without an error: reliable.
    The last frame (ret_from_fork) is labelled kthread-start.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(['__schedule', 'schedule', 'worker_thread', 'kthread', '__ret_from_fork', 'ret_from_fork']))
    s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000b10000, 0x38000b14000
    s.add('# task stack of kworker/0:1: [%#x, %#x)' % (S, E))
    ksp, lines, sps = build(E, [
        Regs(PSW_KERNEL, 0, 0, 'kernel thread: kernel-mode PSW, never used'),
        Frame(ra('ret_from_fork', 0x1a), 0xa0, note='ret_from_fork (zero back chain)'),
        Frame(ra('__ret_from_fork', 0x5c), 0xb0, note='__ret_from_fork'),
        Frame(ra('kthread', 0xe6), 0xc8, note='kthread'),
        Frame(ra('worker_thread', 0x12e), 0xd0, note='worker_thread'),
        Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp)'),
    ])
    s.add(lines); s.blank()
    s.add('# PF_KTHREAD | PF_WQ_WORKER | PF_NOFREEZE')
    s.add('task task=0x2a1c4000 pid=37 comm=kworker/0:1 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add('frames __schedule schedule worker_thread kthread __ret_from_fork ret_from_fork')
    s.add('labels 5:kthread-start')
    s.write()


def samples_2(D):
    KW_SYMS = ['__schedule', 'schedule', 'schedule_timeout', 'worker_thread', 'kthread', '__ret_from_fork', 'ret_from_fork']


    def kworker(E, mid_bc=None):
        return [
            Regs(PSW_KERNEL, 0, 0, 'kernel thread'),
            Frame(ra('ret_from_fork', 0x1a), 0xa0, note='ret_from_fork (zero back chain)'),
            Frame(ra('__ret_from_fork', 0x5c), 0xb0, note='__ret_from_fork'),
            Frame(ra('kthread', 0xe6), 0xc8, note='kthread'),
            Frame(ra('worker_thread', 0x12e), 0xd0, note='worker_thread'),
            Frame(ra('schedule_timeout', 0xa8), 0xc0, note='schedule_timeout'),
            Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
            Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp)'),
        ]

    # ---------------------------------------------------------------- 3 loop
    s = Sample(D + 'backchain-loop.sample',
        'Back-chain loops: S390_BAD_BACKCHAIN (6.1).',
        '''
    unwind_next_frame() (5.5+): a back chain that does not go up
    (outside_of_stack(): sp <= state->sp) is handed to update_stack_info();
    for a task that is not running, get_stack_info() only knows the task
    stack and it was already visited (visit_mask), so the unwinder stops with
    unwind_error() and arch_stack_walk_reliable() returns -EINVAL.  The rule
    belongs to the last frame found (its link is broken).  A loop can
    therefore never make the walk run forever.
    Task 1: schedule_timeout's frame has its own address as back chain.
    Task 2: two frames point at each other (worker_thread -> schedule_timeout).
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(KW_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c20000, 0x38000c24000
    items = kworker(E)
    ksp, lines, sps = build(E, items)
    # sps: outermost first; schedule_timeout frame is index 4
    st = sps[4]
    s.add('# task 1, stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('# corrupted: schedule_timeout\'s back chain points to itself')
    s.add('mem %#x %#x' % (st + 152, st))
    s.blank()
    s.add('task task=0x2a1c8000 pid=41 comm=kworker/1:2 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_BAD_BACKCHAIN frame=2')
    s.add('frames __schedule schedule schedule_timeout')
    s.add('labels')
    s.blank()
    S2, E2 = 0x38000c28000, 0x38000c2c000
    ksp2, lines2, sps2 = build(E2, kworker(E2))
    wt = sps2[3]; stt = sps2[4]
    s.add('# task 2, stack [%#x, %#x)' % (S2, E2)); s.add(lines2)
    s.add('# corrupted: worker_thread\'s back chain points back down to schedule_timeout')
    s.add('mem %#x %#x' % (wt + 152, stt))
    s.blank()
    s.add('task task=0x2a1cc000 pid=42 comm=kworker/1:3 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S2, ksp2))
    s.add('expect verdict=unreliable rule=S390_BAD_BACKCHAIN frame=3')
    s.add('frames __schedule schedule schedule_timeout worker_thread')
    s.add('labels')
    s.write()

    # ---------------------------------------------------------------- 4 down
    s = Sample(D + 'backchain-down.sample',
        'A back chain that goes down the stack: S390_BAD_BACKCHAIN (6.1).',
        '''
    The stack grows down, so every back chain must point to a higher address
    (outside_of_stack(): sp <= state->sp).  Here kthread's frame holds a
    stale back chain that points below the current frame, into the area
    where older, dead frames were (still inside the task stack).  Entering
    the task stack a second time is refused (get_stack_info() visit_mask),
    so the unwinder stops with an error after kthread (frame 4).
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(KW_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c30000, 0x38000c34000
    ksp, lines, sps = build(E, kworker(E))
    kt = sps[2]
    stale = ksp - 0x140
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('# kthread\'s back chain points down to %#x, a dead frame below thread.ksp' % stale)
    s.add('mem %#x %#x' % (kt + 152, stale))
    s.add('mem %#x %#x %#x %#x' % (stale + 136, ra('worker_thread', 0x1f0), stale, ksp))
    s.blank()
    s.add('task task=0x2a1d0000 pid=43 comm=kworker/2:0 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_BAD_BACKCHAIN frame=4')
    s.add('frames __schedule schedule schedule_timeout worker_thread kthread')
    s.add('labels')
    s.write()

    # ---------------------------------------------------------------- 5 misaligned
    s = Sample(D + 'misaligned-sp.sample',
        'A misaligned stack pointer: S390_MISALIGNED_SP (6.1).',
        '''
    unwind_next_frame() (5.5+, "s390/unwind: add stack pointer alignment
    sanity checks"): after taking the next sp, "ABI requires SP to be aligned
    8 bytes" - sp & 7 is an unwinder error.  A back chain that goes up and
    stays on the stack is not re-checked by get_stack_info(), so the alignment
    check is what catches it.  The kernel has read the frame's r14 before the
    check (that read must succeed).  The walk stops after schedule (frame 1).
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(KW_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c38000, 0x38000c3c000
    ksp, lines, sps = build(E, kworker(E))
    sch = sps[5]; stt = sps[4]
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('# schedule\'s back chain is off by 4: %#x instead of %#x' % (stt + 4, stt))
    s.add('mem %#x %#x' % (sch + 152, stt + 4))
    s.blank()
    s.add('task task=0x2a1d4000 pid=44 comm=kworker/2:1 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_MISALIGNED_SP frame=1')
    s.add('frames __schedule schedule')
    s.add('labels')
    s.write()

    # ---------------------------------------------------------------- 6 outside
    s = Sample(D + 'sp-outside-stack.sample',
        'A back chain that leaves the task stack: S390_BAD_BACKCHAIN (6.1).',
        '''
    For a task that is not running, get_stack_info() (dumpstack.c, 5.5+)
    accepts only the task's own stack [stack, stack + THREAD_SIZE): the
    per-CPU irq, nodat, restart and mcck stacks belong to whoever runs on that
    CPU now.  Task 1: worker_thread's back chain points into another task's
    stack.  Task 2: the back chain points 0x40 bytes below the stack end, so
    a whole 160-byte frame would not fit (outside_of_stack(): sp > end -
    sizeof(struct stack_frame)) and update_stack_info() refuses it too.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(KW_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c40000, 0x38000c44000
    ksp, lines, sps = build(E, kworker(E))
    wt = sps[3]
    s.add('# task 1, stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('# worker_thread\'s back chain points into the stack at 0x38000c48000')
    s.add('mem %#x %#x' % (wt + 152, 0x38000c4bd00))
    s.add('mem %#x %#x %#x %#x' % (0x38000c4bd00 + 136, ra('kthread', 0xe6), 0x38000c4bd00, 0))
    s.blank()
    s.add('task task=0x2a1d8000 pid=45 comm=kworker/3:0 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_BAD_BACKCHAIN frame=3')
    s.add('frames __schedule schedule schedule_timeout worker_thread')
    s.add('labels')
    s.blank()
    S2, E2 = 0x38000c50000, 0x38000c54000
    ksp2, lines2, sps2 = build(E2, kworker(E2))
    wt2 = sps2[3]
    s.add('# task 2, stack [%#x, %#x)' % (S2, E2)); s.add(lines2)
    s.add('# worker_thread\'s back chain points 0x40 bytes below the stack end')
    s.add('mem %#x %#x' % (wt2 + 152, E2 - 0x40))
    s.add('mem %#x 0 0 0 0 0 0 0 0' % (E2 - 0x40))
    s.blank()
    s.add('task task=0x2a1dc000 pid=46 comm=kworker/3:1 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S2, ksp2))
    s.add('expect verdict=unreliable rule=S390_BAD_BACKCHAIN frame=3')
    s.add('frames __schedule schedule schedule_timeout worker_thread')
    s.add('labels')
    s.write()

    # ---------------------------------------------------------------- 7 pt_regs off stack
    s = Sample(D + 'ptregs-off-stack.sample',
        'pt_regs after a zero back chain do not fit: S390_PTREGS_OFF_STACK (6.1).',
        '''
    A zero back chain means "pt_regs follow this frame": unwind_next_frame()
    looks at sp + STACK_FRAME_OVERHEAD (160), and since 5.5 ("s390/unwind:
    report an error if pt_regs are not on stack") pt_regs that do not fit on
    the stack (on_stack(info, sp, sizeof(struct pt_regs))) are an unwinder
    error; before 5.5 it was a silent stop.  Here kthread's frame (frame 3)
    sits 0xe0 bytes below the stack end with a zero back chain: the 200-byte
    pt_regs at +160 would cross the end.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(KW_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c58000, 0x38000c5c000
    kt = E - 0xe0
    ksp, lines, sps = build(E, [
        Frame(ra('kthread', 0xe6), 0xe0, bc=0, note='kthread, zero back chain 0xe0 below the end'),
        Frame(ra('worker_thread', 0x12e), 0xd0, note='worker_thread'),
        Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp)'),
    ])
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('mem %#x 0 0 0 0 0 0 0 0' % (E - 0x40))
    s.blank()
    s.add('task task=0x2a1e0000 pid=47 comm=kworker/3:2 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_PTREGS_OFF_STACK frame=3')
    s.add('frames __schedule schedule worker_thread kthread')
    s.add('labels')
    s.write()

    # ---------------------------------------------------------------- 8 non-text
    s = Sample(D + 'non-text-ra.sample',
        'A return address that is not kernel text: NON_TEXT_RA (6.1).',
        '''
    arch_stack_walk_reliable() (5.5+) takes each frame's address through
    unwind_get_return_address(), which returns 0 unless
    __kernel_text_address(ip): -EINVAL.  Here hrtimer_nanosleep's frame holds
    an address inside a module that has been unloaded (no symbol covers it,
    so it prints as "?").  The unwinder itself has no complaint, so the walk
    goes on to the end and the report lists all frames; the first failed
    rule is at frame 3.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(NANOSLEEP_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c60000, 0x38000c64000
    items = user_stack_61(E)
    items[4] = Frame(0x3ff80034e6a, 0xf0, note='hrtimer_nanosleep: r14 into freed module text')
    ksp, lines, sps = build(E, items)
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x1f2f0000 pid=4720 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=NON_TEXT_RA frame=3')
    s.add('frames __schedule schedule do_nanosleep ? __s390x_sys_nanosleep __do_syscall system_call')
    s.add('labels 6:user-entry')
    s.write()

    # ---------------------------------------------------------------- 8b BPF code
    s = Sample(D + 'bpf-text.sample',
        'A return address in JIT-compiled BPF code is kernel text (6.12).',
        '''
    The same stack as non-text-ra.sample, but the address in
    hrtimer_nanosleep's frame is inside a BPF trampoline listed on
    bpf_kallsyms: __kernel_text_address() accepts it through
    is_bpf_text_address(), and the s390 BPF JIT keeps the back chain, so
    the reliable walk goes through it: reliable.  The frame is named by
    its ksym, as kallsyms (bpf_address_lookup()) names it, without a module.
    ''', '6.12.57', '6.12.57-s390x')
    s.add(syms(NANOSLEEP_SYMS)); s.add('sym bpf_kallsyms 0x1d10000 16 data'); s.blank(); s.add(TYPES_61)
    s.add('member bpf_ksym start 0 8'); s.add('member bpf_ksym end 8 8')
    s.add('member bpf_ksym name 16 512'); s.add('member bpf_ksym lnode 528 16'); s.blank()
    KS = 0x1d20000; BT = 0x3ff80034000
    s.add('# bpf_kallsyms -> one ksym: bpf_trampoline_6442493521 [%#x, %#x)' % (BT, BT + 0x1000))
    s.add('mem 0x1d10000 %#x %#x' % (KS + 528, KS + 528))
    s.add('mem %#x %#x %#x' % (KS, BT, BT + 0x1000))
    s.add('bytes %#x %s00' % (KS + 16, 'bpf_trampoline_6442493521'.encode().hex()))
    s.add('mem %#x 0x1d10000 0x1d10000' % (KS + 528))
    S, E = 0x38000c70000, 0x38000c74000
    items = user_stack_61(E)
    items[4] = Frame(BT + 0xd6a, 0xf0, note='hrtimer_nanosleep: r14 into the BPF trampoline')
    ksp, lines, sps = build(E, items)
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x1f2f4000 pid=4721 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add('frames __schedule schedule do_nanosleep bpf_trampoline_6442493521 __s390x_sys_nanosleep __do_syscall system_call')
    s.add('labels 6:user-entry')
    s.write()

    # ---------------------------------------------------------------- 9 bad ksp
    s = Sample(D + 'bad-ksp.sample',
        'A bad saved stack pointer: S390_BAD_KSP (6.1).',
        '''
    __unwind_start() (5.5+) checks thread.ksp with update_stack_info(): it
    must be non-zero, 8-byte aligned, on the task's own stack, and a whole
    struct stack_frame must fit there; otherwise the state is UNKNOWN with
    unwind_error() set before any frame is produced, and
    arch_stack_walk_reliable() returns -EINVAL.  No frames, rule frame -1.
    Task 1: ksp 0.  Task 2: ksp misaligned.  Task 3: ksp above the stack.
    Task 4: ksp 0x40 below the stack end (the frame would not fit).
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(KW_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c68000, 0x38000c6c000
    ksp, lines, sps = build(E, kworker(E))
    s.add('# one intact stack [%#x, %#x) shared by all four tasks' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x2a1e4000 pid=48 comm=kworker/0:0 stack=%#x ksp=0 flags=0x00208020 state=1' % S)
    s.add('expect verdict=unreliable rule=S390_BAD_KSP frame=-1')
    s.add('frames')
    s.add('task task=0x2a1e8000 pid=49 comm=kworker/0:2 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, ksp + 2))
    s.add('expect verdict=unreliable rule=S390_BAD_KSP frame=-1')
    s.add('frames')
    s.add('task task=0x2a1ec000 pid=50 comm=kworker/0:3 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, E + 0x100))
    s.add('expect verdict=unreliable rule=S390_BAD_KSP frame=-1')
    s.add('frames')
    s.add('task task=0x2a1f0000 pid=51 comm=kworker/0:4 stack=%#x ksp=%#x flags=0x00208020 state=1' % (S, E - 0x40))
    s.add('expect verdict=unreliable rule=S390_BAD_KSP frame=-1')
    s.add('frames')
    s.write()

    # ---------------------------------------------------------------- 10 unreadable
    s = Sample(D + 'unreadable-stack.sample',
        'Stack memory missing from the dump: ERROR / DUMP_UNREADABLE (6.1).',
        '''
    Not a kernel rule: the kernel always can read its stack, the dump may
    not (a page filtered out or lost).  Every read is checked; a missing
    word ends the walk with the ERROR verdict (DUMP_UNREADABLE) instead of
    a guess.  Task 1: the page holding the outer frames
    (0x38000c73000-0x38000c74000) is not in the dump; the walk stops after
    do_nanosleep (frame 2), whose back chain points there.  Task 2: the page
    at thread.ksp itself is missing: no frame at all.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(NANOSLEEP_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000c70000, 0x38000c74000
    items = user_stack_61(E)
    # move the inner three frames down onto the previous page
    ksp_outer, lines_outer, sps_outer = build(E, items[:5])
    # leave these out (not in the dump)
    ksp, lines, sps = build(E, items[5:], cursor=0x38000c72f80)
    # fix the back chain of do_nanosleep (outermost of the inner part)
    s.add('# stack [%#x, %#x); the page [0x38000c73000, 0x38000c74000) is not in the dump,' % (S, E))
    s.add('# so the frames of hrtimer_nanosleep and above (and the pt_regs) are missing')
    s.add(lines)
    s.add('# do_nanosleep\'s back chain: hrtimer_nanosleep\'s frame on the missing page')
    s.add('mem %#x %#x' % (sps[0] + 152, sps_outer[-1]))
    s.blank()
    s.add('task task=0x1f2f4000 pid=4730 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=error rule=DUMP_UNREADABLE frame=2')
    s.add('frames __schedule schedule do_nanosleep')
    s.blank()
    s.add('task task=0x1f2f8000 pid=4731 comm=sleep stack=0x38000c78000 ksp=0x38000c7bb00 state=1')
    s.add('expect verdict=error rule=DUMP_UNREADABLE frame=-1')
    s.add('frames')
    s.write()


def samples_3(D):
    RTH = 'return_to_handler'

    FG_TYPES_61 = [
        '# function-graph tracer, 6.1: task->ret_stack is struct ftrace_ret_stack[50]',
        '# (ret, func, calltime, retp; no subtime: CONFIG_FUNCTION_PROFILER is off)',
        '# and task->curr_ret_stack the index of the top entry (-1 = empty)',
        'member task_struct curr_ret_stack 0x968 4',
        'member task_struct ret_stack 0x970 8',
        'type ftrace_ret_stack 32',
        'member ftrace_ret_stack ret 0 8',
        'member ftrace_ret_stack func 8 8',
        'member ftrace_ret_stack calltime 16 8',
        'member ftrace_ret_stack retp 24 8',
    ]


    def hijacked_nanosleep(E, f3, f2):
        it = user_stack_61(E)
        # it: [regs, system_call, __do_syscall, sys_nanosleep, hrtimer_nanosleep, do_nanosleep, schedule, __schedule]
        it[4] = Frame(f3, 0xf0, note='hrtimer_nanosleep: r14 saved by do_nanosleep')
        it[5] = Frame(f2, 0xc0, note='do_nanosleep: r14 saved by schedule')
        return it

    # ---------------------------------------------------------------- 11 fgraph 6.1
    s = Sample(D + 'fgraph-6.1.sample',
        'ftrace-graph return_to_handler, 6.1 struct array: recovered and not.',
        '''
    The graph tracer hooks a function at entry (prepare_ftrace_return()):
    the return address in r14 becomes return_to_handler and the original is
    pushed onto task->ret_stack with retp = r15 at entry, the caller's frame.
    The traced function then saves r14 into that frame, so the unwinder reads
    return_to_handler from the frame at sp and asks ftrace_graph_ret_addr()
    for the entry whose retp == sp (unwind_recover_ret_addr(), 5.18+ with
    ded466e18066).  do_nanosleep and schedule are traced (__schedule is
    notrace): frames 2 and 3 read return_to_handler.
    Task 1: both entries are on the shadow stack: recovered, reliable.
    Task 2: the entry for frame 3 is missing.  ftrace_graph_ret_addr() then
    returns return_to_handler itself, which is kernel text: the kernel calls
    the stack reliable although hrtimer_nanosleep is hidden (kernel mode:
    reliable, label ftrace-graph-unrecovered); strict mode fails it
    (FGRAPH_UNRECOVERED).  Frames print as /proc/PID/stack does (%pB: the
    symbol of ip - 1), so return_to_handler itself shows as the end of the
    code before it in mcount.S, the ftrace_graph_caller label.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(NANOSLEEP_SYMS + ['ftrace_common', 'ftrace_graph_caller', RTH])); s.blank(); s.add(TYPES_61); s.add(FG_TYPES_61); s.blank()
    S, E = 0x38000d00000, 0x38000d04000
    R = S61[RTH][0]
    ksp, lines, sps = build(E, hijacked_nanosleep(E, R, R))
    sp_hn, sp_dn = sps[3], sps[4]
    s.add('# task 1 stack [%#x, %#x)' % (S, E)); s.add(lines)
    T1 = 0x1f300000; RS1 = 0x2b410000
    s.add('# task 1: curr_ret_stack = 1, ret_stack at %#x' % RS1)
    s.add('mem32 %#x 1' % (T1 + 0x968))
    s.add('mem %#x %#x' % (T1 + 0x970, RS1))
    s.add('# [0] do_nanosleep: ret hrtimer_nanosleep+0xd2, retp = hrtimer_nanosleep\'s frame')
    s.add('mem %#x %#x %#x 0x1a2b3c4d5e %#x' % (RS1, ra('hrtimer_nanosleep', 0xd2), S61['do_nanosleep'][0], sp_hn))
    s.add('# [1] schedule: ret do_nanosleep+0x8a, retp = do_nanosleep\'s frame')
    s.add('mem %#x %#x %#x 0x1a2b3c4e00 %#x' % (RS1 + 32, ra('do_nanosleep', 0x8a), S61['schedule'][0], sp_dn))
    s.blank()
    s.add('task task=%#x pid=4800 comm=sleep stack=%#x ksp=%#x state=1' % (T1, S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add(NANOSLEEP_FRAMES)
    s.add('labels 2:ftrace-graph 3:ftrace-graph 6:user-entry')
    s.blank()
    S2, E2 = 0x38000d08000, 0x38000d0c000
    ksp2, lines2, sps2 = build(E2, hijacked_nanosleep(E2, R, R))
    T2 = 0x1f304000; RS2 = 0x2b418000
    s.add('# task 2 stack [%#x, %#x)' % (S2, E2)); s.add(lines2)
    s.add('# task 2: only schedule\'s entry (curr_ret_stack = 0)')
    s.add('mem32 %#x 0' % (T2 + 0x968))
    s.add('mem %#x %#x' % (T2 + 0x970, RS2))
    s.add('mem %#x %#x %#x 0x1a2b3c4e00 %#x' % (RS2, ra('do_nanosleep', 0x8a), S61['schedule'][0], sps2[4]))
    s.blank()
    s.add('task task=%#x pid=4801 comm=sleep stack=%#x ksp=%#x state=1' % (T2, S2, ksp2))
    s.add('expect verdict=reliable rule=NONE mode=kernel')
    s.add('expect verdict=unreliable rule=FGRAPH_UNRECOVERED frame=3 mode=strict')
    s.add('frames __schedule schedule do_nanosleep ftrace_graph_caller __s390x_sys_nanosleep __do_syscall system_call')
    s.add('labels 2:ftrace-graph 3:ftrace-graph-unrecovered 6:user-entry')
    s.write()

    # ---------------------------------------------------------------- 12 fgraph 6.12
    # and the same layout on a vendor 6.6 that took the 6.11 series back:
    # only fgraph_array[] (the series' registered users) tells
    for fname, title, extra, kver, rel, sym_extra in (
            ('fgraph-6.12.sample', 'ftrace-graph return_to_handler, 6.11+ word-array shadow stack.',
             '', '6.12.57', '6.12.57-s390x', []),
            ('fgraph-backport-6.6.sample',
             'ftrace-graph word-array shadow stack backported to a 6.6 vendor kernel.',
             """
    Here on a vendor 6.6 kernel that took the series back: the version says
    struct array, the kernel's own fgraph_array[] (added by the same series,
    "function_graph: Allow multiple users to attach to function graph")
    says word array, and it is right.
    """, '6.6.50', '6.6.0-50-vendor-s390x', ['sym fgraph_array 0x1d00000 0x80 data'])):
        s = Sample(D + fname, title,
            '''
        v6.11 ("function_graph: Convert ret_stack to a series of longs") made
        task->ret_stack an array of unsigned long: each pushed frame is a
        struct ftrace_ret_stack (ret, func, retp here: 3 words) followed by a
        bitmap word whose low 10 bits give the distance back to the frame start
        (type BITMAP = 1 in bits 10-11, fgraph_ops bitmap from bit 12).
        curr_ret_stack is the word offset of the first free word (0 = empty).
        ftrace_graph_ret_addr() walks the frames down from *idx (or the top) and
        keeps its place in state->graph_idx, so the second lookup continues below
        the first hit.  Same two traced calls as fgraph-6.1.sample: reliable.
        ''' + extra, kver, rel)
        s.add(syms(NANOSLEEP_SYMS + ['ftrace_common', 'ftrace_graph_caller', RTH]))
        for line in sym_extra:
            s.add(line)
        s.blank(); s.add(TYPES_61)
        s.add('# function-graph tracer, 6.11+: word array, word offset')
        s.add('member task_struct curr_ret_stack 0x9a8 4')
        s.add('member task_struct ret_stack 0x9b0 8')
        s.add('type ftrace_ret_stack 24')
        s.add('member ftrace_ret_stack ret 0 8')
        s.add('member ftrace_ret_stack func 8 8')
        s.add('member ftrace_ret_stack retp 16 8')
        s.blank()
        S, E = 0x38000d10000, 0x38000d14000
        ksp, lines, sps = build(E, hijacked_nanosleep(E, R, R))
        sp_hn, sp_dn = sps[3], sps[4]
        s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
        T = 0x1f308000; RS = 0x2b420000
        s.add('# curr_ret_stack = 8 words, ret_stack at %#x' % RS)
        s.add('mem32 %#x 8' % (T + 0x9a8))
        s.add('mem %#x %#x' % (T + 0x9b0, RS))
        s.add('# words 0-3: do_nanosleep (ret, func, retp) + bitmap word 0x1403 (back 3, BITMAP, ops 0)')
        s.add('# words 4-7: schedule     (ret, func, retp) + bitmap word 0x1403')
        s.add('mem %#x %#x %#x %#x 0x1403 %#x %#x %#x 0x1403' % (
            RS, ra('hrtimer_nanosleep', 0xd2), S61['do_nanosleep'][0], sp_hn,
            ra('do_nanosleep', 0x8a), S61['schedule'][0], sp_dn))
        s.blank()
        s.add('task task=%#x pid=4810 comm=sleep stack=%#x ksp=%#x state=1' % (T, S, ksp))
        s.add('expect verdict=reliable rule=NONE')
        s.add(NANOSLEEP_FRAMES)
        s.add('labels 2:ftrace-graph 3:ftrace-graph 6:user-entry')
        s.write()

    # ---------------------------------------------------------------- 13 kretprobe 6.1
    KT = '__kretprobe_trampoline'
    s = Sample(D + 'kretprobe-6.1.sample',
        'kretprobe on do_nanosleep, 6.1: instance on task->kretprobe_instances.',
        '''
    arch_prepare_kretprobe() (s390, 5.18+) saves r14 in ri->ret_addr and
    r15 in ri->fp and makes r14 __kretprobe_trampoline; do_nanosleep then
    saves it into hrtimer_nanosleep's frame (frame 3).  Since 5.18
    (d81675b60d09) unwind_recover_ret_addr() asks kretprobe_find_ret_addr()
    for the instance on task->kretprobe_instances (6.1 has no rethook on
    s390) whose fp == the frame's sp.
    Task 1: the instance is there: recovered, reliable (label kretprobe).
    Task 2: the list is empty: kretprobe_find_ret_addr() returns 0, which is
    not text, so the kernel fails the stack; klpstack names the trampoline
    (KRETPROBE_TRAMPOLINE at frame 3, label kretprobe-unrecovered).  The
    trampoline is a label inside kretprobe_trampoline_holder() (kprobes.c),
    and %pB (the symbol of ip - 1) prints it as that function.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(NANOSLEEP_SYMS + ['kretprobe_trampoline_holder', KT])); s.blank(); s.add(TYPES_61)
    s.add('# struct kretprobe_instance, 6.1 without CONFIG_KRETPROBE_ON_RETHOOK:')
    s.add('# union { rcu_head rcu; llist_node llist; } @0, rph @16, ret_addr @24, fp @32')
    s.add('member task_struct kretprobe_instances 0xa30 8')
    s.add('member kretprobe_instance llist 0 8')
    s.add('member kretprobe_instance ret_addr 24 8')
    s.add('member kretprobe_instance fp 32 8')
    s.blank()
    KA = S61[KT][0]
    S, E = 0x38000d20000, 0x38000d24000
    it = user_stack_61(E); it[4] = Frame(KA, 0xf0, note='hrtimer_nanosleep: r14 = __kretprobe_trampoline')
    ksp, lines, sps = build(E, it)
    T1 = 0x1f310000; RI = 0x2b430000
    s.add('# task 1 stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('# task 1: kretprobe_instances.first -> instance at %#x' % RI)
    s.add('mem %#x %#x' % (T1 + 0xa30, RI))
    s.add('# llist.next, rcu.func, rph, ret_addr, fp')
    s.add('mem %#x 0 0 0x2b438000 %#x %#x' % (RI, ra('hrtimer_nanosleep', 0xd2), sps[3]))
    s.blank()
    s.add('task task=%#x pid=4820 comm=sleep stack=%#x ksp=%#x state=1' % (T1, S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add(NANOSLEEP_FRAMES)
    s.add('labels 3:kretprobe 6:user-entry')
    s.blank()
    S2, E2 = 0x38000d28000, 0x38000d2c000
    it = user_stack_61(E2); it[4] = Frame(KA, 0xf0, note='hrtimer_nanosleep: r14 = __kretprobe_trampoline')
    ksp2, lines2, sps2 = build(E2, it)
    T2 = 0x1f314000
    s.add('# task 2 stack [%#x, %#x)' % (S2, E2)); s.add(lines2)
    s.add('# task 2: kretprobe_instances is empty')
    s.add('mem %#x 0' % (T2 + 0xa30))
    s.blank()
    s.add('task task=%#x pid=4821 comm=sleep stack=%#x ksp=%#x state=1' % (T2, S2, ksp2))
    s.add('expect verdict=unreliable rule=KRETPROBE_TRAMPOLINE frame=3')
    s.add('frames __schedule schedule do_nanosleep kretprobe_trampoline_holder __s390x_sys_nanosleep __do_syscall system_call')
    s.add('labels 3:kretprobe-unrecovered 6:user-entry')
    s.write()

    # ---------------------------------------------------------------- 14 kretprobe 5.10
    KT0 = 'kretprobe_trampoline'
    s = Sample(D + 'kretprobe-5.10.sample',
        'kretprobe, 5.10: rejected outright; instances in kretprobe_inst_table.',
        '''
    5.5-5.17 arch_stack_walk_reliable() (CONFIG_KPROBES) returns -EINVAL when
    state.ip == kretprobe_trampoline: no recovery is tried, whether or not an
    instance exists (KRETPROBE_TRAMPOLINE, kernel mode).  Up to 5.10 the
    instances live in the global kretprobe_inst_table[64] (hlist heads,
    bucket hash_ptr(task, 6)); struct kretprobe_instance { hlist @0, rp @16,
    ret_addr @24, task @32, fp @40 }.  s390 did not set ri->fp before 5.18,
    so it is 0 here.  5.10 has no __do_syscall: system_call calls the
    syscall function directly; pt_regs are 184 bytes.
    Task 1 has an instance: kernel mode fails frame 3; strict mode pairs it
    (the task's newest instance) and finds the stack reliable.  Frames differ
    between the modes (kretprobe_trampoline / hrtimer_nanosleep), so they are
    not listed.
    Task 2 has none: KRETPROBE_TRAMPOLINE in both modes.  The trampoline
    prints as kretprobe_trampoline_holder, the function its label sits in
    (%pB: the symbol of ip - 1).
    ''', '5.10.197', '5.10.0-26-s390x')
    s.add(syms(['__schedule', 'schedule', 'do_nanosleep', 'hrtimer_nanosleep', '__s390x_sys_nanosleep', 'system_call', 'kretprobe_trampoline_holder', KT0]))
    s.add('sym kretprobe_inst_table 0x1540000 0x200 data')
    s.blank()
    s.add('type stack_frame 160')
    s.add('member stack_frame back_chain 152 8')
    s.add('member stack_frame gprs 72 80')
    s.add('type pt_regs 184')
    s.add('member pt_regs psw 8 16')
    s.add('member pt_regs gprs 24 128')
    s.add('member kretprobe_instance hlist 0 16')
    s.add('member kretprobe_instance ret_addr 24 8')
    s.add('member kretprobe_instance task 32 8')
    s.add('member kretprobe_instance fp 40 8')
    s.blank()
    KA0 = S61[KT0][0]
    L510 = Layout(regs_size=184)


    def stack510(E, usp=0x3ffd1afe7b0):
        return [
            Regs(PSW_USER, 0x3ff8e2f1a3c, usp, 'system call entry'),
            Frame(ra('system_call', 0x62), 0xa0, note='system_call (zero back chain)'),
            Frame(ra('__s390x_sys_nanosleep', 0x94), 0xb0, note='__s390x_sys_nanosleep'),
            Frame(KA0, 0xf0, note='hrtimer_nanosleep: r14 = kretprobe_trampoline'),
            Frame(ra('do_nanosleep', 0x8a), 0xc0, note='do_nanosleep'),
            Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
            Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp)'),
        ]
    S, E = 0x38000d30000, 0x38000d34000
    ksp, lines, sps = build(E, stack510(E), L510)
    T1 = 0x1f318000; RI = 0x2b440000
    s.add('# task 1 stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('# kretprobe_inst_table: 64 hlist heads, bucket 37 holds task 1\'s instance')
    buckets = [0] * 64; buckets[37] = RI
    s.add('mem 0x1540000 ' + ' '.join('%#x' % b for b in buckets[:32]))
    s.add('mem 0x1540100 ' + ' '.join('%#x' % b for b in buckets[32:]))
    s.add('# instance: hlist.next, hlist.pprev, rp, ret_addr, task, fp (0: not set on s390 < 5.18)')
    s.add('mem %#x 0 %#x 0x2b448000 %#x %#x 0' % (RI, 0x1540000 + 37 * 8, ra('hrtimer_nanosleep', 0xd2), T1))
    s.blank()
    s.add('task task=%#x pid=4830 comm=sleep stack=%#x ksp=%#x state=1' % (T1, S, ksp))
    s.add('expect verdict=unreliable rule=KRETPROBE_TRAMPOLINE frame=3 mode=kernel')
    s.add('expect verdict=reliable rule=NONE mode=strict')
    s.blank()
    S2, E2 = 0x38000d38000, 0x38000d3c000
    ksp2, lines2, sps2 = build(E2, stack510(E2), L510)
    T2 = 0x1f31c000
    s.add('# task 2 stack [%#x, %#x), no instance in the table' % (S2, E2)); s.add(lines2)
    s.blank()
    s.add('task task=%#x pid=4831 comm=sleep stack=%#x ksp=%#x state=1' % (T2, S2, ksp2))
    s.add('expect verdict=unreliable rule=KRETPROBE_TRAMPOLINE frame=3')
    s.add('frames __schedule schedule do_nanosleep kretprobe_trampoline_holder __s390x_sys_nanosleep system_call')
    s.add('labels 3:kretprobe-unrecovered 5:user-entry')
    s.write()

    # ---------------------------------------------------------------- 15 kretprobe 5.16
    s = Sample(D + 'kretprobe-5.16.sample',
        'kretprobe, 5.16: __kretprobe_trampoline rejected outright (5.5-5.17).',
        '''
    5.16 renamed the trampoline __kretprobe_trampoline and keeps instances
    on task->kretprobe_instances (5.11+), but s390's unwinder still does not
    recover it (that came with 5.18, d81675b60d09) and
    arch_stack_walk_reliable() rejects "state.ip == __kretprobe_trampoline"
    even though the instance is right there: KRETPROBE_TRAMPOLINE at frame 3.
    The trampoline prints as kretprobe_trampoline_holder (%pB: the symbol
    of ip - 1).  s390 5.16 does not record ri->fp (0), so strict mode pairs
    trampolines with instances newest-first, as for the <= 5.10 hash table:
    it recovers hrtimer_nanosleep and the stack is reliable.
    ''', '5.16.20', '5.16.0-6-s390x')
    s.add(syms(NANOSLEEP_SYMS + ['kretprobe_trampoline_holder', KT])); s.blank()
    s.add('type stack_frame 160')
    s.add('member stack_frame back_chain 152 8')
    s.add('member stack_frame gprs 72 80')
    s.add('type pt_regs 200')
    s.add('member pt_regs psw 8 16')
    s.add('member pt_regs gprs 24 128')
    s.add('member task_struct kretprobe_instances 0xa28 8')
    s.add('member kretprobe_instance llist 0 8')
    s.add('member kretprobe_instance ret_addr 24 8')
    s.add('member kretprobe_instance fp 32 8')
    s.blank()
    S, E = 0x38000d40000, 0x38000d44000
    it = user_stack_61(E); it[4] = Frame(KA, 0xf0, note='hrtimer_nanosleep: r14 = __kretprobe_trampoline')
    ksp, lines, sps = build(E, it)
    T1 = 0x1f320000; RI = 0x2b450000
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('mem %#x %#x' % (T1 + 0xa28, RI))
    s.add('# llist.next, rcu.func, rph, ret_addr, fp (never set on s390 before 5.18)')
    s.add('mem %#x 0 0 0x2b458000 %#x 0' % (RI, ra('hrtimer_nanosleep', 0xd2)))
    s.blank()
    s.add('task task=%#x pid=4840 comm=sleep stack=%#x ksp=%#x state=1' % (T1, S, ksp))
    s.add('expect verdict=unreliable rule=KRETPROBE_TRAMPOLINE frame=3 mode=kernel')
    s.add('frames mode=kernel __schedule schedule do_nanosleep kretprobe_trampoline_holder __s390x_sys_nanosleep __do_syscall system_call')
    s.add('labels mode=kernel 3:kretprobe-unrecovered 6:user-entry')
    s.add('expect verdict=reliable rule=NONE mode=strict')
    s.add('frames mode=strict __schedule schedule do_nanosleep hrtimer_nanosleep __s390x_sys_nanosleep __do_syscall system_call')
    s.add('labels mode=strict 3:kretprobe 6:user-entry')
    s.write()

    # ---------------------------------------------------------------- 16 rethook 6.6
    RT = 'arch_rethook_trampoline'
    s = Sample(D + 'rethook-6.6.sample',
        'rethook (6.3+): arch_rethook_trampoline and task->rethooks.',
        '''
    6.3 moved s390 kretprobes onto rethook: arch_rethook_prepare() stores
    ret_addr = r14 and frame = r15 in the rethook_node and makes r14
    arch_rethook_trampoline; the nodes hang on task->rethooks.
    unwind_recover_ret_addr() calls rethook_find_ret_addr(task, sp, &kr_cur)
    and arch_stack_walk_reliable() rejects a remaining arch_rethook_trampoline
    (CONFIG_RETHOOK).  struct kretprobe_instance embeds struct rethook_node
    { union { rcu_head; llist_node llist; } @0, rethook @16, ret_addr @24,
    frame @32 } first.
    Task 1: node present: recovered, reliable.  Task 2: no node:
    KRETPROBE_TRAMPOLINE.  Task 3 has its node but is TASK_RUNNING (it was
    preempted): rethook_find_ret_addr() refuses a running task that is not
    current and returns 0, so the kernel fails it; strict mode recovers it.
    An unrecovered arch_rethook_trampoline prints as the code before it in
    mcount.S, ftrace_shared_hotpatch_trampoline_exrl (%pB: ip - 1).
    ''', '6.6.58', '6.6.58-s390x')
    s.add(syms(NANOSLEEP_SYMS + ['ftrace_shared_hotpatch_trampoline_exrl', RT])); s.blank(); s.add(TYPES_61)
    s.add('member task_struct rethooks 0xa38 8')
    s.add('member rethook_node llist 0 8')
    s.add('member rethook_node ret_addr 24 8')
    s.add('member rethook_node frame 32 8')
    s.blank()
    RA = S61[RT][0]
    for n, (S, T, RN, state, node) in enumerate([
            (0x38000d50000, 0x1f330000, 0x2b460000, 1, True),
            (0x38000d58000, 0x1f334000, 0x2b468000, 1, False),
            (0x38000d60000, 0x1f338000, 0x2b470000, 0, True)]):
        E = S + 0x4000
        it = user_stack_61(E); it[4] = Frame(RA, 0xf0, note='hrtimer_nanosleep: r14 = arch_rethook_trampoline')
        ksp, lines, sps = build(E, it)
        s.add('# task %d stack [%#x, %#x)' % (n + 1, S, E)); s.add(lines)
        if node:
            s.add('mem %#x %#x' % (T + 0xa38, RN))
            s.add('# llist.next, rcu.func, rethook, ret_addr, frame')
            s.add('mem %#x 0 0 0x2b478000 %#x %#x' % (RN, ra('hrtimer_nanosleep', 0xd2), sps[3]))
        else:
            s.add('mem %#x 0' % (T + 0xa38))
        s.blank()
        s.add('task task=%#x pid=%d comm=sleep stack=%#x ksp=%#x state=%d' % (T, 4850 + n, S, ksp, state))
        if n == 0:
            s.add('expect verdict=reliable rule=NONE')
            s.add(NANOSLEEP_FRAMES)
            s.add('labels 3:kretprobe 6:user-entry')
        elif n == 1:
            s.add('expect verdict=unreliable rule=KRETPROBE_TRAMPOLINE frame=3')
            s.add('frames __schedule schedule do_nanosleep ftrace_shared_hotpatch_trampoline_exrl __s390x_sys_nanosleep __do_syscall system_call')
            s.add('labels 3:kretprobe-unrecovered 6:user-entry')
        else:
            s.add('expect verdict=unreliable rule=KRETPROBE_TRAMPOLINE frame=3 mode=kernel')
            s.add('expect verdict=reliable rule=NONE mode=strict')
        s.blank()
    s.write()


S72 = {
    # Debian 7.2.13+deb14-s390x System.map (link addresses), sizes up to
    # the next symbol
    '__schedule': (0x00e00198, 0x1248),
    'schedule': (0x00e013e0, 0xf0),
    'schedule_timeout': (0x00e0a5e0, 0x130),
    'unix_stream_read_generic': (0x00cd1798, 0xec0),
    'unix_stream_recvmsg': (0x00cd2718, 0xb0),
    'sock_recvmsg': (0x00ae6e30, 0xb8),
    'sock_read_iter': (0x00ae6ee8, 0xb8),
    'vfs_read': (0x0056b898, 0x340),
    'ksys_read': (0x0056c4f0, 0x108),
    '__do_syscall': (0x00dfa8d8, 0x638),
    'system_call': (0x00e0b798, 0x90),
    'return_to_handler': (0x00e0bd58, 0x40),
    'arch_rethook_trampoline': (0x00e0bda0, 0x60),
}


def samples_7x(D):
    # ---------------------------------------------------------------- 7.2 three hooks
    RTH, RT = 'return_to_handler', 'arch_rethook_trampoline'
    s = Sample(D + 'fgraph-fprobe-rethook-7.2.sample',
        '7.2: graph tracer, fprobe and rethook on one stack, 7.2 layouts.',
        '''
    A klp-unixread task of the sid end-to-end guest (Debian 7.2.13), its
    hooks, shadow-stack words and layouts as crash 9.0.2 read them from that
    dump; stack addresses and frame sizes are the sample's own.  read(2) on
    an AF_UNIX socket: vfs_read has an fprobe return probe (fprobe runs on
    the function-graph tracer since 6.14, so its return goes through
    return_to_handler as the second fgraph user), unix_stream_recvmsg a
    kretprobe (rethook: arch_rethook_trampoline) and unix_stream_read_generic
    is graph-traced.  The shadow stack holds two 6-word frames: ret, func,
    retp, the bitmap word (back 3, BITMAP; vfs_read's says users 0 and 1,
    0x3403) and each frame's reserved data, whose DATA word (0x20805, 0x805:
    back 5, DATA) is the frame's last word - the walk back must go by the
    last word's offset, not assume a bitmap word there.  7.2's rethook_node
    has rcu (16 bytes) before llist: llist @16, rethook @24, ret_addr @32,
    frame @40, and task->rethooks points at llist.  7.2's pt_regs has no cr1
    but cpu @192 and percpu_register @196, still 200 bytes.  All recovered:
    reliable.
    ''', '7.2.13', '7.2.13+deb14-s390x')
    s.add(syms(['__schedule', 'schedule', 'schedule_timeout', 'unix_stream_read_generic',
                'unix_stream_recvmsg', 'sock_recvmsg', 'sock_read_iter', 'vfs_read',
                'ksys_read', '__do_syscall', 'system_call', RTH, RT], table=S72,
               extra=['sym fgraph_array 0x1bf3030 0x80 data']))
    s.blank()
    s.add('# struct stack_frame (-mpacked-stack) and struct pt_regs, as in 7.2',
          'type stack_frame 160',
          'member stack_frame back_chain 152 8',
          'member stack_frame gprs 72 80',
          'type pt_regs 200',
          'member pt_regs psw 8 16',
          'member psw_t mask 0 8',
          'member psw_t addr 8 8',
          'member pt_regs gprs 24 128',
          'member pt_regs flags 176 8',
          'member pt_regs last_break 184 8',
          'member pt_regs cpu 192 4',
          'member pt_regs percpu_register 196 1',
          '# function-graph tracer (word array) and rethook, 7.2 offsets',
          'member task_struct curr_ret_stack 0xce0 4',
          'member task_struct ret_stack 0xce8 8',
          'member task_struct rethooks 0xdc0 8',
          'type ftrace_ret_stack 24',
          'member ftrace_ret_stack ret 0 8',
          'member ftrace_ret_stack func 8 8',
          'member ftrace_ret_stack retp 16 8',
          'member rethook_node llist 16 8',
          'member rethook_node ret_addr 32 8',
          'member rethook_node frame 40 8')
    s.blank()
    S, E = 0x37ffe5d8000, 0x37ffe5dc000
    R, RK = S72[RTH][0], S72[RT][0]
    ksp, lines, sps = build(E, [
        Regs(PSW_USER, 0x3ffa7e1b2c4, 0x3ffd39fe6d0, 'system call entry from user space'),
        Frame(ra('system_call', 0x72, S72), 0xa0, note='system_call (zero back chain)'),
        Frame(ra('__do_syscall', 0x19a, S72), 0xb8, note='__do_syscall'),
        Frame(R, 0xa8, note='ksys_read: r14 = return_to_handler (vfs_read, fprobe)'),
        Frame(ra('vfs_read', 0x302, S72), 0xd8, note='vfs_read'),
        Frame(ra('sock_read_iter', 0x7c, S72), 0xb0, note='sock_read_iter'),
        Frame(RK, 0xb0, note='sock_recvmsg: r14 = arch_rethook_trampoline (unix_stream_recvmsg)'),
        Frame(R, 0xb8, note='unix_stream_recvmsg: r14 = return_to_handler (unix_stream_read_generic, graph tracer)'),
        Frame(ra('unix_stream_read_generic', 0x600, S72), 0x1a0, note='unix_stream_read_generic'),
        Frame(ra('schedule_timeout', 0xd6, S72), 0xa8, note='schedule_timeout'),
        Frame(ra('schedule', 0x3c, S72), 0xa0, note='schedule'),
        Frame(ra('__schedule', 0x4ec, S72), 0xc8, note='__schedule (thread.ksp, r14 saved by __switch_to)'),
    ])
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
    T, RS, RN = 0x3805000, 0x388b000, 0x37ffe365210
    s.add('# curr_ret_stack = 12 words, ret_stack at %#x' % RS)
    s.add('mem32 %#x 12' % (T + 0xce0))
    s.add('mem %#x %#x' % (T + 0xce8, RS))
    s.add('# words 0-5: vfs_read (ret, func, retp), bitmap 0x3403, data, DATA word 0x20805')
    s.add('mem %#x %#x %#x %#x 0x3403 0x471b58 0x20805' % (
        RS, ra('ksys_read', 0xe4, S72), S72['vfs_read'][0], sps[2]))
    s.add('# words 6-11: unix_stream_read_generic, bitmap 0x1403 (user 0), data, DATA word 0x805')
    s.add('mem %#x %#x %#x %#x 0x1403 0x3072d6d47 0x805' % (
        RS + 48, ra('unix_stream_recvmsg', 0xa4, S72), S72['unix_stream_read_generic'][0], sps[6]))
    s.add('# task->rethooks.first -> the node\'s llist (node + 16)')
    s.add('mem %#x %#x' % (T + 0xdc0, RN + 16))
    s.add('# rcu.next, rcu.func, llist.next, rethook, ret_addr, frame')
    s.add('mem %#x 0 0 0 0x3c81e00 %#x %#x' % (RN, ra('sock_recvmsg', 0x72, S72), sps[5]))
    s.blank()
    s.add('task task=%#x pid=114 comm=klp-unixread stack=%#x ksp=%#x state=1' % (T, S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add('frames __schedule schedule schedule_timeout unix_stream_read_generic unix_stream_recvmsg '
          'sock_recvmsg sock_read_iter vfs_read ksys_read __do_syscall system_call')
    s.add('labels 4:ftrace-graph 5:kretprobe 8:ftrace-graph 10:user-entry')
    s.write()


def samples_4(D):
    # ---------------------------------------------------------------- 17 preempted
    PRE_SYMS = ['__schedule', 'preempt_schedule_irq', 'irqentry_exit', 'do_io_irq', 'io_int_handler',
                'filemap_read', 'ext4_file_read_iter', 'vfs_read', 'ksys_read', '__s390x_sys_read',
                '__do_syscall', 'system_call']


    def preempted(E, stale):
        return [
            Regs(PSW_USER, 0x2aa0001c3e4, 0x3ffc47fe6a8, 'read(2) from user space'),
            Frame(ra('system_call', 0x78), 0xa0, note='system_call (zero back chain)'),
            Frame(ra('__do_syscall', 0xd4), 0xb8, note='__do_syscall'),
            Frame(ra('__s390x_sys_read', 0x2e), 0xa0, note='__s390x_sys_read'),
            Frame(ra('ksys_read', 0x9c), 0xc0, note='ksys_read'),
            Frame(ra('vfs_read', 0x11a), 0xd8, note='vfs_read'),
            Frame(ra('ext4_file_read_iter', 0x7e), 0xb0, note='ext4_file_read_iter'),
            Frame(stale, 0xe8, note="filemap_read's own frame: r14 is whatever its last callee left"),
            Regs(PSW_KERNEL, ra('filemap_read', 0x1b4), None, 'I/O interrupt in kernel mode, in filemap_read'),
            Frame(ra('io_int_handler', 0xda), 0xa0, note='io_int_handler (zero back chain above the pt_regs)'),
            Frame(ra('do_io_irq', 0xf2), 0xb0, note='do_io_irq'),
            Frame(ra('irqentry_exit', 0x4e), 0xa8, note='irqentry_exit'),
            Frame(ra('preempt_schedule_irq', 0x52), 0xa0, note='preempt_schedule_irq'),
            Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp)'),
        ]

    s = Sample(D + 'preempted.sample',
        'Preempted in kernel mode: pt_regs mid-stack, S390_INTERRUPTED (6.1, PREEMPT).',
        '''
    With CONFIG_PREEMPT an I/O interrupt in kernel mode can end in
    irqentry_exit() -> preempt_schedule_irq().  The entry code
    (io_int_handler) built pt_regs on the task stack below the interrupted
    r15 and a frame with a zero back chain below them; the unwinder finds the
    pt_regs at sp + 160 and continues with psw.addr and gprs[15].  Any
    pt_regs frame fails arch_stack_walk_reliable() ("if (state.regs) return
    -EINVAL", 5.5+): the interrupted function may not have saved its return
    address yet.  The frame is labelled preempted (preempt_schedule_irq is
    on the stack above it).  The walk goes on to the end.
    After a pt_regs frame the unwinder reads r14 from the interrupted
    function's own frame (same sp) and skips it when it is not text (5.5) or
    recovers to psw.addr (5.18+, "avoid duplicated unwinding entries"):
    Task 1: stale r14 = 0: skipped.  Task 2: stale r14 == psw.addr: skipped.
    Task 3: stale r14 is another filemap_read address: reported as an extra
    frame, as /proc/PID/stack would.
    ''', '6.1.115', '6.1.115-preempt')
    s.add(syms(PRE_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    base_frames = '__schedule preempt_schedule_irq irqentry_exit do_io_irq io_int_handler filemap_read'
    tail = 'ext4_file_read_iter vfs_read ksys_read __s390x_sys_read __do_syscall system_call'
    for n, stale in enumerate([0, ra('filemap_read', 0x1b4), ra('filemap_read', 0x15a)]):
        S = 0x38000e00000 + n * 0x8000; E = S + 0x4000; T = 0x1f340000 + n * 0x4000
        ksp, lines, sps = build(E, preempted(E, stale))
        s.add('# task %d stack [%#x, %#x)' % (n + 1, S, E)); s.add(lines); s.blank()
        s.add('task task=%#x pid=%d comm=cat stack=%#x ksp=%#x state=0' % (T, 4900 + n, S, ksp))
        s.add('expect verdict=unreliable rule=S390_INTERRUPTED frame=5')
        if n < 2:
            s.add('frames ' + base_frames + ' ' + tail)
            s.add('labels 5:preempted 11:user-entry')
        else:
            s.add('frames ' + base_frames + ' filemap_read ' + tail)
            s.add('labels 5:preempted 12:user-entry')
        s.blank()
    s.write()

    # ---------------------------------------------------------------- 18 exception
    EXC_SYMS = ['__schedule', 'schedule', 'io_schedule', 'folio_wait_bit_common', 'filemap_fault', '__do_fault',
                'handle_mm_fault', 'do_exception', 'do_dat_exception', '__do_pgm_check', 'pgm_check_handler',
                'raw_copy_from_user', 'copy_page_from_iter', 'pipe_write', 'vfs_write', 'ksys_write',
                '__s390x_sys_write', '__do_syscall', 'system_call']
    s = Sample(D + 'exception.sample',
        'A page fault taken in kernel mode: pt_regs mid-stack, S390_INTERRUPTED (6.1).',
        '''
    write(2) to a pipe copies from a user buffer; raw_copy_from_user() faults
    on a page that is not present, pgm_check_handler builds pt_regs on the
    task stack (kernel-mode PSW, psw.addr at the faulting instruction) and
    calls __do_pgm_check() -> do_dat_exception() -> do_exception() ->
    handle_mm_fault(), which waits for the page to be read.  The blocked task
    has pt_regs in the middle of its stack: unreliable (5.5+), frame 11
    labelled exception (pgm_check_handler is the entry just above it).
    x86_64's ORC unwinder would accept this stack; s390 does not.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(EXC_SYMS)); s.blank(); s.add(TYPES_61); s.blank()
    S, E = 0x38000e20000, 0x38000e24000
    ksp, lines, sps = build(E, [
        Regs(PSW_USER, 0x2aa00021a7c, 0x3ffd9ffe5d0, 'write(2) from user space'),
        Frame(ra('system_call', 0x78), 0xa0, note='system_call (zero back chain)'),
        Frame(ra('__do_syscall', 0xd4), 0xb8, note='__do_syscall'),
        Frame(ra('__s390x_sys_write', 0x2e), 0xa0, note='__s390x_sys_write'),
        Frame(ra('ksys_write', 0x9c), 0xc0, note='ksys_write'),
        Frame(ra('vfs_write', 0x176), 0xe0, note='vfs_write'),
        Frame(ra('pipe_write', 0x2b4), 0x100, note='pipe_write'),
        Frame(ra('copy_page_from_iter', 0x10a), 0xc8, note='copy_page_from_iter'),
        Frame(0, 0xa0, note="raw_copy_from_user's own frame (stale r14)"),
        Regs(PSW_KERNEL, ra('raw_copy_from_user', 0x3c), None, 'program check (page fault) in kernel mode'),
        Frame(ra('pgm_check_handler', 0x11e), 0xa0, note='pgm_check_handler (zero back chain)'),
        Frame(ra('__do_pgm_check', 0x148), 0xb8, note='__do_pgm_check'),
        Frame(ra('do_dat_exception', 0x2e), 0xa0, note='do_dat_exception'),
        Frame(ra('do_exception', 0x1ca), 0xe0, note='do_exception'),
        Frame(ra('handle_mm_fault', 0x14c), 0xc8, note='handle_mm_fault'),
        Frame(ra('__do_fault', 0x4a), 0xa8, note='__do_fault'),
        Frame(ra('filemap_fault', 0x2f6), 0xf0, note='filemap_fault'),
        Frame(ra('folio_wait_bit_common', 0x1d0), 0xe0, note='folio_wait_bit_common'),
        Frame(ra('io_schedule', 0x40), 0xa0, note='io_schedule'),
        Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp)'),
    ])
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x1f350000 pid=4910 comm=tee stack=%#x ksp=%#x state=2' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_INTERRUPTED frame=11')
    s.add('frames __schedule schedule io_schedule folio_wait_bit_common filemap_fault __do_fault handle_mm_fault do_exception do_dat_exception __do_pgm_check pgm_check_handler raw_copy_from_user copy_page_from_iter pipe_write vfs_write ksys_write __s390x_sys_write __do_syscall system_call')
    s.add('labels 11:exception 18:user-entry')
    s.write()

    # ---------------------------------------------------------------- 19 too deep
    MOD = [('klp_test_thread', 0x3ff80012000, 0x120), ('klp_test_recurse', 0x3ff80012120, 0x60)]
    s = Sample(D + 'too-deep.sample',
        'A 101-frame stack: TOO_DEEP (100-entry klp_check_stack buffer).',
        '''
    klp_check_stack() (kernel/livepatch/transition.c) saves at most
    MAX_STACK_ENTRIES = 100 entries; stack_trace_consume_entry() returns false
    once the buffer is full - also when the 100th entry filled it - and
    arch_stack_walk_reliable() turns that into -EINVAL.  So a stack of 100 or
    more frames is unreliable however clean it is: the rule is at frame 99.
    Task 1: a test module's kthread recursing 94 deep: 101 frames (16160
    bytes of 160-byte frames, just fits a 16 KiB stack under the pt_regs).
    Task 2: the same recursion 92 deep: 99 frames, reliable.
    (Frame lists this long do not fit one sample line; the labels show the
    walk reached the stack top.)
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(['__schedule', 'schedule', 'schedule_timeout', 'kthread', '__ret_from_fork', 'ret_from_fork']))
    for name, a, z in MOD:
        s.add('sym %s %#x %#x text klp_test' % (name, a, z))
    MODULES, M = 0x1800000, 0x3ff80010000
    s.add('sym modules %#x 16 data' % MODULES)
    s.blank(); s.add(TYPES_61)
    s.add('member module list 8')
    s.add('member module name 24')
    s.add('member module core_layout 0x140')
    s.add('member module_layout base 0')
    s.add('member module_layout text_size 12')
    s.blank()
    s.add('# the modules list: klp_test, core text [%#x, %#x)' % (MOD[0][1], MOD[0][1] + 0x1000))
    s.add('mem %#x %#x %#x  # LIST_HEAD(modules)' % (MODULES, M + 8, M + 8))
    s.add('mem %#x %#x %#x  # klp_test: module.list' % (M + 8, MODULES, MODULES))
    s.add('bytes %#x %s  # module.name' % (M + 24, b'klp_test\0'.hex()))
    s.add('mem %#x %#x  # module.core_layout.base' % (M + 0x140, MOD[0][1]))
    s.add('mem32 %#x 0x1000  # module.core_layout.text_size' % (M + 0x14c))
    s.blank()
    for n, depth in enumerate([94, 92]):
        S = 0x38000e40000 + n * 0x8000; E = S + 0x4000; T = 0x2a200000 + n * 0x4000
        items = [
            Regs(PSW_KERNEL, 0, 0, 'kernel thread'),
            Frame(ra('ret_from_fork', 0x1a), 0xa0, note='ret_from_fork'),
            Frame(ra('__ret_from_fork', 0x5c), 0xa0, note='__ret_from_fork'),
            Frame(ra('kthread', 0xe6), 0xa0, note='kthread'),
            Frame(MOD[0][1] + 0x4c, 0xa0, note='klp_test_thread [klp_test]'),
        ]
        for i in range(depth):
            items.append(Frame(MOD[1][1] + 0x3a, 0xa0, note='klp_test_recurse [klp_test] #%d' % (depth - i)))
        items += [
            Frame(ra('schedule_timeout', 0xa8), 0xa0, note='schedule_timeout'),
            Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
            Frame(ra('__schedule', 0x3f4), 0xa0, note='__schedule (thread.ksp)'),
        ]
        ksp, lines, sps = build(E, items)
        assert ksp >= S
        total = len(items) - 1
        s.add('# task %d stack [%#x, %#x): %d frames' % (n + 1, S, E, total)); s.add(lines); s.blank()
        s.add('task task=%#x pid=%d comm=klp_test stack=%#x ksp=%#x flags=0x00208040 state=1' % (T, 5000 + n, S, ksp))
        if total >= 100:
            s.add('expect verdict=unreliable rule=TOO_DEEP frame=99')
        else:
            s.add('expect verdict=reliable rule=NONE')
        s.add('labels %d:kthread-start' % (total - 1))
        s.blank()
    s.write()


def samples_5(D):
    # 5.3 kernel symbols (SLES-like build)
    S53 = {
        '__schedule': (0x0094e2a8, 0x640),
        'schedule': (0x0094e8e8, 0xb0),
        'schedule_idle': (0x0094e998, 0x40),
        'io_schedule': (0x0094ea08, 0x50),
        'do_nanosleep': (0x00952a10, 0x128),
        'hrtimer_nanosleep': (0x001e8f60, 0x130),
        '__s390x_sys_nanosleep': (0x001e9090, 0xb8),
        'worker_thread': (0x00173b48, 0x470),
        'kthread': (0x0017c3f0, 0x180),
        'do_idle': (0x001a5e20, 0x2a0),
        'cpu_startup_entry': (0x001a60c0, 0x30),
        'smp_start_secondary': (0x00118a30, 0xe8),
        'wait_on_page_bit_common': (0x002a7b18, 0x3a0),
        'generic_file_read_iter': (0x002a9c30, 0x9a0),
        'kernel_read': (0x00349e58, 0x78),
        'load_elf_binary': (0x003c8d10, 0x14b8),
        'search_binary_handler': (0x003565d0, 0x118),
        '__do_execve_file': (0x00357b40, 0x8d0),
        'do_execve': (0x00358410, 0x48),
        'call_usermodehelper_exec_async': (0x00168a58, 0x1a0),
        'system_call': (0x00958c00, 0x1a8),
        'ret_from_fork': (0x00958da8, 0x38),
        'kernel_thread_starter': (0x00958de0, 0x10),
        'ext_int_handler': (0x00959100, 0x1d0),
        'preempt_schedule_irq': (0x0094ea58, 0x80),
    }


    def r53(n, o):
        return ra(n, o, S53)


    def syms53(names):
        return ['sym %s %#x %#x' % (n, S53[n][0], S53[n][1]) for n in names]

    L53 = Layout(regs_size=184)

    s = Sample(D + 'rules2019-5.3.sample',
        'The 2019 reliable unwinder on a 5.3 distro kernel (backport).',
        '''
    Mainline s390 got arch_stack_walk_reliable() in 5.5.  The first posting
    (Miroslav Benes, "s390/livepatch: Implement reliable stack tracing for
    the consistency model", v1 2019-07-10) had its own rules, and a distro
    that backported it onto 5.2-5.4 has those:
     - only the task stack is ever valid; a back chain must go up and stay
       on it (no alignment re-check after the start frame);
     - a zero back chain must be followed by pt_regs exactly at the stack
       top; pt_regs anywhere else are an unwinder error (the walk stops, no
       regs frame is reported);
     - a task that is not PF_KTHREAD/PF_IDLE must have user-mode final
       pt_regs (S390_FINAL_REGS_NOT_USER);
     - an idle task's last back chain may point to the nodat stack
       (CALL_ON_STACK in smp_start_secondary): taken as a zero back chain;
     - kthreads and idle tasks get the final psw.addr (kernel_thread_starter)
       appended to the trace.  It is the entry point, not a return address,
       so /proc/PID/stack-style symbolisation (%pB: the symbol of ip-1) shows
       the code before it, ret_from_fork.
    5.3 pt_regs are 184 bytes (no type info here: the fallback).
    Task 1: a call_usermodehelper child blocked in load_elf_binary after
    flush_old_exec() cleared PF_KTHREAD but before start_thread() set a user
    PSW: kernel-mode final pt_regs in a non-kthread -> S390_FINAL_REGS_NOT_USER.
    Task 2: a user task in nanosleep: reliable.  Task 3: a kworker: reliable,
    starter appended.  Task 4: the idle task of an offline CPU, back chain to
    the nodat stack: reliable.  Task 5: a kworker whose last back chain
    points off the stack the same way: no idle exception, S390_BAD_BACKCHAIN.
    Task 6: a kworker preempted by an external interrupt (CONFIG_PREEMPT):
    pt_regs mid-stack are an unwinder error under these rules
    (S390_INTERRUPTED at the entry frame, ext_int_handler).
    ''', '5.3.18', '5.3.18-57-default')
    s.add(syms53(list(S53))); s.blank()
    PSW_KERNEL53 = 0x0704000180000000

    def kthread53(top_note='kernel_thread_starter'):
        return [
            Regs(PSW_KERNEL53, S53['kernel_thread_starter'][0], 0, 'copy_thread: PSW at kernel_thread_starter'),
            Frame(r53('kernel_thread_starter', 0x6), 0xa0, note='ret_from_fork/kernel_thread_starter (zero back chain)'),
        ]

    tasks = []
    # task 1
    S, E = 0x3d0a0000, 0x3d0a4000
    ksp, lines, sps = build(E, kthread53() + [
        Frame(r53('call_usermodehelper_exec_async', 0x10e), 0xb0, note='call_usermodehelper_exec_async'),
        Frame(r53('do_execve', 0x2a), 0xa0, note='do_execve'),
        Frame(r53('__do_execve_file', 0x4f6), 0x120, note='__do_execve_file'),
        Frame(r53('search_binary_handler', 0x8e), 0xb0, note='search_binary_handler'),
        Frame(r53('load_elf_binary', 0x3b2), 0x160, note='load_elf_binary'),
        Frame(r53('kernel_read', 0x4c), 0xa8, note='kernel_read'),
        Frame(r53('generic_file_read_iter', 0x51e), 0x110, note='generic_file_read_iter'),
        Frame(r53('wait_on_page_bit_common', 0x15a), 0xe0, note='wait_on_page_bit_common'),
        Frame(r53('io_schedule', 0x40), 0xa0, note='io_schedule'),
        Frame(r53('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(r53('__schedule', 0x3a2), 0xc8, note='__schedule (thread.ksp)'),
    ], L53)
    s.add('# task 1 stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x3c4e0000 pid=812 comm=modprobe stack=%#x ksp=%#x flags=0x00400100 state=2' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_FINAL_REGS_NOT_USER frame=11')
    s.add('frames __schedule schedule io_schedule wait_on_page_bit_common generic_file_read_iter kernel_read load_elf_binary search_binary_handler __do_execve_file do_execve call_usermodehelper_exec_async kernel_thread_starter')
    s.add('labels')
    s.blank()
    # task 2
    S, E = 0x3d0a8000, 0x3d0ac000
    ksp, lines, sps = build(E, [
        Regs(PSW_USER, 0x3ff9a2c1e0e, 0x3ffe8efe9c8, 'system call entry'),
        Frame(r53('system_call', 0xe6), 0xa0, note='system_call (zero back chain)'),
        Frame(r53('__s390x_sys_nanosleep', 0x94), 0xb0, note='__s390x_sys_nanosleep'),
        Frame(r53('hrtimer_nanosleep', 0xca), 0xf0, note='hrtimer_nanosleep'),
        Frame(r53('do_nanosleep', 0x82), 0xc0, note='do_nanosleep'),
        Frame(r53('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(r53('__schedule', 0x3a2), 0xc8, note='__schedule (thread.ksp)'),
    ], L53)
    s.add('# task 2 stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x3c4e4000 pid=901 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add('frames __schedule schedule do_nanosleep hrtimer_nanosleep __s390x_sys_nanosleep system_call')
    s.add('labels 5:user-entry')
    s.blank()
    # task 3
    S, E = 0x3d0b0000, 0x3d0b4000
    ksp, lines, sps = build(E, kthread53() + [
        Frame(r53('kthread', 0xe2), 0xc8, note='kthread'),
        Frame(r53('worker_thread', 0x10a), 0xd0, note='worker_thread'),
        Frame(r53('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(r53('__schedule', 0x3a2), 0xc8, note='__schedule (thread.ksp)'),
    ], L53)
    s.add('# task 3 stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x3c4e8000 pid=23 comm=kworker/0:1 stack=%#x ksp=%#x flags=0x04208060 state=1' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add('frames __schedule schedule worker_thread kthread kernel_thread_starter ret_from_fork')
    s.add('labels 5:kthread-start')
    s.blank()
    # task 4 idle
    S, E = 0x3d0b8000, 0x3d0bc000
    NODAT = 0x3a6e40
    ksp, lines, sps = build(E, [
        Regs(PSW_KERNEL53, S53['kernel_thread_starter'][0], 0, 'copy_thread (fork_idle): never used'),
        Frame(r53('smp_start_secondary', 0x9a), 0xa0, bc=NODAT, note='smp_start_secondary: back chain into the nodat stack'),
        Frame(r53('cpu_startup_entry', 0x22), 0xa0, note='cpu_startup_entry'),
        Frame(r53('do_idle', 0x1f6), 0xb8, note='do_idle'),
        Frame(r53('schedule_idle', 0x2e), 0xa0, note='schedule_idle'),
        Frame(r53('__schedule', 0x3a2), 0xc8, note='__schedule (thread.ksp)'),
    ], L53)
    s.add('# task 4 stack [%#x, %#x); the nodat stack frame it points to is not read' % (S, E)); s.add(lines); s.blank()
    s.add('# PF_KTHREAD | PF_IDLE')
    s.add('task task=0x3c4ec000 pid=0 comm=swapper/1 stack=%#x ksp=%#x flags=0x00200002 idle=1 cpu=1 state=0' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add('frames __schedule schedule_idle do_idle cpu_startup_entry smp_start_secondary ret_from_fork')
    s.add('labels 5:kthread-start')
    s.blank()
    # task 5: same shape, not idle
    S, E = 0x3d0c0000, 0x3d0c4000
    ksp, lines, sps = build(E, [
        Regs(PSW_KERNEL53, S53['kernel_thread_starter'][0], 0, 'kernel thread'),
        Frame(r53('kthread', 0xe2), 0xa0, bc=NODAT, note='kthread: back chain off the task stack'),
        Frame(r53('worker_thread', 0x10a), 0xd0, note='worker_thread'),
        Frame(r53('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(r53('__schedule', 0x3a2), 0xc8, note='__schedule (thread.ksp)'),
    ], L53)
    s.add('# task 5 stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x3c4f0000 pid=24 comm=kworker/1:0 stack=%#x ksp=%#x flags=0x04208060 state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_BAD_BACKCHAIN frame=3')
    s.add('frames __schedule schedule worker_thread kthread')
    s.add('labels')
    s.blank()
    # task 6: mid-stack pt_regs
    S, E = 0x3d0c8000, 0x3d0cc000
    ksp, lines, sps = build(E, kthread53() + [
        Frame(r53('kthread', 0xe2), 0xc8, note='kthread'),
        Frame(0, 0xd0, note="worker_thread's own frame (stale r14)"),
        Regs(PSW_KERNEL53, r53('worker_thread', 0x1c4), None, 'external interrupt in worker_thread'),
        Frame(r53('ext_int_handler', 0x17a), 0xa0, note='ext_int_handler (zero back chain)'),
        Frame(r53('preempt_schedule_irq', 0x4a), 0xa0, note='preempt_schedule_irq'),
        Frame(r53('__schedule', 0x3a2), 0xc8, note='__schedule (thread.ksp)'),
    ], L53)
    s.add('# task 6 stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x3c4f4000 pid=25 comm=kworker/1:1 stack=%#x ksp=%#x flags=0x04208060 state=0' % (S, ksp))
    s.add('expect verdict=unreliable rule=S390_INTERRUPTED frame=2')
    s.add('frames __schedule preempt_schedule_irq ext_int_handler')
    s.add('labels')
    s.write()

    # ---------------------------------------------------------------- no reliable 5.4
    s = Sample(D + 'no-reliable-5.4.sample',
        'A 5.4 kernel without arch_stack_walk_reliable: NO_RELIABLE_STACKTRACE.',
        '''
    Before 5.5 mainline s390 has no HAVE_RELIABLE_STACKTRACE:
    klp_have_reliable_stack() is false, klp_check_stack() is never run and a
    task only switches at the kernel/user boundary (or idle, or when a fake
    signal sends it there).  In kernel mode every sleeping task blocks the
    transition (NO_RELIABLE_STACKTRACE, frame -1); the frames are still shown.
    Strict mode asks whether the stack would be reliable and applies the
    2019 rules (see rules2019-5.3.sample): reliable.
    ''', '5.4.0', '5.4.0-150-generic')
    s.add('reliable-stacktrace no')
    s.add(syms53(['__schedule', 'schedule', 'do_nanosleep', 'hrtimer_nanosleep', '__s390x_sys_nanosleep', 'system_call']))
    s.blank()
    S, E = 0x3d0d0000, 0x3d0d4000
    ksp, lines, sps = build(E, [
        Regs(PSW_USER, 0x3ff9a2c1e0e, 0x3ffe8efe9c8, 'system call entry'),
        Frame(r53('system_call', 0xe6), 0xa0, note='system_call (zero back chain)'),
        Frame(r53('__s390x_sys_nanosleep', 0x94), 0xb0, note='__s390x_sys_nanosleep'),
        Frame(r53('hrtimer_nanosleep', 0xca), 0xf0, note='hrtimer_nanosleep'),
        Frame(r53('do_nanosleep', 0x82), 0xc0, note='do_nanosleep'),
        Frame(r53('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(r53('__schedule', 0x3a2), 0xc8, note='__schedule (thread.ksp)'),
    ], L53)
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x3c4f8000 pid=1201 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=unreliable rule=NO_RELIABLE_STACKTRACE frame=-1 mode=kernel')
    s.add('expect verdict=reliable rule=NONE mode=strict')
    s.add('frames __schedule schedule do_nanosleep hrtimer_nanosleep __s390x_sys_nanosleep system_call')
    s.add('labels 5:user-entry')
    s.write()

    # ---------------------------------------------------------------- layout fallback
    s = Sample(D + 'layout-fallback.sample',
        'No type info at all: the documented fallback layout (6.1).',
        '''
    Without debuginfo for struct stack_frame and struct pt_regs klpstack uses
    the layout every s390 kernel is built with (-mpacked-stack): back_chain
    at 152, gprs[] = r6..r15 at 72 (r14 at 136), 160-byte frames; pt_regs
    psw.mask 8, psw.addr 16, gprs 24, 200 bytes from 5.16 on (184 before).
    crash's own fallback is the user/ABI layout (back chain at 0, r14 at
    112), which is wrong for the kernel.  Same stack as user-nanosleep.sample.
    ''', '6.1.115', '6.1.0-27-s390x')
    s.add(syms(NANOSLEEP_SYMS)); s.blank()
    S, E = 0x38000e60000, 0x38000e64000
    ksp, lines, sps = build(E, user_stack_61(E))
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines); s.blank()
    s.add('task task=0x1f360000 pid=5100 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add(NANOSLEEP_FRAMES)
    s.add('labels 6:user-entry')
    s.write()

    # ---------------------------------------------------------------- layout abi
    LABI = Layout(bc=0, gprs=48, regs_size=184)
    s = Sample(D + 'layout-from-types.sample',
        'A different struct stack_frame layout given by type info is used.',
        '''
    The offsets come from type info whenever it has them.  This kernel's
    struct stack_frame is the non-packed variant (the "#ifndef __PACK_STACK"
    branch of 4.x/5.x: back_chain @0, empty1[5], gprs[10] @48 so r14 @112,
    empty2[4]; 160 bytes), e.g. a build without -mpacked-stack.  Every frame
    also holds decoys at the packed offsets (a zero "back chain" at +152 and
    a non-text "r14" at +136): reading those would end in an interrupted
    frame or NON_TEXT_RA, so a reliable walk with the expected frames shows
    the type info was used.  pt_regs: 184 bytes, given too.
    ''', '5.10.197', '5.10.0-26-s390x')
    s.add(syms(['__schedule', 'schedule', 'do_nanosleep', 'hrtimer_nanosleep', '__s390x_sys_nanosleep', 'system_call']))
    s.blank()
    s.add('type stack_frame 160')
    s.add('member stack_frame back_chain 0 8')
    s.add('member stack_frame gprs 48 80')
    s.add('type pt_regs 184')
    s.add('member pt_regs psw 8 16')
    s.add('member psw_t mask 0 8')
    s.add('member psw_t addr 8 8')
    s.add('member pt_regs gprs 24 128')
    s.blank()
    S, E = 0x38000e68000, 0x38000e6c000
    ksp, lines, sps = build(E, [
        Regs(PSW_USER, 0x3ff8e2f1a3c, 0x3ffd1afe7b0, 'system call entry'),
        Frame(ra('system_call', 0x62), 0xa0, note='system_call (zero back chain)'),
        Frame(ra('__s390x_sys_nanosleep', 0x94), 0xb0, note='__s390x_sys_nanosleep'),
        Frame(ra('hrtimer_nanosleep', 0xd2), 0xf0, note='hrtimer_nanosleep'),
        Frame(ra('do_nanosleep', 0x8a), 0xc0, note='do_nanosleep'),
        Frame(ra('schedule', 0x6c), 0xa0, note='schedule'),
        Frame(ra('__schedule', 0x3f4), 0xc8, note='__schedule (thread.ksp)'),
    ], LABI)
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('# decoys at the packed offsets: r14 at +136 (not text), r15 at +144, back chain 0 at +152')
    for sp in sps:
        s.add('mem %#x 0x5a5a5a5a5a5a5a5a 0x5a5a5a5a5a5a5a5a 0' % (sp + 136))
    s.blank()
    s.add('task task=0x1f364000 pid=5110 comm=sleep stack=%#x ksp=%#x state=1' % (S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.add('frames __schedule schedule do_nanosleep hrtimer_nanosleep __s390x_sys_nanosleep system_call')
    s.add('labels 5:user-entry')
    s.write()

    # ---------------------------------------------------------------- fgraph 5.18.0
    RTH = 'return_to_handler'
    s = Sample(D + 'fgraph-5.18.0.sample',
        '5.18.0-5.18.17: unwind_recover_ret_addr() passed NULL as retp.',
        '''
    5.18 (d81675b60d09, kretprobe recovery) routed ftrace-graph recovery
    through unwind_recover_ret_addr() with NULL instead of the frame as retp,
    so ftrace_graph_ret_addr() matched no entry and return_to_handler stayed
    in the trace; ded466e18066 ("s390/unwind: fix fgraph return address
    recovery") fixed it, in stable 5.18.18.  return_to_handler is text, so the
    kernel called such stacks reliable with the callers hidden: kernel mode
    is reliable (frames 2 and 3 labelled ftrace-graph-unrecovered).  Strict
    mode recovers both with the right key: reliable, nothing hidden.  The
    frames differ between the modes, so they are not listed.
    Same shadow stack as fgraph-6.1.sample.
    ''', '5.18.0', '5.18.0-2-s390x')
    s.add(syms(NANOSLEEP_SYMS + ['ftrace_common', 'ftrace_graph_caller', RTH])); s.blank(); s.add(TYPES_61)
    s.add('member task_struct curr_ret_stack 0x960 4')
    s.add('member task_struct ret_stack 0x968 8')
    s.add('type ftrace_ret_stack 32')
    s.add('member ftrace_ret_stack ret 0 8')
    s.add('member ftrace_ret_stack retp 24 8')
    s.blank()
    S, E = 0x38000e70000, 0x38000e74000
    R = S61[RTH][0]
    it = user_stack_61(E)
    it[4] = Frame(R, 0xf0, note='hrtimer_nanosleep: r14 saved by do_nanosleep')
    it[5] = Frame(R, 0xc0, note='do_nanosleep: r14 saved by schedule')
    ksp, lines, sps = build(E, it)
    T = 0x1f368000; RS = 0x2b480000
    s.add('# stack [%#x, %#x)' % (S, E)); s.add(lines)
    s.add('mem32 %#x 1' % (T + 0x960))
    s.add('mem %#x %#x' % (T + 0x968, RS))
    s.add('mem %#x %#x %#x 0x1a2b3c4d5e %#x' % (RS, ra('hrtimer_nanosleep', 0xd2), S61['do_nanosleep'][0], sps[3]))
    s.add('mem %#x %#x %#x 0x1a2b3c4e00 %#x' % (RS + 32, ra('do_nanosleep', 0x8a), S61['schedule'][0], sps[4]))
    s.blank()
    s.add('task task=%#x pid=5120 comm=sleep stack=%#x ksp=%#x state=1' % (T, S, ksp))
    s.add('expect verdict=reliable rule=NONE')
    s.write()



def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit('usage: mksamples.py OUTDIR')
    d = os.path.join(sys.argv[1], '')
    samples_1(d)
    samples_2(d)
    samples_3(d)
    samples_4(d)
    samples_5(d)
    samples_7x(d)


if __name__ == '__main__':
    main()
