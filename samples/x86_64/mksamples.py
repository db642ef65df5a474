#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Writes the x86_64 samples (samples/x86_64/*.sample).  Each sample is a
# small kernel image: symbols laid out like vmlinux text, an ORC table (or
# a frame-pointer chain), task stacks built frame by frame so the stack
# words, the ORC entries and the expected frames always agree.  The
# generated files are what `make check` reads; run this script only to
# change them:  python3 samples/x86_64/mksamples.py samples/x86_64
#
# Layouts used (x86_64 6.x): pt_regs 168 bytes (bp 32, ax 80, dx 96,
# di 112, orig_ax 120, ip 128, cs 136, flags 144, sp 152, ss 160),
# inactive_task_frame 56 bytes (bp 40, ret_addr 48), THREAD_SIZE 16 KiB.

import os
import sys

TEXT = 0xffffffff81000000
MODTEXT = 0xffffffffc0a00000
DATA = 0xffffffff82800000
STACKS = 0xffffc90000010000
TASKS = 0xffff888003000000
STACK_SIZE = 0x4000
REGS_SIZE = 168
R = dict(r15=0, r14=8, r13=16, r12=24, bp=32, bx=40, r11=48, r10=56, r9=64,
         r8=72, ax=80, cx=88, dx=96, si=104, di=112, orig_ax=120, ip=128,
         cs=136, flags=144, sp=152, ss=160)
ITF_SIZE = 56
USER_CS = 0x33
KERNEL_CS = 0x10

# Functions of the image, in address order; sizes are plausible.
FUNCS = [
    ("__schedule", 0x900), ("schedule", 0x100), ("schedule_timeout", 0x180),
    ("preempt_schedule_irq", 0x80), ("irqentry_exit", 0x60),
    ("do_nanosleep", 0x180), ("hrtimer_nanosleep", 0x120),
    ("__x64_sys_nanosleep", 0xb0), ("__x64_sys_pause", 0x40),
    ("do_syscall_64", 0x100), ("pipe_read", 0x480), ("vfs_read", 0x1c0),
    ("ksys_read", 0xe0), ("__x64_sys_read", 0x20),
    ("worker_thread", 0x3a0), ("kthread", 0x120), ("ret_from_fork", 0x60),
    ("rcu_gp_kthread", 0x1f0), ("smpboot_thread_fn", 0x1c0),
    ("do_idle", 0x240), ("cpu_startup_entry", 0x30),
    ("start_secondary", 0x140),
    ("exc_page_fault", 0x2a0), ("handle_mm_fault", 0x300),
    ("do_user_addr_fault", 0x600), ("_copy_to_user", 0x50),
    ("filemap_read", 0x3c0), ("ext4_file_read_iter", 0x160),
    ("sysvec_apic_timer_interrupt", 0x90),
    ("mutex_lock", 0x40), ("__mutex_lock", 0x700), ("do_sys_open", 0x90),
    ("do_filp_open", 0x100), ("path_openat", 0x900),
    ("ep_poll", 0x4c0), ("do_epoll_wait", 0x120), ("__x64_sys_epoll_wait", 0xa0),
    ("recurse_deep", 0x80),
    ("schedule_idle", 0x40), ("rest_init", 0xe0),
    ("schedule_hrtimeout_range_clock", 0x180), ("do_sigtimedwait", 0x1e0),
    ("__x64_sys_rt_sigtimedwait", 0x100),
    ("preempt_schedule_notrace", 0x80), ("preempt_schedule_notrace_thunk", 0x40),
    ("prepare_ftrace_return", 0x100), ("chacha_block_generic", 0xc0),
    ("get_random_bytes_user", 0x160),
    ("ftrace_caller", 0xc0), ("ftrace_regs_caller", 0x140),
    # each trampoline follows a plausible neighbour: /proc/PID/stack's
    # "%pB" names a return address by the byte before it
    ("ftrace_stub", 0x40), ("return_to_handler", 0x40),
    ("trampoline_handler", 0x80), ("kretprobe_trampoline", 0x40),
    ("kprobe_int3_handler", 0x80), ("__kretprobe_trampoline", 0x40),
    ("arch_rethook_fixup_return", 0x80), ("arch_rethook_trampoline", 0x40),
    ("__switch_to_asm", 0x80),
    ("ret_from_fork_asm", 0x20),
    # entry text
    ("secondary_startup_64_no_verify", 0x100),
    ("entry_SYSCALL_64_after_hwframe", 0x100),
    ("asm_sysvec_apic_timer_interrupt", 0x20),
    ("asm_exc_page_fault", 0x30),
    # module loading (orc-module-init)
    ("do_one_initcall", 0x200), ("do_init_module", 0x240),
    ("load_module", 0x2400), ("__x64_sys_finit_module", 0x100),
    # FRED entry (CONFIG_X86_FRED, 6.9+; only in samples with fred=True)
    ("asm_fred_entrypoint_user", 0x40), ("asm_fred_entrypoint_kernel", 0x40),
    ("fred_entry_from_kernel", 0x100), ("fred_hwexc", 0x100),
    ("_etext_pad", 0x10),
]

ADDR = {}
_a = TEXT
for _n, _s in FUNCS:
    ADDR[_n] = (_a, _s)
    _a += (_s + 0x3f) & ~0x3f
ETEXT = _a


TRAMPOLINES = ("kretprobe_trampoline", "__kretprobe_trampoline",
               "arch_rethook_trampoline")
# ret_from_fork_asm exists from 6.5 ("x86: Rewrite ret_from_fork() in
# C"); older images leave it out.
OPTIONAL = TRAMPOLINES + ("ret_from_fork_asm",)
FRED_FUNCS = ("asm_fred_entrypoint_user", "asm_fred_entrypoint_kernel",
              "fred_entry_from_kernel", "fred_hwexc")


def sym(name, off=0):
    return ADDR[name][0] + off


def hx(v):
    return "0x%x" % (v & 0xffffffffffffffff)


class Frame:
    """One frame, innermost first.  kind:
       call  - ip = fn+off is a return address; ORC CALL, sp += size
       regs  - fn+off is the entry code; ORC REGS at sp (pt_regs follow),
               regs: dict (cs, ip taken from the next frame, ...)
       end   - ORC END_OF_STACK (kthread start)
    """

    def __init__(self, fn, off, kind="call", size=0x10, cs=KERNEL_CS,
                 raw=None, slot_note=None, fill=True):
        self.fn, self.off, self.kind, self.size = fn, off, kind, size
        self.cs, self.raw, self.slot_note, self.fill = cs, raw, slot_note, fill

    def ip(self):
        return sym(self.fn, self.off)


class Sample:
    def __init__(self, name, title, explain, kernel, version=None,
                 header=None, unwinder="orc"):
        self.name, self.title, self.explain = name, title, explain
        self.kernel, self.version, self.header = kernel, version, header
        self.unwinder = unwinder
        self.lines = []
        self.extra_syms = []
        self.orc = {}           # fn -> orc spec string (one entry per fn)
        self.orc_extra = []     # (ip, spec, note)
        self.override = {}      # fn -> spec replacing the computed one
        self.tramps = ()        # kretprobe trampolines this kernel has
        self.no_reliable = False
        self.release = None
        self.ntask = 0
        self.members = []
        self.fred = False       # CONFIG_X86_FRED: FRED entry code, 2 words of padding
        self.top_padding = 0    # TOP_OF_KERNEL_STACK_PADDING

    def line(self, s=""):
        self.lines.append(s)

    def comment(self, text):
        for l in text.strip("\n").split("\n"):
            self.lines.append(("# " + l).rstrip())

    # ORC entries: one per function start, as objtool emits at least one.
    def orc_for(self, fn, spec):
        old = self.orc.get(fn)
        if old is not None and old != spec:
            raise SystemExit("%s: two ORC entries for %s: %s / %s"
                             % (self.name, fn, old, spec))
        self.orc[fn] = spec

    def word(self, mem, addr, val, note):
        if addr in mem and mem[addr][0] != val:
            raise SystemExit("%s: stack word %x written twice" % (self.name, addr))
        mem[addr] = (val, note)

    def task(self, comm, frames, user=True, pid=None, flags=0, hole=None,
             expect=(), frame_names=None, labels=None, ksp=None, more=(),
             post=None, regs_ip_user=0x7f3a5c2e1a4d, state=1):
        """Lay the frames out from the top of the stack down."""
        self.ntask += 1
        tnum = self.ntask
        stack = STACKS + (tnum - 1) * 0x10000
        task = TASKS + (tnum - 1) * 0x4000
        end = stack + STACK_SIZE
        mem = {}
        top_regs = end - self.top_padding - REGS_SIZE
        # Work outward-in: the last frame's sp is task_pt_regs.
        # sps[i] = sp of frame i (ORC meaning: sp after return to frame i).
        n = len(frames)
        sps = [0] * n
        regs_at = {}
        sp = top_regs
        for i in range(n - 1, -1, -1):
            f = frames[i]
            if i == n - 1:
                sps[i] = sp
                continue
            if f.kind == "regs":
                # frame i+1 is described by pt_regs at sps[i]
                # (UNWIND_HINT_REGS: sp points at pt_regs); frame i+1's
                # sp is regs->sp, chosen just above the pt_regs.
                sps[i] = sps[i + 1] - REGS_SIZE - 0x18
                regs_at[i] = sps[i]
            else:
                sps[i] = sps[i + 1] - f.size
        if ksp is None:
            ksp = sps[0] - ITF_SIZE
        # inactive_task_frame
        self.word(mem, ksp + 40, 0, "inactive_task_frame.bp")
        self.word(mem, ksp + 48, frames[0].raw if frames[0].raw is not None
                  else frames[0].ip(),
                  "inactive_task_frame.ret_addr: %s+0x%x" % (frames[0].fn, frames[0].off))
        for j, reg in enumerate(("r15", "r14", "r13", "r12", "bx")):
            self.word(mem, ksp + 8 * j, 0, "inactive_task_frame.%s" % reg)
        for i in range(n - 1):
            f, nxt = frames[i], frames[i + 1]
            nip = nxt.raw if nxt.raw is not None else nxt.ip()
            if f.kind == "call":
                self.orc_for(f.fn, "call sp %d undefined 0" % f.size)
                note = "return to %s+0x%x" % (nxt.fn, nxt.off)
                if nxt.slot_note:
                    note = nxt.slot_note
                self.word(mem, sps[i + 1] - 8, nip, note)
                if f.fill:
                    for a in range(sps[i], sps[i + 1] - 8, 8):
                        self.word(mem, a, 0, "locals of %s" % f.fn)
            elif f.kind == "regs":
                self.orc_for(f.fn, "regs sp 0 undefined 0")
                ra = regs_at[i]
                regs = dict((k, 0) for k in R)
                regs["ip"] = nip
                regs["cs"] = nxt.cs
                regs["sp"] = sps[i + 1]
                regs["flags"] = 0x246
                regs["ss"] = 0x18 if nxt.cs == KERNEL_CS else 0x2b
                regs["orig_ax"] = 0xffffffffffffffff
                for k, off in R.items():
                    self.word(mem, ra + off, regs[k], "pt_regs.%s" % k)
                for a in range(ra + REGS_SIZE, sps[i + 1], 8):
                    self.word(mem, a, 0, "interrupted frame")
            elif f.kind == "end":
                raise SystemExit("end frame must be last")
        last = frames[-1]
        if last.kind == "end":
            self.orc_for(last.fn, "end_of_stack undefined 0 undefined 0")
            # copy_thread()'s kernel-mode regs at the top
            for k, off in R.items():
                v = {"cs": KERNEL_CS, "flags": 0x246, "ss": 0x18}.get(k, 0)
                self.word(mem, top_regs + off, v, "pt_regs.%s (kthread)" % k)
        elif last.kind == "regs":
            self.orc_for(last.fn, "regs sp 0 undefined 0")
            for k, off in R.items():
                v = {"cs": USER_CS, "ip": regs_ip_user, "sp": 0x7ffd1c3b8e48,
                     "flags": 0x246, "ss": 0x2b, "orig_ax": 34}.get(k, 0)
                self.word(mem, top_regs + off, v, "pt_regs.%s (user)" % k)
        extra = []
        if post:
            for a, v, note in post(sps, ksp, task):
                if stack <= a < end:
                    mem[a] = (v, note)
                else:
                    extra.append((a, v, note))
        self.emit_task(comm, tnum, task, stack, ksp, pid, flags, mem, hole,
                       expect, None if frame_names is False else
                       frame_names if frame_names is not None else
                       [f.fn for f in frames], labels, extra, state, more)
        return sps, ksp, task

    def emit_task(self, comm, tnum, task, stack, ksp, pid, flags, mem, hole,
                  expect, names, labels, extra, state=1, more=()):
        self.line()
        self.line("# ---- task %d: %s ----" % (tnum, comm))
        for a in sorted(mem):
            if hole and hole[0] <= a < hole[1]:
                continue
            v, note = mem[a]
            self.line("mem %s %s  # %s" % (hx(a), hx(v), note))
        for a, v, note in extra or ():
            self.line("mem %s %s  # %s" % (hx(a), hx(v), note))
        self.line("task task=%s pid=%d comm=%s stack=%s ksp=%s flags=%s state=%d"
                  % (hx(task), pid or 100 + tnum, comm, hx(stack), hx(ksp), hx(flags), state))
        for e in expect:
            self.line("expect " + e)
        if names:
            self.line("frames " + " ".join(names))
        elif names is not None and not names:
            self.line("frames")
        if labels is not None:
            self.line(("labels " + " ".join(labels)).rstrip())
        for line in more:
            self.line(line)

    def fp_task(self, comm, frames, end="user", pid=None, flags=0, expect=(),
                names=None, labels=None, encoding="lsb", bad_link=None,
                post=None, state=1, ksp=None, more=()):
        """Frame-pointer layout.  frames innermost first:
             ("call", fn, off, size)  a frame record (saved rbp, return
                                      address) 'size' bytes below the next
             ("regs", cs, fn, off)    an encoded pt_regs link (entry code's
                                      ENCODE_FRAME_POINTER), ip = fn+off
           The outermost frame record sits at task_pt_regs - 16; end says
           what pt_regs is there (user or kthread)."""
        self.ntask += 1
        tnum = self.ntask
        stack = STACKS + (tnum - 1) * 0x10000
        task = TASKS + (tnum - 1) * 0x4000
        top_regs = stack + STACK_SIZE - self.top_padding - REGS_SIZE
        mem = {}
        n = len(frames)
        at = [0] * n
        outer = None
        for i in range(n - 1, -1, -1):
            f = frames[i]
            if f[0] == "call":
                at[i] = top_regs - 16 if outer is None else outer - f[3]
            else:
                at[i] = outer - REGS_SIZE - 0x10
            outer = at[i]
        assert frames[0][0] == "call"
        real_ksp = at[0] - 40

        def link(i):
            if i + 1 >= n:
                return 0
            if bad_link is not None and i == bad_link:
                return 0xffff888012345678
            nxt = frames[i + 1]
            if nxt[0] == "call":
                return at[i + 1]
            if encoding == "lsb":
                return at[i + 1] | 1
            return at[i + 1] & ~(1 << 63)       # 4.9: MSB cleared

        for j, reg in enumerate(("r15", "r14", "r13", "r12", "bx")):
            self.word(mem, real_ksp + 8 * j, 0, "inactive_task_frame.%s" % reg)
        if ksp is None:
            ksp = real_ksp
        for i, f in enumerate(frames):
            if f[0] == "call":
                what = "inactive_task_frame" if i == 0 else "frame of %s" % f[1]
                nl = link(i)
                note = ("encoded pt_regs %#x" % nl) if (i + 1 < n and frames[i + 1][0] == "regs") else "saved rbp"
                self.word(mem, at[i], nl, "%s: %s" % (what, note))
                self.word(mem, at[i] + 8, sym(f[1], f[2]),
                          "%s: return address %s+0x%x" % (what, f[1], f[2]))
            else:
                cs, fn, off = f[1], f[2], f[3]
                regs = dict((k, 0) for k in R)
                regs.update(ip=sym(fn, off), cs=cs, sp=at[i] + REGS_SIZE + 8,
                            flags=0x246, ss=0x18, orig_ax=0xffffffffffffffff)
                regs["bp"] = link(i)
                for k, off2 in R.items():
                    self.word(mem, at[i] + off2, regs[k], "pt_regs.%s" % k)
        user = end == "user"
        for k, off in R.items():
            v = {"cs": USER_CS if user else KERNEL_CS, "flags": 0x246,
                 "ss": 0x2b if user else 0x18}.get(k, 0)
            if user:
                v = {"ip": 0x7f3a5c2e1a4d, "sp": 0x7ffd1c3b8e48,
                     "orig_ax": 34}.get(k, v)
            self.word(mem, top_regs + off, v, "pt_regs.%s (%s)" % (k, end))
        if names is None:
            names = [f[1] if f[0] == "call" else f[2] for f in frames]
        extra = []
        if post:
            for a2, v, note in post(at, ksp, task):
                if stack <= a2 < stack + STACK_SIZE:
                    mem[a2] = (v, note)
                else:
                    extra.append((a2, v, note))
        self.emit_task(comm, tnum, task, stack, ksp, pid, flags, mem, None,
                       expect, names, labels, extra, state, more)
        return at, ksp, task

    def has(self, n):
        if n == "_etext_pad":
            return False
        if n in FRED_FUNCS:
            return self.fred
        if n == "ret_from_fork_asm":
            major, minor = [int(x) for x in self.kernel.split(".")[:2]]
            return (major, minor) >= (6, 5)
        return n not in TRAMPOLINES or n in self.tramps

    def render(self):
        out = ["# SPDX-License-Identifier: GPL-2.0-or-later"]
        out.append("# %s" % self.title)
        out.append("#")
        for l in self.explain.strip("\n").split("\n"):
            out.append(("# " + l).rstrip())
        out.append("# (Written by samples/x86_64/mksamples.py.)")
        out.append("")
        out.append("arch x86_64")
        out.append("kernel %s" % self.kernel)
        if self.release:
            out.append("release %s" % self.release)
        if self.no_reliable:
            out.append("reliable-stacktrace no")
        if self.unwinder == "orc":
            if self.version:
                out.append("orc-version %d" % self.version)
            if self.header is not None:
                out.append("orc-header %s" % ("yes" if self.header else "no"))
        out.append("")
        out.append("# vmlinux text")
        for n, (a, s) in ADDR.items():
            if not self.has(n):
                continue
            out.append("sym %s %s 0x%x" % (n, hx(a), s))
        out.append("sym _stext %s 0 data" % hx(TEXT))
        out.append("sym _etext %s 0 data" % hx(ETEXT))
        for s in self.extra_syms:
            out.append(s)
        for m in self.members:
            out.append(m)
        if self.unwinder == "orc":
            out.append("")
            out.append("# ORC: one entry per function (sp offsets = frame size)")
            for n, (a, s) in ADDR.items():
                if not self.has(n):
                    continue
                spec = self.override.get(n, self.orc.get(n))
                if spec is None:
                    # functions not on any stack still have entries
                    spec = "call sp 8 undefined 0"
                out.append("orc %s %s  # %s" % (hx(a), spec, n))
            for ip, spec, note in self.orc_extra:
                out.append("orc %s %s  # %s" % (hx(ip), spec, note))
            out.append("orc-end")
        out.extend(self.lines)
        out.append("")
        return "\n".join(out)


F = Frame
SAMPLES = []


def sample(fn):
    SAMPLES.append(fn)
    return fn


def pause_frames(entry_off=0x63):
    return [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
            F("__x64_sys_pause", 0x1d, size=0x10),
            F("do_syscall_64", 0x58, size=0x20),
            F("entry_SYSCALL_64_after_hwframe", entry_off, kind="regs")]


def kthread_frames():
    return [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
            F("worker_thread", 0x1a6, size=0x38), F("kthread", 0xe8, size=0x30),
            F("ret_from_fork", 0x31, size=0x10),
            F("ret_from_fork_asm", 0x1b, kind="end")]


@sample
def orc_user_reliable():
    s = Sample("orc-user-reliable", "ORC: user task sleeping in pause(2) is reliable",
               """A task blocked in pause(2): __schedule <- schedule <- __x64_sys_pause <-
do_syscall_64 <- entry_SYSCALL_64_after_hwframe, whose ORC entry (REGS,
UNWIND_HINT_REGS) leads to the user-mode pt_regs at the top of the stack.
arch_stack_walk_reliable(): "Success path for user tasks" -- the user regs
end the walk (not consumed) and the stack is reliable (4.18+, here 6.1 with
the v1 ORC format).  The last frame is labelled user-entry.""", "6.1.115")
    s.task("pause", pause_frames(), expect=["verdict=reliable rule=NONE"],
           labels=["4:user-entry"])
    return s


@sample
def orc_kthread():
    s = Sample("orc-v3-kthread", "ORC v3: kworker kthread ends at END_OF_STACK (kthread-start)",
               """A kworker idle in worker_thread().  The walk ends at ret_from_fork_asm,
whose ORC entry is END_OF_STACK (UNWIND_HINT_END_OF_STACK, v3 format of
6.4+, fb799447ae29): the end of the stack without user regs -- reliable for
a kthread.  The last frame is labelled kthread-start.  The .orc_header hash
names the v3 format.""", "6.6.60", version=3, header=True)
    s.task("kworker/0:1", kthread_frames(), flags=0x04208060,
           expect=["verdict=reliable rule=NONE"], labels=["5:kthread-start"])
    return s


@sample
def orc_v1_end_bit():
    s = Sample("orc-v1-end-bit", "ORC v1: sp_reg UNDEFINED with and without the end bit",
               """v1 format (4.14-6.2) has no UNDEFINED / END_OF_STACK types: sp_reg
UNDEFINED marks both, told apart by the end bit (4.18 "x86/unwind/orc:
Detect the end of the stack").  Task 1: a kthread whose ret_from_fork entry
has the end bit: reliable, kthread-start.  Task 2: the same walk reaches
smpboot_thread_fn, whose entry is sp_reg UNDEFINED without the end bit:
ORC_UNDEFINED (unwind_next_frame(): "if (!orc->end) goto err").""", "5.15.170")
    s.task("kworker/1:0", [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
                           F("worker_thread", 0x1a6, size=0x38), F("kthread", 0xe8, size=0x30),
                           F("ret_from_fork", 0x1f, kind="end")],
           flags=0x04208060, expect=["verdict=reliable rule=NONE"],
           labels=["4:kthread-start"])
    s.task("ksoftirqd/1", [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
                           F("rcu_gp_kthread", 0x10a, size=0x28),
                           F("smpboot_thread_fn", 0x1c, kind="end")],
           flags=0x04208040, expect=["verdict=unreliable rule=ORC_UNDEFINED frame=3"],
           labels=[])
    # smpboot_thread_fn: sp_reg undefined, end bit clear (an UNWIND_HINT
    # "undefined" region); the first task's end uses ret_from_fork.
    s.override["smpboot_thread_fn"] = "undefined undefined 0 undefined 0"
    return s


@sample
def orc_v3_undefined_vs_end():
    s = Sample("orc-v3-undefined", "ORC v3: UNDEFINED type vs END_OF_STACK",
               """v3 (6.4+): the type field holds UNDEFINED (0) and END_OF_STACK (1).
Task 1 reaches ret_from_fork_asm (END_OF_STACK): reliable.  Task 2 returns
into rcu_gp_kthread at a spot whose entry is UNDEFINED (objtool marks code
it cannot describe that way, e.g. UNWIND_HINT_UNDEFINED in
return_to_handler since 6.4): ORC_UNDEFINED, unreliable in both modes.""", "6.12.10")
    s.task("kworker/2:1", kthread_frames(), flags=0x04208060,
           expect=["verdict=reliable rule=NONE"], labels=["5:kthread-start"])
    s.task("rcu_preempt", [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
                           F("schedule_timeout", 0x8e, size=0x40),
                           F("rcu_gp_kthread", 0x10a, kind="end")],
           flags=0x04208040, expect=["verdict=unreliable rule=ORC_UNDEFINED frame=3"],
           labels=[])
    s.override["rcu_gp_kthread"] = "undefined undefined 0 undefined 0"
    return s


def regs_frames_preempt():
    # A kthread preempted in a loop by the timer interrupt:
    # preempt_schedule_irq <- irqentry_exit <- asm_sysvec (REGS) -> pt_regs
    return [F("__schedule", 0x2d3, size=0x48),
            F("preempt_schedule_irq", 0x3c, size=0x20),
            F("irqentry_exit", 0x2c, size=0x10),
            F("asm_sysvec_apic_timer_interrupt", 0x1a, kind="regs"),
            F("recurse_deep", 0x12, size=0x30),
            F("kthread", 0xe8, size=0x30), F("ret_from_fork", 0x1f, kind="end")]


@sample
def orc_preempted():
    s = Sample("orc-kernel-regs-preempted", "ORC: kernel-mode pt_regs mid-stack (preempted) is reliable",
               """A kthread preempted by the timer interrupt (PREEMPT full): the stack holds
kernel-mode pt_regs written by asm_sysvec_apic_timer_interrupt.  ORC unwinds
through them (4.18 "x86/unwind/orc: Do not fail for ORC with regs on
stack"): reliable.  The frame whose ip came from the pt_regs (recurse_deep,
the interrupted instruction) is labelled preempted, because
preempt_schedule_irq ran on top of it.""", "6.1.115")
    s.task("kpreempt", regs_frames_preempt(), flags=0x00208040,
           expect=["verdict=reliable rule=NONE"],
           labels=["4:preempted", "6:kthread-start"])
    return s


@sample
def orc_exception():
    s = Sample("orc-kernel-regs-exception", "ORC v3: page fault taken in kernel mode, reliable, labelled exception",
               """read(2) copying to a user buffer faults: exc_page_fault runs on top of
the pt_regs that asm_exc_page_fault saved (kernel cs: the fault hit
_copy_to_user).  The task sleeps in the fault (handle_mm_fault waiting on
a page lock).  ORC accepts the kernel-mode regs; the interrupted frame is
labelled exception, the outermost one user-entry (6.6, v3 format).""",
               "6.6.60", version=3, header=True)
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("handle_mm_fault", 0x1de, size=0x60),
              F("do_user_addr_fault", 0x1b4, size=0x50),
              F("exc_page_fault", 0x7c, size=0x20),
              F("asm_exc_page_fault", 0x26, kind="regs"),
              F("_copy_to_user", 0x31, size=0x10),
              F("filemap_read", 0x1f2, size=0x120),
              F("vfs_read", 0x9e, size=0x40), F("ksys_read", 0x6b, size=0x38),
              F("do_syscall_64", 0x58, size=0x20),
              F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]
    s.task("cat", frames, expect=["verdict=reliable rule=NONE"],
           labels=["6:exception", "11:user-entry"])
    return s


@sample
def orc_fred_exception():
    s = Sample("orc-fred-exception-7.2", "ORC with FRED (7.2): a kernel-mode page fault, labelled exception",
               """The orc-kernel-regs-exception stack on a CPU with FRED (CONFIG_X86_FRED,
6.9+, on by default in 7.x where the CPU has it): every kernel-mode
event enters through asm_fred_entrypoint_kernel, which saves the pt_regs,
and fred_entry_from_kernel() -> fred_hwexc() dispatch to exc_page_fault().
The frame just above the pt_regs is the FRED entry for every event: the
first handler frame further in names it (exception here).  FRED also
leaves two words above task_pt_regs() (TOP_OF_KERNEL_STACK_PADDING).""",
               "7.2.13", version=4, header=True)
    s.fred = True
    s.top_padding = 16
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("handle_mm_fault", 0x1de, size=0x60),
              F("do_user_addr_fault", 0x1b4, size=0x50),
              F("exc_page_fault", 0x7c, size=0x20),
              F("fred_hwexc", 0x9a, size=0x18),
              F("fred_entry_from_kernel", 0x3b, size=0x10),
              F("asm_fred_entrypoint_kernel", 0x26, kind="regs"),
              F("_copy_to_user", 0x31, size=0x10),
              F("filemap_read", 0x1f2, size=0x120),
              F("vfs_read", 0x9e, size=0x40), F("ksys_read", 0x6b, size=0x38),
              F("do_syscall_64", 0x58, size=0x20),
              F("asm_fred_entrypoint_user", 0x2a, kind="regs")]
    s.task("cat", frames, expect=["verdict=reliable rule=NONE"],
           labels=["8:exception", "13:user-entry"])
    return s


@sample
def fp_fred_user():
    s = Sample("fp-fred-user", "frame pointer with CONFIG_X86_FRED: the last frame sits 16 bytes lower",
               """A user task in read(2) on a frame-pointer kernel built with
CONFIG_X86_FRED (6.9, "x86/fred: Reserve space for the FRED stack frame"):
TOP_OF_KERNEL_STACK_PADDING is two words, so task_pt_regs() and the
outermost frame record (task_pt_regs - 2 words) sit 16 bytes below where
a kernel without FRED has them.  The walk ends exactly there: reliable.
(The FRED entry code in the image is what tells the padding.)""", "6.12.117", unwinder="fp")
    s.fred = True
    s.top_padding = 16
    s.fp_task("cat", read_frames_fp(), expect=["verdict=reliable rule=NONE"],
              labels=["6:user-entry"])
    return s


@sample
def orc_no_entry():
    s = Sample("orc-no-entry", "ORC: return address without an ORC entry (module built without objtool)",
               """An out-of-tree module built without objtool has text but no ORC
table (mod->arch.num_orcs = 0).  unwind_next_frame() finds no entry for
its ip, guesses a frame-pointer frame and sets state->error: the reliable
walk is unreliable (ORC_NO_ENTRY) at that frame.  Modules are found
through the "modules" list (struct module.list, arch.orc_unwind*,
mem[MOD_TEXT]) as on 6.4+.""", "6.6.60")
    modbase = MODTEXT
    s.extra_syms += ["sym oot_wait_loop %s 0x200 text oot" % hx(modbase + 0x40),
                     "sym modules %s 16 data" % hx(DATA)]
    mod = DATA + 0x1000
    s.members += ["member module list 8", "member module name 24",
                  "member module arch 0x300", "member mod_arch_specific orc_unwind_ip 8",
                  "member mod_arch_specific orc_unwind 16",
                  "member mod_arch_specific num_orcs 0",
                  "member module mem 0x140", "member module_memory base 0",
                  "member module_memory size 8", "type module_memory 0x50"]
    s.line()
    s.line("# modules list: one module \"oot\" with text, without ORC")
    s.line("mem %s %s %s  # LIST_HEAD(modules)" % (hx(DATA), hx(mod + 8), hx(mod + 8)))
    s.line("mem %s %s %s  # oot.list" % (hx(mod + 8), hx(DATA), hx(DATA)))
    s.line("bytes %s %s  # oot.name" % (hx(mod + 24), "6f6f7400"))
    s.line("mem %s 0 0 0  # oot.arch: num_orcs, orc_unwind_ip, orc_unwind" % hx(mod + 0x300))
    s.line("mem %s %s  # oot.mem[MOD_TEXT].base" % (hx(mod + 0x140), hx(modbase)))
    s.line("mem32 %s 0x1000  # oot.mem[MOD_TEXT].size" % hx(mod + 0x148))
    ADDR["oot_wait_loop"] = (modbase + 0x40, 0x200)
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("oot_wait_loop", 0x35, size=0x20), F("kthread", 0xe8, size=0x30),
              F("ret_from_fork", 0x31, size=0x10), F("ret_from_fork_asm", 0x1b, kind="end")]

    def words(sps, ksp, task):
        # oot_wait_loop has no ORC entry: the kernel guesses a frame-
        # pointer frame from state->bp (prev sp = bp + 16, return address
        # at bp + 8).  schedule's entry restores bp from its frame
        # (bp_reg prev_sp -16): that saved rbp points at oot_wait_loop's
        # own frame record.
        bp = sps[3] - 16
        return [(sps[2] - 16, bp, "saved rbp (oot_wait_loop's frame)"),
                (bp, 0, "oot_wait_loop: saved rbp")]
    s.override["schedule"] = "call sp 24 prev_sp -16"
    sps, ksp, _ = s.task("oot-worker", frames, flags=0x00208040,
                         expect=["verdict=unreliable rule=ORC_NO_ENTRY frame=2"],
                         labels=[], post=words)
    del ADDR["oot_wait_loop"]
    return s


@sample
def orc_wrong_direction():
    s = Sample("orc-wrong-direction", "ORC: bad entry sends the stack pointer down (wrong direction)",
               """An ORC entry with a negative sp offset (corrupt or wrong metadata)
makes the next sp lower than the current one on the same stack:
"stack going in the wrong direction?" -- state->error, unreliable
(ORC_WRONG_DIRECTION) at the frame being unwound.""", "6.1.115")
    frames = pause_frames()
    s.task("pause", frames, expect=["verdict=unreliable rule=ORC_WRONG_DIRECTION frame=1"],
           frame_names=["__schedule", "schedule"], labels=[])
    s.override["schedule"] = "call sp -16 undefined 0"
    return s


@sample
def orc_bad_start():
    s = Sample("orc-bad-start", "ORC: saved stack pointer off the task stack, or zero",
               """__unwind_start() takes sp = thread.sp + sizeof(inactive_task_frame);
get_stack_info() must find it on the task's stack, else state->error and
the reliable walk fails before any frame (ORC_BAD_START).  Task 1 has a
thread.sp pointing into another task's stack, task 2 a zero thread.sp.""", "6.1.115")
    s.task("pause", pause_frames(), ksp=STACKS + 0x100000 + 0x3e00,
           expect=["verdict=unreliable rule=ORC_BAD_START frame=-1"],
           frame_names=[], labels=[])
    s.task("zero", pause_frames(), ksp=0,
           expect=["verdict=unreliable rule=ORC_BAD_START frame=-1"],
           frame_names=[], labels=[])
    return s


@sample
def orc_unreadable():
    s = Sample("orc-unreadable-page", "ORC: a stack page missing from the dump",
               """The walk needs the return address of do_syscall_64's caller, on a stack
page the dump does not hold (filtered or lost).  The kernel would have read
it; klpstack cannot, so the verdict is error (DUMP_UNREADABLE) -- not a
kernel rule.""", "6.1.115")
    frames = pause_frames()
    # __x64_sys_pause with a large frame so that the frames above it sit on
    # the page below (0x...12000) and do_syscall_64's return slot on the
    # top page (0x...13000), which the dump lacks.
    frames[2].size = 0xf80
    frames[2].fill = False
    s.task("pause", frames, hole=(STACKS + 0x3000, STACKS + 0x4000),
           expect=["verdict=error rule=DUMP_UNREADABLE"],
           frame_names=["__schedule", "schedule", "__x64_sys_pause"], labels=[])
    return s


@sample
def orc_non_text():
    s = Sample("orc-non-text", "ORC: a return address that is not kernel text",
               """A return address slot holding something that is not kernel text (here a
heap pointer: a corrupted slot; generated code unknown to
__kernel_text_address() looks the same): unwind_get_return_address() gives
0, arch_stack_walk_reliable() returns -EINVAL (NON_TEXT_RA) at that frame.
The ORC lookup for it has no entry either (ORC_NO_ENTRY comes second).""", "6.1.115")
    frames = pause_frames()
    frames[2].raw = 0xffff888004a3c5d0
    frames[2].slot_note = "0xffff888004a3c5d0: a heap pointer, not text"
    s.task("pause", frames, expect=["verdict=unreliable rule=NON_TEXT_RA frame=2"],
           frame_names=["__schedule", "schedule", "?"], labels=[])
    return s


@sample
def orc_too_deep():
    s = Sample("orc-too-deep", "ORC: 100 or more frames fill klp_check_stack()'s buffer",
               """A deep recursion (recurse_deep calling itself) leaves 120 frames.
klp_check_stack() saves at most MAX_STACK_ENTRIES = 100; the consume
callback refuses the 100th and the walk is -EINVAL (TOO_DEEP at frame 99)
although every frame unwinds.""", "6.1.115")
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18)]
    frames += [F("recurse_deep", 0x4b, size=0x20) for _ in range(115)]
    frames += [F("do_syscall_64", 0x58, size=0x20),
               F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]
    s.task("deep", frames, expect=["verdict=unreliable rule=TOO_DEEP frame=99"],
           labels=["118:user-entry"], frame_names=False)
    return s


@sample
def orc_sp_indirect():
    s = Sample("orc-sp-indirect", "ORC: SP_INDIRECT before and after 5.12",
               """call_on_stack() / the IRQ stack switch is described with sp_reg
SP_INDIRECT.  Up to 5.11 the previous sp is *(sp + offset); 87ccc826bf1c
(5.12) made it *(sp) + offset.  Both kernels here store the old stack
pointer in the word at sp (5.12+ meaning, offset 8); the 5.10 reading
*(sp + 8) picks the wrong word and the walk fails; the 5.15 one is
reliable.  (Same image, two releases: see orc-sp-indirect-old.)""", "5.15.170")
    _sp_indirect_task(s, ok=True)
    return s


def _sp_indirect_task(s, ok):
    # do_nanosleep's frame is reached through an SP_INDIRECT entry on
    # schedule(): prev_sp = *(sp) + 8 (5.12+).
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("do_nanosleep", 0x6e, size=0x40), F("hrtimer_nanosleep", 0xa3, size=0x48),
              F("__x64_sys_nanosleep", 0x83, size=0x28),
              F("do_syscall_64", 0x58, size=0x20),
              F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]

    def words(sps, ksp, task):
        # at schedule's sp: the pointer to (do_nanosleep's sp - 8)
        return [(sps[1], sps[2] - 8, "saved stack pointer (SP_INDIRECT)")]
    sps, ksp, _ = s.task("sleep", frames, post=words,
                         expect=(["verdict=reliable rule=NONE"] if ok else
                                 ["verdict=unreliable rule=ORC_OFF_STACK frame=1"]),
                         frame_names=(None if ok else ["__schedule", "schedule"]),
                         labels=(["6:user-entry"] if ok else []))
    s.override["schedule"] = "call sp_indirect 8 undefined 0"


@sample
def orc_sp_indirect_old():
    s = Sample("orc-sp-indirect-old", "ORC: SP_INDIRECT read with the <= 5.11 meaning",
               """The stack of orc-sp-indirect (old sp stored at *sp, meant as
*(sp) + 8) read with the 5.10 meaning: SP_INDIRECT there is *(sp + 8),
which is a zero word; the return address would then be read at 0 - 8,
off the task stack: ORC_OFF_STACK (deref_stack_reg() fails).""", "5.10.200")
    _sp_indirect_task(s, ok=False)
    return s


@sample
def orc_forked():
    s = Sample("orc-forked-task", "ORC: never-run task on 6.5-6.12 (ret_from_fork_asm start bug)",
               """A task created by fork() that never ran: thread.sp's ret_addr is
ret_from_fork_asm (6.5+).  __unwind_start() decided "signal" by comparing
with ret_from_fork until 3bf19a0fb690 (6.13), so 6.5-6.12 look up ip - 1
(the function before) and fail: kernel mode says unreliable
(ORC_FORKED_TASK); strict mode, which does the lookup right, meets
ret_from_fork_asm's UNWIND_HINT_END_OF_STACK (2e7e5bbb1c3c) at once and
says reliable with one frame.  (The frame prints as
__switch_to_asm+0x80: "%pB" names the byte before a return address, and
ret_from_fork_asm directly follows __switch_to_asm.)""", "6.6.60", version=3, header=True)
    frames = [F("ret_from_fork_asm", 0x0, kind="end")]
    s.task("forked", frames,
           expect=["verdict=unreliable rule=ORC_FORKED_TASK frame=0 mode=kernel",
                   "verdict=reliable rule=NONE mode=strict"],
           frame_names=["__switch_to_asm"], labels=[])
    return s


@sample
def orc_forked_fixed_612():
    s = Sample("orc-forked-task-fixed-6.12", "ORC: never-run task on a 6.12 stable kernel that has the fix",
               """The same never-run task on 6.12.117: 3bf19a0fb690 ("x86/unwind/orc: Fix
unwind for newly forked tasks", 6.13) reached the 6.12.x stable tree, so
__unwind_start() compares with ret_from_fork_asm and the kernel's walk is
reliable.  No version number says so; the kernel's own code does: its
__unwind_start() holds "cmp $ret_from_fork_asm, %rdx" (48 81 fa + the
sign-extended 32-bit address, as -mcmodel=kernel code has it).""",
               "6.12.117", version=3, header=True)
    code = DATA + 0x3000
    rfa = sym("ret_from_fork_asm")
    imm = "".join("%02x" % ((rfa >> (8 * i)) & 0xff) for i in range(4))
    body = "4889d6" + "4881fa" + imm + "0f94c0c3"
    s.extra_syms.append("sym __unwind_start %s 0x%x text" % (hx(code), len(body) // 2))
    s.line()
    s.line("# __unwind_start(): ... cmp $ret_from_fork_asm, %rdx; sete %al ...")
    s.line("bytes %s %s  # (text placed at a data address: only the bytes matter)"
           % (hx(code), body))
    frames = [F("ret_from_fork_asm", 0x0, kind="end")]
    s.task("forked", frames, expect=["verdict=reliable rule=NONE"],
           frame_names=["__switch_to_asm"], labels=[])
    return s


BPF_TRAMP = 0xffffffffa0002000     # bpf_trampoline_<key>: JIT pages


def bpf_fexit_sample(name, kernel, version, explain, fp_range, expect):
    """A task asleep in pipe_read, called by vfs_read, on which an fexit
    program is attached: ksys_read's call lands on vfs_read's patched
    fentry site, which calls the trampoline; the trampoline calls
    vfs_read's body (vfs_read+5) and returns, skipping the fentry
    return address, to ksys_read.  On the stack: vfs_read's body frame
    returns into the trampoline, whose frame-pointer frame returns to
    vfs_read+0x5."""
    s = Sample(name, "ORC: a task asleep under a BPF fexit trampoline (%s)" % kernel,
               explain, kernel, version=version, header=True)
    tname = "bpf_trampoline_6442492734"
    ADDR[tname] = (BPF_TRAMP, 0x1000)
    ADDR["vfs_read_fentry"] = (sym("vfs_read"), 0x10)
    s.extra_syms.append("sym bpf_kallsyms %s 16 data" % hx(DATA + 0x4000))
    ksym = DATA + 0x5000
    s.members += ["member bpf_ksym start 0", "member bpf_ksym end 8",
                  "member bpf_ksym name 16 512", "member bpf_ksym lnode 528"]
    if fp_range:
        s.members += ["member bpf_ksym fp_start 568 4", "member bpf_ksym fp_end 572 4"]
    s.line()
    s.line("# bpf_kallsyms: one ksym, the fexit trampoline")
    s.line("mem %s %s %s  # LIST_HEAD(bpf_kallsyms)" % (hx(DATA + 0x4000), hx(ksym + 528), hx(ksym + 528)))
    s.line("mem %s %s %s  # ksym.start, end" % (hx(ksym), hx(BPF_TRAMP), hx(BPF_TRAMP + 0x1000)))
    s.line("bytes %s %s00  # ksym.name" % (hx(ksym + 16), tname.encode().hex()))
    s.line("mem %s %s %s  # ksym.lnode" % (hx(ksym + 528), hx(DATA + 0x4000), hx(DATA + 0x4000)))
    if fp_range:
        s.line("mem32 %s 0x8 0x100  # ksym.fp_start, fp_end (frame set up after push rbp; mov rbp, rsp)"
               % hx(ksym + 568))
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("pipe_read", 0x1a5, size=0x60),
              F("vfs_read", 0xa5, size=0x30),
              F(tname, 0x6b, size=0x50),
              F("vfs_read_fentry", 0x5, size=0x8),
              F("ksys_read", 0x6b, size=0x28),
              F("do_syscall_64", 0x58, size=0x20),
              F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]

    def post(sps, ksp, task):
        # the trampoline's frame: saved rbp right below its return slot;
        # rbp is callee-saved through the inner frames (their ORC leaves
        # bp alone), so the task's saved bp is the trampoline's frame
        bp = sps[5] - 16
        return [(ksp + 40, bp, "inactive_task_frame.bp: the trampoline's rbp"),
                (bp, 0, "trampoline: saved rbp (ksys_read's, unused)")]

    s.task("cat", frames, expect=expect, post=post,
           frame_names=[f.fn if f.fn != "vfs_read_fentry" else "vfs_read" for f in frames],
           labels=["8:user-entry"])
    # BPF code has no ORC entry; vfs_read: fentry site (sp 8) then body
    del s.orc[tname], ADDR[tname]
    del s.orc["vfs_read_fentry"], ADDR["vfs_read_fentry"]
    s.override["vfs_read"] = "call sp 8 undefined 0"
    s.orc_extra.append((sym("vfs_read", 0x10), "call sp 48 undefined 0", "vfs_read body"))
    return s


@sample
def orc_bpf_fexit_612():
    return bpf_fexit_sample("orc-bpf-fexit-6.12", "6.12.117", 3,
        """6.12: __kernel_text_address() accepts the trampoline (is_bpf_text_address())
and kallsyms names it from its bpf_ksym, but ORC has no entry for BPF code:
unwind_next_frame() falls back to a frame-pointer guess with state->error
set, so the reliable walk fails (ORC_NO_ENTRY at the trampoline frame);
the guess itself is right and the frames go on as /proc/PID/stack shows
them, vfs_read twice (its body, and the fentry site the trampoline
returns to).""", False,
        ["verdict=unreliable rule=ORC_NO_ENTRY frame=4"])


@sample
def orc_bpf_fexit_72():
    return bpf_fexit_sample("orc-bpf-fexit-7.2", "7.2.13", 4,
        """7.x: orc_find() asks orc_bpf_find(), which gives a frame-pointer entry
that counts as found inside [start + fp_start, start + fp_end) of the
ksym: the same stack as orc-bpf-fexit-6.12 is reliable.  struct
bpf_ksym's fp_start member is what tells this kernel from 6.12.""", True,
        ["verdict=reliable rule=NONE"])


@sample
def orc_v2_signal():
    s = Sample("orc-v2-6.3", "ORC v2 (6.3): explicit signal bit",
               """6.3 (ffb1b4a41016) added the signal bit: the entry of the function being
unwound says whether the frame above is a signal frame.  The interrupted
frame after asm_sysvec_apic_timer_interrupt is looked up at ip (signal set
by the REGS entry).  An interrupt in a kthread, v2 format with its
.orc_header hash: reliable, labelled interrupted.""", "6.3.13", version=2, header=True)
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("schedule_timeout", 0x8e, size=0x40),
              F("irqentry_exit", 0x2c, size=0x10),
              F("asm_sysvec_apic_timer_interrupt", 0x1a, kind="regs"),
              F("rcu_gp_kthread", 0x100, size=0x40),
              F("kthread", 0xe8, size=0x30), F("ret_from_fork", 0x1f, kind="end")]
    s.task("rcu_sched", frames, flags=0x00208040,
           expect=["verdict=reliable rule=NONE"],
           labels=["5:interrupted", "7:kthread-start"])
    s.override["asm_sysvec_apic_timer_interrupt"] = "regs sp 0 undefined 0 signal"
    return s


@sample
def orc_v4():
    s = Sample("orc-v4-7.1", "ORC v4 (7.1): renumbered registers",
               """7.1 (1735858caa4b) renumbered the ORC registers (SP 5 -> 3, DI 3 -> 5,
PREV_SP 1 -> 8, BP_INDIRECT 8 -> 10, new AX 1).  The same user-task stack
as orc-user-reliable, written in the v4 encoding with the 7.1 .orc_header
hash; __schedule's entry also restores bp from the previous sp (bp_reg
PREV_SP, the register whose number moved most).  Decoding it with the v3
numbers would read sp_reg 3 as DI and fail.""", "7.1.0", version=4, header=True)
    s.task("pause", pause_frames(), expect=["verdict=reliable rule=NONE"],
           labels=["4:user-entry"])
    s.override["__schedule"] = "call sp 72 prev_sp -16"
    return s


FGRAPH_MEMBERS_61 = ["member task_struct ret_stack 0x9a8",
                     "member task_struct curr_ret_stack 0x9a0",
                     "member ftrace_ret_stack ret 0", "member ftrace_ret_stack func 8",
                     "member ftrace_ret_stack calltime 16",
                     "member ftrace_ret_stack retp 24",
                     "type ftrace_ret_stack 32"]


@sample
def orc_fgraph_61():
    s = Sample("orc-fgraph-6.1", "ORC: return_to_handler recovered / unrecovered (6.1 ret_stack of structs)",
               """function_graph tracing replaced schedule()'s return address with
return_to_handler.  The unwinder recovers it with ftrace_graph_ret_addr():
the task's ret_stack (<= 6.10: array of struct ftrace_ret_stack, index
curr_ret_stack) holds ret = __x64_sys_pause+0x1d with retp = the slot.
Task 1: entry present -> the real caller, labelled ftrace-graph, reliable.
Task 2: the only entry's retp is another slot -> ftrace_graph_ret_addr()
leaves return_to_handler, which is text: the kernel accepts the frame
(printed as ftrace_stub+0x40, the byte before return_to_handler).  ORC then
looks up return_to_handler - 1, the tail of the function before it (a
plain RET: sp + 8), reads a zero local as the next return address and
fails with NON_TEXT_RA -- caught by accident.  Strict mode names the real
problem first: FGRAPH_UNRECOVERED at frame 2.  (The frame-pointer
unwinder has no such accident: fp-fgraph-6.12.)""", "6.1.115")
    s.members += FGRAPH_MEMBERS_61
    for t in (1, 2):
        frames = pause_frames()
        frames[2].raw = sym("return_to_handler")
        frames[2].slot_note = "return_to_handler (hijacked by fgraph)"
        if t == 1:
            names = None
            labels = ["2:ftrace-graph", "4:user-entry"]
            exp = ["verdict=reliable rule=NONE"]
        else:
            names = ["__schedule", "schedule", "ftrace_stub", "?"]
            labels = ["2:ftrace-graph-unrecovered"]
            exp = ["verdict=unreliable rule=NON_TEXT_RA frame=3 mode=kernel",
                   "verdict=unreliable rule=FGRAPH_UNRECOVERED frame=2 mode=strict"]

        def post(sps, ksp, task, t=t):
            rs = task + 0x2000
            slot = sps[2] - 8
            return [(task + 0x9a8, rs, "task_struct.ret_stack"),
                    (task + 0x9a0, 0, "task_struct.curr_ret_stack = 0 (one entry)"),
                    (rs, sym("__x64_sys_pause", 0x1d), "ret_stack[0].ret"),
                    (rs + 8, sym("schedule"), "ret_stack[0].func"),
                    (rs + 16, 0x1a2b3c4d, "ret_stack[0].calltime"),
                    (rs + 24, slot if t == 1 else slot + 0x40, "ret_stack[0].retp")]
        s.task("pause", frames, expect=exp, frame_names=names, labels=labels,
               post=post)
    return s


FGRAPH_MEMBERS_611 = ["member task_struct ret_stack 0x9a8",
                      "member task_struct curr_ret_stack 0x9a0",
                      "member ftrace_ret_stack ret 0", "member ftrace_ret_stack func 8",
                      "member ftrace_ret_stack retp 16",
                      "type ftrace_ret_stack 24"]


def read_frames_fp():
    # read(2) on an empty pipe, frame-pointer kernel
    return [("call", "__schedule", 0x2d3, 0x60), ("call", "schedule", 0x5d, 0x50),
            ("call", "pipe_read", 0x2e3, 0x20), ("call", "vfs_read", 0x9e, 0x80),
            ("call", "ksys_read", 0x6b, 0x40), ("call", "do_syscall_64", 0x58, 0x30),
            ("call", "entry_SYSCALL_64_after_hwframe", 0x63, 0x20)]


@sample
def fp_fgraph_612():
    s = Sample("fp-fgraph-6.12", "frame pointer, 6.12: return_to_handler with the word-array ret_stack",
               """Since 6.11 ("function_graph: Convert ret_stack to a series of longs")
task->ret_stack is an array of unsigned long: each frame is a struct
ftrace_ret_stack (ret, func, retp: 3 words) followed by a bitmap word whose
low 10 bits give the distance back to the frame; curr_ret_stack is a word
offset (0 = empty).  vfs_read's return into ksys_read was hijacked.
Task 1: the frame's retp is the slot -> ksys_read, labelled ftrace-graph,
reliable.  Task 2: the retp is another slot -> the frame-pointer unwinder
keeps return_to_handler (text) and walks on along the rbp chain: the
kernel says reliable with ksys_read missing; strict mode says
FGRAPH_UNRECOVERED.""", "6.12.10", unwinder="fp")
    s.members += FGRAPH_MEMBERS_611
    for t in (1, 2):
        frames = read_frames_fp()

        def post(at, ksp, task, t=t):
            slot = at[4] + 8      # ksys_read's return address slot
            rs = task + 0x2000
            return [(slot, sym("return_to_handler"), "return_to_handler (hijacked by fgraph)"),
                    (task + 0x9a8, rs, "task_struct.ret_stack"),
                    (task + 0x9a0, 4, "task_struct.curr_ret_stack = 4 words"),
                    (rs, sym("ksys_read", 0x6b), "ret_stack[0]: ret"),
                    (rs + 8, sym("vfs_read"), "ret_stack[1]: func"),
                    (rs + 16, slot if t == 1 else slot + 0x100, "ret_stack[2]: retp"),
                    (rs + 24, 3 | 1 << 10 | 1 << 12, "ret_stack[3]: bitmap word, 3 back")]
        if t == 1:
            names, labels = None, ["4:ftrace-graph", "6:user-entry"]
            exp = ["verdict=reliable rule=NONE"]
        else:
            names = ["__schedule", "schedule", "pipe_read", "vfs_read",
                     "ftrace_stub", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"]
            labels = ["4:ftrace-graph-unrecovered", "6:user-entry"]
            exp = ["verdict=reliable rule=NONE mode=kernel",
                   "verdict=unreliable rule=FGRAPH_UNRECOVERED frame=4 mode=strict"]
        s.fp_task("cat", frames, expect=exp, names=names, labels=labels, post=post)
    return s


RETHOOK_MEMBERS = ["member task_struct rethooks 0xa10",
                   "member rethook_node llist 16", "member rethook_node rethook 24",
                   "member rethook_node ret_addr 32", "member rethook_node frame 40",
                   "type rethook_node 48"]


def read_frames_orc():
    return [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
            F("pipe_read", 0x2e3, size=0x90), F("vfs_read", 0x9e, size=0x40),
            F("ksys_read", 0x6b, size=0x38), F("do_syscall_64", 0x58, size=0x20),
            F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]


@sample
def orc_rethook():
    s = Sample("orc-rethook", "ORC 6.1: kretprobe on pipe_read through rethook, with and without its instance",
               """A kretprobe on pipe_read (5.18+: rethook) replaced pipe_read's return
address with arch_rethook_trampoline and queued a rethook_node on
task->rethooks with ret_addr = vfs_read+0x9e and frame = the slot's
address.  unwind_recover_ret_addr() -> rethook_find_ret_addr() finds it:
task 1 is reliable, the frame labelled kretprobe.  Task 2's node records
another frame: rethook_find_ret_addr() returns 0, so the return address is
0 and the walk is -EINVAL (KRETPROBE_TRAMPOLINE) in both modes.  The frame
shows the trampoline (printed as arch_rethook_fixup_return+0x80, the byte
before it); what follows is the unwinder's best effort from there.""", "6.1.115")
    s.tramps = ("arch_rethook_trampoline",)
    s.members += RETHOOK_MEMBERS
    for t in (1, 2):
        frames = read_frames_orc()
        frames[3].raw = sym("arch_rethook_trampoline")
        frames[3].slot_note = "arch_rethook_trampoline (kretprobe on pipe_read)"

        def post(sps, ksp, task, t=t):
            slot = sps[3] - 8
            node = task + 0x2000
            return [(task + 0xa10, node + 16, "task_struct.rethooks.first"),
                    (node + 16, 0, "rethook_node.llist.next"),
                    (node + 24, task + 0x2800, "rethook_node.rethook"),
                    (node + 32, sym("vfs_read", 0x9e), "rethook_node.ret_addr"),
                    (node + 40, slot if t == 1 else slot - 0x200, "rethook_node.frame")]
        if t == 1:
            s.task("cat", frames, post=post, expect=["verdict=reliable rule=NONE"],
                   labels=["3:kretprobe", "6:user-entry"])
        else:
            s.task("cat", frames, post=post,
                   expect=["verdict=unreliable rule=KRETPROBE_TRAMPOLINE frame=3"],
                   frame_names=["__schedule", "schedule", "pipe_read",
                                "arch_rethook_fixup_return", "?"],
                   labels=["3:kretprobe-unrecovered"])
    return s


KRETPROBE_MEMBERS = ["member task_struct kretprobe_instances 0xa10",
                     "member kretprobe_instance llist 16",
                     "member kretprobe_instance rph 24",
                     "member kretprobe_instance ret_addr 32",
                     "member kretprobe_instance fp 40",
                     "type kretprobe_instance 48"]


@sample
def orc_kretprobe_516():
    s = Sample("orc-kretprobe-5.16", "ORC 5.16: __kretprobe_trampoline recovered from task->kretprobe_instances",
               """5.16 (19138af1bd88 "x86/unwind: Recover kretprobe trampoline entry")
taught the unwinders to recover kretprobe returns: __kretprobe_trampoline
(renamed in 5.16) in a return slot is looked up with
kretprobe_find_ret_addr() on task->kretprobe_instances (5.11+), matching
ri->fp = the slot.  A kretprobe on pipe_read: the frame becomes vfs_read,
labelled kretprobe, and the stack is reliable.""", "5.16.20")
    s.tramps = ("__kretprobe_trampoline",)
    s.members += KRETPROBE_MEMBERS
    frames = read_frames_orc()
    frames[3].raw = sym("__kretprobe_trampoline")
    frames[3].slot_note = "__kretprobe_trampoline (kretprobe on pipe_read)"

    def post(sps, ksp, task):
        slot = sps[3] - 8
        ri = task + 0x2000
        return [(task + 0xa10, ri + 16, "task_struct.kretprobe_instances.first"),
                (ri + 16, 0, "kretprobe_instance.llist.next"),
                (ri + 24, task + 0x2800, "kretprobe_instance.rph"),
                (ri + 32, sym("vfs_read", 0x9e), "kretprobe_instance.ret_addr"),
                (ri + 40, slot, "kretprobe_instance.fp")]
    s.task("cat", frames, post=post, expect=["verdict=reliable rule=NONE"],
           labels=["3:kretprobe", "6:user-entry"])
    return s


@sample
def orc_kretprobe_table_510():
    s = Sample("orc-kretprobe-table-5.10", "ORC 5.10: strict mode recovers a kretprobe caller from kretprobe_inst_table",
               """Before 5.16 the ORC unwinder leaves kretprobe_trampoline in the return
slot as it is (the kernel's /proc/PID/stack of a real 5.10 guest ends
there).  The instance is in the dump all the same: 5.10 hashes every
active kretprobe_instance by task into the global kretprobe_inst_table (64
hlist buckets), with ret_addr = the real return address and fp = the slot
(arch_prepare_kretprobe()).  Kernel mode follows the kernel: the frame is
labelled kretprobe-unrecovered and the walk goes on from the ORC entry
before the trampoline.  Strict mode takes the caller from the instance
(vfs_read, labelled kretprobe) and the stack is reliable.""", "5.10.223")
    s.tramps = ("kretprobe_trampoline",)
    s.members += ["member kretprobe_instance hlist 0",
                  "member kretprobe_instance ret_addr 24",
                  "member kretprobe_instance task 32",
                  "member kretprobe_instance fp 40",
                  "type kretprobe_instance 48"]
    table = DATA + 0x6000
    s.extra_syms.append("sym kretprobe_inst_table %s 512 data" % hx(table))
    frames = read_frames_orc()
    frames[3].raw = sym("kretprobe_trampoline")
    frames[3].slot_note = "kretprobe_trampoline (kretprobe on pipe_read)"

    def post(sps, ksp, task):
        slot = sps[3] - 8
        ri = task + 0x2000
        # bucket 11: hash_ptr(task, 6) is the kernel's business; any bucket
        # holds the task's instances as far as a reader is concerned
        empty = [(table + b * 8, 0, "kretprobe_inst_table[%d].first" % b)
                 for b in range(64) if b != 11]
        return empty + [(table + 11 * 8, ri, "kretprobe_inst_table[11].first"),
                (ri, 0, "kretprobe_instance.hlist.next"),
                (ri + 24, sym("vfs_read", 0x9e), "kretprobe_instance.ret_addr"),
                (ri + 32, task, "kretprobe_instance.task"),
                (ri + 40, slot, "kretprobe_instance.fp")]
    s.task("cat", frames, post=post,
           expect=["verdict=reliable rule=NONE mode=strict"],
           frame_names=["mode=strict"] + [f.fn for f in frames],
           labels=["mode=strict", "3:kretprobe", "6:user-entry"])
    return s


@sample
def fp_kretprobe_510():
    s = Sample("fp-kretprobe-5.10", "frame pointer 5.10: kretprobe_trampoline hides the caller",
               """Before 5.16 no unwinder recovered kretprobe returns.  With frame
pointers the rbp chain is untouched, so the walk goes on past
kretprobe_trampoline, which is kernel text: the kernel says reliable and
never sees vfs_read's caller ksys_read (the hole dynup/kpatch#67
describes).  klpstack labels the frame kretprobe-unrecovered; strict mode
says KRETPROBE_UNRECOVERED.""", "5.10.200", unwinder="fp")
    s.tramps = ("kretprobe_trampoline",)
    frames = read_frames_fp()

    def post(at, ksp, task):
        return [(at[4] + 8, sym("kretprobe_trampoline"), "kretprobe_trampoline (kretprobe on vfs_read)")]
    s.fp_task("cat", frames, post=post,
              names=["__schedule", "schedule", "pipe_read", "vfs_read",
                     "trampoline_handler", "do_syscall_64",
                     "entry_SYSCALL_64_after_hwframe"],
              expect=["verdict=reliable rule=NONE mode=kernel",
                      "verdict=unreliable rule=KRETPROBE_UNRECOVERED frame=4 mode=strict"],
              labels=["4:kretprobe-unrecovered", "6:user-entry"])
    return s


@sample
def fp_kretprobe_over_fgraph_61():
    s = Sample("fp-kretprobe-over-fgraph-6.1",
               "frame pointer 6.1: a kretprobe over a graph-traced return, seen on a real dump",
               """Seen on the e2e frame-pointer guest (tests/e2e/kbuild.sh x86_64-fp,
6.1.192, preempt set): do_sigtimedwait is both graph-traced and
kretprobed, the graph hook first, as on Debian's 6.1 (orc-kretprobe-in-
fgraph).  Here pipe_read's
return into vfs_read: the graph tracer saved vfs_read+0x9e (ret_stack,
retp = the slot) and put return_to_handler in the slot; the rethook then
saved return_to_handler (rethook_node.ret_addr, frame = the slot) and put
arch_rethook_trampoline there.  6.1's unwind_recover_ret_addr() asks
ftrace_graph_ret_addr() first (no return_to_handler in the slot: nothing
to do), then rethook_find_ret_addr(): return_to_handler, which is text.
The frame-pointer walk goes on along the rbp chain: the kernel says
reliable and /proc/PID/stack shows return_to_handler (as ftrace_stub+0x40)
in vfs_read's place.  Kernel mode shows the same, labelled kretprobe and
ftrace-graph-unrecovered; strict mode undoes both hooks and finds
vfs_read.  (ORC looks up return_to_handler - 1 next and fails there:
unreliable, orc-kretprobe-in-fgraph.)""",
               "6.1.192", unwinder="fp")
    s.tramps = ("arch_rethook_trampoline",)
    s.members += RETHOOK_MEMBERS + FGRAPH_MEMBERS_61
    frames = read_frames_fp()

    def post(at, ksp, task):
        slot = at[3] + 8          # pipe_read's return address into vfs_read
        node, rs = task + 0x2000, task + 0x2800
        return [(slot, sym("arch_rethook_trampoline"),
                 "arch_rethook_trampoline (kretprobe over the graph hook)"),
                (task + 0xa10, node + 16, "task_struct.rethooks.first"),
                (node + 16, 0, "rethook_node.llist.next"),
                (node + 24, task + 0x3800, "rethook_node.rethook"),
                (node + 32, sym("return_to_handler"), "rethook_node.ret_addr: the graph hook"),
                (node + 40, slot, "rethook_node.frame"),
                (task + 0x9a8, rs, "task_struct.ret_stack"),
                (task + 0x9a0, 0, "task_struct.curr_ret_stack = 0 (one entry)"),
                (rs, sym("vfs_read", 0x9e), "ret_stack[0].ret"),
                (rs + 8, sym("pipe_read"), "ret_stack[0].func"),
                (rs + 16, 0x1a2b3c4d, "ret_stack[0].calltime"),
                (rs + 24, slot, "ret_stack[0].retp")]
    s.fp_task("cat", frames, post=post,
              expect=["verdict=reliable rule=NONE"],
              names=["mode=kernel", "__schedule", "schedule", "pipe_read", "ftrace_stub",
                     "ksys_read", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
              labels=["mode=kernel", "3:kretprobe,ftrace-graph-unrecovered", "6:user-entry"],
              more=["frames mode=strict __schedule schedule pipe_read vfs_read ksys_read "
                    "do_syscall_64 entry_SYSCALL_64_after_hwframe",
                    "labels mode=strict 3:kretprobe,ftrace-graph 6:user-entry"])
    return s


@sample
def fp_user():
    s = Sample("fp-user-reliable", "frame pointer: user task in read(2) is reliable; kthread too",
               """CONFIG_UNWINDER_FRAME_POINTER (5.15): the walk follows saved rbp values
from &inactive_task_frame.bp.  Task 1: the outermost frame record sits at
task_pt_regs - 2 words (is_last_task_frame()); the pt_regs there are user
mode, so they become the last "frame" and the walk succeeds (user-entry).
Task 2: a kworker, whose regs at the top are copy_thread()'s kernel-mode
ones: the end of the stack, kthread-start.""", "5.15.170", unwinder="fp")
    s.fp_task("cat", read_frames_fp(), expect=["verdict=reliable rule=NONE"],
              labels=["6:user-entry"])
    s.fp_task("kworker/0:2", [("call", "__schedule", 0x2d3, 0x60), ("call", "schedule", 0x5d, 0x50),
                              ("call", "worker_thread", 0x1a6, 0x20),
                              ("call", "kthread", 0xe8, 0x40),
                              ("call", "ret_from_fork", 0x1f, 0x30)],
              end="kthread", flags=0x04208060,
              expect=["verdict=reliable rule=NONE"], labels=["4:kthread-start"])
    return s


def fp_irq_frames():
    # a kthread interrupted in recurse_deep, preempted on irq exit
    return [("call", "__schedule", 0x2d3, 0x60), ("call", "preempt_schedule_irq", 0x3c, 0x50),
            ("call", "irqentry_exit", 0x2c, 0x20),
            ("call", "asm_sysvec_apic_timer_interrupt", 0x1a, 0x20),
            ("regs", KERNEL_CS, "recurse_deep", 0x12),
            ("call", "kthread", 0xe8, 0x40), ("call", "ret_from_fork", 0x1f, 0x30)]


@sample
def fp_kernel_regs():
    s = Sample("fp-kernel-regs", "frame pointer: kernel-mode pt_regs mid-stack are unreliable (LSB encoding)",
               """asm_sysvec_apic_timer_interrupt saved pt_regs and stored "pt_regs + 1"
in rbp (ENCODE_FRAME_POINTER, LSB set: 4.10+).  The frame-pointer walk
decodes it and continues from regs->ip / regs->bp, but
arch_stack_walk_reliable() refuses kernel-mode regs under
CONFIG_FRAME_POINTER (FP_KERNEL_REGS at the interrupted frame).""",
               "5.15.170", unwinder="fp")
    s.fp_task("kpreempt", fp_irq_frames(), end="kthread", flags=0x00208040,
              expect=["verdict=unreliable rule=FP_KERNEL_REGS frame=4"],
              labels=["4:preempted", "6:kthread-start"])
    return s


@sample
def fp_msb_49():
    s = Sample("fp-msb-4.9", "frame pointer 4.9: pt_regs encoded with the MSB cleared",
               """4.9's entry code encoded the pt_regs pointer by clearing bit 63
("x86/entry/unwind: Create stack frames for saved interrupt registers");
4.10 is taken as the switch to setting bit 0 (commit not identified).  4.9 has no reliable
stack walker at all (livepatch's consistency model came in 4.12), so the
kernel mode verdict is NO_RELIABLE_STACKTRACE; strict mode walks with the
4.9 decoding, finds the interrupted frame (recurse_deep) and reports the
kernel-mode regs (FP_KERNEL_REGS).  4.9 also started the walk at the saved
bp value, not &inactive_task_frame.bp (until about 4.11), so __schedule
itself is not listed.""", "4.9.337", unwinder="fp")
    s.no_reliable = True
    frames = fp_irq_frames()
    s.fp_task("kpreempt", frames, end="kthread", flags=0x00208040, encoding="msb",
              names=["preempt_schedule_irq", "irqentry_exit",
                     "asm_sysvec_apic_timer_interrupt", "recurse_deep", "kthread",
                     "ret_from_fork"],
              expect=["verdict=unreliable rule=NO_RELIABLE_STACKTRACE mode=kernel",
                      "verdict=unreliable rule=FP_KERNEL_REGS frame=3 mode=strict"],
              labels=["3:preempted", "5:kthread-start"])
    return s


@sample
def fp_bad_address():
    s = Sample("fp-bad-address", "frame pointer: a saved rbp pointing off the stack",
               """ksys_read's saved rbp is corrupt (points into the direct map):
update_stack_state() cannot place the next frame on the task stack, the
unwinder sets state->error (bad_address) and the walk is unreliable
(FP_BAD_ADDRESS at the frame whose link is bad).
Task 2: thread.sp itself is off the stack.  __unwind_start() ignores
update_stack_state()'s failure: the state is simply "done", no error, and
arch_stack_walk_reliable() returns an empty, reliable trace.  Kernel mode
reproduces that; strict mode says FP_BAD_ADDRESS.""", "5.15.170", unwinder="fp")
    s.fp_task("cat", read_frames_fp(), bad_link=4,
              names=["__schedule", "schedule", "pipe_read", "vfs_read", "ksys_read"],
              expect=["verdict=unreliable rule=FP_BAD_ADDRESS frame=4"], labels=[])
    s.fp_task("cat", read_frames_fp(), ksp=STACKS + 0x100000 + 0x3e00, names=[],
              expect=["verdict=reliable rule=NONE mode=kernel",
                      "verdict=unreliable rule=FP_BAD_ADDRESS frame=-1 mode=strict"],
              labels=[])
    return s


@sample
def orc_user_no_regs_54():
    s = Sample("orc-user-no-regs-5.4", "ORC 5.4: a user task whose stack ends without user regs",
               """4.18 up to 039a7a30ec10 accepted a walk that ended without user-mode
pt_regs only for PF_KTHREAD | PF_IDLE tasks ("Success path for non-user
tasks").  The fix is mainline 5.8 and went to the 5.4.y (5.4.56) and
5.7.y stable trees.  A user task that exec'd from a kernel thread still
ends at ret_from_fork's end hint here: on 5.4.50 that is unreliable
(USER_TASK_NO_USER_REGS); the same stack on 5.4.56 or 5.10 passes.""",
               "5.4.50")
    s.task("modprobe", user_no_regs_frames(),
           expect=["verdict=unreliable rule=USER_TASK_NO_USER_REGS frame=4"], labels=[])
    return s


def user_no_regs_frames():
    return [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
            F("schedule_timeout", 0x8e, size=0x40),
            F("kthread", 0xe8, size=0x30),
            F("ret_from_fork", 0x1f, kind="end")]


@sample
def orc_user_no_regs_5456():
    s = Sample("orc-user-no-regs-5.4.56", "ORC 5.4.56: the stable tree has the empty-user-stack fix",
               """The orc-user-no-regs-5.4 stack on 5.4.56, which took 039a7a30ec10
("x86/stacktrace: Fix reliable check for empty user task stacks") in the
stable review of 2020-08-03: the walk that ends without user regs is
reliable for a user task too.""", "5.4.56")
    s.task("modprobe", user_no_regs_frames(),
           expect=["verdict=reliable rule=NONE"], labels=[])
    return s


@sample
def orc_rhel9():
    s = Sample("orc-rhel9-5.14", "ORC v3 format in a 5.14 kernel without .orc_header (RHEL 9.6)",
               """RHEL 9.6 kernels (5.14.0-517.el9 and later) carry the v6.4 ORC format
(3-bit type, UNDEFINED / END_OF_STACK) but no .orc_header (drgn issue
#578).  The release string decides: a kthread ending at ret_from_fork's
END_OF_STACK entry is reliable.  Read with the 5.14 default (v1), the same
entry would be type REGS with sp_reg UNDEFINED and the walk would fail.""",
               "5.14.0", version=3, header=False)
    s.release = "5.14.0-570.12.1.el9_6.x86_64"
    s.task("kworker/3:1", [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
                           F("worker_thread", 0x1a6, size=0x38), F("kthread", 0xe8, size=0x30),
                           F("ret_from_fork", 0x1f, kind="end")],
           flags=0x04208060, expect=["verdict=reliable rule=NONE"],
           labels=["4:kthread-start"])
    return s


@sample
def orc_module():
    s = Sample("orc-module", "ORC in a module: the table comes from struct module",
               """A task sleeping in a module function (svc_recv in "sunrpc").  orc_find()
sends module addresses to orc_module_find(): the module's own sorted tables
(mod->arch.orc_unwind_ip / orc_unwind / num_orcs, sorted in memory by
unwind_module_init()), chosen by the module text range (6.4+:
mem[MOD_TEXT]).  The tables here are raw memory in the v3 format: sp_reg SP
(5), type CALL (2), sp offset 0x28.  Reliable.""", "6.6.60")
    base = MODTEXT
    ADDR["svc_recv"] = (base + 0x100, 0x300)
    ADDR["nfsd"] = (base + 0x400, 0x200)
    s.extra_syms += ["sym svc_recv %s 0x300 text sunrpc" % hx(base + 0x100),
                     "sym nfsd %s 0x200 text sunrpc" % hx(base + 0x400),
                     "sym modules %s 16 data" % hx(DATA)]
    mod = DATA + 0x1000
    tab = DATA + 0x2000
    s.members += ["member module list 8", "member module name 24",
                  "member module arch 0x300", "member mod_arch_specific orc_unwind_ip 8",
                  "member mod_arch_specific orc_unwind 16",
                  "member mod_arch_specific num_orcs 0",
                  "member module mem 0x140", "member module_memory base 0",
                  "member module_memory size 8", "type module_memory 0x50"]
    s.line()
    s.line("# modules list: \"sunrpc\" with a 2-entry ORC table")
    s.line("mem %s %s %s  # LIST_HEAD(modules)" % (hx(DATA), hx(mod + 8), hx(mod + 8)))
    s.line("mem %s %s %s  # sunrpc.list" % (hx(mod + 8), hx(DATA), hx(DATA)))
    s.line("bytes %s %s  # sunrpc.name" % (hx(mod + 24), "73756e72706300"))
    s.line("mem32 %s 2  # sunrpc.arch.num_orcs" % hx(mod + 0x300))
    s.line("mem %s %s %s  # sunrpc.arch.orc_unwind_ip, orc_unwind" % (hx(mod + 0x308), hx(tab), hx(tab + 0x10)))
    s.line("mem %s %s  # sunrpc.mem[MOD_TEXT].base" % (hx(mod + 0x140), hx(base)))
    s.line("mem32 %s 0x1000  # sunrpc.mem[MOD_TEXT].size" % hx(mod + 0x148))
    # orc_unwind_ip[i] = ip - &orc_unwind_ip[i]
    s.line("mem32 %s %s %s  # orc_unwind_ip: svc_recv, nfsd (self-relative)"
           % (hx(tab), hx((base + 0x100 - tab) & 0xffffffff), hx((base + 0x400 - (tab + 4)) & 0xffffffff)))
    s.line("bytes %s %s  # orc_unwind: {sp 0x28, CALL, SP}, {sp 0x30, CALL, SP}"
           % (hx(tab + 0x10), "280000000502" + "300000000502"))
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("schedule_timeout", 0x8e, size=0x40),
              F("svc_recv", 0x7a, size=0x28), F("nfsd", 0x9c, size=0x30),
              F("kthread", 0xe8, size=0x30), F("ret_from_fork", 0x31, size=0x10),
              F("ret_from_fork_asm", 0x1b, kind="end")]
    s.task("nfsd", frames, flags=0x00208040, expect=["verdict=reliable rule=NONE"],
           labels=["7:kthread-start"])
    # module functions are not in vmlinux's table
    del s.orc["svc_recv"], s.orc["nfsd"]
    del ADDR["svc_recv"], ADDR["nfsd"]
    return s


INIT = ETEXT + 0x1000000     # .init.text, after _etext


@sample
def orc_module_init():
    s = Sample("orc-module-init", "ORC: a task blocked in a module's init function",
               """insmod of "klptinit", whose init function sleeps: the module is still
MODULE_STATE_COMING and its init text is mapped.  __kernel_text_address()
counts it as text (__module_text_address(): within MOD_TEXT or
MOD_INIT_TEXT, 6.4+) and orc_find() -> orc_module_find() finds the entry
in the module's own table, which covers every section of the module.
So the kernel's reliable walk goes through klptinit_init into
do_one_initcall and is reliable.  Dump readers know a module's core text
at best (modelled here by declaring the init function as data);
klpstack reads mem[MOD_INIT_TEXT] itself.""", "6.12.117")
    base = MODTEXT
    init = MODTEXT + 0x100000
    ADDR["klptinit_init"] = (init + 0x40, 0x80)
    s.extra_syms += ["sym klptinit_helper %s 0x100 text klptinit" % hx(base),
                     "sym klptinit_init %s 0x80 data klptinit" % hx(init + 0x40),
                     "sym modules %s 16 data" % hx(DATA)]
    mod = DATA + 0x1000
    tab = DATA + 0x2000
    s.members += ["member module list 8", "member module name 24",
                  "member module arch 0x400", "member mod_arch_specific orc_unwind_ip 8",
                  "member mod_arch_specific orc_unwind 16",
                  "member mod_arch_specific num_orcs 0",
                  "member module mem 0x140", "member module_memory base 0",
                  "member module_memory size 8", "type module_memory 0x50"]
    s.line()
    s.line("# modules list: \"klptinit\", still initialising: mem[MOD_TEXT] and")
    s.line("# mem[MOD_INIT_TEXT] (index 4: 0x140 + 4 * 0x50), a 1-entry ORC table")
    s.line("mem %s %s %s  # LIST_HEAD(modules)" % (hx(DATA), hx(mod + 8), hx(mod + 8)))
    s.line("mem %s %s %s  # klptinit.list" % (hx(mod + 8), hx(DATA), hx(DATA)))
    s.line("bytes %s %s  # klptinit.name" % (hx(mod + 24), "6b6c7074696e697400"))
    s.line("mem32 %s 1  # klptinit.arch.num_orcs" % hx(mod + 0x400))
    s.line("mem %s %s %s  # klptinit.arch.orc_unwind_ip, orc_unwind" % (hx(mod + 0x408), hx(tab), hx(tab + 0x10)))
    s.line("mem %s %s  # klptinit.mem[MOD_TEXT].base" % (hx(mod + 0x140), hx(base)))
    s.line("mem32 %s 0x1000  # klptinit.mem[MOD_TEXT].size" % hx(mod + 0x148))
    s.line("mem %s %s  # klptinit.mem[MOD_INIT_TEXT].base" % (hx(mod + 0x280), hx(init)))
    s.line("mem32 %s 0x1000  # klptinit.mem[MOD_INIT_TEXT].size" % hx(mod + 0x288))
    s.line("mem32 %s %s  # orc_unwind_ip: klptinit_init (self-relative)"
           % (hx(tab), hx((init + 0x40 - tab) & 0xffffffff)))
    s.line("bytes %s %s  # orc_unwind: {sp 0x18, CALL, SP}" % (hx(tab + 0x10), "180000000502"))
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("schedule_timeout", 0x8e, size=0x40),
              F("klptinit_init", 0x3a, size=0x18),
              F("do_one_initcall", 0x5e, size=0x40), F("do_init_module", 0x60, size=0x30),
              F("load_module", 0x22fe, size=0x1a0),
              F("__x64_sys_finit_module", 0xbe, size=0x40),
              F("do_syscall_64", 0x58, size=0x20),
              F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]
    s.task("insmod", frames, expect=["verdict=reliable rule=NONE"], labels=["9:user-entry"])
    # the init function is in the module's table, not vmlinux's
    del s.orc["klptinit_init"]
    del ADDR["klptinit_init"]
    return s


@sample
def orc_init_text():
    s = Sample("orc-init-text", "ORC: the boot CPU's idle task returns through freed init text",
               """swapper/0 runs do_idle() called from rest_init(), which start_kernel()
called: arch_call_rest_init and start_kernel are __init, their text is
freed after boot.  __kernel_text_address() still counts init text as text
("There might be init symbols in saved stacktraces", kernel/extable.c)
and orc_find() still finds their entries (the ORC tables are not freed;
the init-text lookup is a plain range check).  So the kernel's walk of
this idle task is reliable, ending at secondary_startup_64_no_verify's
end hint.  Dump readers do not count freed init text as text (modelled
here by declaring the init functions as data); klpstack adds
[_sinittext, _einittext) itself.  (Seen on a Debian 6.1 dump.)""", "6.1.115")
    init = [("arch_call_rest_init", INIT + 0x100, 0x20), ("start_kernel", INIT + 0x200, 0x800)]
    for n, a, sz in init:
        ADDR[n] = (a, sz)
        s.extra_syms.append("sym %s %s 0x%x data" % (n, hx(a), sz))
    s.extra_syms += ["sym _sinittext %s 0 data" % hx(INIT),
                     "sym _einittext %s 0 data" % hx(INIT + 0x10000)]
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule_idle", 0x26, size=0x18),
              F("do_idle", 0x166, size=0x40), F("cpu_startup_entry", 0x26, size=0x10),
              F("rest_init", 0xca, size=0x10), F("arch_call_rest_init", 0xa, size=0x10),
              F("start_kernel", 0x6e8, size=0x20),
              F("secondary_startup_64_no_verify", 0xe4, kind="end")]
    s.task("swapper/0", frames, pid=0, flags=0x00200002,
           expect=["verdict=reliable rule=NONE"], labels=["7:kthread-start"])
    for n, a, sz in init:
        s.orc_extra.append((a, s.orc.pop(n), n + " (init text)"))
        del ADDR[n]
    return s


@sample
def orc_ftrace_trampoline():
    s = Sample("orc-ftrace-trampoline", "ORC 6.1: a task preempted inside a dynamic ftrace trampoline",
               """A busy task was preempted while the function-graph tracer ran for
chacha_block_generic(): its fentry call went to a dynamic ftrace
trampoline (module_alloc'ed, on ftrace_ops_list), which called
prepare_ftrace_return().  The trampoline has no ORC entry of its own:
orc_ftrace_find() uses the entry of the code it copies, ftrace_regs_caller
(FTRACE_OPS_FL_SAVE_REGS) at the same offset (6.0+, fc2e426b1161), and
__kernel_text_address() accepts it (is_ftrace_trampoline()).  Reliable.
This is the SAVE_REGS variant (an ops such as a 6.1 livepatch's, which
asks for FTRACE_OPS_FL_SAVE_REGS); the function-graph tracer's own ops has
no SAVE_REGS: see orc-ftrace-trampoline-graph-6.1.""", "6.1.115")
    tramp = MODTEXT + 0x44000
    ADDR["ftrace_trampoline"] = (tramp, 0x100)
    ops = DATA + 0x3000
    s.extra_syms += ["sym ftrace_ops_list %s 8 data" % hx(DATA + 0x2000),
                     "sym ftrace_list_end %s 0xb0 data" % hx(DATA + 0x2100)]
    s.members += ["member ftrace_ops next 0", "member ftrace_ops flags 16",
                  "member ftrace_ops trampoline 0x98",
                  "member ftrace_ops trampoline_size 0xa0"]
    s.line()
    s.line("# ftrace_ops_list -> one ops with a trampoline -> ftrace_list_end")
    s.line("mem %s %s  # ftrace_ops_list" % (hx(DATA + 0x2000), hx(ops)))
    s.line("mem %s %s 0 0x5  # ops.next, ..., ops.flags (ENABLED | SAVE_REGS)"
           % (hx(ops), hx(DATA + 0x2100)))
    s.line("mem %s %s 0x100  # ops.trampoline, ops.trampoline_size"
           % (hx(ops + 0x98), hx(tramp)))
    frames = [F("__schedule", 0x2d3, size=0x48),
              F("preempt_schedule_notrace", 0x3f, size=0x18),
              F("preempt_schedule_notrace_thunk", 0x16, size=0x48),
              F("prepare_ftrace_return", 0xf1, size=0x20),
              F("ftrace_trampoline", 0x83, size=0xd8),
              F("chacha_block_generic", 0x5, size=0x58),
              F("get_random_bytes_user", 0x8d, size=0x30),
              F("vfs_read", 0x9e, size=0x40), F("ksys_read", 0x6b, size=0x38),
              F("do_syscall_64", 0x58, size=0x20),
              F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]
    # the trampoline is no symbol: /proc/PID/stack prints its bare address
    names = [f.fn for f in frames]
    names[4] = "?"
    s.task("klpt-busy", frames, state=0, expect=["verdict=reliable rule=NONE"],
           frame_names=names, labels=["10:user-entry"])
    # the trampoline's frame is described by ftrace_regs_caller's entry
    s.override["ftrace_regs_caller"] = s.orc.pop("ftrace_trampoline")
    del ADDR["ftrace_trampoline"]
    return s


@sample
def orc_ftrace_trampoline_graph():
    s = Sample("orc-ftrace-trampoline-graph-6.1",
               "ORC 6.1: preempted in the function-graph tracer's trampoline (no SAVE_REGS)",
               """Task 115 of the x86_64-preempt dump (Debian 6.1.192, preempt=full,
function_graph with a set_graph_function filter): chacha_block_generic()'s
fentry call went to graph_ops' dynamic trampoline (ops flags 0x2841: no
FTRACE_OPS_FL_SAVE_REGS), which called ftrace_graph_func(), which
tail-calls prepare_ftrace_return(); its preempt_enable_notrace() then
preempted the task.  prepare_ftrace_return() had not pushed anything
(curr_ret_stack -1: chacha_block_generic is filtered out), so no return
address on this stack is return_to_handler.

6.1 orc_ftrace_find(): no SAVE_REGS, so the entry of ftrace_caller (not
ftrace_regs_caller) at the trampoline's offset 0x83 - 1: sp + 0xb0 after
"sub $0xa8,%rsp", CALL.  The return address above the save area is the
fentry return chacha_block_generic+0x5; chacha_block_generic+0x4 has the
function-entry entry (sp + 8), and the word above is its caller
get_random_bytes_user+0x8d.  Reliable, with chacha_block_generic+0x5 as the
frame after the trampoline.  ftrace_regs_caller's entries here are the
real ones too (pushf, then sp + 0xb8): taking them for this trampoline
reads one word too high and loses chacha_block_generic.

The save area holds copies that are not frames: regs->ip (the fentry
return again), regs->sp (the caller's slot), and prepare_ftrace_return()'s
argument chacha_block_generic (a function address) lies in the frames
below.  The guest's /proc/PID/stack, read seconds before the dump, showed
chacha_permute+0x5 <- chacha_block_generic+0x76 at the same two places:
the busy task had moved on to the next traced call; the dump's stack
holds no chacha_permute at all.  Word offsets and ORC entries as in that
dump (prepare_ftrace_return's frame-pointer entry modelled sp-based).""",
               "6.1.115")
    tramp = MODTEXT + 0x44000
    ADDR["ftrace_trampoline"] = (tramp, 0xcf)
    graph_ops = DATA + 0x3000
    other_ops = DATA + 0x3100
    s.extra_syms += ["sym ftrace_ops_list %s 8 data" % hx(DATA + 0x2000),
                     "sym ftrace_list_end %s 0xb0 data" % hx(DATA + 0x2100)]
    s.members += ["member ftrace_ops next 0", "member ftrace_ops flags 16",
                  "member ftrace_ops trampoline 0x98",
                  "member ftrace_ops trampoline_size 0xa0"]
    s.line()
    s.line("# ftrace_ops_list -> graph_ops (trampoline, no SAVE_REGS) ->")
    s.line("# an ops with SAVE_REGS and no trampoline -> ftrace_list_end")
    s.line("mem %s %s  # ftrace_ops_list" % (hx(DATA + 0x2000), hx(graph_ops)))
    s.line("mem %s %s 0 0x2841  # graph_ops.next, ..., graph_ops.flags (no SAVE_REGS)"
           % (hx(graph_ops), hx(other_ops)))
    s.line("mem %s %s 0xcf  # graph_ops.trampoline, graph_ops.trampoline_size"
           % (hx(graph_ops + 0x98), hx(tramp)))
    s.line("mem %s %s 0 0x5  # ops.next, ..., ops.flags (ENABLED | SAVE_REGS)"
           % (hx(other_ops), hx(DATA + 0x2100)))
    s.line("mem %s 0 0  # ops.trampoline, ops.trampoline_size: none"
           % hx(other_ops + 0x98))
    # sizes: the sp offset of the ORC entry at each return address - 1
    frames = [F("__schedule", 0x2d3, size=0x48),
              F("preempt_schedule_notrace", 0x3f, size=0x18),
              F("preempt_schedule_notrace_thunk", 0x16, size=0x58),
              F("prepare_ftrace_return", 0xf1, size=0x20),
              F("ftrace_trampoline", 0x83, size=0xb0),
              F("chacha_block_generic", 0x5, size=0x8),
              F("get_random_bytes_user", 0x8d, size=0xb8),
              F("vfs_read", 0x9e, size=0x40), F("ksys_read", 0x6b, size=0x38),
              F("do_syscall_64", 0x58, size=0x20),
              F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]

    def post(sps, ksp, task):
        save = sps[4]           # the trampoline's rsp: its pt_regs-shaped save area
        parent_slot = sps[5]    # "lea MCOUNT_REG_SIZE+8(%rsp)": the caller's slot
        # the non-frame words of the dump's stack, at the same offsets
        words = [(save + R["bp"], sps[6] + 0x40,
                  "save area: bp (get_random_bytes_user's frame)"),
                 (save + R["ip"], sym("chacha_block_generic", 5),
                  "save area: regs->ip, a copy of the fentry return (not a frame)"),
                 (save + R["sp"], parent_slot,
                  "save area: regs->sp = the caller's slot (prepare_ftrace_return's parent)"),
                 (sps[3] + 0x10, sps[6] + 0x40, "prepare_ftrace_return: saved rbp"),
                 (sps[2] + 0x10, sym("chacha_block_generic"),
                  "thunk: a saved register, prepare_ftrace_return's ip argument"),
                 (sps[2] + 0x38, sym("chacha_block_generic"),
                  "thunk: another copy of the ip argument"),
                 (sps[2] + 0x48, sps[3] + 0x10, "thunk: saved rbp")]
        return words
    names = [f.fn for f in frames]
    names[4] = "?"
    s.task("klpt-busy", frames, pid=115, state=0, post=post,
           expect=["verdict=reliable rule=NONE"], frame_names=names,
           labels=["10:user-entry"])
    # The trampoline's frame is described by ftrace_caller's entry at the
    # same offset; the other entries are those of the 6.1.192 vmlinux.
    tramp_spec = s.orc.pop("ftrace_trampoline")
    del ADDR["ftrace_trampoline"]
    s.orc_extra += [
        (sym("ftrace_caller", 0x7), tramp_spec, "ftrace_caller+0x7: after sub $0xa8,%rsp"),
        (sym("ftrace_regs_caller", 0x1), "call sp 16 undefined 0",
         "ftrace_regs_caller+0x1: after pushf"),
        (sym("ftrace_regs_caller", 0x8), "call sp 184 undefined 0",
         "ftrace_regs_caller+0x8: after sub $0xa8,%rsp"),
        (sym("chacha_block_generic", 0x7), "call sp 16 undefined 0",
         "chacha_block_generic+0x7: after the fentry call and a push"),
        (sym("chacha_block_generic", 0xd), "call sp 24 prev_sp -24",
         "chacha_block_generic+0xd: push %rbp"),
        (sym("get_random_bytes_user", 0x1c), "call sp 184 prev_sp -40",
         "get_random_bytes_user+0x1c: body"),
    ]
    return s


@sample
def orc_kretprobe_in_fgraph():
    s = Sample("orc-kretprobe-in-fgraph", "ORC 6.1: a kretprobe on top of a graph-traced return",
               """do_sigtimedwait() is both graph-traced and kretprobed: fgraph replaced
its return address first (return_to_handler), then the kretprobe replaced
that (arch_rethook_trampoline) and saved return_to_handler as the
instance's ret_addr.  unwind_recover_ret_addr() undoes fgraph first and
rethook second, so the frame ends as return_to_handler (printed as the
byte before it); the next lookup, at return_to_handler - 1, hits an
UNDEFINED entry: unreliable (ORC_UNDEFINED) -- the caller
__x64_sys_rt_sigtimedwait is never found.  (Seen on a Debian 6.1 dump,
where /proc/PID/stack stopped at the same frame.)  The frame carries both
labels: kretprobe (recovered) and ftrace-graph-unrecovered (what it
recovered is return_to_handler).  Strict mode also looks return_to_handler
up in the task's ret_stack, finds the caller and walks on to the user
pt_regs: reliable.""", "6.1.115")
    s.tramps = ("arch_rethook_trampoline",)
    s.members += RETHOOK_MEMBERS + FGRAPH_MEMBERS_61
    frames = [F("__schedule", 0x2d3, size=0x48), F("schedule", 0x5d, size=0x18),
              F("schedule_hrtimeout_range_clock", 0x112, size=0x50),
              F("do_sigtimedwait", 0x16f, size=0x48),
              F("__x64_sys_rt_sigtimedwait", 0x99, size=0x60),
              F("do_syscall_64", 0x58, size=0x20),
              F("entry_SYSCALL_64_after_hwframe", 0x63, kind="regs")]
    frames[4].raw = sym("arch_rethook_trampoline")
    frames[4].slot_note = "arch_rethook_trampoline (kretprobe over fgraph)"

    def post(sps, ksp, task):
        slot = sps[4] - 8
        node = task + 0x2000
        return [(task + 0xa10, node + 16, "task_struct.rethooks.first"),
                (node + 16, 0, "rethook_node.llist.next"),
                (node + 24, task + 0x2800, "rethook_node.rethook"),
                (node + 32, sym("return_to_handler"), "rethook_node.ret_addr = return_to_handler"),
                (node + 40, slot, "rethook_node.frame"),
                (task + 0x9a8, rs, "task_struct.ret_stack"),
                (task + 0x9a0, 0, "task_struct.curr_ret_stack = 0 (one entry)"),
                (rs, sym("__x64_sys_rt_sigtimedwait", 0x99), "ret_stack[0].ret"),
                (rs + 8, sym("do_sigtimedwait"), "ret_stack[0].func"),
                (rs + 16, 0x1a2b3c4d, "ret_stack[0].calltime"),
                (rs + 24, slot, "ret_stack[0].retp")]
    rs = TASKS + 0x3000
    s.task("klpt-sigwait", frames, post=post,
           expect=["verdict=unreliable rule=ORC_UNDEFINED frame=4 mode=kernel",
                   "verdict=reliable rule=NONE mode=strict"],
           frame_names=["mode=kernel", "__schedule", "schedule",
                        "schedule_hrtimeout_range_clock", "do_sigtimedwait", "ftrace_stub"],
           labels=["mode=kernel", "4:ftrace-graph-unrecovered,kretprobe"],
           more=["frames mode=strict __schedule schedule schedule_hrtimeout_range_clock "
                 "do_sigtimedwait __x64_sys_rt_sigtimedwait do_syscall_64 "
                 "entry_SYSCALL_64_after_hwframe",
                 "labels mode=strict 4:ftrace-graph,kretprobe 6:user-entry"])
    # return_to_handler - 1 is the end of the function before it
    s.override["ftrace_stub"] = "undefined undefined 0 undefined 0"
    return s


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for fn in SAMPLES:
        s = fn()
        path = os.path.join(outdir, s.name + ".sample")
        with open(path, "w") as f:
            f.write(s.render())
    print("wrote %d samples" % len(SAMPLES))


if __name__ == "__main__":
    main()
